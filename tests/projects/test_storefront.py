"""The public storefront: `/` and the public project page `/p/<code>/`.

`/` shows the cohorts open for applications (the catalogue's rule: a public project, not started,
registration not closed) with a search sent to the catalogue, and the public projects; a public
project's page lists its own open cohorts, each with an "Apply" button.
"""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvalis.enrolment.models import CohortRegistration
from tests.factories import (
    ActivityFactory,
    CohortFactory,
    EnrolmentFactory,
    ProjectFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

NEXT_MONTH = date.today() + timedelta(days=30)


def open_cohort(activity, *, name="1 grupė", start=NEXT_MONTH, **fields):
    return CohortFactory(
        activity=activity, name=name, start_date=start, end_date=start + timedelta(days=1), **fields
    )


def apply_url(cohort) -> str:
    return reverse("enrolment:apply", args=[cohort.public_id])


@pytest.fixture
def storefront(world):
    """world.project (public) with an open cohort, a closed one and one that has started; a
    private project with an open-dated cohort."""
    venue = VenueFactory(project=world.project, name="Utenos viešoji biblioteka", city="Utena")
    activity = ActivityFactory(project=world.project, title="Projektų valdymas")
    opened = open_cohort(activity, name="Rudens grupė", venue=venue, capacity=3)
    EnrolmentFactory(cohort=opened, status="confirmed")
    closed = open_cohort(activity, name="Uždaryta grupė")
    CohortRegistration.objects.create(cohort=closed, is_open=False)
    private = ProjectFactory(code="SLAPTAS", title="Slaptas projektas", is_public=False)
    hidden = open_cohort(ActivityFactory(project=private, title="Slaptas modulis"))
    return {"opened": opened, "closed": closed, "private": private, "hidden": hidden}


# --- / ----------------------------------------------------------------------------------------


def test_home_shows_open_cohorts_of_public_projects_only(client, world, storefront):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.text
    opened = storefront["opened"]
    assert "Projektų valdymas" in page and "Rudens grupė" in page
    assert apply_url(opened) in page
    assert NEXT_MONTH.isoformat() in page
    assert "Utenos viešoji biblioteka, Utena" in page
    # 3 seats, one confirmed: 2 free for a public applicant.
    assert "<dt>Laisvos vietos</dt><dd>2</dd>" in page
    # Not a closed cohort, not world.cohort (2014, long over), not a private project's.
    assert apply_url(storefront["closed"]) not in page
    assert apply_url(world.cohort) not in page
    assert apply_url(storefront["hidden"]) not in page
    assert "Slaptas" not in page


def test_home_lists_public_projects_but_not_private_ones(client, world, storefront):
    page = client.get(reverse("home")).text
    assert reverse("projects:public", args=[world.project.code]) in page
    assert reverse("projects:public", args=[world.other_project.code]) in page
    assert reverse("projects:public", args=["SLAPTAS"]) not in page
    # world.project has one open cohort, the other project none.
    assert "1 grupė priima paraiškas" in page


def test_home_search_is_the_catalogue_filter_sent_to_the_catalogue(client, world, storefront):
    page = client.get(reverse("home")).text
    catalogue = reverse("enrolment:catalogue")
    assert f'action="{catalogue}"' in page
    assert 'name="municipality"' in page and 'name="month"' in page
    # The activity choices are those with an open cohort.
    activity = storefront["opened"].activity
    assert f'<option value="{activity.pk}">Projektų valdymas</option>' in page
    assert "Slaptas modulis" not in page


def test_the_search_from_home_finds_the_cohort_in_the_catalogue(client, world, storefront):
    opened = storefront["opened"]
    other = open_cohort(ActivityFactory(project=world.project, title="Strateginis planavimas"))
    response = client.get(reverse("enrolment:catalogue"), {"activity": opened.activity.pk})
    assert apply_url(opened) in response.text
    assert apply_url(other) not in response.text
    month = f"{NEXT_MONTH:%Y-%m}"
    response = client.get(reverse("enrolment:catalogue"), {"month": month})
    assert apply_url(opened) in response.text and apply_url(other) in response.text


def test_home_says_so_when_nothing_is_open(client, world):
    page = client.get(reverse("home")).text
    assert "Šiuo metu paraiškos nepriimamos nė į vieną grupę." in page
    assert reverse("enrolment:catalogue") in page


def test_home_tells_a_visitor_what_kvalis_is_and_how_to_sign_in(client, world):
    page = client.get(reverse("home")).text
    assert "Kvalis" in page
    assert reverse("accounts:login") in page
    assert "Mokymų katalogas" in page  # the public navigation


def test_home_invites_an_institution_to_ask_to_join(client, world):
    from django.urls import NoReverseMatch

    page = client.get(reverse("home")).text
    assert "Įstaigoms" in page
    try:
        join_url = reverse("organisations:join")
    except NoReverseMatch:  # the join page is not built yet: the text stays, no dead link
        return
    assert f'href="{join_url}"' in page


def test_a_signed_in_user_gets_a_link_to_their_home(client, world):
    from django.urls import NoReverseMatch

    client.force_login(world.alice)
    page = client.get(reverse("home")).text
    try:
        home = reverse("homes:home")
    except NoReverseMatch:
        home = reverse("projects:dashboard")
    assert f'class="button" href="{home}"' in page
    assert "Eiti į savo pradžios puslapį" in page


def test_home_runs_the_same_queries_whatever_the_number_of_cohorts_and_projects(client, world):
    def count() -> int:
        cache.clear()  # the page rendered, not the copy kept for visitors (kvalis.lib.public_cache)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        return len(queries)

    activity = ActivityFactory(project=world.project)
    open_cohort(activity)
    few = count()
    for n in range(8):
        project = ProjectFactory()
        cohort = open_cohort(ActivityFactory(project=project), name=f"{n} grupė")
        EnrolmentFactory(cohort=cohort)
    assert count() == few
    assert few <= 8


# --- /p/<code>/ -------------------------------------------------------------------------------


def test_public_page_lists_its_open_cohorts_with_apply(client, world, storefront):
    page = client.get(reverse("projects:public", args=[world.project.code])).text
    opened = storefront["opened"]
    assert "Priima paraiškas" in page
    assert f'href="{apply_url(opened)}"' in page
    assert ">Pateikti paraišką</a>" in page
    assert "Rudens grupė" in page and "Utenos viešoji biblioteka, Utena" in page
    assert "<dt>Laisvos vietos</dt><dd>2</dd>" in page
    assert apply_url(storefront["closed"]) not in page
    assert apply_url(world.cohort) not in page
    assert reverse("enrolment:catalogue") in page


def test_public_page_does_not_list_another_projects_cohorts(client, world, storefront):
    theirs = open_cohort(ActivityFactory(project=world.other_project))
    page = client.get(reverse("projects:public", args=[world.project.code])).text
    assert apply_url(theirs) not in page
    page = client.get(reverse("projects:public", args=[world.other_project.code])).text
    assert apply_url(theirs) in page
    assert apply_url(storefront["opened"]) not in page


def test_a_full_cohort_still_offers_the_waiting_list(client, world):
    cohort = open_cohort(world.activity, capacity=1)
    EnrolmentFactory(cohort=cohort, status="confirmed")
    page = client.get(reverse("projects:public", args=[world.project.code])).text
    assert f'href="{apply_url(cohort)}"' in page
    assert "nėra, laukiančiųjų sąrašas" in page


def test_public_page_says_so_when_no_cohort_is_open(client, world):
    page = client.get(reverse("projects:public", args=[world.project.code])).text
    assert "Šiuo metu paraiškos nepriimamos nė į vieną šio projekto grupę." in page
    assert reverse("enrolment:catalogue") in page


def test_a_private_project_page_stays_404_with_its_open_cohorts_hidden(client, storefront):
    response = client.get(reverse("projects:public", args=["SLAPTAS"]))
    assert response.status_code == 404
    assert apply_url(storefront["hidden"]) not in response.text
    assert "Slaptas" not in response.text


def test_public_page_runs_the_same_queries_whatever_the_number_of_cohorts(client, world):
    def count() -> int:
        cache.clear()  # the page rendered, not the copy kept for visitors (kvalis.lib.public_cache)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("projects:public", args=[world.project.code]))
            assert response.status_code == 200
        return len(queries)

    open_cohort(world.activity, venue=VenueFactory(project=world.project))
    few = count()
    for n in range(6):
        activity = ActivityFactory(project=world.project)
        cohort = open_cohort(activity, name=f"{n} grupė", venue=VenueFactory(project=world.project))
        EnrolmentFactory(cohort=cohort)
    assert count() == few


# --- in a real browser --------------------------------------------------------------------


@pytest.mark.browser
def test_storefront_pages_fit_a_phone_and_pass_axe(new_context, live_server, world, storefront):
    """At 390 px nothing scrolls sideways, and axe-core finds no serious or critical violation
    on /, the public project page and the catalogue the search leads to."""
    from tests.browser import axe_violations

    page = new_context(viewport={"width": 390, "height": 844}).new_page()
    paths = [
        reverse("home"),
        reverse("projects:public", args=[world.project.code]),
        reverse("enrolment:catalogue") + f"?activity={storefront['opened'].activity.pk}",
    ]
    for path in paths:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        assert axe_violations(page) == [], path
    # The search on / leads to the catalogue, filtered.
    page.goto(live_server.url + reverse("home"))
    page.select_option("#id_activity", label="Projektų valdymas")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/catalogue/?*")
    assert page.locator(f'a[href="{apply_url(storefront["opened"])}"]').count() == 1


def test_a_bad_month_from_the_home_search_is_refused_with_a_lithuanian_message(client, world):
    """The search on / is the catalogue's form: the catalogue says what is wrong and filters
    nothing out."""
    cohort = open_cohort(world.activity)
    response = client.get(reverse("enrolment:catalogue"), {"month": "2014-13"})
    assert response.status_code == 200
    assert "Mėnesį rašykite taip: MMMM-MM, pvz., 2014-05." in response.text
    assert apply_url(cohort) in response.text
