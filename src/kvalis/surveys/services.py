"""Every write of the surveys app: questionnaires, surveys, invitations and anonymous answers."""

from collections.abc import Mapping
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalis import time_rules
from kvalis.audit.services import audit_log
from kvalis.lib.mail import queue_mail
from kvalis.people.models import Person
from kvalis.projects.models import Activity, Cohort, Project
from kvalis.reports import figures
from kvalis.surveys import defaults
from kvalis.surveys.models import (
    MIN_GROUP_SIZE,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Choice,
    OpenMode,
    Question,
    QuestionKind,
    ResultsBatch,
    Survey,
    SurveyParticipation,
    SurveyResponse,
    SurveyStatus,
    SurveyTemplate,
)
from kvalis.surveys.selectors import (
    is_participant,
    respondent_cohort_id,
    scope_last_session_end,
    survey_non_respondents,
    surveys_due_to_open,
    template_questions,
)

MAX_TEXT_LENGTH = 2000

# --- questionnaires ---------------------------------------------------------------------------


def survey_template_default_ensure() -> SurveyTemplate:
    """The built-in Lithuanian questionnaire, created from code when missing (needs no data)."""
    template = SurveyTemplate.objects.filter(is_default=True).first()
    if template is not None:
        return template
    with transaction.atomic():
        template = SurveyTemplate(
            project=None,
            title=defaults.DEFAULT_TITLE,
            description=defaults.DEFAULT_DESCRIPTION,
            is_default=True,
        )
        template.full_clean()
        template.save()
        for position, (key, kind, text, help_text, required, choices) in enumerate(
            defaults.DEFAULT_QUESTIONS, start=1
        ):
            _question_create(
                template=template,
                position=position,
                key=key,
                kind=kind,
                text=text,
                help_text=help_text,
                required=required,
                choices=choices,
            )
        audit_log(actor=None, action="survey_template.default_create", obj=template)
    return template


def survey_template_copy(
    *, template: SurveyTemplate, project: Project, actor, title: str = ""
) -> SurveyTemplate:
    """A project's own editable copy of a questionnaire (the default or one of the project's)."""
    if template.project_id not in (None, project.pk):
        raise ValidationError(_("This questionnaire belongs to another project."))
    with transaction.atomic():
        copy = SurveyTemplate(
            project=project,
            title=(title or template.title)[:300],
            description=template.description,
        )
        copy.full_clean()
        copy.save()
        for question in template_questions(template):
            _question_create(
                template=copy,
                position=question.position,
                key=question.key,
                kind=question.kind,
                text=question.text,
                help_text=question.help_text,
                required=question.required,
                choices=[choice.label for choice in question.choices.all()],
            )
        audit_log(
            actor=actor,
            action="survey_template.copy",
            obj=copy,
            project=project,
            data={"from": template.pk},
        )
    return copy


def _ensure_editable(template: SurveyTemplate) -> None:
    if template.is_default or template.project_id is None:
        raise ValidationError(_("The built-in questionnaire cannot be changed; copy it first."))
    if template.surveys.exclude(status=SurveyStatus.DRAFT).exists():
        raise ValidationError(
            _(
                "This questionnaire is used by a survey that has been opened, so its questions "
                "can no longer change. Copy it to make a new version."
            )
        )


def survey_template_update(
    *, template: SurveyTemplate, actor, title: str, description: str = ""
) -> SurveyTemplate:
    if template.is_default:
        raise ValidationError(_("The built-in questionnaire cannot be changed; copy it first."))
    template.title = title.strip()
    template.description = description.strip()
    template.full_clean()
    template.save()
    audit_log(actor=actor, action="survey_template.update", obj=template, project=template.project)
    return template


def _clean_choices(kind: str, choices: list[str]) -> list[str]:
    cleaned: list[str] = []
    for label in choices:
        label = label.strip()
        if label and label not in cleaned:
            cleaned.append(label)
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(cleaned) < 2:
            raise ValidationError(
                {"choices": _("A choice question needs at least two different options.")}
            )
    elif cleaned:
        raise ValidationError({"choices": _("Only choice questions have options.")})
    return cleaned


