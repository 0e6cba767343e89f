"""Past is past: an ended cohort's enrolments are not cancelled, nobody is promoted into it, and
a coordinator's correction needs a written reason (audited) and no valid certificate."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kvalis.audit.models import AuditEntry
from kvalis.enrolment import services
from kvalis.enrolment.selectors import cohort_has_ended
from tests.factories import (
    CertificateFactory,
    CohortFactory,
    EnrolmentFactory,
    PersonFactory,
    QuotaFactory,
    SessionFactory,
)


@pytest.fixture
def ended(world):
    """world.cohort (its one session in April 2014), full at capacity 1: person_b confirmed
    through bob's partner, and one person waiting."""
    cohort = world.cohort
    cohort.capacity = 1
    cohort.save()
    seat = EnrolmentFactory(cohort=cohort, person=world.person_b, partner=world.partner_b)
    waiting = EnrolmentFactory(
        cohort=cohort,
        person=PersonFactory(organisation=world.lead),
        status="waiting",
        waiting_position=1,
    )
    return cohort, seat, waiting


def cancel_url(world, enrolment):
    return reverse("enrolment:cancel", args=[world.project.code, enrolment.pk])


def assert_unchanged(seat, waiting):
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert seat.status == "confirmed"
    assert waiting.status == "waiting" and waiting.waiting_position == 1
    assert not AuditEntry.objects.filter(action__in=["enrolment.cancel", "enrolment.promote"])


# --- when a cohort is over --------------------------------------------------------------------


def test_a_cohort_is_over_when_its_last_session_has_ended(world):
    cohort = CohortFactory(activity=world.activity)
    first = SessionFactory(cohort=cohort)
    last = SessionFactory(cohort=cohort, starts_at=first.starts_at + timedelta(days=1))
    assert not cohort_has_ended(cohort, now=first.ends_at + timedelta(hours=1))
    assert not cohort_has_ended(cohort, now=last.ends_at - timedelta(minutes=1))
    assert cohort_has_ended(cohort, now=last.ends_at)


def test_a_cohort_without_sessions_is_over_after_its_end_date(world):
    cohort = CohortFactory(
        activity=world.activity, start_date=date(2014, 5, 5), end_date=date(2014, 5, 6)
    )
    on = datetime(2014, 5, 6, 23, 0, tzinfo=timezone.get_current_timezone())
    assert not cohort_has_ended(cohort, now=on)
    assert cohort_has_ended(cohort, now=on + timedelta(hours=2))


# --- no cancellation, no promotion -------------------------------------------------------------


def test_cancelling_an_ended_cohorts_enrolment_is_refused_and_nobody_is_promoted(
    world, ended, mailoutbox, django_capture_on_commit_callbacks
):
    _cohort, seat, waiting = ended
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValidationError) as caught,
    ):
        services.enrolment_cancel(actor=world.bob, enrolment=seat)
    assert caught.value.messages == [
        "Ši grupė jau baigėsi: jos dalyvių sąrašas lieka toks, koks buvo."
    ]
    assert_unchanged(seat, waiting)
    assert mailoutbox == []


def test_nobody_is_promoted_into_an_ended_cohort(world, ended):
    cohort, seat, waiting = ended
    seat.status = "cancelled"
    seat.save()
    assert services.cohort_promote_waiting(cohort=cohort, actor=world.alice) == []
    waiting.refresh_from_db()
    assert waiting.status == "waiting"


def test_more_seats_in_an_ended_cohort_promote_nobody(world, ended, mailoutbox):
    cohort, _seat, waiting = ended
    services.cohort_capacity_set(actor=world.alice, cohort=cohort, capacity=5)
    services.quota_set(
        actor=world.alice, cohort=cohort, partner=world.partner_b, seats=0, release_on=None
    )
    waiting.refresh_from_db()
    assert waiting.status == "waiting" and waiting.waiting_position == 1
    assert not AuditEntry.objects.filter(action="enrolment.promote").exists()


