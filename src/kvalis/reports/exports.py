"""Person-level exports: participants, the attendance matrix, the hours ledger and the
certificate register. Each returns (header, rows) for `kvalis.lib.exports` (XLSX or CSV, safe
against formula injection), people in Lithuanian alphabetical order, in a fixed number of queries.

All take the enrolments a report covers (`indicators.report_enrolments`), so a partner
coordinator's export holds only their own organisation's people.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalis.attendance.models import Attendance, AttendanceStatus
from kvalis.enrolment.models import Enrolment
from kvalis.lib.collation import lt_order
from kvalis.organisations.geo import Municipality
from kvalis.reports.indicators import certificate_model, optional_selector

EXPORTS = ("participants", "attendance", "hours", "certificates")
# Rows read from the database at a time by the streamed exports.
CHUNK = 2000
NAME_ORDER = ("person__last_name", "person__first_name")


def export_title(kind: str) -> str:
    return {
        "participants": _("Participants"),
        "attendance": _("Attendance matrix"),
        "hours": _("Hours ledger"),
        "certificates": _("Certificate register"),
    }[kind]


def available_exports() -> tuple[str, ...]:
    return tuple(kind for kind in EXPORTS if kind != "certificates" or certificate_model())


def _present_only(*, status: str, minutes_attended, session_hours) -> Decimal:
    return Decimal(session_hours) if status == AttendanceStatus.PRESENT else Decimal("0")


def _credit_rule():
    """The attendance app's rule for the hours a record credits, or present-only before it."""
    return optional_selector("kvalis.attendance.selectors", "credited_hours") or _present_only


def _credit(status: str, minutes, session_hours) -> Decimal:
    return _credit_rule()(status=status, minutes_attended=minutes, session_hours=session_hours)


