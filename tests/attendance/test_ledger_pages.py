"""The hours ledger page: 50 people a page, filters by name, employer, activity and cohort that
the page links and the exports keep, and a clear message for a filter value that is not valid."""

import csv
import io
import re

from django.urls import reverse

from tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PersonFactory,
    SessionFactory,
)


def _names(html: str) -> list[str]:
    return re.findall(r'/hours/\d+/">([^<]+)</a>', html)


def _attended(world, count: int, *, organisation=None, last="Asmuo"):
    people = []
    for number in range(count):
        person = PersonFactory(
            organisation=organisation or world.lead, last_name=f"{last}{number:02}"
        )
        enrolment = EnrolmentFactory(cohort=world.cohort, person=person)
        AttendanceFactory(enrolment=enrolment, session=world.session)
        people.append(person)
    return people


def _url(world) -> str:
    return reverse("attendance:hours", args=[world.project.code])


def test_the_ledger_shows_50_people_a_page(client, world):
    _attended(world, 62)
    client.force_login(world.alice)
    first = client.get(_url(world))
    assert len(_names(first.text)) == 50
    assert "62 asmenys" in first.text
    assert "1 puslapis iš 2" in first.text
    assert len(_names(client.get(_url(world), {"page": 2}).text)) == 12


def test_page_links_and_exports_keep_the_filters(client, world):
    _attended(world, 55, last="Petraitis")
    _attended(world, 3, last="Kazlauskas")
    client.force_login(world.alice)
    page = client.get(_url(world), {"q": "Petrait"}).text
    assert "55 asmenys" in page
    assert "?q=Petrait&amp;page=2" in page
    second = client.get(_url(world), {"q": "Petrait", "page": 2}).text
    assert len(_names(second)) == 5
    assert all(name.startswith("Petraitis") for name in _names(second))
    csv_link = reverse("attendance:hours_csv", args=[world.project.code]) + "?q=Petrait"
    assert csv_link in page
    export = client.get(csv_link)
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))[1:]
    assert len(rows) == 55, "the export takes everyone filtered, not one page"
    assert all(row[0].startswith("Petraitis") for row in rows)


def test_the_ledger_filters_by_employer(client, world):
    museum = OrganisationFactory(name="Molėtų krašto muziejus")
    _attended(world, 2)
    _attended(world, 3, organisation=museum, last="Muziejininkas")
    client.force_login(world.alice)
    names = _names(client.get(_url(world), {"organisation": museum.pk}).text)
    assert len(names) == 3 and all(name.startswith("Muziejininkas") for name in names)


def test_with_a_cohort_chosen_only_its_hours_count(client, world):
    [person] = _attended(world, 1, last="Jonaitienė")
    other = CohortFactory(
        activity=ActivityFactory(project=world.project, title="Projektų valdymas")
    )
    session = SessionFactory(cohort=other)
    AttendanceFactory(enrolment=EnrolmentFactory(cohort=other, person=person), session=session)
    client.force_login(world.alice)
    everything = client.get(_url(world)).text
    assert re.search(r">16</td>", everything), "8 + 8 academic hours in the whole project"
    one = client.get(_url(world), {"cohort": other.pk}).text
    assert _names(one) == [f"{person.last_name} {person.first_name}"]
    assert re.search(r">8</td>", one) and not re.search(r">16</td>", one)
    assert "Skaičiuojama tik pasirinkta veikla ar grupė" in one
    by_activity = client.get(_url(world), {"activity": world.activity.pk}).text
    assert re.search(r">8</td>", by_activity)


def test_a_bad_filter_value_is_named_and_the_others_still_apply(client, world):
    _attended(world, 2, last="Petraitis")
    _attended(world, 2, last="Kazlauskas")
    foreign = CohortFactory(activity=ActivityFactory(project=world.other_project))
    client.force_login(world.alice)
    for value in ["abc", "²", str(foreign.pk), "9" * 23]:
        response = client.get(_url(world), {"q": "Kazlausk", "cohort": value})
        assert response.status_code == 200, value
        assert "Kai kurie filtrai nepritaikyti" in response.text, value
        assert len(_names(response.text)) == 2, value
        assert all(name.startswith("Kazlauskas") for name in _names(response.text))


def test_a_page_number_past_the_end_shows_the_last_page(client, world):
    _attended(world, 3)
    client.force_login(world.alice)
    response = client.get(_url(world), {"page": 99})
    assert response.status_code == 200 and len(_names(response.text)) == 3


def test_partner_sees_only_their_people_and_outsider_gets_404(client, world):
    _attended(world, 2, last="Utenietis")
    _attended(world, 2, organisation=world.partner_b.organisation, last="Molėtiškis")
    client.force_login(world.bob)
    names = _names(client.get(_url(world)).text)
    assert len(names) == 2 and all(name.startswith("Molėtiškis") for name in names)
    client.force_login(world.charlie)
    assert client.get(_url(world)).status_code == 404


def test_the_employer_is_typed_not_chosen_from_every_organisation(client, world):
    """A national programme has 2 000 employers: the filter is a text box (its name, or part
    of it), and a name nobody matches is named while the other filters still apply."""
    museum = OrganisationFactory(name="Molėtų krašto muziejus")
    _attended(world, 2)
    _attended(world, 3, organisation=museum, last="Muziejininkas")
    client.force_login(world.alice)
    page = client.get(_url(world)).text
    assert "Molėtų krašto muziejus</option>" not in page
    names = _names(client.get(_url(world), {"organisation": "krašto muziej"}).text)
    assert len(names) == 3 and all(name.startswith("Muziejininkas") for name in names)
    response = client.get(_url(world), {"organisation": "Niekur nėra", "q": "Muziejinink"})
    assert response.status_code == 200
    assert "Kai kurie filtrai nepritaikyti" in response.text
    assert len(_names(response.text)) == 3


def test_each_page_is_in_lithuanian_order_and_costs_the_same_queries(client, world):
    """Who is on a page is found in the database by the stored sort key; only the page's
    people's hours are worked out, so a page's queries do not grow with the programme."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for last_name in ["Žukas", "Šimkus", "Čepas", "Cibulskis", "Ąžuolas", "Sėla", "Zarasas"]:
        person = PersonFactory(organisation=world.lead, last_name=last_name, first_name="Jonas")
        enrolment = EnrolmentFactory(cohort=world.cohort, person=person)
        AttendanceFactory(enrolment=enrolment, session=world.session)
    client.force_login(world.alice)
    names = [name.split()[0] for name in _names(client.get(_url(world)).text)]
    assert names == ["Ąžuolas", "Cibulskis", "Čepas", "Sėla", "Šimkus", "Zarasas", "Žukas"]
    with CaptureQueriesContext(connection) as few:
        client.get(_url(world))
    _attended(world, 60)
    with CaptureQueriesContext(connection) as many:
        second = client.get(_url(world), {"page": 2}).text
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(_names(second)) == 17
