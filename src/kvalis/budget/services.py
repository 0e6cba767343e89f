"""Every write to the budget: lines and expenses, each audited."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from kvalis.audit.services import audit_log
from kvalis.budget.models import BudgetLine, Expense, FundingSource
from kvalis.budget.validators import EXTENSIONS, validate_amount, validate_document
from kvalis.lib.money import format_money
from kvalis.projects.models import Partner, Project

# Expenses may be booked a little before the project starts (preparation) and after it ends
# (final invoices arrive late); beyond these margins the date is almost surely a typo.
DAYS_BEFORE_START = 30
DAYS_AFTER_END = 60


def expense_date_window(project: Project) -> tuple[date, date]:
    return (
        project.start_date - timedelta(days=DAYS_BEFORE_START),
        project.end_date + timedelta(days=DAYS_AFTER_END),
    )


def expense_outside_period(expense: Expense) -> bool:
    """Inside the accepted window but outside the project period: worth a warning."""
    project = expense.line.project
    return not (project.start_date <= expense.date <= project.end_date)


# --- warnings: accepted, but worth a second look ------------------------------------------------


def _same_document(supplier: str, document_number: str) -> tuple[str, str]:
    """Supplier and document number compared as a person would: case and spacing aside."""
    return (
        " ".join(supplier.casefold().split()),
        "".join(document_number.casefold().split()),
    )


def grant_excess(project: Project) -> Decimal | None:
    """By how much the grant-funded lines exceed the grant, or None when they fit."""
    total = sum(
        project.budget_lines.filter(source=FundingSource.GRANT).values_list(
            "planned_amount", flat=True
        ),
        start=Decimal("0.00"),
    )
    return total - project.grant_amount if total > project.grant_amount else None


def grant_excess_warning(project: Project) -> str | None:
    excess = grant_excess(project)
    if excess is None:
        return None
    return _(
        "Grant-funded lines add up to %(lines)s, more than the grant of %(grant)s (by "
        "%(excess)s). Check the lines or the grant amount."
    ) % {
        "lines": format_money(project.grant_amount + excess, project.currency),
        "grant": format_money(project.grant_amount, project.currency),
        "excess": format_money(excess, project.currency),
    }


def expense_duplicates(expense: Expense) -> list[Expense]:
    """Other expenses of the project with the same supplier and document number."""
    # Compared in Python: SQLite folds the case of ASCII letters only (Š, Ž stay apart).
    key = _same_document(expense.supplier, expense.document_number)
    others = (
        Expense.objects.filter(line__project_id=expense.line.project_id)
        .exclude(pk=expense.pk)
        .order_by("date", "pk")
    )
    return [o for o in others if _same_document(o.supplier, o.document_number) == key]


def expense_duplicate_warning(expense: Expense) -> str | None:
    others = expense_duplicates(expense)
    if not others:
        return None
    return _(
        "Another expense of the project has the same supplier and document number "
        "(%(supplier)s, %(number)s, %(dates)s). Check that the document is not entered twice."
    ) % {
        "supplier": expense.supplier,
        "number": expense.document_number,
        "dates": ", ".join(o.date.isoformat() for o in others),
    }


def budget_warnings(project: Project) -> list[str]:
    """What the budget overview warns about: the grant exceeded, documents entered twice."""
    warnings = []
    grant = grant_excess_warning(project)
    if grant:
        warnings.append(grant)
    groups: dict[tuple[str, str], list[Expense]] = {}
    for expense in Expense.objects.filter(line__project=project).order_by("date", "pk"):
        key = _same_document(expense.supplier, expense.document_number)
        groups.setdefault(key, []).append(expense)
    for repeated in (g for g in groups.values() if len(g) > 1):
        first = repeated[0]
        warnings.append(
            _(
                "%(count)s expenses have the same supplier and document number (%(supplier)s, "
                "%(number)s, %(dates)s). Check that the document is not entered twice."
            )
            % {
                "count": len(repeated),
                "supplier": first.supplier,
                "number": first.document_number,
                "dates": ", ".join(e.date.isoformat() for e in repeated),
            }
        )
    return warnings


def _check_partner(project: Project, source: str, partner: Partner | None) -> None:
    if source == FundingSource.PARTNER:
        if partner is None:
            raise ValidationError(
                {"partner": _("Choose the partner whose contribution this line is.")}
            )
        if partner.project_id != project.pk:
            raise ValidationError({"partner": _("This partner is not in the project.")})
    elif partner is not None:
        raise ValidationError(
            {"partner": _("A partner is chosen only for the partner contribution source.")}
        )


def budget_line_create(
    *,
    project: Project,
    actor,
    category: str,
    source: str,
    title: str,
    planned_amount: Decimal,
    partner: Partner | None = None,
    position: int | None = None,
) -> BudgetLine:
    _check_partner(project, source, partner)
    try:
        planned = validate_amount(planned_amount, allow_zero=True)
    except ValidationError as error:
        raise ValidationError({"planned_amount": error.messages}) from None
    if position is None:
        position = project.budget_lines.count() + 1
    line = BudgetLine(
        project=project,
        category=category,
        source=source,
        partner=partner,
        title=title.strip(),
        planned_amount=planned,
        position=position,
    )
    line.full_clean()
    line.save()
    audit_log(
        actor=actor,
        action="budget_line.create",
        obj=line,
        project=project,
        data={"planned_amount": str(planned), "category": category, "source": source},
    )
    return line


def budget_line_update(
    *,
    line: BudgetLine,
    actor,
    category: str,
    source: str,
    title: str,
    planned_amount: Decimal,
    partner: Partner | None = None,
) -> BudgetLine:
    _check_partner(line.project, source, partner)
    try:
        planned = validate_amount(planned_amount, allow_zero=True)
    except ValidationError as error:
        raise ValidationError({"planned_amount": error.messages}) from None
    before = str(line.planned_amount)
    line.category = category
    line.source = source
    line.partner = partner
    line.title = title.strip()
    line.planned_amount = planned
    line.full_clean()
    line.save()
    audit_log(
        actor=actor,
        action="budget_line.update",
        obj=line,
        project=line.project,
        data={"planned_amount": [before, str(planned)]},
    )
    return line


def budget_line_delete(*, line: BudgetLine, actor) -> None:
    if line.expenses.exists():
        raise ValidationError(
            _("This line has expenses; move or delete them before deleting the line.")
        )
    project = line.project
    audit_log(actor=actor, action="budget_line.delete", obj=line, project=project)
    line.delete()


def _check_expense(*, project: Project, line: BudgetLine, amount, when: date) -> Decimal:
    errors: dict[str, list[str]] = {}
    if line.project_id != project.pk:
        # A forged line id of another project: never book money across projects.
        errors["line"] = [_("This budget line does not belong to the project.")]
    try:
        amount = validate_amount(amount)
    except ValidationError as error:
        errors["amount"] = error.messages
    if when is not None:
        first, last = expense_date_window(project)
        if not first <= when <= last:
            errors["date"] = [
                _(
                    "The date must fall within the project period (%(start)s – %(end)s), "
                    "give or take %(before)s days before and %(after)s days after."
                )
                % {
                    "start": project.start_date.isoformat(),
                    "end": project.end_date.isoformat(),
                    "before": DAYS_BEFORE_START,
                    "after": DAYS_AFTER_END,
                }
            ]
    if errors:
        raise ValidationError(errors)
    return amount


def _traveller_shares(expense: Expense) -> Decimal:
    """The sum of the study visit travellers' shares linked to `expense` (visits app)."""
    if expense.pk is None or not hasattr(expense, "traveller_costs"):
        return Decimal("0")
    total = expense.traveller_costs.aggregate(total=Sum("amount"))["total"]
    return total or Decimal("0")


