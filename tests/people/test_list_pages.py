"""The people list's pages and filters: page links keep the filters, a cohort filter, and a
clear message (never a 500) for a filter value that is not valid; the other filters still
apply."""

import re

from django.urls import reverse

from tests.factories import ActivityFactory, CohortFactory, EnrolmentFactory, PersonFactory


def _names(html: str) -> list[str]:
    return re.findall(r'/people/\d+/">([^<]+)</a>', html)


def _url(world) -> str:
    return reverse("people:list", args=[world.project.code])


def test_page_links_keep_the_filters(client, world):
    for number in range(53):
        PersonFactory(organisation=world.lead, last_name=f"Petraitis{number:02}")
    client.force_login(world.alice)
    page = client.get(_url(world), {"q": "Petrait", "organisation": world.lead.pk}).text
    assert f"?q=Petrait&amp;organisation={world.lead.pk}&amp;page=2" in page
    second = client.get(
        _url(world), {"q": "Petrait", "organisation": world.lead.pk, "page": 2}
    ).text
    assert len(_names(second)) == 3
    assert "2 puslapis iš 2" in second


def test_the_list_filters_by_cohort(client, world):
    enrolled = PersonFactory(organisation=world.lead, last_name="Dalyvė")
    cancelled = PersonFactory(organisation=world.lead, last_name="Atsisakiusi")
    EnrolmentFactory(cohort=world.cohort, person=enrolled, status="confirmed")
    EnrolmentFactory(cohort=world.cohort, person=cancelled, status="cancelled")
    client.force_login(world.alice)
    names = _names(client.get(_url(world), {"cohort": world.cohort.pk}).text)
    assert names == [f"Dalyvė {enrolled.first_name}"]


def test_a_bad_filter_value_is_named_and_the_others_still_apply(client, world):
    PersonFactory(organisation=world.lead, last_name="Kazlauskas")
    foreign = CohortFactory(activity=ActivityFactory(project=world.other_project))
    client.force_login(world.alice)
    for parameter, value in [
        ("cohort", "abc"),
        ("cohort", str(foreign.pk)),
        ("organisation", "²"),
        ("municipality", "nowhere"),
    ]:
        response = client.get(_url(world), {"q": "Kazlausk", parameter: value})
        assert response.status_code == 200, (parameter, value)
        assert "Kai kurie filtrai nepritaikyti" in response.text, (parameter, value)
        assert [n.split()[0] for n in _names(response.text)] == ["Kazlauskas"], (parameter, value)


def test_partner_lists_only_their_people_and_outsider_gets_404(client, world):
    client.force_login(world.bob)
    names = _names(client.get(_url(world)).text)
    assert [n.split()[0] for n in names] == [world.person_b.last_name]
    client.force_login(world.charlie)
    assert client.get(_url(world)).status_code == 404


def test_the_pages_cover_the_scope_once_in_lithuanian_order(world):
    """`person_list_page` (the scope compiled once for the count and the slice): every page
    together is the scope in Lithuanian order, a page past the end is the last page, and a
    scope that matches nothing is one empty page."""
    from kvalis.people.models import Person
    from kvalis.people.selectors import person_list_page
    from tests.factories import OrganisationFactory

    museum = OrganisationFactory()
    for last_name in ["Žukas", "Šimkus", "Čepas", "Cibulskis", "Ąžuolas", "Adomaitis", "Sėla"]:
        PersonFactory(organisation=museum, last_name=last_name, first_name="Jonas")
    people = Person.objects.filter(organisation=museum)
    expected = list(people.order_by("sort_key", "pk").values_list("pk", flat=True))
    pages = [person_list_page(people, number, per_page=3) for number in (1, 2, 3)]
    assert pages[0].paginator.count == 7 and pages[0].paginator.num_pages == 3
    assert [row["pk"] for page in pages for row in page.object_list] == expected
    names = [row["last_name"] for page in pages for row in page.object_list]
    assert names == ["Adomaitis", "Ąžuolas", "Cibulskis", "Čepas", "Sėla", "Šimkus", "Žukas"]
    past = person_list_page(people, 99, per_page=3)
    assert past.number == 3 and [row["pk"] for row in past.object_list] == expected[6:]
    for nothing in (Person.objects.none(), people.filter(pk__in=[])):
        empty = person_list_page(nothing, 1)
        assert empty.paginator.count == 0 and list(empty.object_list) == []
