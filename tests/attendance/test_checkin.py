"""QR self check-in and the typed code: who may check in, when, and with which code."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kvalis.attendance import checkin
from kvalis.attendance.models import Attendance
from kvalis.attendance.views import SCANS_KEY
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


def link(session, moment=None):
    return reverse(
        "attendance:checkin_link", args=[session.public_id, checkin.token_for(session, moment)]
    )


def test_token_and_code_change_every_minute(live_session):
    now = timezone.now()
    later = now + timedelta(minutes=1)
    assert checkin.token_for(live_session, now) != checkin.token_for(live_session, later)
    assert checkin.code_for(live_session, now) != checkin.code_for(live_session, later)
    assert len(checkin.code_for(live_session, now)) == 6


def test_previous_minutes_token_is_accepted_older_is_not(live_session):
    now = timezone.now()
    checkin.verify_token(
        live_session, checkin.token_for(live_session, now - timedelta(seconds=60)), now
    )
    with pytest.raises(checkin.CheckInRefused) as refused:
        checkin.verify_token(
            live_session, checkin.token_for(live_session, now - timedelta(minutes=2)), now
        )
    assert refused.value.code == "expired"


def test_participant_checks_in_by_the_link(client, participant, live_session):
    user, enrolment = participant
    client.force_login(user)
    url = link(live_session)
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Čepulytė" in confirm.text
    assert not Attendance.objects.exists()  # opening the link records nothing
    response = client.post(url)
    assert response.status_code == 200
    when = timezone.localtime(live_session.starts_at).strftime("%Y-%m-%d %H:%M")
    title = live_session.cohort.activity.title
    assert f"Jūs pažymėtas kaip dalyvaujantis: „{title}“, {when}." in response.text
    row = Attendance.objects.get()
    assert (row.enrolment, row.session, row.status, row.method) == (
        enrolment,
        live_session,
        "present",
        "qr",
    )
    assert row.recorded_by == user
    assert AuditEntry.objects.filter(action="attendance.check_in").count() == 1


def test_checking_in_twice_records_once(client, participant, live_session):
    user, _enrolment = participant
    client.force_login(user)
    client.post(link(live_session))
    again = client.post(link(live_session))
    assert again.status_code == 200
    assert Attendance.objects.count() == 1
    assert AuditEntry.objects.filter(action="attendance.check_in").count() == 1


def test_check_in_turns_an_absent_mark_into_present(client, participant, live_session):
    user, enrolment = participant
    AttendanceFactory(enrolment=enrolment, session=live_session, status="absent")
    client.force_login(user)
    client.post(link(live_session))
    assert Attendance.objects.get().status == "present"


def assert_refused(response, text):
    assert response.status_code == 200
    assert text in response.text, response.text
    assert not Attendance.objects.exists()


def test_code_of_another_session_is_refused(client, participant, live_session, world):
    user, _enrolment = participant
    other = SessionFactory(
        cohort=CohortFactory(activity=world.activity),
        starts_at=live_session.starts_at,
        ends_at=live_session.ends_at,
    )
    token = checkin.token_for(other)
    client.force_login(user)
    url = reverse("attendance:checkin_link", args=[live_session.public_id, token])
    assert_refused(client.post(url), "ne šio užsiėmimo")


def test_expired_code_is_refused(client, participant, live_session):
    user, _enrolment = participant
    client.force_login(user)
    url = link(live_session, timezone.now() - timedelta(minutes=5))
    assert_refused(client.post(url), "nebegalioja")


def test_person_not_enrolled_is_refused(client, live_session):
    stranger = UserFactory()
    PersonFactory(user=stranger)
    client.force_login(stranger)
    assert_refused(client.post(link(live_session)), "nesate patvirtintas")


def test_waiting_list_enrolment_cannot_check_in(client, world, live_session):
    user = UserFactory()
    EnrolmentFactory(
        cohort=world.cohort, person=PersonFactory(user=user), status="waiting", waiting_position=1
    )
    client.force_login(user)
    assert_refused(client.post(link(live_session)), "nesate patvirtintas")


def test_check_in_outside_the_window_is_refused(client, participant, world):
    user, _enrolment = participant
    start = timezone.now() + timedelta(hours=3)
    later = SessionFactory(cohort=world.cohort, starts_at=start, ends_at=start + timedelta(hours=2))
    client.force_login(user)
    assert_refused(client.post(link(later)), "galima tik")


def test_check_in_an_hour_and_more_after_the_start_is_refused(client, participant, world):
    user, _enrolment = participant
    start = timezone.now() - timedelta(minutes=61)
    late = SessionFactory(cohort=world.cohort, starts_at=start, ends_at=start + timedelta(hours=4))
    client.force_login(user)
    assert_refused(client.post(link(late)), "galima tik")


def test_a_participant_of_another_cohort_cannot_check_in_for_someone_else(
    client, participant, world, live_session
):
    """Bob's enrolment elsewhere gives him nothing here; Eglė's enrolment stays unmarked."""
    other_user = UserFactory()
    EnrolmentFactory(
        cohort=CohortFactory(activity=world.activity), person=PersonFactory(user=other_user)
    )
    client.force_login(other_user)
    assert_refused(client.post(link(live_session)), "nesate patvirtintas")


def test_check_in_marks_only_the_users_own_enrolment(client, participant, world, live_session):
    user, enrolment = participant
    neighbour = EnrolmentFactory(cohort=world.cohort)
    client.force_login(user)
    client.post(link(live_session))
    assert list(Attendance.objects.values_list("enrolment_id", flat=True)) == [enrolment.pk]
    assert not Attendance.objects.filter(enrolment=neighbour).exists()


def test_unknown_session_is_refused_not_404(client, participant):
    import uuid

    user, _enrolment = participant
    client.force_login(user)
    url = reverse("attendance:checkin_link", args=[uuid.uuid4(), "abc-DEF"])
    assert_refused(client.get(url), "ne šio užsiėmimo")


def test_anonymous_is_sent_to_sign_in_and_back(client, live_session):
    url = link(live_session)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


def test_a_link_scanned_before_signing_in_stays_good_for_a_few_minutes(
    client, participant, live_session
):
    user, _enrolment = participant
    scanned_at = timezone.now() - timedelta(minutes=4)
    token = checkin.token_for(live_session, scanned_at)
    url = reverse("attendance:checkin_link", args=[live_session.public_id, token])
    client.force_login(user)
    assert_refused(client.post(url), "nebegalioja")  # without the scan: expired
    session = client.session
    session[SCANS_KEY] = {token: scanned_at.isoformat()}
    session.save()
    client.post(url)
    assert Attendance.objects.get().status == "present"


def test_anonymous_scan_is_remembered_through_sign_in(client, participant, live_session):
    user, _enrolment = participant
    url = link(live_session)
    client.get(url)
    assert url.rsplit("/", 2)[-2] in client.session[SCANS_KEY]
    client.force_login(user)  # keeps the session data, like the sign-in form
    assert client.post(url).status_code == 200
    assert Attendance.objects.count() == 1


def test_typed_code_checks_in_case_insensitively(client, participant, live_session):
    user, enrolment = participant
    client.force_login(user)
    code = checkin.code_for(live_session).lower()
    response = client.post(reverse("attendance:checkin"), {"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 200
    row = Attendance.objects.get()
    assert (row.enrolment, row.method) == (enrolment, "qr")


def test_wrong_typed_code_is_refused(client, participant, live_session):
    user, _enrolment = participant
    client.force_login(user)
    code = checkin.code_for(live_session)
    wrong = ("A" if code[0] != "A" else "C") + code[1:]
    response = client.post(reverse("attendance:checkin"), {"code": wrong})
    assert response.status_code == 400
    assert "neteisingas" in response.text
    assert not Attendance.objects.exists()


def test_expired_typed_code_is_refused(client, participant, live_session):
    user, _enrolment = participant
    client.force_login(user)
    code = checkin.code_for(live_session, timezone.now() - timedelta(minutes=3))
    response = client.post(reverse("attendance:checkin"), {"code": code})
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_typed_code_of_a_session_not_open_is_refused(client, participant, world):
    user, _enrolment = participant
    start = timezone.now() + timedelta(hours=2)
    later = SessionFactory(cohort=world.cohort, starts_at=start, ends_at=start + timedelta(hours=2))
    client.force_login(user)
    response = client.post(reverse("attendance:checkin"), {"code": checkin.code_for(later)})
    assert response.status_code == 400
    assert "galima tik" in response.text
    assert not Attendance.objects.exists()


def test_typed_code_page_needs_sign_in(client):
    response = client.get(reverse("attendance:checkin"))
    assert response.status_code == 302
