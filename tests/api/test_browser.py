"""A user creates an API token in a real browser, copies it once, uses it, and revokes it; the
tokens page passes axe-core (WCAG 2.1 AA)."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from kvalis.api.models import ApiToken
from tests.browser import assert_accessible, follow, login
from tests.factories import PASSWORD, MembershipFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_creates_uses_and_revokes_a_token(page, live_server):
    user = UserFactory(email="rasa@example.lt")
    project = ProjectFactory(code="API-T")
    MembershipFactory(project=project, user=user, role="coordinator")
    login(page, live_server, user.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/")
    follow(page, page.get_by_role("link", name="API raktai scenarijams ir ataskaitoms"))
    expect(page.locator("h1")).to_have_text("API raktai")
    assert_accessible(page, "the empty tokens page")

    page.locator("#id_name").fill("Mėnesio ataskaita")
    page.get_by_role("button", name="Sukurti raktą").click()
    raw = page.locator("#new-token").inner_text().strip()
    assert raw.startswith("kv_")
    assert_accessible(page, "the tokens page showing a new token")
    answer = Client().get("/api/projects/", headers={"Authorization": f"Bearer {raw}"})
    assert [p["code"] for p in answer.json()["results"]] == ["API-T"]

    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)
    # Revoke is a link to a confirmation page, whose button does it.
    follow(page, page.get_by_role("link", name="Atšaukti raktą Mėnesio ataskaita"))
    expect(page.locator("h1")).to_have_text("Atšaukti raktą „Mėnesio ataskaita“?")
    assert_accessible(page, "the revoke confirmation page")
    assert ApiToken.objects.get().revoked_at is None
    follow(page, page.get_by_role("button", name="Atšaukti", exact=True))
    expect(page.locator("main")).to_contain_text("Raktas „Mėnesio ataskaita“ atšauktas.")
    assert_accessible(page, "the tokens page with a revoked token")
    assert ApiToken.objects.get().revoked_at is not None
    answer = Client().get("/api/projects/", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 401
