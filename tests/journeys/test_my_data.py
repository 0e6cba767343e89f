"""A participant downloads everything Kvalis holds about them from /my/ in a real browser,
opens duomenys.html from the ZIP (as a file, without the server) and reads their name and
trainings there. The /my/ data and consents pages pass axe-core (WCAG 2.1 AA)."""

import re
import zipfile

import pytest
from playwright.sync_api import expect

from kvalis.certificates import services
from tests.browser import assert_accessible, axe_violations, describe, login
from tests.factories import (
    PASSWORD,
    ActivityCertificateSettingsFactory,
    AttendanceFactory,
    CertificateIssuerFactory,
    EnrolmentFactory,
    PersonFactory,
    TravellerFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def participant(world):
    user = UserFactory(email="egle.cepulyte@example.lt")
    person = PersonFactory(
        first_name="Eglė",
        last_name="Čepulytė",
        email=user.email,
        user=user,
        organisation=world.lead,
    )
    issuer = CertificateIssuerFactory(project=world.project, organisation=world.lead, prefix="UVB")
    ActivityCertificateSettingsFactory(activity=world.activity, issuer=issuer)
    enrolment = EnrolmentFactory(cohort=world.cohort, person=person)
    AttendanceFactory(enrolment=enrolment, session=world.session, status="present")
    services.certificate_issue(enrolment=enrolment, actor=world.alice, notify=False)
    TravellerFactory(visit__project=world.project, person=person)
    return person


def test_participant_downloads_their_data_and_opens_the_page(
    page, live_server, world, participant, tmp_path
):
    login(page, live_server, participant.email, PASSWORD)
    page.goto(f"{live_server.url}/my/")
    assert_accessible(page, "/my/")
    page.get_by_role("link", name="Mano duomenys").first.click()
    expect(page.get_by_role("heading", name="Mano duomenys")).to_be_visible()
    assert_accessible(page, "/my/data/")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Atsisiųsti mano duomenis (ZIP)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    path = tmp_path / "duomenys.zip"
    download.save_as(path)
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(path) as archive:
        archive.extractall(folder)
    certificate = participant.certificates.get()
    assert (folder / "pazymejimai" / f"{certificate.number}.pdf").exists()

    # Opened from the disk, as the participant would after unzipping: no server behind it.
    page.goto((folder / "duomenys.html").as_uri())
    expect(
        page.get_by_role("heading", name="Kvalis saugomi duomenys apie Eglė Čepulytė")
    ).to_be_visible()
    expect(page.get_by_role("cell", name=world.activity.title).first).to_be_visible()
    expect(page.get_by_role("cell", name=certificate.number, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=f"pazymejimai/{certificate.number}.pdf")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    # Photo consent for the study visit, given and withdrawn on "My consents".
    page.goto(f"{live_server.url}/my/consents/")
    assert_accessible(page, "/my/consents/")
    photos = page.get_by_role("region", name=re.compile("^Fotografavimas"))
    photos.get_by_role("button", name="Sutinku").click()
    expect(page.get_by_text("Sutikimas užregistruotas.")).to_be_visible()
    assert_accessible(page, "/my/consents/ with a consent")
    page.get_by_role("button", name="Atšaukti sutikimą").click()
    expect(page.get_by_text("Sutikimas atšauktas.")).to_be_visible()
