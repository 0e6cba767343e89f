from django import forms
from django.utils.translation import gettext_lazy as _


class KeeperExportForm(forms.Form):
    note = forms.CharField(
        label=_("On whose request"),
        max_length=300,
        help_text=_("E.g. “The person's e-mail of 2026-12-01”. Recorded in the audit log."),
        error_messages={
            "required": _("Say on whose request the data is exported (e.g. the person's e-mail).")
        },
    )
