"""People of a project: the list (search, filters, Lithuanian order), a person's page, and
adding or editing people. A partner coordinator sees and edits only the people of their own
organisation and the institutions it nominates for (`access.people()`)."""

import hashlib
import io
import pickle
from operator import itemgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kvalis import ownership
from kvalis.access import Perm, ProjectAccess, get_project_access
from kvalis.audit.models import AuditEntry
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.lib.collation import lt_order
from kvalis.lib.grammar import agree
from kvalis.lib.kept import kept
from kvalis.organisations.models import Organisation
from kvalis.people import services
from kvalis.people.forms import PeopleFilterForm, PersonForm, PersonProjectForm
from kvalis.people.models import Person
from kvalis.people.selectors import LIST_FIELDS, person_list_page
from kvalis.projects.forms import run_service
from kvalis.projects.services import trainer_invite, trainer_login_state
from kvalis.reports import figures


def _organisations(access: ProjectAccess) -> QuerySet[Organisation]:
    """Employers this user may file people under (and filter the list by)."""
    if access.is_partner:
        ids = access.partner_organisation_ids()
    else:
        # The employers of `access.people()`: the consortium, the institutions it nominates
        # for, and the employers of anyone enrolled. Three semi-joins, as there: joining the
        # organisations to partners and to every person of a national consortium took 70 ms.
        project = access.project
        accepted = project.partners.filter(status="accepted")
        ids = Organisation.objects.filter(
            Q(pk__in=accepted.values("organisation"))
            | Q(pk__in=accepted.values("covered_organisations"))
            | Q(
                pk__in=Enrolment.objects.filter(cohort__activity__project=project).values(
                    "person__organisation"
                )
            )
        ).values("pk")
    return Organisation.objects.filter(pk__in=ids).order_by(*lt_order("name"))


def _people_access(user, code: str) -> ProjectAccess:
    access = get_project_access(user, code, Perm.VIEW_PEOPLE)
    if not (access.is_coordinator or access.is_partner):
        raise Http404
    return access


_shown = itemgetter(*LIST_FIELDS)


def _rows_fingerprint(rows: list[dict]) -> str:
    """Everything the rows of a people list page show, hashed: their HTML is kept under it
    (kvalis.lib.kept), so a changed name, address or employer is a new key at once, whoever
    changed it and from wherever."""
    # Pickled (four times faster than repr()), without the pickler's memo: with it, two equal
    # values held by one object or by two would give other bytes.
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump([_shown(row) for row in rows])
    return hashlib.blake2b(buffer.getvalue(), digest_size=16).hexdigest()


def _filtered_people(access: ProjectAccess, data: dict) -> QuerySet[Person]:
    """The people of `access` that the list's valid filters (`data`) keep."""
    people = access.people()
    for word in data.get("q", "").split():
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    if data.get("organisation"):
        people = people.filter(organisation=data["organisation"])
    if data.get("municipality"):
        people = people.filter(organisation__municipality=data["municipality"])
    if data.get("cohort"):
        enrolled = Enrolment.objects.filter(cohort_id=data["cohort"]).exclude(
            status__in=[EnrolmentStatus.CANCELLED, EnrolmentStatus.REJECTED]
        )
        people = people.filter(pk__in=enrolled.values("person_id"))
    return people


@login_required
def person_list(request: HttpRequest, code: str) -> HttpResponse:
    access = _people_access(request.user, code)
    project = access.project
    # Without a filter (at most a page number) the form is the same for everyone of this role
    # and scope until the project changes: kept under its figures version (kvalis.lib.kept).
    filtering = any(request.GET.get(name) for name in PeopleFilterForm.base_fields)

    def filter_form() -> PeopleFilterForm:
        cohorts = (
            access.cohorts().select_related("activity").order_by("activity__position", "start_date")
        )
        return PeopleFilterForm(
            request.GET if filtering else None,
            organisations=_organisations(access),
            cohorts=cohorts,
        )

    form = filter_form() if filtering else None
    data = form.filters() if form is not None else {}
    if any(data.get(name) for name in PeopleFilterForm.base_fields):
        scope = _filtered_people(access, data)
    else:  # a coordinator's scope comes compiled already (0.7 ms of CPU a page less)
        scope = access.people_sql() or access.people()
    page = person_list_page(scope, request.GET.get("page"))
    rows_html = kept(
        project,
        _rows_fingerprint(page.object_list),
        ("people-rows",),
        lambda: render_to_string(
            "people/_person_rows.html", {"project": project, "people": page.object_list}
        ),
    )
    context = {
        "access": access,
        "project": project,
        "tab": "people",
        "form": form,
        "page": page,
        "rows_html": rows_html,
    }
    template = "people/person_list.html"
    if request.htmx and request.htmx.target == "people-results":
        template += "#results"
    else:
        version = None if filtering else figures.current_version(project)
        scope = ("people-filters", *access.viewer_key)
        context["filters_html"] = kept(
            project,
            version,
            scope,
            lambda: render_to_string(
                "people/_person_filters.html",
                {"project": project, "form": form or filter_form()},
            ),
        )
    return render(request, template, context)


