"""Public pages kept in the cache (`kvalis.lib.public_cache`): the catalogue, `/`, the public
project page and the verification page are rendered once per language and day for anonymous
visitors, served again without the database, and made stale by the services that change them."""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvalis.certificates import services as certificate_services
from kvalis.certificates.models import REVOKE_STATEMENTS
from kvalis.enrolment import services as enrolment_services
from kvalis.enrolment.models import CohortRegistration
from kvalis.enrolment.views import CATALOGUE_PAGE_SIZE
from kvalis.projects import services as project_services
from kvalis.projects.models import Cohort, Project
from tests.factories import (
    ActivityFactory,
    CertificateFactory,
    CohortFactory,
    EnrolmentConfirmationFactory,
    EnrolmentFactory,
)

pytestmark = pytest.mark.django_db

NEXT_MONTH = date.today() + timedelta(days=30)


def open_cohort(activity, *, name="Rudens grupė", start=NEXT_MONTH, **fields):
    return CohortFactory(
        activity=activity, name=name, start_date=start, end_date=start + timedelta(days=1), **fields
    )


@pytest.fixture
def opened(world):
    activity = ActivityFactory(project=world.project, title="Projektų valdymas")
    return open_cohort(activity, capacity=3)


def free_places(page: str) -> str:
    """The catalogue's "free places" cell of its only row."""
    return re.search(r'<td class="num">([^<]+)</td>', page).group(1).strip()


def without_csrf(content: bytes) -> bytes:
    return re.sub(rb'value="[A-Za-z0-9]{64}"', b'value=""', content)


# --- kept and served again -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["catalogue", "home", "project", "verify"])
def test_a_kept_page_is_served_again_without_the_database(client, world, opened, name):
    """The second request for a public page runs no query and returns the same page (its CSRF
    token apart, which is the visitor's own)."""
    url = {
        "catalogue": reverse("enrolment:catalogue"),
        "home": reverse("home"),
        "project": reverse("projects:public", args=[world.project.code]),
        "verify": reverse("certificates:verify", args=[CertificateFactory().verification_code]),
    }[name]
    first = client.get(url)
    assert first.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url)
    assert second.status_code == 200
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert without_csrf(second.content) == without_csrf(first.content)
    assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"]


def test_a_signed_in_user_never_gets_the_anonymous_page(client, world, opened):
    """A page kept for visitors has no navigation bar of a user; a signed-in user's own page is
    rendered for them, and is not kept for the next visitor either."""
    url = reverse("enrolment:catalogue")
    anonymous = client.get(url).text
    assert "Sign out" not in anonymous and "Atsijungti" not in anonymous
    client.force_login(world.alice)
    mine = client.get(url)
    assert "Atsijungti" in mine.text
    assert "ETag" not in mine
    client.logout()
    visitor = Client().get(url).text
    assert "Atsijungti" not in visitor


def test_an_etag_that_matches_gets_304_without_a_body(client, opened):
    url = reverse("enrolment:catalogue")
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert first["Last-Modified"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    # Another visitor (another CSRF cookie) with the same ETag gets the page: the browser's
    # copy holds a token of the first visitor's cookie.
    assert Client().get(url, headers={"if-none-match": etag}).status_code == 200


def test_languages_are_kept_apart(client, opened):
    url = reverse("enrolment:catalogue")
    lithuanian = client.get(url).text
    english_client = Client()
    english_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_client.get(url)
    english = english_client.get(url).text
    assert "Mokymų katalogas" in lithuanian or 'lang="lt"' in lithuanian
    assert 'lang="en"' in english and "Training catalogue" in english
    assert 'lang="lt"' in client.get(url).text


def test_the_form_of_a_kept_page_works_for_each_visitor(opened):
    """The language switcher on a page served from the cache carries a token of this visitor's
    CSRF cookie: the POST passes the CSRF check; and the application form after it works."""
    Client().get(reverse("enrolment:catalogue"))  # kept by someone else's visit
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(reverse("enrolment:catalogue")).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', page).group(1)
    switched = visitor.post(
        reverse("set_language"), {"csrfmiddlewaretoken": token, "language": "en", "next": "/"}
    )
    assert switched.status_code == 302
    apply_page = visitor.get(reverse("enrolment:apply", args=[opened.public_id])).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', apply_page).group(1)
    posted = visitor.post(
        reverse("enrolment:apply", args=[opened.public_id]), {"csrfmiddlewaretoken": token}
    )
    # Past the CSRF check: the empty form is answered with its errors, not with 403.
    assert posted.status_code == 200


def test_a_page_with_a_message_waiting_is_not_served_from_the_cache(client, opened):
    url = reverse("enrolment:catalogue")
    client.get(url)
    from django.contrib.messages.storage.cookie import CookieStorage

    storage = CookieStorage(type("R", (), {"COOKIES": {}})())
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.http import HttpResponse

    response = HttpResponse()
    storage._store([Message(constants.ERROR, "Pranešimas lankytojui")], response)
    client.cookies[storage.cookie_name] = response.cookies[storage.cookie_name].value
    assert "Pranešimas lankytojui" in client.get(url).text


# --- made stale by the services --------------------------------------------------------------


def test_a_confirmation_changes_the_free_places_at_once(client, opened):
    url = reverse("enrolment:catalogue")
    assert free_places(client.get(url).text) == "3"
    CohortRegistration.objects.create(cohort=opened, auto_approve=True)
    confirmation = EnrolmentConfirmationFactory(enrolment__cohort=opened)
    enrolment = enrolment_services.application_confirm(token=confirmation.token)
    assert enrolment.status == "confirmed"
    assert free_places(client.get(url).text) == "2"


def test_a_cancellation_frees_the_place_at_once(client, world, opened):
    enrolment = EnrolmentFactory(cohort=opened, status="confirmed")
    url = reverse("projects:public", args=[world.project.code])
    before = client.get(url).text
    enrolment_services.enrolment_cancel(actor=world.alice, enrolment=enrolment)
    after = client.get(url).text
    assert before != after


def test_a_cohort_edit_shows_at_once(client, world, opened):
    url = reverse("enrolment:catalogue")
    assert "Rudens grupė" in client.get(url).text
    # The project runs until after the cohort (the world's project ended in 2014).
    Project.objects.filter(pk=world.project.pk).update(end_date=NEXT_MONTH + timedelta(days=60))
    cohort = Cohort.objects.get(pk=opened.pk)
    project_services.cohort_update(actor=world.alice, cohort=cohort, name="Žiemos grupė")
    page = client.get(url).text
    assert "Žiemos grupė" in page and "Rudens grupė" not in page


def test_a_revoked_certificate_shows_revoked_at_once(client, world):
    certificate = CertificateFactory()
    url = reverse("certificates:verify", args=[certificate.verification_code])
    assert "verify-valid" in client.get(url).text
    certificate_services.certificate_revoke(
        certificate=certificate,
        actor=world.alice,
        reason="Klaida dokumentuose",
        statement=REVOKE_STATEMENTS[0].value,
    )
    assert "verify-revoked" in client.get(url).text


def test_a_new_day_is_a_new_page(client, opened, monkeypatch):
    """What is open depends on the day: yesterday's page is not served today."""
    url = reverse("enrolment:catalogue")
    client.get(url)
    from django.utils import timezone

    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args: tomorrow)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert len(queries) > 0


