"""Absolute links follow SITE_URL, the address the app is served at.

`make run PORT=8101` sets SITE_URL to http://127.0.0.1:8101; with it, the check-in QR code, a
certificate's verification link and the links in e-mails must all lead to port 8101 — a link
to :8000 (the default) would be dead.
"""

import shutil
import subprocess
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from kvalis.lib.qr import qr_svg
from tests.factories import (
    ActivityCertificateSettingsFactory,
    AttendanceFactory,
    CertificateIssuerFactory,
    CohortFactory,
    EnrolmentFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8101"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _served_at_8101(settings, tmp_path):
    settings.SITE_URL = SITE
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_check_in_qr_code_and_typed_address_point_at_site_url(client, world):
    client.force_login(world.alice)
    response = client.get(
        reverse("attendance:checkin_screen", args=[world.project.code, world.session.pk])
    )
    assert response.status_code == 200
    link = response.context["link"]
    assert link.startswith(f"{SITE}/checkin/{world.session.public_id}/")
    # The QR code on the page is the one of that very link (not of another address).
    assert response.context["qr"] == qr_svg(link, title=gettext("Check-in QR code"), scalable=True)
    assert response.context["qr"] in response.text
    assert f"{SITE}/checkin/" in response.text
    assert "127.0.0.1:8000" not in response.text


def test_the_sign_in_sheet_qr_code_points_at_site_url(world):
    from kvalis.attendance.sheets import signin_sheet_context

    context = signin_sheet_context(world.session)
    assert context["form_url"].startswith(f"{SITE}/projects/{world.project.code}/")
    assert context["qr"] == qr_svg(context["form_url"], scalable=True)


def _issued_certificate(world, django_capture_on_commit_callbacks):
    from kvalis.certificates import services

    issuer = CertificateIssuerFactory(project=world.project, organisation=world.lead, prefix="UVB")
    ActivityCertificateSettingsFactory(activity=world.activity, issuer=issuer)
    person = PersonFactory(organisation=world.lead, email="egle@example.lt")
    enrolment = EnrolmentFactory(cohort=world.cohort, person=person)
    AttendanceFactory(enrolment=enrolment, session=world.session, status="present")
    with django_capture_on_commit_callbacks(execute=True):
        return services.certificate_issue(enrolment=enrolment, actor=world.alice)


def test_a_certificate_verification_link_points_at_site_url(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    from kvalis.certificates.pdf import verification_url
    from kvalis.certificates.services import certificate_pdf_bytes

    certificate = _issued_certificate(world, django_capture_on_commit_callbacks)
    link = f"{SITE}/verify/{certificate.verification_code}/"
    assert verification_url(certificate.verification_code) == link
    # Printed on the PDF (its QR code encodes verification_url: tests/certificates/test_pdf.py)…
    pdf = PdfReader(BytesIO(certificate_pdf_bytes(certificate)))
    assert "127.0.0.1:8101/verify/" in pdf.pages[0].extract_text().replace("\n", "")
    # …and sent in the certificate's e-mail, which opens at that address.
    (mail,) = [m for m in mailoutbox if "egle@example.lt" in m.to]
    assert link in mail.body
    assert link in mail.alternatives[0][0]
    assert "127.0.0.1:8000" not in mail.body


def test_the_application_confirmation_mail_links_point_at_site_url(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    start = date.today() + timedelta(days=30)
    cohort = CohortFactory(activity=world.activity, start_date=start, end_date=start)
    SessionFactory(cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("enrolment:apply", args=[cohort.public_id]),
            {
                "first_name": "Aistė",
                "last_name": "Žukauskaitė",
                "email": "aiste@example.lt",
                "organisation": world.lead.pk,
                "position": "bibliotekininkė",
                "position_category": "specialist",
                "consent": "on",
            },
        )
    assert response.status_code == 302, response.context["form"].errors
    (mail,) = mailoutbox
    assert f"{SITE}/confirm/" in mail.body or f"{SITE}/catalogue/" in mail.body
    links = [word for word in mail.body.split() if word.startswith("http")]
    assert links and all(link.startswith(f"{SITE}/") for link in links), links


def test_the_calendar_feed_address_and_its_events_point_at_site_url(client, world):
    """The page is asked for at http://testserver (the test client's host): the address a
    calendar app keeps is SITE_URL's, and so is each event's link back to "My trainings"."""
    user = UserFactory(email="egle@example.lt")
    person = PersonFactory(organisation=world.lead, email=user.email, user=user)
    EnrolmentFactory(cohort=world.cohort, person=person, status="confirmed")
    client.force_login(user)
    response = client.get(reverse("enrolment:my_trainings"))
    assert response.status_code == 200
    token = person.calendar_token.token
    feed_url = response.context["feed_url"]
    assert feed_url == SITE + reverse("enrolment:calendar_feed", kwargs={"token": token})
    assert f'value="{feed_url}"' in response.text
    assert "testserver" not in feed_url

    feed = client.get(feed_url.removeprefix(SITE)).content.decode().replace("\r\n ", "")
    assert "BEGIN:VEVENT" in feed
    event_links = [line for line in feed.split("\r\n") if line.startswith("URL:")]
    assert event_links and set(event_links) == {f"URL:{SITE}/my/"}


def test_the_api_schema_and_the_token_page_name_the_api_at_site_url(client, world):
    document = client.get(reverse("api:schema")).json()
    # The server is the site's root: the schema's paths begin with /api/.
    assert document["servers"] == [{"url": f"{SITE}/"}]
    assert all(path.startswith("/api/") for path in document["paths"])

    client.force_login(world.alice)
    page = client.get(reverse("api:tokens"))
    assert page.context["api_root"] == f"{SITE}/api/"
    assert f"<code>{SITE}/api/</code>" in page.text
    assert "testserver" not in page.text


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_sets_site_url_from_the_port():
    """`make -n` prints the commands without running them."""
    printed = subprocess.run(
        ["make", "-n", "run", "PORT=8101"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env=_env_without_site_url(),
    ).stdout
    server = [line for line in printed.splitlines() if "runserver" in line]
    assert server and "SITE_URL=http://127.0.0.1:8101 " in server[0]
    assert "runserver 127.0.0.1:8101" in server[0]
    demo = [line for line in printed.splitlines() if " demo " in line]
    assert demo and "SITE_URL=http://127.0.0.1:8101 " in demo[0]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_keeps_a_site_url_that_is_given():
    env = {**_env_without_site_url(), "SITE_URL": "https://kvalis.example.lt"}
    printed = subprocess.run(
        ["make", "-n", "run", "PORT=8101"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    server = [line for line in printed.splitlines() if "runserver" in line]
    assert "SITE_URL=https://kvalis.example.lt " in server[0]


def _env_without_site_url() -> dict[str, str]:
    import os

    return {key: value for key, value in os.environ.items() if key != "SITE_URL"}
