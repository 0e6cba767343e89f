from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import EnrolmentFactory, PersonFactory, SessionFactory, UserFactory


@pytest.fixture
def trainer(world):
    """A login whose Person trains world.cohort: the trainer persona."""
    user = UserFactory(email="treneris@example.lt")
    person = PersonFactory(user=user, first_name="Gediminas", last_name="Žemaitis")
    world.cohort.trainers.add(person)
    return user


@pytest.fixture
def participant(world):
    """A participant login with a confirmed enrolment in world.cohort."""
    user = UserFactory(email="dalyve@example.lt")
    person = PersonFactory(user=user, first_name="Eglė", last_name="Čepulytė")
    enrolment = EnrolmentFactory(cohort=world.cohort, person=person)
    return user, enrolment


@pytest.fixture
def live_session(world):
    """A session of world.cohort that started ten minutes ago: check-in is open."""
    start = timezone.now() - timedelta(minutes=10)
    return SessionFactory(cohort=world.cohort, starts_at=start, ends_at=start + timedelta(hours=6))
