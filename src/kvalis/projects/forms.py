"""Set-up forms. They parse and show input; the services decide what may be saved."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from kvalis import ownership
from kvalis.enrolment.forms import CatalogueFilterForm
from kvalis.lib.collation import lt_order
from kvalis.lib.money import Currency
from kvalis.organisations.geo import County, Municipality
from kvalis.organisations.models import Organisation, OrganisationType
from kvalis.organisations.widgets import org_search_attrs
from kvalis.people.models import PositionCategory
from kvalis.projects.models import (
    Activity,
    Cohort,
    MembershipRole,
    Partner,
    PartnerRole,
    Project,
    Session,
    Venue,
)

# Django's label for the empty choice of a select; its own Lithuanian catalogue lacks it, so it
# is listed here to be extracted into ours.
BLANK_CHOICE_LABEL = _("- Select an option -")

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def run_service[T](form: forms.BaseForm, call: Callable[[], T]) -> T | None:
    """Run `call` in one transaction; a ValidationError goes onto the form and nothing is saved."""
    try:
        with transaction.atomic():
            return call()
    except ValidationError as error:
        add_errors(form, error)
        return None


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            if target == NON_FIELD_ERRORS:
                target = None
            form.add_error(target, errors)
    else:
        form.add_error(None, error)


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that leaves uniqueness and constraints to the service, which says what is
    wrong in words the user understands (not the constraint's name)."""

    def _post_clean(self) -> None:
        # Deliberately no construct_instance()/full_clean() here: the instance stays as loaded
        # (a failed edit must not alter the page around the form) and the service validates.
        pass


def organisations_ordered():
    return Organisation.objects.order_by(*lt_order("name"))


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        municipality = obj.get_municipality_display()
        return f"{obj.name} ({municipality})" if municipality else obj.name


class OrganisationMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        municipality = obj.get_municipality_display()
        return f"{obj.name} ({municipality})" if municipality else obj.name


class NewOrganisationMixin(forms.Form):
    """An organisation picked from the list, or a new one by name (found again if it exists)."""

    new_name = forms.CharField(
        label=_("…or a new organisation: its name"),
        required=False,
        max_length=255,
        help_text=_("Fill in only if it is not in the list above."),
    )
    new_type = forms.ChoiceField(
        label=_("Type of the new organisation"),
        choices=[("", "—"), *OrganisationType.choices],
        required=False,
    )
    new_municipality = forms.ChoiceField(
        label=_("Municipality of the new organisation"),
        choices=[("", "—"), *Municipality.choices],
        required=False,
    )

    pick_field = "organisation"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        picked = data.get(self.pick_field)
        new_name = (data.get("new_name") or "").strip()
        if not picked and not new_name:
            self.add_error(
                self.pick_field, _("Choose an organisation, or give the name of a new one.")
            )
        elif picked and new_name:
            self.add_error("new_name", _("Choose from the list or name a new one, not both."))
        elif new_name and not data.get("new_type"):
            self.add_error("new_type", _("Choose the type of the new organisation."))
        return data

    def new_organisation(self) -> dict[str, str] | None:
        name = (self.cleaned_data.get("new_name") or "").strip()
        if not name:
            return None
        return {
            "name": name,
            "type": self.cleaned_data["new_type"],
            "municipality": self.cleaned_data.get("new_municipality") or "",
        }


class ProjectForm(ServiceModelForm):
    field_order = ["code", "title", "description", "lead"]
    lead = OrganisationChoiceField(
        label=_("Lead organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Your registered organisation: you coordinate the project on its behalf."),
    )
    funder = OrganisationChoiceField(
        label=_("Funder"), queryset=Organisation.objects.none(), required=False
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=Currency.choices,
        error_messages={
            "invalid_choice": _("Unknown currency “%(value)s”: choose litas (LTL) or euro (EUR).")
        },
    )

    class Meta:
        model = Project
        fields = [
            "code",
            "title",
            "description",
            "lead",
            "funder",
            "funding_programme",
            "grant_amount",
            "currency",
            "start_date",
            "end_date",
            "planned_participants",
            "planned_academic_hours",
            "planned_certificates",
            "is_public",
        ]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user=None, chosen_funder: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = organisations_ordered().filter(
            pk__in=ownership.lead_choices(user).values("pk")
        )
        self.fields["funder"].queryset = organisations_ordered().filter(
            type=OrganisationType.FUNDER
        )
        # Back from "Add it" (`?funder=<pk>`): the new funder is chosen; anything else is not.
        if not self.is_bound and chosen_funder.isdecimal() and len(chosen_funder) < 19:
            funder = self.fields["funder"].queryset.filter(pk=int(chosen_funder)).first()
            if funder is not None:
                self.initial["funder"] = funder.pk
        # Searchable selects, and a way to add a funder that is not listed (and come back).
        self.fields["lead"].widget.attrs.update(org_search_attrs())
        self.fields["funder"].widget.attrs.update(org_search_attrs(type=OrganisationType.FUNDER))
        back = reverse("projects:edit", args=[self.instance.code]) if self.instance.pk else ""
        add_url = (
            reverse("organisations:create")
            + "?"
            + urlencode(
                {
                    "type": OrganisationType.FUNDER,
                    "next": back or reverse("projects:create"),
                    "field": "funder",
                }
            )
        )
        self.fields["funder"].help_text = format_html(
            '{} <a href="{}">{}</a>',
            _("Funder not listed?"),
            add_url,
            _("Add it (what you typed here is not kept)"),
        )
        self.fields["grant_amount"].widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
        for name in ("start_date", "end_date"):
            self.fields[name].input_formats = ["%Y-%m-%d"]
        if self.instance.pk:
            # The lead is the project's identity; it is chosen once.
            for name in ("code", "lead"):
                del self.fields[name]
        elif self.fields["lead"].queryset.count() == 1:
            self.initial.setdefault("lead", self.fields["lead"].queryset.first())

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("lead", "code"):
            data.pop(name, None)
        return data


