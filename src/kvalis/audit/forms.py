from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kvalis.audit.actions import action_choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AuditFilterForm(forms.Form):
    """The audit log's filters (GET). Dates are days in Vilnius time, both ends included.
    With an invalid value the page says what is wrong and shows the log unfiltered."""

    action = forms.ChoiceField(label=_("Action"), required=False, choices=[])
    who = forms.ModelChoiceField(
        label=_("Who"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Everyone"),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, entries, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        codes = entries.order_by().values_list("action", flat=True).distinct()
        self.fields["action"].choices = [("", _("All actions")), *action_choices(codes)]
        who = self.fields["who"]
        who.queryset = (
            get_user_model()
            .objects.filter(pk__in=entries.order_by().values("actor"))
            .order_by("email")
        )
        who.label_from_instance = lambda user: user.get_full_name() or user.email

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The start of the period must not be after its end."), code="period"
            )
        return data

    def filter(self, entries):
        """The entries that match the valid filters; all of them when the form has errors."""
        if not self.is_bound or not self.is_valid():
            return entries
        data = self.cleaned_data
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("who"):
            entries = entries.filter(actor=data["who"])
        # `__date` compares the day in the current time zone (Europe/Vilnius), as shown.
        if data.get("date_from"):
            entries = entries.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            entries = entries.filter(created_at__date__lte=data["date_to"])
        return entries
