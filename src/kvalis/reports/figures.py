"""Indicators maintained, not recomputed: each enrolment's attendance totals kept in one row.

Why: `project_indicators()` used to aggregate every attendance row of a project on each request
(100 000 rows for a large project). Attendance is the only input that is both large and costly
to add up (credited hours need the late-arrival rule row by row); everything else the indicators
read is one row per enrolment, per certificate or per budget line, already indexed.

What is stored (`EnrolmentFigures`, one row per enrolment that has attendance):
  records, attended (present or late), present_tenths (session hours of `present` rows) and
  late_tenths (credited hours of `late` rows, the attendance app's rule), hours in tenths.
  These depend only on the enrolment's attendance rows and their sessions' academic hours,
  so they change only when
  - attendance is recorded (`attendance_record`, the QR `attendance_check_in`): `changed()`;
  - a session's hours change (`session_update`): `session_changed()`.
  Both are called inside the writing service's transaction, so a row is never seen half-updated,
  and rolled back with it.

What is deliberately read live, not stored:
  - the enrolment itself (status, cohort, employer snapshot, partner): one row per enrolment,
    joined with its figures row in the same query. So confirming, cancelling, moving or importing
    enrolments needs no hook: a cancelled enrolment's figures simply stop being read;
  - completion: it depends on *today* (only ended cohorts are assessed) and on the cohort's
    total hours and overrides, all small: computed at read time from the stored hours;
  - sessions held (a set of sessions, not a sum): one indexed semi-join on attended rows;
  - certificates (one count), surveys, the budget and study visits: their apps' selectors.

`ProjectFigures` marks a project whose rows are complete: it is created with the project
(`project_create`) or by `rebuild()` (`kvalis rebuild_indicators`). Projects without it (data
written before this module, or by bulk loaders and test factories that bypass the services) are
reported from raw attendance, exactly as before; `rebuild()` makes them maintained. Reports with
a date filter also count raw attendance, since the stored totals are for the whole period.

The rule that rebuild == incremental == recompute is tested on random histories
(tests/reports/test_figures_property.py).

The next step: a maintained project's unfiltered indicators (whole project, and each partner's
scope) are kept as one stored row each (`StoredIndicators`, read by
`reports.indicators.stored_indicators`). Any change to what `project_indicators()` reads adds a
`FiguresChange` row in the writer's transaction (`project_changed()`); the next reader folds the
committed ones into `ProjectFigures.version` (`current_version()`), and a row computed at an
older version, or on another day, is recomputed. Writers only insert, so they never wait for
each other's figures (an UPDATE of the version did, until commit, and could deadlock with the
enrolment services' seat locks); a change is seen once its transaction commits, as before.
The changes come from
  - `audit_log()`, which every data-changing service calls (`audited()`): a change in a project
    bumps it; a change to an organisation or a person (their names, types and categories are
    read live) bumps every project they appear in (a person: enrolled or training a cohort);
  - `changed()` / `session_changed()` above (attendance and session hours), and the anonymous
    survey answers, which write no audit entry.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from kvalis.attendance.models import Attendance, AttendanceStatus
from kvalis.attendance.selectors import credited_hours
from kvalis.enrolment.models import Enrolment
from kvalis.projects.models import Project
from kvalis.reports.models import EnrolmentFigures, FiguresChange, ProjectFigures

ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
BATCH = 2000


def _tenths(hours: Decimal) -> int:
    tenths = hours * 10
    if tenths != tenths.to_integral_value():
        raise ValueError(f"{hours} academic hours are not a whole number of tenths")
    return int(tenths)


def _hours(tenths: int) -> Decimal:
    """Back to hours with one decimal, as the database's sums of session hours give them."""
    return Decimal(tenths).scaleb(-1)


def _totals(among) -> dict[int, EnrolmentFigures]:
    """Figures computed from raw attendance for the enrolments `among` selects (ids or a
    subquery). Rows that credit alike are counted by the database, as attendance's selector does."""
    totals: dict[int, EnrolmentFigures] = {}
    for enrolment_id, status, minutes, session_hours, count in (
        Attendance.objects.filter(enrolment_id__in=among)
        .values("enrolment_id", "status", "minutes_attended", "session__academic_hours")
        .annotate(count=Count("pk"))
        .values_list(
            "enrolment_id", "status", "minutes_attended", "session__academic_hours", "count"
        )
        .order_by()
    ):
        row = totals.get(enrolment_id)
        if row is None:
            row = totals[enrolment_id] = EnrolmentFigures(enrolment_id=enrolment_id)
        row.records += count
        if status in ATTENDED:
            row.attended += count
        if status == AttendanceStatus.PRESENT:
            row.present_tenths += count * _tenths(Decimal(session_hours))
        elif status == AttendanceStatus.LATE:
            row.late_tenths += count * _tenths(
                credited_hours(status=status, minutes_attended=minutes, session_hours=session_hours)
            )
    return totals


def _replace(enrolment_ids: list[int], rows: Iterable[EnrolmentFigures]) -> None:
    EnrolmentFigures.objects.filter(enrolment_id__in=enrolment_ids).delete()
    EnrolmentFigures.objects.bulk_create(rows, batch_size=BATCH)


def _bump(projects: QuerySet | list[int]) -> None:
    """Mark the stored indicators of these projects (the maintained ones) stale. Called inside
    the writer's transaction, so a reader sees the change with the writes that came with it."""
    maintained = ProjectFigures.objects.filter(project__in=projects).values_list(
        "project_id", flat=True
    )
    FiguresChange.objects.bulk_create(
        [FiguresChange(project_id=project_id) for project_id in maintained]
    )


def project_changed(*, project_id: int) -> None:
    """Something the indicators of this project read has changed."""
    _bump([project_id])


