"""Lithuanian grammar for the few constructions Kvalis writes: names in the case a sentence needs.

A sentence that puts a name into Lithuanian text needs the name in a case: "Sveiki, Vytautai,"
(vocative), "kartu su Kauno miesto muziejumi" (instrumental), "Rūtos Petraitienės pažymėjimas"
(genitive). This module turns a nominative into the other cases, as data:

- `ENDINGS`: the regular endings of nouns and adjectives (singular and plural) and what each case
  replaces them with. Personal names follow the nouns, except the vocative of masculine names in
  -as, which is -ai ("Jonai", not "Jone").
- `NAME_EXCEPTIONS`: personal names the rules would get wrong (a masculine name in -a, ...).
- `COUNTY_LOCATIVES`, `POSITION_CATEGORY_FORMS`, `ORGANISATION_TYPE_FORMS`: the nominative forms
  of the product's categories; the other cases come from the same endings (and are tested).

Institution names: only the head is inflected, the last noun with the adjectives before it
("viešoji biblioteka" -> "viešąja biblioteka"); genitive modifiers ("Kauno miesto", "Utenos A. ir
M. Miškinių") stay as they are, and so does a quoted name ("VšĮ „Sėkmės mokykla“": the head is the
abbreviation, which does not inflect). The organisation's stored forms (`name_genitive`, ...)
override the rules: `organisation_case(organisation, "instrumental")`.

What the rules do not know they leave alone: a foreign name ("Marie Curie") stays in the
nominative in every case, and `guess_gender` answers None for it, so that "(-a)" hedges stay.
All functions are pure and work on any language's text: the callers decide when the text is
Lithuanian (`is_lithuanian()`); the template filters in `kvalis.lib.templatetags.grammar` do.
"""

import re

from django.utils import translation

CASES = ("nominative", "genitive", "dative", "accusative", "instrumental", "locative", "vocative")
MASCULINE, FEMININE = "m", "f"

# Ending of the nominative -> the ending in (genitive, dative, accusative, instrumental,
# locative, vocative). Longest ending first: "-ius" before "-us", "-oji" before "-i".
_NOUN_SINGULAR = [
    ("ias", ("io", "iui", "ią", "iu", "yje", "y")),  # kelias
    ("as", ("o", "ui", "ą", "u", "e", "e")),  # centras, fakultetas
    ("is", ("io", "iui", "į", "iu", "yje", "i")),  # Kęstutis, Petraitis
    ("ys", ("io", "iui", "į", "iu", "yje", "y")),  # Kazys
    ("ius", ("iaus", "iui", "ių", "iumi", "iuje", "iau")),  # Paulius, skyrius
    ("us", ("aus", "ui", "ų", "umi", "uje", "au")),  # muziejus, Stankus
    ("a", ("os", "ai", "ą", "a", "oje", "a")),  # Rūta, biblioteka
    ("ė", ("ės", "ei", "ę", "e", "ėje", "e")),  # Aistė, Petraitienė
]
_NOUN_PLURAL = [
    ("iai", ("ių", "iams", "ius", "iais", "iuose", "iai")),  # rūmai with a soft stem
    ("ai", ("ų", "ams", "us", "ais", "uose", "ai")),  # namai, specialistai
    ("os", ("ų", "oms", "as", "omis", "ose", "os")),  # bibliotekos
    ("ės", ("ių", "ėms", "es", "ėmis", "ėse", "ės")),  # savivaldybės
]
_ADJECTIVE_SINGULAR = [
    ("ioji", ("iosios", "iajai", "iąją", "iąja", "iojoje", "ioji")),  # didžioji
    ("oji", ("osios", "ajai", "ąją", "ąja", "ojoje", "oji")),  # viešoji
    ("iasis", ("iojo", "iajam", "iąjį", "iuoju", "iajame", "iasis")),
    ("asis", ("ojo", "ajam", "ąjį", "uoju", "ajame", "asis")),  # naujasis
    ("as", ("o", "am", "ą", "u", "ame", "as")),  # naujas
    ("is", ("io", "iam", "į", "iu", "iame", "is")),  # nacionalinis
    ("a", ("os", "ai", "ą", "a", "oje", "a")),  # nauja
    ("ė", ("ės", "ei", "ę", "e", "ėje", "e")),  # nacionalinė
]
_ADJECTIVE_PLURAL = [
    ("ieji", ("ųjų", "iesiems", "uosius", "aisiais", "uosiuose", "ieji")),  # viešieji
    ("osios", ("ųjų", "osioms", "ąsias", "osiomis", "osiose", "osios")),  # viešosios
    ("ios", ("ių", "ioms", "ias", "iomis", "iose", "ios")),
    ("os", ("ų", "oms", "as", "omis", "ose", "os")),
    ("i", ("ų", "iems", "us", "ais", "uose", "i")),  # nauji
]
ENDINGS = {
    ("noun", "singular"): _NOUN_SINGULAR,
    ("noun", "plural"): _NOUN_PLURAL,
    ("adjective", "singular"): _ADJECTIVE_SINGULAR,
    ("adjective", "plural"): _ADJECTIVE_PLURAL,
}
# Before -io, -iui, -iu, -ių a "t" is said "č" and a "d" "dž": Kęstutis -> Kęstučio.
_SOFTENED = {"t": "č", "d": "dž"}

