"""A coordinator adds a passkey in a real browser (Chromium's virtual authenticator, through the
DevTools protocol, stands in for the phone's or laptop's screen lock), signs out, and signs in
with the password and then the passkey instead of a code. The pages pass axe-core.

WebAuthn takes no IP address as the site's name (the relying party): the journey runs at
http://localhost:<port> (a secure context for the browser without https), and the passkey
settings name that origin, as settings.py derives them for a development site."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kvalis.audit.models import AuditEntry
from tests.browser import assert_accessible, follow
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site_url(live_server, settings):
    url = live_server.url.replace("127.0.0.1", "localhost")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [url]
    return url


def virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )


def sign_in_with_password(page, site_url: str, email: str) -> None:
    page.goto(f"{site_url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    follow(page, "main button[type=submit]")


def test_a_coordinator_adds_a_passkey_signs_out_and_signs_in_with_it(page, site_url, world):
    virtual_authenticator(page)
    sign_in_with_password(page, site_url, world.alice.email)
    page.goto(f"{site_url}/account/second-factor/")
    expect(page.get_by_text("Neturite prieigos raktų.")).to_be_visible()

    # The page's script shows the button only where the browser has passkeys, and reloads the
    # page with the new passkey listed once it is saved.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Pridėti prieigos raktą").click()
    expect(page.locator("#passkeys li")).to_have_count(1)
    expect(page.get_by_text("Prieigos raktas pridėtas.")).to_be_visible()
    assert_accessible(page, "the second-factor page with a passkey")
    assert AuditEntry.objects.filter(action="user.passkey_add", actor=world.alice).count() == 1

    follow(page, page.get_by_role("button", name="Atsijungti"))
    sign_in_with_password(page, site_url, world.alice.email)

    # The password alone does not sign in: the second step offers the passkey.
    expect(page.get_by_role("heading", name="Prisijungimo kodas")).to_be_visible()
    assert_accessible(page, "the sign-in step with a passkey")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Naudoti prieigos raktą").click()

    assert page.url == site_url + reverse("homes:home")
    page.goto(f"{site_url}/account/")
    expect(page.get_by_role("heading", name="Jūsų paskyra")).to_be_visible()
    expect(page.get_by_role("button", name="Atsijungti")).to_be_visible()
