"""survey_response_submit: one anonymous answer per participant, validated, all or nothing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from kvalis.surveys import services
from kvalis.surveys.models import Answer, SurveyParticipation, SurveyResponse
from kvalis.surveys.services import survey_close, survey_response_submit
from tests.factories import EnrolmentFactory, PersonFactory, SurveyChoiceFactory
from tests.surveys.conftest import full_answers


def _nothing_saved(expected_responses=0):
    assert SurveyResponse.objects.count() == expected_responses
    assert SurveyParticipation.objects.count() == expected_responses
    if expected_responses == 0:
        assert Answer.objects.count() == 0


def test_an_answer_is_stored_with_its_group_and_day_and_the_person_is_marked_as_answered(sw):
    person = sw.participants[0]
    answers = full_answers(sw.questions, overall=3, text="Daugiau pavyzdžių")
    survey_response_submit(survey=sw.survey, person=person, answers=answers)
    response = SurveyResponse.objects.get()
    assert response.cohort == sw.world.cohort
    assert response.submitted_on == date.today()
    assert response.answers.get(question=sw.questions["overall"]).scale == 3
    assert response.answers.get(question=sw.questions["improve"]).text == "Daugiau pavyzdžių"
    assert response.answers.filter(question=sw.questions["useful"]).count() == 2
    assert SurveyParticipation.objects.filter(survey=sw.survey, person=person).exists()


def test_a_second_answer_is_refused_with_a_clear_message_and_nothing_saved(sw):
    person = sw.participants[0]
    survey_response_submit(survey=sw.survey, person=person, answers=full_answers(sw.questions))
    answers_before = Answer.objects.count()
    with pytest.raises(ValidationError) as error:
        survey_response_submit(
            survey=sw.survey, person=person, answers=full_answers(sw.questions, overall=1)
        )
    assert "jau atsakėte" in " ".join(error.value.messages)
    _nothing_saved(expected_responses=1)
    assert Answer.objects.count() == answers_before


def test_the_unique_constraint_refuses_a_racing_second_answer_and_rolls_it_back(sw, monkeypatch):
    """If two submissions pass the first check at once, the database still lets only one in,
    and the loser's response and answers are rolled back with it."""
    person = sw.participants[0]
    survey_response_submit(survey=sw.survey, person=person, answers=full_answers(sw.questions))
    answers_before = Answer.objects.count()
    monkeypatch.setattr(services, "_already_answered", lambda survey, person: False)
    with pytest.raises(ValidationError) as error:
        survey_response_submit(survey=sw.survey, person=person, answers=full_answers(sw.questions))
    assert "jau atsakėte" in " ".join(error.value.messages)
    _nothing_saved(expected_responses=1)
    assert Answer.objects.count() == answers_before


