"""Every download is named in the user's language and keeps its letters
(`UTENA-T-galutinė-ataskaita.pdf`, `pažymėjimas-…pdf`), sent as RFC 6266 asks: an ASCII
`filename="…"` for old clients and `filename*=UTF-8''…` (RFC 5987) for the rest."""

import re
from urllib.parse import unquote

import pytest
from django.core import mail
from django.test import Client
from django.urls import get_resolver, reverse

from kvalis.lib.exports import (
    ascii_name,
    content_disposition,
    download_name,
    sheet_name,
    xlsx_bytes,
)
from tests import url_kwargs
from tests.test_url_roles import _walk

HEADER = re.compile(
    r"(?P<kind>attachment|inline); filename=\"(?P<ascii>[A-Za-z0-9._-]+)\""
    r"(?:; filename\*=UTF-8''(?P<encoded>[A-Za-z0-9%._~-]+))?"
)


def _name(response) -> str:
    """The file name a browser saves the response under, after checking the header's form."""
    assert response.status_code == 200, response.status_code
    header = response["Content-Disposition"]
    match = HEADER.fullmatch(header)
    assert match, header
    name = unquote(match["encoded"]) if match["encoded"] else match["ascii"]
    assert match["ascii"] == ascii_name(name)
    return name


# --- the helpers --------------------------------------------------------------------------------


def test_a_download_name_keeps_diacritics_and_drops_what_a_file_system_refuses():
    assert download_name("UTENA-KT-2014", "galutinė ataskaita", extension="pdf") == (
        "UTENA-KT-2014-galutinė-ataskaita.pdf"
    )
    assert download_name("sąmata", extension="xlsx") == "sąmata.xlsx"
    assert download_name("VšĮ „Sėkmės mokykla“ / 2 gr.", "", extension="csv") == (
        "VšĮ-Sėkmės-mokykla-2-gr.csv"
    )
    assert download_name("../../etc", "passwd", extension="txt") == "etc-passwd.txt"
    assert download_name("", extension="pdf") == "kvalis.pdf"


def test_the_header_has_an_ascii_fallback_and_the_utf8_name():
    header = content_disposition("UTENA-KT-2014-galutinė-ataskaita.pdf")
    assert header == (
        'attachment; filename="UTENA-KT-2014-galutine-ataskaita.pdf"; '
        "filename*=UTF-8''UTENA-KT-2014-galutin%C4%97-ataskaita.pdf"
    )
    assert content_disposition("report.json", inline=True) == 'inline; filename="report.json"'
    assert ascii_name("Šiaulių-sąmata.xlsx") == "Siauliu-samata.xlsx"


def test_sheet_names_are_cut_at_a_word_boundary_within_31_characters():
    long = "Dalyviai pagal savivaldybę ir pareigybę"
    assert sheet_name(long) == "Dalyviai pagal savivaldybę ir"
    assert len(sheet_name("Asmenys pagal įstaigos tipą (apmokyti)")) <= 31
    assert not sheet_name("Asmenys pagal įstaigos tipą (apmokyti)").endswith(" ")
    assert sheet_name("Nepaprastaiilgasžodisbetjokiųtarpųčia") == "Nepaprastaiilgasžodisbetjokiųta"
    assert sheet_name("Išlaidos: 2014/05 [A]") == "Išlaidos 2014 05 A"
    assert sheet_name(long, taken=["Dalyviai pagal savivaldybę ir"]) == (
        "Dalyviai pagal savivaldybę (2)"
    )


def test_a_workbook_keeps_two_long_titles_apart():
    from io import BytesIO

    from openpyxl import load_workbook

    content = xlsx_bytes(
        {
            "Asmenys pagal savivaldybę, apmokyti": (["A"], [[1]]),
            "Asmenys pagal savivaldybę, užsiregistravę": (["A"], [[2]]),
        }
    )
    names = load_workbook(BytesIO(content)).sheetnames
    assert names == ["Asmenys pagal savivaldybę", "Asmenys pagal savivaldybę (2)"]


# --- every download ------------------------------------------------------------------------------


def _url(world, name: str) -> str:
    [kwarg_names] = [k for url_name, k, _route in _walk(get_resolver()) if url_name == name]
    by_name = url_kwargs.URL_KWARGS_BY_NAME.get(name, {})
    kwargs = {k: (by_name.get(k) or url_kwargs.URL_KWARGS[k])(world) for k in kwarg_names}
    return reverse(name, kwargs=kwargs)


