"""Questionnaires: the built-in default, copies per project, adding, removing, reordering."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kvalis.surveys.models import Question, SurveyTemplate
from kvalis.surveys.services import (
    question_add,
    question_delete,
    question_move,
    survey_template_copy,
    survey_template_default_ensure,
    survey_template_update,
)
from tests.factories import SurveyFactory


def test_default_questionnaire_is_created_once_from_code(db):
    first = survey_template_default_ensure()
    second = survey_template_default_ensure()
    assert first.pk == second.pk
    assert SurveyTemplate.objects.filter(is_default=True).count() == 1
    keys = list(first.questions.values_list("key", flat=True))
    for key in ("overall", "relevance", "trainer", "organisation", "improve"):
        assert key in keys
    kinds = set(first.questions.values_list("kind", flat=True))
    assert kinds == {"scale", "single", "multiple", "text"}
    assert first.questions.get(key="overall").text == "Kaip bendrai vertinate mokymus?"


def test_command_creates_the_default_questionnaire(db):
    call_command("survey_default_template", stdout=StringIO())
    assert SurveyTemplate.objects.filter(is_default=True, project=None).exists()


def test_copy_belongs_to_the_project_and_keeps_questions_options_and_keys(world):
    default = survey_template_default_ensure()
    copy = survey_template_copy(
        template=default, project=world.project, actor=world.alice, title="Mūsų anketa"
    )
    assert copy.project == world.project and not copy.is_default and copy.title == "Mūsų anketa"
    original = [(q.key, q.kind, q.text, q.choices.count()) for q in default.questions.all()]
    copied = [(q.key, q.kind, q.text, q.choices.count()) for q in copy.questions.all()]
    assert original == copied
    # The copies are new rows, the default is unchanged.
    assert not set(copy.questions.values_list("pk", flat=True)) & set(
        default.questions.values_list("pk", flat=True)
    )


def test_a_questionnaire_of_another_project_cannot_be_copied(world):
    other = survey_template_copy(
        template=survey_template_default_ensure(), project=world.other_project, actor=None
    )
    with pytest.raises(ValidationError):
        survey_template_copy(template=other, project=world.project, actor=world.alice)


def test_the_default_cannot_be_edited(db):
    default = survey_template_default_ensure()
    with pytest.raises(ValidationError):
        question_add(template=default, actor=None, kind="scale", text="Naujas?")
    with pytest.raises(ValidationError):
        survey_template_update(template=default, actor=None, title="Kita")
    with pytest.raises(ValidationError):
        question_delete(question=default.questions.first(), actor=None)


@pytest.fixture
def copy(world):
    return survey_template_copy(
        template=survey_template_default_ensure(), project=world.project, actor=world.alice
    )


def test_coordinator_adds_questions_of_every_kind_at_the_end(copy, world):
    before = copy.questions.count()
    scale = question_add(
        template=copy, actor=world.alice, kind="scale", text="Ar rekomenduotumėte?"
    )
    choice = question_add(
        template=copy,
        actor=world.alice,
        kind="multiple",
        text="Iš kur sužinojote?",
        required=False,
        choices=["Iš vadovo", " Iš kolegų ", "Iš vadovo", ""],
    )
    assert copy.questions.count() == before + 2
    assert list(copy.questions.order_by("position"))[-2:] == [scale, choice]
    # Blank and repeated options are dropped, the rest trimmed.
    assert list(choice.choices.values_list("label", flat=True)) == ["Iš vadovo", "Iš kolegų"]


@pytest.mark.parametrize(
    "kind, choices",
    [("single", ["Tik vienas"]), ("multiple", []), ("scale", ["Taip", "Ne"]), ("text", ["A", "B"])],
)
def test_options_must_fit_the_kind_and_nothing_is_saved_otherwise(copy, world, kind, choices):
    before = Question.objects.count()
    with pytest.raises(ValidationError) as error:
        question_add(
            template=copy, actor=world.alice, kind=kind, text="Klausimas?", choices=choices
        )
    assert "choices" in error.value.message_dict
    assert Question.objects.count() == before


def test_an_unknown_kind_or_empty_text_is_refused(copy, world):
    with pytest.raises(ValidationError):
        question_add(template=copy, actor=world.alice, kind="rating", text="Klausimas?")
    with pytest.raises(ValidationError):
        question_add(template=copy, actor=world.alice, kind="scale", text="   ")


def test_questions_move_up_and_down_and_stay_put_at_the_ends(copy, world):
    questions = list(copy.questions.all())
    question_move(question=questions[2], actor=world.alice, direction="up")
    order = list(copy.questions.order_by("position").values_list("pk", flat=True))
    assert order[:3] == [questions[0].pk, questions[2].pk, questions[1].pk]
    question_move(question=questions[0], actor=world.alice, direction="up")
    assert list(copy.questions.order_by("position").values_list("pk", flat=True)) == order
    question_move(question=questions[0], actor=world.alice, direction="down")
    assert list(copy.questions.order_by("position").values_list("pk", flat=True))[:2] == [
        questions[2].pk,
        questions[0].pk,
    ]
    with pytest.raises(ValidationError):
        question_move(question=questions[0], actor=world.alice, direction="sideways")


def test_removing_a_question_renumbers_the_rest(copy, world):
    questions = list(copy.questions.all())
    question_delete(question=questions[1], actor=world.alice)
    assert list(copy.questions.order_by("position").values_list("position", flat=True)) == list(
        range(1, len(questions))
    )


def test_questions_cannot_change_once_a_survey_with_them_was_opened(copy, world):
    SurveyFactory(activity=world.activity, template=copy, status="open")
    with pytest.raises(ValidationError):
        question_add(template=copy, actor=world.alice, kind="scale", text="Vėlu?")
    with pytest.raises(ValidationError):
        question_delete(question=copy.questions.first(), actor=world.alice)
    with pytest.raises(ValidationError):
        question_move(question=copy.questions.last(), actor=world.alice, direction="up")


def test_questions_may_change_while_its_surveys_are_drafts(copy, world):
    SurveyFactory(activity=world.activity, template=copy, status="draft", opened_on=None)
    question_add(template=copy, actor=world.alice, kind="text", text="Dar vienas?")
