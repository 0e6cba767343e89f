"""The project budget (sąmata): planned lines and the expenses booked against them."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BudgetCategory(models.TextChoices):
    TRAINERS_FEES = "trainers_fees", pgettext_lazy("budget", "trainers' fees")
    VENUE = "venue", pgettext_lazy("budget", "venue")
    CATERING = "catering", pgettext_lazy("budget", "catering")
    MATERIALS = "materials", pgettext_lazy("budget", "materials")
    TRAVEL = "travel", pgettext_lazy("budget", "travel and accommodation")
    ADMINISTRATION = "administration", pgettext_lazy("budget", "administration")
    PUBLICITY = "publicity", pgettext_lazy("budget", "publicity")
    OTHER = "other", pgettext_lazy("budget", "other")


class FundingSource(models.TextChoices):
    GRANT = "grant", pgettext_lazy("budget", "grant")
    OWN = "own", pgettext_lazy("budget", "own contribution")
    PARTNER = "partner", pgettext_lazy("budget", "partner contribution")


class BudgetLine(models.Model):
    """One planned line of the budget, in the project's currency."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    category = models.CharField(_("category"), max_length=32, choices=BudgetCategory.choices)
    source = models.CharField(
        _("funding source"),
        max_length=16,
        choices=FundingSource.choices,
        default=FundingSource.GRANT,
    )
    partner = models.ForeignKey(
        "projects.Partner",
        verbose_name=_("contributing partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        help_text=_("Only for the partner contribution source."),
    )
    title = models.CharField(_("title"), max_length=300)
    planned_amount = models.DecimalField(_("planned amount"), max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "title"], name="budget_line_title_unique_in_project"
            ),
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0), name="budget_line_planned_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(category__in=BudgetCategory.values), name="budget_line_category_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=FundingSource.values), name="budget_line_source_known"
            ),
            models.CheckConstraint(
                condition=(Q(source="partner") & Q(partner__isnull=False))
                | (~Q(source="partner") & Q(partner__isnull=True)),
                name="budget_line_partner_iff_partner_source",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def expense_scan_path(instance: "Expense", filename: str) -> str:
    """A project-scoped, unguessable path: the original name is kept only in the database."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"budget/project-{instance.line.project_id}/expenses/{uuid.uuid4().hex}{suffix}"


class Expense(models.Model):
    """Money spent against a budget line, with its supporting document."""

    line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        related_name="expenses",
    )
    date = models.DateField(_("date"))
    supplier = models.CharField(_("supplier"), max_length=300)
    document_number = models.CharField(_("document number"), max_length=100)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    scan = models.FileField(
        _("scanned document"), upload_to=expense_scan_path, max_length=300, blank=True
    )
    scan_name = models.CharField(_("original file name"), max_length=255, blank=True)
    scan_type = models.CharField(_("file type"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="budget_expense_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.supplier} {self.document_number}"
