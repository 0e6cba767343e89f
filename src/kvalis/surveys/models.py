"""Evaluation surveys (apklausos): anonymous, yet one answer per participant.

Anonymity is a property of the schema, not a promise of the code:

- `SurveyResponse` and `Answer` hold what was answered and nothing about who answered: no foreign
  key to a person or user, no timestamp finer than the day, no IP address. Their primary keys are
  random UUIDs, so the order of answers cannot be read from increasing ids either.
- `SurveyParticipation` says only that a person has answered a survey (a unique pair, no time and
  no link to the response). It is what stops a second answer and what reminders are based on.
- Results are shown only for groups of at least `MIN_GROUP_SIZE` answers (see selectors.py).
- Results show only published answers (`ResultsBatch`): a batch adds at least `MIN_GROUP_SIZE`
  answers of a group, at most one batch a day, and only answers of days that are over, so no
  single answer can be read by comparing results before and after it.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

SCALE_MIN = 1
SCALE_MAX = 5
# Results of a group with fewer answers than this are withheld so nobody can be identified.
MIN_GROUP_SIZE = 5


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("scale 1–5")
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    TEXT = "text", _("free text")


class SurveyTemplate(models.Model):
    """A questionnaire. The built-in default has no project and is only copied, never edited."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_templates",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("introduction"), blank=True)
    is_default = models.BooleanField(_("built-in default"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="surveys_template_one_default",
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(project__isnull=True),
                name="surveys_template_default_has_no_project",
            ),
            models.CheckConstraint(
                condition=Q(is_default=True) | Q(project__isnull=False),
                name="surveys_template_belongs_to_project",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    template = models.ForeignKey(
        SurveyTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("explanation"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    # A stable name for questions other parts of Kvalis read, e.g. "overall" for the funder's
    # satisfaction indicator; copied along with the question.
    key = models.SlugField(_("key"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=QuestionKind.values), name="surveys_question_kind_known"
            ),
            models.UniqueConstraint(
                fields=["template", "key"],
                condition=~Q(key=""),
                name="surveys_question_key_unique_in_template",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_choices(self) -> bool:
        return self.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class Choice(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("option"), max_length=200)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question", "label"], name="surveys_choice_label_unique_in_question"
            )
        ]

    def __str__(self) -> str:
        return self.label


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("survey status", "draft")
    OPEN = "open", pgettext_lazy("survey status", "open")
    CLOSED = "closed", pgettext_lazy("survey status", "closed")


class OpenMode(models.TextChoices):
    AUTO = "auto", _("automatically after the last session")
    MANUAL = "manual", _("manually")


class Survey(models.Model):
    """The evaluation of one activity (all its cohorts) or of one cohort."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    template = models.ForeignKey(
        SurveyTemplate,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    activity = models.ForeignKey(
        "projects.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    cohort = models.ForeignKey(
        "projects.Cohort",
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="surveys",
        help_text=_("Leave empty to evaluate the whole activity (all its cohorts)."),
    )
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    open_mode = models.CharField(
        _("opens"), max_length=16, choices=OpenMode.choices, default=OpenMode.AUTO
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"))
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True)
    # The last day whose answers were counted into the audit log (one entry per day, no time).
    answers_logged_through = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["activity__position", "activity_id", "cohort__start_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(cohort__isnull=False),
                name="surveys_survey_one_per_cohort",
            ),
            models.UniqueConstraint(
                fields=["activity"],
                condition=Q(cohort__isnull=True),
                name="surveys_survey_one_per_activity",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SurveyStatus.values), name="surveys_survey_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(opened_on__isnull=False),
                name="surveys_survey_opened_on_when_opened",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_accepting(self, on=None) -> bool:
        """Open and not past its closing day."""
        on = on or timezone.localdate()
        return self.status == SurveyStatus.OPEN and on <= self.closes_on

    @property
    def scope_label(self) -> str:
        return str(self.cohort) if self.cohort_id else self.activity.title


class ResultsBatch(models.Model):
    """Answers published together into a survey's results; results show nothing else."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="batches"
    )
    published_on = models.DateField(_("published on"))
    responses = models.PositiveIntegerField(_("answers"))

    class Meta:
        verbose_name = _("published batch of results")
        verbose_name_plural = _("published batches of results")
        ordering = ["published_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "published_on"], name="surveys_batch_at_most_daily"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} {self.published_on}: {self.responses}"


class SurveyResponse(models.Model):
    """One participant's answers. Deliberately no link to the person and no time of day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    # The group (never the person) the answer comes from, for results per cohort.
    cohort = models.ForeignKey(
        "projects.Cohort",
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    submitted_on = models.DateField(_("submitted on"))
    batch = models.ForeignKey(
        ResultsBatch,
        verbose_name=_("published in"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class Answer(models.Model):
    """One answer to one question; a multiple-choice answer is one row per option ticked."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        SurveyResponse, verbose_name=_("response"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    scale = models.PositiveSmallIntegerField(
        _("scale value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)],
    )
    choice = models.ForeignKey(
        Choice,
        verbose_name=_("option"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="answers",
    )
    text = models.TextField(_("text"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scale__isnull=False, choice__isnull=True, text="")
                    | Q(scale__isnull=True, choice__isnull=False, text="")
                    | (Q(scale__isnull=True, choice__isnull=True) & ~Q(text=""))
                ),
                name="surveys_answer_exactly_one_value",
            ),
            models.CheckConstraint(
                condition=Q(scale__isnull=True) | Q(scale__gte=SCALE_MIN, scale__lte=SCALE_MAX),
                name="surveys_answer_scale_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.scale or self.choice_id or self.text[:40])


class SurveyParticipation(models.Model):
    """That a person has answered a survey: nothing more (no time, no link to the answers)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="survey_participations",
    )

    class Meta:
        verbose_name = _("survey participation")
        verbose_name_plural = _("survey participations")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person"], name="surveys_one_answer_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.survey_id}"
