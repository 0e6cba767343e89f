"""A survey (whose invitation thanks people for taking part) opens, and reminds, only after the
last session of its cohort, or of every cohort of its activity, has ended."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kvalis import time_rules
from kvalis.audit.models import AuditEntry
from kvalis.surveys import services
from kvalis.surveys.models import SurveyStatus
from tests.factories import (
    VILNIUS,
    ActivityFactory,
    CohortFactory,
    EnrolmentFactory,
    PersonFactory,
    SessionFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 2, 10, 0, tzinfo=VILNIUS)
FIRST_END = START + timedelta(hours=6)  # 2027-03-02 16:00
LAST_END = START + timedelta(days=7, hours=6)  # the second cohort: 2027-03-09 16:00
MINUTE = timedelta(minutes=1)


@pytest.fixture
def activity(world):
    activity = ActivityFactory(project=world.project, title="Projektų valdymas")
    for index, start in enumerate([START, START + timedelta(days=7)]):
        cohort = CohortFactory(
            activity=activity,
            name=f"{index + 1} grupė",
            start_date=start.date(),
            end_date=start.date(),
        )
        SessionFactory(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=6))
        EnrolmentFactory(cohort=cohort, person=PersonFactory(email=f"dalyvis{index}@example.lt"))
    return activity


def _draft(activity, cohort=None):
    return SurveyFactory(
        activity=activity,
        cohort=cohort,
        status=SurveyStatus.DRAFT,
        opened_on=None,
        closes_on=max(date(2027, 6, 1), date.today() + timedelta(days=120)),
    )


def test_activity_survey_waits_for_the_last_cohort(world, activity):
    survey = _draft(activity)
    for now in (FIRST_END, LAST_END - MINUTE):
        with pytest.raises(ValidationError) as error:
            services.survey_open(survey=survey, actor=world.alice, now=now)
        assert time_rules.is_too_early(error.value)
    assert error.value.messages == [
        "Apklausa atidaroma tik pasibaigus paskutiniam „Projektų valdymas“ užsiėmimui "
        "(2027-03-09 16:00): jos kvietime dalyviams dėkojama už dalyvavimą."
    ]
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.DRAFT
    assert services.survey_open(survey=survey, actor=world.alice, now=LAST_END) == 2
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.OPEN
    assert survey.opened_on == LAST_END.date()


def test_cohort_survey_waits_for_its_own_cohort_only(world, activity):
    first = activity.cohorts.order_by("start_date").first()
    survey = _draft(activity, cohort=first)
    with pytest.raises(ValidationError):
        services.survey_open(survey=survey, actor=world.alice, now=FIRST_END - MINUTE)
    assert services.survey_open(survey=survey, actor=world.alice, now=FIRST_END) == 1


def test_a_survey_without_sessions_has_nothing_to_evaluate(world):
    survey = _draft(ActivityFactory(project=world.project, title="Strateginis planavimas"))
    with pytest.raises(ValidationError) as error:
        services.survey_open(survey=survey, actor=world.alice)
    assert error.value.messages == [
        "„Strateginis planavimas“ dar neturi užsiėmimų, todėl nėra ko vertinti."
    ]


def test_a_coordinator_may_open_early_with_a_reason(world, activity):
    survey = _draft(activity)
    trainer = UserFactory(email="lektorius@example.lt")
    activity.cohorts.first().trainers.add(PersonFactory(user=trainer))
    with pytest.raises(ValidationError):
        services.survey_open(
            survey=survey, actor=trainer, now=FIRST_END, override_reason="Paskutinė diena"
        )
    services.survey_open(
        survey=survey, actor=world.alice, now=FIRST_END, override_reason="Paskutinė diena"
    )
    entry = AuditEntry.objects.get(action=time_rules.OVERRIDE_ACTION)
    assert (entry.data["rule"], entry.data["reason"]) == ("survey", "Paskutinė diena")
    assert AuditEntry.objects.get(action="survey.open").data["override_reason"] == (
        "Paskutinė diena"
    )


def test_reminders_wait_for_the_end_too(world, activity):
    survey = _draft(activity)
    services.survey_open(
        survey=survey, actor=world.alice, now=FIRST_END, override_reason="Išimtis", notify=False
    )
    with pytest.raises(ValidationError):
        services.survey_remind(survey=survey, actor=world.alice, now=LAST_END - MINUTE)
    assert services.survey_remind(survey=survey, actor=world.alice, now=LAST_END) == 2


def test_automatic_opening_follows_the_same_end(world, activity):
    survey = _draft(activity)
    survey.open_mode = "auto"
    survey.save()
    assert services.surveys_open_due(now=LAST_END - MINUTE) == []
    assert services.surveys_open_due(now=LAST_END) == [survey]


# --- through the pages --------------------------------------------------------------------


@pytest.fixture
def future_survey(world):
    activity = ActivityFactory(project=world.project, title="Ateities modulis")
    start = timezone.now() + timedelta(days=60)
    cohort = CohortFactory(activity=activity, start_date=start.date(), end_date=start.date())
    SessionFactory(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=6))
    EnrolmentFactory(cohort=cohort, person=PersonFactory(email="busimas@example.lt"))
    return _draft(activity)


def _detail(world, survey):
    return reverse("surveys:survey_detail", args=[world.project.code, survey.pk])


def test_detail_page_explains_and_offers_the_exception(client, world, future_survey):
    client.force_login(world.alice)
    page = client.get(_detail(world, future_survey)).text
    assert "Apklausa atidaroma tik pasibaigus paskutiniam „Ateities modulis“" in page
    assert 'name="override"' in page


def test_open_page_refuses_without_and_opens_with_the_exception(client, world, future_survey):
    client.force_login(world.alice)
    url = reverse("surveys:survey_open", args=[world.project.code, future_survey.pk])
    refused = client.post(url, follow=True)
    assert "Apklausa atidaroma tik pasibaigus" in refused.text
    no_reason = client.post(url, {"override": "1", "override_reason": " "}, follow=True)
    assert "Parašykite, kodėl reikia šios laiko taisyklės išimties." in no_reason.text
    future_survey.refresh_from_db()
    assert future_survey.status == SurveyStatus.DRAFT
    client.post(url, {"override": "1", "override_reason": "Mokymai perkelti"})
    future_survey.refresh_from_db()
    assert future_survey.status == SurveyStatus.OPEN
    assert AuditEntry.objects.filter(action=time_rules.OVERRIDE_ACTION).count() == 1


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_others_cannot_open_early(client, world, future_survey, who):
    client.force_login(getattr(world, who))
    url = reverse("surveys:survey_open", args=[world.project.code, future_survey.pk])
    assert client.post(url, {"override": "1", "override_reason": "x"}).status_code == 404
    future_survey.refresh_from_db()
    assert future_survey.status == SurveyStatus.DRAFT
