"""The generated summary follows the project's state: every sentence checked, for a planned, a
running and a finished project (tense, cases, agreement, money, figures only from the data).

The institutions have no stored case forms here: the grammar layer's rules inflect them.
"""

import re
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kvalis.reports.summary import (
    FINISHED,
    PLANNED,
    RUNNING,
    SENTENCES,
    STATES,
    generate_summary,
    project_state,
    workers_accusative,
)
from tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    HostVisitFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
    ProjectFactory,
    SessionFactory,
    StudyVisitFactory,
    TravellerFactory,
    VenueFactory,
)

VILNIUS = ZoneInfo("Europe/Vilnius")
BEFORE = date(2026, 12, 1)  # the project starts on 2027-01-04
DURING = date(2027, 3, 1)  # the first module held, the second not yet
AFTER = date(2027, 7, 15)  # everything held

LEAD = "Utenos A. ir M. Miškinių viešoji biblioteka"
TITLE = "Kultūros darbuotojų kvalifikacijos tobulinimas"
PARTNERS = "Kauno miesto muziejumi, VšĮ „Sėkmės mokykla“ bei Molėtų viešąja biblioteka"
FIRST_AUDIENCE = "kultūros centrų specialistai"
SECOND_AUDIENCE = "kultūros įstaigų vadovai"
FIRST_OUTCOMES = "Mokymosi rezultatai: gebės burti jaunimo komandas."
SECOND_OUTCOMES = "Mokymosi rezultatai: parengs projekto biudžetą."


@pytest.fixture
def project(db):
    lead = OrganisationFactory(name=LEAD, municipality="utenos-r")
    funder = OrganisationFactory(name="LR Kultūros ministerija", type="funder")
    project = ProjectFactory(
        title=TITLE,
        lead=lead,
        funder=funder,
        funding_programme="Kultūros specialistų kvalifikacijos tobulinimo programa",
        grant_amount=Decimal("18500.00"),
        currency="EUR",
        start_date=date(2027, 1, 4),
        end_date=date(2027, 6, 30),
        planned_participants=21,
    )
    PartnerFactory(project=project, organisation=lead, role="lead")
    PartnerFactory(
        project=project,
        organisation=OrganisationFactory(name="Kauno miesto muziejus", type="museum"),
        role="academic",
    )
    PartnerFactory(
        project=project,
        organisation=OrganisationFactory(name="VšĮ „Sėkmės mokykla“", type="training_provider"),
        role="training_provider",
    )
    PartnerFactory(
        project=project,
        organisation=OrganisationFactory(
            name="Molėtų rajono savivaldybės viešoji biblioteka", municipality="moletu-r"
        ),
        role="sending",
    )
    venue = VenueFactory(project=project, organisation=lead)
    first = ActivityFactory(
        project=project,
        title="Jaunimo erdvės",
        audience_description="Kultūros centrų specialistai",
        learning_outcomes="Gebės burti jaunimo komandas",
        position=1,
    )
    second = ActivityFactory(
        project=project,
        title="Projektų valdymas",
        audience_description="Kultūros įstaigų vadovai.",
        learning_outcomes="Parengs projekto biudžetą.",
        position=2,
    )
    project.first_session = SessionFactory(
        cohort=CohortFactory(
            activity=first, venue=venue, start_date=date(2027, 2, 1), end_date=date(2027, 2, 1)
        )
    )
    project.second_session = SessionFactory(
        cohort=CohortFactory(
            activity=second, venue=venue, start_date=date(2027, 5, 3), end_date=date(2027, 5, 3)
        )
    )
    visit_activity = ActivityFactory(
        project=project,
        kind="study_visit",
        title="Pažintinė išvyka į Taliną",
        learning_outcomes="Susipažinti su jaunimo centrais",
        position=3,
    )
    visit = StudyVisitFactory(
        project=project,
        activity=visit_activity,
        cohort=CohortFactory(
            activity=visit_activity, start_date=date(2027, 6, 7), end_date=date(2027, 6, 9)
        ),
        start_date=date(2027, 6, 7),
        end_date=date(2027, 6, 9),
    )
    for host in ("Keilos kultūros centras", "Nõmme jaunimo namai"):
        HostVisitFactory(
            visit=visit,
            organisation_name=host,
            starts_at=datetime.combine(date(2027, 6, 8), time(10), tzinfo=VILNIUS),
        )
    for _index in range(2):
        TravellerFactory(visit=visit)
    return project


