from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from kvalis import time_rules
from kvalis.access import Perm, get_project_access
from kvalis.attendance import checkin
from kvalis.attendance.forms import (
    AttendanceForm,
    CheckInCodeForm,
    CompletionOverrideForm,
    LedgerFilterForm,
)
from kvalis.attendance.models import AttendanceMethod
from kvalis.attendance.selectors import (
    completion_for_cohort,
    confirmed_roster,
    hours_ledger_page,
    ledger_export_rows,
    person_ledger,
    recorded_by_enrolment,
    session_for,
    session_overview,
)
from kvalis.attendance.services import (
    attendance_check_in,
    attendance_record,
    completion_override_clear,
    completion_override_set,
    session_minutes,
)
from kvalis.attendance.sheets import signin_sheet_pdf
from kvalis.lib import throttle
from kvalis.lib.exports import csv_response, download_name, pdf_response, xlsx_response
from kvalis.lib.qr import qr_svg
from kvalis.lib.time_override import TimeRuleOverrideForm
from kvalis.organisations.models import Organisation
from kvalis.people.models import Person
from kvalis.projects.models import Session

SCANS_KEY = "attendance_checkin_scans"


@login_required
def index(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.TEACH)
    return render(
        request,
        "attendance/index.html",
        {
            "access": access,
            "project": access.project,
            "tab": "attendance",
            "cohorts": session_overview(access.cohorts()),
            "can_view_people": access.can(Perm.VIEW_PEOPLE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request: HttpRequest, code: str, session_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.TEACH)
    session = session_for(access, session_pk)
    roster = confirmed_roster(session.cohort)
    recorded = recorded_by_enrolment(session)
    mode = AttendanceMethod.SHEET if request.GET.get("mode") == "sheet" else AttendanceMethod.FORM
    form_kwargs = {
        "roster": roster,
        "recorded": recorded,
        "max_minutes": session_minutes(session),
        "initial": {"method": mode},
    }
    override_form = TimeRuleOverrideForm(request.POST or None)
    if request.method == "POST":
        form = AttendanceForm(request.POST, **form_kwargs)
        if form.is_valid() and override_form.is_valid():
            try:
                result = attendance_record(
                    session=session,
                    marks=form.marks(),
                    actor=request.user,
                    method=form.cleaned_data["method"],
                    override_reason=override_form.reason(),
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _(
                        "Attendance saved: %(present)s present, %(late)s late, "
                        "%(absent)s absent, %(excused)s excused."
                    )
                    % result,
                )
                url = reverse("attendance:session", args=[code, session.pk])
                if form.cleaned_data["method"] == AttendanceMethod.SHEET:
                    url += "?mode=sheet"
                return redirect(url)
    else:
        form = AttendanceForm(**form_kwargs)
    return render(
        request,
        "attendance/session_form.html",
        {
            "access": access,
            "project": access.project,
            "tab": "attendance",
            "session": session,
            "form": form,
            "sheet_mode": mode == AttendanceMethod.SHEET,
            "recorded_count": len(recorded),
            "refusal": time_rules.attendance_pending(session),
            "can_override": access.is_coordinator,
            "override_form": override_form,
        },
    )


def _checkin_link(session: Session, token: str) -> str:
    path = reverse("attendance:checkin_link", args=[session.public_id, token])
    return f"{settings.SITE_URL}{path}"


@login_required
def checkin_screen(request: HttpRequest, code: str, session_pk: int) -> HttpResponse:
    """The projector page: a QR code and a typed code that change every minute."""
    access = get_project_access(request.user, code, Perm.TEACH)
    session = session_for(access, session_pk)
    now = timezone.now()
    link = _checkin_link(session, checkin.token_for(session, now))
    opens, closes = checkin.window(session)
    context = {
        "access": access,
        "project": access.project,
        "tab": "attendance",
        "session": session,
        "link": link,
        "qr": qr_svg(link, title=_("Check-in QR code"), scalable=True),
        "code": checkin.code_for(session, now),
        "typed_url": f"{settings.SITE_URL}{reverse('attendance:checkin')}",
        "opens": opens,
        "closes": closes,
        "is_open": opens <= now <= closes,
        "present_count": session.attendances.filter(status__in=["present", "late"]).count(),
        "roster_count": len(confirmed_roster(session.cohort)),
    }
    template = "attendance/checkin_screen.html"
    if request.htmx:
        template += "#live"
    return render(request, template, context)


@login_required
def signin_sheet(request: HttpRequest, code: str, session_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.TEACH)
    session = session_for(access, session_pk)
    day = timezone.localtime(session.starts_at).strftime("%Y-%m-%d")
    name = download_name(
        access.project.code, pgettext("file name", "sign-in sheet"), day, extension="pdf"
    )
    return pdf_response(signin_sheet_pdf(session), name)


@login_required
@require_http_methods(["GET", "POST"])
def completion(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.TEACH)
    cohort = access.get_cohort(cohort_pk)
    can_override = access.can(Perm.EDIT)
    roster = confirmed_roster(cohort)
    failed_form, failed_pk = None, None
    override_form = TimeRuleOverrideForm(request.POST or None)
    if request.method == "POST":
        if not can_override:
            raise Http404
        form = CompletionOverrideForm(request.POST)
        enrolment = None
        if form.is_valid() and override_form.is_valid():
            enrolment = next((e for e in roster if e.pk == form.cleaned_data["enrolment"]), None)
            if enrolment is None:
                raise Http404
            decision = form.cleaned_data["decision"]
            try:
                if decision == "clear":
                    completion_override_clear(enrolment=enrolment, actor=request.user)
                else:
                    completion_override_set(
                        enrolment=enrolment,
                        completed=decision == "completed",
                        reason=form.cleaned_data["reason"],
                        actor=request.user,
                        override_reason=override_form.reason(),
                    )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Completion of %(name)s saved.") % {"name": enrolment.person.full_name},
                )
                return redirect("attendance:completion", code, cohort.pk)
        failed_form, failed_pk = form, form.data.get("enrolment")
    results = completion_for_cohort(cohort)
    rows = [(enrolment, results[enrolment.pk]) for enrolment in roster]
    return render(
        request,
        "attendance/completion.html",
        {
            "access": access,
            "project": access.project,
            "tab": "attendance",
            "cohort": cohort,
            "rows": rows,
            "completed_count": sum(1 for _e, c in rows if c.completed),
            "can_override": can_override,
            "failed_form": failed_form,
            "failed_pk": str(failed_pk) if failed_pk else "",
            "decisions": CompletionOverrideForm.DECISIONS,
            "refusal": time_rules.cohort_pending(time_rules.Rule.COMPLETION, cohort),
            "override_form": override_form,
        },
        status=400 if failed_form is not None else 200,
    )


LEDGER_PAGE_SIZE = 50


def _ledger_scope(request: HttpRequest, access):
    """The ledger's filter form, the people it lists and the cohorts it counts (None: all)."""
    people = access.people()
    cohorts = (
        access.cohorts().select_related("activity").order_by("activity__position", "start_date")
    )
    form = LedgerFilterForm(
        request.GET or None,
        activities=access.project.activities.order_by("position", "pk"),
        cohorts=cohorts,
        organisations=Organisation.objects.filter(pk__in=people.values("organisation")),
    )
    data = form.filters()
    for word in data.get("q", "").split():
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    if data.get("organisation"):
        people = people.filter(organisation=data["organisation"])
    counted = None
    if data.get("activity"):
        counted = cohorts.filter(activity_id=data["activity"])
    if data.get("cohort"):
        counted = (counted if counted is not None else cohorts).filter(pk=data["cohort"])
    return form, people, counted


@login_required
def hours(request: HttpRequest, code: str) -> HttpResponse:
    """The hours ledger, 50 people a page; the exports take everyone the filters select."""
    access = get_project_access(request.user, code, Perm.VIEW_PEOPLE)
    form, people, cohorts = _ledger_scope(request, access)
    page = hours_ledger_page(
        access.project, people, cohorts, request.GET.get("page"), per_page=LEDGER_PAGE_SIZE
    )
    return render(
        request,
        "attendance/hours.html",
        {
            "access": access,
            "project": access.project,
            "tab": "attendance",
            "form": form,
            "page": page,
            "counting_some": cohorts is not None,
            "can_teach": access.can(Perm.TEACH),
        },
    )


def _export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_PEOPLE)
    _form, people, cohorts = _ledger_scope(request, access)
    header, rows, summary_header, summary = ledger_export_rows(access.project, people, cohorts)
    stem = (access.project.code, pgettext("file name", "hours"))
    if fmt == "csv":
        return csv_response(download_name(*stem, extension="csv"), header, rows)
    return xlsx_response(
        download_name(*stem, extension="xlsx"),
        {_("Sessions"): (header, rows), _("Totals"): (summary_header, summary)},
    )