GROUP = r"\d+-grupė"
CERTIFICATE = r"pažymėjimas-[A-Z0-9]+-2014-\d{4}\.pdf"
DOWNLOADS = [
    ("enrolment:roster_csv", {}, rf"UTENA-T-{GROUP}-dalyviai\.csv"),
    ("enrolment:roster_xlsx", {}, rf"UTENA-T-{GROUP}-dalyviai\.xlsx"),
    ("enrolment:cohort_ics", {}, rf"Modulis-\d+-{GROUP}\.ics"),
    ("enrolment:calendar_feed", {}, r"mano-mokymai\.ics"),
    ("certificates:register_export", {}, r"UTENA-T-pažymėjimai\.xlsx"),
    ("certificates:register_export", {"format": "csv"}, r"UTENA-T-pažymėjimai\.csv"),
    ("certificates:pdf", {}, CERTIFICATE),
    ("certificates:pdf", {"lang": "en"}, r"certificate-[A-Z0-9]+-2014-\d{4}\.pdf"),
    ("certificates:my_certificate_pdf", {}, CERTIFICATE),
    ("certificates:person_cpd_pdf", {}, r"kvalifikacijos-tobulinimo-suvestinė-.+\.pdf"),
    ("certificates:my_cpd_pdf", {}, r"kvalifikacijos-tobulinimo-suvestinė-.+\.pdf"),
    ("attendance:signin_sheet", {}, r"UTENA-T-pasirašymo-lapas-2014-04-07\.pdf"),
    ("attendance:hours_csv", {}, r"UTENA-T-valandos\.csv"),
    ("attendance:hours_xlsx", {}, r"UTENA-T-valandos\.xlsx"),
    ("budget:export_xlsx", {}, r"UTENA-T-sąmata\.xlsx"),
    ("budget:export_lines_csv", {}, r"UTENA-T-sąmatos-eilutės\.csv"),
    ("budget:export_expenses_csv", {}, r"UTENA-T-išlaidos\.csv"),
    ("budget:expense_scan", {}, r"UTENA-T-išlaidų-dokumentas-.+\.pdf"),
    ("surveys:activity_results_xlsx", {}, r"UTENA-T-apklausos-rezultatai-Modulis-\d+\.xlsx"),
    (
        "surveys:cohort_results_xlsx",
        {},
        rf"UTENA-T-apklausos-rezultatai-Modulis-\d+-{GROUP}\.xlsx",
    ),
    ("reports:json", {}, r"UTENA-T-ataskaita\.json"),
    ("reports:xlsx", {}, r"UTENA-T-ataskaita\.xlsx"),
    ("reports:export_participants_csv", {}, r"UTENA-T-dalyviai\.csv"),
    ("reports:export_attendance_xlsx", {}, r"UTENA-T-lankomumas\.xlsx"),
    ("reports:export_hours_csv", {}, r"UTENA-T-valandos\.csv"),
    ("reports:export_certificates_xlsx", {}, r"UTENA-T-pažymėjimai\.xlsx"),
    ("reports:summary_text", {}, r"UTENA-T-vieša-santrauka\.txt"),
]


@pytest.mark.parametrize(("name", "query", "pattern"), DOWNLOADS, ids=lambda v: str(v))
def test_each_download_has_a_lithuanian_name(client, world, name, query, pattern):
    url_kwargs._certificate_of_alice(world)  # alice is a participant too, with a certificate
    client.force_login(world.alice)
    assert re.fullmatch(pattern, _name(client.get(_url(world, name), query)))


def test_in_english_the_names_are_english(client, world):
    world.alice.language = "en"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    assert re.fullmatch(
        rf"UTENA-T-{GROUP}-participants\.csv",
        _name(client.get(_url(world, "enrolment:roster_csv"))),
    )
    assert _name(client.get(_url(world, "budget:export_xlsx"))) == "UTENA-T-budget.xlsx"
    # a participant's own certificate comes in their language
    assert re.fullmatch(
        r"certificate-[A-Z0-9]+-2014-\d{4}\.pdf",
        _name(client.get(_url(world, "certificates:my_certificate_pdf"))),
    )


def test_the_final_report_prepared_in_the_background_keeps_its_name(
    client, world, django_capture_on_commit_callbacks
):
    from kvalis.reports.models import ExportJob

    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:final_report", args=[world.project.code]))
    assert response.status_code == 302
    job = ExportJob.objects.get(project=world.project, requested_by=world.alice)
    assert job.filename == "UTENA-T-galutinė-ataskaita.pdf"
    download = client.get(reverse("reports:job_download", args=[world.project.code, job.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert _name(download) == "UTENA-T-galutinė-ataskaita.pdf"


def test_a_certificate_e_mailed_is_attached_in_the_participants_language(world):
    from kvalis.certificates.services import certificates_mail
    from tests.factories import CertificateFactory, UserFactory

    english = UserFactory(language="en")
    world.person_a.user = english
    world.person_a.save(update_fields=["user"])
    certificate = CertificateFactory(
        enrolment__cohort=world.cohort, enrolment__person=world.person_a
    )
    lithuanian = CertificateFactory(
        enrolment__cohort=world.cohort, enrolment__person=world.person_b
    )
    certificates_mail(certificate_ids=[certificate.pk, lithuanian.pk])
    names = sorted(message.attachments[0][0] for message in mail.outbox)
    assert names == sorted(
        [f"certificate-{certificate.number}.pdf", f"pažymėjimas-{lithuanian.number}.pdf"]
    )


def test_a_public_calendar_file_is_named_for_an_anonymous_visitor_too(world):
    assert re.fullmatch(
        rf"Modulis-\d+-{GROUP}\.ics", _name(Client().get(_url(world, "enrolment:cohort_ics")))
    )


# --- the currency word ---------------------------------------------------------------------------


def test_exports_name_the_currency_as_the_pages_do(client, world):
    """A litas project's pages say "Lt"; so do its exports' headers (never "LTL")."""
    from io import BytesIO

    from openpyxl import load_workbook

    assert world.project.currency == "LTL"
    url_kwargs._expense(world)
    client.force_login(world.alice)
    lines = client.get(_url(world, "budget:export_lines_csv")).content.decode("utf-8-sig")
    expenses = client.get(_url(world, "budget:export_expenses_csv")).content.decode("utf-8-sig")
    assert "Planuota, Lt" in lines and "Suma, Lt" in expenses
    assert "LTL" not in lines + expenses
    for name in ("budget:export_xlsx", "reports:xlsx"):
        workbook = load_workbook(BytesIO(client.get(_url(world, name)).content))
        headers = [str(cell.value) for sheet in workbook for cell in sheet[1]]
        assert "Planuota, Lt" in headers, name
        assert not any("LTL" in header for header in headers), name
        assert all(len(title) <= 31 for title in workbook.sheetnames)
