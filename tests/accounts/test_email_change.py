"""A login's e-mail is its identity: only its holder changes it, confirmed at the new address.

Personas: alice, who changes her address; mallory, another signed-in user who gets hold of
alice's confirmation link; an anonymous visitor.
"""

import re
import types
from urllib.parse import urlparse

import pytest
from django.core import signing
from django.urls import reverse

from kvalis.accounts import services, tokens
from kvalis.accounts.models import User
from kvalis.audit.models import AuditEntry
from tests.factories import PASSWORD, PersonFactory, UserFactory

NEW = "alice.nauja@example.lt"


@pytest.fixture
def alice(db):
    user = UserFactory(email="alice@example.lt", first_name="Alisa", last_name="Jonaitė")
    PersonFactory(user=user, email="alice@example.lt", first_name="Alisa", last_name="Jonaitė")
    return user


@pytest.fixture
def mallory(db):
    return UserFactory(email="mallory@example.lt")


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def _request(client, email, password=PASSWORD, *, capture):
    with capture(execute=True):
        return client.post(
            reverse("accounts:email_change"), {"new_email": email, "password": password}
        )


def _link(message) -> str:
    url = re.search(r"https?://\S+/account/email/confirm/\S+/", message.body).group(0)
    return urlparse(url).path


def _unchanged(user, email="alice@example.lt"):
    user.refresh_from_db()
    assert user.email == email
    assert user.person.email == email
    assert not AuditEntry.objects.filter(action="user.email_change").exists()


def test_the_whole_change_through_the_pages(
    signed_in, alice, mailoutbox, django_capture_on_commit_callbacks
):
    """The link goes to the new address, a notice to the old one; the address changes (login and
    person) only when the holder confirms, and she stays signed in with the new address."""
    page = signed_in.get(reverse("accounts:account"))
    assert "alice@example.lt" in page.text
    assert reverse("accounts:email_change") in page.text

    response = _request(
        signed_in, "Alice.Nauja@Example.LT", capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    confirm, notice = sorted(mailoutbox, key=lambda m: m.to != [NEW])
    assert confirm.to == [NEW]
    assert notice.to == ["alice@example.lt"]
    assert "patvirtinkite" in confirm.subject.lower()
    assert NEW in notice.body and "/account/email/confirm/" not in notice.body
    assert "/account/email/confirm/" not in notice.alternatives[0][0]
    _unchanged(alice)

    link = _link(confirm)
    shown = signed_in.get(link)
    assert shown.status_code == 200
    assert NEW in shown.text
    _unchanged(alice)  # opening the link (a mail scanner would) changes nothing

    done = signed_in.post(link)
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.email == NEW
    assert alice.person.email == NEW
    entry = AuditEntry.objects.get(action="user.email_change")
    assert entry.actor == alice
    assert entry.data == {"old": "alice@example.lt", "new": NEW}

    account = signed_in.get(reverse("accounts:account"))
    assert account.status_code == 200 and NEW in account.text
    signed_in.logout()
    assert signed_in.login(email=NEW, password=PASSWORD)
    assert not signed_in.login(email="alice@example.lt", password=PASSWORD)


def test_a_link_confirms_once(signed_in, alice, mailoutbox, django_capture_on_commit_callbacks):
    """Once used, the link answers a clear error; it cannot switch the address back or again."""
    _request(signed_in, NEW, capture=django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0])
    assert signed_in.post(link).status_code == 302
    again = signed_in.post(link)
    assert again.status_code == 400
    assert "jau panaudota" in again.text
    alice.refresh_from_db()
    assert alice.email == NEW
    assert AuditEntry.objects.filter(action="user.email_change").count() == 1


def test_another_signed_in_user_opening_the_link_changes_nothing(
    client, alice, mallory, mailoutbox, django_capture_on_commit_callbacks
):
    """Mallory, signed in as herself, gets alice's link: 404, as if it did not exist, and no
    address changes (neither alice's nor hers)."""
    client.force_login(alice)
    _request(client, NEW, capture=django_capture_on_commit_callbacks)
    link = _link(mailoutbox[0])
    client.force_login(mallory)
    assert client.get(link).status_code == 404
    response = client.post(link)
    assert response.status_code == 404
    assert NEW not in response.text
    _unchanged(alice)
    mallory.refresh_from_db()
    assert mallory.email == "mallory@example.lt"


def test_anonymous_visitors_are_sent_to_sign_in(client, alice):
    """The pages and the link ask to sign in first; the link works after signing in as alice."""
    link = reverse(
        "accounts:email_confirm", args=[tokens.email_change_token(user=alice, new_email=NEW)]
    )
    for url in (reverse("accounts:account"), reverse("accounts:email_change"), link):
        for response in (client.get(url), client.post(url, {"new_email": NEW})):
            assert response.status_code == 302
            assert urlparse(response["Location"]).path == reverse("accounts:login")
    _unchanged(alice)

    signed_in = client.post(
        reverse("accounts:login") + f"?next={link}",
        {"username": "alice@example.lt", "password": PASSWORD, "next": link},
    )
    assert signed_in["Location"] == link
    assert client.post(link).status_code == 302
    alice.refresh_from_db()
    assert alice.email == NEW


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda a: tokens.email_change_token(user=a, new_email=NEW)[:-3] + "xyz", id="tampered"
        ),
        pytest.param(
            lambda a: signing.dumps(
                {"user": a.pk, "old": a.email, "new": "mallory.box@example.lt"},
                key="guessed-secret",
                salt=tokens.EMAIL_CHANGE_SALT,
            ),
            id="signed-with-another-key",
        ),
        pytest.param(
            lambda a: signing.dumps(
                {"user": a.pk, "old": a.email, "new": "mallory.box@example.lt"}, salt="other"
            ),
            id="another-signed-value-of-the-site",
        ),
        pytest.param(lambda a: "not-a-token", id="garbage"),
    ],
)
def test_a_forged_or_tampered_link_is_refused_with_a_clear_error(signed_in, alice, make):
    """A link not signed by the site for this purpose answers 400 with a translated message and
    changes nothing."""
    link = reverse("accounts:email_confirm", args=[make(alice)])
    for response in (signed_in.get(link), signed_in.post(link)):
        assert response.status_code == 400
        assert "Ši nuoroda negalioja" in response.text
    _unchanged(alice)


