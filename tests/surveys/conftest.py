"""Fixtures for the surveys tests: a trainer, a funder observer, participants and a survey."""

from dataclasses import dataclass

import pytest

from kvalis.surveys.services import survey_template_copy, survey_template_default_ensure
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    MembershipFactory,
    PersonFactory,
    SessionFactory,
    SurveyFactory,
    UserFactory,
)


@dataclass
class SurveyWorld:
    world: object
    survey: object  # open, of the whole `world.activity`, built from a copy of the default
    cohort2: object  # a second cohort of the same activity (another trainer's)
    trainer: object  # user; trains world.cohort only
    funder: object  # user; funder observer of the project
    participants: list  # Persons confirmed in world.cohort (6)
    participants2: list  # Persons confirmed in cohort2 (3)
    participant_user: object  # the login of participants[0]

    @property
    def questions(self):
        return {q.key: q for q in self.survey.template.questions.prefetch_related("choices")}


def publish_all() -> None:
    """Publish every answer not yet published, each survey's in one batch, regardless of the
    batch rules (test_batches.py tests those): for tests of the rules on published answers."""
    from datetime import date, timedelta

    from django.db.models import Max

    from kvalis.surveys.models import ResultsBatch, SurveyResponse

    waiting = SurveyResponse.objects.filter(batch__isnull=True)
    for survey_id in set(waiting.values_list("survey_id", flat=True)):
        last = ResultsBatch.objects.filter(survey_id=survey_id).aggregate(d=Max("published_on"))
        batch = ResultsBatch.objects.create(
            survey_id=survey_id,
            published_on=(last["d"] or date.today()) + timedelta(days=1),
            responses=waiting.filter(survey_id=survey_id).count(),
        )
        waiting.filter(survey_id=survey_id).update(batch=batch)


def full_answers(questions, *, overall=5, text="") -> dict:
    """A valid set of answers to the default questionnaire."""
    answers = {}
    for key, question in questions.items():
        if question.kind == "scale":
            answers[question.pk] = overall if key == "overall" else 4
        elif question.kind == "single":
            answers[question.pk] = question.choices.all()[0].pk
        elif question.kind == "multiple":
            answers[question.pk] = [c.pk for c in question.choices.all()[:2]]
        elif text:
            answers[question.pk] = text
    return answers


@pytest.fixture
def sw(world) -> SurveyWorld:
    trainer = UserFactory(email="trainer@example.lt")
    trainer_person = PersonFactory(user=trainer, last_name="Lektorius")
    world.cohort.trainers.add(trainer_person)
    funder = UserFactory(email="funder@example.lt")
    MembershipFactory(project=world.project, user=funder, role="funder_observer")
    cohort2 = CohortFactory(activity=world.activity, name="2 grupė")
    SessionFactory(cohort=cohort2)
    cohort2.trainers.add(PersonFactory(last_name="Kitaslektorius"))
    participants = []
    for index in range(6):
        user = UserFactory(email=f"dalyvis{index}@example.lt")
        person = PersonFactory(
            user=user, email=f"dalyvis{index}@example.lt", organisation=world.lead
        )
        EnrolmentFactory(person=person, cohort=world.cohort)
        participants.append(person)
    participants2 = []
    for index in range(3):
        person = PersonFactory(email=f"antra{index}@example.lt", organisation=world.lead)
        EnrolmentFactory(person=person, cohort=cohort2)
        participants2.append(person)
    template = survey_template_copy(
        template=survey_template_default_ensure(), project=world.project, actor=world.alice
    )
    survey = SurveyFactory(activity=world.activity, template=template, title="Modulio vertinimas")
    return SurveyWorld(
        world=world,
        survey=survey,
        cohort2=cohort2,
        trainer=trainer,
        funder=funder,
        participants=participants,
        participants2=participants2,
        participant_user=participants[0].user,
    )
