"""The certificate PDF: Lithuanian by default, English on request, exact diacritics."""

import subprocess

from kvalis.certificates import services
from kvalis.certificates.pdf import render_certificate, render_certificates, render_full_html
from tests.certificates.conftest import completer


def pdf_text(content: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    # Lines broken by the layout join with single spaces, so phrases compare whole.
    return " ".join(result.stdout.decode().split())


def test_certificate_pdf_prints_everything_with_exact_diacritics(world, issuer):
    world.activity.title = "Jaunimui atviros erdvės kultūros įstaigose"
    world.activity.learning_outcomes = "Žinos, kaip motyvuoti jaunimą"
    world.activity.save()
    enrolment = completer(world, first="Ūla", last="Ąžuolaitė-Čičinskienė")
    certificate = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    text = pdf_text(render_certificate(certificate))
    for expected in [
        "Ūla Ąžuolaitė-Čičinskienė",
        certificate.number,
        "Jaunimui atviros erdvės kultūros įstaigose",
        "Žinos, kaip motyvuoti jaunimą",
        world.project.title,
        world.lead.name,
        "Dalia Žilinskienė",
        "KVALIFIKACIJOS TOBULINIMO PAŽYMĖJIMAS",
        "8 akad. val.",
        "2014-04-07",
        certificate.verification_code,
    ]:
        assert expected in text, expected


def test_certificate_pdf_in_english(world, issuer):
    certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    text = pdf_text(render_certificate(certificate, language="en"))
    assert "QUALIFICATION IMPROVEMENT" in text
    assert "8 academic hours" in text
    assert "Eglė Čepulytė" in text


def test_certificates_of_a_cohort_share_one_rendering_but_not_their_names(world, issuer):
    certificates = [
        services.certificate_issue(enrolment=completer(world, last=name), actor=world.alice)
        for name in ["Šimkutė", "Žukaitė"]
    ]
    pdfs = render_certificates(certificates)
    first, second = (pdf_text(pdfs[c.verification_code]) for c in certificates)
    assert "Šimkutė" in first and "Žukaitė" not in first
    assert "Žukaitė" in second and certificates[1].number in second


def test_pdf_is_one_a4_page_and_matches_the_single_document_rendering(world, issuer):
    from io import BytesIO

    from pypdf import PdfReader

    certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    fast = PdfReader(BytesIO(render_certificate(certificate)))
    slow = PdfReader(BytesIO(render_full_html(certificate)))
    assert len(fast.pages) == len(slow.pages) == 1
    assert [round(float(v)) for v in fast.pages[0].mediabox[2:]] == [595, 842]
    fast_words = set(fast.pages[0].extract_text().split())
    slow_words = set(slow.pages[0].extract_text().split())
    assert slow_words <= fast_words | {""}
