"""The final report's participant annex drawn with fpdf2 (DejaVu Sans from fontconfig): every
trained person once, numbered, Lithuanian letters that read back, the header on every page,
and page numbers running on from the report."""

import re

import pytest
from django.utils.translation import override

from kvalis.lib.pdf import system_font
from kvalis.reports.annex import annex_fonts, annex_pdf
from kvalis.reports.indicators import project_indicators
from kvalis.reports.outputs import annex_people, final_report_pdf
from tests.factories import (
    AttendanceFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PersonFactory,
)
from tests.reports.test_final_report import pdf_text

# As pdftotext for the report's tests: without DejaVu Sans these tests must fail, not vanish
# into the WeasyPrint fallback.
assert annex_fonts(), "DejaVu Sans (regular and bold) is missing: install fonts-dejavu-core"

LETTERS = "ąčęėįšųūž"
PERSONS = 70  # more than one page of the annex


LONG = (
    "Lietuvos nacionalinės Martyno Mažvydo bibliotekos Kultūros paveldo skaitmeninimo ir "
    "informacinių technologijų priežiūros skyrius"
)


@pytest.fixture
def many(world):
    world.lead.name = "Šiaulių „Aušros“ muziejus"
    world.lead.save()
    long = OrganisationFactory(name=LONG)
    for index in range(PERSONS):
        letter = LETTERS[index % len(LETTERS)]
        person = PersonFactory(
            first_name=f"Žydrūnė{letter}",
            last_name=f"Ąžuolaitė{index:02d}",
            organisation=long if index == 0 else world.lead,
        )
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=person, cohort=world.cohort), session=world.session
        )
    return world


def row_numbers(text: str) -> list[int]:
    return [int(number) for number in re.findall(r"^\s*(\d+)\s+Ąžuolaitė", text, re.MULTILINE)]


def test_the_annex_lists_every_trained_person_once_with_lithuanian_letters(many, tmp_path):
    with override("lt"):
        content = annex_pdf(many.project, annex_people(many.project), fonts=annex_fonts())
    text = pdf_text(content, tmp_path)
    trained = project_indicators(many.project)["participants_trained"]
    assert trained == PERSONS
    assert row_numbers(text) == list(range(1, PERSONS + 1))
    for index in range(PERSONS):
        letter = LETTERS[index % len(LETTERS)]
        assert f"Ąžuolaitė{index:02d} Žydrūnė{letter}" in text
    assert text.count("Šiaulių „Aušros“ muziejus") == PERSONS - 1
    # A name too long for its column is wrapped, not cut.
    assert " ".join(text.split()).count("Mažvydo") == 1
    for word in LONG.split():
        assert word in text, word
    assert text.count("Priedas: dalyvių sąrašas") == 1
    pages = text.split("\f")[:-1]
    assert len(pages) >= 2
    for page in pages:  # the header row repeated on every page
        assert "Eil. Nr." in page and "Vardas, pavardė" in page and "Darbovietė" in page


def test_an_annex_without_trained_persons_says_so(world, tmp_path):
    with override("lt"):
        content = annex_pdf(world.project, iter(()), fonts=annex_fonts())
    text = pdf_text(content, tmp_path)
    assert "Priedas: dalyvių sąrašas" in text
    assert "Eil. Nr." not in text
    assert "Dar niekas nedalyvavo užsiėmimuose." in text


def test_pages_are_numbered_across_the_report_and_the_fpdf2_annex(many, tmp_path, monkeypatch):
    from kvalis.reports import annex

    drawn = []
    monkeypatch.setattr(annex, "annex_pdf", lambda *a, **k: drawn.append(1) or annex_pdf(*a, **k))
    text = pdf_text(final_report_pdf(many.project), tmp_path)
    assert drawn == [1]  # drawn by fpdf2, not by the WeasyPrint fallback
    pages = text.split("\f")[:-1]
    total = len(pages)
    first_annex = next(i for i, page in enumerate(pages) if "Priedas: dalyvių sąrašas" in page)
    assert 0 < first_annex < total - 1  # the report first, then more than one annex page
    for number, page in enumerate(pages, start=1):
        assert f"{number}/{total}" in "".join(page.split())
    assert row_numbers(text) == list(range(1, PERSONS + 1))


def test_a_font_fontconfig_does_not_have_is_not_found():
    assert system_font("Kvalis No Such Family") is None
    assert system_font("Kvalis No Such Family", bold=True) is None
