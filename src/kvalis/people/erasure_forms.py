from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # A field of its own (not a generic "confirm"): nothing is asked by accident.
    confirm_erasure = forms.BooleanField(
        label=_(
            "I understand that my name, contact data and login will be erased, while my "
            "training record and certificates stay without my name."
        ),
        required=True,
    )


class ErasureOnBehalfForm(forms.Form):
    reason = forms.CharField(
        label=_("How the person asked"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. a letter of 2026-11-30 to the library."),
    )


class ErasureDecisionForm(forms.Form):
    DECISIONS = [
        ("erase", _("Erase now")),
        ("approve", _("Approve, erase later")),
        ("refuse", _("Refuse")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    refusal_reason = forms.CharField(
        label=_("Reason for refusal"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The person reads it on their page."),
    )