def _question_create(
    *,
    template: SurveyTemplate,
    position: int,
    kind: str,
    text: str,
    help_text: str = "",
    required: bool = True,
    key: str = "",
    choices: list[str],
) -> Question:
    labels = _clean_choices(kind, choices)
    question = Question(
        template=template,
        position=position,
        kind=kind,
        text=text.strip(),
        help_text=help_text.strip(),
        required=required,
        key=key,
    )
    question.full_clean()
    question.save()
    for index, label in enumerate(labels, start=1):
        choice = Choice(question=question, position=index, label=label)
        choice.full_clean()
        choice.save()
    return question


def question_add(
    *,
    template: SurveyTemplate,
    actor,
    kind: str,
    text: str,
    required: bool = True,
    help_text: str = "",
    choices: list[str] | None = None,
) -> Question:
    _ensure_editable(template)
    with transaction.atomic():
        last = template.questions.aggregate(last=Max("position"))["last"] or 0
        question = _question_create(
            template=template,
            position=last + 1,
            kind=kind,
            text=text,
            help_text=help_text,
            required=required,
            choices=choices or [],
        )
        audit_log(
            actor=actor,
            action="survey_question.add",
            obj=question,
            project=template.project,
        )
    return question


def question_delete(*, question: Question, actor) -> None:
    template = question.template
    _ensure_editable(template)
    if question.answers.exists():
        raise ValidationError(_("This question has answers and cannot be removed."))
    with transaction.atomic():
        audit_log(
            actor=actor,
            action="survey_question.delete",
            obj=question,
            project=template.project,
        )
        question.delete()
        _renumber(template)


