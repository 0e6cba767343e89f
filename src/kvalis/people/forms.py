from django import forms
from django.utils.translation import gettext_lazy as _

from kvalis.organisations.geo import Municipality
from kvalis.people.models import Person
from kvalis.projects.forms import OrganisationChoiceField, ServiceModelForm


class PersonForm(ServiceModelForm):
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
    q = forms.CharField(label=_("Name or e-mail"), required=False, max_length=100)
    organisation = OrganisationChoiceField(
        label=_("Organisation"), queryset=None, required=False, empty_label=_("all")
    )
    municipality = forms.ChoiceField(label=_("Municipality"), required=False, choices=[])

    def __init__(self, *args, organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        present = set(organisations.values_list("municipality", flat=True))
        self.fields["municipality"].choices = [("", _("all"))] + [
            (value, label) for value, label in Municipality.choices if value in present
        ]
