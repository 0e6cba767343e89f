"""The Lithuanian grammar layer: personal names, institution names and categories in every case."""

import pytest
from django.template import Context, Template
from django.utils import translation

from kvalis.lib import grammar
from kvalis.lib.grammar import (
    FEMININE,
    MASCULINE,
    by_gender,
    county_case,
    guess_gender,
    inflect_name,
    inflect_phrase,
    organisation_case,
    organisation_type_case,
    position_category_case,
)
from kvalis.organisations.geo import County
from kvalis.organisations.models import Organisation, OrganisationType
from kvalis.people.models import PositionCategory

CASES = ("genitive", "dative", "accusative", "instrumental", "locative", "vocative")

# name -> its genitive, dative, accusative, instrumental, locative and vocative.
NAMES = {
    "Vytautas": ("Vytauto", "Vytautui", "Vytautą", "Vytautu", "Vytaute", "Vytautai"),
    "Jonas": ("Jono", "Jonui", "Joną", "Jonu", "Jone", "Jonai"),
    "Gediminas": ("Gedimino", "Gediminui", "Gediminą", "Gediminu", "Gedimine", "Gediminai"),
    "Aistė": ("Aistės", "Aistei", "Aistę", "Aiste", "Aistėje", "Aiste"),
    "Rūta": ("Rūtos", "Rūtai", "Rūtą", "Rūta", "Rūtoje", "Rūta"),
    "Rūta Petraitienė": (
        "Rūtos Petraitienės",
        "Rūtai Petraitienei",
        "Rūtą Petraitienę",
        "Rūta Petraitiene",
        "Rūtoje Petraitienėje",
        "Rūta Petraitiene",
    ),
    "Kęstutis": ("Kęstučio", "Kęstučiui", "Kęstutį", "Kęstučiu", "Kęstutyje", "Kęstuti"),
    "Petraitis": ("Petraičio", "Petraičiui", "Petraitį", "Petraičiu", "Petraityje", "Petraiti"),
    "Kazys": ("Kazio", "Kaziui", "Kazį", "Kaziu", "Kazyje", "Kazy"),
    "Paulius": ("Pauliaus", "Pauliui", "Paulių", "Pauliumi", "Pauliuje", "Pauliau"),
    "Stankus": ("Stankaus", "Stankui", "Stankų", "Stankumi", "Stankuje", "Stankau"),
    "Kazlauskas": ("Kazlausko", "Kazlauskui", "Kazlauską", "Kazlausku", "Kazlauske", "Kazlauskai"),
    "Jonaitytė": ("Jonaitytės", "Jonaitytei", "Jonaitytę", "Jonaityte", "Jonaitytėje", "Jonaityte"),
    "Petraitytė": (
        "Petraitytės",
        "Petraitytei",
        "Petraitytę",
        "Petraityte",
        "Petraitytėje",
        "Petraityte",
    ),
    "Jurgaitė": ("Jurgaitės", "Jurgaitei", "Jurgaitę", "Jurgaite", "Jurgaitėje", "Jurgaite"),
    "Kazlauskienė": (
        "Kazlauskienės",
        "Kazlauskienei",
        "Kazlauskienę",
        "Kazlauskiene",
        "Kazlauskienėje",
        "Kazlauskiene",
    ),
    "Jonas-Petras": (
        "Jono-Petro",
        "Jonui-Petrui",
        "Joną-Petrą",
        "Jonu-Petru",
        "Jone-Petre",
        "Jonai-Petrai",
    ),
    "Jogaila": ("Jogailos", "Jogailai", "Jogailą", "Jogaila", "Jogailoje", "Jogaila"),
    "Marie Curie": ("Marie Curie",) * 6,
    "John": ("John",) * 6,
}


@pytest.mark.parametrize(("name", "forms"), NAMES.items())
def test_personal_names_in_every_case(name, forms):
    assert tuple(inflect_name(name, case) for case in CASES) == forms


def test_the_nominative_is_the_name_itself():
    assert inflect_name("Vytautas", "nominative") == "Vytautas"


def test_an_unknown_case_is_refused():
    with pytest.raises(ValueError):
        inflect_name("Jonas", "ablative")


@pytest.mark.parametrize(
    ("name", "gender"),
    [
        ("Vytautas", MASCULINE),
        ("Jonas Kazlauskas", MASCULINE),
        ("Gediminas", MASCULINE),
        ("Kazys Petraitis", MASCULINE),
        ("Paulius Stankus", MASCULINE),
        ("Aistė", FEMININE),
        ("Rūta Petraitienė", FEMININE),
        ("Eglė Jonaitytė", FEMININE),
        ("Ona Kazlauskaitė", FEMININE),
        ("Jogaila", MASCULINE),
        ("Marie Curie", None),  # foreign: not sure
        ("Jonas Petraitienė", None),  # first name and surname disagree
        ("", None),
    ],
)
def test_gender_is_guessed_only_where_sure(name, gender):
    assert guess_gender(name) == gender