# Personal names the rules would get wrong: gender and, where needed, forms of their own
# (genitive, dative, accusative, instrumental, locative, vocative).
NAME_EXCEPTIONS: dict[str, dict] = {
    "Jogaila": {"gender": MASCULINE},
    "Mykola": {"gender": MASCULINE},
    "Kosta": {"gender": MASCULINE},
    "Dievas": {
        "gender": MASCULINE,
        "forms": ("Dievo", "Dievui", "Dievą", "Dievu", "Dieve", "Dieve"),
    },
}
FEMININE_SURNAME_ENDINGS = ("ienė", "aitė", "ytė", "utė", "ūtė", "uvienė", "ė")
MASCULINE_ENDINGS = ("as", "is", "ys", "us")
FEMININE_ENDINGS = ("a", "ė")

# Counties: "Kauno apskritis" in the locative (where?) and the genitive.
COUNTY_FORMS: dict[str, dict[str, str]] = {
    code: {
        "nominative": f"{place} apskritis",
        "genitive": f"{place} apskrities",
        "dative": f"{place} apskričiai",
        "accusative": f"{place} apskritį",
        "instrumental": f"{place} apskritimi",
        "locative": f"{place} apskrityje",
    }
    for code, place in {
        "alytaus": "Alytaus",
        "kauno": "Kauno",
        "klaipedos": "Klaipėdos",
        "marijampoles": "Marijampolės",
        "panevezio": "Panevėžio",
        "siauliu": "Šiaulių",
        "taurages": "Tauragės",
        "telsiu": "Telšių",
        "utenos": "Utenos",
        "vilniaus": "Vilniaus",
    }.items()
}
COUNTY_LOCATIVES = {code: forms["locative"] for code, forms in COUNTY_FORMS.items()}

# Position categories (people.models.PositionCategory) and organisation types
# (organisations.models.OrganisationType): nominative singular and plural.
POSITION_CATEGORY_FORMS = {
    "head": ("įstaigos vadovas", "įstaigų vadovai"),
    "deputy": ("vadovo pavaduotojas", "vadovų pavaduotojai"),
    "manager": ("kultūros vadybininkas", "kultūros vadybininkai"),
    "specialist": ("specialistas", "specialistai"),
    "other": ("kitas darbuotojas", "kiti darbuotojai"),
}
ORGANISATION_TYPE_FORMS = {
    "library": ("biblioteka", "bibliotekos"),
    "museum": ("muziejus", "muziejai"),
    "culture_centre": ("kultūros centras", "kultūros centrai"),
    "university": ("universitetas", "universitetai"),
    "education_centre": ("švietimo centras", "švietimo centrai"),
    "training_provider": ("mokymo paslaugų teikėjas", "mokymo paslaugų teikėjai"),
    "funder": ("finansuotojas", "finansuotojai"),
    "other": ("kita įstaiga", "kitos įstaigos"),
}

# Legal forms written before a company's name; they are the head, and do not inflect.
LEGAL_FORMS = frozenset({"UAB", "AB", "VšĮ", "VŠĮ", "BĮ", "VĮ", "IĮ", "MB", "KŪB", "TŪB", "ŽŪB"})
# Plain adjectives whose plural looks like a genitive ("kitos įstaigos", "kultūros įstaigos").
KNOWN_ADJECTIVES = frozenset({"kita", "kitas", "kitos", "kiti", "nauja", "naujas"})

_QUOTED = re.compile(r"[„“\"«].*?[“”\"»]")
# Quoted names and remarks in parentheses at the end of a name, one after another.
_TRAILING = re.compile(r"(?:\s*(?:[„“\"«][^„“”\"«»]*[“”\"»]|\([^()]*\)))+\s*$")
_LETTERS = re.compile(r"^[A-Za-zÀ-ž]+$")


def is_lithuanian() -> bool:
    """Is the active language Lithuanian (the product's language)?"""
    return (translation.get_language() or "lt").split("-")[0] == "lt"


def _check_case(case: str) -> int:
    if case not in CASES:
        raise ValueError(f"Unknown case {case!r}: one of {', '.join(CASES)}")
    return CASES.index(case) - 1


