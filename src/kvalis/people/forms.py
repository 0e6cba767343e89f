from django import forms
from django.utils.translation import gettext_lazy as _

from kvalis.organisations.geo import Municipality
from kvalis.people.models import Person
from kvalis.people.organisation_field import OrganisationSearchField
from kvalis.people.rules import PersonRulesMixin
from kvalis.projects.forms import OrganisationChoiceField, ServiceModelForm


class PersonForm(PersonRulesMixin, ServiceModelForm):
    organisation = OrganisationChoiceField(label=_("Employer"), queryset=None)

    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "organisation",
            "position",
            "position_category",
        ]

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class PersonProjectForm(ServiceModelForm):
    """What a project corrects in the record of someone its organisation does not employ."""

    class Meta:
        model = Person
        fields = ["position_category"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position_category"].help_text = _(
            "Used to check who may take part. Name, e-mail, phone, employer and position are "
            "kept by the employer's coordinators and the person themself."
        )


class PeopleFilterForm(forms.Form):
    """The people list's filters (GET). A value that is not one of the choices is not applied,
    and the page says so; the other filters still are."""

    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    # Typed, not chosen from a list of every organisation of the consortium (2 000 nationally).
    organisation = OrganisationSearchField(
        label=_("Organisation"),
        required=False,
        help_text=_("Its name or part of it; empty for all."),
    )
    municipality = forms.ChoiceField(label=_("Municipality"), required=False, choices=[])
    cohort = forms.TypedChoiceField(label=_("Enrolled in"), required=False, coerce=int)

    def __init__(self, *args, organisations, cohorts=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["cohort"].choices = [("", _("any cohort"))] + [
            (c.pk, f"{c.activity.title} — {c.name}") for c in cohorts
        ]
        present = set(organisations.order_by().values_list("municipality", flat=True).distinct())
        self.fields["municipality"].choices = [("", _("all"))] + [
            (value, label) for value, label in Municipality.choices if value in present
        ]

    def filters(self) -> dict:
        """The valid filter values (empty for those not given or not valid)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data
