"""Every e-mail and message that puts a name or a category into a Lithuanian sentence, rendered
with real names and checked against the grammar layer's forms (`kvalis.lib.grammar`).

The registry below is the list: `MAILS` (e-mails that greet their reader by name), and one test
per message that takes a person, an institution, a position category, an organisation type or a
county. A new e-mail template that greets is found by `test_every_greeting_template_is_listed`;
a new message with a name in a case slot belongs here too.
"""

from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from kvalis.accounts.forms import EmailAuthenticationForm
from kvalis.accounts.models import User
from kvalis.enrolment.rules import audience_summary, ineligibility_reasons
from kvalis.lib import grammar
from kvalis.lib.grammar import agree, inflect_name, organisation_case
from kvalis.lib.mail import render_mail
from kvalis.organisations.geo import County
from kvalis.organisations.models import Organisation, OrganisationType
from kvalis.people.models import PositionCategory
from kvalis.projects.models import Activity, Partner
from kvalis.reports.summary import partners_instrumental

SRC = Path(__file__).resolve().parent.parent / "src" / "kvalis"

NAMES = ["Vytautas", "Aistė", "Rūta Petraitienė", "Jonas", "Gediminas"]
VOCATIVES = {
    "Vytautas": "Vytautai",
    "Aistė": "Aiste",
    "Rūta Petraitienė": "Rūta Petraitiene",
    "Jonas": "Jonai",
    "Gediminas": "Gediminai",
}
GENDERS = {
    "Vytautas": "m",
    "Aistė": "f",
    "Rūta Petraitienė": "f",
    "Jonas": "m",
    "Gediminas": "m",
}
INSTITUTIONS = [
    "Kauno miesto muziejus",
    "Utenos A. ir M. Miškinių viešoji biblioteka",
    "VšĮ „Sėkmės mokykla“",
]
INSTRUMENTALS = {
    "Kauno miesto muziejus": "Kauno miesto muziejumi",
    "Utenos A. ir M. Miškinių viešoji biblioteka": "Utenos A. ir M. Miškinių viešąja biblioteka",
    "VšĮ „Sėkmės mokykla“": "VšĮ „Sėkmės mokykla“",
}

# E-mails that greet their reader: "Sveiki, Vytautai," (`{% greeting first_name %}`).
MAILS = [
    "enrolment/emails/please_confirm",
    "enrolment/emails/confirmed",
    "enrolment/emails/waiting",
    "enrolment/emails/promoted",
    "enrolment/emails/reminder",
    "enrolment/emails/cancelled",
    "enrolment/emails/applied",
    "enrolment/emails/rejected",
    "enrolment/emails/already_applied",
    "certificates/emails/issued",
    "surveys/emails/invitation",
    "surveys/emails/reminder",
    "accounts/emails/invitation",
    "accounts/emails/email_change_confirm",
    "accounts/emails/email_change_notice",
    "accounts/emails/second_factor_reset",
    "projects/emails/partnership_invitation",
    "projects/emails/trainer_invitation",
    "projects/emails/trainer_added",
    "enrolment/emails/cohort_message",
    "organisations/emails/coordinator_invitation",
    "organisations/emails/join_received",
    "organisations/emails/join_approved",
    "organisations/emails/join_rejected",
]
# Django's password reset mail, greeting `user.first_name`.
PASSWORD_RESET = "registration/password_reset_email"
# E-mails of work in progress that still greet without a name ("Hello," -> "Sveiki,"), until
# they pass `first_name` and use `{% greeting first_name %}` too. None at present.
GREETING_WITHOUT_A_NAME: set[str] = set()


def _mail_name(path: Path) -> str:
    """ "…/enrolment/templates/enrolment/emails/confirmed.txt" -> "enrolment/emails/confirmed"."""
    parts = path.with_suffix("").parts
    return "/".join(parts[parts.index("templates") + 1 :])


