"""Anonymity is a property of the schema: nothing links an answer to a person."""

from decimal import Decimal

import pytest
from django.db import models

from kvalis.accounts.models import User
from kvalis.people.models import Person
from kvalis.surveys.models import Answer, SurveyParticipation, SurveyResponse
from kvalis.surveys.services import survey_response_submit
from tests.surveys.conftest import full_answers

PERSONAL_MODELS = {Person, User}


def _concrete_fields(model):
    return [f for f in model._meta.get_fields() if getattr(f, "concrete", False)]


@pytest.mark.parametrize("model", [SurveyResponse, Answer])
def test_answers_have_no_column_pointing_to_a_person_or_a_login(model):
    for field in _concrete_fields(model):
        if field.is_relation:
            assert field.related_model not in PERSONAL_MODELS, field.name
    names = {f.name for f in _concrete_fields(model)}
    assert not names & {"person", "user", "enrolment", "participation", "ip", "ip_address"}


@pytest.mark.parametrize("model", [SurveyResponse, Answer, SurveyParticipation])
def test_no_timestamp_finer_than_the_day_and_no_ip_address(model):
    for field in _concrete_fields(model):
        assert not isinstance(field, models.DateTimeField | models.TimeField), field.name
        assert not isinstance(field, models.GenericIPAddressField), field.name


@pytest.mark.parametrize("model", [SurveyResponse, Answer, SurveyParticipation])
def test_ids_are_random_so_the_order_of_answers_cannot_be_read_from_them(model):
    assert isinstance(model._meta.pk, models.UUIDField)


def test_participation_says_only_who_answered_not_what():
    fields = {f.name for f in _concrete_fields(SurveyParticipation)}
    assert fields == {"id", "survey", "person"}


def test_an_answer_cannot_be_traced_back_through_the_database(sw):
    person = sw.participants[0]
    survey_response_submit(
        survey=sw.survey,
        person=person,
        answers=full_answers(sw.questions, text="Daugiau praktikos"),
    )
    response = SurveyResponse.objects.get()
    # The response holds the group (the cohort) and the day, never the person.
    values = {f.attname: getattr(response, f.attname) for f in _concrete_fields(SurveyResponse)}
    assert person.pk not in [v for k, v in values.items() if k not in ("survey_id", "cohort_id")]
    assert response.cohort_id == sw.world.cohort.pk
    assert SurveyParticipation.objects.filter(survey=sw.survey, person=person).count() == 1


def test_an_answer_writes_no_audit_entry_of_its_own(sw):
    """Even dated to midnight, an entry written with the answer would sit between timed entries
    and give its time away; the daily pass counts answers per day instead (test_batches.py)."""
    from kvalis.audit.models import AuditEntry

    before = set(AuditEntry.objects.values_list("pk", flat=True))
    survey_response_submit(
        survey=sw.survey, person=sw.participants[0], answers=full_answers(sw.questions)
    )
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == before


# --- differencing across questionnaires and activities ------------------------------------------


def _submit(survey, people, overalls):
    from kvalis.surveys.services import survey_response_submit
    from tests.surveys.conftest import full_answers, publish_all

    questions = {q.key: q for q in survey.template.questions.prefetch_related("choices")}
    for person, overall in zip(people, overalls, strict=True):
        survey_response_submit(
            survey=survey, person=person, answers=full_answers(questions, overall=overall)
        )
    publish_all()


def _people_in(cohort, count):
    from tests.factories import EnrolmentFactory, PersonFactory

    people = []
    for _index in range(count):
        person = PersonFactory()
        EnrolmentFactory(person=person, cohort=cohort)
        people.append(person)
    return people


def test_cohort_answers_are_counted_per_questionnaire_when_guarding_against_differencing(sw):
    """Questionnaire 1: cohort 1 has 5 answers, cohort 2 has 2; questionnaire 2: cohort 2 has 4.
    Cohort 2's six answers in all must not make questionnaire 1's two look safe: cohort 1's
    questionnaire 1 results are withheld, or the activity minus cohort 1 reveals cohort 2's two."""
    from kvalis.surveys.selectors import activity_results, cohort_results
    from kvalis.surveys.services import survey_template_copy, survey_template_default_ensure
    from tests.factories import SurveyFactory

    other = SurveyFactory(
        activity=sw.world.activity,
        template=survey_template_copy(
            template=survey_template_default_ensure(),
            project=sw.world.project,
            actor=sw.world.alice,
        ),
        cohort=sw.cohort2,
        title="Antroji anketa",
    )
    second_cohort = sw.participants2 + _people_in(sw.cohort2, 1)
    _submit(sw.survey, sw.participants[:5], [5] * 5)
    _submit(sw.survey, second_cohort[:2], [1, 1])
    _submit(other, second_cohort[:4], [3] * 4)
    first_template = {g.template.pk: g for g in activity_results(sw.world.activity)}
    assert not first_template[sw.survey.template_id].withheld  # 7 answers: shown
    (first,) = cohort_results(sw.world.cohort)
    assert first.responses == 5 and first.withheld and first.questions == []

    from kvalis.surveys.selectors import withheld_cohorts_by_template

    assert withheld_cohorts_by_template(sw.world.activity)[sw.survey.template_id] == {
        sw.world.cohort.pk,
        sw.cohort2.pk,
    }


def _second_activity(sw, people: int):
    from tests.factories import ActivityFactory, CohortFactory, SurveyFactory

    activity = ActivityFactory(project=sw.world.project, title="Antrasis modulis")
    cohort = CohortFactory(activity=activity)
    survey = SurveyFactory(activity=activity, template=sw.survey.template, title="Antrasis")
    return survey, _people_in(cohort, people)


def test_project_satisfaction_is_withheld_when_one_small_activity_could_be_subtracted(sw):
    from kvalis.surveys.selectors import activity_results, project_satisfaction

    survey, people = _second_activity(sw, 5)
    _submit(sw.survey, sw.participants[:5], [5] * 5)
    _submit(survey, people[:2], [1, 1])
    (big,) = activity_results(sw.world.activity)
    assert not big.withheld  # its mean (5.00) is shown ...
    result = project_satisfaction(sw.world.project)
    # ... so a project mean over 7 answers would reveal the small activity's two answers.
    assert result["withheld"] and result["mean"] is None
    assert result["responses"] == 7
    _submit(survey, people[2:5], [2, 2, 2])  # now the second activity is shown on its own
    result = project_satisfaction(sw.world.project)
    assert not result["withheld"] and result["mean"] == Decimal("3.30")


def test_project_satisfaction_mean_needs_five_answers_to_the_question_itself(sw):
    from kvalis.surveys.models import Answer
    from kvalis.surveys.selectors import project_satisfaction

    _submit(sw.survey, sw.participants[:6], [5, 4, 4, 5, 3, 5])
    assert project_satisfaction(sw.world.project)["mean"] == Decimal("4.33")
    skipped = Answer.objects.filter(question__key="overall").order_by("pk")[:2]
    Answer.objects.filter(pk__in=[answer.pk for answer in skipped]).delete()
    result = project_satisfaction(sw.world.project)
    assert result["responses"] == 6  # six people answered the survey, four the question
    assert result["withheld"] and result["mean"] is None
