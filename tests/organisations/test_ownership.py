"""Organisations own their people: the ways in through a self-made project are closed.

Each test is one hole the outside security test found, tried by the strangers of the world
fixture (charlie, coordinator of another registered organisation with a project of his own;
dana, a member of the public with a confirmed application and a password) through the pages
and the API.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.organisations.services import organisation_create
from kvalis.people import services as people_services
from kvalis.people.models import Person
from kvalis.projects import services
from kvalis.projects.models import Partner, Project
from tests.factories import OrganisationFactory, PersonFactory, UserFactory, make_coordinator


def _new_project_form(lead, code="ISIBROVEJAS"):
    return {
        "code": code,
        "title": "Mano projektas",
        "lead": lead.pk,
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "currency": "EUR",
        "grant_amount": "1000",
        "planned_participants": "0",
        "planned_academic_hours": "0",
        "planned_certificates": "0",
    }


def _people_seen(client, code) -> str:
    page = client.get(reverse("people:list", args=[code])).content.decode()
    api = client.get(reverse("api:project_people", args=[code])).content.decode()
    return page + api


# --- Hole 1: a self-made project reads and edits another institution's staff ---------------


def test_member_of_the_public_cannot_start_a_project(client, world):
    client.force_login(world.dana)
    assert client.get(reverse("projects:create")).status_code == 404
    response = client.post(reverse("projects:create"), _new_project_form(world.lead))
    assert response.status_code == 404
    assert not Project.objects.filter(code="ISIBROVEJAS").exists()


def test_a_project_is_led_only_by_ones_own_registered_organisation(client, world):
    client.force_login(world.charlie)
    response = client.post(reverse("projects:create"), _new_project_form(world.lead))
    assert response.status_code == 200
    assert not Project.objects.filter(code="ISIBROVEJAS").exists()
    response = client.post(
        reverse("projects:create"), _new_project_form(world.other_project.lead, "MANO")
    )
    assert response.status_code == 302
    assert Project.objects.get(code="MANO").lead == world.other_project.lead


def test_the_service_refuses_a_lead_the_actor_does_not_coordinate(world):
    with pytest.raises(ValidationError):
        services.project_create(
            actor=world.charlie,
            code="SVETIMAS",
            title="x",
            lead=world.lead,
            start_date="2027-01-01",
            end_date="2027-02-01",
        )


def test_a_new_organisation_never_reuses_an_existing_one_by_name(world):
    with pytest.raises(ValidationError):
        organisation_create(
            actor=world.charlie,
            name=world.lead.name.upper(),
            type="library",
            municipality=world.lead.municipality,
        )


def test_adding_another_organisation_as_partner_shows_none_of_its_people(client, world):
    """charlie invites partner B's organisation (and names the lead as an institution it
    nominates for): the partnership waits for B's answer and his project sees nobody."""
    client.force_login(world.charlie)
    code = world.other_project.code
    client.post(
        reverse("projects:partner_add", args=[code]),
        {"organisation": world.partner_b.organisation.pk, "role": "sending"},
    )
    partner = Partner.objects.get(
        project=world.other_project, organisation=world.partner_b.organisation
    )
    assert partner.status == "invited"
    seen = _people_seen(client, code)
    assert world.person_b.email not in seen and world.person_b.last_name not in seen
    # The lead of world.project is registered: nobody nominates for it but itself.
    response = client.post(
        reverse("projects:partner_add", args=[code]),
        {
            "organisation": OrganisationFactory(name="Kita").pk,
            "role": "sending",
            "covered_organisations": [world.lead.pk],
        },
    )
    assert response.status_code == 200
    assert world.person_a.email not in _people_seen(client, code)


def test_nominating_for_an_institution_needs_to_represent_it(world):
    stranger = OrganisationFactory(name="Kaimo muziejus")
    PersonFactory(organisation=stranger, last_name="Muziejininkė")
    with pytest.raises(ValidationError):
        services.partner_update(
            actor=world.charlie,
            partner=world.other_project.partners.get(role="lead"),
            covered_organisations=[stranger],
        )


def test_a_strangers_project_cannot_edit_a_person_it_does_not_see(client, world):
    client.force_login(world.charlie)
    url = reverse("people:edit", args=[world.other_project.code, world.person_b.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"first_name": "X", "last_name": "Y", "email": "a@b.lt"})
    assert response.status_code == 404
    world.person_b.refresh_from_db()
    assert world.person_b.email != "a@b.lt"


# --- A partnership is accepted, not taken ------------------------------------------------------


def test_partner_organisation_accepts_then_leaves(client, world):
    partner = services.partner_add(
        actor=world.charlie,
        project=world.other_project,
        organisation=world.partner_b.organisation,
        role="sending",
    )
    code = world.other_project.code
    client.force_login(world.charlie)
    assert world.person_b.email not in _people_seen(client, code)

    client.force_login(world.bob)
    page = client.get(reverse("organisations:partnerships"))
    assert world.other_project.title in page.text
    client.post(reverse("organisations:partnership_answer", args=[partner.pk, "accept"]))
    partner.refresh_from_db()
    assert partner.status == "accepted"
    assert world.other_project.memberships.filter(user=world.bob).exists()

    client.force_login(world.charlie)
    assert world.person_b.email in _people_seen(client, code)

    client.force_login(world.bob)
    leave = reverse("organisations:partnership_answer", args=[partner.pk, "leave"])
    assert "lieka įrašyta" in client.get(leave).text  # it says what leaving means first
    client.post(leave)
    partner.refresh_from_db()
    assert partner.status == "left"
    assert not world.other_project.memberships.filter(user=world.bob).exists()
    client.force_login(world.charlie)
    assert world.person_b.email not in _people_seen(client, code)


