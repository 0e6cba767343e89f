"""Merging duplicate organisations: a site administrator's act that moves everything of the
duplicate to the kept one, in one transaction, audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.organisations.models import Organisation
from kvalis.organisations.services import organisation_merge
from tests.factories import (
    CertificateFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
    ProjectFactory,
    UserFactory,
    make_coordinator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    return UserFactory(is_superuser=True, is_staff=True)


def test_merge_moves_everything_and_is_audited(client, world, admin):
    kept = world.partner_b.organisation
    duplicate = OrganisationFactory(
        name="Molėtų r. savivaldybės viešoji biblioteka", company_code="190000003"
    )
    coordinator = UserFactory()
    make_coordinator(duplicate, coordinator)
    person = PersonFactory(organisation=duplicate)
    other = ProjectFactory(lead=duplicate, funder=duplicate)
    partner = PartnerFactory(project=other, organisation=duplicate, role="lead")
    member = MembershipFactory(
        project=other, user=UserFactory(), role="partner_coordinator", partner=partner
    )
    covered = OrganisationFactory(name="Kaimo biblioteka", represented_by=duplicate)
    partner.covered_organisations.add(covered)
    covering = PartnerFactory(project=world.other_project, organisation=OrganisationFactory())
    covering.covered_organisations.add(duplicate)
    certificate = CertificateFactory(
        enrolment__cohort=world.cohort, enrolment__person=world.person_a
    )
    issuer = certificate.issuer
    issuer.organisation = duplicate
    issuer.save()

    client.force_login(admin)
    response = client.post(
        reverse("organisations:merge", args=[duplicate.pk]), {"kept": kept.pk, "confirm": "on"}
    )
    assert response.status_code == 302

    assert not Organisation.objects.filter(pk=duplicate.pk).exists()
    kept.refresh_from_db()
    person.refresh_from_db()
    other.refresh_from_db()
    partner.refresh_from_db()
    covered.refresh_from_db()
    issuer.refresh_from_db()
    member.refresh_from_db()
    assert person.organisation == kept
    assert other.lead == kept and other.funder == kept
    assert partner.organisation == kept and member.partner == partner
    assert covered.represented_by == kept
    assert list(covering.covered_organisations.all()) == [kept]
    assert issuer.organisation == kept
    # The duplicate was registered: the kept one is too, and keeps its coordinators.
    assert kept.is_registered and kept.coordinators.filter(user=coordinator).exists()
    assert kept.company_code == "190000003"
    entry = AuditEntry.objects.get(action="organisation.merge")
    assert entry.actor == admin and entry.data["duplicate"] == duplicate.pk
    assert entry.data["moved"]["people.Person.organisation"] == 1


def test_merging_with_itself_is_refused(client, admin):
    organisation = OrganisationFactory()
    client.force_login(admin)
    response = client.post(
        reverse("organisations:merge", args=[organisation.pk]),
        {"kept": organisation.pk, "confirm": "on"},
    )
    assert response.status_code == 200
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    with pytest.raises(ValidationError, match="su ja pačia|itself"):
        organisation_merge(actor=admin, duplicate=organisation, kept=organisation)


def test_merge_needs_the_confirmation(client, admin):
    duplicate, kept = OrganisationFactory(), OrganisationFactory()
    client.force_login(admin)
    response = client.post(reverse("organisations:merge", args=[duplicate.pk]), {"kept": kept.pk})
    assert response.status_code == 200
    assert "Pažymėkite langelį" in response.text
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


def test_two_partners_of_one_project_are_refused_and_nothing_moves(client, world, admin):
    duplicate = OrganisationFactory(name="Dublikatas")
    PartnerFactory(project=world.project, organisation=duplicate)
    person = PersonFactory(organisation=duplicate)
    client.force_login(admin)
    response = client.post(
        reverse("organisations:merge", args=[duplicate.pk]),
        {"kept": world.partner_b.organisation.pk, "confirm": "on"},
    )
    assert response.status_code == 200
    assert "Abi organizacijos yra projekto UTENA-T partnerės" in response.text
    person.refresh_from_db()
    assert person.organisation == duplicate
    assert not AuditEntry.objects.filter(action="organisation.merge").exists()


def test_different_company_codes_are_refused(admin):
    duplicate = OrganisationFactory(company_code="190000004")
    kept = OrganisationFactory(company_code="190000005")
    with pytest.raises(ValidationError):
        organisation_merge(actor=admin, duplicate=duplicate, kept=kept)
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


def test_a_coordinator_of_both_stays_one_coordinator(admin):
    duplicate, kept = OrganisationFactory(), OrganisationFactory()
    user = UserFactory()
    make_coordinator(duplicate, user)
    make_coordinator(kept, user)
    organisation_merge(actor=admin, duplicate=duplicate, kept=kept)
    assert kept.coordinators.filter(user=user).count() == 1


def test_only_a_site_administrator_merges(world):
    duplicate = OrganisationFactory()
    with pytest.raises(ValidationError):
        organisation_merge(actor=world.alice, duplicate=duplicate, kept=world.lead)
    assert Organisation.objects.filter(pk=duplicate.pk).exists()


def test_the_merge_page_says_what_will_move(client, world, admin):
    client.force_login(admin)
    text = client.get(reverse("organisations:merge", args=[world.partner_b.organisation.pk])).text
    assert "1 darbuotojas" in text
    assert "To atšaukti negalima" in text
