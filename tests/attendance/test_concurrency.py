"""A trainer saves the form while participants check in on their phones, all at once.

Runs on PostgreSQL only (SQLite serialises all writers). The control run turns the session lock
off and shows the same race then fails on the unique (enrolment, session) constraint.
"""

import threading
import time

import pytest
from django.db import connection, connections

from kvalis.attendance import services
from kvalis.attendance.models import Attendance
from tests.factories import EnrolmentFactory, PersonFactory, UserFactory

PARTICIPANTS = 20


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, so there is no race to test")


def _race(world, monkeypatch) -> list:
    monkeypatch.setattr(services, "_between_read_and_write", lambda: time.sleep(0.05))
    session = world.session
    enrolments = [
        EnrolmentFactory(cohort=world.cohort, person=PersonFactory(user=UserFactory()))
        for _ in range(PARTICIPANTS)
    ]
    barrier = threading.Barrier(PARTICIPANTS + 1)
    errors: list = []

    def check_in(enrolment):
        try:
            barrier.wait()
            services.attendance_check_in(
                session=session, enrolment=enrolment, actor=enrolment.person.user
            )
        except Exception as error:  # collected: the test reports them
            errors.append(error)
        finally:
            connections.close_all()

    def trainer_saves():
        try:
            barrier.wait()
            services.attendance_record(
                session=session,
                marks=[services.Mark(e.pk, "present") for e in enrolments],
                actor=world.alice,
            )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=check_in, args=(e,)) for e in enrolments]
    threads.append(threading.Thread(target=trainer_saves))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_form_and_check_ins_at_once_record_each_person_once(postgres_only, world, monkeypatch):
    errors = _race(world, monkeypatch)
    assert errors == []
    rows = Attendance.objects.filter(session=world.session)
    assert rows.count() == PARTICIPANTS
    assert set(rows.values_list("status", flat=True)) == {"present"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_control_without_the_lock_the_same_race_fails(postgres_only, world, monkeypatch):
    """Proof that the test above can fail: without the session lock writers collide."""
    monkeypatch.setattr(services, "LOCK_SESSION", False)
    assert _race(world, monkeypatch) != []
