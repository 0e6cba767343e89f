import json
import re

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


CREDENTIAL_MAX_BYTES = 1024 * 1024  # a credential is a few kilobytes, a baked badge some 50
_COMPACT_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class CredentialForm(forms.Form):
    """A digital credential to verify: pasted (a JWT or JSON) or a file (.jwt, .json, or a
    baked badge .png, whose credential is read out). `cleaned_data["data"]` is the text."""

    credential = forms.CharField(
        label=_("Paste the credential"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_("The signed credential (a JWT: eyJ…) or its JSON."),
    )
    file = forms.FileField(
        label=_("Or choose a file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".jwt,.json,.png"}),
        help_text=_("A credential file (.jwt, .json) or a badge image (.png), at most 1 MB."),
    )

    def clean(self):
        from kvalis.credentials import baking

        cleaned = super().clean()
        if self.errors:
            return cleaned
        text, upload = cleaned.get("credential") or "", cleaned.get("file")
        if text and upload:
            raise forms.ValidationError(_("Paste a credential or choose a file, not both."))
        if not text and not upload:
            raise forms.ValidationError(_("Paste a credential or choose a file to verify."))
        field = "file" if upload else "credential"
        content = upload.read(CREDENTIAL_MAX_BYTES + 1) if upload else text.encode("utf-8")
        if len(content) > CREDENTIAL_MAX_BYTES:
            self.add_error(
                field,
                _(
                    "This is larger than 1 MB, and a credential is only a few kilobytes: "
                    "choose the credential's .jwt or .json file or its badge image."
                ),
            )
            return cleaned
        if baking.is_png(content):
            try:
                text = baking.extract(content)
            except baking.BakingError as error:
                self.add_error(field, error.message)
                return cleaned
        elif upload:
            try:
                text = content.decode("utf-8-sig").strip()
            except UnicodeDecodeError:
                self.add_error(field, NOT_A_CREDENTIAL)
                return cleaned
        problem = _shape_problem(text)
        if problem:
            self.add_error(field, problem)
            return cleaned
        cleaned["data"] = text
        return cleaned


NOT_A_CREDENTIAL = _(
    "This is not a credential: neither a signed credential (a JWT, three parts separated by "
    "dots) nor JSON, nor a badge image."
)


def _shape_problem(text: str) -> str | None:
    """Why `text` cannot be a credential at all (before any signature is looked at), or None."""
    if _COMPACT_JWT.fullmatch(text):
        return None
    if not text.startswith(("{", "[")):
        return NOT_A_CREDENTIAL
    try:
        value = json.loads(text)
    except ValueError as error:
        return _("The text is not valid JSON (line %(line)s, column %(column)s).") % {
            "line": getattr(error, "lineno", "?"),
            "column": getattr(error, "colno", "?"),
        }
    if not isinstance(value, dict):
        return _("The JSON is not a credential: a credential is a JSON object ({…}).")
    return None


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
