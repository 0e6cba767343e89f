"""Project pages: the dashboard, the overview, the set-up forms and the public project page.

Every object comes through `kvalis.access`: the project from `get_project_access()`, then what
hangs off it (partners, activities, venues, memberships) from that project, and cohorts from
`access.cohorts()`. Editing needs `Perm.EDIT`; the others read what `Perm.VIEW` allows.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kvalis import ownership
from kvalis.access import (
    Perm,
    ProjectAccess,
    Role,
    get_project_access,
    projects_for_user,
    role_label,
)
from kvalis.lib import public_cache
from kvalis.lib.collation import lt_order
from kvalis.lib.kept import kept
from kvalis.organisations.selectors import organisation_search
from kvalis.organisations.services import organisation_create
from kvalis.projects import services, storefront
from kvalis.projects.forms import (
    ActivityForm,
    CohortForm,
    InvitationForm,
    PartnerForm,
    ProjectForm,
    SessionForm,
    StorefrontSearchForm,
    VenueForm,
    run_service,
)
from kvalis.projects.models import ActivityKind, Membership, PartnerStatus, Project
from kvalis.projects.selectors import (
    activity_counts,
    project_activity_tree,
    project_overview_tree,
    project_partners,
)
from kvalis.reports import figures


def _page(request: HttpRequest, access: ProjectAccess, template: str, tab: str, **context):
    return render(
        request,
        template,
        {"access": access, "project": access.project, "tab": tab, **context},
    )


def _form_page(
    request: HttpRequest,
    access: ProjectAccess,
    *,
    form,
    heading: str,
    tab: str,
    cancel_url: str,
    crumbs: list[tuple[str, str]] | None = None,
    submit_label: str | None = None,
) -> HttpResponse:
    return _page(
        request,
        access,
        "projects/form_page.html",
        tab,
        form=form,
        page_heading=heading,
        cancel_url=cancel_url,
        crumbs=crumbs or [],
        submit_label=submit_label or _("Save"),
    )


# --- Home, dashboard, overview -----------------------------------------------------------------


@public_cache.cached_page(public_cache.CATALOGUE)
def home(request: HttpRequest) -> HttpResponse:
    """The storefront: cohorts open for applications, public projects, and the way in for a
    visitor, an institution and a signed-in user."""
    return render(
        request,
        "projects/home.html",
        {
            "cohorts": storefront.soonest_open_cohorts(),
            "open_count": storefront.open_cohort_count(),
            # The catalogue's own filters, sent to the catalogue (GET).
            "search_form": StorefrontSearchForm(
                activities=storefront.catalogue_activities(), months=storefront.catalogue_months()
            ),
            "projects": storefront.public_projects(),
        },
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    projects = list(projects_for_user(request.user).order_by("-start_date", "code"))
    roles = dict(
        Membership.objects.filter(user=request.user, project__in=projects).values_list(
            "project_id", "role"
        )
    )
    for project in projects:
        if request.user.is_superuser:
            role = Role.ADMIN
        else:
            role = Role(roles[project.pk]) if project.pk in roles else Role.TRAINER
        project.my_role = role_label(role)
    invitations = ownership.partnerships_to_answer(request.user).filter(status="invited").count()
    return render(
        request,
        "projects/dashboard.html",
        {
            "projects": projects,
            "may_start_project": ownership.may_start_project(request.user),
            "invitations": invitations,
            "organisations": ownership.coordinated_organisations(request.user),
        },
    )


OVERVIEW_PARTNERS = 20


@login_required
def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code)
    project = access.project

    def overview_html() -> str:
        counts = activity_counts(project)
        partners = project_partners(project)
        return render_to_string(
            "projects/_overview.html",
            {
                "access": access,
                "project": project,
                "role_label": role_label(access.role),
                # The first partners, the lead among them; the partners page lists them all (a
                # national programme's 2 000 were most of the overview).
                "partners": partners[:OVERVIEW_PARTNERS],
                "partner_count": partners.count(),
                "activities": project_overview_tree(project, access.cohorts()),
                "module_count": counts.get(ActivityKind.MODULE, 0),
                "study_visit_count": counts.get(ActivityKind.STUDY_VISIT, 0),
            },
        )

    # What the overview shows changes with the project's figures version (kvalis.lib.kept):
    # kept per role and scope (a trainer sees only their own cohorts).
    parts = ("overview", *access.viewer_key)
    version = figures.current_version(project)
    return _page(
        request,
        access,
        "projects/project_detail.html",
        "overview",
        overview_html=kept(project, version, parts, overview_html),
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    if not ownership.may_start_project(request.user):
        # Only coordinators of registered organisations and site administrators start projects;
        # the home page's empty state says how to become one.
        raise Http404
    form = ProjectForm(
        request.POST or None, user=request.user, chosen_funder=request.GET.get("funder", "")
    )
    if request.method == "POST" and form.is_valid():
        project = run_service(
            form,
            lambda: services.project_create(
                actor=request.user,
                code=form.cleaned_data["code"],
                lead=form.cleaned_data["lead"],
                **form.service_fields(),
            ),
        )
        if project is not None:
            messages.success(request, _("The project is created. Add its partners next."))
            return redirect("projects:partners", code=project.code)
    return render(request, "projects/project_create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    form = ProjectForm(
        request.POST or None,
        instance=access.project,
        chosen_funder=request.GET.get("funder", ""),
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.project_update(
                actor=request.user, project=access.project, **form.service_fields()
            ),
        )
        if done is not None:
            messages.success(request, _("The project is saved."))
            return redirect("projects:detail", code=code)
        access.project.refresh_from_db()
    return _form_page(
        request,
        access,
        form=form,
        heading=_("Edit the project"),
        tab="overview",
        cancel_url=_url("projects:detail", code),
    )


# --- Public page -------------------------------------------------------------------------------


@public_cache.cached_page(public_cache.CATALOGUE, params=("page",), key=lambda code: code)
def project_public(request: HttpRequest, code: str) -> HttpResponse:
    """A public project: a page of its open cohorts, its activities with their first dates, its
    first partners (bounded, whatever the project's size: `storefront.PUBLIC_*`)."""
    project = get_object_or_404(
        Project.objects.filter(is_public=True).select_related("lead", "funder"), code=code
    )
    open_page = storefront.project_open_cohort_page(project, request.GET.get("page"))
    # Only those who accepted: an organisation invited, or one that declined or left, is not
    # the project's partner in public.
    accepted = project_partners(project).filter(status=PartnerStatus.ACCEPTED)
    partners = list(accepted[: storefront.PUBLIC_PARTNERS + 1])
    partners_more = 0
    if len(partners) > storefront.PUBLIC_PARTNERS:
        partners = partners[: storefront.PUBLIC_PARTNERS]
        partners_more = accepted.count() - storefront.PUBLIC_PARTNERS
    response = render(
        request,
        "projects/project_public.html",
        {
            "project": project,
            "open_page": open_page,
            "partners": partners,
            "partners_more": partners_more,
            "activities": storefront.public_activity_tree(project),
        },
    )
    if request.GET.get("page", "") not in ("", str(open_page.number)):
        # ?page=abc or ?page=9999 shows another page: not kept under that name.
        return public_cache.dont_store(response)
    return response


# --- Partners ----------------------------------------------------------------------------------


PARTNERS_PAGE_SIZE = 50


@login_required
def partner_list(request: HttpRequest, code: str) -> HttpResponse:
    """The partners, 50 a page (a national programme has 2 000: all on one page was 1.3 MB),
    found by the organisation's name, short name, company code or municipality."""
    access = get_project_access(request.user, code)
    query = " ".join(request.GET.get("q", "").split())[:100]
    partners = project_partners(access.project)
    if query:
        partners = partners.filter(organisation__in=organisation_search(query).order_by())
    page = Paginator(partners, PARTNERS_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    prefetch_related_objects(page.object_list, "covered_organisations", "memberships__user")
    shown = [partner.pk for partner in page.object_list]
    # Invited partners nobody can accept: the page says what the coordinator can do.
    nobody_answers = set(
        ownership.partnerships_nobody_answers(
            access.project.partners.filter(pk__in=shown)
        ).values_list("pk", flat=True)
    )
    return _page(
        request,
        access,
        "projects/partner_list.html",
        "partners",
        page=page,
        partners=page.object_list,
        query=query,
        nobody_answers=nobody_answers,
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_add(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def add():
            organisation = form.cleaned_data["organisation"]
            new = form.new_organisation()
            if new is not None:
                organisation = organisation_create(
                    actor=request.user, represented_by=access.project.lead, **new
                )
            return services.partner_add(
                actor=request.user,
                project=access.project,
                organisation=organisation,
                covered_organisations=list(form.cleaned_data["covered_organisations"]),
                **form.service_fields(),
            )

        partner = run_service(form, add)
        if partner is not None:
            if partner.is_accepted:
                messages.success(request, _("The partner is added."))
            else:
                messages.success(
                    request,
                    _(
                        "The invitation is sent. The project sees %(name)s's people once its "
                        "coordinators accept."
                    )
                    % {"name": partner.organisation.name},
                )
            return redirect("projects:partners", code=code)
    return _form_page(
        request,
        access,
        form=form,
        heading=_("Add a partner"),
        tab="partners",
        cancel_url=_url("projects:partners", code),
        crumbs=[(_url("projects:partners", code), _("Partners"))],
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, code: str, partner_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    partner = get_object_or_404(
        access.project.partners.select_related("organisation"), pk=partner_pk
    )
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        fields["role"] = partner.role if form.fields["role"].disabled else fields["role"]
        done = run_service(
            form,
            lambda: services.partner_update(
                actor=request.user,
                partner=partner,
                covered_organisations=list(form.cleaned_data["covered_organisations"]),
                **fields,
            ),
        )
        if done is not None:
            messages.success(request, _("The partner is saved."))
            return redirect("projects:partners", code=code)
        partner.refresh_from_db()
    return _form_page(
        request,
        access,
        form=form,
        heading=str(partner.organisation),
        tab="partners",
        cancel_url=_url("projects:partners", code),
        crumbs=[(_url("projects:partners", code), _("Partners"))],
    )


@login_required
@require_http_methods(["GET", "POST"])
def partner_remove(request: HttpRequest, code: str, partner_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    partner = get_object_or_404(
        access.project.partners.select_related("organisation"), pk=partner_pk
    )
    error = None
    if request.method == "POST":
        try:
            services.partner_remove(actor=request.user, partner=partner)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The partner is removed."))
            return redirect("projects:partners", code=code)
    return _page(
        request,
        access,
        "projects/confirm_delete.html",
        "partners",
        page_heading=_("Remove %(name)s from the project?") % {"name": partner.organisation},
        explanation=_("Its coordinators lose access to the project."),
        error=error,
        cancel_url=_url("projects:partners", code),
        crumbs=[(_url("projects:partners", code), _("Partners"))],
        submit_label=_("Remove"),
    )


# --- Activities, cohorts, sessions -------------------------------------------------------------


@login_required
def activity_list(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code)
    activities = project_activity_tree(access.project, access.cohorts())
    return _page(
        request,
        access,
        "projects/activity_list.html",
        "activities",
        activities=activities,
        can_edit=access.can(Perm.EDIT),
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    form = ActivityForm(request.POST or None, initial={"completion_percent": 80})
    if request.method == "POST" and form.is_valid():
        activity = run_service(
            form,
            lambda: services.activity_create(
                actor=request.user, project=access.project, **form.cleaned_data
            ),
        )
        if activity is not None:
            messages.success(request, _("The activity is added. Add its cohorts next."))
            return redirect("projects:activities", code=code)
    return _form_page(
        request,
        access,
        form=form,
        heading=_("Add an activity"),
        tab="activities",
        cancel_url=_url("projects:activities", code),
        crumbs=[(_url("projects:activities", code), _("Activities"))],
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, code: str, activity_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    activity = get_object_or_404(access.project.activities, pk=activity_pk)
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.activity_update(
                actor=request.user, activity=activity, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("The activity is saved."))
            return redirect("projects:activities", code=code)
        activity.refresh_from_db()
    return _form_page(
        request,
        access,
        form=form,
        heading=activity.title,
        tab="activities",
        cancel_url=_url("projects:activities", code),
        crumbs=[(_url("projects:activities", code), _("Activities"))],
    )


@login_required
@require_http_methods(["GET", "POST"])
def cohort_add(request: HttpRequest, code: str, activity_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    activity = get_object_or_404(access.project.activities, pk=activity_pk)
    form = CohortForm(
        request.POST or None,
        project=access.project,
        people=access.people(),
        initial={"start_date": access.project.start_date, "end_date": access.project.start_date},
    )
    if request.method == "POST" and form.is_valid():
        cohort = run_service(
            form,
            lambda: services.cohort_create(
                actor=request.user, activity=activity, **form.service_fields()
            ),
        )
        if cohort is not None:
            messages.success(request, _("The cohort is added. Add its sessions next."))
            return redirect("projects:cohort", code=code, cohort_pk=cohort.pk)
    return _form_page(
        request,
        access,
        form=form,
        heading=_("Add a cohort to “%(activity)s”") % {"activity": activity.title},
        tab="activities",
        cancel_url=_url("projects:activities", code),
        crumbs=[(_url("projects:activities", code), _("Activities"))],
    )


@login_required
def cohort_detail(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    """The cohort hub: its set-up and sessions, with tabs to the rest of its pages."""
    access = get_project_access(request.user, code)
    cohort = access.get_cohort(cohort_pk)
    trainers = list(
        cohort.trainers.select_related("organisation", "user").order_by(
            *lt_order("last_name", "first_name")
        )
    )
    if access.is_coordinator:
        # Whether each trainer can sign in, so the coordinator sees whom to invite.
        people = set(access.people().filter(pk__in=[t.pk for t in trainers]).values_list("pk"))
        for trainer in trainers:
            trainer.login_state = services.trainer_login_state(trainer)
            trainer.has_page = (trainer.pk,) in people
    return _page(
        request,
        access,
        "projects/cohort_detail.html",
        "activities",
        cohort=cohort,
        sessions=cohort.sessions.select_related("venue"),
        trainers=trainers,
        can_edit=access.can(Perm.EDIT),
        can_teach=access.can(Perm.TEACH),
    )


@login_required
def cohort_attendance(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    """The hub's attendance tab: the cohort's sessions, each with its ways to record attendance."""
    access = get_project_access(request.user, code, Perm.TEACH)
    cohort = access.get_cohort(cohort_pk)
    from kvalis.attendance.selectors import session_overview

    (overview,) = session_overview(access.cohorts().filter(pk=cohort.pk))
    return _page(request, access, "projects/cohort_attendance.html", "activities", cohort=overview)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_edit(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    cohort = access.get_cohort(cohort_pk)
    # Trainers already chosen stay choosable even if they left the consortium.
    people = access.people() | cohort.trainers.all()
    form = CohortForm(
        request.POST or None, instance=cohort, project=access.project, people=people.distinct()
    )
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.cohort_update(
                actor=request.user, cohort=cohort, **form.service_fields()
            ),
        )
        if done is not None:
            messages.success(request, _("The cohort is saved."))
            return redirect("projects:cohort", code=code, cohort_pk=cohort.pk)
        cohort.refresh_from_db()
    return _form_page(
        request,
        access,
        form=form,
        heading=str(cohort),
        tab="activities",
        cancel_url=_url("projects:cohort", code, cohort.pk),
        crumbs=_cohort_crumbs(code, cohort),
    )


def _cohort_crumbs(code: str, cohort) -> list[tuple[str, str]]:
    return [
        (_url("projects:activities", code), _("Activities")),
        (_url("projects:cohort", code, cohort.pk), str(cohort)),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def session_add(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    cohort = access.get_cohort(cohort_pk)
    form = SessionForm(request.POST or None, project=access.project)
    if request.method == "POST" and form.is_valid():
        session = run_service(
            form,
            lambda: services.session_create(actor=request.user, cohort=cohort, **form.cleaned_data),
        )
        if session is not None:
            messages.success(request, _("The session is added."))
            return redirect("projects:cohort", code=code, cohort_pk=cohort.pk)
    return _form_page(
        request,
        access,
        form=form,
        heading=_("Add a session"),
        tab="activities",
        cancel_url=_url("projects:cohort", code, cohort.pk),
        crumbs=_cohort_crumbs(code, cohort),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, code: str, cohort_pk: int, session_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    cohort = access.get_cohort(cohort_pk)
    session = get_object_or_404(cohort.sessions, pk=session_pk)
    form = SessionForm(request.POST or None, instance=session, project=access.project)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.session_update(
                actor=request.user, session=session, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("The session is saved."))
            return redirect("projects:cohort", code=code, cohort_pk=cohort.pk)
        session.refresh_from_db()
    return _form_page(
        request,
        access,
        form=form,
        heading=_("Edit the session"),
        tab="activities",
        cancel_url=_url("projects:cohort", code, cohort.pk),
        crumbs=_cohort_crumbs(code, cohort),
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_delete(
    request: HttpRequest, code: str, cohort_pk: int, session_pk: int
) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    cohort = access.get_cohort(cohort_pk)
    session = get_object_or_404(cohort.sessions, pk=session_pk)
    error = None
    if request.method == "POST":
        try:
            services.session_delete(actor=request.user, session=session)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The session is deleted."))
            return redirect("projects:cohort", code=code, cohort_pk=cohort.pk)
    return _page(
        request,
        access,
        "projects/confirm_delete.html",
        "activities",
        page_heading=_("Delete the session of %(when)s?")
        % {"when": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M")},
        explanation=session.title,
        error=error,
        cancel_url=_url("projects:cohort", code, cohort.pk),
        crumbs=_cohort_crumbs(code, cohort),
        submit_label=_("Delete"),
    )


# --- Venues ------------------------------------------------------------------------------------


@login_required
def venue_list(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code)
    venues = access.project.venues.select_related("organisation").order_by(*lt_order("name"))
    return _page(
        request,
        access,
        "projects/venue_list.html",
        "venues",
        venues=venues,
        can_edit=access.can(Perm.EDIT),
    )


@login_required
@require_http_methods(["GET", "POST"])
def venue_add(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    form = VenueForm(request.POST or None, initial={"country": "Lietuva"})
    if request.method == "POST" and form.is_valid():
        venue = run_service(
            form,
            lambda: services.venue_create(
                actor=request.user, project=access.project, **form.cleaned_data
            ),
        )
        if venue is not None:
            messages.success(request, _("The venue is added."))
            return redirect("projects:venues", code=code)
    return _form_page(
        request,
        access,
        form=form,
        heading=_("Add a venue"),
        tab="venues",
        cancel_url=_url("projects:venues", code),
        crumbs=[(_url("projects:venues", code), _("Venues"))],
    )


@login_required
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, code: str, venue_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    venue = get_object_or_404(access.project.venues, pk=venue_pk)
    form = VenueForm(request.POST or None, instance=venue)
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.venue_update(actor=request.user, venue=venue, **form.cleaned_data),
        )
        if done is not None:
            messages.success(request, _("The venue is saved."))
            return redirect("projects:venues", code=code)
        venue.refresh_from_db()
    return _form_page(
        request,
        access,
        form=form,
        heading=venue.name,
        tab="venues",
        cancel_url=_url("projects:venues", code),
        crumbs=[(_url("projects:venues", code), _("Venues"))],
    )


# --- Members and invitations -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    form = InvitationForm(request.POST or None, project=access.project)
    if request.method == "POST" and form.is_valid():
        membership = run_service(
            form,
            lambda: services.membership_invite(
                actor=request.user,
                project=access.project,
                language=request.LANGUAGE_CODE,
                **form.cleaned_data,
            ),
        )
        if membership is not None:
            messages.success(
                request,
                _("%(email)s is invited; the invitation is on its way.")
                % {"email": membership.user.email},
            )
            return redirect("projects:members", code=code)
    memberships = access.project.memberships.select_related(
        "user", "partner__organisation"
    ).order_by("role", *lt_order("user__last_name", "user__first_name"), "user__email")
    return _page(
        request,
        access,
        "projects/member_list.html",
        "members",
        memberships=memberships,
        form=form,
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request: HttpRequest, code: str, membership_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    membership = get_object_or_404(
        access.project.memberships.select_related("user"), pk=membership_pk
    )
    error = None
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The role is taken away."))
            if membership.user_id == request.user.pk:
                return redirect("projects:dashboard")
            return redirect("projects:members", code=code)
    return _page(
        request,
        access,
        "projects/confirm_delete.html",
        "members",
        page_heading=_("Take the role of %(user)s away?") % {"user": membership.user.email},
        explanation=membership.get_role_display(),
        error=error,
        cancel_url=_url("projects:members", code),
        crumbs=[(_url("projects:members", code), _("Members"))],
        submit_label=_("Take the role away"),
    )


def _url(name: str, *args) -> str:
    return reverse(name, args=args)
