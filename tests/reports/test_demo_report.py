"""Done-when checks on the demo (the seed case): 160 trained, municipality counts summing to it,
and a public summary naming every fact of the seed article.

They need the enrolment and attendance demo steps (which make exactly 160 persons attend). The
demo is loaded once for the module, committed, and the database flushed at the end (as
tests/test_demo.py does).
"""

import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from kvalis.demo import data
from kvalis.projects.models import Project
from kvalis.reports.summary import generate_summary

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        try:
            call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def project(demo, db) -> Project:
    return Project.objects.get(code=data.PROJECT_CODE)


def test_report_json_on_the_demo_gives_160_trained_and_municipalities_summing_to_it(project):
    out = io.StringIO()
    call_command("report", data.PROJECT_CODE, "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["participants_trained"] == 160
    assert sum(report["participants_by_municipality"].values()) == 160
    assert set(report["participants_by_municipality"]) <= {
        "anyksciu-r",
        "ignalinos-r",
        "moletu-r",
        "utenos-r",
        "zarasu-r",
        "visagino",
    }
    for key in ("academic_hours_delivered", "budget_currency", "budget_planned", "budget_spent"):
        assert key in report, key
    assert "certificates_issued" in report


def test_generated_summary_names_every_fact_of_the_seed_article(project):
    text = generate_summary(project).text
    assert "Utenos A. ir M. Miškinių viešoji biblioteka, kartu su partneriais:" in text
    assert (
        "Vilniaus universiteto Komunikacijos fakultetu, Utenos švietimo centru, "
        "VšĮ „Sėkmės mokykla“ bei Anykščių, Ignalinos, Molėtų, Zarasų ir Visagino "
        "viešosiomis bibliotekomis"
    ) in text
    assert f"projektą „{data.PROJECT_TITLE}“" in text
    assert (
        "LR Kultūros ministerijos Kultūros specialistų kvalifikacijos tobulinimo programa" in text
    )
    assert "25 000,00 Lt (7 240,50 €)" in text
    assert "Utenos A. ir M. Miškinių viešojoje bibliotekoje vyko trijų modulių mokymai" in text
    for _kind, title, audience, _categories, _topics in data.MODULES:
        assert f"„{title}“" in text
        assert audience[1:] in text  # the audience, its first letter lowered mid-sentence
    assert "apmokyta 160 darbuotojų" in text
    assert "Taliną (Estija)" in text
    assert "Talino ir jo regiono kultūros ir neformal" in text


def test_the_demo_projects_figures_are_kept_and_equal_a_count_from_raw_attendance(project):
    from kvalis.reports import figures
    from kvalis.reports.indicators import project_indicators, stored_indicators

    assert figures.is_maintained(project)
    raw = project_indicators(project, source="raw")
    assert stored_indicators(project) == project_indicators(project) == raw