@login_required
def hours_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    return _export(request, code, "xlsx")


@login_required
def hours_csv(request: HttpRequest, code: str) -> HttpResponse:
    return _export(request, code, "csv")


@login_required
def person_hours(request: HttpRequest, code: str, person_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_PEOPLE)
    person = access.get_person(person_pk)
    return render(
        request,
        "attendance/person_hours.html",
        {
            "access": access,
            "project": access.project,
            "tab": "attendance",
            "person": person,
            "ledger": person_ledger(person, project=access.project),
        },
    )


@login_required
def my_hours(request: HttpRequest) -> HttpResponse:
    person = Person.objects.filter(user=request.user).first()
    ledger = person_ledger(person) if person is not None else None
    return render(
        request, "attendance/my_hours.html", {"person": person, "ledger": ledger, "tab": "hours"}
    )


def _scan_time(request: HttpRequest, token: str, now: datetime) -> datetime:
    """When this link was scanned, if recently: its owner may have had to sign in first."""
    scanned = request.session.get(SCANS_KEY, {}).get(token)
    if scanned:
        at = datetime.fromisoformat(scanned)
        if timedelta(0) <= now - at <= checkin.SCAN_GRACE:
            return at
    return now


def _remember_scan(request: HttpRequest, session: Session, token: str, now: datetime) -> None:
    try:
        checkin.verify_token(session, token, now)
    except checkin.CheckInRefused:
        return
    scans = {
        t: at
        for t, at in request.session.get(SCANS_KEY, {}).items()
        if now - datetime.fromisoformat(at) <= checkin.SCAN_GRACE
    }
    scans[token] = now.isoformat()
    request.session[SCANS_KEY] = scans


