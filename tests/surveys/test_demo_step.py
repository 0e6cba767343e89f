"""The surveys demo step, run on the core demo with enrolments made here (so it does not depend
on the other steps): three module evaluations, ~70 % answered, one left open for the participant."""

from decimal import Decimal

import pytest

from kvalis.demo import data
from kvalis.demo.steps import core
from kvalis.demo.steps import surveys as surveys_step
from kvalis.demo.steps.core import LOGINS
from kvalis.people.models import Person
from kvalis.projects.models import Project
from kvalis.surveys.models import Answer, Survey, SurveyParticipation, SurveyResponse
from kvalis.surveys.selectors import activity_results, project_satisfaction, surveys_for_person
from tests.factories import EnrolmentFactory


@pytest.fixture
def demo(db, settings):
    core.load()
    project = Project.objects.get(code=data.PROJECT_CODE)
    participant = Person.objects.get(email=LOGINS["participant"][0])
    people = list(
        Person.objects.filter(organisation__municipality__isnull=False)
        .exclude(pk=participant.pk)
        .exclude(email__in=[login[0] for login in LOGINS.values()])
        .order_by("email")[:60]
    )
    modules = list(project.activities.filter(kind="module").order_by("position"))
    first_cohort = modules[0].cohorts.order_by("start_date").first()
    EnrolmentFactory(person=participant, cohort=first_cohort)
    for index, person in enumerate(people):
        module = modules[index % 3]
        cohort = module.cohorts.order_by("start_date", "pk")[index % module.cohorts.count()]
        EnrolmentFactory(person=person, cohort=cohort)
    EnrolmentFactory(person=people[0], cohort=modules[1].cohorts.first(), status="cancelled")
    return project, participant, modules


def test_each_module_gets_an_evaluation_answered_by_about_seventy_percent(demo):
    project, participant, modules = demo
    counts = surveys_step.load()
    assert counts["surveys"] == 3
    for module in modules:
        survey = Survey.objects.get(activity=module, cohort=None)
        (group,) = activity_results(module)
        assert Decimal("60") <= group.rate <= Decimal("75"), (module, group.rate)
        assert survey.responses.count() == survey.participations.count()
        assert group.responses + group.pending == survey.responses.count()
        if survey.status == "open" and group.withheld:
            # An open survey publishes a cohort's answers only once it has five new ones: how
            # the demo's answers fall into cohorts decides whether that has happened yet.
            assert group.pending >= 1
            continue
        assert not group.withheld
        overall = next(r for r in group.questions if r.question.key == "overall")
        assert Decimal("4.0") <= overall.mean <= Decimal("4.8")
    remarks = Answer.objects.exclude(text="").values_list("text", flat=True)
    assert remarks and all(text.startswith("(demo)") for text in remarks)
    satisfaction = project_satisfaction(project)
    assert satisfaction["responses"] == counts["survey answers"]


def test_the_participants_module_survey_stays_open_and_unanswered(demo):
    project, participant, modules = demo
    surveys_step.load()
    open_survey = Survey.objects.get(activity=modules[0], cohort=None)
    assert open_survey.is_accepting()
    assert not SurveyParticipation.objects.filter(survey=open_survey, person=participant).exists()
    assert list(surveys_for_person(participant)) == [open_survey]
    for module in modules[1:]:
        assert Survey.objects.get(activity=module, cohort=None).status == "closed"


def test_a_second_run_changes_nothing(demo):
    surveys_step.load()
    before = (Survey.objects.count(), SurveyResponse.objects.count(), Answer.objects.count())
    surveys_step.load()
    assert (
        Survey.objects.count(),
        SurveyResponse.objects.count(),
        Answer.objects.count(),
    ) == before


def test_the_step_works_without_any_enrolment(db):
    core.load()
    counts = surveys_step.load()
    assert counts == {"surveys": 3, "survey answers": 0}
