"""No overbooking under concurrency: 50 simultaneous applications for the last seats.

Runs on PostgreSQL only (SQLite serialises all writers, so there is no race to lose). The
control run turns the cohort lock off and shows the same test catches an oversell.
"""

import threading
import time

import pytest
from django.db import connection, connections

from kvalis.enrolment import services
from kvalis.enrolment.models import Enrolment
from tests.enrolment.test_application import apply
from tests.factories import EnrolmentFactory, PersonFactory

THREADS = 50
CAPACITY = 20
ALREADY_CONFIRMED = 17  # three seats left


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")


def _race(world, cohort, monkeypatch) -> tuple[int, int, list]:
    # Widen the window between counting the seats and writing the enrolment, as a slow
    # server would: every thread then reads the count before anyone has written.
    monkeypatch.setattr(services, "_between_count_and_write", lambda: time.sleep(0.05))
    people = [PersonFactory(organisation=world.lead) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list = []

    def apply(person):
        try:
            barrier.wait()
            services.enrolment_nominate(actor=None, cohort=cohort, person=person, notify=False)
        except Exception as error:  # collected: the test reports them
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    enrolments = Enrolment.objects.filter(cohort=cohort)
    return (
        enrolments.filter(status="confirmed").count(),
        enrolments.filter(status="waiting").count(),
        errors,
    )


def _full_cohort(world):
    from tests.factories import CohortFactory

    cohort = CohortFactory(activity=world.activity, capacity=CAPACITY)
    for _ in range(ALREADY_CONFIRMED):
        EnrolmentFactory(cohort=cohort)
    return cohort


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_applications_never_overbook(postgres_only, world, monkeypatch):
    cohort = _full_cohort(world)
    confirmed, waiting, errors = _race(world, cohort, monkeypatch)
    assert errors == []
    assert confirmed == CAPACITY
    assert waiting == THREADS - (CAPACITY - ALREADY_CONFIRMED)
    positions = sorted(
        Enrolment.objects.filter(cohort=cohort, status="waiting").values_list(
            "waiting_position", flat=True
        )
    )
    assert positions == list(range(1, waiting + 1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_the_same_race_oversells(postgres_only, world, monkeypatch):
    """Proof that the test above can fail: without the row lock the cohort is overbooked."""
    monkeypatch.setattr(services, "LOCK_SEATS", False)
    cohort = _full_cohort(world)
    confirmed, _waiting, _errors = _race(world, cohort, monkeypatch)
    assert confirmed > CAPACITY


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_new_address_sent_twice_at_once_makes_one_person_and_no_error(
    postgres_only, world, future_cohort, monkeypatch
):
    """A double click on the public form: both requests look the address up before either
    has written it. The second's insert waits for the first and fails on the unique address;
    it then takes the first one's person and answers as for an address that already applied."""
    from kvalis.people.models import Person

    barrier = threading.Barrier(2)
    full_clean = Person.full_clean

    def both_looked_up(self, *args, **kwargs):
        barrier.wait(timeout=10)  # both have found no one with this address
        return full_clean(self, *args, **kwargs)

    monkeypatch.setattr(Person, "full_clean", both_looked_up)
    results: list = []
    errors: list = []

    def send():
        try:
            results.append(apply(future_cohort, world.lead, email="aiste.dukart@example.lt"))
        except Exception as error:  # collected: the test reports them
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Person.objects.filter(email__iexact="aiste.dukart@example.lt").count() == 1
    assert Enrolment.objects.filter(cohort=future_cohort).count() == 1
    assert len({enrolment.pk for enrolment in results}) == 1
