"""Checks of text that people read as names (of persons, of organisations).

A name is shown on pages, rosters, certificates and exports, and compared by people: it must
look like what it is. Invisible characters (zero-width spaces and joiners, the byte-order mark),
bidirectional controls (which reorder what follows: "\u202eJonas" shows as "sanoJ"), control
characters (tabs, line breaks), private-use, surrogate and unassigned code points all make two
names look alike that are not, or a name look like something else. Attach the validator to a
model or form field (`validators=[validate_visible_name]`) or call it from a service.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Format (Cf: zero-width, bidi, BOM, soft hyphen, tags), control (Cc), private use (Co),
# surrogates (Cs), unassigned (Cn), and the line and paragraph separators (Zl, Zp).
REFUSED_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs", "Cn", "Zl", "Zp"})
# Letters (Lo) and a symbol that are drawn as nothing at all.
BLANK_CHARACTERS = frozenset(
    {
        "\u115f",  # Hangul choseong filler
        "\u1160",  # Hangul jungseong filler
        "\u3164",  # Hangul filler
        "\uffa0",  # halfwidth Hangul filler
        "\u2800",  # Braille pattern blank
    }
)


def invisible_character(value: str) -> str | None:
    """The first invisible, bidirectional or control character of `value`, if any."""
    for character in value:
        if character in BLANK_CHARACTERS or unicodedata.category(character) in REFUSED_CATEGORIES:
            return character
    return None


def validate_visible_name(value: str) -> None:
    """Refuse a name with an invisible, bidirectional or control character, or with no letter.

    Lithuanian and other letters, combining accents, spaces, hyphens, apostrophes, dots and
    quotation marks pass: "Žemaitė", "Jonas-Petras", "O'Brien", "Ąžuolas Šimkus".
    """
    character = invisible_character(value)
    if character is not None:
        raise ValidationError(
            _(
                "There is an invisible or control character (%(codepoint)s): type the text "
                "without it."
            ),
            code="invisible",
            params={"codepoint": f"U+{ord(character):04X}"},
        )
    if not any(unicodedata.category(character).startswith("L") for character in value):
        raise ValidationError(_("Write at least one letter."), code="no_letter")
