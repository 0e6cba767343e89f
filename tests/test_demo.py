"""`kvalis demo` loads the seed case (Utena county, 2014), and a second run changes nothing.

The demo is loaded once for this module, committed for real (as `make run` does, so that
`transaction.on_commit` work such as queued e-mail happens, with tasks run immediately as
`make run` runs them), loaded a second time, and the database is flushed at the end. Every step
in `kvalis.demo.steps` runs, so a step added later is covered by the idempotency check.
"""

import pkgutil
import re
from dataclasses import dataclass
from io import StringIO

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from kvalis.demo import data, steps
from kvalis.demo.steps.core import LOGINS
from kvalis.organisations.models import Organisation
from kvalis.people.models import Person
from kvalis.projects.models import Project

UTENA_COUNTY = {"anyksciu-r", "ignalinos-r", "moletu-r", "utenos-r", "zarasu-r", "visagino"}
LITHUANIAN_LETTERS = re.compile("[ąčęėįšųūžĄČĘĖĮŠŲŪŽ]")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def model_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@dataclass
class DemoRuns:
    first_output: str
    second_output: str
    counts_after_first: dict[str, int]
    counts_after_second: dict[str, int]
    mail_after_first: int
    mail_after_second: int


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # conftest's session settings apply: immediate tasks, fast hasher, media in a temporary folder.
    with django_db_blocker.unblock():
        try:
            mail.outbox = []
            first = run_demo()
            after_first, mail_first = model_counts(), len(mail.outbox)
            second = run_demo()
            after_second, mail_second = model_counts(), len(mail.outbox)
            yield DemoRuns(first, second, after_first, after_second, mail_first, mail_second)
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def project(demo, db) -> Project:
    return Project.objects.get(code=data.PROJECT_CODE)


def test_every_step_module_is_listed_in_steps():
    modules = {info.name for info in pkgutil.iter_modules(steps.__path__)}
    assert modules == set(steps.STEPS), "add the step's module name to STEPS in lifecycle order"
    assert steps.STEPS[0] == "core"


def test_second_run_changes_no_row_of_any_model(demo):
    changed = {
        label: (count, demo.counts_after_second[label])
        for label, count in demo.counts_after_first.items()
        if demo.counts_after_second[label] != count
    }
    assert changed == {}, f"the second `kvalis demo` changed (before, after): {changed}"


def test_second_run_sends_no_mail(demo):
    assert demo.mail_after_second == demo.mail_after_first


def test_demo_fills_the_database(demo):
    assert demo.counts_after_first["people.Person"] >= 160
    assert demo.counts_after_first["projects.Session"] > 0


def test_each_run_prints_a_summary_line_with_counts(demo):
    for output in (demo.first_output, demo.second_output):
        summary = [line for line in output.splitlines() if line.startswith("Demo loaded:")]
        assert len(summary) == 1, output
        assert "9 partners" in summary[0]
        assert re.search(r"\d+ people", summary[0])


def test_output_lists_the_five_logins_and_password(demo):
    for email in [
        "coordinator@demo.kvalis.lt",
        "partner.moletai@demo.kvalis.lt",
        "trainer@demo.kvalis.lt",
        "participant@demo.kvalis.lt",
        "funder@demo.kvalis.lt",
        "admin@demo.kvalis.lt",
    ]:
        assert email in demo.first_output
    assert "kvalis-demo" in demo.first_output


def test_if_empty_leaves_a_loaded_demo_alone(demo, db):
    before = model_counts()
    output = run_demo("--if-empty")
    assert "already loaded" in output
    assert model_counts() == before


def test_project_has_the_seed_case_facts(project):
    assert project.title == data.PROJECT_TITLE
    assert project.grant_amount == data.GRANT == 25000
    assert project.currency == "LTL"
    assert project.funder.name == "Lietuvos Respublikos kultūros ministerija"
    assert project.lead.name == "Utenos A. ir M. Miškinių viešoji biblioteka"


