from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods

from kvalis.access import Perm, ProjectAccess, get_project_access
from kvalis.accounts.services import set_password_url
from kvalis.enrolment import ical, imports, services
from kvalis.enrolment.forms import (
    ApplicationForm,
    CatalogueFilterForm,
    CohortSettingsForm,
    CorrectionForm,
    MoveForm,
    NewEmployeeForm,
    NominateForm,
    QuotaForm,
    RosterFilterForm,
)
from kvalis.enrolment.models import (
    CalendarToken,
    Enrolment,
    EnrolmentConfirmation,
    EnrolmentStatus,
    Quota,
)
from kvalis.enrolment.rules import audience_summary
from kvalis.enrolment.selectors import (
    cohort_has_ended,
    cohort_seats,
    my_enrolments,
    open_cohorts,
    partner_quota,
    quota_used,
    registration_of,
    roster,
    seats_of_cohorts,
)
from kvalis.lib import public_cache, throttle
from kvalis.lib.collation import lt_order
from kvalis.lib.confirm import confirmation_page
from kvalis.lib.exports import content_disposition, csv_response, download_name, xlsx_response
from kvalis.lib.grammar import agree
from kvalis.projects.forms import add_errors
from kvalis.projects.models import Activity, Cohort, Partner, Session


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- public: catalogue, application, confirmation, privacy, calendars ------------------------


# Cohorts on one page of the catalogue: a county's whole programme opening on one day fits in a
# few pages, and a page stays small enough to send and render quickly.
CATALOGUE_PAGE_SIZE = 50