def _may_record_erasure(user, person) -> bool:
    """A keeper of the employer records an erasure request the person made by letter or in
    person (`people:erasure_on_behalf`); the person asks for themself from "Erase my data"."""
    return (
        person.organisation_id is not None
        and person.erased_at is None
        and person.user_id != user.pk
        and ownership.keeps(user, person.organisation)
    )


@login_required
def person_detail(request: HttpRequest, code: str, person_pk: int) -> HttpResponse:
    access = _people_access(request.user, code)
    person = access.get_person(person_pk)
    enrolments = person.enrolments.filter(cohort__activity__project=access.project).select_related(
        "cohort__activity"
    )
    may_change_identity = ownership.may_change_identity(request.user, person)
    trained = []
    trainer_login = None
    if access.is_coordinator:
        trained = list(
            person.trained_cohorts.filter(activity__project=access.project).select_related(
                "activity"
            )
        )
        if trained:
            trainer_login = trainer_login_state(person)
    history = []
    if may_change_identity:
        # The keepers see every change of the record, from whichever project it was made.
        history = AuditEntry.objects.filter(
            object_type="people.person", object_id=str(person.pk)
        ).select_related("actor", "project")[:50]
    return render(
        request,
        "people/person_detail.html",
        {
            "access": access,
            "project": access.project,
            "tab": "people",
            "person": person,
            "enrolments": enrolments.order_by("cohort__start_date"),
            "may_change_identity": may_change_identity,
            "keeper": ownership.keeper_of(person.organisation),
            "may_record_erasure": _may_record_erasure(request.user, person),
            "history": history,
            "trained_cohorts": trained,
            "trainer_login": trainer_login,
        },
    )


@login_required
@require_POST
def person_invite(request: HttpRequest, code: str, person_pk: int) -> HttpResponse:
    """The person page's "Invite to sign in": a coordinator gives a trainer of the project a
    login, or sends the invitation again a day later (`projects.services.trainer_invite`)."""
    access = _people_access(request.user, code)
    if not access.is_coordinator:
        raise Http404
    person = access.get_person(person_pk)
    try:
        trainer_invite(actor=request.user, person=person, project=access.project)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s was sent an invitation to sign in.") % {"name": person.full_name},
        )
    return redirect("people:detail", code=code, person_pk=person.pk)


@login_required
@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest, code: str) -> HttpResponse:
    access = _people_access(request.user, code)
    organisations = _organisations(access)
    form = PersonForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        person = run_service(
            form,
            lambda: services.person_create(
                actor=request.user, project=access.project, **form.cleaned_data
            ),
        )
        if person is not None:
            added = _("%(name)s is added.") % {"name": person.full_name}
            messages.success(request, agree(added, person.full_name))
            return redirect("people:detail", code=code, person_pk=person.pk)
    return _form(request, access, form, _("Add a person"))


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, code: str, person_pk: int) -> HttpResponse:
    access = _people_access(request.user, code)
    person = access.get_person(person_pk)
    if ownership.may_change_identity(request.user, person):
        kept = ownership.kept_organisations(request.user).values("pk")
        organisations = Organisation.objects.filter(
            Q(pk__in=_organisations(access).filter(pk__in=kept).values("pk"))
            | Q(pk=person.organisation_id)
        ).order_by(*lt_order("name"))
        form = PersonForm(request.POST or None, instance=person, organisations=organisations)
        if person.user_id:
            form.fields["email"].disabled = True
            form.fields["email"].help_text = _(
                "The address of the person's login: only they change it, on their account page."
            )
        heading = _("Edit the person")
    else:
        form = PersonProjectForm(request.POST or None, instance=person)
        heading = _("Correct the position category")
    if request.method == "POST" and form.is_valid():
        done = run_service(
            form,
            lambda: services.person_update(
                actor=request.user, person=person, project=access.project, **form.cleaned_data
            ),
        )
        if done is not None:
            messages.success(request, _("The person is saved."))
            return redirect("people:detail", code=code, person_pk=person.pk)
        person.refresh_from_db()
    crumbs = [(reverse("people:detail", args=[code, person.pk]), person.full_name)]
    return _form(request, access, form, heading, crumbs)


def _form(request, access, form, heading, extra_crumbs=None) -> HttpResponse:
    people_url = reverse("people:list", args=[access.project.code])
    return render(
        request,
        "projects/form_page.html",
        {
            "access": access,
            "project": access.project,
            "tab": "people",
            "form": form,
            "page_heading": heading,
            "cancel_url": people_url,
            "crumbs": [(people_url, _("People")), *(extra_crumbs or [])],
            "submit_label": _("Save"),
        },
    )
