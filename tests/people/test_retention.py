"""Retention: `kvalis apply_retention` keeps personal data for each organisation's periods (or
the defaults) and no longer; the dry run lists and changes nothing; a second run the same day
finds nothing; every period runs out at the end of its last day."""

from datetime import date, datetime, time
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from kvalis.audit.models import AuditEntry
from kvalis.audit.services import audit_log
from kvalis.enrolment.models import Enrolment
from kvalis.organisations.models import RetentionPolicy
from kvalis.people.models import Person
from kvalis.people.retention import DEFAULTS, periods_for, retention_apply
from kvalis.surveys.models import SurveyParticipation, SurveyResponse
from tests.factories import (
    VILNIUS,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    PersonFactory,
    SurveyFactory,
    UserFactory,
)

# ProjectFactory's projects end on 2014-11-30: their participants' contact data are kept for
# five years, through 2019-11-30.
PROJECT_END = date(2014, 11, 30)


def _snapshot() -> dict:
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model is Session or not model._meta.managed:
            continue
        rows = model._default_manager.order_by("pk").values()
        tables[model._meta.label] = {row[model._meta.pk.attname]: row for row in rows}
    return tables


def _at(day: date):
    return datetime.combine(day, time(10), tzinfo=VILNIUS)


@pytest.fixture
def participant(world):
    """A participant of world.project (ended 2014-11-30) with a login and attendance."""
    user = UserFactory(email="jurgita@example.lt")
    person = PersonFactory(
        organisation=world.lead, first_name="Jurgita", last_name="Kazlauskė", user=user
    )
    enrolment = EnrolmentFactory(person=person, cohort=world.cohort)
    AttendanceFactory(enrolment=enrolment, session=world.session)
    return person


def _run(today: str, *extra) -> str:
    out = StringIO()
    call_command("apply_retention", "--today", today, *extra, stdout=out)
    return out.getvalue()


def test_defaults_apply_when_an_organisation_sets_none(world):
    assert periods_for(world.lead) == DEFAULTS
    assert (DEFAULTS.contact_data_years, DEFAULTS.unconfirmed_application_days) == (5, 90)
    assert (DEFAULTS.survey_participation_years, DEFAULTS.audit_log_years) == (1, 10)


# --- each default period at its boundary day ---------------------------------------------------


def test_contact_data_are_kept_five_years_after_the_project_ends(world, participant):
    _run("2019-11-30")
    participant.refresh_from_db()
    assert participant.erased_at is None and participant.last_name == "Kazlauskė"

    _run("2019-12-01")
    participant.refresh_from_db()
    assert participant.erased_at is not None
    assert participant.first_name == "Asmuo" and participant.email == ""
    assert participant.user is None
    # The training record stays.
    enrolment = participant.enrolments.get()
    assert enrolment.status == "confirmed" and enrolment.attendances.count() == 1


def test_a_person_with_a_later_project_is_kept(world, participant):
    later = CohortFactory(activity__project__end_date=date(2018, 6, 30))
    EnrolmentFactory(person=participant, cohort=later)
    _run("2019-12-01")
    participant.refresh_from_db()
    assert participant.erased_at is None


def test_staff_and_trainers_are_not_erased_as_participants(world, participant):
    staff = PersonFactory(organisation=world.lead, user=world.alice, email=world.alice.email)
    EnrolmentFactory(person=staff, cohort=world.cohort)
    trainer = PersonFactory(organisation=world.lead)
    EnrolmentFactory(person=trainer, cohort=world.cohort)
    world.cohort.trainers.add(trainer)
    _run("2030-01-01")
    assert Person.objects.filter(pk__in=[staff.pk, trainer.pk], erased_at=None).count() == 2


def test_unconfirmed_applications_are_deleted_after_90_days(world):
    cohort = CohortFactory(
        activity__project__end_date=date(2026, 12, 31),
        start_date=date(2026, 9, 1),
        end_date=date(2026, 9, 2),
    )
    application = EnrolmentFactory(cohort=cohort, status="unconfirmed")
    Enrolment.objects.filter(pk=application.pk).update(created_at=_at(date(2026, 1, 1)))
    _run("2026-04-01")  # day 90
    assert Enrolment.objects.filter(pk=application.pk).exists()
    _run("2026-04-02")
    assert not Enrolment.objects.filter(pk=application.pk).exists()


