import pytest
from django.urls import reverse

from kvalis.api.models import ApiToken
from kvalis.api.services import api_token_create, hash_token
from kvalis.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

TOKENS = "/api/tokens/"


def test_the_tokens_page_asks_an_anonymous_visitor_to_sign_in(client, world):
    response = client.get(TOKENS)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_creating_a_token_shows_it_once_and_stores_only_its_hash(client, world):
    client.force_login(world.alice)
    response = client.post(TOKENS, {"name": "Mėnesio ataskaita"}, follow=True)
    assert response.status_code == 200
    raw = response.context["new_token"]["token"]
    assert raw in response.content.decode()
    token = ApiToken.objects.get(user=world.alice)
    assert token.name == "Mėnesio ataskaita"
    assert token.token_hash == hash_token(raw)
    assert raw not in client.get(TOKENS).content.decode()  # shown once only
    # ...and it works.
    api = client.get("/api/projects/", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200
    entry = AuditEntry.objects.get(action="api.token_create")
    assert entry.actor == world.alice and entry.object_id == str(token.pk)


def test_a_token_without_a_name_is_refused_with_a_translated_error(client, world):
    client.force_login(world.alice)
    response = client.post(TOKENS, {"name": "   "})
    assert response.status_code == 400
    assert "Šis laukas yra privalomas." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_list_shows_only_ones_own_tokens(client, world):
    api_token_create(user=world.alice, name="Alisos raktas")
    api_token_create(user=world.bob, name="Bobo raktas")
    client.force_login(world.alice)
    text = client.get(TOKENS).content.decode()
    assert "Alisos raktas" in text and "Bobo raktas" not in text


def test_revoking_a_token_stops_it_and_is_audited(client, world):
    token, raw = api_token_create(user=world.alice, name="x")
    client.force_login(world.alice)
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="api.token_revoke", actor=world.alice).count() == 1
    client.logout()
    api = client.get("/api/projects/", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 401


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_nobody_else_may_revoke_a_users_token(client, world, who):
    token, _raw = api_token_create(user=world.alice, name="x")
    client.force_login(getattr(world, who))
    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEntry.objects.filter(action="api.token_revoke").exists()


def test_revoking_asks_first_and_a_get_changes_nothing(client, world):
    token, _raw = api_token_create(user=world.alice, name="x")
    client.force_login(world.alice)
    page = client.get(reverse("api:token_revoke", args=[token.pk]))
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_dashboard_links_to_the_tokens_page(client, world):
    client.force_login(world.alice)
    assert TOKENS in client.get(reverse("projects:dashboard")).content.decode()


def test_the_service_refuses_a_blank_name_in_lithuanian(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        api_token_create(user=world.alice, name="  ")
    assert error.value.message_dict["name"] == ["Suteikite raktui pavadinimą."]
    assert not ApiToken.objects.exists()


def test_the_tokens_page_is_in_lithuanian(client, world):
    client.force_login(world.alice)
    text = client.get(TOKENS).content.decode()
    assert "API raktai" in text and "Sukurti raktą" in text
