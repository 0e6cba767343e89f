"""Writing, sending and pruning outbox rows. Rendering and the mail backend are in
`kvalis.lib.mail`; `queue_mail` there is what the rest of Kvalis calls."""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.json import normalize_json

from kvalis.lib.mail import render_mail, send_rendered
from kvalis.outbox.models import KEEP_SENT_FOR, OutboxMessage

logger = logging.getLogger(__name__)


def outbox_message_create(
    *, to: list[str], template: str, context: dict, language: str
) -> OutboxMessage:
    """Write the message in the current transaction; once it commits, a task sends it.

    Rolled back, the row and its task vanish together; committed, the row stays until sent
    even if the task never runs (a worker killed, a queue lost): `send_pending_mail` finds it.
    """
    message = OutboxMessage(
        to=list(to), template=template, context=normalize_json(context), language=language or ""
    )
    message.full_clean()
    message.save()
    from kvalis.outbox.tasks import send_outbox_message_task

    transaction.on_commit(lambda: send_outbox_message_task.enqueue(message_id=message.pk))
    return message


def outbox_message_send(*, message_id: int) -> bool:
    """Claim, render and send one message; False if it is sent or another worker holds it.

    The claim is one UPDATE, so of two workers only one gets the row. A failure is recorded
    and the claim released, so the next `send_pending_mail` retries it; then it is raised. Only
    a worker killed between the backend taking the mail and `sent_at` being written has it
    sent again, once its claim expires: at least once, never twice while workers live.
    """
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.claimable(now)
        .filter(pk=message_id)
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    mine = OutboxMessage.objects.filter(pk=message_id, claimed_at=now)
    try:
        subject, text, html = render_mail(
            template=message.template, context=message.context, language=message.language
        )
        send_rendered(to=message.to, subject=subject, text=text, html=html)
    except Exception as error:
        mine.update(claimed_at=None, last_error=f"{type(error).__name__}: {error}"[:2000])
        raise
    # Not only while the claim is ours: however late, the backend took it, and a worker that
    # took over an expired claim must not send it again.
    OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
        sent_at=timezone.now(), last_error=""
    )
    return True


def outbox_send_pending() -> tuple[int, int]:
    """Send every message no live worker holds, oldest first: (sent, failed)."""
    pending = (
        OutboxMessage.objects.claimable(timezone.now())
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    sent = failed = 0
    for message_id in list(pending):
        try:
            sent += outbox_message_send(message_id=message_id)
        except Exception:
            logger.exception("Outbox message %s could not be sent", message_id)
            failed += 1
    return sent, failed


def outbox_prune() -> int:
    """Delete messages sent more than KEEP_SENT_FOR ago (they hold addresses): how many."""
    deleted, _by_model = OutboxMessage.objects.filter(
        sent_at__lt=timezone.now() - KEEP_SENT_FOR
    ).delete()
    return deleted


def outbox_purge_unsent(*, addresses: list[str]) -> int:
    """Forget unsent mail to these addresses (a person whose data are erased): a message only
    to them is deleted, one to others too goes to the others only. How many were changed.

    `to` is a JSON list, which SQLite cannot search inside: the unsent rows are few (the
    outbox index), so they are read and compared here, ignoring case as mail servers do."""
    gone = {address.strip().lower() for address in addresses if address and address.strip()}
    if not gone:
        return 0
    changed = 0
    for message in OutboxMessage.objects.filter(sent_at__isnull=True).only("pk", "to"):
        kept = [to for to in message.to if to.strip().lower() not in gone]
        if len(kept) == len(message.to):
            continue
        if kept:
            message.to = kept
            message.save(update_fields=["to"])
        else:
            message.delete()
        changed += 1
    return changed
