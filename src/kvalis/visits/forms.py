from django import forms
from django.utils.translation import gettext_lazy as _

from kvalis.budget.fields import AmountField
from kvalis.people.models import PositionCategory
from kvalis.visits.models import TravellerStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StudyVisitForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Travelling group"), queryset=None)
    destination_city = forms.CharField(label=_("Destination city"), max_length=100)
    destination_country = forms.CharField(label=_("Destination country"), max_length=100)
    start_date = forms.DateField(label=_("Departure date"), widget=DATE)
    end_date = forms.DateField(label=_("Return date"), widget=DATE)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    places = forms.IntegerField(label=_("Places for travellers"), min_value=1, max_value=500)
    min_completed_modules = forms.IntegerField(
        label=_("Completed modules at least"),
        min_value=0,
        max_value=50,
        help_text=_("How many training modules of this project a traveller must have completed."),
    )
    max_per_partner = forms.IntegerField(
        label=_("Places per partner at most"),
        min_value=1,
        max_value=500,
        required=False,
        help_text=_("Leave empty for no limit."),
    )
    position_categories = forms.MultipleChoiceField(
        label=_("Position categories"),
        choices=PositionCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for any position."),
    )

    def __init__(self, *args, activity, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = activity.cohorts.all()

    def clean(self):
        data = super().clean()
        if (
            data.get("start_date")
            and data.get("end_date")
            and data["end_date"] < data["start_date"]
        ):
            self.add_error("end_date", _("The return date cannot be before the departure."))
        return data


class HostVisitForm(forms.Form):
    organisation_name = forms.CharField(label=_("Host organisation"), max_length=300)
    city = forms.CharField(label=_("City"), max_length=100)
    country = forms.CharField(label=_("Country"), max_length=100)
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    topic = forms.CharField(label=_("Topic"), max_length=500)


class OutcomesForm(forms.Form):
    outcomes = forms.CharField(
        label=_("Outcomes"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the group learnt here and what it will use at home."),
    )


class SelectForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Add as"), choices=TravellerStatus.choices)
    override_reason = forms.CharField(
        label=_("Reason for the exception"), required=False, max_length=2000
    )

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].error_messages["invalid_choice"] = _(
            "This person cannot be selected in this project."
        )


class AutoSelectForm(forms.Form):
    travellers = forms.IntegerField(label=_("Travellers to add"), min_value=0, max_value=500)
    reserves = forms.IntegerField(label=_("Reserves to add"), min_value=0, max_value=100)


class ChecklistForm(forms.Form):
    travel_document_expiry = forms.DateField(
        label=_("Travel document valid until"),
        required=False,
        widget=DATE,
        help_text=_("Passport or identity card; it must be valid through the return date."),
    )
    insurance = forms.BooleanField(label=_("Travel insurance arranged"), required=False)
    consent = forms.BooleanField(label=_("Consent received"), required=False)


class CostForm(forms.Form):
    expense = forms.ModelChoiceField(label=_("Expense"), queryset=None)
    amount = AmountField(
        label=_("Share for this traveller"),
        required=False,
        help_text=_("Leave empty to take all of the expense not yet shared."),
    )

    def __init__(self, *args, expenses, currency, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from kvalis.lib.money import format_money

        self.fields["expense"].queryset = expenses
        self.fields["expense"].label_from_instance = lambda e: (
            f"{e.date:%Y-%m-%d} {e.document_number} · {e.supplier} · "
            f"{format_money(e.amount, currency)}"
        )
        self.fields["expense"].error_messages["invalid_choice"] = _(
            "Choose an expense of this project."
        )


class PromoteForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reason for the exception"), required=False, max_length=2000
    )
