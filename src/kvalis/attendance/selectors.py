"""Reads of attendance: credited hours, completion, the hours ledger.

Shared decisions (every app counts the same way):
- hours credited per session: `present` -> the session's academic hours; `late` ->
  minutes attended / 45, rounded to 0.1 and capped at the session's hours; `absent`,
  `excused` -> 0. One academic hour is 45 minutes.
- an enrolment is complete when its credited hours reach `activity.completion_percent` % of the
  sum of its cohort's session hours and the cohort's last session has ended (time is a rule:
  nobody has completed what is still going on), unless a coordinator override says otherwise.
- a person is "trained" when they attended (present or late) at least one session.

Every function here runs a fixed number of queries whatever the number of enrolments.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, QuerySet, Sum
from django.utils import timezone

from kvalis.attendance.models import Attendance, AttendanceStatus, CompletionOverride
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.people.models import Person
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


def credited_hours_by_enrolment(enrolment_ids: Iterable[int]) -> dict[int, Decimal]:
    """Credited academic hours per enrolment id (0 for those without attendance). One query.

    Rows that credit the same (same status, minutes and session hours) are counted in the
    database, and absences, which credit nothing, are not read: at national scale this reads
    a few rows per person instead of every attendance row."""
    ids = list(enrolment_ids)
    return _credited_hours(ids, ids)


def _credited_hours(ids: list[int], among) -> dict[int, Decimal]:
    # `among` selects the same enrolments as `ids`, as a subquery where the caller has one:
    # 50 000 ids as query parameters cost more to prepare than the query takes.
    totals: dict[int, Decimal] = {pk: Decimal("0") for pk in ids}
    if not ids:
        return totals
    for enrolment_id, status, minutes, session_hours, count in (
        Attendance.objects.filter(enrolment_id__in=among, status__in=ATTENDED)
        .values("enrolment_id", "status", "minutes_attended", "session__academic_hours")
        .annotate(count=Count("pk"))
        .values_list(
            "enrolment_id", "status", "minutes_attended", "session__academic_hours", "count"
        )
        .order_by()
    ):
        if enrolment_id in totals:  # not one enrolled since `ids` were read
            totals[enrolment_id] += count * credited_hours(
                status=status, minutes_attended=minutes, session_hours=session_hours
            )
    return totals


@dataclass(frozen=True)
class Completion:
    hours: Decimal  # credited academic hours
    required_hours: Decimal  # what completion needs
    computed: bool  # what the hours say, once the cohort's last session has ended
    completed: bool  # the answer, override applied
    overridden: bool = False
    reason: str = ""  # the override's reason
    hours_reached: bool = False  # the hours reach the requirement (ended or not)
    ended: bool = True  # the cohort's last session has ended


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


def _cohort_totals(cohort_ids) -> tuple[dict[int, Decimal], dict[int, object]]:
    """Session hours and the end of the last session per cohort id. One query."""
    ids = list(cohort_ids)
    hours = {pk: Decimal("0") for pk in ids}
    ends: dict[int, object] = dict.fromkeys(ids)
    for cohort_id, total, last in (
        Session.objects.filter(cohort_id__in=ids)
        .values("cohort_id")
        .annotate(total=Sum("academic_hours"), last=Max("ends_at"))
        .values_list("cohort_id", "total", "last")
    ):
        hours[cohort_id] = Decimal(total or 0)
        ends[cohort_id] = last
    return hours, ends


def completion_for_enrolments(
    enrolments: QuerySet[Enrolment], *, now=None
) -> dict[int, Completion]:
    """Completion of each enrolment in `enrolments` (any cohorts) at `now`. Four queries."""
    rows = list(enrolments.values_list("pk", "cohort_id", "cohort__activity__completion_percent"))
    if not rows:
        return {}
    now = now or timezone.now()
    ids = [pk for pk, _cohort, _percent in rows]
    among = enrolments.order_by().values("pk")
    hours = _credited_hours(ids, among)
    cohort_hours, cohort_ends = _cohort_totals({cohort_id for _pk, cohort_id, _p in rows})
    overrides = {
        o.enrolment_id: o for o in CompletionOverride.objects.filter(enrolment_id__in=among)
    }
    result = {}
    for pk, cohort_id, percent in rows:
        needed = required_hours(cohort_hours=cohort_hours[cohort_id], completion_percent=percent)
        # A cohort without sessions has nothing to complete yet.
        reached = cohort_hours[cohort_id] > 0 and hours[pk] >= needed
        ended = cohort_ends[cohort_id] is not None and cohort_ends[cohort_id] <= now
        computed = reached and ended
        override = overrides.get(pk)
        result[pk] = Completion(
            hours=hours[pk],
            required_hours=needed,
            computed=computed,
            completed=override.completed if override else computed,
            overridden=override is not None,
            reason=override.reason if override else "",
            hours_reached=reached,
            ended=ended,
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


def session_for(access, pk) -> Session:
    """A session of a cohort the user may see through `access`, else 404."""
    from django.http import Http404

    try:
        return Session.objects.select_related(
            "cohort__activity__project", "cohort__venue", "venue"
        ).get(cohort__in=access.cohorts(), pk=pk)
    except (Session.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def confirmed_roster(cohort: Cohort) -> list[Enrolment]:
    """A cohort's confirmed enrolments in Lithuanian order of surname and first name."""
    from kvalis.lib.collation import lt_order

    return list(
        Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
        .select_related("person__organisation", "organisation")
        .order_by(*lt_order("person__last_name", "person__first_name"), "pk")
    )