# --- the catalogue's pages and filters ---------------------------------------------------------


def test_the_catalogue_shows_fifty_cohorts_a_page(client, world):
    activity = ActivityFactory(project=world.project, title="Projektų valdymas")
    for n in range(CATALOGUE_PAGE_SIZE + 5):
        open_cohort(activity, name=f"Grupė {n:03d}")
    first = client.get(reverse("enrolment:catalogue")).text
    assert first.count("<tr>") == CATALOGUE_PAGE_SIZE + 1  # and the header row
    assert "55" in re.search(r"<caption>([^<]+)</caption>", first).group(1)
    assert 'rel="next"' in first
    second = client.get(reverse("enrolment:catalogue") + "?page=2").text
    assert second.count("<tr>") == 5 + 1
    assert "Grupė 054" in second and "Grupė 000" not in second


def test_a_filter_is_kept_per_value_and_junk_is_not_kept(client, world, opened):
    other = open_cohort(
        ActivityFactory(project=world.project, title="Strateginis planavimas"), name="Kita grupė"
    )
    url = reverse("enrolment:catalogue")
    filtered = client.get(url, {"activity": opened.activity_id, "municipality": "", "month": ""})
    assert "Rudens grupė" in filtered.text and other.name not in filtered.text
    with CaptureQueriesContext(connection) as queries:
        client.get(url, {"activity": opened.activity_id})
    assert len(queries) == 0
    for junk in ({"activity": "999999"}, {"page": "77"}, {"month": "1999-01"}, {"x": "1"}):
        client.get(url, junk)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, junk)
        assert response.status_code == 200
        assert len(queries) > 0, junk


def test_an_invalid_month_gets_its_error_and_the_page_still_works(client, opened):
    response = client.get(reverse("enrolment:catalogue"), {"month": "2014-13"})
    assert response.status_code == 200
    assert "YYYY-MM" in response.text or "MMMM-MM" in response.text


# --- the version with the database cache ------------------------------------------------------


@pytest.fixture
def database_cache(settings):
    from django.core.cache import caches
    from django.core.management import call_command

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kvalis_cache_test",
        },
    }
    call_command("createcachetable", verbosity=0)
    yield caches["default"]
    caches["default"].clear()


def test_with_the_database_cache_a_change_is_written_at_the_commit_only(
    database_cache, django_capture_on_commit_callbacks
):
    """Inside the writer's transaction the version row is not written (it would be locked
    until the commit, and every seat change would wait for it); at the commit it is."""
    from kvalis.lib import public_cache

    key = public_cache._version_key(public_cache.CATALOGUE)
    assert database_cache.get(key) is None
    with django_capture_on_commit_callbacks(execute=True):
        public_cache.changed(public_cache.CATALOGUE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM kvalis_cache_test")
            assert cursor.fetchone()[0] == 0
    assert database_cache.get(key) is not None


def test_with_the_database_cache_a_confirmation_still_shows_at_once(
    client, opened, database_cache, django_capture_on_commit_callbacks
):
    url = reverse("enrolment:catalogue")
    assert free_places(client.get(url).text) == "3"
    CohortRegistration.objects.create(cohort=opened, auto_approve=True)
    confirmation = EnrolmentConfirmationFactory(enrolment__cohort=opened)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrolment_services.application_confirm(token=confirmation.token)
    assert enrolment.status == "confirmed"
    assert free_places(client.get(url).text) == "2"
