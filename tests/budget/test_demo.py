"""The demo budget: 25 000,00 Lt (7 240,50 €) planned, and its execution page adds up."""

import re
from decimal import Decimal
from importlib import import_module
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from kvalis.accounts.models import User
from kvalis.budget.models import BudgetLine, Expense
from kvalis.budget.selectors import budget_summary
from kvalis.demo import data
from kvalis.demo.steps import STEPS
from kvalis.demo.steps.core import LOGINS
from kvalis.projects.models import Project

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo_until(last: str) -> None:
    for step in STEPS[: STEPS.index(last) + 1]:
        import_module(f"kvalis.demo.steps.{step}").load(stdout=StringIO())


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        try:
            load_demo_until("budget")
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def project(demo, db):
    return Project.objects.get(code=data.PROJECT_CODE)


def _amount(text: str) -> Decimal:
    return Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))


def test_demo_budget_planned_total_is_the_grant(project):
    summary = budget_summary(project)
    assert summary["currency"] == "LTL"
    assert summary["planned"] == Decimal("25000.00") == project.grant_amount
    assert summary["planned_eur"] == Decimal("7240.50")
    assert {row["source"] for row in summary["lines"]} == {"grant"}
    categories = {row["category"] for row in summary["lines"]}
    assert {
        "trainers_fees",
        "venue",
        "catering",
        "materials",
        "travel",
        "administration",
        "publicity",
    } <= categories


def test_demo_budget_adds_up_and_flags_one_overspent_line(project):
    summary = budget_summary(project)
    lines = BudgetLine.objects.filter(project=project)
    expenses = Expense.objects.filter(line__project=project)
    assert sum(line.planned_amount for line in lines) == summary["planned"]
    assert sum(e.amount for e in expenses) == summary["spent"]
    assert sum(row["spent"] for row in summary["lines"]) == summary["spent"]
    assert sum(row["planned"] for row in summary["by_source"]) == summary["planned"]
    assert summary["remaining"] == summary["planned"] - summary["spent"]
    assert Decimal("95") <= summary["execution_percent"] <= Decimal("99")
    overspent = [row for row in summary["lines"] if row["overspent"]]
    assert [row["category"] for row in overspent] == ["catering"]
    assert all("iliustracinis" in e.supplier for e in expenses)


def test_demo_execution_page_shows_the_figures_and_adds_up(client, project):
    client.force_login(User.objects.get(email=LOGINS["coordinator"][0]))
    page = client.get(reverse("budget:overview", args=[project.code])).text
    assert "25 000,00 Lt" in page
    assert "7 240,50 €" in page
    body = page.split('<table class="budget-lines">')[1].split("</table>")[0]
    rows = body.split("<tbody>")[1].split("</tbody>")[0]
    planned_cells = re.findall(r'<td class="num money">(-?[\d\s\u00a0,]+) Lt</td>', rows)
    # Three amounts per line (planned, spent, remaining).
    planned = [_amount(cell) for cell in planned_cells[0::3]]
    spent = [_amount(cell) for cell in planned_cells[1::3]]
    summary = budget_summary(project)
    assert sum(planned) == Decimal("25000.00")
    assert sum(spent) == summary["spent"]
    assert "viršyta" in page


def test_funder_sees_the_demo_budget_read_only(client, project):
    client.force_login(User.objects.get(email=LOGINS["funder"][0]))
    page = client.get(reverse("budget:overview", args=[project.code]))
    assert page.status_code == 200 and "25 000,00 Lt" in page.text
    assert reverse("budget:line_create", args=[project.code]) not in page.text


def test_partner_coordinator_sees_no_demo_budget(client, project):
    client.force_login(User.objects.get(email=LOGINS["partner"][0]))
    assert client.get(reverse("budget:overview", args=[project.code])).status_code == 404