def credited_by_enrolment(enrolments: QuerySet[Enrolment]) -> dict[int, Decimal]:
    """Credited academic hours per enrolment: present hours summed in the database, late
    arrivals credited row by row with the attendance app's rule. Two queries."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for enrolment_id, hours in (
        Attendance.objects.filter(enrolment__in=enrolments, status=AttendanceStatus.PRESENT)
        .values("enrolment_id")
        .annotate(hours=Sum("session__academic_hours"))
        .values_list("enrolment_id", "hours")
        .order_by()
    ):
        totals[enrolment_id] += Decimal(hours or 0)
    for enrolment_id, minutes, session_hours in Attendance.objects.filter(
        enrolment__in=enrolments, status=AttendanceStatus.LATE
    ).values_list("enrolment_id", "minutes_attended", "session__academic_hours"):
        totals[enrolment_id] += _credit(AttendanceStatus.LATE, minutes, session_hours)
    return totals


def participants_rows(enrolments: QuerySet[Enrolment]) -> tuple[list[str], Iterable[list]]:
    completion_for = optional_selector("kvalis.attendance.selectors", "completion_for_enrolments")
    completions = completion_for(enrolments) if completion_for else {}
    credited = credited_by_enrolment(enrolments)
    header = [
        _("Last name"),
        _("First name"),
        _("E-mail"),
        _("Employer at enrolment"),
        _("Municipality"),
        _("Position"),
        _("Position category"),
        _("Partner"),
        _("Activity"),
        _("Cohort"),
        _("Hours received"),
        _("Hours required"),
        _("Completed"),
    ]

    def rows():
        # Labels looked up once per value, not once per row; built here so that they follow
        # the language active while the file is written.
        municipalities = {code: str(label) for code, label in Municipality.choices}
        categories = {
            code: str(label)
            for code, label in Enrolment._meta.get_field("position_category").flatchoices
        }
        yes, no = _("yes"), _("no")
        zero = Decimal("0")
        # Plain tuples from one joined query: model instances cost more than the rest of a row.
        for (
            pk,
            last_name,
            first_name,
            email,
            organisation_name,
            organisation,
            municipality,
            position,
            category,
            partner,
            activity,
            cohort,
        ) in (
            enrolments.order_by(*lt_order(*NAME_ORDER), "person_id", "cohort__start_date", "pk")
            .values_list(
                "pk",
                "person__last_name",
                "person__first_name",
                "person__email",
                "organisation_name",
                "organisation__name",
                "organisation__municipality",
                "position",
                "position_category",
                "partner__organisation__name",
                "cohort__activity__title",
                "cohort__name",
            )
            .iterator(chunk_size=CHUNK)
        ):
            completion = completions.get(pk)
            yield [
                last_name,
                first_name,
                email,
                organisation_name or organisation or "",
                municipalities.get(municipality, ""),
                position,
                categories.get(category, category),
                partner or "",
                activity,
                cohort,
                credited.get(pk, zero),
                completion.required_hours if completion else "",
                (yes if completion.completed else no) if completion else "",
            ]

    return header, rows()


def _status_cell(status: str, minutes) -> str:
    label = str(AttendanceStatus(status).label)
    if status == AttendanceStatus.LATE and minutes:
        return _("%(status)s (%(minutes)s min)") % {"status": label, "minutes": minutes}
    return label


def attendance_matrix_rows(enrolments: QuerySet[Enrolment]) -> tuple[list[str], list[list]]:
    """One row per person, one column per session of the covered cohorts."""
    from kvalis.projects.models import Session

    sessions = list(
        Session.objects.filter(cohort__in=enrolments.values("cohort_id"))
        .select_related("cohort__activity")
        .order_by("starts_at", "pk")
    )
    column = {session.pk: index for index, session in enumerate(sessions)}
    people = list(
        enrolments.order_by(*lt_order(*NAME_ORDER), "person_id").values_list(
            "person_id", "person__last_name", "person__first_name"
        )
    )
    cells: dict[int, list[str]] = {pk: [""] * len(sessions) for pk, _l, _f in people}
    for person_id, session_id, status, minutes in Attendance.objects.filter(
        enrolment__in=enrolments
    ).values_list("enrolment__person_id", "session_id", "status", "minutes_attended"):
        if session_id in column and person_id in cells:
            cells[person_id][column[session_id]] = _status_cell(status, minutes)
    header = [_("Last name"), _("First name")] + [
        f"{timezone.localtime(s.starts_at):%Y-%m-%d %H:%M} {s.cohort.activity.title} "
        f"({s.cohort.name})"
        for s in sessions
    ]
    seen = set()
    rows = []
    for person_id, last_name, first_name in people:
        if person_id in seen:
            continue
        seen.add(person_id)
        rows.append([last_name, first_name, *cells[person_id]])
    return header, rows


def hours_ledger_rows(enrolments: QuerySet[Enrolment]) -> tuple[list[str], Iterable[list]]:
    """One row per attendance record, with the academic hours it credits."""
    header = [
        _("Last name"),
        _("First name"),
        _("Activity"),
        _("Cohort"),
        _("Session"),
        _("Academic hours of the session"),
        _("Status"),
        _("Minutes attended"),
        _("Hours credited"),
    ]

    def rows():
        # Looked up once, not per row: the ledger has a row per attendance record.
        labels = {status: str(label) for status, label in AttendanceStatus.choices}
        credit = _credit_rule()
        for record in (
            Attendance.objects.filter(enrolment__in=enrolments)
            .values_list(
                "enrolment__person__last_name",
                "enrolment__person__first_name",
                "session__cohort__activity__title",
                "session__cohort__name",
                "session__starts_at",
                "session__academic_hours",
                "status",
                "minutes_attended",
            )
            .order_by(
                *lt_order("enrolment__person__last_name", "enrolment__person__first_name"),
                "enrolment__person_id",
                "session__starts_at",
            )
            .iterator(chunk_size=CHUNK)
        ):
            last, first, activity, cohort, starts_at, hours, status, minutes = record
            yield [
                last,
                first,
                activity,
                cohort,
                timezone.localtime(starts_at),
                hours,
                labels[status],
                minutes,
                credit(status=status, minutes_attended=minutes, session_hours=hours),
            ]

    return header, rows()


def certificate_register_rows(enrolments: QuerySet[Enrolment]) -> tuple[list[str], list[list]]:
    certificate = certificate_model()
    header = [
        _("Number"),
        _("Last name"),
        _("First name"),
        _("Name on the certificate"),
        _("Activity"),
        _("Academic hours"),
        _("Issued"),
        _("Status"),
        _("Revoked"),
        _("Reason for revocation"),
    ]
    if certificate is None:
        return header, []
    rows = []
    for item in (
        certificate.objects.filter(enrolment__in=enrolments)
        .select_related("person", "enrolment__cohort__activity")
        .order_by(*lt_order(*NAME_ORDER), "person_id", "issued_at", "pk")
    ):
        rows.append(
            [
                item.number,
                item.person.last_name,
                item.person.first_name,
                item.participant_name,
                item.enrolment.cohort.activity.title,
                item.hours,
                timezone.localtime(item.issued_at).date(),
                item.get_status_display(),
                timezone.localtime(item.revoked_at).date() if item.revoked_at else None,
                # Partners read these exports: the public statement, never the internal reason.
                item.get_revocation_statement_display() if item.revocation_statement else "",
            ]
        )
    return header, rows


BUILDERS = {
    "participants": participants_rows,
    "attendance": attendance_matrix_rows,
    "hours": hours_ledger_rows,
    "certificates": certificate_register_rows,
}


def export_stream(kind: str, enrolments: QuerySet[Enrolment]) -> tuple[list[str], Iterable[list]]:
    """The header and the rows as they are read (the large ones in chunks from the database),
    for writers that do not hold the whole file in memory."""
    return BUILDERS[kind](enrolments)


def export_rows(kind: str, enrolments: QuerySet[Enrolment]) -> tuple[list[str], list[list]]:
    header, rows = export_stream(kind, enrolments)
    return header, list(rows)


def export_size(kind: str, enrolments: QuerySet[Enrolment]) -> int:
    """How many rows an export will have, from one count: small ones are answered at once."""
    if kind == "hours":
        return Attendance.objects.filter(enrolment__in=enrolments).count()
    if kind == "certificates":
        certificate = certificate_model()
        return certificate.objects.filter(enrolment__in=enrolments).count() if certificate else 0
    return enrolments.count()