@public_cache.cached_page(
    public_cache.CATALOGUE, params=("activity", "municipality", "month", "page")
)
def catalogue(request: HttpRequest) -> HttpResponse:
    """The open cohorts, filtered and a page at a time; kept for anonymous visitors (each valid
    filter and page on its own; an invalid one is rendered but not kept)."""
    cohorts = open_cohorts()
    activities = (
        Activity.objects.filter(cohorts__in=cohorts)
        .distinct()
        .order_by("title")
        .values_list("pk", "title")
    )
    form = CatalogueFilterForm(request.GET or None, activities=list(activities))
    keep = not form.is_bound or form.is_valid()
    if form.is_valid():
        if form.cleaned_data["activity"]:
            cohorts = cohorts.filter(activity_id=form.cleaned_data["activity"])
        if municipality := form.cleaned_data["municipality"]:
            cohorts = cohorts.filter(
                Q(venue__organisation__municipality=municipality)
                | Q(
                    Q(venue__isnull=True) | Q(venue__organisation__isnull=True),
                    activity__project__lead__municipality=municipality,
                )
            )
        if month := form.cleaned_data["month"]:
            cohorts = cohorts.filter(start_date__year=month[0], start_date__month=month[1])
    page = Paginator(cohorts, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    if request.GET.get("page", "") not in ("", str(page.number)):
        keep = False  # ?page=abc or ?page=9999 shows another page: not kept under that name
    if form.is_bound and not page.object_list:
        keep = False  # a filter that finds nothing (any month of any year) is cheap to render
    page_cohorts = list(page.object_list)
    seats = seats_of_cohorts(page_cohorts)
    for cohort in page_cohorts:
        # Seats reserved for partners' quotas are not free for a public applicant.
        cohort.free = seats[cohort.pk].free_for(None)
        cohort.audience = audience_summary(cohort.activity)
    response = render(
        request,
        "enrolment/catalogue.html",
        {"form": form, "cohorts": page_cohorts, "page": page},
    )
    return response if keep else public_cache.dont_store(response)


def _open_cohort(cohort_public_id) -> Cohort:
    return get_object_or_404(open_cohorts(), public_id=cohort_public_id)


# Applications accepted from one address per hour: a whole library's staff applying from one
# office network fits; a script filling the form does not.
APPLY_LIMIT = 60
APPLY_WINDOW = 60 * 60


def apply(request: HttpRequest, cohort_public_id) -> HttpResponse:
    cohort = _open_cohort(cohort_public_id)
    initial = {}
    person = _my_person(request) if request.user.is_authenticated else None
    if person is not None:
        # A signed-in participant applies with what we already know about them.
        initial = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "organisation": person.organisation_id,
            "position": person.position,
            "position_category": person.position_category,
        }
    form = ApplicationForm(request.POST or None, initial=initial)
    throttled = False
    if request.method == "POST":
        who = throttle.client_ip(request)
        throttled = throttle.attempt("apply", who, limit=APPLY_LIMIT, window=APPLY_WINDOW)
    if throttled:
        messages.error(request, throttle.TOO_MANY)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.application_create(
                cohort=cohort,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
                organisation=data["organisation"],
                new_organisation_name=data["new_organisation_name"],
                new_organisation_type=data["new_organisation_type"],
                new_organisation_municipality=data["new_organisation_municipality"],
                position=data["position"],
                position_category=data["position_category"],
                consent=data["consent"],
                language=translation.get_language() or "lt",
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            return redirect("enrolment:applied", cohort_public_id=cohort.public_id)
    sessions = cohort.sessions.select_related("venue")
    return render(
        request,
        "enrolment/apply.html",
        {
            "cohort": cohort,
            "form": form,
            "sessions": sessions,
            "audience": audience_summary(cohort.activity),
            "free": cohort_seats(cohort).free_for(None),
        },
        status=429 if throttled else 200,
    )


def applied(request: HttpRequest, cohort_public_id) -> HttpResponse:
    cohort = get_object_or_404(
        Cohort.objects.filter(activity__project__is_public=True).select_related(
            "activity__project"
        ),
        public_id=cohort_public_id,
    )
    return render(request, "enrolment/applied.html", {"cohort": cohort})


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that open links must not confirm for the person.
    confirmation = get_object_or_404(
        EnrolmentConfirmation.objects.select_related(
            "enrolment__cohort__activity__project", "enrolment__person__user"
        ),
        token=token,
    )
    enrolment = confirmation.enrolment
    if request.method == "POST" and confirmation.confirmed_at is None:
        try:
            enrolment = services.application_confirm(token=token)
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        return redirect("enrolment:confirm", token=token)
    password_url = ""
    user = enrolment.person.user
    if confirmation.confirmed_at and user is not None and user.last_login is None:
        password_url = set_password_url(user)
    return render(
        request,
        "enrolment/confirm.html",
        {
            "confirmation": confirmation,
            "enrolment": enrolment,
            "set_password_url": password_url,
        },
    )


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "enrolment/privacy.html")


