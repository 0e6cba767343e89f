from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kvalis.budget.fields import AmountField
from kvalis.budget.models import BudgetCategory, BudgetLine, FundingSource
from kvalis.projects.models import Partner


class BudgetLineForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    category = forms.ChoiceField(label=_("Category"), choices=BudgetCategory.choices)
    source = forms.ChoiceField(label=_("Funding source"), choices=FundingSource.choices)
    partner = forms.ModelChoiceField(
        label=_("Contributing partner"),
        queryset=Partner.objects.none(),
        required=False,
        help_text=_("Only for the partner contribution source."),
    )
    planned_amount = AmountField(
        label=_("Planned amount"), allow_zero=True, help_text=_("For example 1 234,50.")
    )

    def __init__(self, *args, project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = project.partners.select_related("organisation")
        self.fields["partner"].label_from_instance = lambda partner: partner.organisation.name

    @classmethod
    def initial_for(cls, line: BudgetLine) -> dict:
        return {
            "title": line.title,
            "category": line.category,
            "source": line.source,
            "partner": line.partner_id,
            "planned_amount": line.planned_amount,
        }


class ExpenseForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    line = forms.ModelChoiceField(label=_("Budget line"), queryset=BudgetLine.objects.none())
    supplier = forms.CharField(label=_("Supplier"), max_length=300)
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=100,
        help_text=_("The invoice or receipt number, e.g. UVB-2014-0042."),
    )
    amount = AmountField(label=_("Amount"), help_text=_("For example 1 234,50."))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scan = forms.FileField(
        label=_("Scanned document"),
        required=False,
        # A plain input: the clearable one would print the file's public media URL.
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    remove_scan = forms.BooleanField(label=_("Remove the attached document"), required=False)

    def __init__(self, *args, lines, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["remove_scan"]
        # Only this project's lines: a forged id of another project's line is "not a valid choice".
        self.fields["line"].queryset = lines
        self.fields["scan"].help_text = _("PDF, JPEG or PNG, at most %(limit)s MB.") % {
            "limit": settings.KVALIS_MAX_UPLOAD_MB
        }
        self.fields["line"].error_messages["invalid_choice"] = _(
            "Choose a budget line of this project."
        )

    @classmethod
    def initial_for(cls, expense) -> dict:
        return {
            "date": expense.date,
            "line": expense.line_id,
            "supplier": expense.supplier,
            "document_number": expense.document_number,
            "amount": expense.amount,
            "note": expense.note,
        }