class StorefrontSearchForm(CatalogueFilterForm):
    """The catalogue's filters on `/`: the month is one of those in which an open cohort starts
    (a select with "Any month"), not a month field that shows an empty "--------- ----"."""

    def __init__(self, *args, months: list[tuple[int, int]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        month = self.fields["month"]
        month.widget = forms.Select(
            choices=[
                ("", _("Any month")),
                *(
                    (
                        f"{year:04d}-{number:02d}",
                        date_format(date(year, number, 1), "YEAR_MONTH_FORMAT"),
                    )
                    for year, number in months
                ),
            ]
        )
        month.help_text = ""


class PartnerForm(NewOrganisationMixin, ServiceModelForm):
    field_order = ["organisation", "new_name", "new_type", "new_municipality"]
    organisation = OrganisationChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(value, label) for value, label in PartnerRole.choices if value != "lead"],
    )
    covered_organisations = OrganisationMultipleChoiceField(
        label=_("Institutions it nominates for"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_(
            "The partner enrols the staff of these institutions too "
            "(e.g. a district library for its district's museums and culture centres); only "
            "institutions it represents, and the partner confirms them when it accepts."
        ),
    )

    class Meta:
        model = Partner
        fields = [
            "organisation",
            "role",
            "contact_name",
            "contact_email",
            "contact_phone",
            "covered_organisations",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_ordered().exclude(
            type=OrganisationType.FUNDER
        )
        self.fields["organisation"].widget.attrs.update(org_search_attrs())
        # A partner nominates only for institutions it represents (kvalis.ownership).
        represented = organisations_ordered().filter(
            registered_at__isnull=True, represented_by__isnull=False
        )
        if self.instance.pk:
            represented = represented.filter(represented_by=self.instance.organisation_id)
        self.fields["covered_organisations"].queryset = represented
        if self.instance.pk:
            for name in ("organisation", "new_name", "new_type", "new_municipality"):
                del self.fields[name]
            if self.instance.role == PartnerRole.LEAD:
                self.fields["role"].choices = PartnerRole.choices
                self.fields["role"].disabled = True

    def clean(self) -> dict[str, Any]:
        if self.instance.pk:
            return self.cleaned_data
        return super().clean()

    def service_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in ("role", "contact_name", "contact_email", "contact_phone")
        }


class ActivityForm(ServiceModelForm):
    audience_position_categories = forms.MultipleChoiceField(
        label=_("Position categories"),
        choices=PositionCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all empty for anyone."),
    )
    audience_organisation_types = forms.MultipleChoiceField(
        label=_("Organisation types"),
        choices=OrganisationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all empty for any institution."),
    )
    audience_counties = forms.MultipleChoiceField(
        label=_("Counties"),
        choices=County.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all empty for the whole country."),
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "title",
            "description",
            "audience_description",
            "audience_position_categories",
            "audience_organisation_types",
            "audience_counties",
            "academic_hours",
            "completion_percent",
            "learning_outcomes",
            "position",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "audience_description": forms.Textarea(attrs={"rows": 3}),
            "learning_outcomes": forms.Textarea(attrs={"rows": 5}),
        }


class VenueForm(ServiceModelForm):
    organisation = OrganisationChoiceField(
        label=_("Host organisation"), queryset=Organisation.objects.none(), required=False
    )

    class Meta:
        model = Venue
        fields = ["name", "address", "city", "country", "organisation"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_ordered()


class PersonChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        employer = f" — {obj.organisation.name}" if obj.organisation_id else ""
        return f"{obj.last_name} {obj.first_name}{employer}"


class CohortForm(ServiceModelForm):
    trainers = PersonChoices(
        label=_("Trainers"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Trainers are people of the project; add a new trainer on the People page."),
    )

    class Meta:
        model = Cohort
        fields = ["name", "venue", "start_date", "end_date", "capacity", "trainers", "notes"]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, project: Project, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = project.venues.order_by(*lt_order("name"))
        self.fields["trainers"].queryset = people.select_related("organisation").order_by(
            *lt_order("last_name", "first_name")
        )
        for name in ("start_date", "end_date"):
            self.fields[name].input_formats = ["%Y-%m-%d"]

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["trainers"] = list(data["trainers"])
        return data


class SessionForm(ServiceModelForm):
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )

    class Meta:
        model = Session
        fields = ["title", "starts_at", "ends_at", "academic_hours", "venue"]

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = project.venues.order_by(*lt_order("name"))
        self.fields["academic_hours"].required = False
        self.fields["academic_hours"].help_text = _(
            "One academic hour is 45 minutes. Leave empty to count them from the times."
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)
    partner = forms.ModelChoiceField(
        label=_("Partner (for a partner coordinator)"),
        queryset=Partner.objects.none(),
        required=False,
    )

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = project.partners.select_related("organisation").order_by(
            *lt_order("organisation__name")
        )
