"""The OpenAPI document: every API URL is in it, its references resolve, and the answers of the
endpoints carry the keys it promises."""

import re

import pytest
from django.urls import URLPattern, get_resolver, reverse

from kvalis.api import schema as api_schema
from kvalis.api import urls as api_urls
from tests.factories import CertificateFactory

pytestmark = pytest.mark.django_db


def _openapi_path(route: str) -> str:
    return "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def api_endpoints() -> dict[str, str]:
    """URL name -> OpenAPI path, for every API endpoint in the api URLconf."""
    prefix = next(
        str(entry.pattern)
        for entry in get_resolver().url_patterns
        if getattr(entry, "namespace", None) == "api"
    )
    assert prefix == "api/"
    return {
        entry.name: _openapi_path(str(entry.pattern))
        for entry in api_urls.urlpatterns
        if isinstance(entry, URLPattern) and entry.name not in api_schema.NOT_ENDPOINTS
    }


def test_every_api_endpoint_is_described_in_the_schema(client):
    document = client.get(reverse("api:schema")).json()
    endpoints = api_endpoints()
    assert len(endpoints) >= 6
    missing = {name: path for name, path in endpoints.items() if path not in document["paths"]}
    assert missing == {}, f"add these endpoints to kvalis/api/schema.py: {missing}"
    assert set(document["paths"]) == set(endpoints.values())


def test_the_schema_is_public_openapi_3_1_with_the_bearer_scheme(client):
    response = client.get(reverse("api:schema"))
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token.",
    }
    for operation in (op["get"] for op in document["paths"].values()):
        assert "200" in operation["responses"]


def test_path_parameters_are_declared(client):
    document = client.get(reverse("api:schema")).json()
    for path, item in document["paths"].items():
        declared = {p["name"] for p in item["get"]["parameters"] if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", path)), path


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_reference_resolves():
    document = api_schema.openapi_schema("http://testserver/")
    schemas = document["components"]["schemas"]
    for ref in set(_refs(document)):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref


def _required(name: str) -> set[str]:
    component = api_schema.COMPONENTS[name]
    if "allOf" in component:
        return set().union(
            *(
                _required(part["$ref"].rsplit("/", 1)[1])
                if "$ref" in part
                else set(part["required"])
                for part in component["allOf"]
            )
        )
    return set(component["required"])


def test_answers_carry_exactly_the_keys_the_schema_promises(call, world):
    code = world.project.code
    projects = call("/api/projects/", "alice").json()
    assert set(projects) == _required("ProjectList")
    assert set(projects["results"][0]) == _required("ProjectSummary")
    detail = call(f"/api/projects/{code}/", "alice").json()
    assert set(detail) == _required("ProjectDetail")
    activity = detail["activities"][0]
    assert set(activity) == _required("Activity")
    assert set(activity["cohorts"][0]) == _required("Cohort")
    assert set(activity["cohorts"][0]["sessions"][0]) == _required("Session")
    assert set(detail["partners"][0]) == _required("Partner")
    people = call(f"/api/projects/{code}/people/", "alice").json()
    assert set(people) == _required("PersonPage")
    assert set(people["results"][0]) == _required("Person")
    certificate = CertificateFactory(
        enrolment__cohort=world.cohort, enrolment__person=world.person_a
    )
    data = call(f"/api/certificates/{certificate.verification_code}/", "alice").json()
    assert set(data) == _required("Certificate")
    error = call("/api/projects/NO-SUCH/", "alice").json()
    assert set(error) == _required("Error")