def has_changes(project: Project) -> QuerySet:
    """The changes not yet counted in the project's version (for an `Exists`)."""
    return FiguresChange.objects.filter(project=project)


def _version_sql() -> str:
    """The version and whether changes wait to be counted, in one statement. Written out: every
    page with kept parts asks it (kvalis.lib.kept), and the ORM took four times as long to
    compile it as the database to answer it."""
    figures, changes = ProjectFigures._meta, FiguresChange._meta
    quote = connection.ops.quote_name
    version = quote(figures.get_field("version").column)
    of_figures = quote(figures.get_field("project").column)
    of_change = quote(changes.get_field("project").column)
    return (
        f"SELECT {version}, EXISTS (SELECT 1 FROM {quote(changes.db_table)}"
        f" WHERE {of_change} = %s) FROM {quote(figures.db_table)} WHERE {of_figures} = %s"
    )


def current_version(project: Project) -> int | None:
    """The project's figures version with the committed changes counted; None when its
    figures are not maintained.

    The changes are deleted and the version moved on together, in a short transaction of the
    reader's (pages that read indicators write nothing else): a change committed meanwhile is
    not among those deleted, so it stays for the next reader. Only readers lock the figures
    row now, and they take no other lock, so no writer waits for it."""
    with connection.cursor() as cursor:
        cursor.execute(_version_sql(), [project.pk, project.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    version, pending = row
    if not pending:
        return version  # one query on most requests: nothing changed since the last reader
    with transaction.atomic():
        folded, _by_model = has_changes(project).delete()
        if folded:
            ProjectFigures.objects.filter(project=project).update(version=F("version") + 1)
    return ProjectFigures.objects.filter(project=project).values_list("version", flat=True).first()


def audited(*, project, obj) -> None:
    """Called by `audit_log()` for every recorded change (see the module docstring)."""
    if project is not None:
        project_changed(project_id=project.pk)
    label = obj._meta.label_lower if obj is not None else ""
    if label == "organisations.organisation":
        _bump(
            Project.objects.filter(
                Q(lead_id=obj.pk)
                | Q(funder_id=obj.pk)
                | Q(partners__organisation_id=obj.pk)
                | Q(partners__covered_organisations=obj.pk)
                | Q(activities__cohorts__enrolments__organisation_id=obj.pk)
            ).values("pk")
        )
    elif label == "people.person":
        # Enrolled, or training a cohort (the overview names the trainers).
        enrolled = Enrolment.objects.filter(person_id=obj.pk).values("cohort__activity__project")
        trains = Project.objects.filter(activities__cohorts__trainers=obj.pk).values("pk")
        _bump(Project.objects.filter(Q(pk__in=enrolled) | Q(pk__in=trains)).values("pk"))


@transaction.atomic
def changed(*, enrolment_ids: Iterable[int]) -> None:
    """The attendance of these enrolments changed: recompute their rows (called by services)."""
    ids = sorted(set(enrolment_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        _replace(chunk, _totals(chunk).values())
        _bump(Enrolment.objects.filter(pk__in=chunk).values("cohort__activity__project_id"))


def session_changed(*, session_id: int) -> None:
    """A session's academic hours may have changed: recompute everyone marked at it (and the
    project's completion, which reads its cohorts' hours, even when nobody was marked)."""
    from kvalis.projects.models import Session

    changed(
        enrolment_ids=Attendance.objects.filter(session_id=session_id).values_list(
            "enrolment_id", flat=True
        )
    )
    _bump(Session.objects.filter(pk=session_id).values("cohort__activity__project_id"))


def project_created(*, project: Project) -> None:
    """A new project has nothing to count yet: its (empty) figures are complete from the start."""
    ProjectFigures.objects.get_or_create(project=project)


def is_maintained(project: Project) -> bool:
    return ProjectFigures.objects.filter(project=project).exists()


@transaction.atomic
def rebuild(project: Project) -> int:
    """Recompute every figures row of `project` from raw attendance; mark it maintained.

    Returns the number of rows written."""
    enrolments = Enrolment.objects.filter(cohort__activity__project=project).values("pk")
    EnrolmentFigures.objects.filter(enrolment__in=enrolments).delete()
    rows = list(_totals(enrolments).values())
    EnrolmentFigures.objects.bulk_create(rows, batch_size=BATCH)
    ProjectFigures.objects.update_or_create(
        project=project, defaults={"rebuilt_at": timezone.now()}
    )
    project_changed(project_id=project.pk)
    return len(rows)


# Read side: what `project_indicators()` needs per enrolment, from the stored rows.

STORED_FIELDS = {
    "figures__records": "records",
    "figures__attended": "attended",
    "figures__present_tenths": "present_tenths",
    "figures__late_tenths": "late_tenths",
}


def stored_rows(enrolments: QuerySet, fields: Iterable[str]) -> tuple[list[dict], dict]:
    """The enrolments' `fields` with their stored totals, in one query (a left join).

    Returns the rows (with `records`, `attended`, `present_hours` and `present_hours_all`, as
    the raw path gives them) and the late-arrival credit per enrolment id."""
    late: dict[int, Decimal] = defaultdict(Decimal)
    rows = list(enrolments.values(*fields, *STORED_FIELDS).order_by("pk"))
    for row in rows:
        for stored, name in STORED_FIELDS.items():
            row[name] = row.pop(stored)
        row["records"] = row["records"] or 0
        row["attended"] = row["attended"] or 0
        present = row.pop("present_tenths")
        row["present_hours"] = row["present_hours_all"] = _hours(present) if present else None
        late_tenths = row.pop("late_tenths")
        if late_tenths:
            late[row["pk"]] = _hours(late_tenths)
    return rows, late
