"""An organisation chosen by typing its name, not from a list of every organisation: with 2 000
organisations in the directory, a `<select>` of them all was most of a page's size and of its
database time. The field is a text box; the server finds the organisation:

- a number is an organisation's id (links, a signed-in participant's own employer);
- otherwise the words are searched as in the directory (`organisations.selectors`): one match,
  or one whose name or label is exactly what was typed, is the organisation; none or several is
  a clear error naming a few of the matches.

It works without JavaScript; the choices stay what `queryset` allows."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kvalis.organisations.models import Organisation
from kvalis.organisations.selectors import label_of, organisation_search

EXAMPLES = 5


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit()  # "²".isdigit() is true, int("²") fails


class OrganisationSearchField(forms.Field):
    widget = forms.TextInput

    def __init__(self, *, queryset=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Organisation.objects.none()
        self.widget.attrs.setdefault("autocomplete", "organization")

    def prepare_value(self, value):
        if isinstance(value, Organisation):
            return label_of(value)
        if isinstance(value, int) or (isinstance(value, str) and _is_id(value.strip())):
            found = self.queryset.filter(pk=int(value)).first()
            return label_of(found) if found else value
        return value

    def to_python(self, value) -> Organisation | None:
        text = " ".join(str(value or "").split())
        if not text:
            return None
        if _is_id(text):
            found = self.queryset.filter(pk=int(text)).first()
            if found is None:
                raise ValidationError(
                    _("There is no such organisation here: type its name instead."),
                    code="invalid_choice",
                )
            return found
        # "Name (Municipality)" as the field shows a chosen one: search by the name.
        name = text.rsplit(" (", 1)[0] if text.endswith(")") else text
        matches = list(
            organisation_search(name).filter(pk__in=self.queryset.values("pk"))[: EXAMPLES + 1]
        )
        exact = [
            o for o in matches if text.casefold() in (o.name.casefold(), label_of(o).casefold())
        ]
        if len(exact) == 1:
            return exact[0]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValidationError(
                _("No organisation matches “%(text)s”: check the name, or write less of it."),
                code="invalid_choice",
                params={"text": text},
            )
        examples = "; ".join(label_of(o) for o in matches[:EXAMPLES])
        raise ValidationError(
            _("Several organisations match “%(text)s” (%(examples)s…): write more of the name."),
            code="ambiguous",
            params={"text": text, "examples": examples},
        )
