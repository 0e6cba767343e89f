from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kvalis.enrolment.models import EnrolmentStatus
from kvalis.lib.text import validate_visible_name
from kvalis.organisations.geo import Municipality
from kvalis.organisations.models import Organisation, OrganisationType
from kvalis.people import rules
from kvalis.people.models import PositionCategory
from kvalis.people.organisation_field import OrganisationSearchField
from kvalis.people.rules import PersonRulesMixin, clean_text


class CatalogueFilterForm(forms.Form):
    activity = forms.ChoiceField(label=_("Activity"), required=False)
    municipality = forms.ChoiceField(
        label=_("Municipality"),
        required=False,
        # Translators: "all" municipalities (a feminine noun in Lithuanian).
        choices=[("", pgettext_lazy("feminine", "all"))] + list(Municipality.choices),
    )
    month = forms.CharField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=_("For example 2014-05."),
    )

    def __init__(self, *args, activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [("", pgettext_lazy("feminine", "all"))] + [
            (str(pk), title) for pk, title in activities
        ]

    def clean_month(self) -> tuple[int, int] | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            # A month no calendar has (year 0, 99999, a 23-digit year) cannot be looked up.
            date(year, month, 1)
        except (ValueError, OverflowError):
            raise forms.ValidationError(_("Write the month as YYYY-MM, e.g. 2014-05.")) from None
        return year, month


class RosterFilterForm(forms.Form):
    """The roster's filters (GET). A value that is not one of the choices (`?partner=²`, another
    project's partner) is not applied; the other filter still is."""

    NO_QUOTA = "none"

    partner = forms.ChoiceField(label=_("Partner"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = list(partners)  # read once: the choices and the page's select
        self.fields["partner"].choices = [
            ("", _("all")),
            (self.NO_QUOTA, _("no quota")),
            *((str(p.pk), p.organisation.name) for p in self.partners),
        ]
        self.fields["status"].choices = [
            ("", pgettext_lazy("feminine", "all")),
            *EnrolmentStatus.choices,
        ]

    def filters(self) -> tuple[str, str]:
        """(partner, status): the valid values, "" for none or for one not valid."""
        if not self.is_bound:
            return "", ""
        self.is_valid()
        return self.cleaned_data.get("partner", ""), self.cleaned_data.get("status", "")


class ApplicationForm(PersonRulesMixin, forms.Form):
    """A public application. Names, e-mail, phone and position meet `kvalis.people.rules`, as
    everywhere a person's data comes in; `application_create` checks them again."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    # Typed and found by the server, not chosen from a list of every organisation in Kvalis
    # (2 000 nationally were most of the page).
    organisation = OrganisationSearchField(
        label=_("Employer"),
        required=False,
        help_text=_("Its name or part of it, e.g. “Utenos biblioteka”."),
    )
    new_organisation_name = forms.CharField(
        label=_("Employer not found: its name"),
        max_length=255,
        required=False,
        validators=[validate_visible_name],
    )
    new_organisation_type = forms.ChoiceField(
        label=_("Its type"),
        choices=[("", "—")]
        + [
            c
            for c in OrganisationType.choices
            if c[0] not in (OrganisationType.FUNDER, OrganisationType.UNIVERSITY)
        ],
        required=False,
    )
    new_organisation_municipality = forms.ChoiceField(
        label=_("Its municipality"),
        choices=[("", "—")] + list(Municipality.choices),
        required=False,
    )
    position = forms.CharField(label=_("Position"), max_length=200)
    position_category = forms.ChoiceField(
        label=_("Position category"), choices=PositionCategory.choices
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is used for this training."),
        required=True,
        error_messages={"required": _("Please agree to the privacy notice.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.exclude(
            type=OrganisationType.FUNDER
        )
        for name in ("first_name", "last_name", "email", "phone"):
            self.fields[name].widget.attrs["autocomplete"] = {
                "first_name": "given-name",
                "last_name": "family-name",
                "email": "email",
                "phone": "tel",
            }[name]

    def clean_new_organisation_name(self) -> str:
        return clean_text(self.cleaned_data["new_organisation_name"], field="organisation")

    def clean(self):
        data = super().clean()
        if not data.get("organisation"):
            if data.get("new_organisation_name") and self.has_error("organisation"):
                # Not found, so added below: the new employer is what counts.
                del self.errors["organisation"]
                data["organisation"] = None
            if self.has_error("organisation"):
                pass  # the search's own error says what to do
            elif not data.get("new_organisation_name"):
                self.add_error("organisation", _("Type your employer's name, or add it below."))
            else:
                for name in ("new_organisation_type", "new_organisation_municipality"):
                    if not data.get(name):
                        self.add_error(name, _("Needed for a new employer."))
        return data


class NominateForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,
        error_messages={
            "invalid_choice": _(
                "Choose the person from the list: the staff you may nominate who are not yet "
                "enrolled in this cohort."
            )
        },
    )
    partner = forms.ModelChoiceField(
        label=_("Quota of partner"), queryset=None, required=False, empty_label=_("— none —")
    )
    override_reason = forms.CharField(
        label=_("Reason to enrol although not eligible"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Only for a person outside the activity's audience; it is recorded."),
    )

    def __init__(self, *args, people, partners, can_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: (
            f"{p.last_name} {p.first_name}"
            + (f" — {p.organisation.name}" if p.organisation_id else "")
        )
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners
            self.fields["partner"].label_from_instance = lambda p: p.organisation.name
        if not can_override:
            del self.fields["override_reason"]


class NewEmployeeForm(forms.Form):
    """A new employee, added to their employer's staff and nominated in one go. The fields meet
    the same rules as everywhere a person's data comes in (`kvalis.people.rules`); the service
    checks them again and refuses a person already on the staff."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput,
        help_text=_("The confirmation and the link to sign in go to this address."),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=40, required=False, help_text=_("For example +370 612 34567.")
    )
    organisation = forms.ModelChoiceField(
        label=_("Employer"),
        queryset=None,
        error_messages={
            "invalid_choice": _(
                "Choose the employer from the list: your own organisation or an institution "
                "you nominate for."
            )
        },
    )
    position = forms.CharField(label=_("Position title"), max_length=200)
    # No category preselected: a hurried partner would otherwise record everyone as a head.
    position_category = forms.ChoiceField(
        label=_("Position category"),
        choices=[("", _("— choose —")), *PositionCategory.choices],
    )
    partner = forms.ModelChoiceField(
        label=_("Quota of partner"), queryset=None, required=False, empty_label=_("— none —")
    )
    override_reason = forms.CharField(
        label=_("Reason to enrol although not eligible"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Only for a person outside the activity's audience; it is recorded."),
    )

    def __init__(self, *args, employers, partners, can_override: bool, **kwargs):
        kwargs.setdefault("prefix", "new")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = employers
        if employers.count() == 1:
            self.fields["organisation"].initial = employers.first().pk
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners
            self.fields["partner"].label_from_instance = lambda p: p.organisation.name
        if not can_override:
            del self.fields["override_reason"]
        # Someone else's details: the browser must not offer the partner coordinator's own.
        for name in ("first_name", "last_name", "email", "phone"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean_first_name(self) -> str:
        return rules.clean_name(self.cleaned_data["first_name"], field="first_name")

    def clean_last_name(self) -> str:
        return rules.clean_name(self.cleaned_data["last_name"], field="last_name")

    def clean_email(self) -> str:
        return rules.clean_email(self.cleaned_data["email"])

    def clean_phone(self) -> str:
        return rules.clean_phone(self.cleaned_data["phone"])

    def clean_position(self) -> str:
        return rules.clean_text(self.cleaned_data["position"], field="position")


class MoveForm(forms.Form):
    cohort = forms.ModelChoiceField(label=_("Move to cohort"), queryset=None)
    override_reason = forms.CharField(
        label=_("Reason to enrol although not eligible"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Only for a person outside the activity's audience; it is recorded."),
    )

    def __init__(self, *args, cohorts, can_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts
        if not can_override:
            del self.fields["override_reason"]
        self.fields["cohort"].label_from_instance = lambda c: (
            f"{c.activity.title} — {c.name} ({c.start_date:%Y-%m-%d})"
        )


class CorrectionForm(forms.Form):
    """Why an ended cohort's enrolment is cancelled: the reason is kept in the audit log."""

    reason = forms.CharField(
        label=_("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text=_("For example: enrolled by mistake, did not take part. It is recorded."),
        error_messages={
            "required": _("Write why you correct the list of a cohort that has ended.")
        },
    )


class CohortSettingsForm(forms.Form):
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0, max_value=10000)
    is_open = forms.BooleanField(label=_("Open for public applications"), required=False)
    auto_approve = forms.BooleanField(label=_("Approve applications automatically"), required=False)
    closes_on = forms.DateField(
        label=_("Applications close on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class QuotaForm(forms.Form):
    seats = forms.IntegerField(label=_("Seats"), min_value=0, max_value=10000)
    release_on = forms.DateField(
        label=_("Unused seats open to everyone on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class CohortMessageForm(forms.Form):
    """One e-mail to a cohort. `token` is made when the form is shown: the same form submitted
    twice is sent once (`cohort_message_send`)."""

    audience = forms.ChoiceField(
        label=_("To"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose who gets the message."),
            "invalid_choice": _("Choose who gets the message."),
        },
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        error_messages={"required": _("Write the subject of the message.")},
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Plain text, sent as written. Each person gets it in their language with a greeting "
            "and a note saying who sent it, from which project, and why they get it."
        ),
        error_messages={"required": _("Write the message: an empty e-mail is not sent.")},
    )
    token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form is incomplete: open the page again and write the message."),
            "invalid": _("The form is incomplete: open the page again and write the message."),
        },
    )

    def __init__(self, *args, sizes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [
            (size.audience, f"{size.label} ({size.people})") for size in sizes
        ]

    def clean(self):
        cleaned = super().clean()
        # A hidden field has no place on the page to show its error: shown above the form.
        if "token" in self.errors:
            self.add_error(None, list(self.errors["token"]))
        return cleaned
