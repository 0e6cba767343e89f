"""The budget and the study visit in a real browser: a coordinator books an expense typed the
Lithuanian way with its scanned PDF, sees it on the execution page, selects a traveller with a
written exception; every page passes axe-core (WCAG 2.1 AA)."""

from decimal import Decimal

import pytest

from kvalis.budget.models import Expense
from kvalis.visits.models import Traveller
from tests.browser import assert_accessible, follow, login
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    BudgetLineFactory,
    CohortFactory,
    EnrolmentFactory,
    MembershipFactory,
    PartnerFactory,
    PersonFactory,
    ProjectFactory,
    StudyVisitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = ProjectFactory(code="UTENA-B", title="Kultūros darbuotojų kvalifikacija")
    PartnerFactory(project=project, organisation=project.lead, role="lead")
    coordinator = UserFactory(email="koordinatore@example.lt")
    MembershipFactory(project=project, user=coordinator, role="coordinator")
    BudgetLineFactory(
        project=project, title="Lektorių honorarai", planned_amount=Decimal("20000.00")
    )
    BudgetLineFactory(
        project=project,
        title="Kelionė ir apgyvendinimas",
        category="travel",
        planned_amount=Decimal("5000.00"),
    )
    visit = StudyVisitFactory(project=project)
    person = PersonFactory(organisation=project.lead, first_name="Žydrė", last_name="Čiurlionytė")
    # Enrolled in a module but without attendance: does not meet "completed at least 1 module".
    EnrolmentFactory(person=person, cohort=CohortFactory(activity=ActivityFactory(project=project)))
    return project, coordinator, visit, person


def test_coordinator_books_an_expense_and_selects_a_traveller(page, live_server, setup, tmp_path):
    project, coordinator, visit, person = setup
    login(page, live_server, coordinator.email, PASSWORD)

    page.goto(f"{live_server.url}/projects/{project.code}/budget/")
    assert "25 000,00 Lt" in page.content() and "7 240,50 €" in page.content()
    assert_accessible(page, "the execution page")

    follow(page, "text=Pridėti išlaidą")
    assert_accessible(page, "the expense form")
    scan = tmp_path / "saskaita.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.fill("input[name=date]", "2014-06-02")
    page.select_option("select[name=line]", label="Lektorių honorarai")
    page.fill("input[name=supplier]", "VšĮ „Sėkmės mokykla“")
    page.fill("input[name=document_number]", "SM-2014/041")
    page.fill("input[name=amount]", "1 234,50")
    page.set_input_files("input[name=scan]", str(scan))
    follow(page, "main form.stacked button[type=submit]")
    assert "Išlaida išsaugota" in page.content()
    expense = Expense.objects.get()
    assert expense.amount == Decimal("1234.50") and expense.scan_type == "application/pdf"
    assert_accessible(page, "the expense list")

    page.goto(f"{live_server.url}/projects/{project.code}/budget/expenses/new/")
    page.fill("input[name=date]", "2014-06-02")
    page.select_option("select[name=line]", label="Lektorių honorarai")
    page.fill("input[name=supplier]", "X")
    page.fill("input[name=document_number]", "X-1")
    page.fill("input[name=amount]", "10,005")
    follow(page, "main form.stacked button[type=submit]")
    assert "dviejų skaitmenų po kablelio" in page.content()
    assert Expense.objects.count() == 1
    assert_accessible(page, "the expense form with errors")

    page.goto(f"{live_server.url}/projects/{project.code}/budget/")
    assert "1 234,50 Lt" in page.content()

    page.goto(f"{live_server.url}/projects/{project.code}/visits/{visit.pk}/selection/")
    assert_accessible(page, "the selection page")
    follow(page, "button[name=status][value=traveller]")
    assert "neatitinka atrankos kriterijų" in page.content()
    assert not Traveller.objects.exists()
    page.fill(f"#reason-{person.pk}", "Jaunimo erdvės vadovė, vienintelė iš savivaldybės")
    follow(page, "button[name=status][value=traveller]")
    traveller = Traveller.objects.get()
    assert traveller.override_reason.startswith("Jaunimo erdvės")

    page.goto(f"{live_server.url}/projects/{project.code}/visits/{visit.pk}/")
    assert_accessible(page, "the study visit page")
    follow(page, "text=Čiurlionytė Žydrė")
    assert_accessible(page, "the traveller page")
