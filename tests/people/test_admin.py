"""The Django admin writes people through the service: audited, e-mail checked."""

from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.people.models import Person
from tests.factories import UserFactory


def _admin(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _data(world, **changes):
    data = {
        "first_name": "Irena",
        "last_name": "Žukienė",
        "email": "irena@example.lt",
        "phone": "",
        "organisation": world.lead.pk,
        "position": "muziejininkė",
        "position_category": "specialist",
        "user": "",
    }
    data.update(changes)
    return data


def test_admin_adds_a_person_through_the_service(client, world):
    response = _admin(client).post(reverse("admin:people_person_add"), _data(world))
    assert response.status_code == 302
    person = Person.objects.get(email="irena@example.lt")
    assert AuditEntry.objects.filter(action="person.create", object_id=str(person.pk)).exists()


def test_admin_refuses_an_email_of_another_person(client, world):
    before = Person.objects.count()
    response = _admin(client).post(
        reverse("admin:people_person_add"), _data(world, email=world.person_a.email.upper())
    )
    assert response.status_code == 200
    assert "Šis el. pašto adresas jau priklauso kitam asmeniui." in response.text
    assert Person.objects.count() == before


def test_admin_edits_a_person_through_the_service(client, world):
    url = reverse("admin:people_person_change", args=[world.person_a.pk])
    response = _admin(client).post(url, _data(world, email=world.person_a.email, last_name="Nauja"))
    assert response.status_code == 302
    world.person_a.refresh_from_db()
    assert world.person_a.last_name == "Nauja"
    assert AuditEntry.objects.filter(action="person.update").exists()
