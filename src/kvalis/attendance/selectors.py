"""Reads of attendance: credited hours, completion, the hours ledger.

Shared decisions (every app counts the same way):
- hours credited per session: `present` -> the session's academic hours; `late` ->
  minutes attended / 45, rounded to 0.1 and capped at the session's hours; `absent`,
  `excused` -> 0. One academic hour is 45 minutes.
- an enrolment is complete when its credited hours reach `activity.completion_percent` % of the
  sum of its cohort's session hours, unless a coordinator override says otherwise.
- a person is "trained" when they attended (present or late) at least one session.

Every function here runs a fixed number of queries whatever the number of enrolments.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone

from kvalis.attendance.models import Attendance, AttendanceStatus, CompletionOverride
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.projects.models import Cohort, Project, Session

MINUTES_PER_ACADEMIC_HOUR = Decimal(45)
TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


def credited_hours(*, status: str, minutes_attended: int | None, session_hours: Decimal) -> Decimal:
    """Academic hours one attendance row credits (the shared rule)."""
    session_hours = Decimal(session_hours)
    if status == AttendanceStatus.PRESENT:
        return session_hours
    if status == AttendanceStatus.LATE and minutes_attended:
        hours = (Decimal(minutes_attended) / MINUTES_PER_ACADEMIC_HOUR).quantize(
            TENTH, rounding=ROUND_HALF_UP
        )
        return min(hours, session_hours)
    return Decimal("0")


def _attendance_rows(enrolment_ids: Iterable[int]):
    return Attendance.objects.filter(enrolment_id__in=list(enrolment_ids)).values_list(
        "enrolment_id", "status", "minutes_attended", "session__academic_hours"
    )


def credited_hours_by_enrolment(enrolment_ids: Iterable[int]) -> dict[int, Decimal]:
    """Credited academic hours per enrolment id (0 for those without attendance). One query."""
    ids = list(enrolment_ids)
    totals: dict[int, Decimal] = {pk: Decimal("0") for pk in ids}
    if not ids:
        return totals
    for enrolment_id, status, minutes, session_hours in _attendance_rows(ids):
        totals[enrolment_id] += credited_hours(
            status=status, minutes_attended=minutes, session_hours=session_hours
        )
    return totals


@dataclass(frozen=True)
class Completion:
    hours: Decimal  # credited academic hours
    required_hours: Decimal  # what completion needs
    computed: bool  # what the hours say
    completed: bool  # the answer, override applied
    overridden: bool = False
    reason: str = ""  # the override's reason


def required_hours(*, cohort_hours: Decimal, completion_percent: int) -> Decimal:
    return (Decimal(cohort_hours) * Decimal(completion_percent) / Decimal(100)).quantize(
        HUNDREDTH, rounding=ROUND_HALF_UP
    )


def cohort_hours_by_id(cohort_ids: Iterable[int]) -> dict[int, Decimal]:
    """The sum of session hours per cohort id. One query."""
    ids = list(cohort_ids)
    rows = (
        Session.objects.filter(cohort_id__in=ids)
        .values("cohort_id")
        .annotate(total=Sum("academic_hours"))
        .values_list("cohort_id", "total")
    )
    result = {pk: Decimal("0") for pk in ids}
    result.update({cohort_id: Decimal(total or 0) for cohort_id, total in rows})
    return result


def completion_for_enrolments(enrolments: QuerySet[Enrolment]) -> dict[int, Completion]:
    """Completion of each enrolment in `enrolments` (any cohorts). Four queries."""
    rows = list(enrolments.values_list("pk", "cohort_id", "cohort__activity__completion_percent"))
    if not rows:
        return {}
    ids = [pk for pk, _cohort, _percent in rows]
    hours = credited_hours_by_enrolment(ids)
    cohort_hours = cohort_hours_by_id({cohort_id for _pk, cohort_id, _p in rows})
    overrides = {o.enrolment_id: o for o in CompletionOverride.objects.filter(enrolment_id__in=ids)}
    result = {}
    for pk, cohort_id, percent in rows:
        needed = required_hours(cohort_hours=cohort_hours[cohort_id], completion_percent=percent)
        # A cohort without sessions has nothing to complete yet.
        computed = cohort_hours[cohort_id] > 0 and hours[pk] >= needed
        override = overrides.get(pk)
        result[pk] = Completion(
            hours=hours[pk],
            required_hours=needed,
            computed=computed,
            completed=override.completed if override else computed,
            overridden=override is not None,
            reason=override.reason if override else "",
        )
    return result


def completion_for_cohort(cohort: Cohort) -> dict[int, Completion]:
    """Completion of every confirmed enrolment of `cohort`, keyed by enrolment id."""
    return completion_for_enrolments(
        Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
    )


def completion_for_enrolment(enrolment: Enrolment) -> Completion:
    return completion_for_enrolments(Enrolment.objects.filter(pk=enrolment.pk))[enrolment.pk]


def trained_person_ids(project: Project) -> QuerySet:
    """Ids of persons who attended (present or late) at least one session of `project`."""
    return (
        Attendance.objects.filter(
            session__cohort__activity__project=project,
            status__in=ATTENDED,
            enrolment__status=EnrolmentStatus.CONFIRMED,
        )
        .values_list("enrolment__person_id", flat=True)
        .distinct()
    )


@dataclass
class LedgerLine:
    session: Session
    status: str
    status_label: str
    minutes_attended: int | None
    hours: Decimal


@dataclass
class LedgerActivity:
    project: Project
    activity: object
    cohort: Cohort
    lines: list[LedgerLine]
    hours: Decimal
    completion: Completion | None


@dataclass
class Ledger:
    activities: list[LedgerActivity]
    by_project: list[tuple[Project, Decimal]]
    by_year: list[tuple[int, Decimal]]
    total: Decimal


def person_ledger(person, *, project: Project | None = None) -> Ledger:
    """A person's hours: per session, per activity (cohort), per project and per year.

    Only confirmed enrolments count. A fixed number of queries.
    """
    enrolments = Enrolment.objects.filter(person=person, status=EnrolmentStatus.CONFIRMED)
    if project is not None:
        enrolments = enrolments.filter(cohort__activity__project=project)
    enrolments = list(
        enrolments.select_related("cohort__activity__project").order_by(
            "cohort__start_date", "cohort__pk"
        )
    )
    completions = completion_for_enrolments(
        Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])
    )
    attendances = defaultdict(list)
    for row in (
        Attendance.objects.filter(enrolment__in=[e.pk for e in enrolments])
        .select_related("session")
        .order_by("session__starts_at")
    ):
        attendances[row.enrolment_id].append(row)
    activities = []
    by_project: dict[int, list] = {}
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    total = Decimal("0")
    for enrolment in enrolments:
        lines = []
        for row in attendances[enrolment.pk]:
            hours = credited_hours(
                status=row.status,
                minutes_attended=row.minutes_attended,
                session_hours=row.session.academic_hours,
            )
            lines.append(
                LedgerLine(
                    session=row.session,
                    status=row.status,
                    status_label=row.get_status_display(),
                    minutes_attended=row.minutes_attended,
                    hours=hours,
                )
            )
            by_year[timezone.localtime(row.session.starts_at).year] += hours
        activity_hours = sum((line.hours for line in lines), Decimal("0"))
        cohort = enrolment.cohort
        proj = cohort.activity.project
        by_project.setdefault(proj.pk, [proj, Decimal("0")])[1] += activity_hours
        total += activity_hours
        activities.append(
            LedgerActivity(
                project=proj,
                activity=cohort.activity,
                cohort=cohort,
                lines=lines,
                hours=activity_hours,
                completion=completions.get(enrolment.pk),
            )
        )
    return Ledger(
        activities=activities,
        by_project=[(p, h) for p, h in by_project.values()],
        by_year=sorted(by_year.items()),
        total=total,
    )
