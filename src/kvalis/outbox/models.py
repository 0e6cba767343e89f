from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# A claim older than this belongs to a worker that died: another may take the message. Sending
# one message takes seconds, so a live worker never holds a claim this long.
CLAIM_EXPIRES_AFTER = timedelta(minutes=10)
# Sent rows hold addresses and names: they are deleted after this (`kvalis prune_sent_mail`).
KEEP_SENT_FOR = timedelta(days=30)


class OutboxMessageQuerySet(models.QuerySet):
    def claimable(self, now: datetime) -> "OutboxMessageQuerySet":
        """Not sent, and claimed by no worker or by one silent for CLAIM_EXPIRES_AFTER."""
        return self.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_EXPIRES_AFTER),
            sent_at__isnull=True,
        )


class OutboxMessage(models.Model):
    """One e-mail to send: written by `kvalis.lib.mail.queue_mail` in the caller's transaction,
    so it exists exactly when the change it reports does; `sent_at` is set once the mail
    backend has taken it."""

    to = models.JSONField(_("recipients"))
    template = models.CharField(pgettext_lazy("e-mail", "template"), max_length=200)
    context = models.JSONField(_("context"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    # Set by the worker that takes the message, so that two do not send it both.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-id"]
        indexes = [
            # What `send_pending_mail` looks for: the few unsent rows among many sent ones.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="outbox_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {', '.join(self.to)}"
