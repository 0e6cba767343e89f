"""`kvalis db_worker`: django-tasks-db's worker, which waits out a locked database.

Upstream's loop ignores "database is locked" only while claiming a task; the same error when it
opens its exclusive transaction, or when it records a result after its three quick retries,
ends the process, and the worker stays down until someone restarts it. On SQLite that happens
whenever another process holds the write lock for longer than the busy timeout; on PostgreSQL
the equivalent is a serialization failure or a deadlock. Both are transient: this command keeps
the upstream loop and its options and, on such an error, drops the connection, sleeps with
exponential backoff (with jitter, so several workers do not retry in step) and carries on.
Any other error still stops the worker, as it should.
"""

import logging
import random
import time

from django.db import DatabaseError, connections
from django_tasks_db.management.commands import db_worker as upstream
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("django_tasks_db")

FIRST_DELAY_S = 0.5
MAX_DELAY_S = 30.0
# After this long without an error the next one starts the backoff from the beginning again.
CALM_AFTER_S = 60.0
# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03"}


def is_transient(error: BaseException) -> bool:
    """A database error that goes away by itself when retried later."""
    if not isinstance(error, DatabaseError):
        return False
    if error.args and is_locked_database_exception(error):
        return True
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return sqlstate in TRANSIENT_SQLSTATES


class RetryingWorker(upstream.Worker):
    def run(self) -> None:
        failures = 0
        last_failure = 0.0
        while True:
            try:
                return super().run()
            except DatabaseError as error:
                if not is_transient(error) or not self.running:
                    raise
                now = time.monotonic()
                if now - last_failure > CALM_AFTER_S:
                    failures = 0
                failures += 1
                last_failure = now
                delay = min(MAX_DELAY_S, FIRST_DELAY_S * 2 ** (failures - 1))
                delay *= 1 + random.random() / 4  # noqa: S311 (jitter, not security)
                logger.warning(
                    "Database busy (%s); worker_id=%s retries in %.1f s",
                    error,
                    self.worker_id,
                    delay,
                )
                # The connection may be mid-way through a failed BEGIN: start again from a new one.
                connections.close_all()
                time.sleep(delay)
                # Upstream's run() sleeps a random startup delay each time it is entered.
                self.startup_delay = False


class Command(upstream.Command):
    help = upstream.Command.help + " (retrying a locked or busy database with backoff)"

    def handle(self, *args, **options) -> None:
        # upstream.Command.handle builds `Worker(...)` by its module-level name.
        original = upstream.Worker
        upstream.Worker = RetryingWorker
        try:
            super().handle(*args, **options)
        finally:
            upstream.Worker = original
