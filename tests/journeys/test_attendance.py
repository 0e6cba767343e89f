"""Attendance in a real browser: a trainer marks a session on a tablet (768×1024), and a
participant checks in on their phone by the QR link shown on the projector, in a second browser
context. The form and the check-in pages pass axe-core (WCAG 2.1 AA)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kvalis.attendance.models import Attendance
from tests.browser import assert_accessible, follow, login
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    CohortFactory,
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
    ProjectFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 375, "height": 812}
SURNAMES = ["Žukauskienė", "Šimkus", "Stankevičiūtė", "Čepulis", "Butkutė", "Ąžuolaitė"]


@pytest.fixture
def live_cohort(settings, live_server):
    """A project with a cohort whose session started ten minutes ago (check-in is open)."""
    settings.SITE_URL = live_server.url  # the QR code must lead to this very server
    project = ProjectFactory(code="UTENA-J", title="Kultūros darbuotojų kvalifikacija")
    PartnerFactory(project=project, organisation=project.lead, role="lead")
    library = OrganisationFactory(name="Molėtų viešoji biblioteka")
    PartnerFactory(project=project, organisation=library)
    coordinator = UserFactory(email="koordinatore@example.lt")
    MembershipFactory(project=project, user=coordinator, role="coordinator")
    activity = ActivityFactory(project=project, title="Jaunimui atviros erdvės")
    cohort = CohortFactory(activity=activity, name="1 grupė")
    start = timezone.now() - timedelta(minutes=10)
    session = SessionFactory(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=6))
    trainer = UserFactory(email="lektorius@example.lt")
    cohort.trainers.add(PersonFactory(user=trainer, first_name="Gediminas", last_name="Žemaitis"))
    enrolments = {
        name: EnrolmentFactory(
            cohort=cohort, person=PersonFactory(last_name=name, organisation=library)
        )
        for name in SURNAMES
    }
    participant = UserFactory(email="egle@example.lt")
    own = EnrolmentFactory(
        cohort=cohort,
        person=PersonFactory(
            user=participant, first_name="Eglė", last_name="Čepulytė", organisation=library
        ),
    )
    return {
        "project": project,
        "session": session,
        "trainer": trainer,
        "coordinator": coordinator,
        "participant": participant,
        "own": own,
        "enrolments": enrolments,
    }


def test_trainer_marks_attendance_on_a_tablet(live_cohort, new_context, live_server):
    context = new_context(viewport=TABLET, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, live_server, "lektorius@example.lt", PASSWORD)
    project, session = live_cohort["project"], live_cohort["session"]
    page.goto(f"{live_server.url}/projects/{project.code}/attendance/")
    follow(page, page.get_by_role("link", name="Lankomumo forma").first)
    expect(page.get_by_role("heading", name="Lankomumo forma")).to_be_visible()

    # The roster in Lithuanian order: Ą after A, Č after C, Š after S, Ž last.
    legends = page.locator(".roster-name").all_inner_texts()
    surnames = [text.split()[0] for text in legends]
    assert surnames == [
        "Ąžuolaitė",
        "Butkutė",
        "Čepulis",
        "Čepulytė",
        "Stankevičiūtė",
        "Šimkus",
        "Žukauskienė",
    ]
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"the form is {width}px wide on a 768px tablet"
    # Touch targets: every status button at least 44 px high.
    box = page.locator(".status-choice label").first.bounding_box()
    assert box["height"] >= 44, box
    assert_accessible(page, "the attendance form on a tablet")

    page.get_by_role("button", name="Visi dalyvavo").tap()
    late = page.get_by_role("group", name="Šimkus")
    late.get_by_text("Pavėlavo").tap()
    minutes = late.get_by_label("Dalyvauta minučių")
    expect(minutes).to_be_visible()
    minutes.fill("200")
    page.get_by_role("group", name="Butkutė").get_by_text("Nedalyvavo").tap()
    page.get_by_role("group", name="Čepulis").get_by_text("Pateisinta").tap()
    page.get_by_role("button", name="Išsaugoti lankomumą").tap()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_contain_text(
        "dalyvavo 4, pavėlavo 1, nedalyvavo 1, pateisinta 1"
    )

    rows = {
        a.enrolment.person.last_name: a
        for a in Attendance.objects.filter(session=session).select_related("enrolment__person")
    }
    assert len(rows) == 7
    assert (rows["Šimkus"].status, rows["Šimkus"].minutes_attended) == ("late", 200)
    assert rows["Butkutė"].status == "absent"
    assert rows["Čepulis"].status == "excused"
    assert rows["Žukauskienė"].status == "present"
    assert rows["Žukauskienė"].recorded_by == live_cohort["trainer"]


def test_participant_checks_in_by_the_qr_link_in_a_second_browser(
    live_cohort, page, new_context, live_server
):
    project, session = live_cohort["project"], live_cohort["session"]
    login(page, live_server, "koordinatore@example.lt", PASSWORD)
    page.goto(
        f"{live_server.url}/projects/{project.code}/attendance/sessions/{session.pk}/check-in/"
    )
    expect(page.locator(".checkin-qr svg")).to_be_visible()
    expect(page.locator(".checkin-count")).to_contain_text("Užsiregistravo: 0 iš 7")
    assert_accessible(page, "the check-in screen")
    link = page.locator("a.checkin-link").get_attribute("href")
    assert link.startswith(f"{live_server.url}/checkin/{session.public_id}/"), link

    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.set_default_timeout(15000)
    phone.goto(link)  # as if scanned: not signed in yet, so to the sign-in page and back
    assert "/accounts/login/" in phone.url
    phone.fill("input[name=username]", "egle@example.lt")
    phone.fill("input[name=password]", PASSWORD)
    follow(phone, "main button[type=submit]")
    assert phone.url == link, phone.url
    expect(phone.locator("main")).to_contain_text("Eglė Čepulytė")
    assert_accessible(phone, "the check-in confirmation on a phone")
    phone.get_by_role("button", name="Pažymėti, kad dalyvauju").tap()
    phone.wait_for_load_state("networkidle")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Jūs užsiregistravote")
    assert_accessible(phone, "the check-in result")

    row = Attendance.objects.get(session=session)
    assert (row.enrolment, row.status, row.method) == (live_cohort["own"], "present", "qr")

    # The projector's count follows (htmx refreshes it; a reload shows the same).
    page.reload()
    expect(page.locator(".checkin-count")).to_contain_text("Užsiregistravo: 1 iš 7")

    # Someone else using the same link is refused: not their session.
    other = new_context(viewport=PHONE).new_page()
    login(other, live_server, "lektorius@example.lt", PASSWORD)
    other.goto(link)
    expect(other.get_by_role("heading", level=1)).to_have_text("Užsiregistruoti nepavyko")
    expect(other.locator(".message.error")).to_contain_text("nesate patvirtintas")
    assert_accessible(other, "a refused check-in")
    assert Attendance.objects.count() == 1


def test_typed_code_page_is_accessible(live_cohort, new_context, live_server):
    from kvalis.attendance.checkin import code_for

    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.set_default_timeout(15000)
    login(phone, live_server, "egle@example.lt", PASSWORD)
    phone.goto(f"{live_server.url}/checkin/")
    assert_accessible(phone, "the typed check-in code page")
    phone.get_by_label("Registracijos kodas").fill("ZZZZZZ")
    phone.get_by_role("button", name="Užsiregistruoti").tap()
    expect(phone.locator(".errorlist")).to_contain_text("Kodas neteisingas")
    assert_accessible(phone, "a refused typed code")
    phone.get_by_label("Registracijos kodas").fill(code_for(live_cohort["session"]).lower())
    phone.get_by_role("button", name="Užsiregistruoti").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Jūs užsiregistravote")
    assert Attendance.objects.get().enrolment == live_cohort["own"]


def test_coordinator_pages_are_accessible(live_cohort, page, live_server):
    project, session = live_cohort["project"], live_cohort["session"]
    own = live_cohort["own"]
    Attendance.objects.create(enrolment=own, session=session, status="late", minutes_attended=90)
    login(page, live_server, "koordinatore@example.lt", PASSWORD)
    base = f"{live_server.url}/projects/{project.code}"
    for path, what in [
        ("/attendance/", "the attendance overview"),
        (f"/attendance/cohorts/{session.cohort_id}/completion/", "the completion page"),
        ("/hours/", "the hours ledger"),
        (f"/hours/{own.person_id}/", "a person's hours"),
    ]:
        page.goto(base + path)
        assert_accessible(page, what)
    page.goto(f"{base}/attendance/cohorts/{session.cohort_id}/completion/")
    page.locator(f"#enrolment-{own.pk} summary").click()
    page.locator(f"#reason-{own.pk}").fill("Dalyvavo nuotoliniu būdu")
    follow(page, page.locator(f"#enrolment-{own.pk}").get_by_role("button", name="Išsaugoti"))
    expect(page.locator(f"#enrolment-{own.pk}")).to_contain_text("Dalyvavo nuotoliniu būdu")
    assert_accessible(page, "the completion page after an override")
    page.goto(f"{live_server.url}/my/hours/")
    assert_accessible(page, "my hours (no participant record)")