def test_a_quota_released_on_the_day_the_cohort_ended_promotes_nobody(world):
    """The daily release runs for cohorts starting today or later: one that started and ended
    today (its one session is over) gets nobody promoted into it."""
    now = timezone.now()
    day = timezone.localdate(now - timedelta(minutes=2))
    cohort = CohortFactory(activity=world.activity, start_date=day, end_date=day, capacity=2)
    SessionFactory(
        cohort=cohort, starts_at=now - timedelta(minutes=2), ends_at=now - timedelta(minutes=1)
    )
    EnrolmentFactory(cohort=cohort, person=world.person_a)
    QuotaFactory(cohort=cohort, partner=world.partner_b, seats=1, release_on=day)
    waiting = EnrolmentFactory(
        cohort=cohort,
        person=PersonFactory(organisation=world.lead),
        status="waiting",
        waiting_position=1,
    )
    assert services.quotas_release_due() == 0
    waiting.refresh_from_db()
    assert waiting.status == "waiting"


def test_rejecting_a_waiting_person_of_an_ended_cohort_promotes_nobody(world, ended):
    cohort, seat, waiting = ended
    other = EnrolmentFactory(
        cohort=cohort,
        person=PersonFactory(organisation=world.lead),
        status="waiting",
        waiting_position=2,
    )
    cohort.capacity = 3
    cohort.save()
    services.enrolment_reject(actor=world.alice, enrolment=waiting)
    other.refresh_from_db()
    assert other.status == "waiting" and other.waiting_position == 1


def test_an_application_to_an_ended_cohort_is_not_approved_into_a_seat(world, ended):
    """Approval places the person as promotion does: not into what is over."""
    cohort, _seat, _waiting = ended
    cohort.capacity = 5
    cohort.save()
    applicant = EnrolmentFactory(cohort=cohort, status="applied")
    with pytest.raises(ValidationError) as caught:
        services.enrolment_approve(actor=world.alice, enrolment=applicant)
    assert caught.value.messages == ["Ši grupė jau baigėsi: paraiškų į ją nebegalima patvirtinti."]
    applicant.refresh_from_db()
    assert applicant.status == "applied"


def test_moving_out_of_or_into_an_ended_cohort_is_refused(world, ended, future_cohort):
    cohort, seat, waiting = ended
    with pytest.raises(ValidationError) as caught:
        services.enrolment_move(actor=world.alice, enrolment=seat, to_cohort=future_cohort)
    assert caught.value.messages == ["Ši grupė jau baigėsi: iš jos dalyvių perkelti nebegalima."]
    assert_unchanged(seat, waiting)
    upcoming = EnrolmentFactory(cohort=future_cohort, person=world.person_a)
    with pytest.raises(ValidationError) as caught:
        services.enrolment_move(actor=world.alice, enrolment=upcoming, to_cohort=cohort)
    assert caught.value.messages == ["Ta grupė jau baigėsi: į ją dalyvių perkelti nebegalima."]
    upcoming.refresh_from_db()
    assert upcoming.cohort == future_cohort and upcoming.status == "confirmed"


def test_the_demo_as_of_a_date_before_the_cohort_still_cancels_and_promotes(world, ended):
    """Services given `today` judge the cohort as of that day (the demo enrols "as of" 2014)."""
    _cohort, seat, waiting = ended
    services.enrolment_cancel(actor=world.alice, enrolment=seat, today=date(2014, 3, 15))
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


# --- a coordinator's correction ---------------------------------------------------------------


def test_a_coordinator_corrects_an_ended_cohort_with_a_reason_and_no_promotion(
    world, ended, mailoutbox, django_capture_on_commit_callbacks
):
    _cohort, seat, waiting = ended
    with pytest.raises(ValidationError) as caught:
        services.enrolment_correct(actor=world.alice, enrolment=seat, reason="  ")
    assert caught.value.messages == ["Parašykite, kodėl taisote baigusios grupės sąrašą."]
    with django_capture_on_commit_callbacks(execute=True):
        corrected = services.enrolment_correct(
            actor=world.alice, enrolment=seat, reason="Užregistruota per klaidą, nedalyvavo"
        )
    assert corrected.status == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == "waiting"
    entry = AuditEntry.objects.get(action="enrolment.correct")
    assert entry.actor == world.alice and entry.project == world.project
    assert entry.data["reason"] == "Užregistruota per klaidą, nedalyvavo"
    assert entry.data["from"] == "confirmed"
    assert not AuditEntry.objects.filter(action="enrolment.promote").exists()
    assert mailoutbox == []


