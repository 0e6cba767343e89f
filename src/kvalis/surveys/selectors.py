"""Reads of the surveys app: who is asked, what they may open, and results that keep anonymity.

Results of any group with fewer than `MIN_GROUP_SIZE` answers are withheld: not only the charts,
also the free-text answers and the means, so that nobody's answers can be singled out.
Results describe published answers only (`ResultsBatch`, see services.survey_results_publish):
comparing them before and after one answer shows nothing.
"""

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.lib.charts import Chart
from kvalis.people.models import Person
from kvalis.projects.models import Activity, Cohort, Project, Session
from kvalis.surveys.models import (
    MIN_GROUP_SIZE,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Question,
    QuestionKind,
    Survey,
    SurveyParticipation,
    SurveyResponse,
    SurveyStatus,
    SurveyTemplate,
)

ONE_DECIMAL = Decimal("0.1")


# --- who is asked ---------------------------------------------------------------------------


def _scope_q(survey: Survey, prefix: str = "") -> Q:
    if survey.cohort_id:
        return Q(**{f"{prefix}cohort_id": survey.cohort_id})
    return Q(**{f"{prefix}cohort__activity_id": survey.activity_id})


def survey_participants(survey: Survey) -> QuerySet[Person]:
    """Everyone with a confirmed enrolment in the survey's cohort (or its activity's cohorts)."""
    ids = Person.objects.filter(
        _scope_q(survey, "enrolments__"), enrolments__status=EnrolmentStatus.CONFIRMED
    ).values("pk")
    return Person.objects.filter(pk__in=ids)


def survey_non_respondents(survey: Survey) -> QuerySet[Person]:
    answered = SurveyParticipation.objects.filter(survey=survey).values("person_id")
    return survey_participants(survey).exclude(pk__in=answered)


def is_participant(survey: Survey, person: Person) -> bool:
    return survey_participants(survey).filter(pk=person.pk).exists()


def respondent_cohort_id(survey: Survey, person: Person) -> int | None:
    """The group an answer is counted in (never stored with the person)."""
    if survey.cohort_id:
        return survey.cohort_id
    return (
        Cohort.objects.filter(
            activity_id=survey.activity_id,
            enrolments__person=person,
            enrolments__status=EnrolmentStatus.CONFIRMED,
        )
        .order_by("start_date", "id")
        .values_list("pk", flat=True)
        .first()
    )


def scope_last_session_end(survey: Survey):
    """When the last session of the survey's cohort (or activity) ends; None without sessions."""
    return Session.objects.filter(_scope_q(survey)).aggregate(last=Max("ends_at"))["last"]


def surveys_due_to_open(*, now=None) -> QuerySet[Survey]:
    """Draft surveys set to open automatically whose last session has ended."""
    now = now or timezone.now()
    return (
        Survey.objects.filter(status=SurveyStatus.DRAFT, open_mode="auto")
        .annotate(
            last_cohort=Max("cohort__sessions__ends_at"),
            last_activity=Max("activity__cohorts__sessions__ends_at"),
        )
        .filter(
            Q(cohort__isnull=False, last_cohort__lte=now)
            | Q(cohort__isnull=True, last_activity__lte=now)
        )
    )


def accepting_surveys(*, on=None) -> QuerySet[Survey]:
    on = on or timezone.localdate()
    return Survey.objects.filter(status=SurveyStatus.OPEN, closes_on__gte=on)


# --- what a participant sees ----------------------------------------------------------------


def surveys_for_person(person: Person) -> QuerySet[Survey]:
    """Opened surveys (open or closed) of the cohorts the person is confirmed in."""
    cohorts = Cohort.objects.filter(
        enrolments__person=person, enrolments__status=EnrolmentStatus.CONFIRMED
    )
    return (
        Survey.objects.exclude(status=SurveyStatus.DRAFT)
        .filter(Q(cohort__in=cohorts) | Q(cohort__isnull=True, activity__cohorts__in=cohorts))
        .distinct()
        .select_related("project", "activity", "cohort__activity")
        .order_by("-opened_on", "title")
    )


