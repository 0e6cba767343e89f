"""A coordinator of a registered organisation invites a colleague as a further coordinator,
through the same invited-login path as an approved join request."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from kvalis.accounts.models import User
from kvalis.organisations.models import OrganisationCoordinator
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _invite(client, world, **changes):
    data = {"first_name": "Rūta", "last_name": "Kolegė", "email": "ruta@utena.lt", **changes}
    return client.post(reverse("organisations:coordinator_invite", args=[world.lead.pk]), data)


def test_a_coordinator_invites_a_colleague(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.alice)
    assert (
        "Pakviesti koordinatorių"
        in client.get(reverse("organisations:detail", args=[world.lead.pk])).text
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, world)
    assert response.status_code == 302
    ruta = User.objects.get(email="ruta@utena.lt")
    assert not ruta.has_usable_password()
    assert OrganisationCoordinator.objects.filter(organisation=world.lead, user=ruta).exists()
    [invitation] = mail.outbox
    assert invitation.to == ["ruta@utena.lt"]
    assert invitation.body.startswith("Sveiki, Rūta,\n")  # the colleague's first name
    assert re.search(r"/accounts/reset/\S+/", invitation.body)


def test_inviting_twice_is_refused_and_mails_once(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, world)
        response = _invite(client, world)
    assert response.status_code == 200
    assert "jau yra organizacijos" in response.text
    assert len(mail.outbox) == 1


def test_an_address_of_another_persons_login_is_refused(
    client, world, django_capture_on_commit_callbacks
):
    UserFactory(email="ruta@utena.lt", first_name="Petras", last_name="Kitas")
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, world)
    assert response.status_code == 200
    assert "Šis adresas priklauso kito asmens paskyrai" in response.text
    assert not OrganisationCoordinator.objects.filter(user__email="ruta@utena.lt").exists()
    assert mail.outbox == []


def test_empty_names_are_refused(client, world):
    client.force_login(world.alice)
    response = _invite(client, world, first_name="", last_name="")
    assert response.status_code == 200
    assert not User.objects.filter(email="ruta@utena.lt").exists()


@pytest.mark.parametrize("persona", ["bob", "charlie", "dana"])
def test_others_cannot_invite_coordinators_of_the_lead(client, world, persona):
    client.force_login(getattr(world, persona))
    response = _invite(client, world)
    assert response.status_code == 404
    assert not User.objects.filter(email="ruta@utena.lt").exists()


def test_an_unregistered_organisation_has_no_coordinators_to_invite(client, world):
    centre = OrganisationFactory(represented_by=world.lead)
    client.force_login(world.alice)
    url = reverse("organisations:coordinator_invite", args=[centre.pk])
    assert client.get(url).status_code == 404