def _ics(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    return response


def cohort_ics(request: HttpRequest, cohort_public_id) -> HttpResponse:
    cohort = get_object_or_404(
        Cohort.objects.filter(activity__project__is_public=True).select_related(
            "activity__project"
        ),
        public_id=cohort_public_id,
    )
    sessions = Session.objects.filter(cohort=cohort).select_related(
        "venue", "cohort__venue", "cohort__activity__project"
    )
    return _ics(
        ical.calendar(sessions, name=f"{cohort.activity.title} — {cohort.name}"),
        download_name(cohort.activity.title, cohort.name, extension="ics"),
    )


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    calendar_token = get_object_or_404(CalendarToken.objects.select_related("person"), token=token)
    sessions = Session.objects.filter(
        cohort__enrolments__person=calendar_token.person,
        cohort__enrolments__status=EnrolmentStatus.CONFIRMED,
    ).select_related("venue", "cohort__venue", "cohort__activity__project")
    return _ics(
        ical.calendar(sessions, name=_("My trainings")),
        download_name(pgettext("file name", "my trainings"), extension="ics"),
    )


# --- the participant's own page ---------------------------------------------------------------


def _my_person(request: HttpRequest):
    try:
        return request.user.person
    except Exception:  # no Person behind this login
        return None


@login_required
def my_trainings(request: HttpRequest) -> HttpResponse:
    person = _my_person(request)
    enrolments = list(my_enrolments(person)) if person else []
    feed_url = ""
    summary = None
    if person is not None:
        _attach_certificates_and_surveys(person, enrolments)
        # A participant's home (kvalis.homes): next sessions, hours, certificates, surveys.
        from kvalis.homes.selectors import participant_home

        summary = participant_home(person)
        token = services.calendar_token_for(person=person)
        # SITE_URL, not the Host header: a calendar app keeps the address for years.
        feed_url = settings.SITE_URL + reverse(
            "enrolment:calendar_feed", kwargs={"token": token.token}
        )
    return render(
        request,
        "enrolment/my_trainings.html",
        {
            "person": person,
            "enrolments": enrolments,
            "summary": summary,
            "feed_url": feed_url,
            "cancellable": set(services.ACTIVE),
            "today": timezone.localdate(),
            "my_tab": "trainings",
        },
    )


def _attach_certificates_and_surveys(person, enrolments: list[Enrolment]) -> None:
    """Give each enrolment its valid certificate and the survey to answer, if any, so that
    "My trainings" is the one page a participant needs (three queries whatever the count)."""
    from kvalis.certificates.models import Certificate, CertificateStatus
    from kvalis.surveys.selectors import answered_survey_ids, surveys_for_person

    certificates = {
        c.enrolment_id: c
        for c in Certificate.objects.filter(person=person, status=CertificateStatus.VALID)
    }
    answered = answered_survey_ids(person)
    today = timezone.localdate()
    to_answer = [
        s for s in surveys_for_person(person) if s.pk not in answered and s.is_accepting(today)
    ]
    for enrolment in enrolments:
        enrolment.valid_certificate = certificates.get(enrolment.pk)
        enrolment.open_survey = next(
            (
                s
                for s in to_answer
                if s.cohort_id == enrolment.cohort_id
                or (s.cohort_id is None and s.activity_id == enrolment.cohort.activity_id)
            ),
            None,
        )
        if enrolment.status != "confirmed":
            enrolment.open_survey = None


@login_required
@require_http_methods(["GET", "POST"])
def my_cancel(request: HttpRequest, enrolment_pk: int) -> HttpResponse:
    """GET: what cancelling means; POST: cancel the participant's own enrolment."""
    person = _my_person(request)
    if person is None:
        raise Http404
    enrolment = get_object_or_404(
        Enrolment.objects.filter(person=person).select_related("cohort__activity"),
        pk=enrolment_pk,
    )
    if enrolment.cohort.start_date < timezone.localdate():
        messages.error(request, _("A training that has started cannot be cancelled here."))
        return redirect("enrolment:my_trainings")
    if request.method == "POST":
        try:
            services.enrolment_cancel(actor=request.user, enrolment=enrolment)
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        else:
            messages.success(request, _("Your enrolment is cancelled."))
        return redirect("enrolment:my_trainings")
    cohort = enrolment.cohort
    return confirmation_page(
        request,
        heading=_("Cancel your enrolment in “%(title)s”?") % {"title": cohort.activity.title},
        points=[
            _("%(cohort)s, %(start)s – %(end)s.")
            % {
                "cohort": cohort.name,
                "start": cohort.start_date.isoformat(),
                "end": cohort.end_date.isoformat(),
            },
            _(
                "Your seat goes to the first person on the waiting list, and you get an e-mail "
                "confirming the cancellation. To take part later you must apply again."
            ),
        ],
        submit_label=_("Cancel my enrolment"),
        cancel_url=reverse("enrolment:my_trainings"),
        crumbs=[(reverse("enrolment:my_trainings"), _("My trainings"))],
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_calendar_reset(request: HttpRequest) -> HttpResponse:
    """GET: what a new calendar address means; POST: make it (the old one stops working)."""
    person = _my_person(request)
    if person is None and request.method == "GET":
        return redirect("enrolment:my_trainings")  # which says there is nothing to subscribe to
    if person is None:
        raise Http404
    if request.method == "POST":
        services.calendar_token_reset(actor=request.user, person=person)
        messages.success(
            request, _("Your calendar has a new address; the old one no longer works.")
        )
        return redirect("enrolment:my_trainings")
    return confirmation_page(
        request,
        heading=_("Make a new calendar address?"),
        points=[
            _(
                "The old address stops working at once: calendar apps subscribed to it no longer "
                "get your sessions. Subscribe again with the new address shown on My trainings."
            ),
            _("Your enrolments are not changed."),
        ],
        submit_label=_("Make a new address"),
        cancel_url=reverse("enrolment:my_trainings"),
        crumbs=[(reverse("enrolment:my_trainings"), _("My trainings"))],
    )


# --- the project's back office ----------------------------------------------------------------


def _enrolments(access: ProjectAccess) -> QuerySet[Enrolment]:
    """Enrolments this user may see: a partner coordinator only their own people."""
    queryset = Enrolment.objects.filter(cohort__in=access.cohorts())
    if access.is_partner:
        queryset = queryset.filter(
            Q(partner=access.partner) | Q(person__in=access.people().values("pk"))
        )
    elif not access.is_coordinator:
        queryset = queryset.none()
    return queryset


def _partners(access: ProjectAccess):
    """Partners whose quota this user may enrol into (None: only their own, fixed)."""
    if access.is_coordinator:
        return Partner.objects.filter(project=access.project).select_related("organisation")
    return None


def _context(access: ProjectAccess, **extra) -> dict:
    return {
        "access": access,
        "project": access.project,
        "tab": "enrolment",
        "can_edit": access.can(Perm.EDIT),
        **extra,
    }


@login_required
def cohorts(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.ENROL)
    rows = list(
        access.cohorts()
        .select_related("activity", "registration")
        .annotate(
            confirmed=Count("enrolments", filter=Q(enrolments__status="confirmed")),
            waiting=Count("enrolments", filter=Q(enrolments__status="waiting")),
            applied=Count("enrolments", filter=Q(enrolments__status="applied")),
        )
        .order_by("activity__position", "start_date", "name")
    )
    if access.is_partner:
        quotas = {q.cohort_id: q for q in Quota.objects.filter(partner=access.partner)}
        used = dict(
            Enrolment.objects.filter(
                partner=access.partner,
                cohort__in=access.cohorts(),
                status__in=services.ACTIVE,
            )
            .values("cohort_id")
            .annotate(n=Count("id"))
            .values_list("cohort_id", "n")
        )
        today = timezone.localdate()
        for cohort in rows:
            cohort.my_quota = quotas.get(cohort.pk)
            cohort.my_used = used.get(cohort.pk, 0)
            # Unused seats are the partner's alone until the release date, then everyone's.
            cohort.my_reserved = cohort.my_quota is not None and cohort.my_quota.is_reserved(today)
            cohort.my_free = (
                max(0, cohort.my_quota.seats - cohort.my_used) if cohort.my_reserved else 0
            )
    imports_ = (
        imports.batches_for(access).select_related("cohort__activity").defer("rows", "results")[:10]
    )
    return render(
        request,
        "enrolment/cohorts.html",
        _context(access, cohorts=rows, imports=imports_),
    )


ROSTER_PAGE_SIZE = 50


def _cohort_partners(access: ProjectAccess, cohort: Cohort) -> QuerySet[Partner]:
    """The partners a coordinator filters a roster by: those with someone enrolled in the
    cohort or a quota in it, not every partner of the project (2 000 in a national programme,
    most of a roster's page)."""
    return (
        Partner.objects.filter(project=access.project)
        .filter(
            Q(pk__in=Enrolment.objects.filter(cohort=cohort).values("partner"))
            | Q(pk__in=Quota.objects.filter(cohort=cohort).values("partner"))
        )
        .select_related("organisation")
        .order_by(*lt_order("organisation__name"))
    )


def _roster_rows(access: ProjectAccess, cohort: Cohort, request: HttpRequest):
    rows = roster(cohort).filter(pk__in=_enrolments(access).values("pk"))
    # A partner coordinator may filter by their own partner only; nobody by another project's.
    partners = [access.partner] if access.is_partner else _cohort_partners(access, cohort)
    form = RosterFilterForm(request.GET or None, partners=partners)
    partner, status = form.filters()
    if partner == RosterFilterForm.NO_QUOTA:
        rows = rows.filter(partner__isnull=True)
    elif partner:
        rows = rows.filter(partner_id=int(partner))
    if status:
        rows = rows.filter(status=status)
    return rows, form


@login_required
def roster_view(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_PEOPLE)
    cohort = access.get_cohort(cohort_pk)
    rows, filter_form = _roster_rows(access, cohort, request)
    # A cohort of a thousand: a page at a time (the exports still give everyone).
    page = Paginator(rows, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    partner, status = filter_form.filters()
    seats = cohort_seats(cohort)
    quotas = list(
        Quota.objects.filter(cohort=cohort)
        .select_related("partner__organisation")
        .order_by(*lt_order("partner__organisation__name"))
    )
    if access.is_partner:
        quotas = [q for q in quotas if q.partner_id == access.partner.pk]
    for quota in quotas:
        quota.used = quota_used(cohort, quota.partner_id)
        quota.reserved = quota.is_reserved(timezone.localdate())
    return render(
        request,
        "enrolment/roster.html",
        _context(
            access,
            cohort=cohort,
            rows=page,
            page=page,
            seats=seats,
            quotas=quotas,
            registration=registration_of(cohort),
            partners=filter_form.partners if access.is_coordinator else [],
            filter_form=filter_form,
            partner_filter=partner,
            status_filter=status,
            statuses=EnrolmentStatus.choices,
            can_enrol=access.can(Perm.ENROL),
            ended=cohort_has_ended(cohort),
            held_mail=imports.held_mail(access, cohort).count() if access.can(Perm.ENROL) else 0,
        ),
    )


def _export_rows(rows):
    header = [
        _("Last name"),
        _("First name"),
        _("E-mail"),
        _("Phone"),
        _("Employer"),
        _("Position"),
        _("Position category"),
        _("Status"),
        _("Place on waiting list"),
        _("Quota of partner"),
        _("Enrolled"),
    ]
    body = [
        [
            e.person.last_name,
            e.person.first_name,
            e.person.email,
            e.person.phone,
            e.organisation_name,
            e.position,
            e.get_position_category_display(),
            e.get_status_display(),
            e.waiting_position,
            e.partner.organisation.name if e.partner else "",
            timezone.localtime(e.created_at).date(),
        ]
        for e in rows
    ]
    return header, body


@login_required
def roster_export(request: HttpRequest, code: str, cohort_pk: int, fmt: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_PEOPLE)
    cohort = access.get_cohort(cohort_pk)
    rows, _form = _roster_rows(access, cohort, request)
    header, body = _export_rows(rows)
    stem = (access.project.code, cohort.name, pgettext("file name", "participants"))
    if fmt == "csv":
        return csv_response(download_name(*stem, extension="csv"), header, body)
    return xlsx_response(
        download_name(*stem, extension="xlsx"), {_("Participants"): (header, body)}
    )


@login_required
def cohort_settings(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    cohort = access.get_cohort(cohort_pk)
    registration = registration_of(cohort)
    partners = list(
        Partner.objects.filter(project=access.project)
        .select_related("organisation")
        .order_by(*lt_order("organisation__name"))
    )
    quotas = {q.partner_id: q for q in Quota.objects.filter(cohort=cohort)}
    settings_form = CohortSettingsForm(
        request.POST if request.POST.get("form") == "settings" else None,
        initial={
            "capacity": cohort.capacity,
            "is_open": registration.is_open,
            "auto_approve": registration.auto_approve,
            "closes_on": registration.closes_on,
        },
    )
    quota_forms = []
    for partner in partners:
        quota = quotas.get(partner.pk)
        bound = request.POST if request.POST.get("form") == f"quota-{partner.pk}" else None
        form = QuotaForm(
            bound,
            prefix=f"q{partner.pk}",
            initial={
                "seats": quota.seats if quota else 0,
                "release_on": quota.release_on if quota else None,
            },
        )
        quota_forms.append((partner, form))
    if request.method == "POST":
        try:
            if settings_form.is_bound and settings_form.is_valid():
                data = settings_form.cleaned_data
                # Both or neither: a refused closing day leaves the capacity as it was.
                with transaction.atomic():
                    services.cohort_capacity_set(
                        actor=request.user, cohort=cohort, capacity=data["capacity"]
                    )
                    services.cohort_registration_set(
                        actor=request.user,
                        cohort=cohort,
                        is_open=data["is_open"],
                        auto_approve=data["auto_approve"],
                        closes_on=data["closes_on"],
                    )
                messages.success(request, _("Cohort settings saved."))
                return redirect("enrolment:cohort_settings", code=code, cohort_pk=cohort.pk)
            for partner, form in quota_forms:
                if form.is_bound and form.is_valid():
                    services.quota_set(
                        actor=request.user,
                        cohort=cohort,
                        partner=partner,
                        seats=form.cleaned_data["seats"],
                        release_on=form.cleaned_data["release_on"],
                    )
                    messages.success(request, _("Quota saved."))
                    return redirect("enrolment:cohort_settings", code=code, cohort_pk=cohort.pk)
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
    return render(
        request,
        "enrolment/cohort_settings.html",
        _context(access, cohort=cohort, settings_form=settings_form, quota_forms=quota_forms),
    )


def _nomination_people(access: ProjectAccess, cohort: Cohort) -> QuerySet:
    """The people this user may nominate into the cohort: those they may see, not yet in it."""
    already = Enrolment.objects.filter(cohort=cohort, status__in=services.ACTIVE).values(
        "person_id"
    )
    return (
        access.people()
        .exclude(pk__in=already)
        .select_related("organisation")
        .order_by(*lt_order("last_name", "first_name"))
    )


@login_required
def nominate(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    """Enrol a person: one already recorded ("existing"), or a new employee added to their
    employer's staff and enrolled at once ("new"). A partner coordinator also sees the quota."""
    access = get_project_access(request.user, code, Perm.ENROL)
    cohort = access.get_cohort(cohort_pk)
    people = _nomination_people(access, cohort)
    own_partner = access.partner if access.is_partner else None
    bound = request.POST if request.method == "POST" else None
    adding = bound is not None and bound.get("form") == "new"
    options = {"partners": _partners(access), "can_override": access.is_coordinator}
    form = NominateForm(None if adding else bound, people=people, **options)
    employers = services.nomination_employers(project=access.project, partner=own_partner)
    new_form = NewEmployeeForm(
        bound if adding else None,
        employers=employers.order_by(*lt_order("name"), "pk"),
        **options,
    )
    enrolment = None
    if bound is not None and not adding and form.is_valid():
        try:
            enrolment = services.enrolment_nominate(
                actor=request.user,
                cohort=cohort,
                person=form.cleaned_data["person"],
                partner=own_partner or form.cleaned_data.get("partner"),
                enforce_quota=access.is_partner,
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
    if adding and new_form.is_valid():
        data = new_form.cleaned_data
        try:
            enrolment = services.enrolment_nominate_new_person(
                actor=request.user,
                cohort=cohort,
                organisation=data["organisation"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
                position=data["position"],
                position_category=data["position_category"],
                partner=own_partner or data.get("partner"),
                enforce_quota=access.is_partner,
                override_reason=data.get("override_reason", ""),
            )
        except services.DuplicatePerson as error:
            new_form.add_error(None, error.messages)
            if people.filter(pk=error.person.pk).exists():
                # Ready to nominate the person already recorded, one click away.
                form = NominateForm(initial={"person": error.person.pk}, people=people, **options)
        except ValidationError as error:
            add_errors(new_form, error)
    if enrolment is not None:
        messages.success(
            request,
            _("%(name)s: %(status)s.")
            % {"name": enrolment.person.full_name, "status": enrolment.get_status_display()},
        )
        if access.is_partner:
            return redirect("enrolment:nominate", code=code, cohort_pk=cohort.pk)
        return redirect("enrolment:roster", code=code, cohort_pk=cohort.pk)
    quota = None
    if access.is_partner:
        quota = partner_quota(cohort, access.partner, people=access.people())
    return render(
        request,
        "enrolment/nominate.html",
        _context(access, cohort=cohort, form=form, new_form=new_form, quota=quota, adding=adding),
    )


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_into_quota(request: HttpRequest, code: str, enrolment_pk: int) -> HttpResponse:
    """Move one of the partner's own people from the waiting list into an unused seat of the
    partner's quota: a page that says what will happen, then a POST."""
    access = get_project_access(request.user, code, Perm.ENROL)
    enrolment = get_object_or_404(
        _enrolments(access).select_related(
            "person__organisation", "cohort__activity__project", "partner__organisation"
        ),
        pk=enrolment_pk,
    )
    partner = access.partner if access.is_partner else services.quota_partner_of(enrolment)
    cohort = enrolment.cohort
    name = enrolment.person.full_name
    if access.is_partner:
        back = reverse("enrolment:nominate", args=[code, cohort.pk])
    else:
        back = reverse("enrolment:roster", args=[code, cohort.pk])
    if request.method == "POST":
        try:
            services.enrolment_take_into_quota(
                actor=request.user, enrolment=enrolment, partner=partner
            )
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        else:
            messages.success(
                request,
                _(
                    "%(name)s took a seat of the quota of %(organisation)s: the enrolment is "
                    "confirmed."
                )
                % {"name": name, "organisation": partner.organisation.name},
            )
        return redirect(back)
    error = None
    try:
        quota = services.into_quota_check(enrolment=enrolment, partner=partner)
    except ValidationError as refused:
        error = " ".join(_errors(refused))
    points = [
        _("%(activity)s — %(cohort)s · %(status)s")
        % {
            "activity": cohort.activity.title,
            "cohort": cohort.name,
            "status": enrolment.get_status_display(),
        }
    ]
    if error is None:
        free = quota.seats - quota_used(cohort, partner.pk)
        points += [
            ngettext(
                "%(organisation)s has %(free)s unused reserved seat in this cohort: %(name)s "
                "takes it and is confirmed at once; the others on the waiting list move up.",
                "%(organisation)s has %(free)s unused reserved seats in this cohort: %(name)s "
                "takes one and is confirmed at once; the others on the waiting list move up.",
                free,
            )
            % {"organisation": partner.organisation.name, "free": free, "name": name},
            _("%(name)s gets an e-mail that a seat is theirs.") % {"name": name},
        ]
    return confirmation_page(
        request,
        access=access,
        tab="enrolment",
        heading=_("Move %(name)s into the quota?") % {"name": name},
        points=points,
        submit_label=_("Move into the quota"),
        cancel_url=back,
        crumbs=[
            (reverse("enrolment:cohorts", args=[code]), _("Enrolment")),
            (reverse("enrolment:roster", args=[code, cohort.pk]), cohort.name),
        ],
        error=error,
    )


ACTIONS = {
    "approve": (Perm.EDIT, services.enrolment_approve),
    "reject": (Perm.EDIT, services.enrolment_reject),
}


@login_required
@require_http_methods(["GET", "POST"])
def enrolment_action(request: HttpRequest, code: str, enrolment_pk: int, action: str):
    """Approve (a POST from the roster) or reject (a page that says what it means, then a POST)."""
    if action not in ACTIONS:
        raise Http404
    if request.method == "GET" and action != "reject":
        return HttpResponseNotAllowed(["POST"])
    perm, service = ACTIONS[action]
    access = get_project_access(request.user, code, perm)
    enrolment = get_object_or_404(
        _enrolments(access).select_related("person", "cohort__activity"), pk=enrolment_pk
    )
    if request.method == "GET":
        roster_url = reverse("enrolment:roster", args=[code, enrolment.cohort_id])
        return confirmation_page(
            request,
            access=access,
            tab="enrolment",
            heading=_("Reject the application of %(name)s?") % {"name": enrolment.person.full_name},
            points=[
                _("%(activity)s — %(cohort)s · %(status)s")
                % {
                    "activity": enrolment.cohort.activity.title,
                    "cohort": enrolment.cohort.name,
                    "status": enrolment.get_status_display(),
                },
                _(
                    "%(name)s gets an e-mail that the application was not accepted. The "
                    "enrolment stays in the list as rejected; to take part the person must apply "
                    "again."
                )
                % {"name": enrolment.person.full_name},
            ],
            submit_label=_("Reject"),
            cancel_url=roster_url,
            crumbs=[
                (reverse("enrolment:cohorts", args=[code]), _("Enrolment")),
                (roster_url, enrolment.cohort.name),
            ],
        )
    try:
        service(actor=request.user, enrolment=enrolment)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    else:
        messages.success(request, _("Done: %(name)s.") % {"name": enrolment.person.full_name})
    return redirect("enrolment:roster", code=code, cohort_pk=enrolment.cohort_id)


@login_required
def enrolment_cancel(request: HttpRequest, code: str, enrolment_pk: int) -> HttpResponse:
    """Cancel an enrolment. In an ended cohort only the project's coordinators may, to correct
    a mistake, with a written reason (`enrolment_correct`); the page tells others why not."""
    access = get_project_access(request.user, code, Perm.ENROL)
    enrolment = get_object_or_404(
        _enrolments(access).select_related("person", "cohort__activity"), pk=enrolment_pk
    )
    ended = cohort_has_ended(enrolment.cohort)
    may_correct = ended and access.is_coordinator
    form = CorrectionForm(request.POST or None) if may_correct else None
    roster_url = reverse("enrolment:roster", args=[code, enrolment.cohort_id])
    done = _("Done: %(name)s.") % {"name": enrolment.person.full_name}
    if request.method == "POST" and form is None:
        try:
            services.enrolment_cancel(actor=request.user, enrolment=enrolment)
        except ValidationError as error:
            messages.error(request, " ".join(_errors(error)))
        else:
            messages.success(request, done)
        return redirect(roster_url)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_correct(
                actor=request.user, enrolment=enrolment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(request, done)
            return redirect(roster_url)
    return render(
        request,
        "enrolment/cancel.html",
        _context(
            access,
            enrolment=enrolment,
            cohort=enrolment.cohort,
            ended=ended,
            form=form,
            roster_url=roster_url,
        ),
    )


@login_required
def enrolment_move(request: HttpRequest, code: str, enrolment_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    enrolment = get_object_or_404(
        _enrolments(access).select_related("person", "cohort__activity"), pk=enrolment_pk
    )
    targets = (
        access.cohorts()
        .exclude(pk=enrolment.cohort_id)
        .select_related("activity")
        .order_by("activity__position", "start_date")
    )
    form = MoveForm(request.POST or None, cohorts=targets, can_override=access.is_coordinator)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.enrolment_move(
                actor=request.user,
                enrolment=enrolment,
                to_cohort=form.cleaned_data["cohort"],
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                agree(
                    _("%(name)s moved: %(status)s.")
                    % {"name": moved.person.full_name, "status": moved.get_status_display()},
                    moved.person.full_name,
                ),
            )
            return redirect("enrolment:roster", code=code, cohort_pk=moved.cohort_id)
    return render(
        request,
        "enrolment/move.html",
        _context(access, enrolment=enrolment, cohort=enrolment.cohort, form=form),
    )
