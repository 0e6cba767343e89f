"""The certificate PDF: Lithuanian by default, English on request, exact diacritics."""

import subprocess

import pytest

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
        "8 ak. val.",
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


def test_qr_code_on_the_pdf_encodes_the_verification_url(world, issuer, tmp_path):
    """Rasterise the page as a printer would and read the QR code back with a barcode reader:
    it holds the certificate's verification address, and nothing else on the page reads as a
    code. Its module grid is also the one the PDF was drawn from."""
    import zxingcpp
    from PIL import Image

    from kvalis.certificates.pdf import LAYOUT, qr_rows

    certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    (tmp_path / "c.pdf").write_bytes(render_certificate(certificate))
    dpi = 300
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-singlefile", tmp_path / "c.pdf", tmp_path / "c"],
        check=True,
    )
    image = Image.open(tmp_path / "c.png").convert("L")
    url = f"https://kvalis.example.lt/verify/{certificate.verification_code}/"

    (read,) = zxingcpp.read_barcodes(image)
    assert read.format == zxingcpp.BarcodeFormat.QRCode
    assert read.text == url
    assert read.ec_level == "M"

    expected = qr_rows(url)
    count = len(expected)
    px = dpi / 25.4
    module = LAYOUT["qr_size"] / count
    seen = [
        bytes(
            image.getpixel(
                (
                    round((LAYOUT["qr_x"] + (col + 0.5) * module) * px),
                    round((LAYOUT["qr_y"] + (row + 0.5) * module) * px),
                )
            )
            < 128
            for col in range(count)
        )
        for row in range(count)
    ]
    assert seen == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://kvalis.example.lt/verify/K7Q2-M9XP-4RTA/",
        "http://127.0.0.1:8000/verify/AAAA-BBBB-CCCC/",
        "https://kultura.example.lt/kvalifikacija/patikra/verify/ŽĄSĖ-0000-1111/",
        "https://" + "labai-ilgas-adresas." * 12 + "lt/verify/Z9Z9-Z9Z9-Z9Z9/",
    ],
)
def test_qr_rows_read_back_as_the_address(url):
    """The grid `qr_rows` gives, drawn as an image with its quiet zone, reads back as the
    address, for short and long addresses (a larger version) and non-ASCII ones."""
    import zxingcpp
    from PIL import Image

    from kvalis.certificates.pdf import qr_rows

    rows = qr_rows(url)
    count = len(rows)
    assert all(len(row) == count for row in rows) and set(b"".join(rows)) == {0, 1}
    border, scale = 4, 4
    image = Image.new("L", ((count + 2 * border) * scale,) * 2, 255)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                x, y = (c + border) * scale, (r + border) * scale
                image.paste(0, (x, y, x + scale, y + scale))
    (read,) = zxingcpp.read_barcodes(image)
    assert read.text == url


def test_pdf_of_an_erased_holder_says_the_name_is_withheld(world, issuer):
    """After erasure (people.erasure) the PDF, rendered again, prints why there is no name
    where the name went, in both languages and both renderings; the rest stays."""
    from kvalis.people.erasure import person_erase

    enrolment = completer(world, first="Ūla", last="Ąžuolaitė")
    certificate = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    person_erase(actor=world.alice, person=enrolment.person)
    certificate.refresh_from_db()

    for language, wording in [
        ("lt", "Turėtojo vardas ir pavardė nerodomi jo paties prašymu."),
        ("en", "The holder's name is withheld at their request."),
    ]:
        for render in (render_certificate, render_full_html):
            text = pdf_text(render(certificate, language=language))
            assert wording in text, (language, render.__name__)
            assert "Ąžuolaitė" not in text and "Asmuo" not in text
            assert certificate.number in text and certificate.verification_code in text


def test_pdf_of_a_holder_not_erased_has_no_withheld_wording(world, issuer):
    certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    text = pdf_text(render_certificate(certificate))
    assert "Eglė Čepulytė" in text
    assert "nerodomi" not in text
