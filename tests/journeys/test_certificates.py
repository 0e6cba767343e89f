"""A third party verifies a certificate in a real browser; the coordinator revokes it in another
browser; the third party reloads and sees it revoked, with the public statement (never the
internal reason). The public verification pages pass axe-core (WCAG 2.1 AA)."""

import pytest
from playwright.sync_api import expect

from kvalis.certificates import services
from tests.browser import axe_violations, login
from tests.factories import (
    PASSWORD,
    ActivityCertificateSettingsFactory,
    AttendanceFactory,
    CertificateIssuerFactory,
    EnrolmentFactory,
    PersonFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Dalyvė mokymuose nedalyvavo; pažymėjimas išduotas per klaidą."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def certificate(world):
    issuer = CertificateIssuerFactory(project=world.project, organisation=world.lead, prefix="UVB")
    ActivityCertificateSettingsFactory(activity=world.activity, issuer=issuer)
    person = PersonFactory(first_name="Eglė", last_name="Čepulytė", organisation=world.lead)
    enrolment = EnrolmentFactory(cohort=world.cohort, person=person)
    AttendanceFactory(enrolment=enrolment, session=world.session, status="present")
    return services.certificate_issue(enrolment=enrolment, actor=world.alice, notify=False)


def test_third_party_sees_a_certificate_revoked_after_the_coordinator_revokes_it(
    page, new_context, live_server, world, certificate
):
    # A prospective employer types the code from the paper certificate.
    page.goto(f"{live_server.url}/verify/")
    assert axe_violations(page) == []
    page.get_by_label("Tikrinimo kodas").fill(certificate.verification_code.lower())
    page.get_by_role("button", name="Tikrinti").click()
    expect(page.get_by_role("heading", name="Šis pažymėjimas galioja.")).to_be_visible()
    expect(page.get_by_text(certificate.number)).to_be_visible()
    expect(page.get_by_text("Eglė Čepulytė")).to_be_visible()
    assert axe_violations(page) == []

    # Meanwhile the coordinator revokes it in another browser.
    coordinator = new_context().new_page()
    login(coordinator, live_server, world.alice.email, PASSWORD)
    coordinator.goto(
        f"{live_server.url}/projects/{world.project.code}/certificates/{certificate.pk}/"
    )
    assert axe_violations(coordinator) == []
    coordinator.get_by_label("Viešas pranešimas").select_option(label="Išduotas per klaidą")
    coordinator.get_by_label("Vidinė priežastis").fill(REASON)
    coordinator.get_by_role("button", name="Panaikinti pažymėjimą").click()
    expect(
        coordinator.get_by_text(f"Pažymėjimas {certificate.number} panaikintas.")
    ).to_be_visible()

    # The employer reloads the verification page.
    page.reload()
    expect(page.get_by_role("heading", name="Šis pažymėjimas panaikintas.")).to_be_visible()
    # The public read the statement the coordinator chose, never the internal reason.
    expect(page.get_by_text("Išduotas per klaidą")).to_be_visible()
    expect(page.get_by_text(REASON)).to_have_count(0)
    assert axe_violations(page) == []
