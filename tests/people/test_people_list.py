"""The people list: Lithuanian order, search, filters, pagination, an htmx partial."""

import re

from django.urls import reverse

from tests.factories import OrganisationFactory, PersonFactory

LITHUANIAN_ORDER = [
    "Cibas",
    "Čepas",
    "Ydra",
    "Įgėla",
    "Ivanas",
    "Jonas",
    "Stankus",
    "Šimkus",
    "Zabiela",
    "Žukas",
]


def _names(html: str) -> list[str]:
    return re.findall(r'/people/\d+/">([^<]+)</a>', html)


def test_people_are_listed_in_lithuanian_order(client, world):
    for last_name in reversed(LITHUANIAN_ORDER):
        PersonFactory(last_name=last_name, first_name="Ona", organisation=world.lead)
    world.person_a.delete()
    world.person_b.delete()
    client.force_login(world.alice)
    response = client.get(reverse("people:list", args=[world.project.code]))
    assert [name.split()[0] for name in _names(response.text)] == LITHUANIAN_ORDER


def test_people_list_is_paginated_by_50(client, world):
    for number in range(60):
        PersonFactory(organisation=world.lead, last_name=f"Asmuo{number:02}")
    client.force_login(world.alice)
    url = reverse("people:list", args=[world.project.code])
    first = client.get(url)
    assert len(_names(first.text)) == 50
    assert "62 asmenys" in first.text
    second = client.get(url, {"page": 2})
    assert len(_names(second.text)) == 12


def test_people_list_searches_by_name_and_email(client, world):
    PersonFactory(
        organisation=world.lead,
        first_name="Rūta",
        last_name="Žilinskienė",
        email="ruta.z@example.lt",
    )
    client.force_login(world.alice)
    url = reverse("people:list", args=[world.project.code])
    by_name = _names(client.get(url, {"q": "Žilinsk"}).text)
    by_email = _names(client.get(url, {"q": "ruta.z@"}).text)
    assert by_name == by_email == ["Žilinskienė Rūta"]


def test_people_list_filters_by_organisation_and_municipality(client, world):
    museum = OrganisationFactory(name="Zarasų krašto muziejus", municipality="zarasu-r")
    world.partner_a.covered_organisations.add(museum)
    PersonFactory(organisation=museum, last_name="Muziejininkė")
    client.force_login(world.alice)
    url = reverse("people:list", args=[world.project.code])
    assert [n.split()[0] for n in _names(client.get(url, {"organisation": museum.pk}).text)] == [
        "Muziejininkė"
    ]
    by_municipality = _names(client.get(url, {"municipality": "zarasu-r"}).text)
    assert [n.split()[0] for n in by_municipality] == ["Muziejininkė"]


def test_filtering_with_htmx_returns_only_the_table(client, world):
    client.force_login(world.alice)
    response = client.get(
        reverse("people:list", args=[world.project.code]),
        {"q": "Jonait"},
        headers={"HX-Request": "true", "HX-Target": "people-results"},
    )
    assert response.text.lstrip().startswith('<div id="people-results">')
    assert "<html" not in response.text
    assert "Jonaitė" in response.text


def test_people_list_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for number in range(30):
        PersonFactory(organisation=world.lead, last_name=f"Asmuo{number:02}")
    client.force_login(world.alice)
    with django_assert_max_num_queries(15):
        client.get(reverse("people:list", args=[world.project.code]))