def test_a_hedge_stays_where_the_gender_is_not_sure():
    args = ("užregistruotas", "užregistruota", "užregistruotas (-a)")
    assert by_gender("Jonas Jonaitis", *args) == "užregistruotas"
    assert by_gender("Aistė Jonaitytė", *args) == "užregistruota"
    assert by_gender("Kim Lee", *args) == "užregistruotas (-a)"


# Institution names: the head inflects, genitive modifiers and quoted names stay.
INSTITUTIONS = {
    "Kauno miesto muziejus": (
        "Kauno miesto muziejaus",
        "Kauno miesto muziejui",
        "Kauno miesto muziejų",
        "Kauno miesto muziejumi",
        "Kauno miesto muziejuje",
    ),
    "Utenos A. ir M. Miškinių viešoji biblioteka": (
        "Utenos A. ir M. Miškinių viešosios bibliotekos",
        "Utenos A. ir M. Miškinių viešajai bibliotekai",
        "Utenos A. ir M. Miškinių viešąją biblioteką",
        "Utenos A. ir M. Miškinių viešąja biblioteka",
        "Utenos A. ir M. Miškinių viešojoje bibliotekoje",
    ),
    "VšĮ „Sėkmės mokykla“": ("VšĮ „Sėkmės mokykla“",) * 5,
    "Utenos švietimo centras": (
        "Utenos švietimo centro",
        "Utenos švietimo centrui",
        "Utenos švietimo centrą",
        "Utenos švietimo centru",
        "Utenos švietimo centre",
    ),
    "Vilniaus universiteto Komunikacijos fakultetas": (
        "Vilniaus universiteto Komunikacijos fakulteto",
        "Vilniaus universiteto Komunikacijos fakultetui",
        "Vilniaus universiteto Komunikacijos fakultetą",
        "Vilniaus universiteto Komunikacijos fakultetu",
        "Vilniaus universiteto Komunikacijos fakultete",
    ),
    "Lietuvos nacionalinė biblioteka": (
        "Lietuvos nacionalinės bibliotekos",
        "Lietuvos nacionalinei bibliotekai",
        "Lietuvos nacionalinę biblioteką",
        "Lietuvos nacionaline biblioteka",
        "Lietuvos nacionalinėje bibliotekoje",
    ),
    "Ignalinos kultūros ir sporto centras": (
        "Ignalinos kultūros ir sporto centro",
        "Ignalinos kultūros ir sporto centrui",
        "Ignalinos kultūros ir sporto centrą",
        "Ignalinos kultūros ir sporto centru",
        "Ignalinos kultūros ir sporto centre",
    ),
    "Nõmme jaunimo namai": (
        "Nõmme jaunimo namų",
        "Nõmme jaunimo namams",
        "Nõmme jaunimo namus",
        "Nõmme jaunimo namais",
        "Nõmme jaunimo namuose",
    ),
    "Kultūros centras „Žaislas“": (
        "Kultūros centro „Žaislas“",
        "Kultūros centrui „Žaislas“",
        "Kultūros centrą „Žaislas“",
        "Kultūros centru „Žaislas“",
        "Kultūros centre „Žaislas“",
    ),
    "LR Kultūros ministerija": (
        "LR Kultūros ministerijos",
        "LR Kultūros ministerijai",
        "LR Kultūros ministeriją",
        "LR Kultūros ministerija",
        "LR Kultūros ministerijoje",
    ),
    "UAB Kvalis": ("UAB Kvalis",) * 5,  # the head is an abbreviation followed by a name
    "Keilos kultūros centras (iliustracinis)": (
        "Keilos kultūros centro (iliustracinis)",
        "Keilos kultūros centrui (iliustracinis)",
        "Keilos kultūros centrą (iliustracinis)",
        "Keilos kultūros centru (iliustracinis)",
        "Keilos kultūros centre (iliustracinis)",
    ),
    "Biblioteka 3": ("Biblioteka 3",) * 5,  # no noun at the end: left alone
    "„Sėkmės mokykla“": ("„Sėkmės mokykla“",) * 5,
}


@pytest.mark.parametrize(("name", "forms"), INSTITUTIONS.items())
def test_institution_names_inflect_their_head(name, forms):
    assert tuple(inflect_phrase(name, case) for case in CASES[:5]) == forms