def test_database_holds_one_participation_per_person_and_survey(sw):
    from django.db import IntegrityError, transaction

    SurveyParticipation.objects.create(survey=sw.survey, person=sw.participants[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyParticipation.objects.create(survey=sw.survey, person=sw.participants[0])


def test_each_participant_answers_once_and_others_still_can(sw):
    for person in sw.participants + sw.participants2:
        survey_response_submit(survey=sw.survey, person=person, answers=full_answers(sw.questions))
    _nothing_saved(expected_responses=9)
    assert SurveyResponse.objects.filter(cohort=sw.cohort2).count() == 3


@pytest.mark.parametrize("value", [0, 6, "labai gerai", "", None, 4.5])
def test_scale_answers_must_be_1_to_5(sw, value):
    answers = full_answers(sw.questions)
    question = sw.questions["overall"]
    answers[question.pk] = value
    with pytest.raises(ValidationError) as error:
        survey_response_submit(survey=sw.survey, person=sw.participants[0], answers=answers)
    assert f"q{question.pk}" in error.value.message_dict
    _nothing_saved()


def test_a_choice_must_be_one_of_the_questions_options(sw):
    answers = full_answers(sw.questions)
    apply = sw.questions["apply"]
    foreign = SurveyChoiceFactory()  # an option of another question
    for bad in (foreign.pk, "abc", [apply.choices.all()[0].pk, apply.choices.all()[1].pk]):
        answers[apply.pk] = bad
        with pytest.raises(ValidationError) as error:
            survey_response_submit(survey=sw.survey, person=sw.participants[0], answers=answers)
        assert f"q{apply.pk}" in error.value.message_dict
    useful = sw.questions["useful"]
    answers = full_answers(sw.questions)
    first = useful.choices.all()[0].pk
    for bad in ([first, foreign.pk], [first, first]):
        answers[useful.pk] = bad
        with pytest.raises(ValidationError):
            survey_response_submit(survey=sw.survey, person=sw.participants[0], answers=answers)
    _nothing_saved()


def test_required_questions_must_be_answered_optional_ones_may_be_left_out(sw):
    answers = full_answers(sw.questions)
    del answers[sw.questions["trainer"].pk]
    del answers[sw.questions["apply"].pk]
    with pytest.raises(ValidationError) as error:
        survey_response_submit(survey=sw.survey, person=sw.participants[0], answers=answers)
    assert set(error.value.message_dict) == {
        f"q{sw.questions['trainer'].pk}",
        f"q{sw.questions['apply'].pk}",
    }
    _nothing_saved()
    answers = full_answers(sw.questions)
    del answers[sw.questions["useful"].pk]  # multiple choice, optional
    survey_response_submit(survey=sw.survey, person=sw.participants[0], answers=answers)
    _nothing_saved(expected_responses=1)


def test_free_text_is_limited_in_length(sw):
    answers = full_answers(sw.questions, text="x" * 2001)
    with pytest.raises(ValidationError):
        survey_response_submit(survey=sw.survey, person=sw.participants[0], answers=answers)
    _nothing_saved()


def test_only_confirmed_participants_of_the_scope_may_answer(sw, world):
    outsider = PersonFactory()
    waiting = PersonFactory()
    EnrolmentFactory(person=waiting, cohort=world.cohort, status="applied")
    for person in (outsider, waiting):
        with pytest.raises(ValidationError):
            survey_response_submit(
                survey=sw.survey, person=person, answers=full_answers(sw.questions)
            )
    _nothing_saved()


def test_a_closed_or_expired_survey_takes_no_answers(sw):
    with pytest.raises(ValidationError):
        survey_response_submit(
            survey=sw.survey,
            person=sw.participants[0],
            answers=full_answers(sw.questions),
            on=sw.survey.closes_on + timedelta(days=1),
        )
    survey_close(survey=sw.survey, actor=sw.world.alice)
    with pytest.raises(ValidationError):
        survey_response_submit(
            survey=sw.survey, person=sw.participants[0], answers=full_answers(sw.questions)
        )
    _nothing_saved()


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_answers_by_one_person_store_one(postgres_only, world):
    """Two threads submit at the same moment; the unique constraint lets exactly one through."""
    import threading

    from kvalis.surveys.services import survey_template_copy, survey_template_default_ensure
    from tests.factories import SurveyFactory

    template = survey_template_copy(
        template=survey_template_default_ensure(), project=world.project, actor=None
    )
    survey = SurveyFactory(activity=world.activity, template=template)
    person = PersonFactory()
    EnrolmentFactory(person=person, cohort=world.cohort)
    questions = {q.key: q for q in template.questions.all()}
    barrier = threading.Barrier(2)
    results = []
    original = services._already_answered

    def slow_check(survey, person):
        answered = original(survey, person)
        barrier.wait(timeout=10)  # both pass the check before either writes
        return answered

    services._already_answered = slow_check
    try:

        def submit():
            try:
                survey_response_submit(
                    survey=survey, person=person, answers=full_answers(questions)
                )
                results.append("ok")
            except ValidationError:
                results.append("refused")
            finally:
                connection.close()  # each thread has its own connection

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        services._already_answered = original
    assert sorted(results) == ["ok", "refused"]
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    assert SurveyParticipation.objects.filter(survey=survey).count() == 1
