"""Dates that contradict the cohort are refused: applications closing after the cohort starts,
quota seats released after it ends. Nothing changes when they are refused."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.enrolment import services
from kvalis.enrolment.models import CohortRegistration, Quota
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
START, END = date(2027, 3, 2), date(2027, 3, 4)


@pytest.fixture
def cohort(world):
    return CohortFactory(activity=world.activity, start_date=START, end_date=END, capacity=20)


def _register(world, cohort, closes_on):
    return services.cohort_registration_set(
        actor=world.alice, cohort=cohort, is_open=True, auto_approve=False, closes_on=closes_on
    )


@pytest.mark.parametrize("closes_on", [START - DAY, START, None])
def test_applications_may_close_up_to_the_start_day(world, cohort, closes_on):
    assert _register(world, cohort, closes_on).closes_on == closes_on


def test_applications_closing_a_day_after_the_start_are_refused(world, cohort):
    with pytest.raises(ValidationError) as error:
        _register(world, cohort, START + DAY)
    assert error.value.message_dict == {
        "closes_on": [
            "Registracija turi baigtis ne vėliau kaip grupės pradžios dieną (2027-03-02)."
        ]
    }
    assert not CohortRegistration.objects.filter(cohort=cohort).exists()
    assert not AuditEntry.objects.filter(action="cohort.registration").exists()


def _quota(world, cohort, release_on):
    return services.quota_set(
        actor=world.alice,
        cohort=cohort,
        partner=world.partner_b,
        seats=3,
        release_on=release_on,
        notify=False,
    )


@pytest.mark.parametrize("release_on", [END - DAY, END, None])
def test_quota_seats_may_be_released_up_to_the_end_day(world, cohort, release_on):
    assert _quota(world, cohort, release_on).release_on == release_on


def test_quota_released_a_day_after_the_end_is_refused(world, cohort):
    with pytest.raises(ValidationError) as error:
        _quota(world, cohort, END + DAY)
    assert error.value.message_dict == {
        "release_on": [
            "Nepanaudotos kvotos vietos turi būti atlaisvintos ne vėliau kaip grupės pabaigos "
            "dieną (2027-03-04)."
        ]
    }
    assert not Quota.objects.filter(cohort=cohort).exists()


def test_refused_quota_keeps_the_one_before(world, cohort):
    _quota(world, cohort, END)
    with pytest.raises(ValidationError):
        _quota(world, cohort, END + DAY)
    assert Quota.objects.get(cohort=cohort).release_on == END


# --- through the page -----------------------------------------------------------------------


def _url(world, cohort):
    return reverse("enrolment:cohort_settings", args=[world.project.code, cohort.pk])


def test_settings_page_refuses_a_late_closing_day_and_changes_nothing(client, world, cohort):
    client.force_login(world.alice)
    response = client.post(
        _url(world, cohort),
        {"form": "settings", "capacity": 9, "is_open": "on", "closes_on": "2027-03-03"},
        follow=True,
    )
    assert "Registracija turi baigtis ne vėliau kaip grupės pradžios dieną" in response.text
    cohort.refresh_from_db()
    assert cohort.capacity == 20  # the capacity of the same form is not saved either
    assert not CohortRegistration.objects.filter(cohort=cohort).exists()
    ok = client.post(
        _url(world, cohort),
        {"form": "settings", "capacity": 9, "is_open": "on", "closes_on": "2027-03-02"},
    )
    assert ok.status_code == 302
    assert CohortRegistration.objects.get(cohort=cohort).closes_on == START


def test_settings_page_refuses_a_late_quota_release(client, world, cohort):
    client.force_login(world.alice)
    prefix = f"q{world.partner_b.pk}"
    data = {"form": f"quota-{world.partner_b.pk}", f"{prefix}-seats": 3}
    response = client.post(
        _url(world, cohort), {**data, f"{prefix}-release_on": "2027-03-05"}, follow=True
    )
    assert "turi būti atlaisvintos ne vėliau kaip grupės pabaigos dieną" in response.text
    assert not Quota.objects.filter(cohort=cohort).exists()
    client.post(_url(world, cohort), {**data, f"{prefix}-release_on": "2027-03-04"})
    assert Quota.objects.get(cohort=cohort).release_on == END


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_others_cannot_change_the_dates(client, world, cohort, who):
    client.force_login(getattr(world, who))
    response = client.post(
        _url(world, cohort), {"form": "settings", "capacity": 9, "closes_on": "2027-03-01"}
    )
    assert response.status_code == 404
    assert not CohortRegistration.objects.filter(cohort=cohort).exists()