def survey_for_participant(person: Person | None, public_id) -> Survey:
    """The survey behind a participant's link; 404 unless they are one of its participants."""
    if person is None:
        raise Http404
    try:
        return surveys_for_person(person).get(public_id=public_id)
    except (Survey.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def answered_survey_ids(person: Person) -> set[int]:
    return set(
        SurveyParticipation.objects.filter(person=person).values_list("survey_id", flat=True)
    )


def template_questions(template: SurveyTemplate) -> list[Question]:
    return list(template.questions.prefetch_related("choices").order_by("position", "id"))


# --- lists for the back office --------------------------------------------------------------


def project_templates(project: Project) -> QuerySet[SurveyTemplate]:
    return SurveyTemplate.objects.filter(project=project).annotate(
        question_count=Count("questions", distinct=True),
        survey_count=Count("surveys", distinct=True),
    )


def project_surveys(project: Project) -> list[Survey]:
    """The project's surveys with participants and answers counted (a fixed number of queries)."""
    surveys = list(
        Survey.objects.filter(project=project)
        .select_related("activity", "cohort__activity", "template")
        .annotate(answered=Count("participations", distinct=True))
    )
    people_by_cohort: dict[int, set[int]] = {}
    cohorts_by_activity: dict[int, set[int]] = {}
    for cohort_id, activity_id, person_id in Enrolment.objects.filter(
        cohort__activity__project=project, status=EnrolmentStatus.CONFIRMED
    ).values_list("cohort_id", "cohort__activity_id", "person_id"):
        people_by_cohort.setdefault(cohort_id, set()).add(person_id)
        cohorts_by_activity.setdefault(activity_id, set()).add(cohort_id)
    for survey in surveys:
        if survey.cohort_id:
            cohort_ids = {survey.cohort_id}
        else:
            cohort_ids = cohorts_by_activity.get(survey.activity_id, set())
        people = set().union(*(people_by_cohort.get(c, set()) for c in cohort_ids))
        survey.participant_count = len(people)
        survey.rate = _rate(survey.answered, survey.participant_count)
    return surveys


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


# --- results ----------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    mean: Decimal | None = None
    chart: Chart | None = None
    rows: list[tuple[str, int, Decimal | None]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class GroupResults:
    """Results of one group (an activity or a cohort) for one questionnaire.

    `responses` counts the published answers the results describe; `pending` those received
    but not yet published."""

    template: SurveyTemplate
    responses: int
    participants: int
    withheld: bool
    questions: list[QuestionResult] = field(default_factory=list)
    pending: int = 0

    @property
    def rate(self) -> Decimal | None:
        # Who answered is no secret (reminders rest on it): the rate counts every answer.
        return _rate(self.responses + self.pending, self.participants)


def _participant_count(cohort_filter: Q) -> int:
    return (
        Person.objects.filter(cohort_filter, enrolments__status=EnrolmentStatus.CONFIRMED)
        .distinct()
        .count()
    )


def published_responses() -> QuerySet[SurveyResponse]:
    """The answers results may describe: those of a published batch."""
    return SurveyResponse.objects.filter(batch__isnull=False)


def activity_results(activity: Activity) -> list[GroupResults]:
    responses = SurveyResponse.objects.filter(survey__activity=activity)
    participants = _participant_count(Q(enrolments__cohort__activity=activity))
    return _results(responses, participants)


def cohort_results(cohort: Cohort) -> list[GroupResults]:
    responses = SurveyResponse.objects.filter(cohort=cohort)
    participants = _participant_count(Q(enrolments__cohort=cohort))
    withheld_templates = frozenset(
        template
        for template, cohorts in withheld_cohorts_by_template(cohort.activity).items()
        if cohort.pk in cohorts
    )
    return _results(responses, participants, withhold=withheld_templates)


def _hide_against_differencing(counts: dict) -> set:
    """The groups to withhold among `counts` (group -> answers) when their total is shown.

    A group with fewer than five answers is withheld. Subtracting the shown groups from the
    total would reveal the withheld ones (differencing): while the withheld groups together hold
    one to four answers, the smallest shown group is withheld too, until what is hidden is at
    least five answers (or everything is hidden).
    """
    withheld = {group for group, n in counts.items() if n < MIN_GROUP_SIZE}
    shown = sorted(
        ((n, str(group), group) for group, n in counts.items() if n >= MIN_GROUP_SIZE),
        key=lambda item: item[:2],
    )
    while shown and 0 < sum(counts[group] for group in withheld) < MIN_GROUP_SIZE:
        withheld.add(shown.pop(0)[2])
    return withheld


def _cohort_counts_by_template(activity: Activity) -> dict[int, dict]:
    """Answers to `activity`'s surveys per questionnaire (template id) and cohort."""
    counts: dict[int, dict] = {}
    for template, cohort, n in (
        published_responses()
        .filter(survey__activity=activity)
        .values("survey__template", "cohort")
        .annotate(n=Count("id"))
        .values_list("survey__template", "cohort", "n")
        .order_by()
    ):
        counts.setdefault(template, {})[cohort] = n
    return counts


def _withheld_by_template(counts: dict[int, dict]) -> dict[int, set[int]]:
    return {
        template: {cohort for cohort in _hide_against_differencing(by_cohort) if cohort is not None}
        for template, by_cohort in counts.items()
    }


def withheld_cohorts_by_template(activity: Activity) -> dict[int, set[int]]:
    """Per questionnaire (template id): the cohorts of `activity` whose results are withheld.

    Results are shown per questionnaire, so answers are counted per questionnaire too: answers to
    another questionnaire never make a small group look big enough.
    """
    return _withheld_by_template(_cohort_counts_by_template(activity))


def withheld_cohort_ids(activity: Activity) -> set[int]:
    """The cohorts of an activity none of whose questionnaire results may be shown.

    Counted per questionnaire (see `withheld_cohorts_by_template`): a cohort is withheld here when
    every questionnaire it answered is withheld for it.
    """
    counts = _cohort_counts_by_template(activity)
    withheld = _withheld_by_template(counts)
    answered: set[int] = set()
    shown: set[int] = set()
    for template, by_cohort in counts.items():
        cohorts = {cohort for cohort in by_cohort if cohort is not None}
        answered |= cohorts
        shown |= cohorts - withheld[template]
    return answered - shown


def cohort_response_counts(activity: Activity) -> list[dict]:
    """Per cohort of an activity: participants, answers, response rate (counts only)."""
    cohorts = list(activity.cohorts.order_by("start_date", "name"))
    withheld = withheld_cohort_ids(activity)
    answers = dict(
        published_responses()
        .filter(cohort__activity=activity)
        .values("cohort")
        .annotate(n=Count("id"))
        .values_list("cohort", "n")
    )
    people = dict(
        Cohort.objects.filter(activity=activity)
        .annotate(
            n=Count(
                "enrolments__person",
                filter=Q(enrolments__status=EnrolmentStatus.CONFIRMED),
                distinct=True,
            )
        )
        .values_list("pk", "n")
    )
    return [
        {
            "cohort": cohort,
            "participants": people.get(cohort.pk, 0),
            "responses": answers.get(cohort.pk, 0),
            "rate": _rate(answers.get(cohort.pk, 0), people.get(cohort.pk, 0)),
            "withheld": cohort.pk in withheld or answers.get(cohort.pk, 0) < MIN_GROUP_SIZE,
        }
        for cohort in cohorts
    ]


def _results(
    responses: QuerySet[SurveyResponse],
    participants: int,
    *,
    withhold: frozenset[int] = frozenset(),
) -> list[GroupResults]:
    """Results grouped by questionnaire (surveys of one activity normally share one).

    `responses`: all answers of the group, published or not; only published ones are described.
    `withhold`: the questionnaires (template ids) whose results are withheld whatever their size."""
    counts: dict[int, dict[bool, int]] = {}
    for template, published, n in (
        responses.annotate(published=Q(batch__isnull=False))
        .values("survey__template", "published")
        .annotate(n=Count("id"))
        .values_list("survey__template", "published", "n")
        .order_by()
    ):
        counts.setdefault(template, {})[bool(published)] = n
    templates = SurveyTemplate.objects.filter(pk__in=counts).order_by("pk")
    groups = []
    for template in templates:
        n = counts[template.pk].get(True, 0)
        group = GroupResults(
            template=template,
            responses=n,
            participants=participants,
            withheld=template.pk in withhold or n < MIN_GROUP_SIZE,
            pending=counts[template.pk].get(False, 0),
        )
        if not group.withheld:
            group.questions = _question_results(
                template, responses.filter(survey__template=template, batch__isnull=False)
            )
        groups.append(group)
    return groups


def _question_results(
    template: SurveyTemplate, responses: QuerySet[SurveyResponse]
) -> list[QuestionResult]:
    questions = template_questions(template)
    answers = Answer.objects.filter(response__in=responses.values("pk"))
    answered = dict(
        answers.values("question")
        .annotate(n=Count("response", distinct=True))
        .values_list("question", "n")
    )
    scale_counts: dict[int, dict[int, int]] = {}
    for question_id, value, n in (
        answers.filter(scale__isnull=False)
        .values("question", "scale")
        .annotate(n=Count("id"))
        .values_list("question", "scale", "n")
    ):
        scale_counts.setdefault(question_id, {})[value] = n
    choice_counts: dict[int, dict[int, int]] = {}
    for question_id, choice_id, n in (
        answers.filter(choice__isnull=False)
        .values("question", "choice")
        .annotate(n=Count("id"))
        .values_list("question", "choice", "n")
    ):
        choice_counts.setdefault(question_id, {})[choice_id] = n
    texts: dict[int, list[str]] = {}
    for question_id, text in answers.exclude(text="").values_list("question", "text"):
        texts.setdefault(question_id, []).append(text)

    results = []
    for question in questions:
        result = QuestionResult(question=question, answered=answered.get(question.pk, 0))
        if question.kind == QuestionKind.SCALE:
            distribution = scale_counts.get(question.pk, {})
            total = sum(distribution.values())
            if total:
                weighted = sum(value * n for value, n in distribution.items())
                result.mean = (Decimal(weighted) / Decimal(total)).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
            result.rows = [
                (str(value), distribution.get(value, 0), _rate(distribution.get(value, 0), total))
                for value in range(SCALE_MAX, SCALE_MIN - 1, -1)
            ]
        elif question.has_choices:
            distribution = choice_counts.get(question.pk, {})
            base = result.answered
            result.rows = [
                (
                    choice.label,
                    distribution.get(choice.pk, 0),
                    _rate(distribution.get(choice.pk, 0), base),
                )
                for choice in question.choices.all()
            ]
        else:
            # Shuffled with a fresh random order on every view, so the list cannot be matched to
            # the order in which people answered.
            shuffled = list(texts.get(question.pk, []))
            random.SystemRandom().shuffle(shuffled)
            result.texts = shuffled
        if result.rows:
            result.chart = Chart(
                title=question.text,
                rows=[(label, n) for label, n, _pct in result.rows],
                value_label=_("Answers"),
            )
        results.append(result)
    return results


# --- for other apps ---------------------------------------------------------------------------


def project_satisfaction(project: Project) -> dict:
    """The satisfaction indicator for reports.

    Returns {"mean": Decimal 1–5 or None, "responses": int, "participants": int,
    "response_rate": Decimal percent or None, "withheld": bool}. `mean` is the average answer to
    the questionnaires' overall-satisfaction question (key "overall") over all surveys of the
    project. It is None (and `withheld` True) when fewer than five people answered that question,
    or when the activity results that are withheld (one questionnaire of one activity with fewer
    than five answers: a group) hold one to four answers to it between them: the shown groups'
    means subtracted from the project's would reveal theirs.
    """
    responses = SurveyResponse.objects.filter(survey__project=project).count()
    participants = sum(survey.participant_count for survey in project_surveys(project))
    # Counts of answers received are not secret (who answered is known); the mean is of
    # published answers only, like every result.
    group_sizes = {
        (activity, template): n
        for activity, template, n in published_responses()
        .filter(survey__project=project)
        .values("survey__activity", "survey__template")
        .annotate(n=Count("id"))
        .values_list("survey__activity", "survey__template", "n")
        .order_by()
    }
    values: dict[tuple, list[int]] = {}
    for activity, template, value in Answer.objects.filter(
        response__survey__project=project,
        response__batch__isnull=False,
        question__key="overall",
        scale__isnull=False,
    ).values_list("response__survey__activity", "response__survey__template", "scale"):
        values.setdefault((activity, template), []).append(value)
    answered = sum(len(group) for group in values.values())
    hidden = sum(
        len(group) for key, group in values.items() if group_sizes.get(key, 0) < MIN_GROUP_SIZE
    )
    withheld = answered < MIN_GROUP_SIZE or 0 < hidden < MIN_GROUP_SIZE
    mean = None
    if not withheld:
        total = sum(sum(group) for group in values.values())
        mean = (Decimal(total) / Decimal(answered)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return {
        "mean": mean,
        "responses": responses,
        "participants": participants,
        "response_rate": _rate(responses, participants),
        "withheld": withheld,
    }
