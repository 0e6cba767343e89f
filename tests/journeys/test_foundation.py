"""The foundation journey in a real browser: the demo coordinator signs in, opens the Utena
project and sees its consortium; the pages pass axe-core (WCAG 2.1 AA) and fit a phone."""

import os
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from kvalis.demo import data
from tests.browser import assert_accessible, follow, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR = "coordinator@demo.kvalis.lt"
CONSORTIUM = [
    "Utenos A. ir M. Miškinių viešoji biblioteka",
    "Vilniaus universiteto Komunikacijos fakultetas",
    "Utenos švietimo centras",
    "Sėkmės mokykla",
    "Anykšči",
    "Ignalin",
    "Molėt",
    "Zaras",
    "Visagin",
]
PHONE = {"width": 375, "height": 812}


def record_console_errors(page) -> list[str]:
    """Console errors: a missing asset, a script or style blocked by the CSP."""
    errors: list[str] = []
    # Failed loads are caught with their address below; the console only repeats them (and
    # adds the browser's own /favicon.ico guess).
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and errors.append(message.text)
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and not response.url.endswith("/favicon.ico")
            and errors.append(f"{response.status} {response.url}")
        ),
    )
    return errors


PHONE_PAGES = [
    "/home/",
    "/projects/",
    f"/projects/{data.PROJECT_CODE}/",
    f"/projects/{data.PROJECT_CODE}/people/",
]


def test_demo_coordinator_sees_the_project_and_its_partners_on_desktop_and_phone(
    transactional_db, new_context, live_server
):
    # One test, one demo load: the whole demo takes a while and every step of it is shown here.
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15000)
    errors = record_console_errors(page)

    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "lt")
    assert_accessible(page, "the sign-in page")

    login(page, live_server, COORDINATOR, data.DEMO_PASSWORD)
    assert page.url.endswith("/home/"), page.url
    assert_accessible(page, "the coordinator's home")

    follow(page, page.get_by_role("link", name=re.compile("Utenos regiono")).first)
    assert page.url.endswith(f"/projects/{data.PROJECT_CODE}/"), page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Utenos regiono")
    expect(page.locator("main")).to_contain_text("25 000,00 Lt")
    expect(page.locator("main")).to_contain_text("7 240,50 €")
    partners = page.locator("#partners-h ~ .table-wrap tbody tr")
    expect(partners).to_have_count(9)
    table = partners.all_inner_texts()
    for name in CONSORTIUM:
        assert any(name in row for row in table), f"{name} missing from the partners: {table}"
    assert_accessible(page, "the project page")
    assert errors == []

    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.set_default_timeout(15000)
    login(phone, live_server, COORDINATOR, data.DEMO_PASSWORD)
    too_wide = {}
    for path in PHONE_PAGES:
        phone.goto(f"{live_server.url}{path}")
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        # A mobile browser widens its layout viewport to fit content that overflows, so compare
        # with the phone's width, not window.innerWidth. Wide tables scroll in their .table-wrap.
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
        assert_accessible(phone, f"{path} on a phone")
    assert too_wide == {}, f"pages wider than a {PHONE['width']}px phone: {too_wide}"