def _attend(session, count: int, municipality: str = "utenos-r") -> None:
    for _index in range(count):
        person = PersonFactory(organisation=OrganisationFactory(municipality=municipality))
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=person, cohort=session.cohort), session=session
        )


def _paragraphs(project, today):
    summary = generate_summary(project, today=today)
    return summary, summary.text.split("\n\n")


def test_every_sentence_has_a_template_for_every_state():
    for key, templates in SENTENCES.items():
        assert set(templates) == set(STATES), key


def test_the_state_follows_the_dates_and_the_sessions_held(project):
    assert project_state(project, sessions_held=0, today=BEFORE) == PLANNED
    assert project_state(project, sessions_held=1, today=BEFORE) == RUNNING  # held early
    assert project_state(project, sessions_held=0, today=DURING) == RUNNING
    assert project_state(project, sessions_held=0, today=AFTER) == FINISHED


def test_a_planned_project_is_told_in_the_future_and_claims_nothing_held(project):
    summary, paragraphs = _paragraphs(project, BEFORE)
    assert summary.state == PLANNED
    assert (
        summary.title == f"{LEAD} įgyvendins kultūros darbuotojų kvalifikacijos tobulinimo projektą"
    )
    assert paragraphs == [
        f"{LEAD}, kartu su partneriais: {PARTNERS}, įgyvendins projektą „{TITLE}“.",
        "Projektą finansuoja LR Kultūros ministerijos Kultūros specialistų kvalifikacijos "
        "tobulinimo programa, skyrusi 18 500,00 €. Įgyvendinant projektą, Utenos A. ir M. "
        "Miškinių viešojoje bibliotekoje vyks dviejų modulių mokymai.",
        f"Numatyti mokymai „Jaunimo erdvės“, tikslinė auditorija – {FIRST_AUDIENCE}. "
        + FIRST_OUTCOMES,
        f"Numatyti mokymai „Projektų valdymas“, tikslinė auditorija – {SECOND_AUDIENCE}. "
        + SECOND_OUTCOMES,
        "Numatyta apmokyti 21 darbuotoją.",
        "Baigiamasis projekto etapas – pažintinė išvyka į Taliną. Tikslas – susipažinti su "
        "jaunimo centrais. Išvykos metu numatyta aplankyti 2 įstaigas: Keilos kultūros centras "
        "ir Nõmme jaunimo namai. Į išvyką atrinkti 2 darbuotojai.",
    ]
    assert not re.search(r"\b(dalyvavo|vyko|apmokyta|apmokytas|surengta)\b", summary.text)
    assert "Iki šiol" not in summary.text


def test_a_running_project_says_what_was_held_so_far(project):
    _attend(project.first_session, 2)
    summary, paragraphs = _paragraphs(project, DURING)
    assert summary.state == RUNNING
    assert (
        summary.title == f"{LEAD} įgyvendina kultūros darbuotojų kvalifikacijos tobulinimo projektą"
    )
    assert paragraphs == [
        f"{LEAD}, kartu su partneriais: {PARTNERS}, įgyvendina projektą „{TITLE}“.",
        "Projektą finansuoja LR Kultūros ministerijos Kultūros specialistų kvalifikacijos "
        "tobulinimo programa, skyrusi 18 500,00 €. Įgyvendinant projektą, Utenos A. ir M. "
        "Miškinių viešojoje bibliotekoje vyksta dviejų modulių mokymai.",
        f"Mokymuose „Jaunimo erdvės“ iki šiol dalyvavo 2 darbuotojai – {FIRST_AUDIENCE}. "
        + FIRST_OUTCOMES,
        # No attendance yet: the module is not said to have been attended.
        f"Numatyti mokymai „Projektų valdymas“, tikslinė auditorija – {SECOND_AUDIENCE}. "
        + SECOND_OUTCOMES,
        "Iš viso numatyta apmokyti 21 darbuotoją. Iki šiol apmokyti 2 darbuotojai. Iki šiol "
        "surengta mokymų: 8 ak. val. Mokymuose dalyvavo Utenos r. sav. kultūros darbuotojai.",
        "Baigiamasis projekto etapas – pažintinė išvyka į Taliną. Tikslas – susipažinti su "
        "jaunimo centrais. Išvykos metu numatyta aplankyti 2 įstaigas: Keilos kultūros centras "
        "ir Nõmme jaunimo namai. Į išvyką atrinkti 2 darbuotojai.",
    ]


