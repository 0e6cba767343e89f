"""Signing in by e-mail, resetting a password by e-mail, and switching the language."""

import re

from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD


def test_sign_in_by_email_in_any_case(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": "ALICE@example.lt", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("projects:dashboard")).status_code == 200


def test_password_reset_email_has_a_working_link(client, world):
    response = client.post(reverse("accounts:password_reset"), {"email": world.alice.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Kvalis" in mail.outbox[0].subject
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", body).group(1)
    page = client.get(path, follow=True)
    assert "new_password1" in page.text
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "Naujas-slaptazodis-77", "new_password2": "Naujas-slaptazodis-77"},
    )
    assert done.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.check_password("Naujas-slaptazodis-77")


def test_pages_are_lithuanian_by_default_and_english_one_click_away(client, world):
    client.force_login(world.alice)
    url = reverse("projects:detail", args=[world.project.code])
    lithuanian = client.get(url)
    assert "Mano projektai" in lithuanian.text
    assert '<html lang="lt">' in lithuanian.text

    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url)
    assert "My projects" in english.text
    assert "Organisations in the consortium" in english.text
    assert '<html lang="en">' in english.text


def test_a_login_without_a_password_yet_can_ask_for_a_new_link(client, db):
    """Invited members and enrolled people get a login with no usable password and a link to
    choose one; one who lost that e-mail gets a new link from the reset page."""
    from kvalis.accounts.services import user_get_or_invite

    user, created = user_get_or_invite(email="Nauja.Nare@example.lt")
    assert created and not user.has_usable_password()
    response = client.post(reverse("accounts:password_reset"), {"email": "nauja.nare@EXAMPLE.lt"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["nauja.nare@example.lt"]
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)
    assert "new_password1" in client.get(path, follow=True).text


def test_an_unknown_or_inactive_address_gets_no_e_mail(client, world):
    world.bob.is_active = False
    world.bob.save()
    for email in ("niekas@example.lt", world.bob.email):
        assert client.post(reverse("accounts:password_reset"), {"email": email}).status_code == 302
    assert mail.outbox == []
