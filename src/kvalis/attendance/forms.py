from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kvalis.attendance.models import AttendanceMethod, AttendanceStatus
from kvalis.attendance.services import Mark
from kvalis.enrolment.models import Enrolment
from kvalis.people.organisation_field import OrganisationSearchField


@dataclass
class RosterRow:
    enrolment: Enrolment
    status: forms.BoundField
    minutes: forms.BoundField


class AttendanceForm(forms.Form):
    """One radio group (and a minutes box for late arrivals) per confirmed enrolment.

    Rows without a recorded status start as "present": the trainer marks everyone present and
    then changes the exceptions.
    """

    method = forms.ChoiceField(
        choices=[(AttendanceMethod.FORM, ""), (AttendanceMethod.SHEET, "")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, roster: list[Enrolment], recorded: dict, max_minutes: int, **kw):
        super().__init__(*args, **kw)
        self.roster = roster
        for enrolment in roster:
            row = recorded.get(enrolment.pk)
            self.fields[f"status-{enrolment.pk}"] = forms.ChoiceField(
                label=enrolment.person.full_name,
                choices=AttendanceStatus.choices,
                initial=row.status if row else AttendanceStatus.PRESENT,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a status.")},
            )
            self.fields[f"minutes-{enrolment.pk}"] = forms.IntegerField(
                label=_("Minutes attended"),
                required=False,
                min_value=1,
                max_value=max_minutes,
                initial=row.minutes_attended if row else None,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def rows(self) -> list[RosterRow]:
        return [
            RosterRow(
                enrolment=enrolment,
                status=self[f"status-{enrolment.pk}"],
                minutes=self[f"minutes-{enrolment.pk}"],
            )
            for enrolment in self.roster
        ]

    def clean(self):
        cleaned = super().clean()
        for enrolment in self.roster:
            status = cleaned.get(f"status-{enrolment.pk}")
            minutes = cleaned.get(f"minutes-{enrolment.pk}")
            if status == AttendanceStatus.LATE and minutes is None:
                self.add_error(
                    f"minutes-{enrolment.pk}",
                    _("Enter how many minutes of the session the person attended."),
                )
        return cleaned

    def marks(self) -> list[Mark]:
        result = []
        for enrolment in self.roster:
            status = self.cleaned_data[f"status-{enrolment.pk}"]
            minutes = self.cleaned_data.get(f"minutes-{enrolment.pk}")
            # A minutes box left filled in while the status was changed back is ignored.
            result.append(
                Mark(
                    enrolment_id=enrolment.pk,
                    status=status,
                    minutes_attended=minutes if status == AttendanceStatus.LATE else None,
                )
            )
        return result


class CheckInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=20,
        help_text=_("The six characters shown on the screen in your room."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class CompletionOverrideForm(forms.Form):
    DECISIONS = [
        ("completed", _("Completed")),
        ("not_completed", _("Not completed")),
        ("clear", _("Use the hours (remove the override)")),
    ]
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") in ("completed", "not_completed")
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Write why completion is decided by hand."))
        return cleaned


class LedgerFilterForm(forms.Form):
    """The hours ledger's filters (GET). A value that is not one of the choices (`?cohort=²`,
    another project's cohort) is not applied, and the page says so; the others still are."""

    q = forms.CharField(label=pgettext_lazy("person", "Name"), required=False, max_length=100)
    activity = forms.TypedChoiceField(label=_("Activity"), required=False, coerce=int)
    cohort = forms.TypedChoiceField(label=_("Cohort"), required=False, coerce=int)
    # Typed, not chosen from a list of every employer (2 000 in a national programme).
    organisation = OrganisationSearchField(label=_("Employer"), required=False)

    def __init__(self, *args, activities, cohorts, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [("", _("all"))] + [(a.pk, a.title) for a in activities]
        self.fields["cohort"].choices = [("", _("all"))] + [
            (c.pk, f"{c.activity.title} — {c.name}") for c in cohorts
        ]
        self.fields["organisation"].queryset = organisations

    def filters(self) -> dict:
        """The valid filter values (empty for those not given or not valid)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data
