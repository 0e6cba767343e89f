"""Survey pages: questionnaires and surveys (coordinators), results (coordinators, trainers of
their own cohorts, funder observers at activity level) and the participant's own /my/surveys/.

Partner coordinators never see survey results: with small groups from one institution they could
recognise their own staff's answers.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from kvalis.access import Perm, ProjectAccess, Role, get_project_access
from kvalis.lib.confirm import confirmation_page
from kvalis.lib.exports import download_name, xlsx_response
from kvalis.lib.time_override import TimeRuleOverrideForm
from kvalis.people.models import Person
from kvalis.surveys import selectors, services
from kvalis.surveys.forms import (
    QuestionForm,
    SurveyEditForm,
    SurveyForm,
    TemplateCopyForm,
    TemplateForm,
    answer_form_class,
)
from kvalis.surveys.models import MIN_GROUP_SIZE, Question, Survey, SurveyTemplate

# --- access -----------------------------------------------------------------------------------


def _results_access(user, code: str) -> ProjectAccess:
    """Coordinators, funder observers and trainers; partner coordinators get 404."""
    access = get_project_access(user, code)
    if access.is_coordinator or access.role in (Role.FUNDER_OBSERVER, Role.TRAINER):
        return access
    raise Http404


def _activity_results_access(user, code: str) -> ProjectAccess:
    access = get_project_access(user, code)
    if access.is_coordinator or access.role == Role.FUNDER_OBSERVER:
        return access
    raise Http404


def _cohort_results_access(user, code: str) -> ProjectAccess:
    """Coordinators see every cohort; trainers only their own (access.cohorts())."""
    access = get_project_access(user, code)
    if access.is_coordinator or access.role == Role.TRAINER:
        return access
    raise Http404


def _survey(access: ProjectAccess, pk: int) -> Survey:
    return get_object_or_404(
        Survey.objects.filter(project=access.project).select_related(
            "activity", "cohort", "template"
        ),
        pk=pk,
    )


def _template(access: ProjectAccess, pk: int) -> SurveyTemplate:
    """The project's questionnaires and the built-in default."""
    return get_object_or_404(
        SurveyTemplate.objects.filter(Q(project=access.project) | Q(is_default=True)), pk=pk
    )


def _question(template: SurveyTemplate, pk: int) -> Question:
    return get_object_or_404(template.questions.all(), pk=pk)


def _person(user) -> Person | None:
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _override_reason(request: HttpRequest) -> str | None:
    """A coordinator's exception to the time rule (checkbox and reason), refused when the
    reason is missing; the service checks who may make it and audits it."""
    form = TimeRuleOverrideForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors["override_reason"])
    return form.reason()


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's errors next to the form fields they name (the rest on top)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _context(access: ProjectAccess, **extra) -> dict:
    return {"access": access, "project": access.project, "tab": "surveys", **extra}


# --- overview ---------------------------------------------------------------------------------


@login_required
def survey_index(request: HttpRequest, code: str) -> HttpResponse:
    access = _results_access(request.user, code)
    project = access.project
    context = _context(access)
    if access.is_coordinator:
        context["surveys"] = selectors.project_surveys(project)
        context["templates"] = selectors.project_templates(project)
    if access.is_coordinator or access.role == Role.FUNDER_OBSERVER:
        context["activities"] = project.activities.filter(surveys__isnull=False).distinct()
    if access.is_coordinator or access.role == Role.TRAINER:
        surveyed = Survey.objects.filter(project=project)
        context["cohorts"] = (
            access.cohorts()
            .filter(
                Q(pk__in=surveyed.filter(cohort__isnull=False).values("cohort_id"))
                | Q(activity__in=surveyed.filter(cohort__isnull=True).values("activity_id"))
            )
            .select_related("activity")
            .order_by("activity__position", "start_date", "name")
        )
    return render(request, "surveys/index.html", context)


# --- questionnaires ---------------------------------------------------------------------------


