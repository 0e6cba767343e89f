"""Names are visible text: no invisible, bidirectional or control characters, at least a letter."""

import pytest
from django.core.exceptions import ValidationError

from kvalis.lib.text import validate_visible_name


@pytest.mark.parametrize(
    "name",
    [
        "Žemaitė",
        "Jonas-Petras",
        "O'Brien",
        "O’Brien",
        "Ąžuolas Šimkus",
        "Čiurlionio muziejus",
        "Jurgita Ėglė Ųsaitė",
        "Rokiškio r. kultūros centras „Gija“",
        "José Ñúñez",
        "Jose\u0301",  # a decomposed accent: a letter and a combining mark
        "Ιωάννης",
        "Дмитрий",
    ],
)
def test_ordinary_names_pass(name):
    validate_visible_name(name)


@pytest.mark.parametrize(
    ("name", "codepoint"),
    [
        ("Jo\u200bnas", "U+200B"),  # zero-width space
        ("Jo\u200dnas", "U+200D"),  # zero-width joiner
        ("Jo\u200cnas", "U+200C"),  # zero-width non-joiner
        ("\u2060Jonas", "U+2060"),  # word joiner
        ("\ufeffJonas", "U+FEFF"),  # byte-order mark
        ("Jonas\u200e", "U+200E"),  # left-to-right mark
        ("Jonas\u200f", "U+200F"),  # right-to-left mark
        ("\u202aJonas", "U+202A"),
        ("\u202bJonas", "U+202B"),
        ("\u202cJonas", "U+202C"),
        ("\u202dJonas", "U+202D"),
        ("\u202eJonas", "U+202E"),  # right-to-left override: "sanoJ" on screen
        ("\u2066Jonas", "U+2066"),
        ("\u2067Jonas", "U+2067"),
        ("\u2068Jonas", "U+2068"),
        ("Jonas\u2069", "U+2069"),
        ("\u00adJonas", "U+00AD"),  # soft hyphen
        ("Jo\tnas", "U+0009"),
        ("Jonas\n", "U+000A"),
        ("Jo\rnas", "U+000D"),
        ("Jo\x00nas", "U+0000"),
        ("Jo\x7fnas", "U+007F"),
        ("Jo\x85nas", "U+0085"),
        ("Jonas\u2028", "U+2028"),  # line separator
        ("Jonas\ue000", "U+E000"),  # private use
        ("Jonas\ud800", "U+D800"),  # a lone surrogate
        ("Jonas\U000e0001", "U+E0001"),  # language tag
        ("Jonas\u0378", "U+0378"),  # unassigned
        ("Jonas\u3164", "U+3164"),  # Hangul filler: a "letter" that shows nothing
    ],
)
def test_invisible_bidirectional_and_control_characters_are_refused(name, codepoint):
    with pytest.raises(ValidationError) as caught:
        validate_visible_name(name)
    assert caught.value.code == "invisible"
    assert caught.value.messages == [
        f"Yra nematomas arba valdymo simbolis ({codepoint}): įrašykite tekstą be jo."
    ]


@pytest.mark.parametrize("name", ["", " ", "\u00a0", "---", "'.", "123", "\u0301"])
def test_a_name_without_any_letter_is_refused(name):
    with pytest.raises(ValidationError) as caught:
        validate_visible_name(name)
    assert caught.value.code == "no_letter"
    assert caught.value.messages == ["Įrašykite bent vieną raidę."]


def test_a_name_of_zero_width_characters_only_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_visible_name("\u200b\u200d")
    assert caught.value.code == "invisible"


def test_the_message_is_in_english_too():
    from django.utils import translation

    with pytest.raises(ValidationError) as caught:
        validate_visible_name("\u202eJonas")
    with translation.override("en"):
        assert caught.value.messages == [
            "There is an invisible or control character (U+202E): type the text without it."
        ]
