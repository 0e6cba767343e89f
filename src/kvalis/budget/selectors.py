"""Reads of the budget: what the execution page, exports and the reports helper need."""

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.http import Http404

from kvalis.access import Perm, ProjectAccess
from kvalis.budget.models import BudgetLine, Expense, FundingSource
from kvalis.lib.money import Currency, in_eur
from kvalis.projects.models import Project

ZERO = Decimal("0.00")


# Access: the budget of a project is seen by those holding VIEW_BUDGET (coordinators, funder
# observers) and changed by those holding EDIT; anyone else gets 404 from `require`.
def lines_for(access: ProjectAccess) -> QuerySet[BudgetLine]:
    access.require(Perm.VIEW_BUDGET)
    return BudgetLine.objects.filter(project=access.project).select_related("partner__organisation")


def expenses_for(access: ProjectAccess) -> QuerySet[Expense]:
    access.require(Perm.VIEW_BUDGET)
    return Expense.objects.filter(line__project=access.project).select_related("line")


def _get_or_404(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_line(access: ProjectAccess, pk) -> BudgetLine:
    return _get_or_404(lines_for(access), pk=pk)


def get_expense(access: ProjectAccess, pk) -> Expense:
    return _get_or_404(expenses_for(access), pk=pk)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _figures(planned: Decimal, spent: Decimal, currency: str) -> dict:
    return {
        "planned": planned,
        "spent": spent,
        "remaining": planned - spent,
        "execution_percent": percent(spent, planned),
        "overspent": spent > planned,
        "planned_eur": in_eur(planned, currency),
        "spent_eur": in_eur(spent, currency),
        "remaining_eur": in_eur(planned - spent, currency),
    }


def budget_summary(project: Project) -> dict:
    """Planned vs actual for a project, exact to the cent, in its currency (plus EUR).

    {currency, planned, spent, remaining, execution_percent, planned_eur, spent_eur,
     remaining_eur, overspent_lines, lines: [...], by_source: [...], by_category: [...]}
    Two queries whatever the number of lines and expenses.
    """
    currency = project.currency
    lines = list(BudgetLine.objects.filter(project=project).select_related("partner__organisation"))
    # Summed in Python: SQLite adds decimals as floating point, and cents must stay exact.
    spent_by_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_id, amount in Expense.objects.filter(line__project=project).values_list(
        "line_id", "amount"
    ):
        spent_by_line[line_id] += amount
    rows = []
    by_source: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    by_category: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        spent = spent_by_line[line.pk]
        rows.append(
            {
                "id": line.pk,
                "line": line,
                "title": line.title,
                "category": line.category,
                "category_label": line.get_category_display(),
                "source": line.source,
                "source_label": line.get_source_display(),
                "partner": line.partner.organisation.name if line.partner else "",
                **_figures(line.planned_amount, spent, currency),
            }
        )
        by_source[line.source][0] += line.planned_amount
        by_source[line.source][1] += spent
        by_category[line.category][0] += line.planned_amount
        by_category[line.category][1] += spent
    planned = sum((line.planned_amount for line in lines), ZERO)
    spent = sum((row["spent"] for row in rows), ZERO)
    return {
        "currency": currency,
        "is_eur": currency == Currency.EUR,
        **_figures(planned, spent, currency),
        "overspent_lines": sum(1 for row in rows if row["overspent"]),
        "lines": rows,
        "by_source": [
            {
                "source": source,
                "label": FundingSource(source).label,
                **_figures(*by_source[source], currency),
            }
            for source in FundingSource.values
            if source in by_source
        ],
        "by_category": [
            {"category": key, "label": label, **_figures(*by_category[key], currency)}
            for key, label in BudgetLine._meta.get_field("category").choices
            if key in by_category
        ],
    }


def cumulative_spending(project: Project) -> list[tuple[date, Decimal, Decimal]]:
    """(date, spent that day, spent up to and including that day), one row per date."""
    daily: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for day, amount in Expense.objects.filter(line__project=project).values_list("date", "amount"):
        daily[day] += amount
    running = ZERO
    series = []
    for day in sorted(daily):
        running += daily[day]
        series.append((day, daily[day], running))
    return series
