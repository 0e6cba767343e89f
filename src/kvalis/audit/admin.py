from django.contrib import admin

from kvalis.audit.models import AuditEntry
from kvalis.lib.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The log is evidence: nobody adds, edits or deletes an entry, not even in the admin."""

    list_display = ["created_at", "actor", "project", "action", "summary"]
    list_filter = ["action"]
    search_fields = ["summary", "actor__email"]
    list_select_related = ["actor", "project"]