def question_move(*, question: Question, actor, direction: str) -> None:
    """Swap a question with its neighbour ("up" or "down"); at either end nothing changes."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Unknown direction."))
    template = question.template
    _ensure_editable(template)
    with transaction.atomic():
        _renumber(template)
        questions = list(template.questions.order_by("position", "id"))
        index = next(i for i, q in enumerate(questions) if q.pk == question.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(questions):
            return
        questions[index], questions[other] = questions[other], questions[index]
        for position, item in enumerate(questions, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        audit_log(
            actor=actor,
            action="survey_question.move",
            obj=question,
            project=template.project,
            data={"direction": direction},
        )


def _renumber(template: SurveyTemplate) -> None:
    for position, item in enumerate(template.questions.order_by("position", "id"), start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


# --- surveys ----------------------------------------------------------------------------------


def survey_create(
    *,
    project: Project,
    template: SurveyTemplate,
    activity: Activity,
    cohort: Cohort | None,
    closes_on: date,
    actor,
    title: str = "",
    open_mode: str = OpenMode.AUTO,
    today: date | None = None,
) -> Survey:
    """A survey of one activity or one cohort. With `open_mode` auto it opens (and invites) as soon
    as the last session of its scope has ended, at once if that is already in the past."""
    today = today or timezone.localdate()
    if activity.project_id != project.pk:
        raise ValidationError({"activity": _("This activity belongs to another project.")})
    if cohort is not None and cohort.activity_id != activity.pk:
        raise ValidationError({"cohort": _("This cohort belongs to another activity.")})
    if template.project_id not in (None, project.pk):
        raise ValidationError({"template": _("This questionnaire belongs to another project.")})
    if not template.questions.exists():
        raise ValidationError({"template": _("This questionnaire has no questions.")})
    if closes_on < today:
        raise ValidationError({"closes_on": _("The closing day cannot be in the past.")})
    overlapping = Survey.objects.filter(activity=activity)
    if cohort is None and overlapping.exists():
        raise ValidationError(
            {"cohort": _("This activity already has a survey (of the activity or of a cohort).")}
        )
    if cohort is not None and overlapping.filter(cohort__isnull=True).exists():
        raise ValidationError({"cohort": _("The whole activity already has a survey.")})
    if cohort is not None and overlapping.filter(cohort=cohort).exists():
        raise ValidationError({"cohort": _("This cohort already has a survey.")})
    survey = Survey(
        project=project,
        template=template,
        activity=activity,
        cohort=cohort,
        title=(title.strip() or f"{template.title}: {cohort or activity}")[:300],
        open_mode=open_mode,
        closes_on=closes_on,
    )
    survey.full_clean()
    with transaction.atomic():
        survey.save()
        audit_log(actor=actor, action="survey.create", obj=survey, project=project)
        if open_mode == OpenMode.AUTO:
            last = scope_last_session_end(survey)
            if last is not None and last <= timezone.now():
                survey_open(survey=survey, actor=actor, on=today)
    return survey


def survey_refusal(survey: Survey, ends_at) -> str:
    if ends_at is None:
        return _("“%(scope)s” has no sessions yet, so there is nothing to evaluate.") % {
            "scope": survey.scope_label
        }
    return _(
        "A survey opens only after the last session of “%(scope)s” has ended (%(ends)s): its "
        "invitation thanks people for taking part."
    ) % {"scope": survey.scope_label, "ends": time_rules.local_text(ends_at)}


def survey_pending(survey: Survey, *, now=None) -> str | None:
    """Why the survey cannot be opened (or its reminders sent) now, or None."""
    ends_at = scope_last_session_end(survey)
    if ends_at is not None and time_rules.current_time(now) >= ends_at:
        return None
    return survey_refusal(survey, ends_at)


def _require_scope_ended(survey: Survey, *, actor, now, override_reason) -> str | None:
    """A survey thanks its participants for taking part: only after the last session of its
    cohort (or of every cohort of its activity) has ended, unless a coordinator overrides."""
    ends_at = scope_last_session_end(survey)
    return time_rules.enforce(
        rule=time_rules.Rule.SURVEY,
        allowed_from=ends_at,
        now=time_rules.current_time(now),
        refusal=survey_refusal(survey, ends_at),
        actor=actor,
        project=survey.project,
        obj=survey,
        override_reason=override_reason,
    )


def survey_open(
    *,
    survey: Survey,
    actor,
    notify: bool = True,
    on: date | None = None,
    now=None,
    override_reason: str | None = None,
) -> int:
    """Open a survey and invite its participants by e-mail; returns how many were invited.

    Only after the last session of its scope has ended (see `_require_scope_ended`)."""
    on = on or timezone.localdate(now)
    if survey.status == SurveyStatus.OPEN:
        raise ValidationError(_("The survey is already open."))
    if survey.closes_on < on:
        raise ValidationError(
            _("The closing day has passed; set a later closing day before opening.")
        )
    with transaction.atomic():
        early = _require_scope_ended(survey, actor=actor, now=now, override_reason=override_reason)
        survey.status = SurveyStatus.OPEN
        survey.opened_on = survey.opened_on or on
        survey.full_clean()
        survey.save(update_fields=["status", "opened_on"])
        # A reopened survey does not invite again those who have answered.
        invited = (
            _mail_participants(survey, survey_non_respondents(survey), "invitation")
            if notify
            else 0
        )
        audit_log(
            actor=actor,
            action="survey.open",
            obj=survey,
            project=survey.project,
            data={"invited": invited, **({"override_reason": early} if early else {})},
        )
    return invited


def survey_update(
    *, survey: Survey, actor, title: str, closes_on: date, today: date | None = None
) -> Survey:
    """Rename a survey or move its closing day (not into the past)."""
    today = today or timezone.localdate()
    if closes_on < today and closes_on != survey.closes_on:
        raise ValidationError({"closes_on": _("The closing day cannot be in the past.")})
    survey.title = title.strip() or survey.title
    survey.closes_on = closes_on
    survey.full_clean()
    survey.save(update_fields=["title", "closes_on"])
    audit_log(
        actor=actor,
        action="survey.update",
        obj=survey,
        project=survey.project,
        data={"closes_on": closes_on.isoformat()},
    )
    return survey


def survey_close(*, survey: Survey, actor, today: date | None = None) -> None:
    """Close a survey; its results are then published (see survey_results_publish)."""
    if survey.status != SurveyStatus.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    with transaction.atomic():
        survey.status = SurveyStatus.CLOSED
        survey.full_clean()
        survey.save(update_fields=["status"])
        audit_log(actor=actor, action="survey.close", obj=survey, project=survey.project)
        survey_results_publish(survey=survey, actor=actor, today=today)


def survey_remind(
    *,
    survey: Survey,
    actor,
    on: date | None = None,
    now=None,
    override_reason: str | None = None,
) -> int:
    """E-mail a reminder to the participants who have not answered; returns how many.

    Like opening, only after the last session of the survey's scope has ended."""
    on = on or timezone.localdate(now)
    if not survey.is_accepting(on):
        raise ValidationError(_("Reminders can only be sent while the survey is open."))
    with transaction.atomic():
        _require_scope_ended(survey, actor=actor, now=now, override_reason=override_reason)
        sent = _mail_participants(survey, survey_non_respondents(survey), "reminder")
        survey.reminded_on = on
        survey.save(update_fields=["reminded_on"])
        audit_log(
            actor=actor,
            action="survey.remind",
            obj=survey,
            project=survey.project,
            data={"reminded": sent},
        )
    return sent


