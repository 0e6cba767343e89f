"""A coordinator turns on the second factor in a real browser: scans (here: reads) the key,
confirms with the app's code, keeps the recovery codes, signs out, and signs in again with the
password and then a code. The pages pass axe-core (WCAG 2.1 AA)."""

from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser import assert_accessible, follow, login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(secret_shown: str, *, ahead: int = 0) -> str:
    """What an authenticator app shows for the key as the page printed it (groups of four)."""
    key = b32decode("".join(secret_shown.split()))
    return f"{totp(key, step=30, t0=0, digits=6, drift=ahead):06d}"


def test_a_coordinator_enables_totp_signs_out_and_signs_in_with_the_code(page, live_server, world):
    login(page, live_server, world.alice.email, PASSWORD)
    page.goto(f"{live_server.url}/account/")
    follow(page, page.get_by_role("link", name="Tvarkyti antrąjį veiksnį"))
    assert_accessible(page, "the second-factor page")
    follow(page, page.get_by_role("button", name="Nustatyti autentifikavimo programėlę"))

    expect(page.locator(".qr svg")).to_be_visible()
    assert_accessible(page, "the set-up with its QR code")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Kodas").fill(app_code(secret))
    follow(page, page.get_by_role("button", name="Patvirtinti ir įjungti"))

    expect(page.get_by_role("heading", name="Atsarginiai kodai")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page, "the recovery codes")

    follow(page, page.get_by_role("button", name="Atsijungti"))
    login(page, live_server, world.alice.email, PASSWORD)

    # The password alone does not sign in: the code is asked.
    expect(page.get_by_role("heading", name="Prisijungimo kodas")).to_be_visible()
    assert_accessible(page, "the sign-in code step")
    page.get_by_label("Kodas").fill(app_code(secret, ahead=1))
    follow(page, page.get_by_role("button", name="Prisijungti"))

    page.goto(f"{live_server.url}/account/")
    expect(page.get_by_role("heading", name="Jūsų paskyra")).to_be_visible()
    expect(page.get_by_role("button", name="Atsijungti")).to_be_visible()
