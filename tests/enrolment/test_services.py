"""Seats, waiting list, quotas, approvals, moves and cancellations (the services)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kvalis.audit.models import AuditEntry
from kvalis.enrolment import services
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.enrolment.selectors import cohort_seats
from tests.factories import EnrolmentFactory, PartnerFactory, PersonFactory, QuotaFactory


def nominate(world, cohort, person=None, **kwargs):
    return services.enrolment_nominate(
        actor=world.alice,
        cohort=cohort,
        person=person or PersonFactory(organisation=world.lead),
        **kwargs,
    )


def statuses(cohort):
    return [
        (e.person.last_name, e.status, e.waiting_position)
        for e in Enrolment.objects.filter(cohort=cohort).order_by("id")
    ]


def test_database_holds_one_enrolment_per_person_per_cohort(world):
    EnrolmentFactory(person=world.person_a, cohort=world.cohort)
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentFactory(person=world.person_a, cohort=world.cohort)


def test_database_refuses_a_waiting_enrolment_without_a_place(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentFactory(person=world.person_a, cohort=world.cohort, status="waiting")


def test_full_cohort_puts_people_on_a_numbered_waiting_list(world, future_cohort):
    results = [nominate(world, future_cohort) for _ in range(4)]
    assert [e.status for e in results] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert [e.waiting_position for e in results] == [None, None, 1, 2]


def test_cancellation_promotes_the_first_waiting_person_and_tells_them(
    world, future_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    first, _second, third, fourth = [nominate(world, future_cohort) for _ in range(4)]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_cancel(actor=world.alice, enrolment=first)
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert third.status == "confirmed" and third.waiting_position is None
    assert fourth.status == "waiting" and fourth.waiting_position == 1
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert "atsilaisvino" in subjects[third.person.email].lower()
    assert "atšaukta" in subjects[first.person.email].lower()


def test_capacity_increase_promotes_waiting_people_in_order(world, future_cohort):
    people = [nominate(world, future_cohort) for _ in range(5)]
    services.cohort_capacity_set(actor=world.alice, cohort=future_cohort, capacity=4)
    for e in people:
        e.refresh_from_db()
    assert [e.status for e in people] == ["confirmed"] * 4 + ["waiting"]
    assert people[4].waiting_position == 1


def test_capacity_cannot_go_below_the_confirmed_count(world, future_cohort):
    nominate(world, future_cohort)
    nominate(world, future_cohort)
    with pytest.raises(ValidationError):
        services.cohort_capacity_set(actor=world.alice, cohort=future_cohort, capacity=1)
    future_cohort.refresh_from_db()
    assert future_cohort.capacity == 2


def test_cancelling_a_waiting_person_closes_the_gap(world, future_cohort):
    people = [nominate(world, future_cohort) for _ in range(5)]
    services.enrolment_cancel(actor=world.alice, enrolment=people[2])
    people[3].refresh_from_db()
    people[4].refresh_from_db()
    assert (people[3].waiting_position, people[4].waiting_position) == (1, 2)


def test_partner_quota_reserves_seats_for_its_nominees(world, future_cohort):
    future_cohort.capacity = 3
    future_cohort.save()
    QuotaFactory(cohort=future_cohort, partner=world.partner_b, seats=2)
    assert nominate(world, future_cohort).status == "confirmed"
    # Only the partner's two reserved seats are left: a general applicant waits.
    assert nominate(world, future_cohort).status == "waiting"
    nominee = PersonFactory(organisation=world.partner_b.organisation)
    assert nominate(world, future_cohort, nominee, partner=world.partner_b).status == "confirmed"


def test_unused_quota_opens_to_everyone_after_the_release_date(world, future_cohort):
    future_cohort.capacity = 2
    future_cohort.save()
    release = date.today() + timedelta(days=5)
    QuotaFactory(cohort=future_cohort, partner=world.partner_b, seats=2, release_on=release)
    waiting = nominate(world, future_cohort)
    assert waiting.status == "waiting"
    assert cohort_seats(future_cohort, today=release).general_free == 2
    promoted = services.quotas_release_due(today=release)
    waiting.refresh_from_db()
    assert promoted == 1 and waiting.status == "confirmed"


def test_waiting_nominee_of_a_partner_takes_the_partners_seat_first(world, future_cohort):
    future_cohort.capacity = 2
    future_cohort.save()
    general = nominate(world, future_cohort)
    other = nominate(world, future_cohort)
    assert other.status == "confirmed"
    services.quota_set(
        actor=world.alice, cohort=future_cohort, partner=world.partner_b, seats=1, release_on=None
    )
    nominee = nominate(
        world,
        future_cohort,
        PersonFactory(organisation=world.partner_b.organisation),
        partner=world.partner_b,
    )
    late = nominate(world, future_cohort)
    assert (nominee.status, late.status) == ("waiting", "waiting")
    services.enrolment_cancel(actor=world.alice, enrolment=general)
    nominee.refresh_from_db()
    late.refresh_from_db()
    assert nominee.status == "confirmed"
    assert late.status == "waiting" and late.waiting_position == 1


def test_partner_coordinator_cannot_exceed_the_quota(world, future_cohort):
    future_cohort.capacity = 10
    future_cohort.save()
    QuotaFactory(cohort=future_cohort, partner=world.partner_b, seats=1)
    org = world.partner_b.organisation
    services.enrolment_nominate(
        actor=world.bob,
        cohort=future_cohort,
        person=PersonFactory(organisation=org),
        partner=world.partner_b,
        enforce_quota=True,
    )
    with pytest.raises(ValidationError, match="kvot"):
        services.enrolment_nominate(
            actor=world.bob,
            cohort=future_cohort,
            person=PersonFactory(organisation=org),
            partner=world.partner_b,
            enforce_quota=True,
        )
    assert Enrolment.objects.filter(cohort=future_cohort).count() == 1


def test_quotas_cannot_add_up_to_more_than_capacity(world, future_cohort):
    other = PartnerFactory(project=world.project)
    services.quota_set(
        actor=world.alice, cohort=future_cohort, partner=other, seats=2, release_on=None
    )
    with pytest.raises(ValidationError):
        services.quota_set(
            actor=world.alice,
            cohort=future_cohort,
            partner=world.partner_b,
            seats=1,
            release_on=None,
        )


def test_ineligible_person_is_refused_with_a_lithuanian_reason(world, future_cohort):
    world.activity.audience_position_categories = ["head"]
    world.activity.save()
    with pytest.raises(ValidationError) as caught:
        nominate(world, future_cohort)
    assert caught.value.messages == [
        "Ši veikla skirta įstaigų vadovams. Jūsų pareigų kategorija (specialistas) tarp jų "
        "nepatenka."
    ]


def test_eligibility_override_needs_a_reason_and_is_audited(world, future_cohort):
    world.activity.audience_counties = ["vilniaus"]
    world.activity.save()
    enrolment = nominate(world, future_cohort, override_reason="Partnerio prašymu")
    assert enrolment.status == "confirmed"
    assert enrolment.note.eligibility_override_reason == "Partnerio prašymu"
    entry = AuditEntry.objects.get(action="enrolment.override_eligibility")
    assert entry.data["reason"] == "Partnerio prašymu" and entry.actor == world.alice


def test_move_between_cohorts_passes_the_old_seat_on(world, future_cohort):
    from tests.factories import CohortFactory

    target = CohortFactory(
        activity=world.activity,
        start_date=future_cohort.start_date,
        end_date=future_cohort.end_date,
        capacity=5,
    )
    first, _second, waiting = [nominate(world, future_cohort) for _ in range(3)]
    moved = services.enrolment_move(actor=world.alice, enrolment=first, to_cohort=target)
    waiting.refresh_from_db()
    assert moved.cohort == target and moved.status == "confirmed"
    assert waiting.status == "confirmed"
    assert AuditEntry.objects.filter(action="enrolment.move").exists()


def test_move_to_another_project_is_refused(world, future_cohort):
    from tests.factories import ActivityFactory, CohortFactory

    elsewhere = CohortFactory(activity=ActivityFactory(project=world.other_project))
    enrolment = nominate(world, future_cohort)
    with pytest.raises(ValidationError):
        services.enrolment_move(actor=world.alice, enrolment=enrolment, to_cohort=elsewhere)


def test_approval_gives_a_seat_or_a_waiting_place(world, future_cohort):
    applied = [
        EnrolmentFactory(cohort=future_cohort, status=EnrolmentStatus.APPLIED) for _ in range(3)
    ]
    results = [services.enrolment_approve(actor=world.alice, enrolment=e) for e in applied]
    assert [e.status for e in results] == ["confirmed", "confirmed", "waiting"]


def test_rejecting_a_confirmed_enrolment_is_refused(world, future_cohort):
    enrolment = nominate(world, future_cohort)
    with pytest.raises(ValidationError):
        services.enrolment_reject(actor=world.alice, enrolment=enrolment)


def test_cancelled_person_can_enrol_again_in_the_same_cohort(world, future_cohort):
    enrolment = nominate(world, future_cohort)
    services.enrolment_cancel(actor=world.alice, enrolment=enrolment)
    again = nominate(world, future_cohort, enrolment.person)
    assert again.pk == enrolment.pk and again.status == "confirmed"


def test_enrolling_an_active_person_twice_is_refused(world, future_cohort):
    enrolment = nominate(world, future_cohort)
    with pytest.raises(ValidationError):
        nominate(world, future_cohort, enrolment.person)


def test_move_reopens_an_earlier_cancelled_enrolment_in_the_target_and_keeps_its_records(
    world, future_cohort
):
    from kvalis.attendance.models import Attendance
    from tests.factories import AttendanceFactory, CertificateFactory, CohortFactory, SessionFactory

    target = CohortFactory(
        activity=world.activity,
        start_date=future_cohort.start_date,
        end_date=future_cohort.end_date,
        capacity=5,
    )
    person = PersonFactory(organisation=world.lead)
    earlier = EnrolmentFactory(cohort=target, person=person, status="cancelled")
    attendance = AttendanceFactory(enrolment=earlier, session=SessionFactory(cohort=target))
    CertificateFactory(enrolment=earlier)
    enrolment = nominate(world, future_cohort, person)
    moved = services.enrolment_move(actor=world.alice, enrolment=enrolment, to_cohort=target)
    assert moved.pk == earlier.pk and moved.cohort == target and moved.status == "confirmed"
    assert Attendance.objects.filter(pk=attendance.pk, enrolment=earlier).exists()
    enrolment.refresh_from_db()
    assert enrolment.cohort == future_cohort and enrolment.status == "cancelled"
    entry = AuditEntry.objects.get(action="enrolment.move")
    assert entry.data["from_enrolment"] == enrolment.pk


def test_move_checks_eligibility_for_the_target_activity(world, future_cohort):
    from tests.factories import ActivityFactory, CohortFactory

    heads_only = ActivityFactory(project=world.project, audience_position_categories=["head"])
    target = CohortFactory(
        activity=heads_only,
        start_date=future_cohort.start_date,
        end_date=future_cohort.end_date,
        capacity=5,
    )
    enrolment = nominate(world, future_cohort)
    with pytest.raises(ValidationError) as caught:
        services.enrolment_move(actor=world.alice, enrolment=enrolment, to_cohort=target)
    assert "Ši veikla skirta" in " ".join(caught.value.messages)
    enrolment.refresh_from_db()
    assert enrolment.cohort == future_cohort and enrolment.status == "confirmed"
    assert not AuditEntry.objects.filter(action="enrolment.move").exists()
    moved = services.enrolment_move(
        actor=world.alice, enrolment=enrolment, to_cohort=target, override_reason="Pavaduoja"
    )
    assert moved.cohort == target and moved.status == "confirmed"
    assert moved.note.eligibility_override_reason == "Pavaduoja"
    entry = AuditEntry.objects.get(action="enrolment.override_eligibility")
    assert entry.data["reason"] == "Pavaduoja" and entry.actor == world.alice


def test_capacity_cannot_go_below_the_partners_quotas(world, future_cohort):
    future_cohort.capacity = 5
    future_cohort.save()
    other = PartnerFactory(project=world.project)
    QuotaFactory(cohort=future_cohort, partner=world.partner_b, seats=2)
    QuotaFactory(cohort=future_cohort, partner=other, seats=2)
    with pytest.raises(ValidationError) as caught:
        services.cohort_capacity_set(actor=world.alice, cohort=future_cohort, capacity=3)
    assert caught.value.messages == [
        "Partnerių kvotos šioje grupėje rezervuoja 4 vietas; vietų skaičius negali būti mažesnis."
    ]
    future_cohort.refresh_from_db()
    assert future_cohort.capacity == 5
    assert not AuditEntry.objects.filter(action="cohort.capacity").exists()
    services.cohort_capacity_set(actor=world.alice, cohort=future_cohort, capacity=4)
    future_cohort.refresh_from_db()
    assert future_cohort.capacity == 4


def test_numbers_in_refusals_take_the_lithuanian_plural_forms(world, future_cohort):
    future_cohort.capacity = 10
    future_cohort.save()
    # 1 seat in the quota: "1 vieta", not "1 vietų".
    QuotaFactory(cohort=future_cohort, partner=world.partner_b, seats=1)
    org = world.partner_b.organisation
    first = dict(partner=world.partner_b, enforce_quota=True)
    nominate(world, future_cohort, PersonFactory(organisation=org), **first)
    with pytest.raises(ValidationError) as caught:
        nominate(world, future_cohort, PersonFactory(organisation=org), **first)
    assert caught.value.messages == [
        f"Viršijama kvota: „{org.name}“ kvota šioje grupėje – 1 vieta, užimta 1."
    ]
    # 21 seats: "21 vieta".
    with pytest.raises(ValidationError) as caught:
        services.quota_set(
            actor=world.alice,
            cohort=future_cohort,
            partner=world.partner_b,
            seats=21,
            release_on=None,
        )
    assert caught.value.messages == [
        "Kvotų suma būtų 21 vieta – daugiau nei grupės vietų skaičius (10)."
    ]
    # 2 confirmed participants: "2 patvirtinti dalyviai".
    nominate(world, future_cohort)
    with pytest.raises(ValidationError) as caught:
        services.cohort_capacity_set(actor=world.alice, cohort=future_cohort, capacity=1)
    assert caught.value.messages == [
        "Grupėje jau yra 2 patvirtinti dalyviai; vietų skaičius negali būti mažesnis."
    ]


def test_a_nomination_takes_over_an_application_nobody_confirmed(world, future_cohort):
    from kvalis.enrolment import services as enrolment_services
    from kvalis.enrolment.models import Enrolment

    typed = EnrolmentFactory(person=world.person_a, cohort=future_cohort, status="unconfirmed")
    enrolment = enrolment_services.enrolment_nominate(
        actor=world.alice, cohort=future_cohort, person=world.person_a
    )
    assert enrolment.pk == typed.pk and enrolment.status == "confirmed"
    assert Enrolment.objects.filter(person=world.person_a, cohort=future_cohort).count() == 1


def test_a_nomination_still_refuses_a_confirmed_application(world, future_cohort):
    from django.core.exceptions import ValidationError

    from kvalis.enrolment import services as enrolment_services

    EnrolmentFactory(person=world.person_a, cohort=future_cohort, status="applied")
    # Ona Jonaitė: the participle agrees with her name (kvalis.lib.grammar.agree).
    with pytest.raises(ValidationError, match="Ona Jonaitė jau užregistruota į šią grupę"):
        enrolment_services.enrolment_nominate(
            actor=world.alice, cohort=future_cohort, person=world.person_a
        )
