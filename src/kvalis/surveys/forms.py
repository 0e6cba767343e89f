from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kvalis.projects.models import Activity, Cohort, Project
from kvalis.surveys.models import (
    SCALE_MAX,
    SCALE_MIN,
    OpenMode,
    Question,
    QuestionKind,
    SurveyTemplate,
)


class TemplateForm(forms.ModelForm):
    class Meta:
        model = SurveyTemplate
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class TemplateCopyForm(forms.Form):
    title = forms.CharField(label=_("Title of the copy"), max_length=300, required=False)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), max_length=500)
    help_text = forms.CharField(label=_("Explanation"), max_length=300, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    choices = forms.CharField(
        label=_("Options, one per line (choice questions only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class SurveyForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Questionnaire"), queryset=SurveyTemplate.objects)
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects)
    cohort = forms.ModelChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects,
        required=False,
        empty_label=_("— the whole activity (all cohorts) —"),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to name it after the questionnaire and the activity or cohort."),
    )
    open_mode = forms.ChoiceField(label=_("Opens"), choices=OpenMode.choices, initial=OpenMode.AUTO)
    closes_on = forms.DateField(
        label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = SurveyTemplate.objects.filter(
            Q(project=project) | Q(is_default=True)
        ).order_by("is_default", "title")
        self.fields["activity"].queryset = project.activities.order_by("position", "id")
        self.fields["cohort"].queryset = Cohort.objects.filter(
            activity__project=project
        ).select_related("activity")


class SurveyEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    closes_on = forms.DateField(
        label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


def answer_form_class(questions: list[Question]) -> type[forms.Form]:
    """A form with one field per question, named q<id>; the service validates it again."""
    fields: dict[str, forms.Field] = {}
    required_message = _("Please answer this question.")
    for question in questions:
        common = {
            "label": question.text,
            "help_text": question.help_text,
            "required": question.required,
            "error_messages": {"required": required_message},
        }
        if question.kind == QuestionKind.SCALE:
            field = forms.TypedChoiceField(
                choices=[(v, str(v)) for v in range(SCALE_MIN, SCALE_MAX + 1)],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
                **common,
            )
        elif question.kind == QuestionKind.SINGLE:
            field = forms.TypedChoiceField(
                choices=[(c.pk, c.label) for c in question.choices.all()],
                coerce=int,
                widget=forms.RadioSelect,
                **common,
            )
        elif question.kind == QuestionKind.MULTIPLE:
            field = forms.TypedMultipleChoiceField(
                choices=[(c.pk, c.label) for c in question.choices.all()],
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        else:
            field = forms.CharField(
                max_length=2000, widget=forms.Textarea(attrs={"rows": 4}), **common
            )
        fields[f"q{question.pk}"] = field
    return type("AnswerForm", (forms.Form,), fields)
