import pytest
from django.urls import reverse

from kvalis.api.models import ApiToken
from kvalis.api.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

PROJECTS = "/api/projects/"


def _error(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    return response.json()["error"]


def test_no_token_and_no_session_answers_401_json(client, world):
    assert _error(client.get(PROJECTS), 401)
    assert "Bearer" in client.get(PROJECTS)["WWW-Authenticate"]


def test_a_project_endpoint_without_credentials_answers_401_not_404(client, world):
    response = client.get(reverse("api:project_detail", args=[world.project.code]))
    assert _error(response, 401)


def test_an_unknown_token_answers_401(client, world):
    response = client.get(PROJECTS, headers={"Authorization": "Bearer kv_made-up"})
    assert _error(response, 401)


@pytest.mark.parametrize("header", ["Token abc", "Bearer", "Basic YWxpY2U6eA==", "Bearer  "])
def test_a_malformed_authorization_header_answers_401(client, world, header):
    assert _error(client.get(PROJECTS, headers={"Authorization": header}), 401)


def test_a_revoked_token_answers_401(client, world):
    token, raw = api_token_create(user=world.alice, name="old")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(PROJECTS, headers=headers).status_code == 200
    api_token_revoke(token=token, actor=world.alice)
    assert _error(client.get(PROJECTS, headers=headers), 401)


def test_a_bad_token_is_refused_even_with_a_signed_in_session(client, world):
    client.force_login(world.alice)
    response = client.get(PROJECTS, headers={"Authorization": "Bearer kv_wrong"})
    assert _error(response, 401)


def test_the_token_of_an_inactive_user_answers_401(client, world):
    _token, raw = api_token_create(user=world.alice, name="x")
    world.alice.is_active = False
    world.alice.save()
    assert _error(client.get(PROJECTS, headers={"Authorization": f"Bearer {raw}"}), 401)


def test_a_valid_token_authenticates_and_records_its_last_use(client, world):
    token, raw = api_token_create(user=world.alice, name="x")
    assert token.last_used_at is None
    response = client.get(PROJECTS, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert [p["code"] for p in response.json()["results"]] == [world.project.code]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_session_authenticates_a_signed_in_browser(client, world):
    client.force_login(world.bob)
    response = client.get(PROJECTS)
    assert response.status_code == 200
    assert response.json()["results"][0]["role"] == "partner_coordinator"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(client, world, tokens, method):
    response = getattr(client, method)(
        PROJECTS, headers={"Authorization": f"Bearer {tokens['alice']}"}
    )
    assert _error(response, 405)
    assert response["Allow"] == "GET, HEAD"


def test_only_the_hash_and_a_prefix_of_the_token_are_stored(world):
    token, raw = api_token_create(user=world.alice, name="x")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw.startswith(stored.prefix) and len(stored.prefix) < len(raw)
    assert raw not in stored.token_hash and len(stored.token_hash) == 64
