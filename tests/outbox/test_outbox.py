"""The outbox: a queued e-mail is a row written with the change it reports, sent once after
commit; a worker that dies mid-run leaves rows that `kvalis send_pending_mail` sends, each
exactly once; sent rows are pruned after 30 days."""

from contextlib import nullcontext
from datetime import timedelta
from smtplib import SMTPException
from unittest import mock

import pytest
from django.contrib import admin
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kvalis.lib.admin import ReadOnlyAdmin
from kvalis.lib.mail import queue_mail
from kvalis.outbox.models import CLAIM_EXPIRES_AFTER, OutboxMessage
from kvalis.outbox.services import outbox_message_send, outbox_prune
from tests.factories import UserFactory

TEMPLATE = "accounts/emails/email_change_notice"


def _queue(to: str, **context) -> None:
    queue_mail(to=to, template=TEMPLATE, context={"name": to, **context}, language="lt")


def _recipients(mailoutbox) -> list[str]:
    return sorted(address for mail in mailoutbox for address in mail.to)


def _send_pending() -> None:
    call_command("send_pending_mail", stdout=mock.Mock())


@pytest.fixture
def backend_dies_on_second_message(monkeypatch):
    """The mail backend, killed as the worker running it is, on the 2nd of its messages."""
    real_send = EmailBackend.send_messages
    calls = []

    def make(kill: type[BaseException]):
        def send_messages(self, messages):
            calls.append(messages)
            if len(calls) == 2:
                raise kill("worker killed")
            return real_send(self, messages)

        monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
        return calls

    return make


class WorkerKilled(BaseException):
    """Not an Exception: what `except Exception` in the task does not catch (a SystemExit, a
    signal); the immediate task backend records it and goes on to the next task."""


class WorkerInterrupted(KeyboardInterrupt):
    """The one the immediate task backend lets through: nothing after it runs."""


@pytest.mark.parametrize("kill", [WorkerKilled, WorkerInterrupted])
def test_mail_of_a_worker_killed_mid_run_is_sent_exactly_once_by_send_pending_mail(
    db, mailoutbox, django_capture_on_commit_callbacks, backend_dies_on_second_message, kill
):
    backend_dies_on_second_message(kill)
    # A KeyboardInterrupt ends the on-commit callbacks: the third message's task never runs.
    dies = pytest.raises(WorkerInterrupted) if kill is WorkerInterrupted else nullcontext()
    with dies, django_capture_on_commit_callbacks(execute=True):
        for to in ("a@example.lt", "b@example.lt", "c@example.lt"):
            _queue(to)
    assert "b@example.lt" not in _recipients(mailoutbox)
    killed = OutboxMessage.objects.get(to=["b@example.lt"])
    assert killed.sent_at is None and killed.claimed_at is not None

    # Its claim is fresh: the worker holding it may be alive and sending; leave it to it.
    _send_pending()
    assert _recipients(mailoutbox) == ["a@example.lt", "c@example.lt"]

    # Silent past CLAIM_EXPIRES_AFTER: the worker is gone.
    OutboxMessage.objects.filter(pk=killed.pk).update(
        claimed_at=timezone.now() - CLAIM_EXPIRES_AFTER - timedelta(seconds=1)
    )
    _send_pending()
    _send_pending()
    assert _recipients(mailoutbox) == ["a@example.lt", "b@example.lt", "c@example.lt"]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_mail_queued_in_a_transaction_that_rolls_back_is_never_sent(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _queue("kept@example.lt")
        with pytest.raises(RuntimeError), transaction.atomic():
            _queue("rolled-back@example.lt")
            raise RuntimeError("the change it reports failed")
    _send_pending()
    assert _recipients(mailoutbox) == ["kept@example.lt"]
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == [["kept@example.lt"]]


def test_a_mail_is_written_in_the_transaction_and_sent_at_once_after_commit(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _queue("a@example.lt")
        message = OutboxMessage.objects.get()
        assert message.sent_at is None and message.claimed_at is None
        assert mailoutbox == []
    (mail,) = mailoutbox
    assert mail.to == ["a@example.lt"]
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1 and message.last_error == ""


def test_a_message_claimed_by_a_live_worker_is_not_sent_by_another(db, mailoutbox):
    _queue("a@example.lt")  # its task waits for the test's transaction, which never commits
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=timezone.now())
    assert outbox_message_send(message_id=message.pk) is False
    _send_pending()
    assert mailoutbox == []


def test_a_sent_message_is_not_sent_again(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _queue("a@example.lt")
    message = OutboxMessage.objects.get()
    assert outbox_message_send(message_id=message.pk) is False
    _send_pending()
    assert len(mailoutbox) == 1


def test_a_failed_send_is_recorded_released_and_retried_by_send_pending_mail(
    db, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as patch, django_capture_on_commit_callbacks(execute=True):
        patch.setattr(EmailBackend, "send_messages", mock.Mock(side_effect=SMTPException("421")))
        _queue("a@example.lt")
    message = OutboxMessage.objects.get()
    assert message.sent_at is None and message.claimed_at is None
    assert message.attempts == 1 and message.last_error == "SMTPException: 421"
    assert mailoutbox == []

    _send_pending()
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 2 and message.last_error == ""
    assert _recipients(mailoutbox) == ["a@example.lt"]


def test_one_failing_message_does_not_stop_send_pending_mail_sending_the_others(db, mailoutbox):
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(to=["a@example.lt"], template="no/such/template", language="lt"),
            OutboxMessage(to=["b@example.lt"], template=TEMPLATE, language="lt"),
        ]
    )
    _send_pending()
    assert _recipients(mailoutbox) == ["b@example.lt"]
    broken = OutboxMessage.objects.get(to=["a@example.lt"])
    assert broken.sent_at is None and "TemplateDoesNotExist" in broken.last_error


def test_prune_deletes_only_messages_sent_more_than_30_days_ago(db):
    now = timezone.now()
    old, recent, unsent = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(to=["old@example.lt"], template=TEMPLATE, sent_at=now - timedelta(31)),
            OutboxMessage(to=["new@example.lt"], template=TEMPLATE, sent_at=now - timedelta(29)),
            OutboxMessage(to=["unsent@example.lt"], template=TEMPLATE),
        ]
    )
    OutboxMessage.objects.filter(pk=unsent.pk).update(created_at=now - timedelta(60))
    assert outbox_prune() == 1
    call_command("prune_sent_mail", stdout=mock.Mock())
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, unsent.pk}


def test_the_admin_lists_messages_and_offers_no_add_change_or_delete(client, db):
    _queue("a@example.lt")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert isinstance(admin.site._registry[OutboxMessage], ReadOnlyAdmin)
    assert client.get(reverse("admin:outbox_outboxmessage_changelist")).status_code == 200
    assert client.get(reverse("admin:outbox_outboxmessage_add")).status_code == 403
