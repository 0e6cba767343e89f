"""Every Lithuanian catalogue is complete: no empty msgstr, no fuzzy entry.

Lithuanian is the default language, so an untranslated string shows English to every user.
"""

import json
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "kvalis"
CATALOGUES = sorted(SRC.glob("**/locale/lt/LC_MESSAGES/django.po"))


def _entries(text: str):
    """(flags, context, msgid, [msgstr forms]) for every entry after the header."""
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields: dict[str, list[str]] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if "msgid" not in fields:
            continue
        msgid = "".join(json.loads(part) for part in fields["msgid"])
        if msgid == "":
            continue  # the header
        context = "".join(json.loads(part) for part in fields.get("msgctxt", []))
        forms = [
            "".join(json.loads(part) for part in value)
            for key, value in fields.items()
            if key.startswith("msgstr")
        ]
        yield flags, context, msgid, forms


def test_there_are_catalogues():
    assert SRC / "locale/lt/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_catalogue_has_no_empty_or_fuzzy_entries(path):
    problems = []
    for flags, _context, msgid, forms in _entries(path.read_text(encoding="utf-8")):
        if "fuzzy" in flags:
            problems.append(f"fuzzy: {msgid!r}")
        if not forms or not all(forms):
            problems.append(f"untranslated: {msgid!r}")
    assert not problems, f"{path.relative_to(SRC)}:\n" + "\n".join(problems)


def test_a_string_means_the_same_in_every_catalogue():
    """Django merges the catalogues into one, so the same English string (in the same context)
    gets one Lithuanian translation site-wide, whichever catalogue wins. Two apps translating it
    differently means one of them shows the other's word: give the string a context instead."""
    seen: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
    for path in CATALOGUES:
        for _flags, context, msgid, forms in _entries(path.read_text(encoding="utf-8")):
            seen.setdefault((context, msgid), {})[str(path.relative_to(SRC))] = tuple(forms)
    clashes = [
        f"{msgid!r} (context {context!r}): "
        + "; ".join(f"{where}: {' / '.join(forms)}" for where, forms in places.items())
        for (context, msgid), places in seen.items()
        if len(set(places.values())) > 1
    ]
    assert not clashes, "\n".join(clashes)
