"""The attendance demo step: exactly 160 trained, most complete, some not, idempotent.

Until the enrolment step exists, the test confirms enrolments itself: 190 seats in the eight
module cohorts for the people the core step creates, the participant login among them.
"""

from collections import defaultdict

import pytest

from kvalis.attendance.models import Attendance
from kvalis.attendance.selectors import completion_for_cohort, trained_person_ids
from kvalis.audit.models import AuditEntry
from kvalis.demo import data
from kvalis.demo.steps import attendance as attendance_step
from kvalis.demo.steps import core
from kvalis.enrolment.models import Enrolment
from kvalis.people.models import Person
from kvalis.projects.models import Cohort, Project
from tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_project(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    core.load()
    project = Project.objects.get(code=data.PROJECT_CODE)
    participant = Person.objects.get(email=core.LOGINS["participant"][0])
    cohorts = list(
        Cohort.objects.filter(activity__project=project, activity__kind="module").order_by(
            "activity__position", "start_date"
        )
    )
    trainers = set(Cohort.trainers.through.objects.values_list("person_id", flat=True))
    logins = {email for email, *_rest in core.LOGINS.values()}
    people = [
        p for p in Person.objects.exclude(pk__in=trainers).exclude(email__in=logins).order_by("pk")
    ]
    seats = [cohort for cohort in cohorts for _ in range(cohort.capacity)]
    EnrolmentFactory(cohort=cohorts[0], person=participant)
    for cohort, person in zip(seats[1:], people, strict=False):
        EnrolmentFactory(cohort=cohort, person=person)
    # Some heads take a second module; a few enrolments are not confirmed.
    for person in people[:10]:
        EnrolmentFactory(cohort=cohorts[-1], person=person, status="cancelled")
    return project, participant


def test_exactly_160_people_trained_most_complete_some_not(demo_project):
    project, participant = demo_project
    confirmed_people = (
        Enrolment.objects.filter(status="confirmed").values("person").distinct().count()
    )
    assert confirmed_people >= 165
    counts = attendance_step.load()
    assert counts["persons trained"] == 160
    assert trained_person_ids(project).count() == 160

    shares = []
    incomplete = 0
    for cohort in Cohort.objects.filter(activity__project=project, activity__kind="module"):
        result = completion_for_cohort(cohort)
        done = sum(1 for c in result.values() if c.completed)
        incomplete += len(result) - done
        shares.append(done / len(result))
    assert sum(1 for share in shares if share >= 0.8) > len(shares) / 2
    assert incomplete > 0

    statuses = defaultdict(int)
    for status in Attendance.objects.values_list("status", flat=True):
        statuses[status] += 1
    assert statuses["late"] > 0 and statuses["absent"] > 0 and statuses["excused"] > 0

    own = Enrolment.objects.get(person=participant)
    assert completion_for_cohort(own.cohort)[own.pk].completed
    assert set(Attendance.objects.filter(enrolment=own).values_list("status", flat=True)) == {
        "present"
    }


def test_demo_step_is_idempotent(demo_project):
    first = attendance_step.load()
    rows = list(Attendance.objects.order_by("pk").values_list("pk", "status", "minutes_attended"))
    audits = AuditEntry.objects.count()
    second = attendance_step.load()
    assert first == second
    assert (
        list(Attendance.objects.order_by("pk").values_list("pk", "status", "minutes_attended"))
        == rows
    )
    assert AuditEntry.objects.count() == audits


def test_confirmed_study_visit_people_are_marked_present(demo_project):
    project, participant = demo_project
    visit = Cohort.objects.get(activity__project=project, activity__kind="study_visit")
    traveller = EnrolmentFactory(cohort=visit, person=participant)
    attendance_step.load()
    assert set(Attendance.objects.filter(enrolment=traveller).values_list("status", flat=True)) == {
        "present"
    }
    assert trained_person_ids(project).count() == 160
