"""Budget pages: the execution overview, lines, expenses, scans and exports. Thin views."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from kvalis.access import Perm, get_project_access
from kvalis.budget import services
from kvalis.budget.charts import cumulative_chart_svg
from kvalis.budget.forms import BudgetLineForm, ExpenseForm
from kvalis.budget.selectors import (
    budget_summary,
    cumulative_spending,
    expenses_for,
    get_expense,
    get_line,
    lines_for,
)
from kvalis.lib.confirm import confirmation_page
from kvalis.lib.exports import content_disposition, csv_response, download_name, xlsx_response
from kvalis.lib.money import currency_symbol, format_money


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _context(access, **extra) -> dict:
    return {
        "access": access,
        "project": access.project,
        "tab": "budget",
        "can_edit": access.can(Perm.EDIT),
        **extra,
    }


@login_required
def overview(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_BUDGET)
    project = access.project
    summary = budget_summary(project)
    series = cumulative_spending(project)
    chart_title = _("Cumulative spending over time")
    chart = cumulative_chart_svg(
        series,
        title=chart_title,
        planned_total=summary["planned"],
        planned_label=_("planned %(amount)s")
        % {"amount": format_money(summary["planned"], project.currency)},
        start=project.start_date,
        end=project.end_date,
    )
    return render(
        request,
        "budget/overview.html",
        _context(
            access,
            summary=summary,
            series=series,
            chart=chart,
            chart_title=chart_title,
            warnings=services.budget_warnings(project),
        ),
    )


@login_required
def expense_list(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_BUDGET)
    lines = lines_for(access)
    expenses = expenses_for(access).order_by("date", "id")
    selected = request.GET.get("line", "")
    if selected:
        line = get_line(access, selected)
        expenses = expenses.filter(line=line)
    total = sum((e.amount for e in expenses), start=Decimal("0.00"))
    return render(
        request,
        "budget/expense_list.html",
        _context(
            access,
            lines=lines,
            expenses=expenses,
            selected=selected,
            total=total,
        ),
    )


@login_required
def line_create(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    form = BudgetLineForm(request.POST or None, project=access.project)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_create(
                project=access.project, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget line was added."))
            _grant_warning(request, access.project)
            return redirect("budget:overview", code=code)
    return render(request, "budget/line_form.html", _context(access, form=form, line=None))


@login_required
def line_edit(request: HttpRequest, code: str, line_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    line = get_line(access, line_pk)
    form = BudgetLineForm(
        request.POST or None, project=access.project, initial=BudgetLineForm.initial_for(line)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_update(line=line, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget line was saved."))
            _grant_warning(request, access.project)
            return redirect("budget:overview", code=code)
    return render(request, "budget/line_form.html", _context(access, form=form, line=line))


@login_required
@require_http_methods(["GET", "POST"])
def line_delete(request: HttpRequest, code: str, line_pk: int) -> HttpResponse:
    """GET: what deleting the line means; POST: delete it (only a line without expenses)."""
    access = get_project_access(request.user, code, Perm.EDIT)
    line = get_line(access, line_pk)
    error = None
    if request.method == "POST":
        try:
            services.budget_line_delete(line=line, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The budget line was deleted."))
            return redirect("budget:overview", code=code)
    overview_url = reverse("budget:overview", args=[code])
    return confirmation_page(
        request,
        access=access,
        tab="budget",
        heading=_("Delete the budget line “%(title)s”?") % {"title": line.title},
        points=[
            _("Planned: %(amount)s.")
            % {"amount": format_money(line.planned_amount, access.project.currency)},
            _("Only a line without expenses can be deleted; nobody is notified."),
            _("The audit log keeps a record that the line was deleted, by whom and when."),
        ],
        submit_label=_("Delete the line"),
        cancel_url=reverse("budget:line_edit", args=[code, line.pk]),
        crumbs=[(overview_url, _("Budget"))],
        error=error,
        status=400 if error else 200,
    )


def _grant_warning(request, project) -> None:
    warning = services.grant_excess_warning(project)
    if warning:
        messages.warning(request, warning)


def _expense_saved(request, expense) -> None:
    messages.success(request, _("The expense was saved."))
    duplicate = services.expense_duplicate_warning(expense)
    if duplicate:
        messages.warning(request, duplicate)
    if services.expense_outside_period(expense):
        messages.warning(
            request,
            _("Note: the date %(date)s is outside the project period.")
            % {"date": expense.date.isoformat()},
        )


@login_required
def expense_create(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    initial = {"line": request.GET.get("line")} if request.GET.get("line") else None
    form = ExpenseForm(
        request.POST or None, request.FILES or None, lines=lines_for(access), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            expense = services.expense_create(
                project=access.project, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _expense_saved(request, expense)
            return redirect("budget:expenses", code=code)
    return render(request, "budget/expense_form.html", _context(access, form=form, expense=None))


@login_required
def expense_edit(request: HttpRequest, code: str, expense_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    expense = get_expense(access, expense_pk)
    form = ExpenseForm(
        request.POST or None,
        request.FILES or None,
        lines=lines_for(access),
        initial=ExpenseForm.initial_for(expense),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            expense = services.expense_update(
                expense=expense, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _expense_saved(request, expense)
            return redirect("budget:expenses", code=code)
    return render(request, "budget/expense_form.html", _context(access, form=form, expense=expense))


@login_required
@require_http_methods(["GET", "POST"])
def expense_delete(request: HttpRequest, code: str, expense_pk: int) -> HttpResponse:
    """GET: what deleting the expense means; POST: delete it with its scanned document."""
    access = get_project_access(request.user, code, Perm.EDIT)
    expense = get_expense(access, expense_pk)
    error = None
    if request.method == "POST":
        try:
            services.expense_delete(expense=expense, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The expense was deleted."))
            return redirect("budget:expenses", code=code)
    expenses_url = reverse("budget:expenses", args=[code])
    return confirmation_page(
        request,
        access=access,
        tab="budget",
        heading=_("Delete the expense %(number)s?") % {"number": expense.document_number},
        points=[
            _("%(date)s · %(supplier)s · %(amount)s")
            % {
                "date": expense.date.isoformat(),
                "supplier": expense.supplier,
                "amount": format_money(expense.amount, access.project.currency),
            },
            _(
                "The expense and its scanned document are deleted, and the budget line's "
                "spending goes down by its amount; nobody is notified."
            ),
            _("The audit log keeps a record of the amount, who deleted it and when."),
        ],
        submit_label=_("Delete the expense"),
        cancel_url=reverse("budget:expense_edit", args=[code, expense.pk]),
        crumbs=[(expenses_url, _("Expenses"))],
        error=error,
        status=400 if error else 200,
    )


@login_required
def expense_scan(request: HttpRequest, code: str, expense_pk: int) -> FileResponse:
    """The scanned document, only to those who may see the budget (never a public media URL)."""
    access = get_project_access(request.user, code, Perm.VIEW_BUDGET)
    expense = get_expense(access, expense_pk)
    if not expense.scan:
        raise Http404
    try:
        handle = expense.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = expense.scan.name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        content_type=expense.scan_type or "application/octet-stream",
    )
    response["Content-Disposition"] = content_disposition(
        download_name(
            access.project.code,
            pgettext("file name", "expense document"),
            expense.document_number,
            extension=extension,
        ),
        inline=True,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _line_rows(summary: dict):
    for row in summary["lines"]:
        yield [
            row["title"],
            row["category_label"],
            row["source_label"],
            row["partner"],
            row["planned"],
            row["spent"],
            row["remaining"],
            row["execution_percent"],
            _("yes") if row["overspent"] else "",
        ]


def _expense_rows(expenses):
    for expense in expenses:
        yield [
            expense.date,
            expense.line.title,
            expense.supplier,
            expense.document_number,
            expense.amount,
            expense.note,
        ]


def _headers(currency: str) -> tuple[list[str], list[str]]:
    lines = [
        _("Budget line"),
        _("Category"),
        _("Funding source"),
        _("Partner"),
        _("Planned, %(currency)s") % {"currency": currency},
        _("Spent, %(currency)s") % {"currency": currency},
        _("Remaining, %(currency)s") % {"currency": currency},
        _("Execution, %"),
        _("Over-spent"),
    ]
    expenses = [
        _("Date"),
        _("Budget line"),
        _("Supplier"),
        _("Document number"),
        _("Amount, %(currency)s") % {"currency": currency},
        _("Note"),
    ]
    return lines, expenses


@login_required
def export(request: HttpRequest, code: str, what: str, fmt: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_BUDGET)
    project = access.project
    summary = budget_summary(project)
    expenses = expenses_for(access).order_by("date", "id")
    line_header, expense_header = _headers(currency_symbol(project.currency))
    if fmt == "xlsx" and what == "budget":
        return xlsx_response(
            download_name(project.code, pgettext("file name", "budget"), extension="xlsx"),
            {
                _("Budget lines"): (line_header, _line_rows(summary)),
                _("Expenses"): (expense_header, _expense_rows(expenses)),
            },
        )
    if fmt == "csv" and what == "lines":
        return csv_response(
            download_name(project.code, pgettext("file name", "budget lines"), extension="csv"),
            line_header,
            _line_rows(summary),
        )
    if fmt == "csv" and what == "expenses":
        return csv_response(
            download_name(project.code, pgettext("file name", "expenses"), extension="csv"),
            expense_header,
            _expense_rows(expenses),
        )
    raise Http404
