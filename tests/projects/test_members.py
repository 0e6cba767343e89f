"""Members and invitations: a coordinator invites a partner coordinator, a funder observer or
another coordinator by e-mail; the invitation carries a working set-password link."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from kvalis.accounts.models import User
from kvalis.audit.models import AuditEntry
from kvalis.projects.models import Membership
from kvalis.projects.services import membership_invite
from tests.factories import PersonFactory


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _invite(client, world, **data):
    return client.post(reverse("projects:members", args=[world.project.code]), data)


def test_invitation_creates_login_membership_and_sends_a_set_password_link(
    alice, world, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(
            alice,
            world,
            email="Rima@Example.lt",
            first_name="Rima",
            last_name="Rimaitė",
            role="partner_coordinator",
            partner=world.partner_b.pk,
        )
    assert response.status_code == 302
    user = User.objects.get(email="rima@example.lt")
    assert not user.has_usable_password()
    membership = Membership.objects.get(project=world.project, user=user)
    assert membership.partner == world.partner_b
    assert AuditEntry.objects.filter(action="membership.invite", project=world.project).exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rima@example.lt"]
    assert world.project.code in message.subject
    assert "partnerio koordinatorius" in message.body
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)

    client.logout()
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else "/" + path
    saved = client.post(
        form_url,
        {"new_password1": "Saugus-slaptažodis-2014", "new_password2": "Saugus-slaptažodis-2014"},
    )
    assert saved.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Saugus-slaptažodis-2014")
    assert client.login(email="rima@example.lt", password="Saugus-slaptažodis-2014")
    assert client.get(reverse("projects:detail", args=[world.project.code])).status_code == 200


def test_inviting_an_existing_login_sends_no_password_link(
    alice, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(alice, world, email=world.charlie.email, role="funder_observer")
    assert Membership.objects.get(project=world.project, user=world.charlie).partner is None
    assert "/accounts/reset/" not in mail.outbox[0].body
    assert "/accounts/login/" in mail.outbox[0].body


def test_invitation_links_the_person_with_that_email(alice, world):
    person = PersonFactory(email="vida@example.lt", organisation=world.lead)
    _invite(alice, world, email="vida@example.lt", role="coordinator")
    person.refresh_from_db()
    assert person.user.email == "vida@example.lt"


def test_partner_coordinator_without_partner_is_refused(alice, world):
    users, members = User.objects.count(), Membership.objects.count()
    response = _invite(alice, world, email="be.partnerio@example.lt", role="partner_coordinator")
    assert "Partnerio koordinatoriui nurodykite partnerį" in response.text
    assert User.objects.count() == users
    assert Membership.objects.count() == members
    assert mail.outbox == []


def test_partner_coordinator_without_partner_is_refused_by_the_service(world):
    with pytest.raises(ValidationError) as error:
        membership_invite(
            actor=world.alice,
            project=world.project,
            email="x@example.lt",
            role="partner_coordinator",
        )
    assert "partner" in error.value.message_dict


def test_inviting_someone_twice_is_refused(alice, world):
    response = _invite(alice, world, email="BOB@example.lt", role="coordinator")
    assert "Šis asmuo jau turi vaidmenį projekte." in response.text
    assert (
        Membership.objects.get(project=world.project, user=world.bob).role == "partner_coordinator"
    )


def test_a_partner_of_another_project_cannot_be_chosen(alice, world):
    other = world.other_project.partners.get()
    before = Membership.objects.count()
    _invite(alice, world, email="n@example.lt", role="partner_coordinator", partner=other.pk)
    assert Membership.objects.count() == before


def test_remove_a_member_and_keep_the_last_coordinator(alice, world):
    bob = Membership.objects.get(project=world.project, user=world.bob)
    alice.post(reverse("projects:membership_remove", args=[world.project.code, bob.pk]))
    assert not Membership.objects.filter(pk=bob.pk).exists()

    own = Membership.objects.get(project=world.project, user=world.alice)
    response = alice.post(reverse("projects:membership_remove", args=[world.project.code, own.pk]))
    assert "Projektas turi turėti bent vieną koordinatorių." in response.text
    assert Membership.objects.filter(pk=own.pk).exists()


def test_members_page_lists_roles(alice, world):
    response = alice.get(reverse("projects:members", args=[world.project.code]))
    assert world.bob.email in response.text
    assert "partnerio koordinatorius" in response.text
