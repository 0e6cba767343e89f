"""The interface language: Lithuanian whatever the browser's Accept-Language says; English only
when the user picks it, kept in a cookie for a visitor and on the login for a signed-in user."""

from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}


def _sign_in(client: Client, user) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}, **ENGLISH_BROWSER
    )
    assert response.status_code == 302


def test_an_english_locale_browser_gets_lithuanian_pages(client, db):
    response = client.get(reverse("certificates:verify_form"), **ENGLISH_BROWSER)
    assert '<html lang="lt">' in response.text
    assert response["Content-Language"] == "lt"


def test_a_visitor_who_picks_english_gets_english(client, db):
    url = reverse("certificates:verify_form")
    response = client.post(
        reverse("set_language"), {"language": "en", "next": url}, **ENGLISH_BROWSER
    )
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(url).text
    # and back to Lithuanian with the same switcher
    client.post(reverse("set_language"), {"language": "lt", "next": url})
    assert '<html lang="lt">' in client.get(url).text


def test_a_language_not_offered_changes_nothing(client, world):
    client.force_login(world.alice)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    world.alice.refresh_from_db()
    assert world.alice.language == "lt"
    assert '<html lang="lt">' in client.get(reverse("projects:dashboard")).text


def test_a_signed_in_users_choice_is_stored_and_holds_on_another_client(client, world):
    _sign_in(client, world.alice)
    dashboard = reverse("projects:dashboard")
    assert '<html lang="lt">' in client.get(dashboard, **ENGLISH_BROWSER).text

    client.post(reverse("set_language"), {"language": "en", "next": dashboard})
    world.alice.refresh_from_db()
    assert world.alice.language == "en"
    assert '<html lang="en">' in client.get(dashboard).text

    # A new browser, no cookie: after signing in the pages are English, and the cookie says so,
    # so that they stay English after signing out.
    other = Client()
    assert '<html lang="lt">' in other.get(reverse("accounts:login")).text
    _sign_in(other, world.alice)
    assert '<html lang="en">' in other.get(dashboard).text
    assert other.cookies["django_language"].value == "en"


def test_a_signed_in_users_stored_language_wins_over_a_visitors_cookie(client, world):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    _sign_in(client, world.alice)  # alice's stored language is Lithuanian
    assert '<html lang="lt">' in client.get(reverse("projects:dashboard")).text
