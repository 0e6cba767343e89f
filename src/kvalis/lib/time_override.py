"""The checkbox and reason a coordinator gives to set a time rule aside (see kvalis.time_rules).

Pages show these fields (`includes/_time_rule_override.html`) only while the rule refuses; the
service checks who may override and records the exception in the audit log.
"""

from django import forms
from django.utils.translation import gettext_lazy as _


class TimeRuleOverrideForm(forms.Form):
    override = forms.BooleanField(
        label=_("Record it now anyway: this is a legitimate exception"), required=False
    )
    override_reason = forms.CharField(
        label=_("Reason for the exception"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("override") and not (cleaned.get("override_reason") or "").strip():
            self.add_error(
                "override_reason", _("Write why this exception to the time rule is needed.")
            )
        return cleaned

    def reason(self) -> str | None:
        """The reason to pass to the service as `override_reason`, or None without override."""
        if not self.is_valid() or not self.cleaned_data.get("override"):
            return None
        return self.cleaned_data["override_reason"].strip()
