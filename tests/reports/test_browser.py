"""Reports in a real browser: the coordinator filters the dashboard, generates, edits and
publishes the public summary, which then shows on the public project page; a partner
coordinator sees the dashboard scoped to their own people. Pages pass axe-core (WCAG 2.1 AA)."""

import pytest
from playwright.sync_api import expect

from tests.browser import assert_accessible, follow, login
from tests.factories import (
    PASSWORD,
    AttendanceFactory,
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reported(world):
    moletai = OrganisationFactory(name="Molėtų kultūros centras", municipality="moletu-r")
    world.partner_b.covered_organisations.add(moletai)
    for index, organisation in enumerate([world.lead, world.lead, moletai]):
        person = PersonFactory(organisation=organisation, last_name=f"Žukauskienė{index}")
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=person, cohort=world.cohort), session=world.session
        )
    world.partner_b.organisation.municipality = "moletu-r"
    world.partner_b.organisation.save()
    return world


def test_coordinator_filters_the_dashboard_and_publishes_the_summary(page, live_server, reported):
    login(page, live_server, reported.alice.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/{reported.project.code}/")
    follow(page, page.get_by_role("link", name="Ataskaitos"))
    expect(page.get_by_role("heading", name="Rodikliai", exact=True)).to_be_visible()
    expect(page.locator(".report-figures .figure").first).to_contain_text("3")
    assert_accessible(page, "the reports dashboard")

    page.get_by_label("Savivaldybė").select_option("moletu-r")
    page.get_by_role("button", name="Rodyti").click()
    expect(page.locator(".report-figures .figure").first).to_contain_text("1")

    follow(page, page.get_by_role("link", name="Vieša santrauka"))
    follow(page, page.get_by_role("button", name="Sugeneruoti pagal duomenis"))
    expect(page.get_by_role("article")).to_contain_text("apmokyti 3 darbuotojai")
    assert_accessible(page, "the public summary page")
    page.get_by_label("Antraštė").fill("Biblioteka baigė mokymus")
    follow(page, page.get_by_role("button", name="Išsaugoti"))
    follow(page, page.get_by_role("button", name="Paskelbti viešame puslapyje"))
    expect(page.get_by_text("paskelbta", exact=True)).to_be_visible()

    page.goto(f"{live_server.url}/p/{reported.project.code}/")
    expect(page.get_by_role("heading", name="Biblioteka baigė mokymus")).to_be_visible()


def test_partner_coordinator_sees_own_people_only(page, live_server, reported):
    login(page, live_server, reported.bob.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/{reported.project.code}/reports/")
    expect(page.locator(".report-figures .figure").first).to_have_text("1")
    assert_accessible(page, "the partner's reports dashboard")


def test_funder_observer_reads_without_edit_buttons(page, live_server, reported):
    funder = UserFactory(email="funder@example.lt")
    MembershipFactory(project=reported.project, user=funder, role="funder_observer")
    login(page, live_server, funder.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/{reported.project.code}/reports/")
    expect(page.get_by_role("link", name="Galutinė ataskaita finansuotojui (PDF)")).to_be_visible()
    page.goto(f"{live_server.url}/projects/{reported.project.code}/reports/summary/")
    expect(page.get_by_role("button", name="Sugeneruoti pagal duomenis")).to_have_count(0)
