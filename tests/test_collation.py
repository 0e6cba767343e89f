"""Lithuanian alphabetical order through the ORM, the same on SQLite and PostgreSQL.

Run on both: `.venv/bin/pytest tests/test_collation.py`, then again with
`DATABASE_URL=postgres://kvalis:kvalis@127.0.0.1:5432/kvalis_qa`.
"""

import random
import unicodedata

import pytest
from django.db import connection

from kvalis.lib.collation import lt_order, lt_sorted
from kvalis.organisations.models import Organisation
from kvalis.people.models import Person
from tests.factories import OrganisationFactory, PersonFactory

# DESIGN.md: Č, Š, Ž are letters of their own after C, S, Z; Y files with I (and Į beside them).
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

ORGANISATIONS_IN_ORDER = [
    "Anykščių L. ir S. Didžiulių viešoji biblioteka",
    "Ąžuolų kultūros centras",
    "Čiurlionio muziejus",
    "Yčių biblioteka",  # Y is I: "ič..." before "ig..."
    "Ignalinos kultūros ir sporto centras",
    "Įstaigų asociacija",
    "Jonavos muziejus",
    "Molėtų krašto muziejus",
    "Sėkmės mokykla",
    "Šimonių biblioteka",
    "Utenos kraštotyros muziejus",
    "Zarasų krašto muziejus",
    "Žiobiškio biblioteka",
]


def shuffled(items: list[str]) -> list[str]:
    # A fixed shuffle that is far from the expected order, so insertion order cannot pass for it.
    result = list(items)
    random.Random(7).shuffle(result)
    assert result != items
    return result


@pytest.mark.django_db
def test_people_sort_in_lithuanian_order_by_last_name():
    for last_name in shuffled(LITHUANIAN_ORDER):
        PersonFactory(last_name=last_name, first_name="Ona")

    ordered = Person.objects.order_by(*lt_order("last_name", "first_name"))

    assert [person.last_name for person in ordered] == LITHUANIAN_ORDER


@pytest.mark.django_db
def test_descending_order_is_the_reverse():
    for last_name in shuffled(LITHUANIAN_ORDER):
        PersonFactory(last_name=last_name)

    ordered = Person.objects.order_by(*lt_order("-last_name"))

    assert [person.last_name for person in ordered] == LITHUANIAN_ORDER[::-1]


@pytest.mark.django_db
def test_first_name_breaks_ties_in_lithuanian_order():
    for first_name in ["Živilė", "Ieva", "Šarūnė", "Yvona", "Česlova", "Sigita", "Carina"]:
        PersonFactory(last_name="Kazlauskienė", first_name=first_name)

    ordered = Person.objects.order_by(*lt_order("last_name", "first_name"))

    assert [person.first_name for person in ordered] == [
        "Carina",
        "Česlova",
        "Ieva",
        "Yvona",  # Y is I: "iv..." after "ie..."
        "Sigita",
        "Šarūnė",
        "Živilė",
    ]


@pytest.mark.django_db
def test_organisations_sort_in_lithuanian_order():
    for name in shuffled(ORGANISATIONS_IN_ORDER):
        OrganisationFactory(name=name)

    ordered = Organisation.objects.order_by(*lt_order("name"))

    assert [organisation.name for organisation in ordered] == ORGANISATIONS_IN_ORDER


@pytest.mark.django_db
def test_case_does_not_split_the_alphabet():
    for last_name in ["žukas", "Cibas", "čepas", "Ydra", "ivanas", "Šimkus"]:
        PersonFactory(last_name=last_name)

    ordered = Person.objects.order_by(*lt_order("last_name"))

    assert [person.last_name for person in ordered] == [
        "Cibas",
        "čepas",
        "Ydra",
        "ivanas",
        "Šimkus",
        "žukas",
    ]


@pytest.mark.django_db
def test_names_equal_to_icu_sort_by_code_points_as_postgresql_does():
    """Composed and decomposed Č compare equal in ICU; both databases then order by code points
    (PostgreSQL's deterministic collations compare the bytes), so the order never depends on
    insertion order."""
    composed = unicodedata.normalize("NFC", "Čepas")
    decomposed = unicodedata.normalize("NFD", "Čepas")
    assert composed != decomposed
    PersonFactory(last_name=composed)
    PersonFactory(last_name=decomposed)

    ordered = Person.objects.order_by(*lt_order("last_name"))

    assert [person.last_name for person in ordered] == [decomposed, composed]


@pytest.mark.django_db
def test_python_order_matches_the_database():
    names = LITHUANIAN_ORDER + [name.lower() for name in LITHUANIAN_ORDER] + ORGANISATIONS_IN_ORDER
    for name in shuffled(names):
        OrganisationFactory(name=name)

    in_database = list(Organisation.objects.order_by(*lt_order("name")).values_list("name"))

    assert [name for (name,) in in_database] == lt_sorted(names)


@pytest.mark.django_db
def test_database_uses_its_lithuanian_collation():
    query = str(Person.objects.order_by(*lt_order("last_name")).query)
    expected = '"lt-x-icu"' if connection.vendor == "postgresql" else '"lt"'
    assert f"COLLATE {expected}" in query
