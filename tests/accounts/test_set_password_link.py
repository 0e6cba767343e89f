"""The set-password link (`set_password_url`, Django's reset token) is bound to the address it was
sent to, expires after PASSWORD_RESET_TIMEOUT, and works once."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse

from kvalis.accounts import services

NEW_PASSWORD = "Naujas-slaptažodis-2014"


@pytest.fixture
def invited(db):
    user, _ = services.user_get_or_invite(email="kviesta@example.lt")
    return user


def _opens_the_form(client, url: str) -> bool:
    """Whether the link leads to the form where a password is chosen (not the "expired" page)."""
    page = client.get(urlparse(url).path, follow=True)
    assert page.status_code == 200
    return "new_password1" in page.text


def _link_made_ago(monkeypatch, user, ago: timedelta) -> str:
    """A link as `set_password_url` would have made it `ago` earlier (the generator's clock)."""
    real_now = default_token_generator._now()
    monkeypatch.setattr(default_token_generator, "_now", lambda: real_now - ago)
    url = services.set_password_url(user)
    monkeypatch.undo()
    return url


def test_the_link_stops_working_when_the_address_changes(client, invited):
    """Sent to the old address, the link must not set the password of the login now known by
    another address."""
    url = services.set_password_url(invited)
    assert default_token_generator.check_token(invited, url.rstrip("/").rsplit("/", 1)[1])
    services.user_email_change(user=invited, new_email="kita@example.lt")
    assert not _opens_the_form(client, url)
    assert "Ši nuoroda nebegalioja" in client.get(urlparse(url).path, follow=True).text


def test_the_link_expires_after_password_reset_timeout(client, invited, settings, monkeypatch):
    """A link older than PASSWORD_RESET_TIMEOUT opens the "expired" page; one a minute younger
    than that still opens the form."""
    timeout = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    old = _link_made_ago(monkeypatch, invited, timeout + timedelta(seconds=5))
    recent = _link_made_ago(monkeypatch, invited, timeout - timedelta(minutes=1))
    assert not _opens_the_form(client, old)
    assert _opens_the_form(client, recent)


def test_a_shorter_timeout_setting_is_honoured(client, invited, settings, monkeypatch):
    """The limit is the setting's, read when the link is checked."""
    settings.PASSWORD_RESET_TIMEOUT = 60 * 60
    url = _link_made_ago(monkeypatch, invited, timedelta(hours=2))
    assert not _opens_the_form(client, url)


def test_the_link_stops_working_once_the_password_is_set(client, invited):
    url = services.set_password_url(invited)
    page = client.get(urlparse(url).path, follow=True)
    form_url = page.redirect_chain[-1][0]
    saved = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert saved.status_code == 302
    assert saved["Location"] == reverse("accounts:password_reset_complete")
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)

    client.logout()
    assert not _opens_the_form(client, url)