def _soften(stem: str, ending: str) -> str:
    if len(ending) > 1 and ending.startswith("i") and stem[-1:] in _SOFTENED:
        return stem[:-1] + _SOFTENED[stem[-1]]
    return stem


def _ending_of(word: str, table) -> tuple[str, tuple] | None:
    lower = word.lower()
    for ending, forms in table:
        if lower.endswith(ending) and len(word) > len(ending) + 1:
            return ending, forms
    return None


def inflect_word(
    word: str, case: str, *, number: str = "singular", part: str = "noun", name: bool = False
) -> str:
    """One nominative word in `case`; a word with no known ending comes back as it is.

    `name=True` for personal names: masculine names in -as take -ai in the vocative
    ("Vytautas" -> "Vytautai") and the exceptions table is consulted."""
    index = _check_case(case)
    if "-" in word:
        parts = word.split("-")
        return "-".join(inflect_word(p, case, number=number, part=part, name=name) for p in parts)
    if index < 0 or not _LETTERS.match(word):
        return word
    if name and word in NAME_EXCEPTIONS and "forms" in NAME_EXCEPTIONS[word]:
        return NAME_EXCEPTIONS[word]["forms"][index]
    found = _ending_of(word, ENDINGS[(part, number)])
    if found is None:
        return word
    ending, forms = found
    replacement = forms[index]
    if name and case == "vocative" and ending == "as":
        replacement = "ai"
    stem = word[: -len(ending)]
    if ending in ("is", "ys") and replacement.startswith("i"):
        stem = _soften(stem, replacement)
    return stem + replacement


def inflect_name(full_name: str, case: str) -> str:
    """A person's name (first names, surnames, hyphenated) in `case`.

    "Rūta Petraitienė" -> "Rūtos Petraitienės" (genitive), "Rūta Petraitiene" (vocative);
    "Jonas" -> "Jonai"; initials and foreign names ("Marie") stay as they are."""
    return " ".join(
        "-".join(inflect_word(part, case, name=True) for part in word.split("-"))
        for word in full_name.split()
    )


def guess_gender(full_name: str) -> str | None:
    """MASCULINE, FEMININE or None (not sure: a foreign name, or first name and surname disagree).

    Lithuanian names say it by their ending: -as, -is, -ys, -us masculine; -a, -ė feminine
    (surnames -ienė, -aitė, -ytė, -utė, -ūtė, -uvienė); the exceptions table knows "Jogaila"."""
    guesses = set()
    for word in re.split(r"[\s-]+", full_name.strip()):
        if not word or word.endswith("."):
            continue
        if word in NAME_EXCEPTIONS:
            guesses.add(NAME_EXCEPTIONS[word]["gender"])
            continue
        lower = word.lower()
        if not _LETTERS.match(word) or len(word) < 3:
            guesses.add(None)
        elif lower.endswith(MASCULINE_ENDINGS):
            guesses.add(MASCULINE)
        elif lower.endswith(FEMININE_ENDINGS):
            guesses.add(FEMININE)
        else:
            guesses.add(None)
    return guesses.pop() if len(guesses) == 1 else None


def by_gender(full_name: str, masculine: str, feminine: str, hedged: str) -> str:
    """The word that agrees with the person: `hedged` ("užregistruotas (-a)") when unsure."""
    gender = guess_gender(full_name)
    if gender == MASCULINE:
        return masculine
    if gender == FEMININE:
        return feminine
    return hedged


def institution_gender(name: str) -> str | None:
    """The gender of an institution name's head: "muziejus" MASCULINE, "biblioteka" FEMININE;
    a legal form (VšĮ, UAB: įstaiga, bendrovė) FEMININE; None when the head says nothing."""
    words = _QUOTED.sub(" ", name).split()
    if not words:
        return None
    if words[0] in LEGAL_FORMS:
        return FEMININE
    head = words[-1].lower()
    if head.endswith(("ai", "iai")):
        return MASCULINE  # namai, rūmai
    if _is_abbreviation(words[-1]) or not _LETTERS.match(words[-1]):
        return None
    if head.endswith(MASCULINE_ENDINGS):
        return MASCULINE
    if head.endswith(FEMININE_ENDINGS):
        return FEMININE
    return None


# "užregistruotas (-a)", "pridėtas (-a)": a masculine participle with its feminine hedge.
_HEDGE = re.compile(r"\b(\w+?)as \(-a\)")


def agree(text: str, name: str, *, institution: bool = False) -> str:
    """Resolve the "(-a)" hedges of a translated message for the person (or institution) it
    names: "Jonas pridėtas (-a)." -> "Jonas pridėtas.", "Aistė ..." -> "Aistė pridėta.";
    kept when the gender is not sure (a foreign name, an e-mail address)."""
    gender = institution_gender(name) if institution else guess_gender(name)
    if gender == MASCULINE:
        return _HEDGE.sub(lambda m: f"{m.group(1)}as", text)
    if gender == FEMININE:
        return _HEDGE.sub(lambda m: f"{m.group(1)}a", text)
    return text


