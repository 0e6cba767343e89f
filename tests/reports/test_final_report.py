"""The funder's final report (PDF, Lithuanian): its text read back with pdftotext."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from kvalis.reports.outputs import final_report_pdf
from tests.factories import AttendanceFactory, EnrolmentFactory, PersonFactory

# `make test` installs poppler-utils; without pdftotext these tests must fail, not vanish.
assert shutil.which("pdftotext"), "pdftotext is missing: run `make test`, which installs it"


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
        check=True,
        capture_output=True,
    )
    return result.stdout.decode("utf-8")


@pytest.fixture
def reported(world):
    world.project.title = "Kultūros darbuotojų kvalifikacijos stiprinimas"
    world.project.save()
    world.lead.name = "Utenos A. ir M. Miškinių viešoji biblioteka"
    world.lead.save()
    person = PersonFactory(first_name="Žaneta", last_name="Čepulytė", organisation=world.lead)
    AttendanceFactory(
        enrolment=EnrolmentFactory(person=person, cohort=world.cohort), session=world.session
    )
    return world


def test_final_report_text_has_exact_lithuanian_diacritics(reported, tmp_path):
    text = pdf_text(final_report_pdf(reported.project), tmp_path)
    assert "Kultūros darbuotojų kvalifikacijos stiprinimas" in text
    assert "Utenos A. ir M. Miškinių viešoji biblioteka" in text
    assert "Galutinė ataskaita finansuotojui" in text
    assert "Rodikliai: planuota ir pasiekta" in text
    assert "25 000,00 Lt" in text and "7 240,50 €" in text
    assert "Priedas: dalyvių sąrašas" in text
    assert "Čepulytė Žaneta" in text


def test_the_annex_can_be_left_out(reported, tmp_path):
    text = pdf_text(final_report_pdf(reported.project, include_annex=False), tmp_path)
    assert "Priedas: dalyvių sąrašas" not in text
    assert "Čepulytė Žaneta" not in text


def test_coordinator_downloads_the_pdf_without_annex(
    client, reported, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(reported.alice)
    path = reverse("reports:final_report", args=[reported.project.code])
    assert client.get(path + "?annex=0").status_code == 200  # the page with the button
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"annex": "0"})
    job_page = response["Location"]
    assert "/files/" in job_page
    download = client.get(job_page + "download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    content = b"".join(download.streaming_content)
    assert "Čepulytė" not in pdf_text(content, tmp_path)


def test_pages_are_numbered_across_the_annex_parts(reported, tmp_path, monkeypatch):
    """Without DejaVu Sans for fpdf2 the annex falls back to WeasyPrint, in parts."""
    from kvalis.reports import annex, outputs

    monkeypatch.setattr(annex, "annex_fonts", lambda: None)

    for index in range(5):
        person = PersonFactory(last_name=f"Dalyvė{index}", organisation=reported.lead)
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=person, cohort=reported.cohort),
            session=reported.session,
        )
    monkeypatch.setattr(outputs, "ANNEX_PART", 2)  # six persons: three parts
    text = pdf_text(final_report_pdf(reported.project), tmp_path)
    pages = text.split("\f")[:-1]
    total = len(pages)
    assert total >= 4
    for number, page in enumerate(pages, start=1):
        assert f"{number}/{total}" in "".join(page.split())
    annex = text.split("Priedas: dalyvių sąrašas", 1)[1]
    assert annex.count("Priedas: dalyvių sąrašas") == 0  # the heading once, not per part
    assert "Čepulytė Žaneta" in annex and "Dalyvė4" in annex
    assert " 6 " in " ".join(annex.split()).replace("Dalyvė4", "")  # numbered on, 1 to 6


def test_outsider_and_partner_get_404_for_the_final_report(client, reported):
    path = reverse("reports:final_report", args=[reported.project.code])
    for user in (reported.bob, reported.charlie):
        client.force_login(user)
        assert client.get(path).status_code == 404


def test_report_headings_use_the_reports_own_terms_not_the_project_wide_ones(reported, tmp_path):
    from tests.factories import BudgetLineFactory, StudyVisitFactory

    BudgetLineFactory(project=reported.project, title="Lektorių honorarai")
    StudyVisitFactory(project=reported.project)
    text = pdf_text(final_report_pdf(reported.project), tmp_path)
    annex = text.split("Priedas: dalyvių sąrašas", 1)[1]
    assert "Vardas, pavardė" in annex
    assert "Pavadinimas" not in annex
    for term in ("Biudžeto vykdymas", "Biudžeto eilutė", "Panaudota", "Vykstantys"):
        assert term in text, term
    for word in ("Sąmatos vykdymas", "Sąmatos eilutė", "Išleista", "Keliautojai"):
        assert word not in text, word


def test_the_annex_lists_only_trained_persons(reported, tmp_path):
    from kvalis.reports.indicators import project_indicators
    from kvalis.reports.outputs import final_report_context

    EnrolmentFactory(
        person=PersonFactory(first_name="Ona", last_name="Neatvykusi", organisation=reported.lead),
        cohort=reported.cohort,
    )
    context = final_report_context(reported.project)
    assert [person["name"] for person in context["annex"]] == ["Čepulytė Žaneta"]
    assert len(context["annex"]) == project_indicators(reported.project)["participants_trained"]
    text = pdf_text(final_report_pdf(reported.project), tmp_path)
    assert "Čepulytė Žaneta" in text and "Neatvykusi" not in text


def test_a_study_visit_heading_does_not_repeat_its_kind(reported, tmp_path):
    from tests.factories import ActivityFactory, StudyVisitFactory

    visit = ActivityFactory(
        project=reported.project, kind="study_visit", title="Pažintinė išvyka į Taliną (Estija)"
    )
    StudyVisitFactory(project=reported.project, activity=visit)
    text = " ".join(pdf_text(final_report_pdf(reported.project), tmp_path).split())
    assert "Pažintinė išvyka į Taliną (Estija)" in text
    assert "(pažintinė išvyka)" not in text
    module = reported.activity.get_kind_display()
    assert f"{reported.activity.title} ({module})" in text