def _check(session: Session | None, token: str, user, moment: datetime):
    if session is None:
        raise checkin.CheckInRefused(
            _("This check-in code is not for this session. Scan the code shown in your room."),
            "wrong_session",
        )
    checkin.verify_token(session, token, moment)
    checkin.check_window(session, moment)
    return checkin.own_enrolment(session, user)


def _refused(request: HttpRequest, refusal: checkin.CheckInRefused) -> HttpResponse:
    return render(
        request,
        "attendance/checkin_result.html",
        {"refusal": refusal, "form": CheckInCodeForm()},
    )


@require_http_methods(["GET", "POST"])
def checkin_link(request: HttpRequest, public_id, token: str) -> HttpResponse:
    """Where the QR code leads. Anyone may open it; checking in needs one's own enrolment."""
    session = (
        Session.objects.filter(public_id=public_id)
        .select_related("cohort__activity__project", "venue", "cohort__venue")
        .first()
    )
    now = timezone.now()
    if request.method == "GET" and session is not None:
        _remember_scan(request, session, token, now)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    moment = _scan_time(request, token, now)
    try:
        enrolment = _check(session, token, request.user, moment)
        if request.method == "POST":
            newly = attendance_check_in(session=session, enrolment=enrolment, actor=request.user)
            return render(
                request,
                "attendance/checkin_result.html",
                {"session": session, "checked_in": True, "already": not newly},
            )
    except checkin.CheckInRefused as refusal:
        return _refused(request, refusal)
    except ValidationError as error:
        return _refused(request, checkin.CheckInRefused(error.messages[0], "invalid"))
    return render(
        request, "attendance/checkin_confirm.html", {"session": session, "enrolment": enrolment}
    )


# Wrong typed codes allowed per participant before a pause: six characters cannot be guessed
# in ten tries, and a real participant rarely mistypes more than twice.
CODE_LIMIT = 10
CODE_WINDOW = 10 * 60


@login_required
@require_http_methods(["GET", "POST"])
def checkin_code(request: HttpRequest) -> HttpResponse:
    """The typed fallback: the participant enters the six characters shown on the screen."""
    form = CheckInCodeForm(request.POST or None)
    who = str(request.user.pk)
    if request.method == "POST" and throttle.is_blocked("checkin-code", who, limit=CODE_LIMIT):
        messages.error(request, throttle.TOO_MANY)
        return render(request, "attendance/checkin_code.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            session = checkin.session_for_code(form.cleaned_data["code"], now)
            checkin.check_window(session, now)
            enrolment = checkin.own_enrolment(session, request.user)
            newly = attendance_check_in(session=session, enrolment=enrolment, actor=request.user)
        except checkin.CheckInRefused as refusal:
            throttle.record("checkin-code", who, window=CODE_WINDOW)
            form.add_error("code", refusal.message)
        except ValidationError as error:
            form.add_error("code", error.messages[0])
        else:
            return render(
                request,
                "attendance/checkin_result.html",
                {"session": session, "checked_in": True, "already": not newly},
            )
    return render(
        request,
        "attendance/checkin_code.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
