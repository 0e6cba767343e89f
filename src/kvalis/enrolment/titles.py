"""The position category a position title suggests: a dictionary of the titles common in
Lithuanian libraries, museums and culture centres.

A staff list names each person's position ("Vyr. bibliotekininkė", "l. e. p. direktorius",
"Vaikų literatūros skyriaus vedėja") but seldom the project's position category (head, deputy,
manager, specialist, other). `suggest_category()` proposes one; the uploader sees every distinct
title of the file with its suggestion and accepts or changes it, so the dictionary only needs to
be right for the usual titles, never for all of them.

Matching is forgiving the way people write titles: case and spaces do not matter, seniority and
acting-duty words are left out ("vyr.", "vyresnioji", "l. e. p."), a title is matched by its
longest known ending ("… skyriaus vedėja" before "vedėja") or beginning ("direktoriaus
pavaduotoja ūkio reikalams"), and a title typed without Lithuanian letters ("vyr. bibliotekininke")
is found too.
"""

import re
import unicodedata

HEAD, DEPUTY, MANAGER, SPECIALIST, OTHER = "head", "deputy", "manager", "specialist", "other"

# Masculine and feminine forms (the feminine written as the ending that replaces the masculine
# one after "|": "bibliotekinink|as|ė" is bibliotekininkas and bibliotekininkė).
TITLES: dict[str, str] = {
    # heads of institutions
    "direktor|ius|ė": HEAD,
    "vadov|as|ė": HEAD,
    "vedėj|as|a": HEAD,
    "įstaigos vadov|as|ė": HEAD,
    "generalinis direktorius": HEAD,
    "generalinė direktorė": HEAD,
    "seniūn|as|ė": HEAD,
    # deputies
    "pavaduotoj|as|a": DEPUTY,
    "direktoriaus pavaduotoj|as|a": DEPUTY,
    "vadovo pavaduotoj|as|a": DEPUTY,
    # managers: of a department, a branch, projects, culture
    "skyriaus vedėj|as|a": MANAGER,
    "filialo vedėj|as|a": MANAGER,
    "sektoriaus vedėj|as|a": MANAGER,
    "padalinio vadov|as|ė": MANAGER,
    "skyriaus vadov|as|ė": MANAGER,
    "projektų vadov|as|ė": MANAGER,
    "projekto vadov|as|ė": MANAGER,
    "vadybinink|as|ė": MANAGER,
    "kultūros vadybinink|as|ė": MANAGER,
    "renginių vadybinink|as|ė": MANAGER,
    "projektų koordinator|ius|ė": MANAGER,
    "kultūros projektų vadov|as|ė": MANAGER,
    # specialists of culture, libraries and museums
    "specialist|as|ė": SPECIALIST,
    "kultūrinės veiklos specialist|as|ė": SPECIALIST,
    "kultūrinių renginių organizator|ius|ė": SPECIALIST,
    "renginių organizator|ius|ė": SPECIALIST,
    "kultūrinės veiklos organizator|ius|ė": SPECIALIST,
    # an event's presenter or host leads the event, not the institution
    "renginių vedėj|as|a": SPECIALIST,
    "renginio vedėj|as|a": SPECIALIST,
    "bibliotekinink|as|ė": SPECIALIST,
    "bibliograf|as|ė": SPECIALIST,
    "informacijos specialist|as|ė": SPECIALIST,
    "muziejinink|as|ė": SPECIALIST,
    "rinkinių saugotoj|as|a": SPECIALIST,
    "fondų saugotoj|as|a": SPECIALIST,
    "muziejaus rinkinių saugotoj|as|a": SPECIALIST,
    "edukator|ius|ė": SPECIALIST,
    "muziejaus edukator|ius|ė": SPECIALIST,
    "metodinink|as|ė": SPECIALIST,
    "kuratori|us|ė": SPECIALIST,
    "gid|as|ė": SPECIALIST,
    "restaurator|ius|ė": SPECIALIST,
    "archyvar|as|ė": SPECIALIST,
    "meno vadov|as|ė": SPECIALIST,
    "meno kolektyvo vadov|as|ė": SPECIALIST,
    "muzikos vadov|as|ė": SPECIALIST,
    "choreograf|as|ė": SPECIALIST,
    "režisier|ius|ė": SPECIALIST,
    "dailinink|as|ė": SPECIALIST,
    "akompaniator|ius|ė": SPECIALIST,
    "chormeister|is|ė": SPECIALIST,
    "koncertmeister|is|ė": SPECIALIST,
    "jaunimo darbuotoj|as|a": SPECIALIST,
    "darbo su jaunimu specialist|as|ė": SPECIALIST,
    "skaitmeninimo specialist|as|ė": SPECIALIST,
    "ryšių su visuomene specialist|as|ė": SPECIALIST,
    "komunikacijos specialist|as|ė": SPECIALIST,
    # others: administration and upkeep
    "referent|as|ė": OTHER,
    "buhalter|is|ė": OTHER,
    "vyriausiasis buhalteris": OTHER,
    "vyriausioji buhalterė": OTHER,
    "finansinink|as|ė": OTHER,
    "raštved|ys|ė": OTHER,
    "sekretor|ius|ė": OTHER,
    "administrator|ius|ė": OTHER,
    "personalo specialist|as|ė": OTHER,
    "ūkved|ys|ė": OTHER,
    "ūkio dalies vedėj|as|a": OTHER,
    "kompiuterinink|as|ė": OTHER,
    "IT specialist|as|ė": OTHER,
    "apšvietėj|as|a": OTHER,
    "garso operator|ius|ė": OTHER,
    "valytoj|as|a": OTHER,
    "sarg|as|ė": OTHER,
    "vairuotoj|as|a": OTHER,
    "darbinink|as|ė": OTHER,
}