def test_every_greeting_template_is_listed():
    """Each e-mail template that greets is in the registry, and none greets in the nominative
    (`{% blocktranslate %}Hello, {{ name }},` wrote "Sveiki, Vytautas,")."""
    found = set()
    for path in SRC.rglob("templates/**/*"):
        if path.suffix not in (".txt", ".html") or path.name.endswith("_subject.txt"):
            continue
        source = path.read_text(encoding="utf-8")
        assert "Hello, {{" not in source, f"{path}: greet with {{% greeting first_name %}}"
        if "{% greeting" in source or 'extends "enrolment/emails/base.html"' in source:
            found.add(_mail_name(path))
        elif "Hello," in source:
            assert _mail_name(path) in GREETING_WITHOUT_A_NAME, path
    found.discard("enrolment/emails/base")
    assert found == set(MAILS) | {PASSWORD_RESET}


def _context(first_name: str) -> dict:
    return {
        "first_name": first_name,
        "name": first_name,
        "user": User(email="x@example.lt", first_name=first_name),
        "uid": "MQ",
        "token": "abc-123",
        "protocol": "https",
        "domain": "kvalis.example.lt",
    }


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0]


@pytest.mark.parametrize("mail", [*MAILS, PASSWORD_RESET])
@pytest.mark.parametrize("name", NAMES)
def test_greetings_use_the_vocative(mail, name):
    if mail == PASSWORD_RESET:
        with translation.override("lt"):
            from django.template.loader import render_to_string

            text = render_to_string(f"{mail}.txt", _context(name))
            html = render_to_string(f"{mail}.html", _context(name))
    else:
        _subject, text, html = render_mail(template=mail, context=_context(name), language="lt")
    expected = f"Sveiki, {VOCATIVES[name]},"
    assert inflect_name(name, "vocative") == VOCATIVES[name]
    assert _first_line(text) == expected
    assert f"<p>{expected}</p>" in html


@pytest.mark.parametrize("mail", MAILS[:3])
def test_without_a_name_the_greeting_is_neutral(mail):
    _subject, text, html = render_mail(template=mail, context=_context(""), language="lt")
    assert _first_line(text) == "Laba diena,"
    assert "<p>Laba diena,</p>" in html


def test_english_greetings_keep_the_name():
    _subject, text, _html = render_mail(
        template=MAILS[0], context=_context("Vytautas"), language="en"
    )
    assert _first_line(text) == "Hello, Vytautas,"


# --- Messages that take a category ----------------------------------------------------------


def _organisation(name: str, **fields) -> Organisation:
    return Organisation(name=name, type=fields.pop("type", "culture_centre"), **fields)


@pytest.mark.parametrize("category", PositionCategory.values)
def test_audience_of_position_categories_is_in_the_dative(category):
    other = "other" if category != "other" else "head"
    activity = Activity(audience_position_categories=[category])
    with translation.override("lt"):
        (reason,) = ineligibility_reasons(activity, position_category=other, organisation=None)
    dative = grammar.position_category_case(category, "dative", number="plural")
    assert reason.startswith(f"Ši veikla skirta {dative}. Jūsų pareigų kategorija (")


@pytest.mark.parametrize("kind", [t for t in OrganisationType.values if t != "culture_centre"])
@pytest.mark.parametrize("institution", INSTITUTIONS)
def test_audience_of_organisation_types_is_in_the_genitive(kind, institution):
    activity = Activity(audience_organisation_types=[kind])
    with translation.override("lt"):
        (reason,) = ineligibility_reasons(
            activity, position_category="head", organisation=_organisation(institution)
        )
    genitive = grammar.organisation_type_case(kind, "genitive", number="plural")
    assert reason == (
        f"Ši veikla skirta {genitive} darbuotojams. {institution} yra kito tipo įstaiga "
        "(kultūros centras)."
    )


@pytest.mark.parametrize("county", [c for c in County.values if c != "kauno"])
@pytest.mark.parametrize("institution", INSTITUTIONS)
def test_audience_of_counties_is_in_the_locative(county, institution):
    activity = Activity(audience_counties=[county])
    organisation = _organisation(institution, municipality="kauno-m")
    with translation.override("lt"):
        (reason,) = ineligibility_reasons(
            activity, position_category="head", organisation=organisation
        )
    locative = grammar.county_case(county, "locative")
    assert locative.endswith("apskrityje")
    assert reason == (
        f"Ši veikla skirta įstaigoms, esančioms {locative}. {institution} yra kitoje apskrityje."
    )


