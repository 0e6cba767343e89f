"""One set of rules for a person's data (`kvalis.people.rules`): each bad value gets its own
precise Lithuanian message, and the public application form and the person form refuse the same
input with the same message and change nothing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from kvalis.enrolment.models import Enrolment
from kvalis.people import rules
from kvalis.people.models import Person
from kvalis.people.services import person_create, person_update
from tests.factories import CohortFactory, PersonFactory, SessionFactory


@pytest.fixture(autouse=True)
def lithuanian():
    with translation.override("lt"):
        yield


def message(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.code, " ".join(caught.value.messages)


# --- names ---------------------------------------------------------------------------------------


def test_a_no_break_space_in_a_name_becomes_a_space_and_the_ends_are_stripped():
    assert rules.clean_name("\u00a0Ona\u00a0\u00a0Marija\u2009", field="first_name") == "Ona Marija"
    assert rules.clean_name("Žemaitė-\u00a0Šimkienė", field="last_name") == "Žemaitė- Šimkienė"


def test_a_name_of_no_break_spaces_only_is_missing():
    assert message(rules.clean_name, "\u00a0 \u00a0", field="first_name") == (
        "required",
        "Trūksta lauko „Vardas“.",
    )


def test_a_formula_as_a_name_is_refused_with_the_sign_named():
    assert message(rules.clean_name, '=HYPERLINK("x")', field="first_name") == (
        "formula",
        "Laukas „Vardas“ negali prasidėti simboliu „=“: skaičiuoklė jį palaikytų formule. "
        "Įrašykite be šio ženklo.",
    )


@pytest.mark.parametrize("sign", ["+", "-", "@"])
def test_a_name_starting_like_a_formula_is_refused(sign):
    code, text = message(rules.clean_name, f"{sign}Jonaitis", field="last_name")
    assert code == "formula"
    assert text.startswith(f"Laukas „Pavardė“ negali prasidėti simboliu „{sign}“")


def test_a_tab_or_carriage_return_before_a_formula_does_not_hide_it():
    code, text = message(rules.clean_name, "\t\r=1+1", field="first_name")
    assert code == "formula" and "„=“" in text


def test_a_name_of_digits_only_is_refused():
    assert message(rules.clean_name, "12345", field="last_name") == (
        "no_letter",
        "Lauke „Pavardė“ turi būti bent viena raidė: „12345“ nėra vardas ar pavardė.",
    )


def test_an_invisible_character_in_a_name_is_named_by_its_code_point():
    assert message(rules.clean_name, "Jo\u200bnas", field="first_name") == (
        "invisible",
        "Lauke „Vardas“ yra nematomas arba valdymo simbolis (U+200B): įrašykite tekstą be jo.",
    )


def test_a_name_longer_than_the_model_allows_is_refused():
    assert message(rules.clean_name, "A" * 101, field="first_name") == (
        "too_long",
        "Laukas „Vardas“ ilgesnis nei 100 simbolių.",
    )


def test_real_names_pass_as_they_are():
    for name in ("Žemaitė", "Jonas-Petras", "O'Brien", "Ąžuolas Šimkus", "d'Artagnan"):
        assert rules.clean_name(name) == name


def test_other_short_text_is_normalised_and_guarded_but_may_be_empty():
    assert rules.clean_text(" vyr.\u00a0bibliotekininkė ", field="position") == (
        "vyr. bibliotekininkė"
    )
    assert rules.clean_text("", field="position") == ""
    assert message(rules.clean_text, "-specialistė", field="position")[1].startswith(
        "Laukas „Pareigos“ negali prasidėti simboliu „-“"
    )


# --- e-mail --------------------------------------------------------------------------------------


def test_an_email_is_kept_in_lower_case():
    assert rules.clean_email(" Ona.Petraite@Biblioteka.LT ") == "ona.petraite@biblioteka.lt"
    assert rules.clean_email("") == ""


def test_an_email_starting_like_a_formula_is_refused_although_it_is_a_valid_address():
    # "=…@…" and "+…@…" are valid addresses to the e-mail standard, but not in a spreadsheet.
    assert message(rules.clean_email, '=HYPERLINK("x")@example.lt')[1] == (
        "Laukas „El. paštas“ negali prasidėti simboliu „=“: skaičiuoklė jį palaikytų formule. "
        "Įrašykite be šio ženklo."
    )
    assert message(rules.clean_email, "+ona@example.lt")[0] == "formula"


def test_a_malformed_email_says_how_to_write_one():
    assert message(rules.clean_email, "ona@") == (
        "invalid_email",
        "„ona@“ nėra teisingas el. pašto adresas: rašykite, pvz., vardas@example.lt.",
    )


def test_a_required_email_must_be_given():
    assert message(rules.clean_email, " ", required=True)[1] == "Trūksta lauko „El. paštas“."


# --- phones --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "+37061200005",
        "+370 612 00005",
        "+370 (612) 00-005",
        "00370 612 00005",
        "370 612 00005",
        37061200005,  # an XLSX number cell: the "+" is gone
        37061200005.0,  # the same read as a float
        "8 612 00005",
        861200005,
        "8-612-00005",
        "612 00005",  # a mobile number without any prefix
        61200005.0,
        "+370 8 612 00005",  # the trunk 8 kept after the country code
        "'+37061200005",  # from Kvalis's own CSV export, guarded by an apostrophe
    ],
)
def test_lithuanian_numbers_in_every_habit_become_e164(value):
    assert rules.clean_phone(value) == "+37061200005"


def test_landlines_and_other_countries_are_kept_in_e164():
    assert rules.clean_phone("8 389 51234") == "+37038951234"  # Utena
    assert rules.clean_phone("(8 5) 212 3456") == "+37052123456"  # Vilnius
    assert rules.clean_phone("+44 20 7946 0958") == "+442079460958"
    assert rules.clean_phone("0048 22 123 45 67") == "+48221234567"


def test_no_phone_is_empty_unless_required():
    assert rules.clean_phone("") == ""
    assert rules.clean_phone(None) == ""
    assert message(rules.clean_phone, "", required=True)[1] == "Trūksta lauko „Telefonas“."


def test_letters_are_not_a_phone_number():
    assert message(rules.clean_phone, "abc") == (
        "invalid_phone",
        "„abc“ nėra telefono numeris: rašykite, pvz., +370 612 34567 arba 8 612 34567.",
    )
    assert message(rules.clean_phone, "tel. 8 612 00005")[0] == "invalid_phone"


def test_a_five_digit_phone_is_too_short():
    assert message(rules.clean_phone, "12345") == (
        "phone_too_short",
        "Telefono numeris „12345“ per trumpas: įrašykite visus skaitmenis, pvz., "
        "+370 612 34567 (Lietuvos numeryje po +370 yra 8 skaitmenys).",
    )


def test_a_digit_missing_after_the_trunk_prefix_is_too_short_not_another_number():
    assert message(rules.clean_phone, "8 612 0000")[0] == "phone_too_short"


def test_two_numbers_run_together_are_too_long():
    assert message(rules.clean_phone, "+370 612 00005 612")[1].startswith(
        "Telefono numeris „+370 612 00005 612“ per ilgas"
    )
    assert message(rules.clean_phone, "+1234567890123456")[0] == "phone_too_long"


# --- duplicates ----------------------------------------------------------------------------------


def test_case_differing_duplicates_have_one_key():
    assert rules.person_key("JONAS", "ČEPAS", "") == rules.person_key("jonas", "čepas", "")
    assert rules.person_key("Jonas\u00a0Petras", " Čepas ", "") == rules.person_key(
        "JONAS PETRAS", "čepas", ""
    )
    # A letter with a separate ogonek is the same letter.
    assert rules.person_key("Ąžuolas", "X", "") == rules.person_key("A\u0328žuolas", "x", "")
    assert rules.person_key("A", "B", "Ona@Example.LT") == rules.person_key(
        "kitas", "vardas", "ona@example.lt"
    )


def test_diacritics_make_different_people():
    assert rules.person_key("Jonas", "Šimkus", "") != rules.person_key("Jonas", "Simkus", "")


# --- services ------------------------------------------------------------------------------------


def test_person_create_normalises_and_refuses_with_an_error_per_field(world):
    person = person_create(
        actor=world.alice,
        first_name="Ona\u00a0Marija",
        last_name="Petraitė",
        organisation=world.lead,
        email="Ona.Petraite@Example.LT",
        phone="8 612 00005",
        position="vyr.  bibliotekininkė",
    )
    assert (person.first_name, person.email, person.phone, person.position) == (
        "Ona Marija",
        "ona.petraite@example.lt",
        "+37061200005",
        "vyr. bibliotekininkė",
    )
    before = Person.objects.count()
    with pytest.raises(ValidationError) as caught:
        person_create(
            actor=world.alice,
            first_name='=HYPERLINK("x")',
            last_name="Petraitė",
            organisation=world.lead,
            phone="abc",
        )
    assert set(caught.value.message_dict) == {"first_name", "phone"}
    assert Person.objects.count() == before


def test_person_update_leaves_an_old_unreadable_phone_until_it_is_changed(world):
    person = PersonFactory(organisation=world.lead, phone="skambinti per sekretorę")
    person_update(actor=world.alice, person=person, position="direktorė")
    person.refresh_from_db()
    assert person.phone == "skambinti per sekretorę" and person.position == "direktorė"
    with pytest.raises(ValidationError) as caught:
        person_update(actor=world.alice, person=person, phone="abc")
    assert caught.value.message_dict["phone"][0].startswith("„abc“ nėra telefono numeris")
    person_update(actor=world.alice, person=person, phone="8 612 00005")
    person.refresh_from_db()
    assert person.phone == "+37061200005"


# --- the two forms -------------------------------------------------------------------------------


@pytest.fixture
def open_cohort(world):
    start = date.today() + timedelta(days=30)
    cohort = CohortFactory(activity=world.activity, start_date=start, end_date=start, capacity=5)
    SessionFactory(cohort=cohort)
    return cohort


def _apply(client, cohort, organisation, **fields):
    data = {
        "first_name": "Aistė",
        "last_name": "Žukauskaitė",
        "email": "aiste@example.lt",
        "phone": "",
        "organisation": organisation.pk,
        "position": "bibliotekininkė",
        "position_category": "specialist",
        "consent": "on",
        **fields,
    }
    return client.post(reverse("enrolment:apply", args=[cohort.public_id]), data)


def _add_person(client, world, **fields):
    data = {
        "first_name": "Aistė",
        "last_name": "Žukauskaitė",
        "email": "aiste@example.lt",
        "phone": "",
        "organisation": world.lead.pk,
        "position": "bibliotekininkė",
        "position_category": "specialist",
        **fields,
    }
    client.force_login(world.alice)
    return client.post(reverse("people:add", args=[world.project.code]), data)


def _field_errors(response, name: str) -> list[str]:
    assert response.status_code == 200
    return [str(e) for e in response.context["form"].errors.get(name, [])]


BAD_INPUT = [
    ("first_name", '=HYPERLINK("x")'),
    ("last_name", "12345"),
    ("first_name", "Jo\u200bnas"),
    ("email", '=HYPERLINK("x")@example.lt'),
    ("email", "ona@"),
    ("phone", "abc"),
    ("phone", "12345"),
    ("position", "-specialistė"),
]


@pytest.mark.parametrize("field, value", BAD_INPUT)
def test_the_application_form_and_the_person_form_refuse_alike_and_change_nothing(
    client, world, open_cohort, field, value
):
    people, enrolments = Person.objects.count(), Enrolment.objects.count()
    applied = _field_errors(_apply(client, open_cohort, world.lead, **{field: value}), field)
    added = _field_errors(_add_person(client, world, **{field: value}), field)
    assert applied and applied == added
    assert (Person.objects.count(), Enrolment.objects.count()) == (people, enrolments)


def test_both_forms_store_what_the_rules_give(client, world, open_cohort):
    _apply(
        client,
        open_cohort,
        world.lead,
        first_name="Aistė\u00a0Marija",
        email="Aiste@Example.LT",
        phone="8 612 00005",
    )
    applicant = Person.objects.get(email="aiste@example.lt")
    assert (applicant.first_name, applicant.phone) == ("Aistė Marija", "+37061200005")
    _add_person(client, world, email="kita@example.lt", phone="37061200006", first_name="Ona ")
    added = Person.objects.get(email="kita@example.lt")
    assert (added.first_name, added.phone) == ("Ona", "+37061200006")


def test_the_application_service_holds_the_rule_without_the_form(world, open_cohort):
    from kvalis.enrolment import services

    people = Person.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.application_create(
            cohort=open_cohort,
            first_name='=HYPERLINK("x")',
            last_name="Žukauskaitė",
            email="aiste@example.lt",
            phone="abc",
            organisation=world.lead,
            position="bibliotekininkė",
            position_category="specialist",
            consent=True,
        )
    assert caught.value.message_dict["first_name"][0].startswith(
        "Laukas „Vardas“ negali prasidėti simboliu „=“"
    )
    assert caught.value.message_dict["phone"][0].startswith("„abc“ nėra telefono numeris")
    assert Person.objects.count() == people


def test_the_data_migration_normalises_stored_phones_it_can_read(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("kvalis.people.migrations.0005_normalise_phones")
    readable = PersonFactory(phone="8 612 00005")
    foreign = PersonFactory(phone="+44 20 7946 0958")
    unreadable = PersonFactory(phone="skambinti per sekretorę")
    none = PersonFactory(phone="")
    migration.normalise_phones(apps, None)
    phones = {p.pk: p.phone for p in Person.objects.all()}
    assert phones[readable.pk] == "+37061200005"
    assert phones[foreign.pk] == "+442079460958"
    assert phones[unreadable.pk] == "skambinti per sekretorę"
    assert phones[none.pk] == ""
