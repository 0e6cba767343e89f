"""The attendance pages: who may open them, and what they do."""

import re
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kvalis.attendance.models import Attendance, CompletionOverride
from kvalis.audit.models import AuditEntry
from tests.factories import (
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Lithuanian order: Č after C, Š after S, Y with I, Ž after Z.
SURNAMES = ["Žukas", "Šimkus", "Stankus", "Čepas", "Cibas", "Ydra", "Įgėla", "Jonas"]
LT_ORDER = ["Cibas", "Čepas", "Ydra", "Įgėla", "Jonas", "Stankus", "Šimkus", "Žukas"]


@pytest.fixture
def roster(world):
    return [
        EnrolmentFactory(
            cohort=world.cohort,
            person=PersonFactory(last_name=name, organisation=world.partner_b.organisation),
        )
        for name in SURNAMES
    ]


def url(name, world, *extra):
    return reverse(f"attendance:{name}", args=[world.project.code, *extra])


def positions(text, names):
    return [text.index(f">{name} ") for name in names]


SESSION_PAGES = ["session", "checkin_screen", "signin_sheet"]


@pytest.mark.parametrize("page", SESSION_PAGES)
def test_coordinator_and_trainer_open_session_pages(client, world, trainer, page):
    for user in (world.alice, trainer):
        client.force_login(user)
        assert client.get(url(page, world, world.session.pk)).status_code == 200


@pytest.mark.parametrize("page", SESSION_PAGES)
def test_partner_coordinator_and_outsider_get_404_for_session_pages(client, world, page):
    for user in (world.bob, world.charlie):
        client.force_login(user)
        assert client.get(url(page, world, world.session.pk)).status_code == 404


@pytest.mark.parametrize("page", SESSION_PAGES)
def test_trainer_of_another_cohort_gets_404(client, world, page):
    user = UserFactory()
    other = CohortFactory(activity=world.activity)
    other.trainers.add(PersonFactory(user=user))
    client.force_login(user)
    assert client.get(url(page, world, world.session.pk)).status_code == 404


def test_index_lists_only_the_trainers_own_cohorts(client, world, trainer):
    other = CohortFactory(activity=world.activity, name="Svetima grupė")
    SessionFactory(cohort=other)
    client.force_login(trainer)
    response = client.get(url("index", world))
    assert response.status_code == 200
    assert world.cohort.name in response.text
    assert "Svetima grupė" not in response.text
    client.force_login(world.alice)
    assert "Svetima grupė" in client.get(url("index", world)).text


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_index_refuses_partner_and_outsider(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url("index", world)).status_code == 404


def test_form_lists_the_roster_in_lithuanian_order_all_present(client, world, roster):
    EnrolmentFactory(
        cohort=world.cohort, status="cancelled", person=PersonFactory(last_name="Atšauktas")
    )
    client.force_login(world.alice)
    response = client.get(url("session", world, world.session.pk))
    text = response.text
    found = positions(text, LT_ORDER)
    assert found == sorted(found)
    assert "Atšauktas" not in text
    checked = re.findall(r'<input type="radio"[^>]*value="(\w+)"[^>]*checked', text)
    assert checked == ["present"] * 8


def post_marks(client, world, roster, changes=None, method="form"):
    data = {"method": method}
    for enrolment in roster:
        data[f"status-{enrolment.pk}"] = "present"
        data[f"minutes-{enrolment.pk}"] = ""
    for enrolment, (status, minutes) in (changes or {}).items():
        data[f"status-{enrolment.pk}"] = status
        data[f"minutes-{enrolment.pk}"] = minutes
    return client.post(url("session", world, world.session.pk), data)


def test_trainer_saves_all_present_then_exceptions(client, world, trainer, roster):
    client.force_login(trainer)
    response = post_marks(
        client, world, roster, {roster[0]: ("late", "120"), roster[1]: ("absent", "")}
    )
    assert response.status_code == 302
    rows = {a.enrolment_id: a for a in Attendance.objects.all()}
    assert len(rows) == 8
    assert (rows[roster[0].pk].status, rows[roster[0].pk].minutes_attended) == ("late", 120)
    assert rows[roster[1].pk].status == "absent"
    assert rows[roster[2].pk].status == "present"
    assert {r.method for r in rows.values()} == {"form"}
    assert {r.recorded_by for r in rows.values()} == {trainer}
    assert AuditEntry.objects.filter(action="attendance.record", actor=trainer).count() == 1


def test_minutes_left_in_the_box_of_a_non_late_row_are_ignored(client, world, roster):
    client.force_login(world.alice)
    post_marks(client, world, roster, {roster[0]: ("present", "30")})
    assert Attendance.objects.get(enrolment=roster[0]).minutes_attended is None


def test_paper_sheet_mode_records_method_sheet(client, world, roster):
    client.force_login(world.alice)
    page = client.get(url("session", world, world.session.pk) + "?mode=sheet")
    assert 'value="sheet"' in page.text
    response = post_marks(client, world, roster, method="sheet")
    assert response.status_code == 302
    assert set(Attendance.objects.values_list("method", flat=True)) == {"sheet"}


@pytest.mark.parametrize(
    "change, message",
    [
        (("late", ""), "Įveskite, kiek užsiėmimo minučių"),
        (("late", "0"), "1"),
        (("late", "421"), "420"),
        (("sleeping", ""), "nėra galimas pasirinkimas"),
    ],
)
def test_bad_marks_change_nothing_and_say_why(client, world, roster, change, message):
    client.force_login(world.alice)
    response = post_marks(client, world, roster, {roster[3]: change})
    assert response.status_code == 200
    assert message in response.text
    assert "niekas neišsaugota" in response.text
    assert not Attendance.objects.exists()


def test_partner_coordinator_cannot_post_attendance(client, world, roster):
    client.force_login(world.bob)
    assert post_marks(client, world, roster).status_code == 404
    assert not Attendance.objects.exists()


def test_checkin_screen_shows_a_qr_and_code_and_refreshes_by_htmx(client, world, trainer):
    from kvalis.attendance.checkin import code_for

    client.force_login(trainer)
    page = client.get(url("checkin_screen", world, world.session.pk))
    assert "<svg" in page.text
    now = timezone.now()
    codes = {code_for(world.session, now), code_for(world.session, now - timedelta(minutes=1))}
    assert any(code in page.text for code in codes)
    assert 'hx-trigger="every 20s"' in page.text
    assert f"/checkin/{world.session.public_id}/" in page.text
    partial = client.get(url("checkin_screen", world, world.session.pk), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.text
    assert 'id="checkin-live"' in partial.text


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_signin_sheet_pdf_has_exact_diacritics_and_lithuanian_order(client, world, roster, trainer):
    world.activity.title = "Jaunimui atviros erdvės kultūros įstaigose"
    world.activity.save()
    client.force_login(world.alice)
    response = client.get(url("signin_sheet", world, world.session.pk))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Pasirašymo lapas" in text
    assert "Jaunimui atviros erdvės kultūros įstaigose" in text
    assert "Molėtų biblioteka" in text  # employer
    assert "Žemaitis" in text  # trainer
    assert "Parašas" in text
    found = [text.index(f"{name} Ona") for name in LT_ORDER]
    assert found == sorted(found)


def test_completion_page_and_override(client, world, roster):
    second = SessionFactory(cohort=world.cohort, starts_at=world.session.starts_at.replace(day=8))
    for enrolment in roster:
        AttendanceFactory(enrolment=enrolment, session=world.session)
        AttendanceFactory(enrolment=enrolment, session=second)
    Attendance.objects.filter(enrolment=roster[0], session=second).update(status="absent")
    client.force_login(world.alice)
    page = client.get(url("completion", world, world.cohort.pk))
    assert page.status_code == 200
    assert "Baigė: 7 iš 8." in page.text
    response = client.post(
        url("completion", world, world.cohort.pk),
        {"enrolment": roster[0].pk, "decision": "completed", "reason": "Atliko užduotį namie"},
    )
    assert response.status_code == 302
    override = CompletionOverride.objects.get()
    assert (override.enrolment, override.completed, override.set_by) == (
        roster[0],
        True,
        world.alice,
    )
    assert "Baigė: 8 iš 8." in client.get(url("completion", world, world.cohort.pk)).text
    assert AuditEntry.objects.filter(action="attendance.completion_override_set").exists()


def test_override_without_reason_is_refused(client, world, roster):
    client.force_login(world.alice)
    response = client.post(
        url("completion", world, world.cohort.pk),
        {"enrolment": roster[0].pk, "decision": "completed", "reason": " "},
    )
    assert response.status_code == 400
    assert "Parašykite, kodėl" in response.text
    assert not CompletionOverride.objects.exists()


def test_override_of_an_enrolment_of_another_cohort_is_404(client, world):
    stranger = EnrolmentFactory(cohort=CohortFactory(activity=world.activity))
    client.force_login(world.alice)
    response = client.post(
        url("completion", world, world.cohort.pk),
        {"enrolment": stranger.pk, "decision": "completed", "reason": "x"},
    )
    assert response.status_code == 404
    assert not CompletionOverride.objects.exists()


def test_trainer_sees_completion_but_cannot_override(client, world, trainer, roster):
    client.force_login(trainer)
    assert client.get(url("completion", world, world.cohort.pk)).status_code == 200
    response = client.post(
        url("completion", world, world.cohort.pk),
        {"enrolment": roster[0].pk, "decision": "completed", "reason": "x"},
    )
    assert response.status_code == 404
    assert not CompletionOverride.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_completion_refuses_partner_and_outsider(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(url("completion", world, world.cohort.pk)).status_code == 404


@pytest.fixture
def ledger(world):
    a = EnrolmentFactory(cohort=world.cohort, person=world.person_a)
    b = EnrolmentFactory(cohort=world.cohort, person=world.person_b)
    AttendanceFactory(enrolment=a, session=world.session)
    AttendanceFactory(enrolment=b, session=world.session, status="late", minutes_attended=100)
    return a, b


def test_coordinator_sees_everyones_hours(client, world, ledger):
    client.force_login(world.alice)
    text = client.get(url("hours", world)).text
    assert "Jonaitė" in text and "Petraitė" in text
    assert ">8<" in text and ">2,2<" in text


def test_partner_coordinator_sees_only_own_peoples_hours(client, world, ledger):
    client.force_login(world.bob)
    response = client.get(url("hours", world))
    assert response.status_code == 200
    assert "Petraitė" in response.text
    assert "Jonaitė" not in response.text
    assert client.get(url("person_hours", world, world.person_a.pk)).status_code == 404
    own = client.get(url("person_hours", world, world.person_b.pk))
    assert own.status_code == 200
    assert "2,2" in own.text


def test_outsider_and_trainer_cannot_see_the_ledger(client, world, trainer, ledger):
    for user in (world.charlie, trainer):
        client.force_login(user)
        assert client.get(url("hours", world)).status_code == 404
        assert client.get(url("hours_csv", world)).status_code == 404
        assert client.get(url("person_hours", world, world.person_a.pk)).status_code == 404


def test_person_ledger_totals_per_activity_project_and_year(client, world, ledger):
    client.force_login(world.alice)
    text = client.get(url("person_hours", world, world.person_a.pk)).text
    assert "2014" in text
    assert "Iš viso akademinių valandų" in text
    assert world.activity.title in text


def test_ledger_exports_are_scoped(client, world, ledger):
    client.force_login(world.bob)
    csv_text = client.get(url("hours_csv", world)).content.decode("utf-8-sig")
    assert "Petraitė" in csv_text and "Jonaitė" not in csv_text
    assert "2,2" in csv_text
    client.force_login(world.alice)
    xlsx = client.get(url("hours_xlsx", world))
    assert xlsx.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(xlsx.content))
    assert book.sheetnames == ["Užsiėmimai", "Suvestinė"]
    surnames = [row[0].value for row in book["Užsiėmimai"].iter_rows(min_row=2)]
    assert surnames == ["Jonaitė", "Petraitė"]
    hours = [row[4].value for row in book["Suvestinė"].iter_rows(min_row=2)]
    assert [Decimal(str(h)) for h in hours] == [Decimal("8"), Decimal("2.2")]


def test_my_hours_shows_own_hours_only(client, world, participant):
    user, enrolment = participant
    AttendanceFactory(
        enrolment=enrolment, session=world.session, status="late", minutes_attended=200
    )
    other = EnrolmentFactory(cohort=world.cohort, person=world.person_a)
    AttendanceFactory(enrolment=other, session=world.session)
    client.force_login(user)
    response = client.get(reverse("attendance:my_hours"))
    assert response.status_code == 200
    assert "4,4" in response.text
    assert world.activity.title in response.text
    assert 'aria-current="page"' in response.text


def test_my_hours_without_a_person_says_so(client, world):
    client.force_login(world.charlie)
    response = client.get(reverse("attendance:my_hours"))
    assert response.status_code == 200
    assert "nesusieta" in response.text


def test_my_hours_needs_sign_in(client):
    assert client.get(reverse("attendance:my_hours")).status_code == 302
