"""A coordinator sets up a project entirely through the application's own pages in a real
browser; every page on the way passes axe-core (WCAG 2.1 AA), also on a phone."""

import pytest
from playwright.sync_api import expect

from kvalis.projects.models import Cohort, Project, Session
from tests.browser import assert_accessible, follow, login
from tests.factories import (
    PASSWORD,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    make_coordinator,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


def submit(page) -> None:
    follow(page, "main form.stacked button[type=submit]")


def test_coordinator_sets_up_a_project_through_the_pages(page, live_server):
    user = UserFactory(email="rasa@example.lt")
    lead = OrganisationFactory(name="Zarasų viešoji biblioteka", municipality="zarasu-r")
    PersonFactory(user=user, organisation=lead)
    make_coordinator(lead, user)  # a registered organisation's coordinator starts projects
    OrganisationFactory(name="Kultūros ministerija", type="funder", municipality="vilniaus-m")
    errors: list[str] = []
    # Assets the pages load (a missing script or stylesheet); the browser's own favicon probe
    # is not a page resource and does not show up here.
    page.on("response", lambda r: r.status >= 400 and errors.append(r.url))
    page.on("console", lambda m: "Content Security Policy" in m.text and errors.append(m.text))
    login(page, live_server, user.email, PASSWORD)

    follow(page, page.get_by_role("link", name="Naujas projektas"))
    assert_accessible(page, "the new-project form")
    page.locator("#id_code").fill("ZARASAI-2015")
    page.locator("#id_title").fill("Zarasų krašto kultūros darbuotojų mokymai")
    page.locator("#id_lead").select_option(str(lead.pk))
    page.locator("#id_grant_amount").fill("-10")
    page.locator("#id_start_date").fill("2015-01-01")
    page.locator("#id_end_date").fill("2015-12-31")
    submit(page)
    expect(page.locator("main")).to_contain_text("Finansavimo suma negali būti neigiama.")
    assert_accessible(page, "the new-project form with an error")
    assert not Project.objects.filter(code="ZARASAI-2015").exists()
    page.locator("#id_grant_amount").fill("10000")
    submit(page)
    project = Project.objects.get(code="ZARASAI-2015")
    assert_accessible(page, "the partners page")

    follow(page, page.get_by_role("link", name="Pridėti partnerį"))
    page.locator("#id_new_name").fill("Zarasų kultūros centras")
    page.locator("#id_new_type").select_option("culture_centre")
    page.locator("#id_new_municipality").select_option("zarasu-r")
    page.locator("#id_role").select_option("sending")
    assert_accessible(page, "the partner form")
    submit(page)
    expect(page.locator("main table")).to_contain_text("Zarasų kultūros centras")

    follow(page, page.get_by_role("link", name="Vietos", exact=True))
    follow(page, page.get_by_role("link", name="Pridėti vietą"))
    page.locator("#id_name").fill("Bibliotekos salė")
    submit(page)
    assert_accessible(page, "the venues page")

    follow(page, page.get_by_role("link", name="Veiklos", exact=True))
    follow(page, page.get_by_role("link", name="Pridėti veiklą"))
    page.locator("#id_kind").select_option("seminar")
    page.locator("#id_title").fill("Projektų valdymas")
    page.get_by_label("įstaigos vadovas").check()
    page.locator("#id_academic_hours").fill("8")
    assert_accessible(page, "the activity form")
    submit(page)

    follow(page, page.get_by_role("link", name="Pridėti grupę").first)
    page.locator("#id_name").fill("1 grupė")
    page.locator("#id_venue").select_option(label="Bibliotekos salė")
    page.locator("#id_start_date").fill("2015-03-02")
    page.locator("#id_end_date").fill("2015-03-02")
    assert_accessible(page, "the cohort form")
    submit(page)
    cohort = Cohort.objects.get(activity__project=project)
    assert_accessible(page, "the cohort page")

    follow(page, page.get_by_role("link", name="Pridėti užsiėmimą"))
    page.locator("#id_starts_at").fill("2015-03-02T10:00")
    page.locator("#id_ends_at").fill("2015-03-02T09:00")
    submit(page)
    expect(page.locator("main")).to_contain_text("Užsiėmimas turi baigtis vėliau, nei prasideda.")
    page.locator("#id_ends_at").fill("2015-03-02T16:00")
    assert_accessible(page, "the session form")
    submit(page)
    assert Session.objects.filter(cohort=cohort).count() == 1

    follow(page, page.get_by_role("link", name="Nariai", exact=True))
    assert_accessible(page, "the members page")
    follow(page, page.get_by_role("link", name="Veiksmų žurnalas"))
    expect(page.locator("main table")).to_contain_text("Sukurtas projektas")
    assert_accessible(page, "the audit log")
    assert errors == []


def test_people_and_public_pages_pass_axe_on_a_phone(new_context, live_server, world):
    context = new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/p/{world.project.code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.project.title)
    assert_accessible(page, "the public project page on a phone")
    login(page, live_server, world.alice.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/{world.project.code}/people/")
    expect(page.locator("main table")).to_contain_text("Jonaitė")
    assert_accessible(page, "the people list on a phone")
    page.locator("#id_q").fill("Petrait")
    expect(page.locator("#people-results tbody tr")).to_have_count(1)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{live_server.url}/projects/{world.project.code}/people/{world.person_a.pk}/")
    assert_accessible(page, "the person page on a phone")
