"""Budget services: every rule refuses bad input with a clear message and saves nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kvalis.audit.models import AuditEntry
from kvalis.budget import services
from kvalis.budget.models import BudgetLine, Expense
from tests.budget.conftest import JPEG, PDF, PNG
from tests.factories import BudgetLineFactory, ExpenseFactory


def _expense(world, **overrides):
    line = overrides.pop("line", None) or BudgetLineFactory(project=world.project)
    data = dict(
        project=world.project,
        actor=world.alice,
        line=line,
        date=date(2014, 5, 12),
        supplier="UAB „Pavyzdys“",
        document_number="PVZ-0001",
        amount=Decimal("120.50"),
    )
    data.update(overrides)
    return services.expense_create(**data)


def test_expense_create_saves_and_audits(world):
    expense = _expense(world)
    assert expense.amount == Decimal("120.50")
    assert AuditEntry.objects.filter(action="expense.create", object_id=str(expense.pk)).exists()


def test_expense_on_a_line_of_another_project_is_refused(world):
    foreign = BudgetLineFactory(project=world.other_project)
    with pytest.raises(ValidationError) as caught:
        _expense(world, line=foreign)
    assert "nepriklauso projektui" in str(caught.value.message_dict["line"])
    assert Expense.objects.count() == 0


@pytest.mark.parametrize(
    "amount, code",
    [
        (Decimal("10.005"), "dviejų skaitmenų"),
        (Decimal("-10.00"), "neigiama"),
        (Decimal("0"), "didesnė už nulį"),
    ],
)
def test_expense_with_a_bad_amount_is_refused(world, amount, code):
    with pytest.raises(ValidationError) as caught:
        _expense(world, amount=amount)
    assert code in " ".join(caught.value.message_dict["amount"])
    assert Expense.objects.count() == 0


def test_expense_far_outside_the_project_period_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        _expense(world, date=date(2013, 1, 1))
    assert "projekto laikotarpį" in " ".join(caught.value.message_dict["date"])
    assert Expense.objects.count() == 0


def test_expense_shortly_after_the_period_is_accepted_and_flagged(world):
    """Final invoices arrive after the end date: accepted within 60 days, with a warning."""
    expense = _expense(world, date=date(2014, 12, 15))
    assert services.expense_outside_period(expense)
    inside = _expense(world, date=date(2014, 6, 1), document_number="PVZ-2")
    assert not services.expense_outside_period(inside)


def test_expense_window_edges(world):
    first, last = services.expense_date_window(world.project)
    assert _expense(world, date=first, document_number="A")
    assert _expense(world, date=last, document_number="B")
    with pytest.raises(ValidationError):
        _expense(world, date=date.fromordinal(last.toordinal() + 1), document_number="C")


@pytest.mark.parametrize("content", [PDF, PNG, JPEG])
def test_expense_scan_of_pdf_or_image_is_stored_in_a_project_scoped_path(world, content):
    scan = SimpleUploadedFile("saskaita.pdf", content)
    expense = _expense(world, scan=scan)
    assert expense.scan.name.startswith(f"budget/project-{world.project.pk}/expenses/")
    assert expense.scan_type in {"application/pdf", "image/png", "image/jpeg"}
    assert expense.scan_name == "saskaita.pdf"


def test_a_file_that_is_not_a_pdf_or_image_is_refused_even_with_a_pdf_extension(world):
    scan = SimpleUploadedFile("saskaita.pdf", b"MZ\x90\x00 this is an executable")
    with pytest.raises(ValidationError) as caught:
        _expense(world, scan=scan)
    assert "PDF, JPEG arba PNG" in " ".join(caught.value.message_dict["scan"])
    assert Expense.objects.count() == 0


def test_a_scan_above_the_size_limit_is_refused(world, settings):
    settings.KVALIS_MAX_UPLOAD_MB = 1
    scan = SimpleUploadedFile("didelis.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        _expense(world, scan=scan)
    assert "1 MB" in " ".join(caught.value.message_dict["scan"])
    assert Expense.objects.count() == 0


def test_expense_update_cannot_move_it_to_another_projects_line(world):
    expense = ExpenseFactory(line=BudgetLineFactory(project=world.project))
    foreign = BudgetLineFactory(project=world.other_project)
    with pytest.raises(ValidationError):
        services.expense_update(
            expense=expense,
            actor=world.alice,
            line=foreign,
            date=expense.date,
            supplier=expense.supplier,
            document_number=expense.document_number,
            amount=expense.amount,
        )
    expense.refresh_from_db()
    assert expense.line.project == world.project


def test_budget_line_partner_is_required_for_the_partner_source_only(world):
    with pytest.raises(ValidationError) as caught:
        services.budget_line_create(
            project=world.project,
            actor=world.alice,
            category="venue",
            source="partner",
            title="Salė",
            planned_amount=Decimal("100.00"),
        )
    assert "partner" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.budget_line_create(
            project=world.project,
            actor=world.alice,
            category="venue",
            source="grant",
            title="Salė",
            planned_amount=Decimal("100.00"),
            partner=world.partner_b,
        )
    line = services.budget_line_create(
        project=world.project,
        actor=world.alice,
        category="venue",
        source="partner",
        title="Salė",
        planned_amount=Decimal("100.00"),
        partner=world.partner_b,
    )
    assert line.partner == world.partner_b


def test_budget_line_partner_of_another_project_is_refused(world):
    from kvalis.projects.models import Partner

    foreign = Partner.objects.get(project=world.other_project)
    with pytest.raises(ValidationError):
        services.budget_line_create(
            project=world.project,
            actor=world.alice,
            category="venue",
            source="partner",
            title="Salė",
            planned_amount=Decimal("100.00"),
            partner=foreign,
        )
    assert BudgetLine.objects.count() == 0


def test_budget_line_planned_amount_with_three_decimals_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.budget_line_create(
            project=world.project,
            actor=world.alice,
            category="venue",
            source="grant",
            title="Salė",
            planned_amount=Decimal("100.001"),
        )
    assert "planned_amount" in caught.value.message_dict
    assert BudgetLine.objects.count() == 0


def test_budget_line_with_expenses_cannot_be_deleted(world):
    expense = ExpenseFactory(line=BudgetLineFactory(project=world.project))
    with pytest.raises(ValidationError):
        services.budget_line_delete(line=expense.line, actor=world.alice)
    assert BudgetLine.objects.filter(pk=expense.line_id).exists()


def test_database_refuses_a_non_positive_expense_even_without_the_service(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ExpenseFactory(line=BudgetLineFactory(project=world.project), amount=Decimal("-1.00"))


def test_expense_delete_removes_the_scan_file(world, django_capture_on_commit_callbacks):
    expense = _expense(world, scan=SimpleUploadedFile("a.pdf", PDF))
    storage, name = expense.scan.storage, expense.scan.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.expense_delete(expense=expense, actor=world.alice)
    assert not storage.exists(name)


def test_expense_update_replaces_and_removes_the_scan(world, django_capture_on_commit_callbacks):
    expense = _expense(world, scan=SimpleUploadedFile("a.pdf", PDF))
    storage, first = expense.scan.storage, expense.scan.name
    data = dict(
        actor=world.alice,
        line=expense.line,
        date=expense.date,
        supplier=expense.supplier,
        document_number=expense.document_number,
        amount=Decimal("99.99"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.expense_update(expense=expense, scan=SimpleUploadedFile("b.png", PNG), **data)
    assert expense.scan_type == "image/png" and expense.scan.name.endswith(".png")
    assert not storage.exists(first)
    second = expense.scan.name
    with django_capture_on_commit_callbacks(execute=True):
        services.expense_update(expense=expense, remove_scan=True, **data)
    expense.refresh_from_db()
    assert not expense.scan and expense.amount == Decimal("99.99")
    assert not storage.exists(second)


def test_a_refused_update_changes_nothing(world):
    expense = _expense(world)
    with pytest.raises(ValidationError):
        services.expense_update(
            expense=expense,
            actor=world.alice,
            line=expense.line,
            date=expense.date,
            supplier="Kitas",
            document_number=expense.document_number,
            amount=Decimal("-1"),
        )
    expense.refresh_from_db()
    assert expense.supplier == "UAB „Pavyzdys“" and expense.amount == Decimal("120.50")


def test_expense_amount_cannot_drop_below_the_travellers_shares_linked_to_it(world):
    from tests.factories import TravellerCostFactory

    expense = _expense(world, amount=Decimal("300.00"))
    TravellerCostFactory(expense=expense, amount=Decimal("150.00"))
    TravellerCostFactory(expense=expense, amount=Decimal("100.00"))
    data = dict(
        expense=expense,
        actor=world.alice,
        line=expense.line,
        date=expense.date,
        supplier="Kitas",
        document_number=expense.document_number,
    )
    with pytest.raises(ValidationError) as caught:
        services.expense_update(amount=Decimal("249.99"), **data)
    message = caught.value.message_dict["amount"][0]
    assert "250,00" in message and "išvyk" in message
    expense.refresh_from_db()
    assert expense.amount == Decimal("300.00") and expense.supplier == "UAB „Pavyzdys“"
    assert not AuditEntry.objects.filter(action="expense.update").exists()
    services.expense_update(amount=Decimal("250.00"), **data)
    expense.refresh_from_db()
    assert expense.amount == Decimal("250.00")


def test_an_expense_the_travellers_costs_rest_on_cannot_be_deleted(world, client):
    from django.urls import reverse

    from kvalis.budget.models import Expense
    from kvalis.visits.models import TravellerCost
    from tests.factories import TravellerCostFactory

    expense = _expense(world, amount=Decimal("300.00"))
    TravellerCostFactory(expense=expense, amount=Decimal("216.00"))
    with pytest.raises(ValidationError) as caught:
        services.expense_delete(expense=expense, actor=world.alice)
    assert caught.value.messages == [
        "216,00 Lt šios išlaidos paskirstyta išvykos dalyviams. "
        "Pirmiausia pašalinkite jų dalis dalyvių puslapiuose."
    ]
    assert Expense.objects.filter(pk=expense.pk).exists() and TravellerCost.objects.count() == 1
    assert not AuditEntry.objects.filter(action="expense.delete").exists()

    client.force_login(world.alice)
    url = reverse("budget:expense_delete", args=[world.project.code, expense.pk])
    page = client.post(url, follow=True)
    assert "216,00 Lt šios išlaidos paskirstyta išvykos dalyviams." in page.text
    assert Expense.objects.filter(pk=expense.pk).exists()
