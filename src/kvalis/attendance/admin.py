"""Attendance in the admin, for looking things up: marks and completion decisions are written
by the trainer's form, the check-in and the completion page, whose services audit each change."""

from django.contrib import admin

from kvalis.attendance.models import Attendance, CompletionOverride
from kvalis.lib.admin import ReadOnlyAdmin


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["session", "enrolment", "status", "minutes_attended", "method", "recorded_at"]
    list_filter = ["status", "method"]
    search_fields = ["enrolment__person__last_name", "enrolment__person__email"]
    list_select_related = ["session__cohort__activity", "enrolment__person", "enrolment__cohort"]


@admin.register(CompletionOverride)
class CompletionOverrideAdmin(ReadOnlyAdmin):
    list_display = ["enrolment", "completed", "reason"]
    list_filter = ["completed"]
    list_select_related = ["enrolment__person", "enrolment__cohort"]
