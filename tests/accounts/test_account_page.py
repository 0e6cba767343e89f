"""The signed-in user's own page: their address, their name and the language of their e-mails."""

import pytest
from django.urls import reverse

from kvalis.accounts import services
from kvalis.audit.models import AuditEntry
from tests.factories import UserFactory


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.lt", first_name="Alisa", last_name="Jonaitė")


def test_the_page_shows_the_address_and_saves_name_and_language(client, alice):
    """Names and the e-mail language are saved (and audited); the address is not a field here."""
    client.force_login(alice)
    page = client.get(reverse("accounts:account"))
    assert page.status_code == 200
    assert "alice@example.lt" in page.text and "Jonaitė" in page.text
    assert 'name="email"' not in page.text
    assert reverse("accounts:account") in client.get(reverse("projects:dashboard")).text

    response = client.post(
        reverse("accounts:account"),
        {
            "first_name": "  Alisa  Marija ",
            "last_name": "Jonaitytė",
            "language": "en",
            "email": "mallory@example.lt",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.first_name, alice.last_name, alice.language) == (
        "Alisa Marija",
        "Jonaitytė",
        "en",
    )
    assert alice.email == "alice@example.lt"
    assert AuditEntry.objects.filter(action="user.update", actor=alice).exists()


def test_a_language_not_offered_is_refused(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("accounts:account"), {"first_name": "A", "last_name": "B", "language": "xx"}
    )
    assert response.status_code == 400
    alice.refresh_from_db()
    assert (alice.first_name, alice.language) == ("Alisa", "lt")


def test_the_service_refuses_a_language_not_offered(alice):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.user_update(user=alice, first_name="A", last_name="B", language="xx")
    alice.refresh_from_db()
    assert alice.language == "lt"


def test_each_user_sees_only_their_own_account(client, alice):
    """The page has no id in it: bob signed in sees bob, never alice."""
    bob = UserFactory(email="bob@example.lt")
    client.force_login(bob)
    page = client.get(reverse("accounts:account"))
    assert "bob@example.lt" in page.text and "alice@example.lt" not in page.text