def test_the_catalogue_line_lists_the_audience_in_the_plural_nominative():
    activity = Activity(
        audience_position_categories=["head", "specialist"],
        audience_organisation_types=["museum", "library"],
        audience_counties=["utenos"],
    )
    with translation.override("lt"):
        line = str(audience_summary(activity))
    assert line == "įstaigų vadovai, specialistai; muziejai, bibliotekos; Utenos apskritis"


# --- Messages and texts that take an institution --------------------------------------------


def test_partners_after_su_partneriais_are_instrumentals():
    partners = [Partner(organisation=_organisation(name), role="academic") for name in INSTITUTIONS]
    text = partners_instrumental(partners)
    assert text == (
        "Kauno miesto muziejumi, Utenos A. ir M. Miškinių viešąja biblioteka bei "
        "VšĮ „Sėkmės mokykla“"
    )
    for name in INSTITUTIONS:
        assert organisation_case(_organisation(name), "instrumental") == INSTRUMENTALS[name]


# --- Messages that take a person: "(-a)" hedges resolved by the name -------------------------

HEDGED = [
    ("%(name)s is added.", "name", "pridėtas", "pridėta"),
    ("%(name)s moved: %(status)s.", "name", "perkeltas", "perkelta"),
    ("%(person)s was selected.", "person", "atrinktas", "atrinkta"),
    ("%(person)s is already selected.", "person", "atrinktas", "atrinkta"),
]


@pytest.mark.parametrize(("message", "key", "masculine", "feminine"), HEDGED)
@pytest.mark.parametrize("name", NAMES)
def test_hedges_agree_with_the_person(message, key, masculine, feminine, name):
    with translation.override("lt"):
        text = agree(_(message) % {key: name, "status": "patvirtinta"}, name)
    assert "(-a)" not in text
    word = masculine if GENDERS[name] == "m" else feminine
    assert f"{name} {'jau ' if 'already' in message else ''}{word}" in text


def test_a_hedge_stays_for_a_foreign_name_and_institutions_agree_with_their_head():
    with translation.override("lt"):
        added = _("%(name)s is added.")
        assert agree(added % {"name": "Kim Lee"}, "Kim Lee") == "Kim Lee pridėtas (-a)."
        for name, word in zip(INSTITUTIONS, ("pridėtas", "pridėta", "pridėta"), strict=True):
            assert agree(added % {"name": name}, name, institution=True) == f"{name} {word}."


@pytest.mark.parametrize(
    "message",
    [
        "Professional development record of %(name)s",
        "Outcomes of the visit to %(name)s",
        "Take the role of %(user)s away?",
    ],
)
@pytest.mark.parametrize("name", [*NAMES, *INSTITUTIONS])
def test_a_name_in_a_case_slot_is_set_apart_instead(message, name):
    """A name the sentence would need in the genitive or accusative follows a colon or stands
    in parentheses, where the nominative is right."""
    with translation.override("lt"):
        text = _(message) % {"name": name, "user": name}
    assert f": {name}" in text or f"({name})" in text


# --- Field names in Django's messages --------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_in_error_says_the_address_in_the_accusative(rf):
    with translation.override("lt"):
        form = EmailAuthenticationForm(
            rf.post("/"), data={"username": "nera@example.lt", "password": "neteisingas"}
        )
        assert not form.is_valid()
        message = " ".join(form.non_field_errors())
    assert message.startswith("Įveskite teisingą el. pašto adresą ir slaptažodį.")
    assert "adresas" not in message


@pytest.mark.parametrize(
    ("password", "accusative"),
    [
        ("vytautas.kazlauskas", "el. pašto adresą"),
        ("Vytautas1", "vardą"),
        ("Kazlauskas", "pavardę"),
    ],
)
def test_the_password_similarity_message_takes_the_accusative(password, accusative):
    user = User(
        email="vytautas.kazlauskas@example.lt", first_name="Vytautas", last_name="Kazlauskas"
    )
    with translation.override("lt"), pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    assert f"Slaptažodis pernelyg panašus į {accusative}." in caught.value.messages
