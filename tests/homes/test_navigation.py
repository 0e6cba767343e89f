"""The navigation bar shows only what the user may use: Pradžia always; Mano mokymai to a
participant; Projektai to anyone with a project role; Organizacijos to coordinators of a
registered organisation and site administrators (once the directory exists). It is computed
once per request, in one query."""

import re

import pytest
from django.urls import NoReverseMatch, reverse

from kvalis.homes.selectors import user_places
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    make_coordinator,
)


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


HOME = reverse("homes:home")
MY = reverse("enrolment:my_trainings")
PROJECTS = reverse("projects:dashboard")
# The organisation directory comes with the organisations pages; until then there is no link.
ORGANISATIONS = _url("organisations:list")
# The public part of the bar (the same for everyone, signed in or not) is not the user's.
PUBLIC = {reverse("enrolment:catalogue")}


def nav_links(html: str) -> set[str]:
    bar = re.search(r'<nav class="topnav".*?<ul>(.*?)</ul>', html, re.S)
    assert bar, "no navigation bar"
    return set(re.findall(r'href="([^"]+)"', bar.group(1))) - PUBLIC


def expected(*links) -> set[str]:
    return {link for link in links if link is not None}


def _observer(world):
    user = UserFactory()
    MembershipFactory(project=world.project, user=user, role="funder_observer")
    return user


def _trainer(world):
    user = UserFactory()
    world.cohort.trainers.add(PersonFactory(user=user, organisation=world.lead))
    return user


def _coordinator_without_projects(world):
    user = UserFactory()
    make_coordinator(OrganisationFactory(name="Naujoji biblioteka"), user)
    return user


def _participant_and_coordinator(world):
    EnrolmentFactory(
        cohort=world.cohort, person=PersonFactory(user=world.alice, organisation=world.lead)
    )
    return world.alice


PERSONAS = {
    "coordinator": (lambda w: w.alice, (HOME, PROJECTS, ORGANISATIONS)),
    "partner coordinator": (lambda w: w.bob, (HOME, PROJECTS, ORGANISATIONS)),
    "outsider": (lambda w: w.charlie, (HOME, PROJECTS, ORGANISATIONS)),
    "participant": (lambda w: w.dana, (HOME, MY)),
    "funder observer": (_observer, (HOME, PROJECTS)),
    "trainer": (_trainer, (HOME, PROJECTS)),
    "organisation coordinator": (_coordinator_without_projects, (HOME, ORGANISATIONS)),
    "several roles": (_participant_and_coordinator, (HOME, MY, PROJECTS, ORGANISATIONS)),
    "site administrator": (
        lambda w: UserFactory(is_superuser=True, is_staff=True),
        (HOME, PROJECTS, ORGANISATIONS),
    ),
    "nobody": (lambda w: UserFactory(), (HOME,)),
}


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_the_bar_shows_exactly_what_the_role_may_use(client, world, persona):
    make, links = PERSONAS[persona]
    client.force_login(make(world))
    page = client.get(reverse("accounts:account"))
    assert page.status_code == 200
    assert nav_links(page.text) == expected(*links)


def test_the_bar_names_the_links_in_lithuanian_and_marks_the_current_page(client, world):
    client.force_login(world.alice)
    text = client.get(PROJECTS).text
    assert f'<a href="{PROJECTS}" aria-current="page">Projektai</a>' in text
    assert f'<a href="{HOME}">Pradžia</a>' in text


def test_anonymous_visitor_gets_no_user_links(client, world):
    text = client.get(reverse("enrolment:catalogue")).text
    assert nav_links(text) == set()


def test_my_pages_keep_their_own_tabs(client, world):
    client.force_login(world.dana)
    text = client.get(MY).text
    for name in (
        "surveys:my_surveys",
        "attendance:my_hours",
        "certificates:my_certificates",
    ):
        assert reverse(name) in text
    assert nav_links(text) == {HOME, MY}


def test_the_places_are_read_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        places = user_places(world.bob)
    assert places.member and places.coordinator_of_organisation
    assert not places.participant and not places.trainer and not places.admin


def test_the_bar_asks_its_query_once_per_page(client, world):
    """The bar reads the places four times and the home page once more: one query for all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.alice)
    with CaptureQueriesContext(connection) as page:
        assert client.get(HOME).status_code == 200
    from kvalis.homes.selectors import _places_sql

    asked = [q for q in page.captured_queries if q["sql"].startswith(_places_sql()[:60])]
    assert len(asked) == 1
