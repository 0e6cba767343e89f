"""Every response to a signed-in user or an API token says `Cache-Control: private, no-store`
(and `Vary: Cookie`): people pages, exports, certificate PDFs, the API and the page that shows a
new API token once must not be kept by a browser's or a proxy's cache."""

import pytest
from django.urls import reverse

from kvalis.api.services import api_token_create
from kvalis.certificates import services as certificates
from tests.certificates.conftest import completer
from tests.factories import (
    ActivityCertificateSettingsFactory,
    CertificateIssuerFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def certificate(world):
    issuer = CertificateIssuerFactory(project=world.project, organisation=world.lead, prefix="UVB")
    ActivityCertificateSettingsFactory(activity=world.activity, issuer=issuer)
    return certificates.certificate_issue(
        enrolment=completer(world), actor=world.alice, notify=False
    )


def _private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",")}
    return {"private", "no-store"} <= directives and "cookie" in vary


def test_a_people_page_is_not_cached(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("people:list", args=[world.project.code]))
    assert response.status_code == 200 and _private(response)


def test_an_xlsx_export_and_a_certificate_pdf_are_not_cached(client, world, certificate):
    client.force_login(world.alice)
    export = client.get(reverse("certificates:register_export", args=[world.project.code]))
    assert export.content[:2] == b"PK" and _private(export)
    pdf = client.get(reverse("certificates:pdf", args=[world.project.code, certificate.pk]))
    assert pdf["Content-Type"] == "application/pdf" and _private(pdf)


def test_the_api_is_not_cached_with_a_token_or_a_session(client, world):
    _token, raw = api_token_create(user=world.alice, name="Skriptas")
    url = reverse("api:project_people", args=[world.project.code])
    response = client.get(url, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200 and _private(response)
    client.force_login(world.alice)
    response = client.get(url)
    assert response.status_code == 200 and _private(response)


def test_the_page_showing_a_new_token_once_is_not_cached(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("api:tokens"), {"name": "Ataskaitos"}, follow=True)
    assert "kv_" in response.text and _private(response)


def test_a_public_page_for_an_anonymous_visitor_keeps_its_caching(client, certificate):
    response = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_view_that_sets_its_own_cache_control_keeps_it(rf, world):
    from django.http import HttpResponse

    from kvalis.lib.middleware import PrivateCacheMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "max-age=60"
        return response

    request = rf.get("/")
    request.user = world.alice
    response = PrivateCacheMiddleware(view)(request)
    assert response["Cache-Control"] == "max-age=60"
    assert "Cookie" in response["Vary"]
