"""The set-up services directly: each writes an audit entry, and refuses what cannot be."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from kvalis.audit.models import AuditEntry
from kvalis.organisations.services import organisation_create
from kvalis.projects import services
from kvalis.projects.models import Cohort, Partner, Project, Session
from tests.factories import AttendanceFactory, EnrolmentFactory

VILNIUS = ZoneInfo("Europe/Vilnius")


def test_project_create_writes_lead_partner_membership_and_audit(world):
    lead = world.lead  # alice coordinates it
    project = services.project_create(
        actor=world.alice,
        code="naujas-1",
        title="Naujas",
        lead=lead,
        start_date=date(2015, 1, 1),
        end_date=date(2015, 6, 30),
        grant_amount=Decimal("100"),
        currency="LTL",
    )
    assert project.code == "NAUJAS-1"
    assert project.memberships.get().user == world.alice
    assert project.partners.get().organisation == lead
    assert project.partners.get().status == "accepted"
    assert AuditEntry.objects.get(action="project.create").actor == world.alice


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"grant_amount": Decimal("-1")}, "grant_amount"),
        ({"currency": "USD"}, "currency"),
        ({"end_date": date(2013, 1, 1)}, "end_date"),
    ],
)
def test_project_create_refuses_and_saves_nothing(world, changes, field):
    before = (Project.objects.count(), Partner.objects.count(), AuditEntry.objects.count())
    kwargs = {
        "actor": world.alice,
        "code": "BLOGAS",
        "title": "Blogas",
        "lead": world.lead,
        "start_date": date(2014, 1, 1),
        "end_date": date(2014, 12, 31),
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        services.project_create(**kwargs)
    assert field in error.value.message_dict
    assert (Project.objects.count(), Partner.objects.count(), AuditEntry.objects.count()) == before


def test_cohort_update_refuses_dates_that_leave_its_sessions_outside(world):
    with pytest.raises(ValidationError):
        services.cohort_update(actor=world.alice, cohort=world.cohort, start_date=date(2014, 4, 8))
    world.cohort.refresh_from_db()
    assert world.cohort.start_date == date(2014, 4, 7)


def test_session_outside_its_cohort_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.session_create(
            actor=world.alice,
            cohort=world.cohort,
            starts_at=datetime(2014, 4, 9, 9, tzinfo=VILNIUS),
            ends_at=datetime(2014, 4, 9, 12, tzinfo=VILNIUS),
        )
    assert "starts_at" in error.value.message_dict
    assert Session.objects.filter(cohort=world.cohort).count() == 1


def test_session_with_attendance_cannot_be_deleted(world):
    enrolment = EnrolmentFactory(person=world.person_a, cohort=world.cohort)
    AttendanceFactory(enrolment=enrolment, session=world.session)
    with pytest.raises(ValidationError):
        services.session_delete(actor=world.alice, session=world.session)
    assert Session.objects.filter(pk=world.session.pk).exists()


def test_partner_with_enrolments_cannot_be_removed(world):
    EnrolmentFactory(person=world.person_b, cohort=world.cohort, partner=world.partner_b)
    with pytest.raises(ValidationError):
        services.partner_remove(actor=world.alice, partner=world.partner_b)
    assert Partner.objects.filter(pk=world.partner_b.pk).exists()


def test_a_partner_cannot_cover_itself(world):
    with pytest.raises(ValidationError):
        services.partner_update(
            actor=world.alice,
            partner=world.partner_b,
            covered_organisations=[world.partner_b.organisation],
        )


def test_venue_of_another_project_cannot_host_a_cohort(world):
    from tests.factories import VenueFactory

    foreign = VenueFactory(project=world.other_project)
    with pytest.raises(ValidationError) as error:
        services.cohort_update(actor=world.alice, cohort=world.cohort, venue=foreign)
    assert "venue" in error.value.message_dict
    assert Cohort.objects.get(pk=world.cohort.pk).venue is None


def test_activity_refuses_unknown_audience_values(world):
    with pytest.raises(ValidationError) as error:
        services.activity_create(
            actor=world.alice,
            project=world.project,
            kind="seminar",
            title="X",
            audience_counties=["atlantida"],
        )
    assert "audience_counties" in error.value.message_dict


def test_organisation_create_never_reuses_the_same_institution(world):
    first = organisation_create(
        actor=world.alice,
        name="Anykščių  kultūros centras",
        type="culture_centre",
        municipality="anyksciu-r",
        represented_by=world.lead,
    )
    with pytest.raises(ValidationError):
        organisation_create(
            actor=world.alice,
            name="anykščių kultūros centras",
            type="culture_centre",
            municipality="anyksciu-r",
        )
    elsewhere = organisation_create(
        actor=world.alice,
        name="Anykščių kultūros centras",
        type="culture_centre",
        municipality="utenos-r",
    )
    assert first.name == "Anykščių kultūros centras"
    assert first.represented_by == world.lead
    assert elsewhere != first
