"""With DEBUG off, errors show pages of the app in Lithuanian, not Django's bare ones.

404 and 403 extend base.html (they are rendered with the request); 500, 400 and the CSRF
failure (403_csrf) are rendered by Django without a request context, so they use a frame that
needs neither the request nor the database. Every one links home and to the training
catalogue. /api/ keeps its JSON errors.
"""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_page_urls")]

HOME = 'href="/"'


def _links_home_and_catalogue(html: str) -> bool:
    return HOME in html and f'href="{reverse("enrolment:catalogue")}"' in html


@override_settings(DEBUG=False)
def test_a_missing_page_is_a_lithuanian_page_of_the_app(client, world):
    response = client.get("/nera-tokio-puslapio/")
    assert response.status_code == 404
    html = response.text
    assert "<h1>Puslapis nerastas</h1>" in html
    assert 'lang="lt"' in html
    assert 'class="site-header"' in html  # the app's look: base.html
    assert _links_home_and_catalogue(html)


@override_settings(DEBUG=False)
def test_a_404_inside_the_back_office_shows_the_same_page_and_nothing_of_the_project(client, world):
    client.force_login(world.charlie)
    response = client.get(reverse("projects:detail", args=[world.project.code]))
    assert response.status_code == 404
    assert "Puslapis nerastas" in response.text
    assert world.project.title not in response.text
    # Signed in, the page still has the user's navigation.
    assert reverse("accounts:logout") in response.text


@override_settings(DEBUG=False)
def test_a_private_project_page_answers_the_lithuanian_404(client, world):
    world.project.is_public = False
    world.project.save()
    response = client.get(reverse("projects:public", args=[world.project.code]))
    assert response.status_code == 404
    assert "Puslapis nerastas" in response.text
    assert world.project.title not in response.text


@override_settings(DEBUG=False)
def test_the_404_page_is_english_for_a_user_who_chose_english(client, world):
    world.alice.language = "en"
    world.alice.save()
    client.force_login(world.alice)
    response = client.get("/nera-tokio-puslapio/")
    assert response.status_code == 404
    assert 'lang="en"' in response.text
    assert "<h1>Page not found</h1>" in response.text


@override_settings(DEBUG=False)
def test_a_server_error_is_a_lithuanian_page(world):
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Įvyko klaida</h1>" in html
    assert 'lang="lt"' in html
    assert "a bug, on purpose" not in html
    assert _links_home_and_catalogue(html)
    assert 'href="/static/kvalis/kvalis.css"' in html


def test_the_500_page_renders_without_a_request_or_the_database():
    """As django.views.defaults.server_error renders it: no context, no request."""
    with translation.override("lt"), CaptureQueriesContext(connection) as queries:
        html = render_to_string("500.html")
    assert "Įvyko klaida" in html
    assert _links_home_and_catalogue(html)
    assert len(queries) == 0


def test_the_500_page_does_not_need_the_static_files_manifest(settings):
    """With DEBUG off the stylesheet is served by WhiteNoise from the manifest; a missing entry
    must not turn the error page into a second error."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-static-root"
    html = render_to_string("500.html")
    assert "kvalis/kvalis.css" in html


@override_settings(DEBUG=False)
def test_permission_denied_is_a_lithuanian_page(client, world):
    response = client.get("/test-errors/403/")
    assert response.status_code == 403
    assert "<h1>Prieiga uždrausta</h1>" in response.text
    assert _links_home_and_catalogue(response.text)


@override_settings(DEBUG=False)
def test_a_bad_request_is_a_lithuanian_page(client, world):
    response = client.get("/test-errors/400/")
    assert response.status_code == 400
    assert "<h1>Netinkama užklausa</h1>" in response.text
    assert _links_home_and_catalogue(response.text)


@override_settings(DEBUG=False)
@pytest.mark.parametrize("path", ["/api/nothing/", "/api/projects/NO-SUCH/"])
def test_the_api_keeps_its_json_404(client, world, path):
    client.force_login(world.alice)
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"error"}


@override_settings(DEBUG=False)
def test_a_form_sent_without_its_csrf_token_is_refused_with_a_lithuanian_page(world):
    from datetime import date, timedelta

    from kvalis.enrolment.models import Enrolment
    from tests.factories import CohortFactory

    start = date.today() + timedelta(days=30)
    cohort = CohortFactory(activity=world.activity, start_date=start, end_date=start)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("enrolment:apply", args=[cohort.public_id]),
        {
            "first_name": "Aistė",
            "last_name": "Žukauskaitė",
            "email": "aiste@example.lt",
            "organisation": world.lead.pk,
            "position": "bibliotekininkė",
            "position_category": "specialist",
            "consent": "on",
        },
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Formos nepavyko išsiųsti</h1>" in html
    assert _links_home_and_catalogue(html)
    assert not Enrolment.objects.filter(cohort=cohort).exists()
