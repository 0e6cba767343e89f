"""For each demo login, the page after sign-in is that role's home and shows that role's items;
only the coordinator (of a registered organisation) and the site administrator reach the
create-project form. The demo is loaded once for the module, committed, and flushed at the end
(as in tests/test_demo.py)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from kvalis.demo import data
from kvalis.demo.steps.core import ADMIN_LOGIN, LOGINS
from kvalis.projects.models import Session

CODE = data.PROJECT_CODE


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            call_command("demo", stdout=StringIO(), stderr=StringIO())
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def sign_in(client, email: str):
    response = client.post(
        reverse("accounts:login"), {"username": email, "password": data.DEMO_PASSWORD}
    )
    assert response.status_code == 302, f"{email} could not sign in"
    return response


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def _home_after_sign_in(client, email: str) -> str:
    response = sign_in(client, email)
    assert response["Location"] == reverse("homes:home")
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.text


def test_coordinator_lands_on_the_project_figures_and_to_do(demo, db, client):
    text = _home_after_sign_in(client, LOGINS["coordinator"][0])
    assert "Utenos regiono" in text
    assert "Apmokyta asmenų" in text and "160 iš 160 planuotų" in text
    assert "Ką reikia padaryti" in text
    links = hrefs(text)
    assert reverse("reports:dashboard", args=[CODE]) in links
    assert reverse("projects:create") in links


def test_partner_coordinator_lands_on_her_organisations_place(demo, db, client):
    text = _home_after_sign_in(client, LOGINS["partner"][0])
    assert "Partnerio koordinatorius: Molėtų" in text
    assert "Ką reikia padaryti" not in text
    assert reverse("projects:detail", args=[CODE]) in hrefs(text)
    assert reverse("enrolment:cohorts", args=[CODE]) not in hrefs(text)


def test_trainer_lands_on_his_sessions(demo, db, client):
    text = _home_after_sign_in(client, LOGINS["trainer"][0])
    assert "Mano vedami mokymai" in text
    session = (
        Session.objects.filter(cohort__trainers__email=LOGINS["trainer"][0])
        .order_by("-starts_at")
        .first()
    )
    code = session.cohort.activity.project.code
    links = hrefs(text)
    assert reverse("attendance:session", args=[code, session.pk]) in links
    assert reverse("attendance:signin_sheet", args=[code, session.pk]) in links
    assert reverse("projects:create") not in links


def test_participant_lands_on_my_trainings_with_everything_summed_up(demo, db, client):
    response = sign_in(client, LOGINS["participant"][0])
    home = client.get(response["Location"])
    assert home.status_code == 302
    assert home["Location"] == reverse("enrolment:my_trainings")
    text = client.get(home["Location"]).text
    for heading in (
        "Artimiausi užsiėmimai",
        "Mano valandos",
        "Mano pažymėjimai",
        "Laukiančios atsakymo apklausos",
    ):
        assert heading in text, heading
    assert "Pažymėjimas " in text  # the demo participant completed a module


def test_funder_observer_lands_on_the_figures_read_only(demo, db, client):
    text = _home_after_sign_in(client, LOGINS["funder"][0])
    assert "Utenos regiono" in text and "Sąmatos vykdymas" in text
    assert "Ką reikia padaryti" not in text
    links = hrefs(text)
    for name in ("enrolment:cohorts", "attendance:index", "certificates:overview"):
        assert reverse(name, args=[CODE]) not in links, name


def test_site_administrator_lands_on_administration(demo, db, client):
    text = _home_after_sign_in(client, ADMIN_LOGIN)
    assert "Svetainės administravimas" in text
    assert reverse("projects:create") in hrefs(text)


@pytest.mark.parametrize(
    ("email", "status"),
    [
        (LOGINS["coordinator"][0], 200),
        (ADMIN_LOGIN, 200),
        # Laima coordinates the Molėtai library, a registered organisation: she may lead.
        (LOGINS["partner"][0], 200),
        (LOGINS["trainer"][0], 404),
        (LOGINS["participant"][0], 404),
        (LOGINS["funder"][0], 404),
    ],
)
def test_only_coordinators_of_registered_organisations_reach_the_create_form(
    demo, db, client, email, status
):
    sign_in(client, email)
    assert client.get(reverse("projects:create")).status_code == status
