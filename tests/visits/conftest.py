from datetime import timedelta

import pytest

from tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    MembershipFactory,
    PersonFactory,
    SessionFactory,
    StudyVisitFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dora(world):
    user = UserFactory(email="dora@example.lt")
    MembershipFactory(project=world.project, user=user, role="funder_observer")
    return user


@pytest.fixture
def visit(world):
    return StudyVisitFactory(project=world.project)


@pytest.fixture
def modules(world):
    """Two modules of world.project, one cohort and one 8-hour session each."""
    result = [world.cohort]
    second = ActivityFactory(project=world.project, title="Projektų valdymas")
    cohort = CohortFactory(activity=second)
    SessionFactory(cohort=cohort)
    result.append(cohort)
    return result


@pytest.fixture
def participant(world, modules):
    """make(completed=2, attended=..., organisation=..., days_ago=...) -> Person."""

    def make(completed: int, enrolled: int | None = None, organisation=None, **person):
        organisation = organisation or world.lead
        p = PersonFactory(organisation=organisation, **person)
        for index, cohort in enumerate(modules[: max(completed, enrolled or 0)]):
            enrolment = EnrolmentFactory(person=p, cohort=cohort)
            if index < completed:
                AttendanceFactory(enrolment=enrolment, session=cohort.sessions.first())
        return p

    return make


def shift_enrolled(person, days: int) -> None:
    from kvalis.enrolment.models import Enrolment

    for enrolment in Enrolment.objects.filter(person=person):
        Enrolment.objects.filter(pk=enrolment.pk).update(
            created_at=enrolment.created_at - timedelta(days=days)
        )