@login_required
def template_list(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    default = services.survey_template_default_ensure()
    return render(
        request,
        "surveys/template_list.html",
        _context(
            access,
            templates=selectors.project_templates(access.project),
            default=default,
            copy_form=TemplateCopyForm(),
        ),
    )


@login_required
@require_POST
def template_copy(request: HttpRequest, code: str, template_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    template = _template(access, template_pk)
    form = TemplateCopyForm(request.POST)
    title = form.cleaned_data["title"] if form.is_valid() else ""
    copy = services.survey_template_copy(
        template=template, project=access.project, actor=request.user, title=title
    )
    messages.success(request, _("A copy of the questionnaire was made. Edit it below."))
    return redirect("surveys:template_detail", code=code, template_pk=copy.pk)


@login_required
def template_detail(request: HttpRequest, code: str, template_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    template = _template(access, template_pk)
    editable = not template.is_default
    form = TemplateForm(instance=template)
    if request.method == "POST" and editable:
        form = TemplateForm(request.POST, instance=template)
        if form.is_valid():
            try:
                services.survey_template_update(
                    template=template,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The questionnaire was saved."))
                return redirect("surveys:template_detail", code=code, template_pk=template.pk)
    locked = editable and template.surveys.exclude(status="draft").exists()
    return render(
        request,
        "surveys/template_detail.html",
        _context(
            access,
            template=template,
            questions=selectors.template_questions(template),
            form=form,
            question_form=QuestionForm(),
            editable=editable and not locked,
            locked=locked,
        ),
    )


@login_required
def question_add(request: HttpRequest, code: str, template_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    template = _template(access, template_pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_add(
                template=template,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
                help_text=form.cleaned_data["help_text"],
                required=form.cleaned_data["required"],
                choices=form.cleaned_data["choices"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The question was added."))
            return redirect("surveys:template_detail", code=code, template_pk=template.pk)
    return render(
        request,
        "surveys/question_form.html",
        _context(access, template=template, question_form=form),
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def question_move(request: HttpRequest, code: str, template_pk: int, question_pk: int):
    access = get_project_access(request.user, code, Perm.EDIT)
    template = _template(access, template_pk)
    question = _question(template, question_pk)
    try:
        services.question_move(
            question=question, actor=request.user, direction=request.POST.get("direction", "")
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("surveys:template_detail", code=code, template_pk=template.pk)


@login_required
@require_http_methods(["GET", "POST"])
def question_delete(request: HttpRequest, code: str, template_pk: int, question_pk: int):
    """GET: what removing the question means; POST: remove it (only one without answers)."""
    access = get_project_access(request.user, code, Perm.EDIT)
    template = _template(access, template_pk)
    question = _question(template, question_pk)
    error = None
    if request.method == "POST":
        try:
            services.question_delete(question=question, actor=request.user)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            messages.success(request, _("The question was removed."))
            return redirect("surveys:template_detail", code=code, template_pk=template.pk)
    template_url = reverse("surveys:template_detail", args=[code, template.pk])
    return confirmation_page(
        request,
        access=access,
        tab="surveys",
        heading=_("Remove the question “%(text)s”?") % {"text": question.text},
        points=[
            _(
                "The question leaves the questionnaire “%(title)s”; the others are renumbered. "
                "Only a question nobody has answered can be removed, so no answer is lost."
            )
            % {"title": template.title},
        ],
        submit_label=_("Remove the question"),
        cancel_url=template_url,
        crumbs=[
            (reverse("surveys:template_list", args=[code]), _("Questionnaires")),
            (template_url, template.title),
        ],
        error=error,
        status=400 if error else 200,
    )


# --- surveys ----------------------------------------------------------------------------------


@login_required
def survey_create(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    # The built-in questionnaire is offered too; it is created from code the first time.
    services.survey_template_default_ensure()
    form = SurveyForm(request.POST or None, project=access.project)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = services.survey_create(
                project=access.project,
                template=data["template"],
                activity=data["activity"],
                cohort=data["cohort"],
                title=data["title"],
                open_mode=data["open_mode"],
                closes_on=data["closes_on"],
                actor=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The survey was created."))
            return redirect("surveys:survey_detail", code=code, survey_pk=survey.pk)
    return render(
        request,
        "surveys/survey_form.html",
        _context(access, form=form),
        status=400 if request.method == "POST" else 200,
    )


@login_required
def survey_detail(request: HttpRequest, code: str, survey_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    survey = _survey(access, survey_pk)
    edit_form = SurveyEditForm(
        request.POST or None, initial={"title": survey.title, "closes_on": survey.closes_on}
    )
    status = 200
    if request.method == "POST":
        if edit_form.is_valid():
            try:
                services.survey_update(
                    survey=survey,
                    actor=request.user,
                    title=edit_form.cleaned_data["title"],
                    closes_on=edit_form.cleaned_data["closes_on"],
                )
            except ValidationError as error:
                _add_errors(edit_form, error)
            else:
                messages.success(request, _("The survey was saved."))
                return redirect("surveys:survey_detail", code=code, survey_pk=survey.pk)
        status = 400
        survey.refresh_from_db()
    participants = selectors.survey_participants(survey).count()
    answered = survey.participations.count()
    return render(
        request,
        "surveys/survey_detail.html",
        _context(
            access,
            survey=survey,
            edit_form=edit_form,
            participants=participants,
            answered=answered,
            not_answered=max(participants - answered, 0),
            rate=selectors._rate(answered, participants),
            accepting=survey.is_accepting(),
            questions=selectors.template_questions(survey.template),
            last_session_end=selectors.scope_last_session_end(survey),
            refusal=services.survey_pending(survey),
            can_override=access.is_coordinator,
            override_form=TimeRuleOverrideForm(),
        ),
        status=status,
    )


@login_required
@require_POST
def survey_open(request: HttpRequest, code: str, survey_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    survey = _survey(access, survey_pk)
    try:
        invited = services.survey_open(
            survey=survey, actor=request.user, override_reason=_override_reason(request)
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("The survey is open; %(n)s participants were invited by e-mail.") % {"n": invited},
        )
    return redirect("surveys:survey_detail", code=code, survey_pk=survey.pk)


@login_required
@require_http_methods(["GET", "POST"])
def survey_close(request: HttpRequest, code: str, survey_pk: int) -> HttpResponse:
    """GET: what closing means; POST: close the survey and publish its results."""
    access = get_project_access(request.user, code, Perm.EDIT)
    survey = _survey(access, survey_pk)
    error = None
    if request.method == "POST":
        try:
            services.survey_close(survey=survey, actor=request.user)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            messages.success(request, _("The survey is closed."))
            return redirect("surveys:survey_detail", code=code, survey_pk=survey.pk)
    survey_url = reverse("surveys:survey_detail", args=[code, survey.pk])
    return confirmation_page(
        request,
        access=access,
        tab="surveys",
        heading=_("Close the survey “%(title)s”?") % {"title": survey.title},
        points=[
            _(
                "Participants who have not answered can no longer answer; nobody is e-mailed. "
                "The answers given are kept and join the published results."
            ),
            _(
                "You can open it again from its page until its closing day; those who have "
                "not answered are then invited by e-mail again."
            ),
        ],
        submit_label=_("Close the survey"),
        cancel_url=survey_url,
        crumbs=[
            (reverse("surveys:index", args=[code]), _("Surveys")),
            (survey_url, survey.title),
        ],
        error=error,
        status=400 if error else 200,
    )


@login_required
@require_POST
def survey_remind(request: HttpRequest, code: str, survey_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    survey = _survey(access, survey_pk)
    try:
        sent = services.survey_remind(
            survey=survey, actor=request.user, override_reason=_override_reason(request)
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("A reminder was sent to %(n)s participants who have not answered.") % {"n": sent},
        )
    return redirect("surveys:survey_detail", code=code, survey_pk=survey.pk)


# --- results ----------------------------------------------------------------------------------


@login_required
def activity_results(request: HttpRequest, code: str, activity_pk: int) -> HttpResponse:
    access = _activity_results_access(request.user, code)
    activity = get_object_or_404(access.project.activities.all(), pk=activity_pk)
    return render(
        request,
        "surveys/results.html",
        _context(
            access,
            activity=activity,
            cohort=None,
            groups=selectors.activity_results(activity),
            cohort_rows=selectors.cohort_response_counts(activity)
            if access.is_coordinator
            else None,
            min_group=MIN_GROUP_SIZE,
        ),
    )


@login_required
def cohort_results(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = _cohort_results_access(request.user, code)
    cohort = access.get_cohort(cohort_pk)
    return render(
        request,
        "surveys/results.html",
        _context(
            access,
            activity=cohort.activity,
            cohort=cohort,
            groups=selectors.cohort_results(cohort),
            min_group=MIN_GROUP_SIZE,
        ),
    )


def _results_xlsx(groups, *name_parts: str) -> HttpResponse:
    """One summary sheet and one sheet of free-text answers; withheld groups only say so."""
    summary, texts = [], []
    for group in groups:
        heading = group.template.title
        if group.withheld:
            summary.append(
                [heading, _("withheld: fewer than 5 answers"), "", group.responses, "", ""]
            )
            continue
        summary.append([heading, _("Answers"), "", group.responses, "", ""])
        summary.append(
            [
                heading,
                _("Response rate, %"),
                "",
                "",
                group.rate if group.rate is not None else "",
                "",
            ]
        )
        for result in group.questions:
            if result.question.kind == "text":
                for text in result.texts:
                    texts.append([heading, result.question.text, text])
                continue
            for label, count, percent in result.rows:
                summary.append([heading, result.question.text, label, count, percent or 0, ""])
            if result.mean is not None:
                summary.append([heading, result.question.text, _("Mean"), "", "", result.mean])
    sheets = {
        _("Results"): (
            [_("Questionnaire"), _("Question"), _("Answer"), _("Count"), "%", _("Mean")],
            summary,
        ),
        _("Free-text answers"): ([_("Questionnaire"), _("Question"), _("Answer")], texts),
    }
    return xlsx_response(download_name(*name_parts, extension="xlsx"), sheets)


@login_required
def activity_results_xlsx(request: HttpRequest, code: str, activity_pk: int) -> HttpResponse:
    access = _activity_results_access(request.user, code)
    activity = get_object_or_404(access.project.activities.all(), pk=activity_pk)
    return _results_xlsx(
        selectors.activity_results(activity),
        access.project.code,
        pgettext("file name", "survey results"),
        activity.title,
    )


@login_required
def cohort_results_xlsx(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = _cohort_results_access(request.user, code)
    cohort = access.get_cohort(cohort_pk)
    return _results_xlsx(
        selectors.cohort_results(cohort),
        access.project.code,
        pgettext("file name", "survey results"),
        cohort.activity.title,
        cohort.name,
    )


# --- the participant's own pages --------------------------------------------------------------


@login_required
def my_surveys(request: HttpRequest) -> HttpResponse:
    person = _person(request.user)
    rows = []
    if person is not None:
        answered = selectors.answered_survey_ids(person)
        today = timezone.localdate()
        for survey in selectors.surveys_for_person(person):
            rows.append(
                {
                    "survey": survey,
                    "answered": survey.pk in answered,
                    "accepting": survey.is_accepting(today),
                }
            )
    return render(
        request,
        "surveys/my_surveys.html",
        {
            "to_answer": [r for r in rows if r["accepting"] and not r["answered"]],
            "others": [r for r in rows if not (r["accepting"] and not r["answered"])],
            "my_tab": "surveys",
        },
    )


@login_required
def answer(request: HttpRequest, survey_public_id) -> HttpResponse:
    person = _person(request.user)
    survey = selectors.survey_for_participant(person, survey_public_id)
    questions = selectors.template_questions(survey.template)
    already = survey.pk in selectors.answered_survey_ids(person)
    accepting = survey.is_accepting()
    form_class = answer_form_class(questions)
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        if already or not accepting:
            messages.error(
                request,
                _("You have already answered this survey. Each participant answers only once.")
                if already
                else _("This survey is not open for answers."),
            )
            return redirect("surveys:my_surveys")
        if form.is_valid():
            answers = {q.pk: form.cleaned_data.get(f"q{q.pk}") for q in questions}
            try:
                services.survey_response_submit(survey=survey, person=person, answers=answers)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Thank you! Your answers were saved anonymously."))
                return redirect("surveys:my_surveys")
        status = 400
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "form": form,
            "already": already,
            "accepting": accepting,
            "my_tab": "surveys",
        },
        status=status,
    )