def surveys_open_due(*, now=None) -> list[Survey]:
    """Open (and invite) every automatic survey whose last session has ended."""
    opened = []
    today = timezone.localdate(now) if now else timezone.localdate()
    for survey in surveys_due_to_open(now=now).select_related("project"):
        if survey.closes_on < today:
            continue
        survey_open(survey=survey, actor=None, on=today, now=now)
        opened.append(survey)
    return opened


def _mail_participants(survey: Survey, people, template: str) -> int:
    url = reverse("surveys:answer", args=[survey.public_id])
    sent = 0
    for person in people.exclude(email="").select_related("user"):
        language = (
            person.user.language if person.user_id and person.user.language else None
        ) or settings.LANGUAGE_CODE
        queue_mail(
            to=person.email,
            template=f"surveys/emails/{template}",
            context={
                "first_name": person.first_name,
                "survey_title": survey.title,
                "scope": survey.scope_label,
                "closes_on": survey.closes_on.isoformat(),
                "url": url,
            },
            language=language,
        )
        sent += 1
    return sent


# --- answers ----------------------------------------------------------------------------------


def _already_answered(survey: Survey, person: Person) -> bool:
    return SurveyParticipation.objects.filter(survey=survey, person=person).exists()


def _field(question: Question) -> str:
    return f"q{question.pk}"


def _as_int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _validated_answers(questions: list[Question], answers: Mapping) -> list[Answer]:
    """Check every answer against its question; the errors are keyed by form field (q<id>)."""
    errors: dict[str, str] = {}
    rows: list[Answer] = []
    for question in questions:
        raw = answers.get(question.pk, answers.get(str(question.pk)))
        if isinstance(raw, str):
            raw = raw.strip()
        empty = raw in (None, "") or (isinstance(raw, list | tuple | set) and not raw)
        if empty:
            if question.required:
                errors[_field(question)] = _("Please answer this question.")
            continue
        if question.kind == QuestionKind.SCALE:
            value = _as_int(raw)
            if value is None or not SCALE_MIN <= value <= SCALE_MAX:
                errors[_field(question)] = _("Choose a value from %(min)s to %(max)s.") % {
                    "min": SCALE_MIN,
                    "max": SCALE_MAX,
                }
                continue
            rows.append(Answer(question=question, scale=value))
        elif question.has_choices:
            values = list(raw) if isinstance(raw, list | tuple | set) else [raw]
            if question.kind == QuestionKind.SINGLE and len(values) != 1:
                errors[_field(question)] = _("Choose exactly one option.")
                continue
            options = {choice.pk: choice for choice in question.choices.all()}
            ids = [_as_int(v) for v in values]
            if any(i not in options for i in ids) or len(set(ids)) != len(ids):
                errors[_field(question)] = _("Choose among the options given.")
                continue
            rows.extend(Answer(question=question, choice=options[i]) for i in ids)
        else:
            text = str(raw).strip()
            if len(text) > MAX_TEXT_LENGTH:
                errors[_field(question)] = _("Please keep the answer under %(max)s characters.") % {
                    "max": MAX_TEXT_LENGTH
                }
                continue
            rows.append(Answer(question=question, text=text))
    if errors:
        raise ValidationError(errors)
    return rows


def survey_response_submit(
    *, survey: Survey, person: Person, answers: Mapping, on: date | None = None
) -> None:
    """Store one anonymous answer and record that `person` has answered — both or neither.

    `answers` maps question ids to a value: 1–5 for scales, a choice id for single choice, a list
    of choice ids for multiple choice, text for free text. Refused (nothing saved): a survey that
    is not open, a person who is not a participant, a second answer, an invalid answer.
    """
    on = on or timezone.localdate()
    if not survey.is_accepting(on):
        raise ValidationError(_("This survey is not open for answers."))
    if not is_participant(survey, person):
        raise ValidationError(_("Only participants of this training can answer its survey."))
    already = _("You have already answered this survey. Each participant answers only once.")
    if _already_answered(survey, person):
        raise ValidationError(already)
    rows = _validated_answers(template_questions(survey.template), answers)
    try:
        with transaction.atomic():
            response = SurveyResponse(
                survey=survey,
                cohort_id=respondent_cohort_id(survey, person),
                submitted_on=on,
            )
            response.full_clean()
            response.save()
            for row in rows:
                row.response = response
                # The question and the option come from the survey's own, already checked
                # (`_validated_answers`), and the database's check constraints hold: validating
                # them again here would cost a query each, for every answer of every response.
                row.full_clean(
                    exclude=["question", "choice", "response"], validate_constraints=False
                )
            Answer.objects.bulk_create(rows)
            # Written last: when two answers race, the unique constraint refuses the second one
            # here and the whole transaction (its answers too) is rolled back.
            participation = SurveyParticipation(survey=survey, person=person)
            participation.full_clean(validate_constraints=False)
            participation.save()
            figures.project_changed(project_id=survey.project_id)  # the response count
            # No audit entry here: any entry written now, even dated to midnight, would sit
            # between timed entries and give the answer's time away. The daily pass
            # (survey_results_publish_due) records each day's answers as a count.
    except IntegrityError:
        raise ValidationError(already) from None


