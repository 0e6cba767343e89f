"""attendance_record and completion overrides: validated, idempotent, audited."""

import pytest
from django.core.exceptions import ValidationError

from kvalis.attendance.models import Attendance, CompletionOverride
from kvalis.attendance.services import (
    Mark,
    attendance_record,
    completion_override_clear,
    completion_override_set,
)
from kvalis.audit.models import AuditEntry
from tests.factories import AttendanceFactory, CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(world):
    return [EnrolmentFactory(cohort=world.cohort) for _ in range(3)]


def test_record_creates_rows_and_audits_once(world, roster):
    a, b, c = roster
    result = attendance_record(
        session=world.session,
        marks=[Mark(a.pk, "present"), Mark(b.pk, "late", 200), Mark(c.pk, "absent")],
        actor=world.alice,
        method="form",
    )
    assert result["created"] == 3
    rows = {r.enrolment_id: r for r in Attendance.objects.filter(session=world.session)}
    assert rows[b.pk].status == "late" and rows[b.pk].minutes_attended == 200
    assert rows[a.pk].recorded_by == world.alice and rows[a.pk].method == "form"
    entry = AuditEntry.objects.get(action="attendance.record")
    assert entry.project == world.project and entry.actor == world.alice


def test_record_is_idempotent(world, roster):
    marks = [Mark(e.pk, "present") for e in roster]
    attendance_record(session=world.session, marks=marks, actor=world.alice)
    again = attendance_record(session=world.session, marks=marks, actor=world.alice)
    assert again["created"] == again["changed"] == 0
    assert Attendance.objects.count() == 3
    assert AuditEntry.objects.filter(action="attendance.record").count() == 1


def test_record_updates_a_changed_mark_and_its_method(world, roster):
    a = roster[0]
    attendance_record(session=world.session, marks=[Mark(a.pk, "present")], actor=world.alice)
    attendance_record(
        session=world.session, marks=[Mark(a.pk, "excused")], actor=world.alice, method="sheet"
    )
    row = Attendance.objects.get(enrolment=a)
    assert (row.status, row.method) == ("excused", "sheet")


@pytest.mark.parametrize(
    "mark",
    [
        Mark(0, "late", None),  # late needs minutes
        Mark(0, "late", 0),
        Mark(0, "late", 421),  # the session lasts 420 minutes
        Mark(0, "present", 30),  # minutes only for late
        Mark(0, "sleeping"),
    ],
)
def test_record_refuses_bad_marks_and_writes_nothing(world, roster, mark):
    good = Mark(roster[1].pk, "present")
    bad = Mark(roster[0].pk, mark.status, mark.minutes_attended)
    with pytest.raises(ValidationError):
        attendance_record(session=world.session, marks=[good, bad], actor=world.alice)
    assert not Attendance.objects.exists()
    assert not AuditEntry.objects.exists()


def test_record_accepts_the_full_session_length_for_late(world, roster):
    attendance_record(
        session=world.session, marks=[Mark(roster[0].pk, "late", 420)], actor=world.alice
    )
    assert Attendance.objects.get().minutes_attended == 420


def test_record_refuses_enrolments_of_another_cohort(world, roster):
    stranger = EnrolmentFactory(cohort=CohortFactory(activity=world.activity))
    with pytest.raises(ValidationError):
        attendance_record(
            session=world.session, marks=[Mark(stranger.pk, "present")], actor=world.alice
        )
    assert not Attendance.objects.exists()


def test_record_refuses_unconfirmed_enrolments(world):
    waiting = EnrolmentFactory(cohort=world.cohort, status="waiting", waiting_position=1)
    with pytest.raises(ValidationError):
        attendance_record(
            session=world.session, marks=[Mark(waiting.pk, "present")], actor=world.alice
        )


def test_record_refuses_an_enrolment_marked_twice(world, roster):
    with pytest.raises(ValidationError):
        attendance_record(
            session=world.session,
            marks=[Mark(roster[0].pk, "present"), Mark(roster[0].pk, "absent")],
            actor=world.alice,
        )


def test_override_needs_a_reason_and_changes_nothing_without_one(world, roster):
    with pytest.raises(ValidationError):
        completion_override_set(enrolment=roster[0], completed=True, reason="  ", actor=world.alice)
    assert not CompletionOverride.objects.exists()
    assert not AuditEntry.objects.exists()


def test_override_is_audited_with_the_previous_decision(world, roster):
    completion_override_set(enrolment=roster[0], completed=True, reason="Pirma", actor=world.alice)
    completion_override_set(enrolment=roster[0], completed=False, reason="Antra", actor=world.alice)
    override = CompletionOverride.objects.get()
    assert (override.completed, override.reason, override.set_by) == (False, "Antra", world.alice)
    last = (
        AuditEntry.objects.filter(action="attendance.completion_override_set").order_by("pk").last()
    )
    assert last.data["previous"] == {"completed": True, "reason": "Pirma"}


def test_override_clear_returns_to_computed_and_is_audited(world, roster):
    completion_override_set(enrolment=roster[0], completed=True, reason="Pirma", actor=world.alice)
    assert completion_override_clear(enrolment=roster[0], actor=world.alice) is True
    assert not CompletionOverride.objects.exists()
    assert AuditEntry.objects.filter(action="attendance.completion_override_clear").exists()
    assert completion_override_clear(enrolment=roster[0], actor=world.alice) is False


def test_override_refused_for_unconfirmed_enrolment(world):
    cancelled = EnrolmentFactory(cohort=world.cohort, status="cancelled")
    with pytest.raises(ValidationError):
        completion_override_set(enrolment=cancelled, completed=True, reason="x", actor=world.alice)


def test_database_refuses_override_without_reason(world, roster):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        CompletionOverride.objects.create(enrolment=roster[0], completed=True, reason="")


def test_attendance_factory_row_is_unique_per_session(world, roster):
    from django.db import IntegrityError

    AttendanceFactory(enrolment=roster[0], session=world.session)
    with pytest.raises(IntegrityError):
        AttendanceFactory(enrolment=roster[0], session=world.session)
