"""The one set of rules for a person's data, whichever way it comes in: the public application
form, a coordinator's person form, a partner's nomination, a bulk import, the admin.

Each `clean_*` function takes what was typed or read from a spreadsheet cell and returns the value
to store, or raises `ValidationError` with a `code` and a message that names the field and says
what to do, so a form shows it under the field and an import shows it beside the row:

- `clean_name(value, field="first_name")`: a person's first or last name;
- `clean_email(value)`: an e-mail address, in lower case ("" when none is given);
- `clean_phone(value)`: a phone number, Lithuanian ones as +370XXXXXXXX ("" when none);
- `clean_text(value, field="position")`: other short text (a position title, an employer's name);
- `person_key(first_name, last_name, email)`: what two records of one person share, for finding
  duplicates that differ only in case or spaces ("JONAS  Jonaitis" and "Jonas Jonaitis").

Why these rules: names and text are shown on pages and certificates and exported to spreadsheets,
so they must look like what they are (see `kvalis.lib.text`) and never start like a formula
(= + - @), which a spreadsheet would run; a Lithuanian name never starts with one. Phones come
from spreadsheets as numbers (37061200005, 861200005.0: the "+" and a leading 0 are lost) or as
text in every local habit (8 612 00005, +370 (612) 00005); storing one form (E.164) lets people
and programs compare and dial them.
"""

import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from kvalis.lib.text import invisible_character

FIELD_LABELS = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("E-mail"),
    "phone": _("Phone"),
    "organisation": _("Employer"),
    "position": _("Position"),
}
# As the Person model's fields (and Organisation.name for an employer typed in).
MAX_LENGTH = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "organisation": 255,
    "position": 200,
}
# What a spreadsheet takes for the start of a formula. A leading tab or carriage return is
# whitespace here: it is stripped before the check, so it is never stored.
FORMULA_START = ("=", "+", "-", "@")
PHONE_EXAMPLE = "+370 612 34567"
LITHUANIA = "370"
LITHUANIAN_DIGITS = 8  # after +370: 6xx xxxxx (mobile), 5 xxx xxxx (Vilnius), 389 xxxxx (Utena)
# How the 8 digits start: 3, 4, 5 (towns), 6 (mobile), 7 (services), 8 (8 800… free calls).
LITHUANIAN_FIRST_DIGITS = "345678"
E164_MIN_DIGITS = 7  # country code included; the shortest numbers in use (small islands)
E164_MAX_DIGITS = 15
# What people write between the digits of a phone number: spaces, dashes, dots, slashes,
# parentheses.
_PHONE_SEPARATORS = re.compile(r"[\s\-./()\u2010-\u2015]+")
_PHONE = re.compile(r"\+?[0-9]+")

_validate_email = EmailValidator()


def label(field: str) -> str:
    return str(FIELD_LABELS.get(field, field))


