"""A partner coordinator sees the quota per cohort (release date, used and free seats, who is in
it) and moves their own organisation's waiting employee into an unused reserved seat, after a
confirmation; refused with a clear message when the quota is full or released; nobody else's
people are shown or movable.

The cohort has 2 seats, 1 of them partner B's quota: the lead's person takes the general seat,
so partner B's employee who applied without the quota waits.
"""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.enrolment import services
from kvalis.enrolment.models import Enrolment
from tests.factories import PersonFactory, QuotaFactory


@pytest.fixture
def quota(world, future_cohort):
    return QuotaFactory(
        cohort=future_cohort,
        partner=world.partner_b,
        seats=1,
        release_on=future_cohort.start_date - timedelta(days=7),
    )


@pytest.fixture
def waiting(world, future_cohort, quota):
    """Partner B's employee on the waiting list (enrolled without the quota), behind nobody."""
    services.enrolment_nominate(
        actor=world.alice, cohort=future_cohort, person=world.person_a, notify=False
    )
    enrolment = services.enrolment_nominate(
        actor=world.alice, cohort=future_cohort, person=world.person_b, notify=False
    )
    assert enrolment.status == "waiting" and enrolment.partner is None
    return enrolment


def into_quota(world, enrolment) -> str:
    return reverse("enrolment:into_quota", args=[world.project.code, enrolment.pk])


def nominate_page(world, cohort) -> str:
    return reverse("enrolment:nominate", args=[world.project.code, cohort.pk])


def state(enrolment) -> tuple:
    enrolment.refresh_from_db()
    return enrolment.status, enrolment.partner_id, enrolment.waiting_position


def test_the_partner_moves_a_waiting_employee_into_the_unused_quota_seat(
    client, world, future_cohort, waiting, django_capture_on_commit_callbacks
):
    behind = services.enrolment_nominate(
        actor=world.alice,
        cohort=future_cohort,
        person=PersonFactory(organisation=world.lead),
        notify=False,
    )
    assert behind.waiting_position == 2
    client.force_login(world.bob)
    mail.outbox = []

    page = client.get(into_quota(world, waiting))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Perkelti į kvotą" in text and world.person_b.full_name in text
    assert state(waiting) == ("waiting", None, 1)  # the page alone changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(into_quota(world, waiting))

    assert response.status_code == 302
    assert response["Location"] == nominate_page(world, future_cohort)
    assert state(waiting) == ("confirmed", world.partner_b.pk, None)
    assert state(behind) == ("waiting", None, 1)  # the list moved up
    entry = AuditEntry.objects.get(action="enrolment.promote", actor=world.bob)
    assert entry.data["into_quota_of"] == world.partner_b.pk
    assert [message.to for message in mail.outbox] == [[world.person_b.email]]
    followed = client.get(response["Location"]).content.decode()
    assert "gavo vietą iš „Molėtų biblioteka“ kvotos" in followed


def test_a_full_quota_refuses_the_move_and_changes_nothing(client, world, future_cohort, waiting):
    services.enrolment_nominate(
        actor=world.bob,
        cohort=future_cohort,
        person=PersonFactory(organisation=world.partner_b.organisation),
        partner=world.partner_b,
        enforce_quota=True,
        notify=False,
    )
    client.force_login(world.bob)

    page = client.get(into_quota(world, waiting)).content.decode()
    assert "Kvota užpildyta: užimtos visos „Molėtų biblioteka“ kvotos vietos" in page
    response = client.post(into_quota(world, waiting), follow=True)

    assert "Kvota užpildyta" in response.content.decode()
    assert state(waiting) == ("waiting", None, 1)


def test_a_released_quota_refuses_the_move(client, world, future_cohort, waiting, quota):
    quota.release_on = date.today()
    quota.save()
    client.force_login(world.bob)
    response = client.post(into_quota(world, waiting), follow=True)

    text = response.content.decode()
    assert f"kvota šioje grupėje atlaisvinta {date.today().isoformat()}" in text
    assert state(waiting) == ("waiting", None, 1)


def test_without_a_quota_the_move_is_refused(client, world, future_cohort, waiting, quota):
    quota.delete()
    client.force_login(world.bob)
    response = client.post(into_quota(world, waiting), follow=True)

    assert "šioje grupėje neturi vietų kvotos" in response.content.decode()
    assert state(waiting) == ("waiting", None, 1)