def test_only_the_partner_organisation_answers_its_invitation(client, world):
    partner = services.partner_add(
        actor=world.charlie,
        project=world.other_project,
        organisation=world.partner_b.organisation,
        role="sending",
    )
    for stranger in (world.alice, world.dana):
        client.force_login(stranger)
        answer = reverse("organisations:partnership_answer", args=[partner.pk, "accept"])
        assert client.post(answer).status_code == 404
    partner.refresh_from_db()
    assert partner.status == "invited"


def test_the_invitation_is_mailed_to_the_partner_organisations_coordinators(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_add(
            actor=world.charlie,
            project=world.other_project,
            organisation=world.partner_b.organisation,
            role="sending",
        )
    assert [m.to for m in mailoutbox] == [[world.bob.email]]
    assert "/organisations/partnerships/" in mailoutbox[0].body


def test_a_partner_coordinator_is_invited_only_once_the_partner_accepted(world):
    partner = services.partner_add(
        actor=world.charlie,
        project=world.other_project,
        organisation=world.partner_b.organisation,
        role="sending",
    )
    with pytest.raises(ValidationError):
        services.membership_invite(
            actor=world.charlie,
            project=world.other_project,
            email="charlie.antras@example.lt",
            role="partner_coordinator",
            partner=partner,
        )


# --- People belong to their employer -----------------------------------------------------------


def test_project_coordinator_corrects_only_the_position_category_of_anothers_staff(client, world):
    """alice sees partner B's people in her project, but their identity is B's to keep."""
    client.force_login(world.alice)
    url = reverse("people:edit", args=[world.project.code, world.person_b.pk])
    page = client.get(url)
    assert 'name="email"' not in page.text and 'name="position_category"' in page.text
    client.post(
        url,
        {"email": "attacker@example.org", "first_name": "Kita", "position_category": "head"},
    )
    person = Person.objects.get(pk=world.person_b.pk)
    assert person.email == world.person_b.email and person.first_name == world.person_b.first_name
    assert person.position_category == "head"
    with pytest.raises(ValidationError):
        people_services.person_update(
            actor=world.alice, person=person, email="attacker@example.org"
        )


def test_the_employers_coordinator_changes_the_identity_and_sees_every_change(client, world):
    people_services.person_update(
        actor=world.alice, person=world.person_b, project=world.project, position_category="head"
    )
    client.force_login(world.bob)
    url = reverse("people:edit", args=[world.project.code, world.person_b.pk])
    response = client.post(
        url,
        {
            "first_name": "Ona",
            "last_name": "Naujoji",
            "email": "ona.naujoji@example.lt",
            "organisation": world.partner_b.organisation.pk,
            "position": "vedėja",
            "position_category": "head",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=world.person_b.pk)
    assert person.last_name == "Naujoji" and person.email_verified
    entries = AuditEntry.objects.filter(object_type="people.person", object_id=str(person.pk))
    assert {e.organisation_id for e in entries} == {world.partner_b.organisation.pk}
    detail = client.get(reverse("people:detail", args=[world.project.code, person.pk]))
    assert world.alice.email in detail.text  # alice's correction is in bob's history


# --- Hole 2: a login's address is the identity -------------------------------------------------


def test_the_address_of_a_person_with_a_login_is_changed_by_nobody_but_its_holder(world):
    login = UserFactory(email=world.person_b.email)
    world.person_b.user = login
    world.person_b.save()
    with pytest.raises(ValidationError):
        people_services.person_update(
            actor=world.bob, person=world.person_b, email="attacker@example.org"
        )


def test_no_login_is_made_at_an_address_typed_by_a_stranger(world):
    """An address someone typed into the public form, never confirmed, gets no login."""
    from kvalis.enrolment.services import _ensure_login

    person = PersonFactory(organisation=world.lead, email="typed@example.org", email_verified=False)
    assert _ensure_login(person, language="lt") is None
    person.refresh_from_db()
    assert person.user_id is None


def test_a_registered_organisations_coordinator_is_its_keeper(world):
    from kvalis import ownership

    museum = OrganisationFactory(
        name="Rajono muziejus", represented_by=world.partner_b.organisation
    )
    assert ownership.keeps(world.bob, museum)
    assert not ownership.keeps(world.alice, museum)
    assert not ownership.keeps(world.charlie, world.partner_b.organisation)
    newcomer = UserFactory()
    make_coordinator(museum.represented_by, newcomer)
    assert ownership.keeps(newcomer, museum)


def test_a_site_administrator_registers_an_organisation_and_names_its_coordinator(client, world):
    from kvalis import ownership

    admin = UserFactory(is_staff=True, is_superuser=True)
    museum = OrganisationFactory(name="Kauno muziejus", represented_by=world.lead)
    newcomer = UserFactory(email="muziejus@example.lt")
    assert not ownership.may_start_project(newcomer)
    client.force_login(admin)
    client.post(
        reverse("admin:organisations_organisation_changelist"),
        {"action": "register", "_selected_action": [museum.pk]},
    )
    museum.refresh_from_db()
    assert museum.is_registered and museum.represented_by is None
    from kvalis.organisations.services import organisation_coordinator_add

    organisation_coordinator_add(actor=admin, organisation=museum, user=newcomer)
    assert ownership.may_start_project(newcomer)
    assert list(ownership.lead_choices(newcomer)) == [museum]
    assert AuditEntry.objects.filter(action="organisation.register").exists()


def test_an_unregistered_organisation_has_no_coordinators(world):
    from kvalis.organisations.services import organisation_coordinator_add

    with pytest.raises(ValidationError):
        organisation_coordinator_add(
            actor=None, organisation=OrganisationFactory(), user=world.dana
        )