def test_a_finished_project_is_told_in_the_past_with_its_figures(project):
    _attend(project.first_session, 20)
    _attend(project.second_session, 1, municipality="moletu-r")
    summary, paragraphs = _paragraphs(project, AFTER)
    assert summary.state == FINISHED
    assert (
        summary.title == f"{LEAD} įgyvendino kultūros darbuotojų kvalifikacijos tobulinimo projektą"
    )
    assert paragraphs == [
        f"{LEAD}, kartu su partneriais: {PARTNERS}, įgyvendino projektą „{TITLE}“.",
        "Projektą finansavo LR Kultūros ministerijos Kultūros specialistų kvalifikacijos "
        "tobulinimo programa, skyrusi 18 500,00 €. Įgyvendinant projektą, Utenos A. ir M. "
        "Miškinių viešojoje bibliotekoje vyko dviejų modulių mokymai.",
        f"Mokymuose „Jaunimo erdvės“ dalyvavo 20 darbuotojų – {FIRST_AUDIENCE}. " + FIRST_OUTCOMES,
        f"Mokymuose „Projektų valdymas“ dalyvavo 1 darbuotojas – {SECOND_AUDIENCE}. "
        + SECOND_OUTCOMES,
        "Projekto vykdymo metu apmokytas 21 darbuotojas. Iš viso surengta mokymų: 16 ak. val. "
        "Mokymuose dalyvavo šių savivaldybių kultūros darbuotojai: Molėtų r. sav. ir Utenos r. "
        "sav.",
        "Baigiamasis projekto etapas – pažintinė išvyka į Taliną. Tikslas – susipažinti su "
        "jaunimo centrais. Išvykos metu aplankytos 2 įstaigos: Keilos kultūros centras ir Nõmme "
        "jaunimo namai. Išvykoje dalyvavo 2 darbuotojai.",
    ]


def test_a_finished_project_with_nothing_recorded_claims_nothing(project):
    summary, paragraphs = _paragraphs(project, AFTER)
    assert summary.state == FINISHED
    assert paragraphs[1].endswith("Projekte buvo numatyti dviejų modulių mokymai.")
    assert paragraphs[2].startswith("Buvo numatyti mokymai „Jaunimo erdvės“")
    assert len(paragraphs) == 5  # no paragraph of figures: none is recorded
    assert not re.search(r"\b(dalyvavo|vyko|apmokyt\w*)\b", " ".join(paragraphs[:-1]))


def test_a_masculine_funder_agrees_with_its_participle(project):
    project.funder = OrganisationFactory(name="Kultūros rėmimo fondas", type="funder")
    project.funding_programme = ""
    project.save()
    text = generate_summary(project, today=BEFORE).text
    assert "Projektą finansuoja Kultūros rėmimo fondas, skyręs 18 500,00 €." in text


def test_litas_are_written_in_the_house_format_with_the_euro(project):
    project.grant_amount = Decimal("25000.00")
    project.currency = "LTL"
    project.save()
    text = generate_summary(project, today=AFTER).text
    assert "skyrusi 25 000,00 Lt (7 240,50 €)." in text


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 darbuotoją"), (2, "2 darbuotojus"), (10, "10 darbuotojų"), (21, "21 darbuotoją")],
)
def test_the_planned_number_is_an_object_and_agrees(count, expected):
    assert workers_accusative(count) == expected
