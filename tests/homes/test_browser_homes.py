"""Each role's home in a real browser on a 390 px phone: no sideways scroll, no serious or
critical axe-core violation."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from tests.browser import assert_accessible, login
from tests.factories import (
    PASSWORD,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    MembershipFactory,
    PersonFactory,
    QuotaFactory,
    SessionFactory,
    SurveyFactory,
    UserFactory,
)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def busy_world(world):
    """A project with something in every section: a coming cohort with a partner quota, an
    applicant, a trainer with a session today, a participant with hours and a survey."""
    today = timezone.localdate()
    coming = CohortFactory(
        activity=world.activity,
        name="Rudens grupė jaunimo erdvių specialistams",
        start_date=today + timedelta(days=20),
        end_date=today + timedelta(days=21),
    )
    QuotaFactory(
        cohort=coming, partner=world.partner_b, seats=4, release_on=today + timedelta(days=10)
    )
    EnrolmentFactory(cohort=coming, person=world.person_b, partner=world.partner_b)
    EnrolmentFactory(cohort=coming, status="applied")
    running = CohortFactory(
        activity=world.activity, name="Vykstanti grupė", start_date=today, end_date=today
    )
    trainer = UserFactory(email="lektorius@example.lt")
    running.trainers.add(PersonFactory(user=trainer, organisation=world.lead))
    SessionFactory(
        cohort=running,
        starts_at=timezone.make_aware(datetime.combine(today, time(10))),
        title="Savęs pažinimas ir motyvacija: kas svarbu jaunam žmogui šiandien",
    )
    participant = world.dana.person
    enrolment = participant.enrolments.get()
    AttendanceFactory(enrolment=enrolment, session=SessionFactory(cohort=enrolment.cohort))
    SurveyFactory(activity=enrolment.cohort.activity)
    EnrolmentFactory(cohort=coming, person=participant)
    SessionFactory(cohort=coming)
    observer = UserFactory(email="stebetojas@example.lt")
    MembershipFactory(project=world.project, user=observer, role="funder_observer")
    return {
        "coordinator": world.alice.email,
        "partner": world.bob.email,
        "trainer": trainer.email,
        "participant": world.dana.email,
        "funder": observer.email,
    }


@pytest.mark.parametrize("role", ["coordinator", "partner", "trainer", "participant", "funder"])
def test_each_home_fits_a_phone_and_passes_axe(new_context, live_server, busy_world, role):
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.set_default_timeout(15000)
    login(page, live_server, busy_world[role], PASSWORD)
    expected = "/my/" if role == "participant" else "/home/"
    assert page.url.endswith(expected), page.url
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the {role}'s home is {width}px wide"
    assert_accessible(page, f"the {role}'s home on a phone")