# Words that say how senior or acting someone is, not what they do.
QUALIFIERS = frozenset(
    {
        "vyr",
        "vyresnysis",
        "vyresnioji",
        "vyriausiasis",
        "vyriausioji",
        "jaun",
        "jaunesnysis",
        "jaunesnioji",
        "vyresn",
        "laikinai",
        "einantis",
        "einanti",
        "pareigas",
        "lep",
        "ep",
    }
)
# "l. e. p." / "l.e.p." (laikinai einantis pareigas) and "e. p.", written with or without
# spaces, are made one word before the words are split.
_ACTING = re.compile(r"\b(l\s*\.?\s*e\s*\.?\s*p|e\s*\.\s*p)\b\.?")
_PUNCTUATION = re.compile(r"[.,;:()\"„“”'’«»/\\]+")
_DASHES = re.compile(r"\s*[-–—]\s*")


def _forms(entry: str) -> list[str]:
    if "|" not in entry:
        return [entry]
    stem, masculine, feminine = entry.split("|")
    return [stem + masculine, stem + feminine]


def _words(title: str) -> list[str]:
    text = unicodedata.normalize("NFC", " ".join(str(title).split())).casefold()
    text = _ACTING.sub(lambda match: match.group(1).replace(" ", "").replace(".", ""), text)
    text = _DASHES.sub(" ", _PUNCTUATION.sub(" ", text))
    return [word for word in text.split() if word not in QUALIFIERS]


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def title_key(title: str) -> str:
    """The title as it is compared: "Vyr.  Bibliotekininkė" -> "bibliotekininkė"."""
    return " ".join(_words(title))


def _lookup() -> tuple[dict[str, str], dict[str, str]]:
    exact: dict[str, str] = {}
    for entry, category in TITLES.items():
        for form in _forms(entry):
            exact[title_key(form)] = category
    folded = {_ascii(key): category for key, category in exact.items()}
    return exact, folded


_EXACT, _FOLDED = _lookup()


def suggest_category(title: str) -> str:
    """The position category the title suggests, or "" when the dictionary does not know it."""
    words = title_key(title).split()
    if not words:
        return ""
    for table, prepare in ((_EXACT, str), (_FOLDED, _ascii)):
        # The longest known ending first ("vaikų literatūros skyriaus vedėja": "skyriaus
        # vedėja"), then the longest known beginning ("direktoriaus pavaduotoja ūkio
        # reikalams": "direktoriaus pavaduotoja").
        for size in range(len(words), 0, -1):
            ending = prepare(" ".join(words[-size:]))
            if ending in table:
                return table[ending]
        for size in range(len(words) - 1, 0, -1):
            beginning = prepare(" ".join(words[:size]))
            if beginning in table:
                return table[beginning]
    return ""