def _collapse(value) -> str:
    """The text with its ends stripped and every run of spaces (the no-break space U+00A0, thin
    and other Unicode spaces, tabs and line breaks from a spreadsheet cell) made one space."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _check_text(text: str, field: str, max_length: int | None) -> None:
    if text.startswith(FORMULA_START):
        raise ValidationError(
            _(
                "%(field)s cannot start with “%(char)s”: a spreadsheet would take it for a "
                "formula. Write it without that sign."
            ),
            code="formula",
            params={"field": label(field), "char": text[0]},
        )
    character = invisible_character(text)
    if character is not None:
        raise ValidationError(
            _(
                "%(field)s has an invisible or control character (%(codepoint)s): type the "
                "text without it."
            ),
            code="invisible",
            params={"field": label(field), "codepoint": f"U+{ord(character):04X}"},
        )
    limit = MAX_LENGTH.get(field) if max_length is None else max_length
    if limit is not None and len(text) > limit:
        raise ValidationError(
            _("%(field)s is longer than %(max)s characters."),
            code="too_long",
            params={"field": label(field), "max": limit},
        )


def _missing(field: str) -> ValidationError:
    return ValidationError(
        _("%(field)s is missing."), code="required", params={"field": label(field)}
    )


def clean_name(value, *, field: str = "first_name") -> str:
    """A first or last name: "Ona  Marija" (a no-break space between) -> "Ona Marija".

    Refused: nothing, longer than the model allows, an invisible or control character, no letter
    at all ("12345"), a start like a formula ("=HYPERLINK(…)", "-Jonas")."""
    text = _collapse(value)
    if not text:
        raise _missing(field)
    _check_text(text, field, None)
    if not any(unicodedata.category(character).startswith("L") for character in text):
        raise ValidationError(
            _("%(field)s must have at least one letter: “%(value)s” is not a name."),
            code="no_letter",
            params={"field": label(field), "value": text},
        )
    return text


def clean_text(value, *, field: str = "position", max_length: int | None = None) -> str:
    """Other short text (a position title, an employer's name): spaces collapsed, no formula
    start, no invisible character, not too long. May be empty ("")."""
    text = _collapse(value)
    if text:
        _check_text(text, field, max_length)
    return text


def clean_email(value, *, required: bool = False) -> str:
    """An e-mail address in lower case ("Ona.Petraite@Biblioteka.LT" ->
    "ona.petraite@biblioteka.lt"). "" when nothing is given and not `required`.

    Strictly only the domain has no case, but no mail server in use tells "Ona" from "ona",
    and Kvalis already keeps every login's address (`accounts.UserManager`), every applicant's
    and every imported one in lower case; the Person model's unique constraint compares
    addresses in any case (Lower(email)). One form everywhere: a person's address is their
    login's."""
    text = _collapse(value)
    if not text:
        if required:
            raise _missing("email")
        return ""
    _check_text(text, "email", None)
    try:
        _validate_email(text)
    except ValidationError:
        raise ValidationError(
            _("“%(value)s” is not a valid e-mail address: write it as name@example.lt."),
            code="invalid_email",
            params={"value": text},
        ) from None
    return text.lower()


def _phone_text(value) -> str:
    """A spreadsheet cell as the digits it shows: 37061200005 and 37061200005.0 (a number cell)
    -> "37061200005"; text as it is."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return _collapse(value)


def _invalid_phone(text: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is not a phone number: write it as %(example)s or 8 612 34567."),
        code="invalid_phone",
        params={"value": text, "example": PHONE_EXAMPLE},
    )


def _short_phone(text: str) -> ValidationError:
    return ValidationError(
        _(
            "The phone number “%(value)s” is too short: write all its digits, e.g. "
            "%(example)s (a Lithuanian number has 8 digits after +370)."
        ),
        code="phone_too_short",
        params={"value": text, "example": PHONE_EXAMPLE},
    )


def _long_phone(text: str) -> ValidationError:
    return ValidationError(
        _(
            "The phone number “%(value)s” is too long: write one number, e.g. %(example)s "
            "(a Lithuanian number has 8 digits after +370)."
        ),
        code="phone_too_long",
        params={"value": text, "example": PHONE_EXAMPLE},
    )


def clean_phone(value, *, required: bool = False) -> str:
    """A phone number in E.164: Lithuanian ones as +370 and 8 digits, others as + and their
    digits. "" when nothing is given and not `required`.

    Lithuanian numbers are recognised in the forms people write them and spreadsheets keep them:
    "+370 612 00005", "00370 612 00005", "370 612 00005" or the number 37061200005, "8 612 00005"
    or 861200005 (the trunk prefix 8), "612 00005" (a mobile number without any prefix). A
    number from our own CSV export ("'+37061200005", the apostrophe guarding the "+") is read
    as the number."""
    text = _phone_text(value)
    if text.startswith("'"):
        text = text[1:].lstrip()
    if not text:
        if required:
            raise _missing("phone")
        return ""
    compact = _PHONE_SEPARATORS.sub("", text)
    if not _PHONE.fullmatch(compact):
        raise _invalid_phone(text)
    if compact.startswith("+"):
        international = compact[1:]
    elif compact.startswith("00"):
        international = compact[2:]
    elif compact.startswith(LITHUANIA) and len(compact) > LITHUANIAN_DIGITS + 1:
        international = compact
    else:
        return _lithuanian(compact, text)
    if international.startswith(LITHUANIA):
        return _lithuanian(international[len(LITHUANIA) :], text, international=True)
    if international.startswith("0"):
        raise _invalid_phone(text)
    if len(international) < E164_MIN_DIGITS:
        raise _short_phone(text)
    if len(international) > E164_MAX_DIGITS:
        raise _long_phone(text)
    return "+" + international


def _lithuanian(national: str, text: str, *, international: bool = False) -> str:
    """+370 and the 8 digits of a Lithuanian number written without the country code (with
    or without the trunk prefix 8) or after it (where some still write the 8: +370 8 612…)."""
    if national.startswith("8") and len(national) == LITHUANIAN_DIGITS + 1:
        national = national[1:]
    elif national.startswith("8") and not international:
        # "8 612 0000": the trunk prefix and a digit too few, not a free-call 8 800 number.
        raise _short_phone(text)
    if len(national) < LITHUANIAN_DIGITS:
        raise _short_phone(text)
    if national[0] not in LITHUANIAN_FIRST_DIGITS:
        raise _invalid_phone(text)
    if len(national) > LITHUANIAN_DIGITS:
        raise _long_phone(text)
    return f"+{LITHUANIA}{national}"


def normalise_phone(value) -> str | None:
    """The E.164 form of a stored phone, or None when it cannot be read as a number (used by
    the data migration, which leaves such values as they are)."""
    try:
        return clean_phone(value)
    except ValidationError:
        return None


def fold(text) -> str:
    """Text compared as people compare names: spaces collapsed (the no-break space too),
    composed (a letter with a separate ogonek, "a\u0328", is "ą"), case folded ("ŠIMKUS",
    "Šimkus" and "šimkus" are one). Diacritics stay: Šimkus is not Simkus."""
    return unicodedata.normalize("NFC", _collapse(text)).casefold()


def person_key(first_name, last_name, email="") -> tuple[str, ...]:
    """What two rows or records of the same person share: the e-mail address in any case when
    there is one, otherwise the first and last name in any case. An import adds the employer to
    a name key ("same name and employer")."""
    address = fold(email)
    if address:
        return ("email", address)
    return ("name", fold(first_name), fold(last_name))


def clean_person_fields(values: dict, *, required=("first_name", "last_name")) -> dict:
    """Every rule above on the person fields present in `values` (first_name, last_name, email,
    phone, position; others are returned as they are). Raises one ValidationError with an error
    per field, as a form shows them; `required` lists the fields that may not be empty."""
    cleaned = dict(values)
    errors: dict[str, ValidationError] = {}
    for name, value in values.items():
        try:
            if name in ("first_name", "last_name"):
                cleaned[name] = clean_name(value, field=name)
            elif name == "email":
                cleaned[name] = clean_email(value, required=name in required)
            elif name == "phone":
                cleaned[name] = clean_phone(value, required=name in required)
            elif name == "position":
                cleaned[name] = clean_text(value, field=name)
                if name in required and not cleaned[name]:
                    raise _missing(name)
        except ValidationError as error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- in forms ---------------------------------------------------------------------------------


class PersonRulesMixin:
    """A form's name, e-mail, phone and position fields checked by `kvalis.people.rules`, so
    each error shows under its field and reads as the import's does. The fields' own validators
    (an e-mail field's, a model field's) are left out: the rules are a superset of them and say
    what is wrong with the field's name. In an edit, a value left as it was is not checked
    (a record from before the rules; the service does the same)."""

    RULED_FIELDS = ("first_name", "last_name", "email", "phone", "position")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.RULED_FIELDS:
            if name in self.fields:
                self.fields[name].validators = []

    def _ruled(self, name: str, rule):
        value = self.cleaned_data[name]
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and value == getattr(instance, name):
            return value
        return rule(value)

    def clean_first_name(self) -> str:
        return self._ruled("first_name", lambda v: clean_name(v, field="first_name"))

    def clean_last_name(self) -> str:
        return self._ruled("last_name", lambda v: clean_name(v, field="last_name"))

    def clean_email(self) -> str:
        return self._ruled("email", clean_email)

    def clean_phone(self) -> str:
        return self._ruled("phone", clean_phone)

    def clean_position(self) -> str:
        return self._ruled("position", lambda v: clean_text(v, field="position"))
