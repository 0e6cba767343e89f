"""Forms of the organisation directory and of join requests. They parse input; the services
decide what may be saved (company codes, duplicates, who the invited login belongs to)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kvalis.lib.text import validate_visible_name
from kvalis.organisations.geo import Municipality
from kvalis.organisations.models import JoinRequest, Organisation, OrganisationType
from kvalis.organisations.services import EDITABLE_FIELDS
from kvalis.organisations.widgets import org_search_attrs
from kvalis.projects.forms import OrganisationChoiceField, ServiceModelForm


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, short name, company code or municipality"),
        required=False,
        max_length=100,
    )


class SearchQueryForm(forms.Form):
    """The JSON search's parameters: `q` (at least two letters) and an optional type."""

    q = forms.CharField(required=False, max_length=100)
    type = forms.ChoiceField(required=False, choices=[("", ""), *OrganisationType.choices])


class OrganisationForm(ServiceModelForm):
    class Meta:
        model = Organisation
        fields = list(EDITABLE_FIELDS)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].required = False
        for name in ("name", "short_name"):
            self.fields[name].validators.append(validate_visible_name)


class OrganisationCreateForm(OrganisationForm):
    """A new, unregistered organisation; `on_behalf_of` is asked only of a coordinator of
    several organisations (it keeps the new one's staff records)."""

    on_behalf_of = OrganisationChoiceField(
        label=_("Added by (your organisation)"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_(
            "Your organisation keeps the staff records of the new one (unless it is a funder) "
            "and may correct it while it is not registered."
        ),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)
    # The field of the `next` form that gets the new organisation (the view checks the name).
    field = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, own_organisations, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_behalf_of"].queryset = own_organisations
        if own_organisations.count() < 2:
            del self.fields["on_behalf_of"]


class JoinRequestForm(forms.ModelForm):
    # Longer than a code: "302 456 789" is typed with spaces, which the service removes.
    company_code = forms.CharField(
        label=_("Company code"),
        max_length=20,
        help_text=_("9 digits, as in the Register of Legal Entities."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = JoinRequest
        fields = [
            "name",
            "type",
            "municipality",
            "company_code",
            "address",
            "contact_first_name",
            "contact_last_name",
            "contact_email",
            "contact_phone",
            "contact_position",
        ]
        labels = {
            "name": _("Name of the institution"),
            "contact_first_name": _("First name"),
            "contact_last_name": _("Last name"),
            "contact_email": _("E-mail"),
            "contact_phone": _("Phone"),
            "contact_position": _("Position"),
        }
        help_texts = {
            "contact_email": _(
                "The contact person becomes the organisation's first coordinator: the link to "
                "choose a password is sent to this address."
            ),
        }
        widgets = {
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", "—"), *Municipality.choices]

    def _post_clean(self) -> None:
        # The service checks the code and builds the request; no instance is filled here.
        pass


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the requester)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Write the reason: it is sent to the requester.")},
    )


class CoordinatorInviteForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=150, validators=[validate_visible_name]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, validators=[validate_visible_name]
    )
    email = forms.EmailField(label=_("E-mail"))


class MergeForm(forms.Form):
    kept = OrganisationChoiceField(
        label=_("Keep this organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Everything of the duplicate moves to it, and the duplicate is deleted."),
    )
    confirm = forms.BooleanField(
        label=_("I have checked that the two are the same institution."),
        error_messages={"required": _("Tick the box to confirm that the two are the same.")},
    )

    def __init__(self, *args, duplicate: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from kvalis.lib.collation import lt_order

        self.fields["kept"].queryset = Organisation.objects.exclude(pk=duplicate.pk).order_by(
            *lt_order("name")
        )
        self.fields["kept"].widget.attrs.update(org_search_attrs())
