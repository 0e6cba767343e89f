"""Budget sanity: warnings, never refusals, when grant-funded lines exceed the grant and when an
expense repeats another expense's supplier and document number."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kvalis.budget import services
from kvalis.budget.models import BudgetLine, Expense
from tests.factories import BudgetLineFactory, ExpenseFactory

pytestmark = pytest.mark.django_db

GRANT_WARNING = (
    "Iš dotacijos finansuojamų eilučių suma – 25 000,01 Lt, ji 0,01 Lt viršija dotaciją "
    "(25 000,00 Lt). Patikrinkite eilutes arba dotacijos sumą."
)


def _line(world, amount, source="grant", title=None):
    return BudgetLineFactory(
        project=world.project,
        source=source,
        planned_amount=Decimal(amount),
        **({"title": title} if title else {}),
    )


# --- grant: the service at the boundary (the grant is 25 000,00 Lt) -------------------------


def test_grant_lines_up_to_the_grant_give_no_warning(world):
    _line(world, "20000.00")
    _line(world, "5000.00")
    _line(world, "9000.00", source="own")  # own contribution does not count against the grant
    assert services.grant_excess(world.project) is None
    assert services.budget_warnings(world.project) == []


def test_grant_lines_a_cent_over_the_grant_warn(world):
    _line(world, "20000.00")
    _line(world, "5000.01")
    assert services.grant_excess(world.project) == Decimal("0.01")
    assert services.budget_warnings(world.project) == [GRANT_WARNING]


def test_line_form_saves_and_warns_when_the_grant_is_exceeded(client, world):
    _line(world, "20000.00")
    client.force_login(world.alice)
    url = reverse("budget:line_create", args=[world.project.code])
    data = {"title": "Patalpos", "category": "venue", "source": "grant"}
    response = client.post(url, {**data, "planned_amount": "5 000,01"}, follow=True)
    assert BudgetLine.objects.count() == 2  # accepted: a warning, not a refusal
    assert GRANT_WARNING in response.text  # after saving, and on the overview it leads to
    overview = client.get(reverse("budget:overview", args=[world.project.code]))
    assert GRANT_WARNING in overview.text


def test_line_form_within_the_grant_does_not_warn(client, world):
    client.force_login(world.alice)
    url = reverse("budget:line_create", args=[world.project.code])
    response = client.post(
        url,
        {"title": "Patalpos", "category": "venue", "source": "grant", "planned_amount": "25 000"},
        follow=True,
    )
    assert BudgetLine.objects.count() == 1
    assert "viršija dotaciją" not in response.text


# --- a document entered twice -------------------------------------------------------------


def test_a_repeated_supplier_and_document_number_warns(world):
    line = _line(world, "1000.00")
    first = ExpenseFactory(line=line, supplier="UAB Pavyzdys", document_number="PVZ-42")
    second = ExpenseFactory(
        line=_line(world, "500.00"),
        supplier="  uab  pavyzdys ",
        document_number="pvz-42",
        date=date(2014, 6, 1),
    )
    assert services.expense_duplicates(second) == [first]
    warning = services.expense_duplicate_warning(second)
    assert warning == (
        "Kitos projekto išlaidos turi tą patį tiekėją ir dokumento numerį (  uab  pavyzdys , "
        "pvz-42, 2014-05-12). Patikrinkite, ar dokumentas neįvestas du kartus."
    )
    assert services.budget_warnings(world.project) == [
        "Išlaidų įrašų su tuo pačiu tiekėju ir dokumento numeriu: 2 (UAB Pavyzdys, PVZ-42, "
        "2014-05-12, 2014-06-01). Patikrinkite, ar dokumentas neįvestas kelis kartus."
    ]


@pytest.mark.parametrize(
    "supplier, number",
    [("UAB Pavyzdys", "PVZ-43"), ("UAB Kitas", "PVZ-42")],
)
def test_another_number_or_supplier_is_not_a_repeat(world, supplier, number):
    line = _line(world, "1000.00")
    ExpenseFactory(line=line, supplier="UAB Pavyzdys", document_number="PVZ-42")
    other = ExpenseFactory(line=line, supplier=supplier, document_number=number)
    assert services.expense_duplicate_warning(other) is None
    assert services.budget_warnings(world.project) == []


def test_the_same_document_in_another_project_is_not_a_repeat(world):
    ExpenseFactory(
        line=BudgetLineFactory(project=world.other_project),
        supplier="UAB Pavyzdys",
        document_number="PVZ-42",
    )
    mine = ExpenseFactory(
        line=_line(world, "1000.00"), supplier="UAB Pavyzdys", document_number="PVZ-42"
    )
    assert services.expense_duplicate_warning(mine) is None


def test_expense_form_saves_a_repeat_and_warns(client, world):
    line = _line(world, "1000.00")
    ExpenseFactory(line=line, supplier="UAB Pavyzdys", document_number="PVZ-42")
    client.force_login(world.alice)
    response = client.post(
        reverse("budget:expense_create", args=[world.project.code]),
        {
            "date": "2014-06-02",
            "line": line.pk,
            "supplier": "UAB Pavyzdys",
            "document_number": "PVZ-42",
            "amount": "10,00",
        },
        follow=True,
    )
    assert Expense.objects.count() == 2
    assert "Patikrinkite, ar dokumentas neįvestas du kartus." in response.text
    overview = client.get(reverse("budget:overview", args=[world.project.code]))
    assert "neįvestas kelis kartus" in overview.text


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_others_do_not_see_the_warnings(client, world, who):
    _line(world, "30000.00")
    client.force_login(getattr(world, who))
    assert client.get(reverse("budget:overview", args=[world.project.code])).status_code == 404