def _attach_scan(expense: Expense, scan: UploadedFile) -> None:
    try:
        content_type = validate_document(scan)
    except ValidationError as error:
        raise ValidationError({"scan": error.messages}) from None
    expense.scan_name = (scan.name or "")[-255:]
    expense.scan_type = content_type
    # The stored name's extension follows the real type, not what the uploader claimed.
    scan.name = f"scan{EXTENSIONS[content_type]}"
    expense.scan.save(scan.name, scan, save=False)


@transaction.atomic
def expense_create(
    *,
    project: Project,
    actor,
    line: BudgetLine,
    date: date,
    supplier: str,
    document_number: str,
    amount: Decimal,
    note: str = "",
    scan: UploadedFile | None = None,
) -> Expense:
    amount = _check_expense(project=project, line=line, amount=amount, when=date)
    expense = Expense(
        line=line,
        date=date,
        supplier=supplier.strip(),
        document_number=document_number.strip(),
        amount=amount,
        note=note.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    expense.full_clean(exclude=["scan"])
    if scan is not None:
        _attach_scan(expense, scan)
    expense.save()
    audit_log(
        actor=actor,
        action="expense.create",
        obj=expense,
        project=project,
        data={"amount": str(amount), "line": line.pk, "scan": bool(scan)},
    )
    return expense


@transaction.atomic
def expense_update(
    *,
    expense: Expense,
    actor,
    line: BudgetLine,
    date: date,
    supplier: str,
    document_number: str,
    amount: Decimal,
    note: str = "",
    scan: UploadedFile | None = None,
    remove_scan: bool = False,
) -> Expense:
    project = expense.line.project
    amount = _check_expense(project=project, line=line, amount=amount, when=date)
    shared = _traveller_shares(expense)
    if amount < shared:
        raise ValidationError(
            {
                "amount": [
                    _(
                        "Study visit travellers' cost shares of %(shared)s are linked to this "
                        "expense; the amount cannot be less than that. Reduce the shares first."
                    )
                    % {"shared": format_money(shared, project.currency)}
                ]
            }
        )
    before = {"amount": str(expense.amount), "line": expense.line_id}
    old_scan = expense.scan.name if expense.scan else ""
    expense.line = line
    expense.date = date
    expense.supplier = supplier.strip()
    expense.document_number = document_number.strip()
    expense.amount = amount
    expense.note = note.strip()
    expense.full_clean(exclude=["scan"])
    if scan is not None:
        _attach_scan(expense, scan)
    elif remove_scan:
        expense.scan = ""
        expense.scan_name = ""
        expense.scan_type = ""
    expense.save()
    new_scan = expense.scan.name if expense.scan else ""
    if old_scan and old_scan != new_scan:
        storage = expense.scan.storage
        transaction.on_commit(lambda: storage.delete(old_scan))
    audit_log(
        actor=actor,
        action="expense.update",
        obj=expense,
        project=project,
        data={"before": before, "amount": str(amount), "line": line.pk},
    )
    return expense


@transaction.atomic
def expense_delete(*, expense: Expense, actor) -> None:
    """Delete an expense and its scan; one the study visit travellers' costs rest on is kept."""
    shares = _traveller_shares(expense)
    if shares:
        raise ValidationError(
            _(
                "%(shares)s of this expense is shared among study visit travellers. "
                "Remove their shares on the travellers' pages first."
            )
            % {"shares": format_money(shares, expense.line.project.currency)}
        )
    project = expense.line.project
    scan_name = expense.scan.name if expense.scan else ""
    storage = expense.scan.storage
    audit_log(
        actor=actor,
        action="expense.delete",
        obj=expense,
        project=project,
        data={"amount": str(expense.amount), "line": expense.line_id},
    )
    expense.delete()
    if scan_name:
        transaction.on_commit(lambda: storage.delete(scan_name))
