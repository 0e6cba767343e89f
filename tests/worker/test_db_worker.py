"""`kvalis db_worker`: a locked database (SQLite) or a serialization failure (PostgreSQL) is
waited out with backoff; the worker never exits on it.

The retry reconnects (closes every connection), which a test wrapped in one transaction cannot
survive on PostgreSQL: those tests use a transactional database."""

from unittest import mock

import pytest
from django.db import OperationalError

from kvalis.worker.management.commands import db_worker


@pytest.fixture
def no_sleep(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(db_worker.time, "sleep", slept.append)
    return slept


def _worker():
    return db_worker.RetryingWorker(
        queue_names=["default"],
        interval=0,
        batch=True,  # stop once the queue is empty, so the test ends
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


def test_the_kvalis_command_is_the_one_that_runs():
    from django.core.management import get_commands

    assert get_commands()["db_worker"] == "kvalis.worker"


def test_a_locked_database_in_the_worker_loop_is_retried_with_backoff(transactional_db, no_sleep):
    from django_tasks_db.management.commands import db_worker as upstream

    real = upstream.exclusive_transaction
    attempts = []

    def locked_twice(using=None):
        attempts.append(using)
        if len(attempts) <= 2:
            raise OperationalError("database is locked")
        return real(using)

    with mock.patch.object(upstream, "exclusive_transaction", locked_twice):
        _worker().run()  # returns (queue empty) instead of raising

    assert len(attempts) == 3
    backoff = [s for s in no_sleep if s > 0]
    assert len(backoff) == 2 and backoff[1] > backoff[0]


def test_a_serialization_failure_is_retried_too(transactional_db, no_sleep):
    from django_tasks_db.management.commands import db_worker as upstream

    real = upstream.exclusive_transaction
    attempts = []

    class SerializationFailure(Exception):
        sqlstate = "40001"

    def fails_once(using=None):
        attempts.append(using)
        if len(attempts) == 1:
            error = OperationalError("could not serialize access due to concurrent update")
            error.__cause__ = SerializationFailure()
            raise error
        return real(using)

    with mock.patch.object(upstream, "exclusive_transaction", fails_once):
        _worker().run()
    assert len(attempts) == 2


def test_other_database_errors_still_stop_the_worker(db, no_sleep):
    from django_tasks_db.management.commands import db_worker as upstream

    def broken(using=None):
        raise OperationalError("no such table: django_tasks_database_dbtaskresult")

    with (
        mock.patch.object(upstream, "exclusive_transaction", broken),
        pytest.raises(OperationalError),
    ):
        _worker().run()
