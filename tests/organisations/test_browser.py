"""The organisation pages in a real browser: the join form, the directory and the searchable
select of the project form (static/kvalis/org-search.js) pass axe-core, fit a phone, and the
search field chooses an organisation that the form then sends."""

import re

import pytest
from playwright.sync_api import expect

from kvalis.organisations.models import Organisation
from tests.browser import assert_accessible, follow, login
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, make_coordinator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_join_page_is_accessible_and_fits_a_phone(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/organisations/join/")
    assert_accessible(page, "the join page")
    assert _fits(page)
    follow(page, "main button[type=submit]")  # empty: the errors are shown, accessibly
    assert_accessible(page, "the join page with errors")


def test_the_funder_select_searches_and_the_form_sends_the_choice(page, live_server):
    lead = OrganisationFactory(name="Kauno miesto muziejus", municipality="kauno-m")
    coordinator = UserFactory(email="egle@muziejus.lt")
    make_coordinator(lead, coordinator)
    for number in range(15):
        OrganisationFactory(name=f"Fondas Nr. {number}", type="funder")
    OrganisationFactory(name="Lietuvos kultūros taryba", type="funder")
    login(page, live_server, coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/new/")
    select = page.locator("select[name=funder]")
    expect(select).to_be_hidden()
    field = page.get_by_role("combobox", name="Finansuotojas")
    field.fill("kultūros")
    option = page.get_by_role("option", name="Lietuvos kultūros taryba")
    expect(option).to_be_visible()
    assert_accessible(page, "the project form with the search open")
    field.press("ArrowDown")
    field.press("Enter")
    expected = str(Organisation.objects.get(name="Lietuvos kultūros taryba").pk)
    assert select.input_value() == expected
    expect(field).to_have_value(re.compile(r"^Lietuvos kultūros taryba"))


def test_directory_pages_are_accessible(page, live_server):
    admin = UserFactory(email="admin@kvalis.lt", is_superuser=True, is_staff=True)
    organisation = OrganisationFactory(name="Zarasų viešoji biblioteka", company_code="190000006")
    login(page, live_server, admin.email, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    for path, what in [
        ("/organisations/?q=Zarasų", "the directory"),
        (f"/organisations/{organisation.pk}/", "an organisation"),
        (f"/organisations/{organisation.pk}/edit/", "the edit form"),
        (f"/organisations/{organisation.pk}/merge/", "the merge form"),
        ("/organisations/new/?type=funder", "the add form"),
        ("/organisations/join-requests/", "the join requests"),
    ]:
        page.goto(live_server.url + path)
        assert_accessible(page, what)
        assert _fits(page), what
