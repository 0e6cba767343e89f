"""People pages: who sees whom. A partner coordinator never sees another partner's people."""

from django.urls import reverse

from tests.factories import PersonFactory


def _urls(w, person):
    code = w.project.code
    return [
        reverse("people:list", args=[code]),
        reverse("people:add", args=[code]),
        reverse("people:detail", args=[code, person.pk]),
        reverse("people:edit", args=[code, person.pk]),
    ]


def test_coordinator_opens_people_pages(client, world):
    client.force_login(world.alice)
    for url in _urls(world, world.person_a):
        assert client.get(url).status_code == 200, url


def test_partner_coordinator_opens_own_people(client, world):
    client.force_login(world.bob)
    for url in _urls(world, world.person_b):
        assert client.get(url).status_code == 200, url


def test_partner_coordinator_cannot_see_other_partners_people(client, world):
    client.force_login(world.bob)
    listing = client.get(reverse("people:list", args=[world.project.code]))
    assert world.person_b.last_name in listing.text
    assert world.person_a.last_name not in listing.text
    for name in ("people:detail", "people:edit"):
        url = reverse(name, args=[world.project.code, world.person_a.pk])
        assert client.get(url).status_code == 404


def test_outsider_gets_404_for_people_pages(client, world):
    client.force_login(world.charlie)
    for url in _urls(world, world.person_a):
        assert client.get(url).status_code == 404, url


def test_person_of_no_consortium_organisation_is_404_for_coordinator(client, world):
    stranger = PersonFactory()
    client.force_login(world.alice)
    url = reverse("people:detail", args=[world.project.code, stranger.pk])
    assert client.get(url).status_code == 404
