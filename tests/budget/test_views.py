"""Budget pages: three personas (plus the funder observer, read-only), forms and bad input."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kvalis.budget.models import BudgetLine, Expense
from kvalis.budget.services import expense_create
from tests.budget.conftest import PDF
from tests.factories import BudgetLineFactory, ExpenseFactory


@pytest.fixture
def line(world):
    return BudgetLineFactory(
        project=world.project, title="Lektorių honorarai", planned_amount=Decimal("1000.00")
    )


@pytest.fixture
def expense(world, line):
    return expense_create(
        project=world.project,
        actor=world.alice,
        line=line,
        date=date(2014, 5, 12),
        supplier="UAB Pavyzdys",
        document_number="PVZ-0042",
        amount=Decimal("1200.00"),
        scan=SimpleUploadedFile("saskaita.pdf", PDF),
    )


def _urls(world, line, expense):
    code = world.project.code
    return {
        "overview": reverse("budget:overview", args=[code]),
        "expenses": reverse("budget:expenses", args=[code]),
        "line_create": reverse("budget:line_create", args=[code]),
        "line_edit": reverse("budget:line_edit", args=[code, line.pk]),
        "expense_create": reverse("budget:expense_create", args=[code]),
        "expense_edit": reverse("budget:expense_edit", args=[code, expense.pk]),
        "scan": reverse("budget:expense_scan", args=[code, expense.pk]),
        "xlsx": reverse("budget:export_xlsx", args=[code]),
        "lines_csv": reverse("budget:export_lines_csv", args=[code]),
        "expenses_csv": reverse("budget:export_expenses_csv", args=[code]),
    }


READ_PAGES = ["overview", "expenses", "scan", "xlsx", "lines_csv", "expenses_csv"]
EDIT_PAGES = ["line_create", "line_edit", "expense_create", "expense_edit"]


def test_coordinator_opens_every_budget_page(client, world, line, expense):
    client.force_login(world.alice)
    for name, url in _urls(world, line, expense).items():
        assert client.get(url).status_code == 200, name


def test_partner_coordinator_gets_404_for_every_budget_page(client, world, line, expense):
    client.force_login(world.bob)
    for name, url in _urls(world, line, expense).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url).status_code == 404, name


def test_outsider_gets_404_for_every_budget_page(client, world, line, expense):
    client.force_login(world.charlie)
    for name, url in _urls(world, line, expense).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url).status_code == 404, name


def test_funder_observer_reads_but_cannot_change(client, world, dora, line, expense):
    client.force_login(dora)
    urls = _urls(world, line, expense)
    for name in READ_PAGES:
        assert client.get(urls[name]).status_code == 200, name
    for name in EDIT_PAGES:
        assert client.get(urls[name]).status_code == 404, name
        assert client.post(urls[name], {"title": "x"}).status_code == 404, name
    delete = reverse("budget:expense_delete", args=[world.project.code, expense.pk])
    assert client.post(delete).status_code == 404
    assert Expense.objects.filter(pk=expense.pk).exists()
    page = client.get(urls["overview"]).text
    assert urls["line_create"] not in page


def test_budget_tab_shown_to_coordinator_and_funder_but_not_to_partner(client, world, dora):
    project_page = reverse("projects:detail", args=[world.project.code])
    budget = reverse("budget:overview", args=[world.project.code])
    for user, shown in [(world.alice, True), (dora, True), (world.bob, False)]:
        client.force_login(user)
        assert (budget in client.get(project_page).text) is shown


def test_overview_shows_planned_spent_overspent_flag_and_eur(client, world, line, expense):
    BudgetLineFactory(
        project=world.project, title="Patalpos", category="venue", planned_amount=Decimal("24000")
    )
    client.force_login(world.alice)
    page = client.get(reverse("budget:overview", args=[world.project.code])).text
    assert "25 000,00 Lt" in page
    assert "7 240,50 €" in page
    assert "1 200,00 Lt" in page
    assert "viršyta" in page  # the trainers' line is 200 Lt over
    assert "<svg" in page and "Išlaidos pagal datą" in page


def test_expense_form_accepts_lithuanian_amount_and_pdf(client, world, line):
    client.force_login(world.alice)
    response = client.post(
        reverse("budget:expense_create", args=[world.project.code]),
        {
            "date": "2014-06-02",
            "line": line.pk,
            "supplier": "UAB Pavyzdys",
            "document_number": "PVZ-1",
            "amount": "1 234,50",
            "scan": SimpleUploadedFile("s.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.amount == Decimal("1234.50")
    assert expense.scan.name.startswith(f"budget/project-{world.project.pk}/")


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"amount": "12,345"}, "amount", "dviejų skaitmenų po kablelio"),
        ({"amount": "-10"}, "amount", "negali būti neigiama"),
        ({"amount": "0"}, "amount", "didesnė už nulį"),
        ({"date": "2012-01-01"}, "date", "projekto laikotarpį"),
        ({"scan": "not-a-pdf"}, "scan", "PDF, JPEG arba PNG"),
    ],
)
def test_expense_form_refuses_bad_input_and_saves_nothing(
    client, world, line, changes, field, message
):
    client.force_login(world.alice)
    data = {
        "date": "2014-06-02",
        "line": line.pk,
        "supplier": "UAB Pavyzdys",
        "document_number": "PVZ-1",
        "amount": "100,00",
    }
    data.update(changes)
    if data.get("scan") == "not-a-pdf":
        data["scan"] = SimpleUploadedFile("s.pdf", b"<html>not a pdf</html>")
    response = client.post(reverse("budget:expense_create", args=[world.project.code]), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert message in response.text
    assert Expense.objects.count() == 0


def test_expense_form_refuses_a_forged_line_of_another_project(client, world, line):
    foreign = BudgetLineFactory(project=world.other_project)
    client.force_login(world.alice)
    response = client.post(
        reverse("budget:expense_create", args=[world.project.code]),
        {
            "date": "2014-06-02",
            "line": foreign.pk,
            "supplier": "UAB Pavyzdys",
            "document_number": "PVZ-1",
            "amount": "100,00",
        },
    )
    assert response.status_code == 200
    assert "Pasirinkite šio projekto sąmatos eilutę" in response.text
    assert Expense.objects.count() == 0


def test_expense_outside_the_period_but_within_the_margin_warns(client, world, line):
    client.force_login(world.alice)
    response = client.post(
        reverse("budget:expense_create", args=[world.project.code]),
        {
            "date": "2014-12-20",
            "line": line.pk,
            "supplier": "UAB Pavyzdys",
            "document_number": "PVZ-9",
            "amount": "10",
        },
        follow=True,
    )
    assert "už projekto laikotarpio ribų" in response.text
    assert Expense.objects.count() == 1


def test_scan_is_served_only_through_the_checked_view(client, world, expense):
    client.force_login(world.alice)
    response = client.get(reverse("budget:expense_scan", args=[world.project.code, expense.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    listing = client.get(reverse("budget:expenses", args=[world.project.code])).text
    assert "/media/" not in listing


def test_scan_of_another_projects_expense_is_404(client, world, expense):
    foreign = ExpenseFactory(line=BudgetLineFactory(project=world.other_project))
    client.force_login(world.alice)
    url = reverse("budget:expense_scan", args=[world.project.code, foreign.pk])
    assert client.get(url).status_code == 404


def test_line_form_creates_with_lithuanian_amount_and_refuses_three_decimals(client, world):
    client.force_login(world.alice)
    url = reverse("budget:line_create", args=[world.project.code])
    bad = client.post(
        url,
        {"title": "Patalpos", "category": "venue", "source": "grant", "planned_amount": "1,005"},
    )
    assert bad.status_code == 200 and BudgetLine.objects.count() == 0
    good = client.post(
        url,
        {"title": "Patalpos", "category": "venue", "source": "grant", "planned_amount": "2 500,00"},
    )
    assert good.status_code == 302
    assert BudgetLine.objects.get().planned_amount == Decimal("2500.00")


def test_line_form_requires_a_partner_for_the_partner_source(client, world):
    client.force_login(world.alice)
    url = reverse("budget:line_create", args=[world.project.code])
    response = client.post(
        url, {"title": "Įnašas", "category": "venue", "source": "partner", "planned_amount": "100"}
    )
    assert response.status_code == 200
    assert "Pasirinkite partnerį" in response.text
    assert BudgetLine.objects.count() == 0


def test_csv_export_lists_expenses_with_decimal_commas(client, world, expense):
    client.force_login(world.alice)
    response = client.get(reverse("budget:export_expenses_csv", args=[world.project.code]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][3] == "PVZ-0042"
    assert rows[1][4] == "1200,00"


def test_xlsx_export_has_lines_and_expenses(client, world, expense):
    from openpyxl import load_workbook

    client.force_login(world.alice)
    response = client.get(reverse("budget:export_xlsx", args=[world.project.code]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Sąmatos eilutės", "Išlaidos"]
    assert book["Išlaidos"]["E2"].value == 1200
    assert book["Sąmatos eilutės"]["A2"].value == "Lektorių honorarai"


def test_expense_list_filters_by_line_and_totals(client, world, line, expense):
    other = BudgetLineFactory(project=world.project, title="Patalpos")
    ExpenseFactory(line=other, amount=Decimal("50.00"), document_number="KITA-1")
    client.force_login(world.alice)
    url = reverse("budget:expenses", args=[world.project.code])
    page = client.get(url, {"line": line.pk}).text
    assert "PVZ-0042" in page and "KITA-1" not in page
    assert client.get(url, {"line": 999999}).status_code == 404
