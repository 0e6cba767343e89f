"""A roster exported (XLSX or CSV) re-imports into another cohort with the import service without
a single row error, and its people are matched as the same people: no one is created twice."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kvalis.enrolment import imports
from kvalis.enrolment.models import Enrolment, ImportStatus
from kvalis.people.models import Person
from tests.factories import CohortFactory, EnrolmentFactory, PersonFactory


@pytest.fixture
def roster(world):
    """The world's cohort with the kinds of people a real staff list has: a phone stored as
    +370…, a name with Lithuanian letters, someone without an e-mail or phone, a partner's
    librarian, a position that starts with a capital and a dot."""
    lead = world.lead
    people = [
        PersonFactory(
            first_name="Aušra",
            last_name="Žemaitytė-Šimkienė",
            email="ausra.simkiene@example.lt",
            phone="+37061200005",
            organisation=lead,
            position="vyr. bibliotekininkė",
        ),
        PersonFactory(
            first_name="Jonas Petras",
            last_name="Čepas",
            email="",
            phone="",
            organisation=lead,
            position="Direktoriaus pavaduotojas",
            position_category="deputy",
        ),
        PersonFactory(
            first_name="Rūta",
            last_name="O'Brien",
            email="ruta.obrien@example.lt",
            phone="+442079460958",
            organisation=world.partner_b.organisation,
            position="kultūrinių renginių organizatorė",
            position_category="manager",
        ),
    ]
    for person in people:
        EnrolmentFactory(person=person, cohort=world.cohort)
    start = date.today() + timedelta(days=20)
    target = CohortFactory(activity=world.activity, start_date=start, end_date=start, capacity=30)
    return people, target


def _export(client, world, fmt: str) -> bytes:
    client.force_login(world.alice)
    response = client.get(
        reverse(f"enrolment:roster_{fmt}", args=[world.project.code, world.cohort.pk])
    )
    assert response.status_code == 200
    return response.content


def _reimport(world, target, name: str, data: bytes, capture):
    batch = imports.import_create(
        actor=world.alice,
        project=world.project,
        cohort=target,
        partner=None,
        name=name,
        data=data,
    )
    batch = imports.import_read(batch_id=batch.pk)
    assert batch.status == ImportStatus.MAPPING, batch.message
    with capture(execute=True):
        imports.import_map(actor=world.alice, batch=batch, mapping=batch.mapping)
    batch.refresh_from_db()
    return batch


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_exported_roster_reimports_without_an_error_and_as_the_same_people(
    client, world, roster, fmt, django_capture_on_commit_callbacks
):
    people, target = roster
    data = _export(client, world, fmt)
    if fmt == "xlsx":
        # The phone is a text cell as stored, no apostrophe in front (the CSV has one).
        sheet = load_workbook(io.BytesIO(data)).active
        phones = [cell for cell in sheet["D"] if cell.value == "+37061200005"]
        assert len(phones) == 1 and phones[0].data_type == "s"
    else:
        assert ";'+37061200005;" in data.decode("utf-8-sig")
    people_before = Person.objects.count()

    batch = _reimport(world, target, f"dalyviai.{fmt}", data, django_capture_on_commit_callbacks)

    # Every field the import knows is recognised by the export's (Lithuanian) headers.
    assert set(batch.mapping) >= {
        "first_name",
        "last_name",
        "email",
        "phone",
        "organisation",
        "position",
        "position_category",
    }
    assert batch.status == ImportStatus.VALIDATED
    problems = {row["number"]: row["errors"] for row in batch.results if row["errors"]}
    assert problems == {}
    assert batch.error_rows == 0
    # Each row is one of the people already in Kvalis (by e-mail, or name and employer).
    assert sorted(row["person"] for row in batch.results) == sorted(p.pk for p in people)
    assert {row["action"] for row in batch.results} == {"link"}

    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(actor=world.alice, batch=batch, notify=False)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE, batch.message
    assert Person.objects.count() == people_before
    enrolled = Enrolment.objects.filter(cohort=target).values_list("person_id", flat=True)
    assert sorted(enrolled) == sorted(p.pk for p in people)
    # The people's records are as they were: the round trip changed nothing.
    for person in people:
        stored = Person.objects.get(pk=person.pk)
        assert (stored.first_name, stored.last_name, stored.email, stored.phone) == (
            person.first_name,
            person.last_name,
            person.email,
            person.phone,
        )
        assert stored.position == person.position