def test_survey_participation_is_deleted_a_year_after_the_survey_closes(world, participant):
    survey = SurveyFactory(activity=world.activity, status="closed", closes_on=date(2025, 5, 1))
    SurveyParticipation.objects.create(survey=survey, person=participant)
    response = SurveyResponse.objects.create(survey=survey, submitted_on=date(2025, 4, 20))
    _run("2026-05-01")
    assert SurveyParticipation.objects.filter(survey=survey).count() == 1
    _run("2026-05-02")
    assert SurveyParticipation.objects.filter(survey=survey).count() == 0
    # The anonymous answers stay.
    assert SurveyResponse.objects.filter(pk=response.pk).exists()


def test_audit_entries_are_deleted_after_ten_years(world):
    entry = audit_log(actor=None, action="project.update", project=world.project, summary="x")
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=_at(date(2016, 6, 1)))
    _run("2026-06-01")
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    _run("2026-06-02")
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_organisations_own_period_wins_over_the_default(world, participant):
    RetentionPolicy.objects.create(organisation=world.lead, contact_data_years=2)
    _run("2016-11-30")
    participant.refresh_from_db()
    assert participant.erased_at is None
    _run("2016-12-01")
    participant.refresh_from_db()
    assert participant.erased_at is not None


# --- dry run, idempotence, the run's record -------------------------------------------------


def test_dry_run_lists_what_it_would_do_and_changes_nothing(world, participant):
    application = EnrolmentFactory(cohort=world.cohort, status="unconfirmed")
    Enrolment.objects.filter(pk=application.pk).update(created_at=_at(date(2014, 4, 1)))
    before = _snapshot()

    out = _run("2030-01-01", "--dry-run")

    assert _snapshot() == before
    assert f"person {participant.pk} " in out
    assert f"application {application.pk} " in out
    assert "Would pseudonymise" in out


def test_a_second_run_the_same_day_changes_nothing_more(world, participant):
    survey = SurveyFactory(activity=world.activity, status="closed", closes_on=date(2014, 5, 1))
    SurveyParticipation.objects.create(survey=survey, person=participant)
    first = retention_apply(today=date(2030, 1, 1))
    assert first["people"] >= 1 and first["participations"] == 1
    before = _snapshot()

    second = retention_apply(today=date(2030, 1, 1))

    assert second == {"people": 0, "applications": 0, "participations": 0, "audit_entries": 0}
    after = _snapshot()
    runs = AuditEntry.objects.filter(action="retention.apply").order_by("pk")
    # Only the second run's own record is new.
    new_audit = set(after["audit.AuditEntry"]) - set(before["audit.AuditEntry"])
    assert new_audit == {runs.last().pk}
    del before["audit.AuditEntry"], after["audit.AuditEntry"]
    assert after == before


def test_each_run_writes_one_audit_entry_with_the_counts(world, participant):
    _run("2030-01-01")
    entry = AuditEntry.objects.get(action="retention.apply")
    assert entry.data["today"] == "2030-01-01"
    erased = Person.objects.filter(erased_at__isnull=False).count()
    assert entry.data["people"] == erased >= 1
    assert entry.data["people"] == AuditEntry.objects.filter(action="person.erase").count()


def test_a_malformed_day_is_refused(world):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _run("2030-13-01")


def test_site_administrator_sets_an_organisations_periods_in_the_admin(client, world):
    from django.urls import reverse

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("admin:organisations_retentionpolicy_add"),
        {
            "organisation": world.lead.pk,
            "contact_data_years": 3,
            "unconfirmed_application_days": 30,
            "survey_participation_years": 1,
            "audit_log_years": 10,
        },
    )
    assert response.status_code == 302
    assert periods_for(world.lead).contact_data_years == 3
    assert AuditEntry.objects.filter(action="retention.policy_set").count() == 1
    assert client.get(reverse("admin:people_erasurerequest_changelist")).status_code == 200
