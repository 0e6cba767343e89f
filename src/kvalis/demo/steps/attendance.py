"""Attendance of the demo sessions: exactly 160 distinct people trained, as the article says.

Who attended is chosen deterministically among the confirmed enrolments of the three modules:
of everyone confirmed, all but 160 are no-shows (marked absent), spread evenly over the
cohorts; the participant login and anyone confirmed for the study visit always attend. Of the
160, most attend both days of their module; some miss one day (absent or excused) and some
arrive late, a few of those too late to complete. The patterns are assumed (the article gives
only the total); the order is a hash of each person's e-mail, so every run and machine gives
the same result.
"""

import hashlib
from collections import defaultdict

from kvalis.accounts.models import User
from kvalis.attendance.models import AttendanceMethod, AttendanceStatus
from kvalis.attendance.selectors import completion_for_enrolments, trained_person_ids
from kvalis.attendance.services import Mark, attendance_record
from kvalis.demo import data
from kvalis.demo.steps.core import LOGINS
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.projects.models import ActivityKind, Project, Session

TRAINED = 160


def _bucket(*parts: str) -> int:
    """A stable number 0..99 for these strings (the same on every run and machine)."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return int(digest[:8], 16) % 100


def _pattern(bucket: int, index: int, count: int) -> tuple[str, int | None]:
    """The status of a trained person's enrolment at the index-th of `count` sessions."""
    last = index == count - 1 and count > 1
    if bucket < 1 and last:
        return AttendanceStatus.EXCUSED, None  # ill on the second day: does not complete
    if bucket < 3 and last:
        return AttendanceStatus.ABSENT, None  # missed the second day: does not complete
    if bucket < 4 and index == 0:
        return AttendanceStatus.LATE, 150  # 3.3 of 8 hours: does not complete
    if bucket < 20 and index == 0:
        return AttendanceStatus.LATE, 300  # 6.7 of 8 hours: still completes
    return AttendanceStatus.PRESENT, None


def _no_shows(enrolments: list[Enrolment], keep: set[int], count: int) -> set[int]:
    """`count` persons who never came, spread over the cohorts: a person is taken only while
    each of their cohorts has fewer than `limit` no-shows, and the limit rises only when needed,
    so that most cohorts stay above the completion bar."""
    cohorts_of: dict[int, set[int]] = defaultdict(set)
    people = {}
    for enrolment in enrolments:
        if enrolment.cohort.activity.kind == ActivityKind.MODULE:
            cohorts_of[enrolment.person_id].add(enrolment.cohort_id)
            people[enrolment.person_id] = enrolment.person
    candidates = sorted(
        (pk for pk in people if pk not in keep),
        key=lambda pk: (
            len(cohorts_of[pk]),
            hashlib.sha256(people[pk].email.lower().encode()).hexdigest(),
        ),
    )
    taken: dict[int, int] = defaultdict(int)
    chosen: set[int] = set()
    limit = 1
    while len(chosen) < min(count, len(candidates)):
        for pk in candidates:
            if len(chosen) == count:
                break
            if pk not in chosen and all(taken[c] < limit for c in cohorts_of[pk]):
                chosen.add(pk)
                for cohort_id in cohorts_of[pk]:
                    taken[cohort_id] += 1
        limit += 1
    return chosen


def _chosen_person_ids(enrolments: list[Enrolment], participant_email: str) -> set[int]:
    persons = {e.person_id: e.person for e in enrolments}
    keep = {e.person_id for e in enrolments if e.cohort.activity.kind == "study_visit"}
    keep |= {pk for pk, p in persons.items() if p.email.lower() == participant_email}
    return set(persons) - _no_shows(enrolments, keep, max(0, len(persons) - TRAINED))


def load(*, stdout=None) -> dict[str, int]:
    project = Project.objects.filter(code=data.PROJECT_CODE).first()
    if project is None:
        return {}
    actor = User.objects.filter(email=LOGINS["coordinator"][0]).first()
    participant_email = LOGINS["participant"][0]
    enrolments = list(
        Enrolment.objects.filter(
            cohort__activity__project=project,
            cohort__activity__kind__in=[ActivityKind.MODULE, ActivityKind.STUDY_VISIT],
            status=EnrolmentStatus.CONFIRMED,
        )
        .select_related("person", "cohort__activity")
        .order_by("pk")
    )
    chosen = _chosen_person_ids(enrolments, participant_email)
    by_cohort: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in enrolments:
        by_cohort[enrolment.cohort_id].append(enrolment)
    sessions: dict[int, list[Session]] = defaultdict(list)
    for session in Session.objects.filter(cohort_id__in=list(by_cohort)).order_by("starts_at"):
        sessions[session.cohort_id].append(session)

    rows = 0
    for cohort_id, members in by_cohort.items():
        cohort_sessions = sessions[cohort_id]
        for index, session in enumerate(cohort_sessions):
            marks = []
            for enrolment in members:
                if enrolment.person_id not in chosen:
                    status, minutes = AttendanceStatus.ABSENT, None
                elif (
                    enrolment.cohort.activity.kind == ActivityKind.STUDY_VISIT
                    or enrolment.person.email.lower() == participant_email
                ):
                    status, minutes = AttendanceStatus.PRESENT, None
                else:
                    # Keyed by names, not ids: PostgreSQL's sequences differ between runs.
                    bucket = _bucket(
                        enrolment.person.email.lower(),
                        enrolment.cohort.activity.title,
                        enrolment.cohort.name,
                    )
                    status, minutes = _pattern(bucket, index, len(cohort_sessions))
                marks.append(Mark(enrolment.pk, status, minutes))
            # The first day was marked on the trainer's tablet, later days from paper sheets.
            method = AttendanceMethod.FORM if index == 0 else AttendanceMethod.SHEET
            attendance_record(session=session, marks=marks, actor=actor, method=method)
            rows += len(marks)

    completions = completion_for_enrolments(
        Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])
    )
    return {
        "attendance rows": rows,
        "persons trained": trained_person_ids(project).count(),
        "enrolments completed": sum(1 for c in completions.values() if c.completed),
    }