def test_a_field_label_takes_the_accusative_too():
    assert inflect_phrase("el. pašto adresas", "accusative") == "el. pašto adresą"
    assert inflect_phrase("vardas", "accusative") == "vardą"
    assert inflect_phrase("pavardė", "accusative") == "pavardę"


def test_stored_case_forms_override_the_rules():
    organisation = Organisation(
        name="Kauno miesto muziejus", name_instrumental="Kauno miesto muziejumi (stored)"
    )
    assert organisation_case(organisation, "instrumental") == "Kauno miesto muziejumi (stored)"
    assert organisation_case(organisation, "genitive") == "Kauno miesto muziejaus"
    assert organisation_case(organisation, "nominative") == "Kauno miesto muziejus"


# Categories: (code, case, number) -> form.
CATEGORY_FORMS = [
    ("specialist", "nominative", "plural", "specialistai"),
    ("specialist", "dative", "plural", "specialistams"),
    ("specialist", "genitive", "singular", "specialisto"),
    ("specialist", "instrumental", "plural", "specialistais"),
    ("head", "dative", "plural", "įstaigų vadovams"),
    ("head", "genitive", "singular", "įstaigos vadovo"),
    ("deputy", "dative", "plural", "vadovų pavaduotojams"),
    ("manager", "dative", "plural", "kultūros vadybininkams"),
    ("manager", "accusative", "singular", "kultūros vadybininką"),
    ("other", "dative", "plural", "kitiems darbuotojams"),
    ("other", "genitive", "plural", "kitų darbuotojų"),
]
TYPE_FORMS = [
    ("museum", "genitive", "plural", "muziejų"),
    ("museum", "locative", "singular", "muziejuje"),
    ("library", "genitive", "plural", "bibliotekų"),
    ("library", "dative", "plural", "bibliotekoms"),
    ("library", "locative", "plural", "bibliotekose"),
    ("culture_centre", "genitive", "plural", "kultūros centrų"),
    ("culture_centre", "instrumental", "singular", "kultūros centru"),
    ("university", "genitive", "plural", "universitetų"),
    ("education_centre", "genitive", "plural", "švietimo centrų"),
    ("training_provider", "genitive", "plural", "mokymo paslaugų teikėjų"),
    ("funder", "genitive", "plural", "finansuotojų"),
    ("other", "genitive", "plural", "kitų įstaigų"),
    ("other", "dative", "plural", "kitoms įstaigoms"),
]


@pytest.mark.parametrize(("code", "case", "number", "form"), CATEGORY_FORMS)
def test_position_categories_in_case_and_number(code, case, number, form):
    assert position_category_case(code, case, number=number) == form


@pytest.mark.parametrize(("code", "case", "number", "form"), TYPE_FORMS)
def test_organisation_types_in_case_and_number(code, case, number, form):
    assert organisation_type_case(code, case, number=number) == form


def test_every_choice_has_its_forms():
    assert set(grammar.POSITION_CATEGORY_FORMS) == set(PositionCategory.values)
    assert set(grammar.ORGANISATION_TYPE_FORMS) == set(OrganisationType.values)
    assert set(grammar.COUNTY_FORMS) == set(County.values)


def test_county_locatives_are_data():
    assert county_case("kauno", "locative") == "Kauno apskrityje"
    assert county_case("utenos", "locative") == "Utenos apskrityje"
    assert county_case("siauliu", "genitive") == "Šiaulių apskrities"
    assert grammar.COUNTY_LOCATIVES["vilniaus"] == "Vilniaus apskrityje"


def _render(source: str, **context) -> str:
    return Template("{% load grammar %}" + source).render(Context(context))


def test_template_filters_in_lithuanian():
    organisation = Organisation(name="Kauno miesto muziejus")
    with translation.override("lt"):
        assert _render("{{ n|vocative }}", n="Vytautas") == "Vytautai"
        assert _render('{{ n|name_case:"genitive" }}', n="Rūta Petraitienė") == (
            "Rūtos Petraitienės"
        )
        assert _render('{{ o|case:"instrumental" }}', o=organisation) == "Kauno miesto muziejumi"
        assert _render('{{ o|case:"locative" }}', o="Utenos švietimo centras") == (
            "Utenos švietimo centre"
        )


def test_template_filters_leave_english_alone():
    organisation = Organisation(name="Kauno miesto muziejus")
    with translation.override("en"):
        assert _render("{{ n|vocative }}", n="Vytautas") == "Vytautas"
        assert _render('{{ o|case:"instrumental" }}', o=organisation) == "Kauno miesto muziejus"