def test_consortium_is_the_lead_and_eight_partners(project):
    partners = list(project.partners.select_related("organisation"))
    assert len(partners) == 9
    assert [p.organisation for p in partners if p.role == "lead"] == [project.lead]
    names = {p.organisation.name for p in partners}
    assert "Vilniaus universiteto Komunikacijos fakultetas" in names
    assert "Molėtų rajono savivaldybės viešoji biblioteka" in names or any(
        "Molėt" in name for name in names
    )


def test_three_training_modules_and_one_study_visit(project):
    kinds = sorted(project.activities.values_list("kind", flat=True))
    assert kinds == ["module", "module", "module", "study_visit"]
    titles = set(project.activities.values_list("title", flat=True))
    assert "Projektų valdymas" in titles
    assert "Strateginis planavimas" in titles


def test_about_thirty_institutions_across_the_six_municipalities(project):
    institutions = Organisation.objects.filter(
        municipality__in=UTENA_COUNTY, type__in=["library", "museum", "culture_centre"]
    )
    assert 25 <= institutions.count() <= 40
    assert set(institutions.values_list("municipality", flat=True)) == UTENA_COUNTY


def test_at_least_160_workers_with_lithuanian_names(project):
    workers = Person.objects.filter(organisation__municipality__in=UTENA_COUNTY)
    assert workers.count() >= 160
    with_letters = [p for p in workers if LITHUANIAN_LETTERS.search(p.first_name + p.last_name)]
    assert len(with_letters) >= workers.count() // 2
    assert all(p.position for p in workers)


@pytest.mark.parametrize("role", list(LOGINS))
def test_demo_login_signs_in_with_the_demo_password(project, client, settings, role):
    settings.PASSWORD_HASHERS = FAST_HASHER
    email = LOGINS[role][0]
    response = client.post(
        reverse("accounts:login"), {"username": email, "password": data.DEMO_PASSWORD}
    )
    assert response.status_code == 302, f"{email} could not sign in"
    assert response.wsgi_request.user.is_authenticated
    assert response.wsgi_request.user.email == email


def test_both_runs_print_the_same_summary_line(demo):
    def summary(output: str) -> str:
        return next(line for line in output.splitlines() if line.startswith("Demo loaded:"))

    assert summary(demo.first_output) == summary(demo.second_output)
    assert "160 persons trained" in summary(demo.first_output)


def test_the_public_catalogue_has_open_cohorts_of_the_follow_up_project_only(project):
    from kvalis.demo.steps.upcoming import CODE
    from kvalis.enrolment.selectors import open_cohorts

    codes = {cohort.activity.project.code for cohort in open_cohorts()}

    assert codes == {CODE}
    assert "Išgalvotas" in Project.objects.get(code=CODE).description


# --- Who owns what, as the ownership migration settles existing data -------------------------


def _ownership_state() -> dict:
    from kvalis.organisations.models import OrganisationCoordinator

    return {
        "registered": sorted(
            Organisation.objects.filter(registered_at__isnull=False).values_list("name", flat=True)
        ),
        "represented": sorted(
            Organisation.objects.filter(represented_by__isnull=False).values_list(
                "name", "represented_by__name"
            )
        ),
        "coordinators": sorted(
            OrganisationCoordinator.objects.values_list("organisation__name", "user__email")
        ),
    }


def test_the_demos_organisations_are_registered_with_their_coordinators(project):
    state = _ownership_state()
    lead, moletai = project.lead.name, "Molėtų r. savivaldybės viešoji biblioteka"
    assert lead in state["registered"]
    assert (lead, "coordinator@demo.kvalis.lt") in state["coordinators"]
    assert any(
        email == "partner.moletai@demo.kvalis.lt" and "Molėt" in name
        for name, email in state["coordinators"]
    ), moletai
    assert set(project.partners.values_list("status", flat=True)) == {"accepted"}
    # Every institution a partner nominates for is represented by that partner.
    for partner in project.partners.prefetch_related("covered_organisations"):
        for org in partner.covered_organisations.all():
            assert org.represented_by_id == partner.organisation_id, org.name