def recorded_by_enrolment(session: Session) -> dict[int, Attendance]:
    return {row.enrolment_id: row for row in Attendance.objects.filter(session=session)}


def employer_name(enrolment: Enrolment) -> str:
    """The employer as at enrolment (the snapshot), else the person's current one."""
    if enrolment.organisation_name:
        return enrolment.organisation_name
    organisation = enrolment.organisation or enrolment.person.organisation
    return organisation.name if organisation else ""


def session_overview(cohorts: QuerySet[Cohort]) -> list[Cohort]:
    """Cohorts with their sessions, each session carrying `recorded` and `attended` counts.

    Three queries whatever the number of cohorts and sessions.
    """
    from django.db.models import Count, Prefetch, Q

    cohorts = list(
        cohorts.select_related("activity", "venue")
        .annotate(
            confirmed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.CONFIRMED))
        )
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("starts_at")))
        .order_by("activity__position", "activity_id", "start_date", "name")
    )
    counts = {
        row["session_id"]: row
        for row in Attendance.objects.filter(session__cohort__in=[c.pk for c in cohorts])
        .values("session_id")
        .annotate(recorded=Count("id"), attended=Count("id", filter=Q(status__in=ATTENDED)))
    }
    for cohort in cohorts:
        for session in cohort.sessions.all():
            row = counts.get(session.pk, {})
            session.recorded = row.get("recorded", 0)
            session.attended = row.get("attended", 0)
    return cohorts


@dataclass
class PersonHours:
    person: object
    employer: str
    sessions_attended: int
    hours: Decimal
    enrolments: int
    completed: int


def _project_attendance(
    project: Project, people: QuerySet | list[int], cohorts: QuerySet | None = None
):
    # By the ledger's enrolments (found by the cohort and status index), then each one's
    # attendance by its index: joining attendance to sessions and enrolments let SQLite walk a
    # national programme's 200 000 confirmed enrolments for a page of fifty people.
    attendance = Attendance.objects.filter(
        session__cohort__activity__project=project,
        enrolment__in=_ledger_enrolments(project, people, cohorts),
    )
    if cohorts is not None:
        attendance = attendance.filter(session__cohort__in=cohorts)
    return attendance.select_related("session__cohort__activity", "enrolment__person").order_by(
        "session__starts_at", "pk"
    )


def _ledger_enrolments(
    project: Project, people: QuerySet | list[int] | None, cohorts: QuerySet | None
) -> QuerySet:
    """The confirmed enrolments of `people` (None: anyone's) in `project` (in `cohorts` only,
    if given). The cohorts as a list the (cohort, status) index serves: a join to the project
    let SQLite pick the status index and read every confirmed enrolment in the country."""
    enrolments = Enrolment.objects.filter(
        cohort_id__in=Cohort.objects.filter(activity__project=project).values("pk"),
        status=EnrolmentStatus.CONFIRMED,
    )
    if people is not None:
        enrolments = enrolments.filter(person__in=people)
    if cohorts is not None:
        enrolments = enrolments.filter(cohort__in=cohorts)
    return enrolments


