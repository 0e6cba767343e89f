"""The generated public summary: Lithuanian number agreement and institution names in case."""

import pytest

from kvalis.reports.summary import (
    amount_text,
    generate_summary,
    partners_instrumental,
    trained_phrase,
    workers,
)
from tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0 darbuotojų"),
        (1, "1 darbuotojas"),
        (2, "2 darbuotojai"),
        (9, "9 darbuotojai"),
        (10, "10 darbuotojų"),
        (11, "11 darbuotojų"),
        (12, "12 darbuotojų"),
        (19, "19 darbuotojų"),
        (20, "20 darbuotojų"),
        (21, "21 darbuotojas"),
        (22, "22 darbuotojai"),
        (100, "100 darbuotojų"),
        (101, "101 darbuotojas"),
        (111, "111 darbuotojų"),
        (160, "160 darbuotojų"),
    ],
)
def test_workers_agree_with_the_number(count, expected):
    assert workers(count) == expected


def test_the_participle_agrees_too():
    assert trained_phrase(1) == "apmokytas 1 darbuotojas"
    assert trained_phrase(3) == "apmokyti 3 darbuotojai"
    assert trained_phrase(160) == "apmokyta 160 darbuotojų"


def test_amounts_in_litas_show_the_euro_equivalent():
    from decimal import Decimal

    assert amount_text(Decimal("25000.00"), "LTL") == "25 000,00 Lt (7 240,50 €)"
    assert amount_text(Decimal("1234.50"), "EUR") == "1 234,50 €"


def _library(project, place: str, municipality: str, instrumental: str = ""):
    org = OrganisationFactory(
        name=f"{place} rajono savivaldybės viešoji biblioteka",
        municipality=municipality,
        type="library",
        name_instrumental=instrumental,
    )
    return PartnerFactory(project=project, organisation=org, role="sending")


def test_sending_public_libraries_are_grouped_by_place(world):
    partners = [
        PartnerFactory(
            project=world.project,
            organisation=OrganisationFactory(
                name="Utenos švietimo centras", name_instrumental="Utenos švietimo centru"
            ),
            role="education_centre",
        ),
        _library(world.project, "Molėtų", "moletu-r"),
        _library(world.project, "Zarasų", "zarasu-r"),
    ]
    assert (
        partners_instrumental(partners)
        == "Utenos švietimo centru bei Molėtų ir Zarasų viešosiomis bibliotekomis"
    )


def test_a_single_library_stays_singular(world):
    partners = [_library(world.project, "Molėtų", "moletu-r")]
    assert partners_instrumental(partners) == "Molėtų viešąja biblioteka"


def test_without_a_stored_case_form_the_grammar_rules_inflect_the_name(world):
    partner = PartnerFactory(
        project=world.project, organisation=OrganisationFactory(name="Kūrybinė dirbtuvė")
    )
    assert partners_instrumental([partner]) == "Kūrybine dirbtuve"


def test_a_stored_case_form_wins_over_the_rules(world):
    partner = PartnerFactory(
        project=world.project,
        organisation=OrganisationFactory(
            name="Kūrybinė dirbtuvė", name_instrumental="kūrybine dirbtuve „Mūza“"
        ),
    )
    assert partners_instrumental([partner]) == "kūrybine dirbtuve „Mūza“"


def test_summary_counts_trained_per_module_with_agreement(world):
    world.activity.title = "Projektų valdymas"
    world.activity.audience_description = "Kultūros įstaigų vadovai"
    world.activity.save()
    for _index in range(21):
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=PersonFactory(), cohort=world.cohort),
            session=world.session,
        )
    ActivityFactory(project=world.project, kind="study_visit", title="Pažintinė išvyka į Rygą")
    text = generate_summary(world.project).text
    assert (
        "Mokymuose „Projektų valdymas“ dalyvavo 21 darbuotojas – kultūros įstaigų vadovai." in text
    )
    assert "apmokytas 21 darbuotojas" in text
    assert "Baigiamasis projekto etapas – pažintinė išvyka į Rygą." in text


def test_certificates_are_counted_as_documents_with_agreement(world):
    from kvalis.reports import summary

    base = {"participants_trained": 0, "activities": []}
    text = summary.generate_summary(world.project, {**base, "certificates_issued": 173}).text
    assert "Išduoti 173 kvalifikacijos tobulinimo pažymėjimai." in text
    text = summary.generate_summary(world.project, {**base, "certificates_issued": 150}).text
    assert "Išduota 150 kvalifikacijos tobulinimo pažymėjimų." in text


def test_the_study_visit_names_its_hosts_and_travellers(world):
    from tests.factories import HostVisitFactory, StudyVisitFactory, TravellerFactory

    visit = StudyVisitFactory(project=world.project)
    visit.activity.learning_outcomes = "Susipažinti su multicentrais."
    visit.activity.save()
    HostVisitFactory(visit=visit, organisation_name="Keilos kultūros centras")
    HostVisitFactory(visit=visit, organisation_name="Nõmme jaunimo namai")
    for _index in range(2):
        TravellerFactory(visit=visit)
    text = generate_summary(world.project).text
    assert "Baigiamasis projekto etapas – išvyka į Taliną." in text
    assert "Tikslas – susipažinti su multicentrais." in text
    assert (
        "Išvykos metu aplankytos 2 įstaigos: Keilos kultūros centras ir Nõmme jaunimo namai."
        in text
    )
    assert "Išvykoje dalyvavo 2 darbuotojai." in text


def test_municipalities_are_listed_once_with_one_full_stop(world):
    from kvalis.reports import summary

    data = {
        "participants_trained": 2,
        "activities": [],
        "participants_by_municipality": {"zarasu-r": 1, "anyksciu-r": 1},
    }
    text = summary.generate_summary(world.project, data).text
    assert "darbuotojai: Anykščių r. sav. ir Zarasų r. sav." in text
    assert "sav.." not in text


def test_a_single_municipality_is_named_too(world):
    AttendanceFactory(
        enrolment=EnrolmentFactory(person=world.person_a, cohort=world.cohort),
        session=world.session,
    )
    text = generate_summary(world.project).text
    assert "Mokymuose dalyvavo Utenos r. sav. kultūros darbuotojai." in text
    assert "šių savivaldybių" not in text


def test_only_the_last_of_several_study_visits_is_called_the_final_stage(world):
    from datetime import date

    from tests.factories import StudyVisitFactory

    later = ActivityFactory(project=world.project, kind="study_visit", title="Išvyka į Rygą")
    earlier = ActivityFactory(project=world.project, kind="study_visit", title="Išvyka į Tartu")
    StudyVisitFactory(
        project=world.project,
        activity=later,
        start_date=date(2014, 11, 5),
        end_date=date(2014, 11, 7),
    )
    StudyVisitFactory(
        project=world.project,
        activity=earlier,
        start_date=date(2014, 6, 2),
        end_date=date(2014, 6, 4),
    )
    text = generate_summary(world.project).text
    assert text.count("Baigiamasis projekto etapas") == 1
    assert "Baigiamasis projekto etapas – išvyka į Rygą." in text
    assert "Projekto metu vyko išvyka į Tartu." in text
    assert text.index("išvyka į Tartu") < text.index("išvyka į Rygą")
