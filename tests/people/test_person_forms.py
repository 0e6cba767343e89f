"""Adding and editing people: coordinators anyone in the consortium, partner coordinators only
their own organisations' people. An e-mail belongs to one person."""

from django.urls import reverse

from kvalis.people.models import Person
from tests.factories import EnrolmentFactory


def _data(organisation, **changes):
    data = {
        "first_name": "Aldona",
        "last_name": "Šimkienė",
        "email": "aldona@example.lt",
        "phone": "",
        "organisation": organisation.pk,
        "position": "bibliotekininkė",
        "position_category": "specialist",
    }
    data.update(changes)
    return data


def test_coordinator_adds_a_person(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("people:add", args=[world.project.code]), _data(world.lead))
    person = Person.objects.get(email="aldona@example.lt")
    assert response.status_code == 302
    assert person.organisation == world.lead


def test_email_taken_by_another_person_is_refused_in_any_case(client, world):
    client.force_login(world.alice)
    before = Person.objects.count()
    response = client.post(
        reverse("people:add", args=[world.project.code]),
        _data(world.lead, email=world.person_b.email.upper()),
    )
    assert "Šis el. pašto adresas jau priklauso kitam asmeniui." in response.text
    assert Person.objects.count() == before


def test_editing_to_another_persons_email_is_refused(client, world):
    client.force_login(world.alice)
    url = reverse("people:edit", args=[world.project.code, world.person_a.pk])
    response = client.post(url, _data(world.lead, email=world.person_b.email))
    assert "Šis el. pašto adresas jau priklauso kitam asmeniui." in response.text
    world.person_a.refresh_from_db()
    assert world.person_a.last_name == "Jonaitė"


def test_coordinator_edits_a_person(client, world):
    client.force_login(world.alice)
    url = reverse("people:edit", args=[world.project.code, world.person_a.pk])
    response = client.post(url, _data(world.lead, email=world.person_a.email, last_name="Jonienė"))
    assert response.status_code == 302
    world.person_a.refresh_from_db()
    assert world.person_a.last_name == "Jonienė"


def test_partner_coordinator_adds_people_only_to_own_organisations(client, world):
    client.force_login(world.bob)
    url = reverse("people:add", args=[world.project.code])
    page = client.get(url)
    assert world.partner_b.organisation.name in page.text
    assert world.lead.name not in page.text

    before = Person.objects.count()
    client.post(url, _data(world.lead))
    assert Person.objects.count() == before
    assert client.post(url, _data(world.partner_b.organisation)).status_code == 302
    assert Person.objects.count() == before + 1


def test_partner_coordinator_cannot_move_own_person_to_another_organisation(client, world):
    client.force_login(world.bob)
    url = reverse("people:edit", args=[world.project.code, world.person_b.pk])
    client.post(url, _data(world.lead, email=world.person_b.email))
    world.person_b.refresh_from_db()
    assert world.person_b.organisation == world.partner_b.organisation


def test_person_page_shows_employer_and_enrolments_of_this_project(client, world):
    EnrolmentFactory(person=world.person_a, cohort=world.cohort)
    client.force_login(world.alice)
    response = client.get(reverse("people:detail", args=[world.project.code, world.person_a.pk]))
    assert world.lead.name in response.text
    assert world.cohort.name in response.text
    assert world.activity.title in response.text
