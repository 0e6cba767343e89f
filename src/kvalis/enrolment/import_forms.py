"""The forms of the bulk import: the upload, the column mapping, the confirmation."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kvalis.enrolment.imports import CONSTANT_FIELDS, FIELDS, Title, column_letter
from kvalis.people.models import PositionCategory

# What a field's select offers besides the file's columns.
CONSTANT = "same"
DERIVED = "title"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_(
            "The first row names the columns; you match them to the fields on the next page. "
            "CSV may use commas or semicolons, UTF-8 or Windows-1257."
        ),
    )
    partner = forms.ModelChoiceField(
        label=_("Quota of partner"), queryset=None, required=False, empty_label=_("— none —")
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        if partners is None:
            del self.fields["partner"]
        else:
            self.fields["partner"].queryset = partners
            self.fields["partner"].label_from_instance = lambda p: p.organisation.name

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.KVALIS_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB; split it into smaller files.")
                % {"limit": limit}
            )
        return upload


class MappingForm(forms.Form):
    """Per field where its value comes from: a column of the file, one value for all rows
    (employer, position, position category), or for the position category the position title;
    and, when derived, the category of each distinct title (the dictionary's suggestion first).

    Field names: the field itself (`position_category`: "3", "same" or "title"), its value for
    all rows (`position_category_value`), and one `title_<n>` per distinct title."""

    titles_column = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        header: list[str],
        batch,
        organisations: list[tuple[int, str]],
        titles: list[Title],
        titles_column: int | None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.titles = titles
        columns = [(str(i), f"{column_letter(i)}: {title}") for i, title in enumerate(header)]
        constants = batch.constants or {}
        category_choices = list(PositionCategory.choices)
        for name, label in FIELDS.items():
            choices = [("", _("— not in the file —")), *columns]
            if name in CONSTANT_FIELDS:
                choices.append((CONSTANT, _("the same for all rows")))
            if name == "position_category":
                choices.append((DERIVED, _("from the position title")))
            if name in constants:
                initial = CONSTANT
            elif name == "position_category" and batch.derive_category:
                initial = DERIVED
            else:
                initial = str(batch.mapping[name]) if name in batch.mapping else ""
            self.fields[name] = forms.ChoiceField(
                label=label, choices=choices, required=False, initial=initial
            )
        self.fields["organisation_value"] = forms.TypedChoiceField(
            label=_("Employer of all rows"),
            choices=[("", _("— choose —")), *[(str(pk), n) for pk, n in organisations]],
            coerce=int,
            required=False,
            initial=str(constants.get("organisation", "")),
        )
        self.fields["position_value"] = forms.CharField(
            label=_("Position of all rows"),
            max_length=200,
            required=False,
            initial=constants.get("position", ""),
        )
        self.fields["position_category_value"] = forms.ChoiceField(
            label=_("Position category of all rows"),
            choices=[("", _("— choose —")), *category_choices],
            required=False,
            initial=constants.get("position_category", ""),
        )
        self.fields["titles_column"].initial = "" if titles_column is None else str(titles_column)
        chosen = batch.title_categories or {}
        for index, title in enumerate(titles):
            # A title the dictionary does not know starts unchosen: its rows fail until a
            # category is chosen for it.
            blank = [] if title.suggestion else [("", _("— choose —"))]
            self.fields[f"title_{index}"] = forms.ChoiceField(
                label=title.text,
                choices=[*blank, *category_choices],
                required=False,
                initial=chosen.get(title.key) or title.suggestion,
            )

    def clean(self):
        cleaned = super().clean()
        for name in CONSTANT_FIELDS:
            if cleaned.get(name) == CONSTANT and cleaned.get(f"{name}_value") in ("", None):
                self.add_error(f"{name}_value", _("Choose the value for all rows."))
        return cleaned

    def title_fields(self):
        """(the select, the title) for each distinct title, as the page lists them."""
        return [(self[f"title_{i}"], title) for i, title in enumerate(self.titles)]

    def mapping(self) -> dict[str, int | None]:
        result = {}
        for name in FIELDS:
            value = self.cleaned_data.get(name)
            result[name] = int(value) if value not in ("", None, CONSTANT, DERIVED) else None
        return result

    def constants(self) -> dict:
        return {
            name: self.cleaned_data[f"{name}_value"]
            for name in CONSTANT_FIELDS
            if self.cleaned_data.get(name) == CONSTANT
        }

    def derive_category(self) -> bool:
        return self.cleaned_data.get("position_category") == DERIVED

    def position_column(self) -> int | None:
        return self.mapping()["position"]

    def titles_shown_for(self) -> int | None:
        value = self.cleaned_data.get("titles_column")
        return int(value) if value not in ("", None) and str(value).isdigit() else None

    def title_categories(self) -> dict[str, str]:
        return {
            title.key: self.cleaned_data.get(f"title_{i}") or ""
            for i, title in enumerate(self.titles)
        }


class ConfirmForm(forms.Form):
    """Import every row, or (when some have problems) only the valid ones; e-mail the people
    now, or hold the e-mails and send them later from the roster."""

    rows = forms.ChoiceField(
        choices=[("all", _("every row")), ("valid", _("only the valid rows"))],
        initial="all",
        widget=forms.HiddenInput,
    )
    mail = forms.ChoiceField(
        label=_("E-mails to the people imported"),
        choices=[
            ("send", _("send them now")),
            ("hold", _("hold them: I will send them later from the roster")),
        ],
        initial="send",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to send the e-mails now.")},
    )
