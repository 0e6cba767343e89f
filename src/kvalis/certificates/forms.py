from django import forms
from django.utils.translation import gettext_lazy as _

from kvalis.certificates.models import REVOKE_STATEMENTS, CertificateIssuer, HoursRule
from kvalis.organisations.models import Organisation


class IssuerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    prefix = forms.CharField(
        label=_("Number prefix"),
        max_length=12,
        help_text=_("Capital Latin letters or digits, e.g. UVB: numbers look like UVB-2014-0001."),
    )
    signatory_name = forms.CharField(label=_("Signatory"), max_length=200)
    signatory_position = forms.CharField(label=_("Signatory's position"), max_length=200)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            partnerships__project=project, partnerships__status="accepted"
        ).order_by("name")


class ActivitySettingsForm(forms.Form):
    issuer = forms.ModelChoiceField(label=_("Issuer"), queryset=CertificateIssuer.objects.none())
    title = forms.CharField(
        label=_("Certificate title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for “Qualification improvement certificate”."),
    )
    custom_text = forms.CharField(
        label=_("Additional text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    hours_rule = forms.ChoiceField(
        label=_("Hours on the certificate"),
        choices=HoursRule.choices,
        initial=HoursRule.ATTENDED,
        widget=forms.RadioSelect,
        help_text=_(
            "Either is stated only for a participant who completed the activity by its rule."
        ),
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = CertificateIssuer.objects.filter(
            project=project
        ).select_related("organisation")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RevokeForm(forms.Form):
    statement = forms.ChoiceField(
        label=_("Public statement"),
        choices=[("", "—")] + [(s.value, s.label) for s in REVOKE_STATEMENTS],
        help_text=_("All that the public verification page and the API say about the revocation."),
        error_messages={"required": _("Choose what the public is told about the revocation.")},
    )
    reason = forms.CharField(
        label=_("Internal reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seen only by the project's coordinators."),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=64,
        help_text=_("The code printed under the QR code, e.g. ABCD EFGH IJKL MNOP."),
    )


class RegisterFilterForm(forms.Form):
    """The register's filters (GET). A value that is not one of the choices is not applied, and
    the page says so; the other filters still are."""

    q = forms.CharField(label=_("Name or number"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    activity = forms.TypedChoiceField(label=_("Activity"), required=False, coerce=int)
    cohort = forms.TypedChoiceField(label=_("Cohort"), required=False, coerce=int)
    organisation = forms.TypedChoiceField(label=_("Employer"), required=False, coerce=int)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int)

    def __init__(self, *args, activities, years, cohorts=(), organisations=(), **kwargs):
        from kvalis.certificates.models import CertificateStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("all"))] + list(CertificateStatus.choices)
        self.fields["activity"].choices = [("", _("all"))] + [(a.pk, a.title) for a in activities]
        self.fields["cohort"].choices = [("", _("all"))] + [
            (c.pk, f"{c.activity.title} — {c.name}") for c in cohorts
        ]
        self.fields["organisation"].choices = [("", _("all"))] + [
            (o.pk, o.name) for o in organisations
        ]
        self.fields["year"].choices = [("", _("all"))] + [(y, str(y)) for y in years]

    def filters(self) -> dict:
        """The valid filter values ("" or None for those not given or not valid)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data
