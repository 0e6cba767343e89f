"""Pages run a fixed number of queries whatever the number of surveys, cohorts and answers."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvalis.surveys.services import survey_response_submit
from tests.factories import (
    ActivityFactory,
    CohortFactory,
    EnrolmentFactory,
    PersonFactory,
    SurveyFactory,
    UserFactory,
)
from tests.surveys.conftest import full_answers, publish_all


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(sw, times: int, participant):
    """Add `times` activities, each with a cohort survey the participant is in, and answers."""
    for index in range(times):
        activity = ActivityFactory(project=sw.world.project)
        cohort = CohortFactory(activity=activity)
        EnrolmentFactory(person=participant, cohort=cohort)
        survey = SurveyFactory(activity=activity, cohort=cohort, template=sw.survey.template)
        for _n in range(2):
            person = PersonFactory()
            EnrolmentFactory(person=person, cohort=cohort)
            survey_response_submit(
                survey=survey, person=person, answers=full_answers(sw.questions, text=f"T{index}")
            )


def test_pages_run_a_fixed_number_of_queries(sw, client):
    participant = PersonFactory(user=UserFactory())
    EnrolmentFactory(person=participant, cohort=sw.world.cohort)
    for person in sw.participants[:5]:
        survey_response_submit(
            survey=sw.survey, person=person, answers=full_answers(sw.questions, text="Gerai")
        )
    publish_all()
    code = sw.world.project.code
    pages = {
        "index": (sw.world.alice, reverse("surveys:index", args=[code])),
        "results": (
            sw.world.alice,
            reverse("surveys:activity_results", args=[code, sw.world.activity.pk]),
        ),
        "my": (participant.user, reverse("surveys:my_surveys")),
    }
    before = {}
    for name, (user, url) in pages.items():
        client.force_login(user)
        before[name] = _queries(client, url)
    _grow(sw, 4, participant)
    for person in sw.participants2:
        survey_response_submit(survey=sw.survey, person=person, answers=full_answers(sw.questions))
    publish_all()
    after = {}
    for name, (user, url) in pages.items():
        client.force_login(user)
        after[name] = _queries(client, url)
    assert after == before
