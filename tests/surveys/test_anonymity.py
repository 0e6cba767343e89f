"""Anonymity is a property of the schema: nothing links an answer to a person."""

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


def test_the_audit_entry_of_an_answer_names_no_one(sw):
    from kvalis.audit.models import AuditEntry

    survey_response_submit(
        survey=sw.survey, person=sw.participants[0], answers=full_answers(sw.questions)
    )
    entry = AuditEntry.objects.get(action="survey.answer")
    assert entry.actor is None
    assert entry.object_id == str(sw.survey.pk)
