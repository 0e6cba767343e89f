from django.contrib import admin

from kvalis.lib.admin import ReadOnlyAdmin
from kvalis.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """To see what is waiting or failing; `send_pending_mail` retries, nobody edits a row."""

    list_display = ["created_at", "template", "sent_at", "attempts", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "template"]
    date_hierarchy = "created_at"