def test_a_correction_is_refused_while_the_certificate_is_valid(world, ended):
    _cohort, seat, waiting = ended
    certificate = CertificateFactory(enrolment=seat)
    with pytest.raises(ValidationError) as caught:
        services.enrolment_correct(actor=world.alice, enrolment=seat, reason="Klaida")
    assert caught.value.messages == [
        f"{seat.person.full_name} turi galiojantį šios grupės pažymėjimą: pirmiausia jį "
        "panaikinkite pažymėjimo puslapyje."
    ]
    assert_unchanged(seat, waiting)
    from kvalis.certificates.services import certificate_revoke

    certificate_revoke(
        certificate=certificate, actor=world.alice, reason="Nedalyvavo", statement="issued_in_error"
    )
    corrected = services.enrolment_correct(actor=world.alice, enrolment=seat, reason="Klaida")
    assert corrected.status == "cancelled"


def test_a_correction_is_only_for_an_ended_cohort(world, future_cohort):
    enrolment = EnrolmentFactory(cohort=future_cohort, person=world.person_a)
    with pytest.raises(ValidationError):
        services.enrolment_correct(actor=world.alice, enrolment=enrolment, reason="Klaida")


# --- the pages ----------------------------------------------------------------------------------


def test_partner_coordinator_cannot_cancel_in_an_ended_cohort_and_is_told_why(
    client, world, ended, mailoutbox
):
    _cohort, seat, waiting = ended
    client.force_login(world.bob)
    page = client.get(cancel_url(world, seat))
    assert page.status_code == 200
    assert "Ši grupė jau baigėsi" in page.text and 'name="reason"' not in page.text
    response = client.post(cancel_url(world, seat), follow=True)
    assert "Ši grupė jau baigėsi" in response.text
    assert_unchanged(seat, waiting)
    assert mailoutbox == []


def test_coordinator_corrects_an_ended_cohort_through_the_page_with_a_required_reason(
    client, world, ended, mailoutbox
):
    _cohort, seat, waiting = ended
    client.force_login(world.alice)
    page = client.get(cancel_url(world, seat))
    assert page.status_code == 200
    assert 'name="reason"' in page.text and "required" in page.text
    refused = client.post(cancel_url(world, seat), {"reason": ""})
    assert refused.status_code == 200
    assert "Parašykite, kodėl taisote baigusios grupės sąrašą." in refused.text
    assert_unchanged(seat, waiting)
    done = client.post(cancel_url(world, seat), {"reason": "Dvigubas įrašas"})
    assert done.status_code == 302
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert seat.status == "cancelled" and waiting.status == "waiting"
    assert AuditEntry.objects.get(action="enrolment.correct").data["reason"] == "Dvigubas įrašas"
    assert mailoutbox == []


def test_the_roster_of_an_ended_cohort_links_to_the_cancel_page(client, world, ended):
    _cohort, seat, _waiting = ended
    client.force_login(world.alice)
    page = client.get(reverse("enrolment:roster", args=[world.project.code, world.cohort.pk]))
    assert f'href="{cancel_url(world, seat)}"' in page.text


def test_cancelling_in_an_upcoming_cohort_still_promotes_the_next_person(
    client, world, future_cohort
):
    future_cohort.capacity = 1
    future_cohort.save()
    seat = EnrolmentFactory(cohort=future_cohort, person=world.person_a)
    waiting = EnrolmentFactory(
        cohort=future_cohort,
        person=PersonFactory(organisation=world.lead),
        status="waiting",
        waiting_position=1,
    )
    client.force_login(world.alice)
    assert client.post(cancel_url(world, seat)).status_code == 302
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert seat.status == "cancelled" and waiting.status == "confirmed"


def test_participant_cannot_cancel_an_enrolment_of_an_ended_cohort(client, world, ended):
    _cohort, seat, waiting = ended
    world.person_b.user = world.bob
    world.person_b.save()
    client.force_login(world.bob)
    client.post(reverse("enrolment:my_cancel", args=[seat.pk]))
    assert_unchanged(seat, waiting)