# --- published results and the daily pass ---------------------------------------------------


def survey_results_publish(*, survey: Survey, actor=None, today: date | None = None):
    """Publish the answers that may join the survey's results now; returns the batch or None.

    Results show published answers only, so what anyone sees changes only by a batch: at most
    one a day, only of days that are over (closed surveys: every answer), and for each group
    (the answers of one cohort) only when it adds at least MIN_GROUP_SIZE answers. A survey
    whose results were never published gets everything at once when it is closed; afterwards
    fewer than MIN_GROUP_SIZE late answers of a group stay out, as any later change would
    show them one by one.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if (
            survey.status == SurveyStatus.DRAFT
            or survey.batches.filter(published_on=today).exists()
        ):
            return None
        waiting = survey.responses.filter(batch__isnull=True)
        if survey.status == SurveyStatus.OPEN:
            waiting = waiting.filter(submitted_on__lt=today)
        by_group = dict(
            waiting.values("cohort").annotate(n=Count("id")).values_list("cohort", "n").order_by()
        )
        first_and_final = survey.status == SurveyStatus.CLOSED and not survey.batches.exists()
        groups = [g for g, n in by_group.items() if first_and_final or n >= MIN_GROUP_SIZE]
        if not groups:
            return None
        in_groups = Q(cohort__in=[g for g in groups if g is not None])
        if None in groups:
            in_groups |= Q(cohort__isnull=True)
        chosen = waiting.filter(in_groups)
        batch = ResultsBatch(
            survey=survey, published_on=today, responses=sum(by_group[g] for g in groups)
        )
        batch.full_clean()
        batch.save()
        chosen.update(batch=batch)
        audit_log(
            actor=actor,
            action="survey.results_publish",
            obj=survey,
            project=survey.project,
            data={"published_on": today.isoformat(), "answers": batch.responses},
        )
    return batch


def survey_answers_log(*, survey: Survey, today: date | None = None) -> int:
    """Record in the audit log how many answers each finished day brought: one entry per survey
    and day, naming the day and no time (the entry is written later, by the daily pass)."""
    today = today or timezone.localdate()
    yesterday = today - timedelta(days=1)
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        if survey.answers_logged_through is not None and survey.answers_logged_through >= yesterday:
            return 0
        days = survey.responses.filter(submitted_on__lt=today)
        if survey.answers_logged_through is not None:
            days = days.filter(submitted_on__gt=survey.answers_logged_through)
        counts = list(
            days.values("submitted_on")
            .annotate(n=Count("id"))
            .values_list("submitted_on", "n")
            .order_by("submitted_on")
        )
        for day, n in counts:
            audit_log(
                actor=None,
                action="survey.answers",
                obj=survey,
                project=survey.project,
                summary=_("%(survey)s: answers on %(date)s: %(count)s")
                % {"survey": survey, "count": n, "date": day.isoformat()},
                data={"date": day.isoformat(), "answers": n},
            )
        survey.answers_logged_through = yesterday
        survey.save(update_fields=["answers_logged_through"])
    return len(counts)


def survey_results_publish_due(*, today: date | None = None) -> list[ResultsBatch]:
    """The daily pass (`kvalis publish_survey_results`): log finished days' answers and publish
    the batches that are due, for every opened survey."""
    today = today or timezone.localdate()
    batches = []
    for survey in Survey.objects.exclude(status=SurveyStatus.DRAFT).select_related("project"):
        survey_answers_log(survey=survey, today=today)
        batch = survey_results_publish(survey=survey, today=today)
        if batch is not None:
            batches.append(batch)
    return batches
