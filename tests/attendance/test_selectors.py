"""Credited hours and completion: the shared rules, computed set-based."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvalis.attendance.selectors import (
    completion_for_cohort,
    completion_for_enrolment,
    credited_hours,
    credited_hours_by_enrolment,
    trained_person_ids,
)
from kvalis.attendance.services import completion_override_set
from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_day_cohort(world):
    """world.cohort with two 8-hour sessions: 16 hours, 80 % needs 12.8."""
    second = SessionFactory(cohort=world.cohort, starts_at=world.session.starts_at.replace(day=8))
    return world.cohort, [world.session, second]


def test_present_credits_the_session_hours():
    assert credited_hours(status="present", minutes_attended=None, session_hours=Decimal("8")) == 8


def test_late_credits_minutes_over_45_rounded_to_a_tenth():
    assert credited_hours(status="late", minutes_attended=100, session_hours=Decimal("8")) == (
        Decimal("2.2")
    )


def test_late_credit_is_capped_at_the_session_hours():
    assert credited_hours(status="late", minutes_attended=420, session_hours=Decimal("8")) == 8


@pytest.mark.parametrize("status", ["absent", "excused"])
def test_absent_and_excused_credit_nothing(status):
    assert credited_hours(status=status, minutes_attended=None, session_hours=Decimal("8")) == 0


def test_credited_hours_by_enrolment_sums_sessions_and_includes_those_without_rows(
    two_day_cohort,
):
    cohort, (first, second) = two_day_cohort
    full, late, none = (EnrolmentFactory(cohort=cohort) for _ in range(3))
    AttendanceFactory(enrolment=full, session=first)
    AttendanceFactory(enrolment=full, session=second)
    AttendanceFactory(enrolment=late, session=first, status="late", minutes_attended=90)
    AttendanceFactory(enrolment=late, session=second, status="absent")
    hours = credited_hours_by_enrolment([full.pk, late.pk, none.pk])
    assert hours == {full.pk: Decimal("16"), late.pk: Decimal("2.0"), none.pk: Decimal("0")}


def test_completion_needs_the_activity_percent_of_the_cohorts_session_hours(two_day_cohort):
    cohort, (first, second) = two_day_cohort
    complete = EnrolmentFactory(cohort=cohort)
    short = EnrolmentFactory(cohort=cohort)
    AttendanceFactory(enrolment=complete, session=first)
    # 8 + 216/45 = 8 + 4.8 = 12.8: exactly 80 % of 16.
    AttendanceFactory(enrolment=complete, session=second, status="late", minutes_attended=216)
    AttendanceFactory(enrolment=short, session=first)
    AttendanceFactory(enrolment=short, session=second, status="late", minutes_attended=210)
    result = completion_for_cohort(cohort)
    assert result[complete.pk].hours == Decimal("12.8")
    assert result[complete.pk].required_hours == Decimal("12.80")
    assert result[complete.pk].completed is True
    assert result[short.pk].hours == Decimal("12.7")
    assert result[short.pk].completed is False
    assert result[short.pk].overridden is False


def test_completion_threshold_follows_the_activity(two_day_cohort):
    cohort, (first, _second) = two_day_cohort
    cohort.activity.completion_percent = 50
    cohort.activity.save()
    half = EnrolmentFactory(cohort=cohort)
    AttendanceFactory(enrolment=half, session=first)
    assert completion_for_cohort(cohort)[half.pk].completed is True


def test_completion_lists_only_confirmed_enrolments(world):
    confirmed = EnrolmentFactory(cohort=world.cohort)
    EnrolmentFactory(cohort=world.cohort, status="waiting", waiting_position=1)
    EnrolmentFactory(cohort=world.cohort, status="cancelled")
    assert set(completion_for_cohort(world.cohort)) == {confirmed.pk}


def test_override_applies_and_keeps_the_computed_answer(two_day_cohort, world):
    cohort, (first, _second) = two_day_cohort
    enrolment = EnrolmentFactory(cohort=cohort)
    AttendanceFactory(enrolment=enrolment, session=first)
    completion_override_set(
        enrolment=enrolment,
        completed=True,
        reason="Savarankiškai atliko užduotis",
        actor=world.alice,
    )
    completion = completion_for_enrolment(enrolment)
    assert completion.completed is True
    assert completion.computed is False
    assert completion.overridden is True
    assert completion.reason == "Savarankiškai atliko užduotis"


def test_override_can_refuse_completion_despite_hours(world):
    enrolment = EnrolmentFactory(cohort=world.cohort)
    AttendanceFactory(enrolment=enrolment, session=world.session)
    assert completion_for_enrolment(enrolment).completed is True
    completion_override_set(
        enrolment=enrolment, completed=False, reason="Pasirašė už kitą", actor=world.alice
    )
    assert completion_for_enrolment(enrolment).completed is False


def test_cohort_without_sessions_completes_nobody(world):
    cohort = CohortFactory(activity=world.activity)
    enrolment = EnrolmentFactory(cohort=cohort)
    assert completion_for_cohort(cohort)[enrolment.pk].completed is False


def test_completion_for_cohort_runs_a_fixed_number_of_queries(two_day_cohort):
    cohort, sessions = two_day_cohort

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            completion_for_cohort(cohort)
        return len(ctx.captured_queries)

    enrolment = EnrolmentFactory(cohort=cohort)
    AttendanceFactory(enrolment=enrolment, session=sessions[0])
    few = count_queries()
    for _ in range(15):
        more = EnrolmentFactory(cohort=cohort)
        for session in sessions:
            AttendanceFactory(enrolment=more, session=session, status="late", minutes_attended=60)
    assert count_queries() == few <= 4


def test_trained_counts_present_or_late_once_per_person(world):
    other_cohort = CohortFactory(activity=world.activity)
    other_session = SessionFactory(cohort=other_cohort)
    one = EnrolmentFactory(cohort=world.cohort, person=world.person_a)
    AttendanceFactory(enrolment=one, session=world.session)
    again = EnrolmentFactory(cohort=other_cohort, person=world.person_a)
    AttendanceFactory(enrolment=again, session=other_session, status="late", minutes_attended=30)
    absent = EnrolmentFactory(cohort=world.cohort, person=world.person_b)
    AttendanceFactory(enrolment=absent, session=world.session, status="absent")
    assert list(trained_person_ids(world.project)) == [world.person_a.pk]