def hours_ledger_page(
    project: Project, people: QuerySet, cohorts: QuerySet | None = None, number=None, *, per_page
) -> Page:
    """One page of the hours ledger (`hours_ledger_rows` of the page's people only).

    Who is on the page is found in the database: the people with a confirmed enrolment, in
    Lithuanian order by the stored sort key. Only their hours and completion are worked out:
    working out everyone's (a national programme's million attendance records) and then
    showing fifty took over a second a page."""
    from kvalis.people.selectors import OrderedIds

    # `people` is the scope once, outside: inside the enrolments too it was evaluated twice.
    listed = people.filter(pk__in=_ledger_enrolments(project, None, cohorts).values("person"))
    page = Paginator(OrderedIds(listed), per_page).get_page(number)
    ids = list(page.object_list)
    place = {pk: index for index, pk in enumerate(ids)}
    rows = hours_ledger_rows(project, ids, cohorts)  # the ids themselves: their indexes serve
    page.object_list = sorted(rows, key=lambda row: place[row.person.pk])
    return page


def hours_ledger_rows(
    project: Project, people: QuerySet | list[int], cohorts: QuerySet | None = None
) -> list[PersonHours]:
    """Everyone of `people` with a confirmed enrolment in `project`, with hours and completion;
    with `cohorts`, only their enrolments and hours count.

    A fixed number of queries; rows in Lithuanian order.
    """
    from kvalis.lib.collation import lt_order

    enrolments = _ledger_enrolments(project, people, cohorts)
    completions = completion_for_enrolments(enrolments)
    per_person: dict[int, dict] = {}
    for pk, person_id in enrolments.values_list("pk", "person_id"):
        entry = per_person.setdefault(person_id, {"enrolments": 0, "completed": 0})
        entry["enrolments"] += 1
        entry["completed"] += 1 if completions[pk].completed else 0
    hours: dict[int, Decimal] = defaultdict(Decimal)
    attended: dict[int, int] = defaultdict(int)
    for person_id, status, minutes, session_hours in _project_attendance(
        project, people, cohorts
    ).values_list("enrolment__person_id", "status", "minutes_attended", "session__academic_hours"):
        hours[person_id] += credited_hours(
            status=status, minutes_attended=minutes, session_hours=session_hours
        )
        attended[person_id] += 1 if status in ATTENDED else 0
    persons = (
        Person.objects.filter(pk__in=list(per_person))
        .select_related("organisation")
        .order_by(*lt_order("last_name", "first_name"), "pk")
    )
    return [
        PersonHours(
            person=person,
            employer=person.organisation.name if person.organisation else "",
            sessions_attended=attended[person.pk],
            hours=hours[person.pk],
            enrolments=per_person[person.pk]["enrolments"],
            completed=per_person[person.pk]["completed"],
        )
        for person in persons
    ]


def ledger_export_rows(project: Project, people: QuerySet, cohorts: QuerySet | None = None):
    """The project's hours ledger as spreadsheet rows: one per attendance, and totals."""
    from django.utils.translation import gettext as _

    from kvalis.lib.collation import sort_key

    header = [
        _("Surname"),
        _("First name"),
        _("Employer"),
        _("Activity"),
        _("Cohort"),
        _("Date"),
        _("Session"),
        _("Status"),
        _("Minutes attended"),
        _("Academic hours credited"),
    ]
    rows = []
    for row in _project_attendance(project, people, cohorts).select_related(
        "enrolment__organisation"
    ):
        person = row.enrolment.person
        rows.append(
            [
                person.last_name,
                person.first_name,
                employer_name(row.enrolment),
                row.session.cohort.activity.title,
                row.session.cohort.name,
                timezone.localtime(row.session.starts_at).date(),
                row.session.title,
                row.get_status_display(),
                row.minutes_attended,
                credited_hours(
                    status=row.status,
                    minutes_attended=row.minutes_attended,
                    session_hours=row.session.academic_hours,
                ),
            ]
        )
    rows.sort(key=lambda r: (sort_key(r[0]), sort_key(r[1]), r[5]))
    summary_header = [
        _("Surname"),
        _("First name"),
        _("Employer"),
        _("Sessions attended"),
        _("Academic hours credited"),
        _("Activities enrolled"),
        _("Activities completed"),
    ]
    summary = [
        [
            p.person.last_name,
            p.person.first_name,
            p.employer,
            p.sessions_attended,
            p.hours,
            p.enrolments,
            p.completed,
        ]
        for p in hours_ledger_rows(project, people, cohorts)
    ]
    return header, rows, summary_header, summary
