"""The demo Tallinn visit: itinerary, 18 travellers chosen by the ranking, 3 reserves, costs."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from kvalis.accounts.models import User
from kvalis.attendance.selectors import completion_for_enrolments
from kvalis.demo import data
from kvalis.demo.steps.core import LOGINS
from kvalis.enrolment.models import Enrolment
from kvalis.projects.models import Project
from kvalis.visits.models import StudyVisit
from kvalis.visits.selectors import visit_summary
from tests.budget.test_demo import FAST_HASHER, load_demo_until


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        try:
            load_demo_until("visits")
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def project(demo, db):
    return Project.objects.get(code=data.PROJECT_CODE)


def test_demo_visit_summary(project):
    summary = visit_summary(project)
    assert summary["destination"] == "Talinas"
    assert (summary["start_date"], summary["end_date"]) == (date(2014, 11, 5), date(2014, 11, 7))
    assert 4 <= summary["hosts"] <= 6
    assert summary["travellers"] == 18
    assert summary["reserves"] == 3
    assert all(item["outcomes"] for item in summary["outcomes"])
    assert all("iliustracinis" in item["host"] for item in summary["outcomes"])


def test_demo_travellers_are_confirmed_in_the_visit_cohort_and_completed_a_module(project):
    visit = StudyVisit.objects.get(activity__project=project)
    travellers = list(visit.travellers.filter(status="traveller"))
    assert all(t.enrolment.status == "confirmed" for t in travellers)
    assert all(t.enrolment.cohort_id == visit.cohort_id for t in travellers)
    assert all(t.met_criteria for t in travellers)
    if visit.min_completed_modules:
        person_ids = [t.person_id for t in travellers]
        modules = Enrolment.objects.filter(
            person_id__in=person_ids, cohort__activity__kind="module", status="confirmed"
        )
        completed = {
            e.person_id
            for e in modules
            if completion_for_enrolments(modules.filter(pk=e.pk))[e.pk].completed
        }
        assert completed == set(person_ids)


def test_demo_checklists_and_per_person_costs(project):
    visit = StudyVisit.objects.get(activity__project=project)
    for traveller in visit.travellers.filter(status="traveller"):
        assert traveller.checklist_complete(visit)
        assert sum(c.amount for c in traveller.costs.all()) == Decimal("486.00")
    assert visit_summary(project)["cost_total"] == Decimal("8748.00")


def test_demo_visit_pages_render_for_the_coordinator(client, project):
    visit = StudyVisit.objects.get(activity__project=project)
    client.force_login(User.objects.get(email=LOGINS["coordinator"][0]))
    detail = client.get(reverse("visits:detail", args=[project.code, visit.pk]))
    assert detail.status_code == 200
    assert "486,00 Lt" in detail.text
    selection = client.get(reverse("visits:selection", args=[project.code, visit.pk]))
    assert selection.status_code == 200
