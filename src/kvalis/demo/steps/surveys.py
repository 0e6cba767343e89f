"""Evaluation of the three demo modules (answers assumed and marked as demo).

- The project copies the built-in questionnaire; each module gets one survey of the whole module,
  opened the day after its last session.
- About 70 % of each module's confirmed participants answered (chosen deterministically, among
  those who attended when attendance exists): most answers are 4 or 5, some 3, a few free-text
  remarks in Lithuanian marked "(demo)".
- Modules 2 and 3 are closed three weeks after they opened. The survey of the module the
  participant login is confirmed in (module 1 in the demo) stays open — the participant has not
  answered it yet, so the browser journey can.

Answers go through `survey_response_submit`, so they are as anonymous as real ones. History is
reconstructed as of the 2014 dates, so the surveys are set open directly (no invitations sent).
"""

import hashlib
import random
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from kvalis.attendance.models import Attendance, AttendanceStatus
from kvalis.demo import data
from kvalis.demo.steps.core import LOGINS
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.people.models import Person
from kvalis.projects.models import Activity, ActivityKind, Project, Session
from kvalis.surveys.models import QuestionKind, Survey, SurveyResponse, SurveyStatus
from kvalis.surveys.selectors import survey_participants, template_questions
from kvalis.surveys.services import (
    survey_close,
    survey_response_submit,
    survey_results_publish_due,
    survey_template_copy,
    survey_template_default_ensure,
)

TEMPLATE_TITLE = "Mokymų vertinimo anketa (Utenos projektas)"
RESPONSE_RATE = 0.7
OPEN_FOR_DAYS = 21

SCALE_WEIGHTS = {5: 52, 4: 34, 3: 12, 2: 2}
APPLY_WEIGHTS = [30, 45, 20, 5]  # "jau taikau", "artimiausiu metu", "galbūt", "ne"
IMPROVE_REMARKS = [
    "(demo) Daugiau praktinių užduočių ir mažiau teorijos.",
    "(demo) Norėtųsi ilgesnių pertraukų tarp užsiėmimų.",
    "(demo) Būtų naudinga gauti skaidres iš anksto.",
    "(demo) Daugiau pavyzdžių iš mažų bibliotekų darbo.",
    "(demo) Salėje buvo per šilta, trūko vėdinimo.",
    "(demo) Mokymus verta kartoti kitiems kolegoms.",
    "(demo) Daugiau laiko diskusijoms grupėse.",
]
TOPIC_REMARKS = [
    "(demo) Savanorių įtraukimas į jaunimo veiklas.",
    "(demo) Socialinių tinklų komunikacija jaunimui.",
    "(demo) Paraiškų rašymas tarptautiniams fondams.",
    "(demo) Konfliktų valdymas komandoje.",
]


def _order(text: str) -> str:
    return hashlib.sha256(text.lower().encode()).hexdigest()


def _template(project: Project):
    template = project.survey_templates.filter(title=TEMPLATE_TITLE).first()
    if template is None:
        template = survey_template_copy(
            template=survey_template_default_ensure(),
            project=project,
            actor=None,
            title=TEMPLATE_TITLE,
        )
    return template


def _survey(project: Project, activity: Activity, template, *, stays_open: bool) -> Survey:
    survey = Survey.objects.filter(activity=activity, cohort=None).first()
    if survey is not None:
        return survey
    last = Session.objects.filter(cohort__activity=activity).aggregate(last=Max("ends_at"))["last"]
    opened_on = (timezone.localtime(last).date() if last else data.PROJECT_END) + timedelta(days=1)
    closes_on = (
        timezone.localdate() + timedelta(days=90)
        if stays_open
        else opened_on + timedelta(days=OPEN_FOR_DAYS)
    )
    survey = Survey(
        project=project,
        template=template,
        activity=activity,
        title=f"Modulio „{activity.title}“ vertinimas",
        status=SurveyStatus.OPEN,
        open_mode="manual",
        opened_on=opened_on,
        closes_on=closes_on,
    )
    survey.full_clean()
    survey.save()
    return survey


def _respondents(survey: Survey, activity: Activity, skip: Person | None) -> list[Person]:
    people = list(survey_participants(survey))
    target = round(len(people) * RESPONSE_RATE)
    attended = set(
        Attendance.objects.filter(
            enrolment__cohort__activity=activity,
            status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE],
        ).values_list("enrolment__person_id", flat=True)
    )
    candidates = [p for p in people if (not attended or p.pk in attended) and p != skip]
    # By title, not primary key: the same people answer on every database and run.
    candidates.sort(key=lambda p: _order(f"{activity.title}|{p.email}"))
    return candidates[:target]


def _answers(questions, rng: random.Random) -> dict:
    answers: dict = {}
    scales, weights = list(SCALE_WEIGHTS), list(SCALE_WEIGHTS.values())
    for question in questions:
        if question.kind == QuestionKind.SCALE:
            answers[question.pk] = rng.choices(scales, weights)[0]
        elif question.kind == QuestionKind.SINGLE:
            choices = list(question.choices.all())
            answers[question.pk] = rng.choices(
                choices, (APPLY_WEIGHTS + [10] * len(choices))[: len(choices)]
            )[0].pk
        elif question.kind == QuestionKind.MULTIPLE:
            choices = list(question.choices.all())
            answers[question.pk] = [c.pk for c in rng.sample(choices, rng.randint(1, 3))]
        elif question.key == "improve" and rng.random() < 0.3:
            answers[question.pk] = rng.choice(IMPROVE_REMARKS)
        elif question.key == "topics" and rng.random() < 0.15:
            answers[question.pk] = rng.choice(TOPIC_REMARKS)
    return answers


def load(*, stdout=None) -> dict[str, int]:
    project = Project.objects.get(code=data.PROJECT_CODE)
    template = _template(project)
    questions = template_questions(template)
    participant = Person.objects.filter(email=LOGINS["participant"][0]).first()
    modules = list(project.activities.filter(kind=ActivityKind.MODULE).order_by("position", "id"))
    # The survey left open is the module the participant login is confirmed in (else the last).
    confirmed = set(
        Enrolment.objects.filter(person=participant, status=EnrolmentStatus.CONFIRMED).values_list(
            "cohort__activity_id", flat=True
        )
    )
    open_module = next((m for m in modules if m.pk in confirmed), modules[-1] if modules else None)

    for index, module in enumerate(modules):
        stays_open = module == open_module
        survey = _survey(project, module, template, stays_open=stays_open)
        if survey.template_id != template.pk or survey.responses.exists():
            continue  # already filled in by an earlier run
        rng = random.Random(f"kvalis-demo-survey-{index}")
        for offset, person in enumerate(_respondents(survey, module, participant)):
            survey_response_submit(
                survey=survey,
                person=person,
                answers=_answers(questions, rng),
                on=min(survey.opened_on + timedelta(days=offset % 14), survey.closes_on),
            )
        if not stays_open:
            survey_close(survey=survey, actor=None)
    # What the daily `kvalis publish_survey_results` does: the open survey's first batch.
    survey_results_publish_due()

    surveys = Survey.objects.filter(project=project)
    return {
        "surveys": surveys.count(),
        "survey answers": SurveyResponse.objects.filter(survey__in=surveys).count(),
    }