def test_only_a_waiting_person_is_moved(client, world, future_cohort, quota):
    enrolment = services.enrolment_nominate(
        actor=world.alice, cohort=future_cohort, person=world.person_b, notify=False
    )
    assert enrolment.status == "confirmed"
    client.force_login(world.bob)
    response = client.post(into_quota(world, enrolment), follow=True)

    assert "nėra laukiančiųjų sąraše" in response.content.decode()
    assert state(enrolment) == ("confirmed", None, None)


def test_another_organisations_waiting_person_is_not_found(client, world, future_cohort, quota):
    services.enrolment_nominate(
        actor=world.alice,
        cohort=future_cohort,
        person=PersonFactory(organisation=world.lead),
        notify=False,
    )
    other = services.enrolment_nominate(
        actor=world.alice, cohort=future_cohort, person=world.person_a, notify=False
    )
    assert other.status == "waiting"
    client.force_login(world.bob)

    assert client.get(into_quota(world, other)).status_code == 404
    assert client.post(into_quota(world, other)).status_code == 404
    assert state(other) == ("waiting", None, 1)


@pytest.mark.parametrize("persona", ["charlie", "dana"])
def test_outsiders_get_404_and_move_nobody(client, world, waiting, persona):
    client.force_login(getattr(world, persona))
    assert client.get(into_quota(world, waiting)).status_code == 404
    assert client.post(into_quota(world, waiting)).status_code == 404
    assert state(waiting) == ("waiting", None, 1)


def test_the_coordinator_may_move_the_person_into_the_partners_quota(client, world, waiting):
    client.force_login(world.alice)
    assert client.get(into_quota(world, waiting)).status_code == 200
    response = client.post(into_quota(world, waiting))

    assert response.status_code == 302
    assert state(waiting) == ("confirmed", world.partner_b.pk, None)


def test_the_nominate_page_shows_the_partners_quota_and_only_its_own_people(
    client, world, future_cohort, waiting
):
    lead_waiting = services.enrolment_nominate(
        actor=world.alice,
        cohort=future_cohort,
        person=PersonFactory(organisation=world.lead, last_name="Svetimaitė"),
        notify=False,
    )
    assert lead_waiting.status == "waiting"
    client.force_login(world.bob)
    text = client.get(nominate_page(world, future_cohort)).content.decode()

    assert "Mūsų kvota šioje grupėje" in text
    release = (future_cohort.start_date - timedelta(days=7)).isoformat()
    assert release in text
    assert "Mūsų darbuotojai laukiančiųjų sąraše" in text
    assert into_quota(world, waiting) in text
    assert "Svetimaitė" not in text and world.person_a.last_name not in text
    assert into_quota(world, lead_waiting) not in text


def test_the_quota_lists_who_is_in_it(client, world, future_cohort, quota):
    member = services.enrolment_nominate(
        actor=world.bob,
        cohort=future_cohort,
        person=world.person_b,
        partner=world.partner_b,
        enforce_quota=True,
        notify=False,
    )
    client.force_login(world.bob)
    text = client.get(nominate_page(world, future_cohort)).content.decode()

    section = text[text.index("Kas užima mūsų kvotą") :]
    assert member.person.last_name in section
    assert "kvota užpildyta" not in section  # nobody waits, so no move is offered


def test_the_cohorts_page_shows_the_partner_its_free_seats_and_release_date(
    client, world, future_cohort, quota
):
    client.force_login(world.bob)
    text = client.get(reverse("enrolment:cohorts", args=[world.project.code])).content.decode()

    assert "Laisva" in text and "Vietos atlaisvinamos" in text
    assert quota.release_on.isoformat() in text
    assert nominate_page(world, future_cohort) in text


def test_two_moves_for_the_last_quota_seat_give_it_once(world, future_cohort, quota):
    """Two of the partner's people wait for its one reserved seat: the second move is refused."""
    services.enrolment_nominate(
        actor=world.alice,
        cohort=future_cohort,
        person=PersonFactory(organisation=world.lead),
        notify=False,
    )
    first, second = (
        services.enrolment_nominate(
            actor=world.alice,
            cohort=future_cohort,
            person=PersonFactory(organisation=world.partner_b.organisation),
            notify=False,
        )
        for _ in range(2)
    )
    services.enrolment_take_into_quota(actor=world.bob, enrolment=first, partner=world.partner_b)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Kvota užpildyta"):
        services.enrolment_take_into_quota(
            actor=world.bob, enrolment=second, partner=world.partner_b
        )
    assert state(second) == ("waiting", None, 1)
    assert Enrolment.objects.filter(cohort=future_cohort, status="confirmed").count() == 2
