"""The indicators: every figure computed from enrolments and attendance, never typed in."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvalis.reports.indicators import (
    ReportFilters,
    indicators_json,
    partner_organisation_ids,
    project_indicators,
)
from tests.factories import (
    VILNIUS,
    ActivityFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PersonFactory,
    SessionFactory,
)


def attend(person, session, status="present", minutes=None, **enrolment):
    from kvalis.enrolment.models import Enrolment

    existing = Enrolment.objects.filter(person=person, cohort=session.cohort).first()
    enrolment_row = existing or EnrolmentFactory(person=person, cohort=session.cohort, **enrolment)
    return AttendanceFactory(
        enrolment=enrolment_row, session=session, status=status, minutes_attended=minutes
    )


@pytest.fixture
def two_activities(world):
    """Two activities; Ona attends both (counted once), Jonas is late once, Petras only absent."""
    moletai = OrganisationFactory(municipality="moletu-r", type="museum")
    zarasai = OrganisationFactory(municipality="zarasu-r", type="culture_centre")
    second = ActivityFactory(project=world.project, title="Projektų valdymas")
    second_cohort = CohortFactory(
        activity=second, start_date=date(2014, 6, 9), end_date=date(2014, 6, 10)
    )
    s2 = SessionFactory(cohort=second_cohort)
    ona = PersonFactory(organisation=moletai, first_name="Ona")
    jonas = PersonFactory(organisation=zarasai, first_name="Jonas", position_category="head")
    petras = PersonFactory(organisation=zarasai, first_name="Petras")
    attend(ona, world.session)
    attend(ona, s2)
    attend(jonas, s2, status="late", minutes=200)  # 4.44 -> 4.4 h
    attend(petras, world.session, status="absent")
    return {"second": second, "ona": ona, "jonas": jonas, "petras": petras, "s2": s2}


def test_unique_persons_are_counted_once_however_many_activities(world, two_activities):
    data = project_indicators(world.project)
    assert data["participants_trained"] == 2
    assert data["participants_enrolled"] == 3
    assert data["participants_by_activity"] == {
        world.activity.title: 1,
        "Projektų valdymas": 2,
    }


def test_municipality_and_other_breakdowns_sum_to_persons_trained(world, two_activities):
    data = project_indicators(world.project)
    assert data["participants_by_municipality"] == {"moletu-r": 1, "zarasu-r": 1}
    for key in (
        "participants_by_municipality",
        "participants_by_organisation_type",
        "participants_by_position_category",
        "participants_by_partner",
    ):
        assert sum(data[key].values()) == data["participants_trained"], key
    assert data["participants_by_position_category"] == {"head": 1, "specialist": 1}
    assert data["labels"]["municipality"]["moletu-r"] == "Molėtų r. sav."


def test_hours_delivered_count_held_sessions_and_hours_received_credit_lateness(
    world, two_activities
):
    data = project_indicators(world.project)
    # world.session (8 h, Ona present) and s2 (8 h): both held.
    assert data["academic_hours_delivered"] == Decimal("16")
    assert data["sessions_held"] == 2
    # Ona 8 + 8, Jonas late 200 min = 4.4 h, Petras absent 0.
    assert data["academic_hours_received"] == Decimal("20.4")
    assert data["attendance_records"] == 4
    assert data["attendance_rate"] == Decimal("75.0")


def test_a_session_nobody_attended_is_not_delivered(world):
    SessionFactory(cohort=world.cohort, starts_at=datetime(2014, 4, 8, 9, tzinfo=VILNIUS))
    attend(world.person_a, world.session, status="absent")
    data = project_indicators(world.project)
    assert data["academic_hours_delivered"] == 0
    assert data["participants_trained"] == 0


def test_completion_rate_applies_the_activity_threshold(world, two_activities):
    # Cohorts of 2014 have ended. world.cohort: 8 h; Ona 8/8 complete, Petras 0 not.
    # second cohort: 8 h at 80 % = 6.4; Ona 8 complete, Jonas 4.4 not.
    data = project_indicators(world.project)
    assert data["enrolments_assessed"] == 4
    assert data["enrolments_completed"] == 2
    assert data["completion_rate"] == Decimal("50.0")


def test_completion_override_counts(world, two_activities):
    from kvalis.attendance.models import CompletionOverride
    from kvalis.enrolment.models import Enrolment

    jonas = Enrolment.objects.get(person=two_activities["jonas"])
    CompletionOverride.objects.create(enrolment=jonas, completed=True, reason="Atsiskaitė raštu")
    assert project_indicators(world.project)["enrolments_completed"] == 3


def test_filters_narrow_by_activity_municipality_and_period(world, two_activities):
    by_activity = project_indicators(
        world.project, filters=ReportFilters(activity=two_activities["second"].pk)
    )
    assert by_activity["participants_trained"] == 2
    assert [row["title"] for row in by_activity["activities"]] == ["Projektų valdymas"]
    by_place = project_indicators(world.project, filters=ReportFilters(municipality="zarasu-r"))
    assert by_place["participants_trained"] == 1
    april = project_indicators(
        world.project,
        filters=ReportFilters(date_from=date(2014, 4, 1), date_to=date(2014, 4, 30)),
    )
    assert april["participants_trained"] == 1
    assert april["academic_hours_delivered"] == Decimal("8")


def test_partner_filter_uses_enrolment_partner_else_covering_partner(world):
    covered = OrganisationFactory(municipality="moletu-r")
    world.partner_b.covered_organisations.add(covered)
    attend(PersonFactory(organisation=covered), world.session)
    attend(world.person_b, world.session)
    attend(world.person_a, world.session)
    data = project_indicators(world.project, filters=ReportFilters(partner=world.partner_b.pk))
    assert data["participants_trained"] == 2
    everyone = project_indicators(world.project)
    assert everyone["participants_by_partner"] == {
        world.partner_b.organisation.name: 2,
        world.lead.name: 1,
    }


def test_scope_keeps_only_the_partners_own_people_and_leaves_out_the_budget(world):
    attend(world.person_a, world.session)
    attend(world.person_b, world.session)
    scoped = project_indicators(world.project, scope=partner_organisation_ids(world.partner_b.pk))
    assert scoped["participants_trained"] == 1
    assert scoped["scoped"] is True
    assert "budget_planned" not in scoped


def test_json_has_the_stable_keys_and_exact_decimal_strings(world, two_activities):
    import json

    data = json.loads(indicators_json(project_indicators(world.project)))
    assert data["participants_trained"] == 2
    assert data["academic_hours_received"] == "20.4"
    assert data["project"]["grant_amount"] == "25000.00"
    assert data["project"]["grant_amount_eur"] == "7240.50"
    for key in ("participants_by_municipality", "academic_hours_delivered", "schema"):
        assert key in data


def _populate(project, cohort, people: int):
    sessions = [
        SessionFactory(
            cohort=cohort, starts_at=datetime.combine(date(2014, 4, 7 + day), time(9), VILNIUS)
        )
        for day in range(2)
    ]
    for index in range(people):
        person = PersonFactory(
            organisation=OrganisationFactory(municipality=["utenos-r", "moletu-r"][index % 2])
        )
        for session in sessions:
            attend(
                person,
                session,
                status=["present", "late", "absent"][index % 3],
                minutes=100 if index % 3 == 1 else None,
            )


def test_indicators_run_a_fixed_number_of_queries_whatever_the_participant_count(world):
    _populate(world.project, world.cohort, 3)
    with CaptureQueriesContext(connection) as small:
        project_indicators(world.project)
    _populate(world.project, CohortFactory(activity=world.activity), 30)
    with CaptureQueriesContext(connection) as large:
        data = project_indicators(world.project)
    assert data["participants_enrolled"] == 33
    assert len(small) == len(large)
