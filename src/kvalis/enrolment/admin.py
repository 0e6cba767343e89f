from django.contrib import admin

from kvalis.enrolment.models import (
    CohortMessage,
    CohortRegistration,
    Enrolment,
    ImportBatch,
    Quota,
)
from kvalis.lib.admin import ReadOnlyAdmin


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    """Read-mostly: seats and waiting lists change only through the services (the pages)."""

    list_display = ["person", "cohort", "status", "waiting_position", "partner", "created_at"]
    list_filter = ["status", "cohort__activity__project"]
    search_fields = ["person__last_name", "person__first_name", "person__email"]
    raw_id_fields = ["person", "cohort", "partner", "organisation", "enrolled_by"]
    readonly_fields = ["status", "waiting_position"]


@admin.register(Quota)
class QuotaAdmin(admin.ModelAdmin):
    list_display = ["cohort", "partner", "seats", "release_on"]
    raw_id_fields = ["cohort", "partner"]


@admin.register(CohortRegistration)
class CohortRegistrationAdmin(admin.ModelAdmin):
    list_display = ["cohort", "is_open", "auto_approve", "closes_on"]
    raw_id_fields = ["cohort"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["filename", "cohort", "status", "total_rows", "error_rows", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["project", "cohort", "partner", "created_by"]
    exclude = ["rows", "results"]


@admin.register(CohortMessage)
class CohortMessageAdmin(ReadOnlyAdmin):
    """What was written to a cohort, by whom, to how many; sent through the outbox."""

    list_display = ["created_at", "cohort", "audience", "subject", "recipient_count", "sent_at"]
    list_filter = ["audience", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject"]
