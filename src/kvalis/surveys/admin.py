"""Questionnaires and surveys in the Django admin. Answers and participations are left out on
purpose: the admin is no place to browse who answered or to edit what was answered."""

from django.contrib import admin

from kvalis.surveys.models import Choice, Question, Survey, SurveyTemplate


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "kind", "text", "required", "key"]


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "is_default"]
    list_filter = ["is_default"]
    search_fields = ["title"]
    raw_id_fields = ["project"]
    inlines = [QuestionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "template", "kind", "position", "required"]
    list_filter = ["kind"]
    search_fields = ["text"]
    raw_id_fields = ["template"]


@admin.register(Choice)
class ChoiceAdmin(admin.ModelAdmin):
    list_display = ["label", "question", "position"]
    raw_id_fields = ["question"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "activity", "cohort", "status", "opened_on", "closes_on"]
    list_filter = ["status", "open_mode"]
    search_fields = ["title"]
    raw_id_fields = ["project", "template", "activity", "cohort"]
    readonly_fields = ["public_id", "opened_on", "reminded_on"]
