"""Everything under /api/ answers in JSON, as the README and the schema say: 405 with
`{"error": ...}` for anything but GET — by token and by a signed-in session, with CSRF checked
as in a real browser — and 404 with `{"error": ...}` for unknown codes and unknown paths."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db

METHODS = ["post", "put", "patch", "delete"]


def _endpoints(world) -> list[str]:
    code = world.project.code
    certificate = CertificateFactory(
        enrolment__cohort=world.cohort, enrolment__person=world.person_a
    )
    return [
        reverse("api:schema"),
        reverse("api:project_list"),
        reverse("api:project_detail", args=[code]),
        reverse("api:project_indicators", args=[code]),
        reverse("api:project_people", args=[code]),
        reverse("api:certificate_detail", args=[certificate.verification_code]),
    ]


def _client(world, tokens, how: str) -> tuple[Client, dict]:
    # enforce_csrf_checks: as a browser or a script meets it, not as the test client's default.
    client = Client(enforce_csrf_checks=True)
    if how == "session":
        client.force_login(world.alice)
        return client, {}
    return client, {"Authorization": f"Bearer {tokens['alice']}"}


def _is_json_error(response, status: int) -> bool:
    return (
        response.status_code == status
        and response["Content-Type"] == "application/json"
        and set(response.json()) == {"error"}
        and response.json()["error"]
    )


@pytest.mark.parametrize("how", ["token", "session"])
@pytest.mark.parametrize("method", METHODS)
def test_anything_but_get_answers_json_405(world, tokens, method, how):
    client, headers = _client(world, tokens, how)
    for path in _endpoints(world):
        response = getattr(client, method)(
            path, data="{}", content_type="application/json", headers=headers
        )
        assert _is_json_error(response, 405), (path, response.status_code, response.content)
        assert response["Allow"] == "GET, HEAD"


def test_a_post_without_credentials_answers_json_405(world):
    response = Client(enforce_csrf_checks=True).post(reverse("api:project_list"))
    assert _is_json_error(response, 405)


@pytest.mark.parametrize("how", ["token", "session"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/NO-SUCH/",
        "/api/projects/NO-SUCH/people/",
        "/api/projects/NO-SUCH/indicators/",
        # Codes no project can have: not a slug.
        "/api/projects/%C4%85%C5%BE/",
        "/api/projects/a%20b/",
        "/api/projects/a.b/people/",
        "/api/projects/%C2%B2/indicators/",
        "/api/certificates/NO-SUCH-CODE/",
        "/api/certificates/a%2Fb/",
        # Paths the API does not have.
        "/api/",
        "/api/nothing/",
        "/api/projects/UTENA-T/nothing/",
        "/api/projects/UTENA-T/people/1/",
        "/api/certificates/",
        "/api/schema/extra/",
        "/api/tokens/abc/revoke/",
    ],
)
def test_unknown_codes_and_paths_answer_json_404(world, tokens, path, how):
    client, headers = _client(world, tokens, how)
    response = client.get(path, headers=headers)
    assert _is_json_error(response, 404), (response.status_code, response.content[:200])
    assert world.project.title not in response.content.decode()


@pytest.mark.parametrize("method", ["get", *METHODS])
def test_an_unknown_path_is_json_404_for_any_method_and_anyone(world, method):
    client = Client(enforce_csrf_checks=True)
    for path in ("/api/nothing/", "/api/nothing"):
        response = getattr(client, method)(path)
        assert _is_json_error(response, 404), (path, response.status_code)


def test_a_missing_slash_still_leads_to_the_endpoint(client, world):
    response = client.get("/api/projects?page=2")
    assert response.status_code == 301
    assert response["Location"] == "/api/projects/?page=2"


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1e5", "²", "9" * 23, "2"])
def test_a_page_that_does_not_exist_is_json_404(call, world, page):
    path = reverse("api:project_people", args=[world.project.code])
    response = call(path, "alice", data={"page": page})
    assert _is_json_error(response, 404), (page, response.status_code)


def test_the_token_pages_keep_their_csrf_protection(world):
    """/api/tokens/ is a browser page that creates tokens: a forged POST is still refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.alice)
    response = client.post(reverse("api:tokens"), {"name": "forged"})
    assert response.status_code == 403
    assert not world.alice.api_tokens.filter(name="forged").exists()
