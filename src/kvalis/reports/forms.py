from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kvalis.organisations.geo import Municipality
from kvalis.organisations.models import Organisation
from kvalis.organisations.selectors import label_of
from kvalis.people.organisation_field import OrganisationSearchField
from kvalis.projects.models import Activity, Partner
from kvalis.reports.indicators import ReportFilters
from kvalis.reports.models import PublicSummary


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PartnerSearchField(OrganisationSearchField):
    """A partner of the project, typed by its organisation's name: a national programme has
    2 000 partners, and a `<select>` of them all was a third of the dashboard and most of its
    time. A number is the partner's id, as links and the filters stored with an export job give
    it; a name is searched among the partners' organisations (see `OrganisationSearchField`)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.partners = Partner.objects.none()

    def set_partners(self, partners) -> None:
        self.partners = partners
        self.queryset = Organisation.objects.filter(pk__in=partners.values("organisation"))

    def prepare_value(self, value):
        if isinstance(value, Partner):
            return label_of(value.organisation)
        text = str(value or "").strip()
        if text.isascii() and text.isdigit():
            found = self.partners.select_related("organisation").filter(pk=int(text)).first()
            return label_of(found.organisation) if found else value
        return value

    def to_python(self, value) -> Partner | None:
        text = " ".join(str(value or "").split())
        if text.isascii() and text.isdigit():
            found = self.partners.filter(pk=int(text)).first()
            if found is None:
                raise ValidationError(
                    _("There is no such organisation here: type its name instead."),
                    code="invalid_choice",
                )
            return found
        organisation = super().to_python(text)
        return self.partners.get(organisation=organisation) if organisation else None


class ReportFilterForm(forms.Form):
    """The dashboard's filters (GET). Invalid values are reported and no filter is applied."""

    activity = forms.ModelChoiceField(
        label=_("Activity"),
        queryset=Activity.objects.none(),
        required=False,
        empty_label=_("All activities"),
    )
    partner = PartnerSearchField(
        label=_("Partner"),
        required=False,
        help_text=_("Its name or part of it; empty for all."),
    )
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    date_from = forms.DateField(label=_("Sessions from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Sessions until"), required=False, widget=DateInput())

    def __init__(self, *args, project, show_partner: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(project=project).order_by(
            "position", "pk"
        )
        if show_partner:
            self.fields["partner"].set_partners(Partner.objects.filter(project=project))
        else:
            del self.fields["partner"]
        self.fields["municipality"].choices = [("", _("All municipalities"))] + list(
            Municipality.choices
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(
                _("The start of the period must not be after its end."), code="period"
            )
        return data

    def filters(self) -> ReportFilters:
        """The valid filters; nothing filtered when the form has errors."""
        if not self.is_bound or not self.is_valid():
            return ReportFilters()
        data = self.cleaned_data
        return ReportFilters(
            activity=data["activity"].pk if data.get("activity") else None,
            partner=data["partner"].pk if data.get("partner") else None,
            municipality=data.get("municipality") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class PublicSummaryForm(forms.ModelForm):
    class Meta:
        model = PublicSummary
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 18})}
        help_texts = {"text": _("Separate paragraphs with an empty line.")}


def report_filter_form(data, *, project, is_partner: bool) -> ReportFilterForm:
    """The filters from a query (a request's GET or a job's stored values); unbound, so that
    nothing is filtered, when no filter is given."""
    bound = any(data.get(name) for name in ReportFilterForm.base_fields)
    return ReportFilterForm(data if bound else None, project=project, show_partner=not is_partner)


def filter_values(data) -> dict[str, str]:
    """The filter fields of a query, to be stored with a job and read again by the worker."""
    return {name: data.get(name) for name in ReportFilterForm.base_fields if data.get(name)}
