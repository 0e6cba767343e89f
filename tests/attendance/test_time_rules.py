"""Attendance is recorded only from ATTENDANCE_OPENS_BEFORE_MINUTES before a session starts;
completion is decided only after the cohort's last session has ended. A coordinator may set
either rule aside with a reason, which the audit log keeps."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kvalis import time_rules
from kvalis.attendance import checkin
from kvalis.attendance.models import Attendance, CompletionOverride
from kvalis.attendance.selectors import completion_for_enrolment
from kvalis.attendance.services import (
    Mark,
    attendance_check_in,
    attendance_record,
    completion_override_set,
)
from kvalis.audit.models import AuditEntry
from tests.factories import (
    VILNIUS,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    PersonFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 2, 10, 0, tzinfo=VILNIUS)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def session(world):
    """A session of world.cohort on 2027-03-02 10:00–16:00 (attendance opens at 09:30)."""
    world.session.starts_at = START
    world.session.ends_at = START + timedelta(hours=6)
    world.session.save()
    return world.session


@pytest.fixture
def enrolment(world):
    return EnrolmentFactory(cohort=world.cohort, person=PersonFactory(organisation=world.lead))


def _record(session, enrolment, actor, now, **kwargs):
    return attendance_record(
        session=session, marks=[Mark(enrolment.pk, "present")], actor=actor, now=now, **kwargs
    )


# --- attendance: the service at the boundary ------------------------------------------------


def test_attendance_is_refused_a_minute_before_it_opens(world, session, enrolment):
    with pytest.raises(ValidationError) as error:
        _record(session, enrolment, world.alice, START - timedelta(minutes=30) - MINUTE)
    assert time_rules.is_too_early(error.value)
    assert error.value.messages == [
        "Šio užsiėmimo lankomumą galima žymėti nuo 2027-03-02 09:30, likus 30 min. iki jo pradžios."
    ]
    assert not Attendance.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="attendance").exists()


def test_attendance_is_recorded_from_the_moment_it_opens(world, session, enrolment):
    assert _record(session, enrolment, world.alice, START - timedelta(minutes=30))["created"] == 1


def test_a_correction_after_the_session_stays_possible(world, session, enrolment):
    _record(session, enrolment, world.alice, START)
    result = attendance_record(
        session=session,
        marks=[Mark(enrolment.pk, "absent")],
        actor=world.alice,
        now=START + timedelta(days=40),
    )
    assert result["changed"] == 1
    assert Attendance.objects.get().status == "absent"


def test_the_opening_time_is_a_setting(world, session, enrolment, settings):
    settings.ATTENDANCE_OPENS_BEFORE_MINUTES = 10
    with pytest.raises(ValidationError):
        _record(session, enrolment, world.alice, START - timedelta(minutes=11))
    assert _record(session, enrolment, world.alice, START - timedelta(minutes=10))["created"] == 1


def test_self_check_in_follows_the_same_rule(world, session, enrolment):
    before = START - timedelta(minutes=30) - MINUTE
    with pytest.raises(ValidationError):
        attendance_check_in(session=session, enrolment=enrolment, actor=None, now=before)
    assert checkin.window(session)[0] == START - timedelta(minutes=30)
    assert attendance_check_in(
        session=session, enrolment=enrolment, actor=None, now=before + MINUTE
    )


# --- the override --------------------------------------------------------------------------


def test_a_coordinator_overrides_with_a_reason_and_it_is_audited(world, session, enrolment):
    now = START - timedelta(days=90)
    result = _record(
        session, enrolment, world.alice, now, override_reason="  Data įvesta klaidingai  "
    )
    assert result["created"] == 1
    entry = AuditEntry.objects.get(action=time_rules.OVERRIDE_ACTION)
    assert entry.actor == world.alice
    assert entry.project == world.project
    assert entry.data["rule"] == "attendance"
    assert entry.data["reason"] == "Data įvesta klaidingai"
    assert "Priežastis: Data įvesta klaidingai" in entry.summary


def test_an_override_without_a_reason_is_refused(world, session, enrolment):
    with pytest.raises(ValidationError) as error:
        _record(session, enrolment, world.alice, START - timedelta(days=1), override_reason=" ")
    assert error.value.messages == ["Parašykite, kodėl reikia šios laiko taisyklės išimties."]
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("who", ["trainer", "bob", "charlie"])
def test_only_coordinators_may_override(world, session, enrolment, trainer, who):
    actor = trainer if who == "trainer" else getattr(world, who)
    with pytest.raises(ValidationError) as error:
        _record(session, enrolment, actor, START - timedelta(days=1), override_reason="Skubu")
    assert error.value.messages == [
        "Šios laiko taisyklės išimtį gali padaryti tik projekto koordinatoriai arba svetainės "
        "administratorius."
    ]
    assert not Attendance.objects.exists()
    assert not AuditEntry.objects.filter(action=time_rules.OVERRIDE_ACTION).exists()


# --- attendance: through the pages (the real clock) -----------------------------------------


def _future_session(world, *, starts_in: timedelta):
    start = timezone.now() + starts_in
    return SessionFactory(cohort=world.cohort, starts_at=start, ends_at=start + timedelta(hours=2))


def _form_data(enrolment, **extra):
    return {"method": "form", f"status-{enrolment.pk}": "present", **extra}


def test_trainer_page_explains_the_rule_without_offering_an_override(
    client, world, trainer, enrolment
):
    future = _future_session(world, starts_in=timedelta(days=90))
    client.force_login(trainer)
    url = reverse("attendance:session", args=[world.project.code, future.pk])
    page = client.get(url).text
    assert "Šio užsiėmimo lankomumą galima žymėti nuo" in page
    assert 'name="override"' not in page
    response = client.post(url, _form_data(enrolment, override="1", override_reason="Noriu"))
    assert response.status_code == 200
    assert "tik projekto koordinatoriai" in response.text
    assert not Attendance.objects.exists()


def test_coordinator_page_offers_the_override_only_while_the_rule_refuses(client, world, enrolment):
    future = _future_session(world, starts_in=timedelta(days=90))
    soon = _future_session(world, starts_in=timedelta(minutes=29))
    client.force_login(world.alice)
    url = reverse("attendance:session", args=[world.project.code, future.pk])
    assert 'name="override"' in client.get(url).text
    soon_url = reverse("attendance:session", args=[world.project.code, soon.pk])
    assert 'name="override"' not in client.get(soon_url).text
    assert client.post(soon_url, _form_data(enrolment)).status_code == 302
    assert Attendance.objects.filter(session=soon).count() == 1


def test_coordinator_records_early_only_with_the_box_ticked_and_a_reason(client, world, enrolment):
    future = _future_session(world, starts_in=timedelta(minutes=31))
    client.force_login(world.alice)
    url = reverse("attendance:session", args=[world.project.code, future.pk])
    refused = client.post(url, _form_data(enrolment))
    assert refused.status_code == 200
    assert "galima žymėti nuo" in refused.text
    no_reason = client.post(url, _form_data(enrolment, override="1", override_reason=""))
    assert "Parašykite, kodėl reikia šios laiko taisyklės išimties." in no_reason.text
    assert not Attendance.objects.exists()
    done = client.post(
        url, _form_data(enrolment, override="1", override_reason="Užsiėmimas perkeltas")
    )
    assert done.status_code == 302
    assert Attendance.objects.filter(session=future).count() == 1
    assert AuditEntry.objects.get(action=time_rules.OVERRIDE_ACTION).data["reason"] == (
        "Užsiėmimas perkeltas"
    )


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_others_do_not_see_a_future_session(client, world, who):
    future = _future_session(world, starts_in=timedelta(days=90))
    client.force_login(getattr(world, who))
    url = reverse("attendance:session", args=[world.project.code, future.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"override": "1", "override_reason": "x"}).status_code == 404


def test_qr_check_in_before_the_window_records_nothing(client, world):
    future = _future_session(world, starts_in=timedelta(minutes=31))
    EnrolmentFactory(cohort=world.cohort, person=world.dana.person)
    client.force_login(world.dana)
    url = reverse("attendance:checkin_link", args=[future.public_id, checkin.token_for(future)])
    response = client.post(url)
    assert response.status_code == 200
    assert response.context["refusal"].code == "window"
    assert not Attendance.objects.exists()


# --- completion ----------------------------------------------------------------------------


@pytest.fixture
def attended(world, session, enrolment):
    AttendanceFactory(enrolment=enrolment, session=session, status="present")
    return enrolment


END = START + timedelta(hours=6)


def test_completion_follows_only_after_the_last_session_ended(attended):
    before = completion_for_enrolment_at(attended, END - MINUTE)
    assert before.hours_reached and not before.ended
    assert not before.completed
    after = completion_for_enrolment_at(attended, END)
    assert after.completed


def completion_for_enrolment_at(enrolment, now):
    from kvalis.attendance.selectors import completion_for_enrolments
    from kvalis.enrolment.models import Enrolment

    return completion_for_enrolments(Enrolment.objects.filter(pk=enrolment.pk), now=now)[
        enrolment.pk
    ]


def test_completion_override_is_refused_before_the_cohort_ends(world, attended):
    with pytest.raises(ValidationError) as error:
        completion_override_set(
            enrolment=attended,
            completed=True,
            reason="Dalyvavo",
            actor=world.alice,
            now=END - MINUTE,
        )
    assert time_rules.is_too_early(error.value)
    assert error.value.messages == [
        "Ar dalyvis baigė mokymus, sprendžiama tik pasibaigus paskutiniam grupės užsiėmimui "
        "(2027-03-02 16:00)."
    ]
    assert not CompletionOverride.objects.exists()


def test_completion_override_is_accepted_once_the_cohort_ended(world, attended):
    completion_override_set(
        enrolment=attended, completed=False, reason="Nedalyvavo", actor=world.alice, now=END
    )
    assert CompletionOverride.objects.get().completed is False


def test_completion_override_early_needs_a_coordinator_exception(world, attended, trainer):
    with pytest.raises(ValidationError):
        completion_override_set(
            enrolment=attended,
            completed=True,
            reason="Dalyvavo",
            actor=trainer,
            now=END - MINUTE,
            override_reason="Grupė baigė anksčiau",
        )
    completion_override_set(
        enrolment=attended,
        completed=True,
        reason="Dalyvavo",
        actor=world.alice,
        now=END - MINUTE,
        override_reason="Grupė baigė anksčiau",
    )
    assert completion_for_enrolment_at(attended, END - MINUTE).completed
    assert AuditEntry.objects.get(action=time_rules.OVERRIDE_ACTION).data["rule"] == "completion"


def test_a_cohort_without_sessions_has_nothing_to_complete(world):
    empty = CohortFactory(activity=world.activity, name="Be užsiėmimų")
    enrolment = EnrolmentFactory(cohort=empty)
    with pytest.raises(ValidationError) as error:
        completion_override_set(
            enrolment=enrolment, completed=True, reason="Taip", actor=world.alice
        )
    assert error.value.messages == [
        "Ši grupė neturi užsiėmimų, todėl jos dar niekas negalėjo baigti."
    ]


def test_completion_page_explains_and_offers_the_exception(client, world, enrolment):
    now = timezone.now()
    world.session.starts_at = now - timedelta(hours=1)
    world.session.ends_at = now + timedelta(hours=1)
    world.session.save()
    AttendanceFactory(enrolment=enrolment, session=world.session)
    client.force_login(world.alice)
    url = reverse("attendance:completion", args=[world.project.code, world.cohort.pk])
    page = client.get(url).text
    assert "sprendžiama tik pasibaigus paskutiniam grupės užsiėmimui" in page
    assert 'name="override"' in page
    data = {"enrolment": enrolment.pk, "decision": "completed", "reason": "Dalyvavo"}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert not CompletionOverride.objects.exists()
    done = client.post(url, {**data, "override": "1", "override_reason": "Baigė anksčiau"})
    assert done.status_code == 302
    assert CompletionOverride.objects.get().completed
    assert AuditEntry.objects.filter(action=time_rules.OVERRIDE_ACTION).count() == 1


def test_completion_page_of_an_ended_cohort_offers_no_exception(client, world, enrolment):
    client.force_login(world.alice)
    url = reverse("attendance:completion", args=[world.project.code, world.cohort.pk])
    assert 'name="override"' not in client.get(url).text


def test_completion_for_enrolment_uses_the_real_clock(world, enrolment):
    # world.session was held in 2014: long over.
    AttendanceFactory(enrolment=enrolment, session=world.session)
    assert completion_for_enrolment(enrolment).completed