def test_the_ownership_migration_on_the_demo_gives_the_same_owners(project, django_db_blocker):
    """Undo the ownership data, run the data migration's own function on the demo as it stood
    before it, and get the same registered organisations, coordinators and representation."""
    import importlib

    from kvalis.organisations.models import OrganisationCoordinator

    migration = importlib.import_module("kvalis.projects.migrations.0003_registered_organisations")
    expected = _ownership_state()
    OrganisationCoordinator.objects.all().delete()
    Organisation.objects.update(registered_at=None, represented_by=None)
    migration.register_existing(apps, None)
    assert _ownership_state() == expected


def test_the_demo_people_keep_confirmed_addresses(project):
    assert not Person.objects.exclude(email="").filter(email_verified=False, user__isnull=False)


def test_nothing_in_the_demo_is_recorded_before_it_happened(project):
    """Time is a rule: the 2014 project's certificates and surveys follow its sessions, and the
    follow-up project's future cohorts have no attendance, certificates or opened surveys."""
    from kvalis.attendance.models import Attendance
    from kvalis.certificates.models import Certificate
    from kvalis.demo.steps.upcoming import CODE
    from kvalis.surveys.models import Survey
    from kvalis.time_rules import cohort_ends_at

    upcoming = Project.objects.get(code=CODE)
    assert not Attendance.objects.filter(session__cohort__activity__project=upcoming).exists()
    assert not Certificate.objects.filter(project=upcoming).exists()
    assert not Survey.objects.filter(project=upcoming).exclude(status="draft").exists()
    certificates = Certificate.objects.filter(project=project).select_related("enrolment__cohort")
    assert certificates.exists()
    for certificate in certificates:
        assert certificate.issued_at >= cohort_ends_at(certificate.enrolment.cohort)


# --- The follow-up project's Molėtai partner (issue 11) ----------------------------------------


def test_the_follow_up_project_has_the_moletai_partner_with_quotas(project):
    from kvalis.demo.steps.upcoming import CODE, MOLETAI_QUOTAS
    from kvalis.enrolment.models import Enrolment, Quota
    from kvalis.projects.models import Membership

    upcoming = Project.objects.get(code=CODE)
    partner = upcoming.partners.get(organisation__name__startswith="Molėtų")
    assert partner.status == "accepted" and partner.role == "sending"
    seed = project.partners.get(organisation=partner.organisation)
    assert set(partner.covered_organisations.all()) == set(seed.covered_organisations.all())
    membership = Membership.objects.get(project=upcoming, user__email=LOGINS["partner"][0])
    assert membership.role == "partner_coordinator" and membership.partner == partner
    quotas = Quota.objects.filter(partner=partner).order_by("cohort__start_date")
    assert [q.seats for q in quotas] == MOLETAI_QUOTAS
    assert all(q.release_on < q.cohort.start_date for q in quotas)
    nominees = Enrolment.objects.filter(partner=partner)
    assert nominees.count() == 2
    assert {e.enrolled_by.email for e in nominees} == {LOGINS["partner"][0]}
    assert all(e.person.organisation.municipality == "moletu-r" for e in nominees)


def test_the_follow_up_project_leaves_the_seed_case_figures_alone(demo):
    summary = next(line for line in demo.first_output.splitlines() if "Demo loaded:" in line)
    assert "9 partners" in summary and "160 persons trained" in summary


def test_the_moletai_coordinator_sees_her_quota_on_the_follow_up_nominate_page(
    project, client, settings
):
    from kvalis.demo.steps.upcoming import CODE
    from kvalis.projects.models import Cohort

    settings.PASSWORD_HASHERS = FAST_HASHER
    client.post(
        reverse("accounts:login"),
        {"username": LOGINS["partner"][0], "password": data.DEMO_PASSWORD},
    )
    cohort = Cohort.objects.filter(activity__project__code=CODE).order_by("start_date").last()
    text = client.get(reverse("enrolment:nominate", args=[CODE, cohort.pk])).content.decode()
    assert "Mūsų kvota šioje grupėje" in text
    assert "Pridėti naują darbuotoją" in text
    assert "Molėtų rajono savivaldybės viešoji biblioteka" in text
