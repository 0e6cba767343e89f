"""A form field for money typed the Lithuanian way ("1 234,50") or the programmer's ("1234.50")."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kvalis.budget.validators import validate_amount
from kvalis.lib.money import format_amount

# Spaces people type or paste as thousands separators: plain, no-break, narrow no-break, thin.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_SHAPE = re.compile(r"^-?\d+(\.\d+)?$")


def parse_amount(text: str):
    """'1 234,50' -> '1234.50' (a string for Decimal), or raise ValidationError."""
    cleaned = _SPACES.sub("", text.strip())
    if cleaned.count(",") + cleaned.count(".") > 1:
        raise ValidationError(
            _("Write the amount with one decimal separator and no thousands dots, e.g. 1 234,50."),
            code="invalid",
        )
    cleaned = cleaned.replace(",", ".")
    if not _SHAPE.match(cleaned):
        raise ValidationError(_("Enter an amount such as 1 234,50."), code="invalid")
    return cleaned


class AmountField(forms.Field):
    """Money to the cent. Accepts "1 234,50", "1234,50" and "1234.50"; refuses three decimals,
    negative amounts and (unless `allow_zero`) zero."""

    def __init__(self, *, allow_zero: bool = False, **kwargs) -> None:
        self.allow_zero = allow_zero
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 30}))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def prepare_value(self, value):
        if value in (None, ""):
            return ""
        if isinstance(value, str):
            return value
        return format_amount(value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str):
            return validate_amount(value, allow_zero=self.allow_zero)
        return validate_amount(parse_amount(value), allow_zero=self.allow_zero)
