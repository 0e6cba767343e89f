"""Consent records: the application form records which privacy notice the applicant
acknowledged; a traveller gives and withdraws photo consent on "My consents"; nobody else
can touch a person's consents."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.enrolment import services as enrolment
from kvalis.privacy import texts
from kvalis.privacy.models import Consent, Purpose
from tests.factories import CohortFactory, TravellerFactory, UserFactory


@pytest.fixture
def traveller(world):
    person = world.person_a
    person.user = UserFactory(email=person.email)
    person.save()
    return TravellerFactory(visit__project=world.project, person=person)


def _give(client, traveller):
    return client.post(reverse("privacy:photo_consent_give", args=[traveller.pk]), follow=True)


def test_an_application_records_the_privacy_notice_it_showed(world):
    cohort = CohortFactory(
        activity=world.activity,
        start_date=date.today() + timedelta(days=30),
        end_date=date.today() + timedelta(days=31),
    )
    application = enrolment.application_create(
        cohort=cohort,
        first_name="Rūta",
        last_name="Kazlauskaitė",
        email="ruta@example.lt",
        organisation=world.lead,
        position="bibliotekininkė",
        position_category="specialist",
        consent=True,
        language="en",
    )
    consent = Consent.objects.get(person=application.person)
    assert consent.purpose == Purpose.APPLICATION_NOTICE
    assert consent.enrolment == application
    assert consent.text_version == texts.PRIVACY_NOTICE_VERSION
    assert consent.language == "en"
    assert consent.text_sha256 == texts.sha256(texts.privacy_notice_text("en"))
    assert consent.text_sha256 != texts.privacy_notice_hash("lt")
    assert consent.statement.startswith("I have read the privacy notice")
    assert not consent.withdrawable


def test_a_refused_application_records_nothing(world):
    cohort = CohortFactory(
        activity=world.activity,
        start_date=date.today() + timedelta(days=30),
        end_date=date.today() + timedelta(days=31),
    )
    with pytest.raises(ValidationError):  # the privacy box was not ticked
        enrolment.application_create(
            cohort=cohort,
            first_name="Rūta",
            last_name="Kazlauskaitė",
            email="ruta@example.lt",
            organisation=world.lead,
            position="bibliotekininkė",
            position_category="specialist",
            consent=False,
        )
    assert not Consent.objects.exists()


def test_the_privacy_notice_shows_its_version(client, db):
    response = client.get(reverse("enrolment:privacy"))
    assert texts.PRIVACY_NOTICE_VERSION in response.content.decode()


def test_the_acknowledged_notice_is_shown_but_cannot_be_withdrawn(client, world, traveller):
    notice = Consent.objects.create(
        person=traveller.person,
        purpose=Purpose.APPLICATION_NOTICE,
        source="application_form",
        text_version=texts.PRIVACY_NOTICE_VERSION,
        text_sha256=texts.privacy_notice_hash("lt"),
        statement="Perskaičiau privatumo pranešimą.",
        about="Grupė 1",
        given_at=world.cohort.activity.project.created_at,
    )
    client.force_login(traveller.person.user)
    page = client.get(reverse("privacy:consents")).content.decode()
    assert "susipažinta" in page
    assert reverse("privacy:consent_withdraw", args=[notice.pk]) not in page

    response = client.post(reverse("privacy:consent_withdraw", args=[notice.pk]), follow=True)

    assert "jo atšaukti negalima" in response.content.decode()
    notice.refresh_from_db()
    assert notice.withdrawn_at is None
    assert not AuditEntry.objects.filter(action="consent.withdraw").exists()


def test_a_traveller_gives_and_withdraws_photo_consent(client, world, traveller):
    client.force_login(traveller.person.user)
    page = client.get(reverse("privacy:consents")).content.decode()
    assert "Sutinku" in page

    response = _give(client, traveller)

    assert "Sutikimas užregistruotas." in response.content.decode()
    consent = Consent.objects.get(person=traveller.person, purpose=Purpose.STUDY_VISIT_PHOTOS)
    assert consent.study_visit == traveller.visit
    assert consent.text_version == texts.PHOTO_CONSENT_VERSION
    assert consent.text_sha256 == texts.sha256(texts.photo_consent_text("lt"))
    give = AuditEntry.objects.get(action="consent.give")
    assert give.actor == traveller.person.user and give.project == world.project

    response = client.post(reverse("privacy:consent_withdraw", args=[consent.pk]), follow=True)

    assert "Sutikimas atšauktas." in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert AuditEntry.objects.filter(action="consent.withdraw", actor=traveller.person.user)
    # The record stays; consent can be given again, as a new record.
    _give(client, traveller)
    assert Consent.objects.filter(person=traveller.person).count() == 2


def test_withdrawing_twice_changes_nothing(client, traveller):
    client.force_login(traveller.person.user)
    _give(client, traveller)
    consent = Consent.objects.get()
    client.post(reverse("privacy:consent_withdraw", args=[consent.pk]))
    consent.refresh_from_db()
    withdrawn_at = consent.withdrawn_at

    response = client.post(reverse("privacy:consent_withdraw", args=[consent.pk]), follow=True)

    assert "jau atšauktas" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at == withdrawn_at
    assert AuditEntry.objects.filter(action="consent.withdraw").count() == 1


def test_giving_the_same_consent_twice_records_it_once(client, traveller):
    client.force_login(traveller.person.user)
    _give(client, traveller)
    response = _give(client, traveller)
    assert "jau davėte" in response.content.decode()
    assert Consent.objects.count() == 1


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "dana"])
def test_nobody_else_gives_or_withdraws_a_persons_consent(client, world, traveller, persona):
    """Not even the coordinator of the person's employer (alice): consent is the person's own."""
    client.force_login(traveller.person.user)
    _give(client, traveller)
    consent = Consent.objects.get()

    client.force_login(getattr(world, persona))
    withdraw = client.post(reverse("privacy:consent_withdraw", args=[consent.pk]))
    give = client.post(reverse("privacy:photo_consent_give", args=[traveller.pk]))

    assert withdraw.status_code == 404 and give.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
    assert Consent.objects.count() == 1


def test_the_consents_page_without_a_participant_record(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("privacy:consents"))
    assert response.status_code == 200


def test_the_export_lists_consents_with_their_versions(client, traveller):
    from kvalis.privacy.export import person_data

    client.force_login(traveller.person.user)
    _give(client, traveller)
    [consent] = person_data(traveller.person)["consents"]
    assert consent["kind"] == "consent"
    assert consent["text_version"] == texts.PHOTO_CONSENT_VERSION
    assert consent["withdrawn_at"] is None