def _adjective_agrees(word: str, head: str, number: str) -> bool:
    """Is `word`, just before the head noun, an adjective in the nominative (inflected with it)
    rather than a genitive modifier ("viešoji biblioteka" yes, "miesto muziejus" no)?"""
    lower = word.lower()
    head_lower = head.lower()
    if lower in KNOWN_ADJECTIVES:
        return True
    if number == "plural":
        return lower.endswith(("ieji", "osios")) or (
            head_lower.endswith("ai") and lower.endswith("i")
        )
    if head_lower.endswith(("a", "ė")):
        return lower.endswith(("oji", "a", "ė"))
    return lower.endswith(("asis", "as", "is"))


def _is_abbreviation(word: str) -> bool:
    """ "VšĮ", "UAB", "BĮ", "LR": two or more capitals (and no vowel ending to inflect)."""
    return sum(1 for c in word if c.isupper()) >= 2 or word.endswith(".")


def inflect_phrase(phrase: str, case: str, *, number: str = "singular") -> str:
    """A noun phrase with its head at the end: the head noun and the nominative adjectives before
    it are inflected, genitive modifiers and quoted names kept.

    "Kauno miesto muziejus" -> "Kauno miesto muziejumi" (instrumental);
    "Utenos A. ir M. Miškinių viešoji biblioteka" -> "... viešąja biblioteka";
    "VšĮ „Sėkmės mokykla“" -> unchanged; "el. pašto adresas" -> "el. pašto adresą" (accusative).
    """
    _check_case(case)
    if case == "nominative" or not phrase.strip():
        return phrase
    if phrase.split()[0] in LEGAL_FORMS:
        return phrase  # "UAB Kvalis", "VšĮ „Sėkmės mokykla“": the head is the legal form
    # The head is the last word outside quotation marks and parentheses; what follows it
    # (a quoted name, a remark in parentheses) stays.
    trailing = _TRAILING.search(phrase)
    outside_end = trailing.start() if trailing else len(phrase)
    head_text, tail = phrase[:outside_end], phrase[outside_end:]
    words = head_text.rstrip().split(" ")
    trailing_space = head_text[len(head_text.rstrip()) :]
    if not words or not words[-1] or _is_abbreviation(words[-1]):
        return phrase
    head = words[-1]
    if not _LETTERS.match(head.replace("-", "")):
        return phrase  # "Biblioteka 3": no noun to inflect
    if number == "singular" and head.lower().endswith("ai"):
        number = "plural"  # a name whose head is plural: "Nõmme jaunimo namai"
    if _ending_of(head, ENDINGS[("noun", number)]) is None:
        return phrase
    words[-1] = inflect_word(head, case, number=number)
    position = len(words) - 2
    while position >= 0 and _adjective_agrees(words[position], head, number):
        words[position] = inflect_word(words[position], case, number=number, part="adjective")
        position -= 1
    return " ".join(words) + trailing_space + tail


_STORED_FIELDS = {
    "genitive": "name_genitive",
    "dative": "name_dative",
    "accusative": "name_accusative",
    "instrumental": "name_instrumental",
    "locative": "name_locative",
}


def organisation_case(organisation, case: str) -> str:
    """The organisation's name in `case`: its stored form when there is one, else the rules."""
    _check_case(case)
    field = _STORED_FIELDS.get(case)
    stored = getattr(organisation, field, "") if field else ""
    return stored or inflect_phrase(organisation.name, case)


def _category_form(forms: tuple[str, str], case: str, number: str) -> str:
    singular, plural = forms
    return inflect_phrase(singular if number == "singular" else plural, case, number=number)


def position_category_case(code: str, case: str, *, number: str = "singular") -> str:
    """ "specialist" -> "specialistams" (dative plural); an unknown code comes back as it is."""
    if code not in POSITION_CATEGORY_FORMS:
        return code
    return _category_form(POSITION_CATEGORY_FORMS[code], case, number)


def organisation_type_case(code: str, case: str, *, number: str = "singular") -> str:
    """ "museum" -> "muziejų" (genitive plural), "library" -> "bibliotekoms" (dative plural)."""
    if code not in ORGANISATION_TYPE_FORMS:
        return code
    return _category_form(ORGANISATION_TYPE_FORMS[code], case, number)


def county_case(code: str, case: str) -> str:
    """ "kauno" -> "Kauno apskrityje" (locative)."""
    forms = COUNTY_FORMS.get(code)
    if forms is None:
        return code
    return forms.get(case) or forms["nominative"]


def join_lt(items: list[str], last: str = "ir") -> str:
    """ "A, B ir C": a Lithuanian list."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"