def _made_at(monkeypatch, when: float):
    """Sign as if the clock showed `when`, by replacing only django.core.signing's clock."""
    monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: when))


def test_an_expired_link_is_refused_with_a_clear_error(signed_in, alice, settings, monkeypatch):
    """A link older than PASSWORD_RESET_TIMEOUT answers 400, says it expired, changes nothing;
    one just within the limit still works (so the test can fail)."""
    import time

    now = time.time()
    timeout = settings.PASSWORD_RESET_TIMEOUT
    _made_at(monkeypatch, now - timeout - 5)
    expired = tokens.email_change_token(user=alice, new_email=NEW)
    _made_at(monkeypatch, now - timeout + 60)
    fresh = tokens.email_change_token(user=alice, new_email=NEW)
    monkeypatch.undo()

    for response in (
        signed_in.get(reverse("accounts:email_confirm", args=[expired])),
        signed_in.post(reverse("accounts:email_confirm", args=[expired])),
    ):
        assert response.status_code == 400
        assert "Nuorodos galiojimas baigėsi" in response.text
    _unchanged(alice)

    assert signed_in.post(reverse("accounts:email_confirm", args=[fresh])).status_code == 302
    alice.refresh_from_db()
    assert alice.email == NEW


@pytest.mark.parametrize(
    "taken",
    ["bob@example.lt", "BOB@Example.lt", "darbuotoja@example.lt", "Darbuotoja@EXAMPLE.lt"],
)
def test_an_address_of_another_login_or_person_is_refused_and_nothing_changes(
    signed_in, alice, mailoutbox, django_capture_on_commit_callbacks, taken
):
    """Another login's or another person's address, in any case, is refused with the same
    generic message (it does not tell which, or whether an account exists); no e-mail goes out."""
    UserFactory(email="bob@example.lt")
    PersonFactory(email="darbuotoja@example.lt")
    response = _request(signed_in, taken, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "Šio adreso naudoti negalima" in response.text
    assert mailoutbox == []
    _unchanged(alice)
    assert not AuditEntry.objects.filter(action="user.email_change_request").exists()


def test_an_address_taken_after_the_link_was_sent_is_refused_on_confirm(
    signed_in, alice, mailoutbox, django_capture_on_commit_callbacks
):
    """Between the request and the confirmation someone else got the address: the confirmation
    is refused with the generic message, nothing changes."""
    _request(signed_in, NEW, capture=django_capture_on_commit_callbacks)
    UserFactory(email=NEW)
    response = signed_in.post(_link(mailoutbox[0]))
    assert response.status_code == 400
    assert "Šio adreso naudoti negalima" in response.text
    _unchanged(alice)


def test_the_current_password_is_required(
    signed_in, alice, mailoutbox, django_capture_on_commit_callbacks
):
    """A wrong or missing password sends nothing; after a few wrong tries the form pauses."""
    for password in ("", "ne-tas"):
        response = _request(signed_in, NEW, password, capture=django_capture_on_commit_callbacks)
        assert response.status_code == 400
    assert "Slaptažodis neteisingas" in response.text
    for _ in range(5):
        _request(signed_in, NEW, "ne-tas", capture=django_capture_on_commit_callbacks)
    blocked = _request(signed_in, NEW, capture=django_capture_on_commit_callbacks)
    assert blocked.status_code == 400
    assert mailoutbox == []


def test_a_login_without_a_password_is_not_asked_for_one(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    """An invited login that has not chosen a password yet has none to type."""
    user, _ = services.user_get_or_invite(email="kviesta@example.lt")
    client.force_login(user)
    assert 'name="password"' not in client.get(reverse("accounts:email_change")).text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:email_change"), {"new_email": NEW})
    assert response.status_code == 302
    assert {tuple(m.to) for m in mailoutbox} == {(NEW,), ("kviesta@example.lt",)}


def test_the_own_current_address_is_refused(signed_in, alice, django_capture_on_commit_callbacks):
    response = _request(signed_in, "ALICE@example.lt", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "Tai jau jūsų adresas" in response.text


def test_a_login_without_a_person_changes_only_the_login(db):
    """The service works for a login with no person behind it (a coordinator, an observer)."""
    user = UserFactory(email="stebetojas@example.lt")
    services.user_email_change(user=user, new_email=" Stebetojas.Naujas@Example.lt ")
    assert User.objects.get(pk=user.pk).email == "stebetojas.naujas@example.lt"
