"""Writers of one project do not wait for each other's figures (PostgreSQL, where rows lock).

Each change to what a project's indicators read used to UPDATE the project's one figures row in
the writer's transaction, holding its lock until commit: every writer of the project queued
behind the others, and a writer that took a cohort's seat lock after it could deadlock with one
that took the seat lock first. Writers now only insert a change row; the reader counts them."""

import threading

import pytest
from django.db import OperationalError, connection, transaction

from kvalis.projects.models import Cohort
from kvalis.reports import figures
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cohorts():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one write lock for the whole database")
    first = CohortFactory()
    second = CohortFactory(activity=first.activity)
    figures.rebuild(first.activity.project)
    return first, second


def _in_another_transaction(work, started: threading.Event, release: threading.Event):
    """Run `work` in a transaction of another connection and hold it open until `release`."""

    def run():
        try:
            with transaction.atomic():
                work()
                started.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(10)
    return thread


def _lock_seats(cohort) -> None:
    """The lock the enrolment services take on a cohort before counting its seats."""
    Cohort.objects.select_for_update().get(pk=cohort.pk)


def _lock_timeout(seconds: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{seconds}s'")


def test_a_second_writer_of_the_project_does_not_wait_for_the_first(cohorts):
    project = cohorts[0].activity.project
    before = figures.current_version(project)
    started, release = threading.Event(), threading.Event()
    thread = _in_another_transaction(
        lambda: figures.project_changed(project_id=project.pk), started, release
    )
    try:
        with transaction.atomic():
            _lock_timeout(2)
            figures.project_changed(project_id=project.pk)  # waited for the other's commit
    except OperationalError as error:
        pytest.fail(f"the second writer waited for the first one's figures: {error}")
    finally:
        release.set()
        thread.join()
    assert figures.current_version(project) == before + 1


def test_seat_locks_taken_in_either_order_with_a_change_between_do_not_deadlock(cohorts):
    """One writer locks the first cohort's seats and records a change, then wants the second
    cohort (an import enrolling in both); the other holds the second cohort's seats and records
    a change. Before, the second writer waited for the first one's figures row while the first
    waited for its cohort: a deadlock, one of them refused."""
    first, second = cohorts
    project = first.activity.project
    started, release = threading.Event(), threading.Event()

    def hold_the_second_cohort():
        _lock_seats(second)
        figures.project_changed(project_id=project.pk)

    thread = _in_another_transaction(hold_the_second_cohort, started, release)
    try:
        with transaction.atomic():
            _lock_timeout(2)
            _lock_seats(first)
            figures.project_changed(project_id=project.pk)
    except OperationalError as error:
        pytest.fail(f"a writer waited for the other's figures: {error}")
    finally:
        release.set()
        thread.join()
    with transaction.atomic():
        _lock_timeout(2)
        _lock_seats(second)  # free again once the other committed


def test_a_change_committed_while_a_reader_folds_is_kept_for_the_next_reader(cohorts):
    """The change of a transaction still open is not among those a reader deletes: once it
    commits, the next reader sees the project changed."""
    project = cohorts[0].activity.project
    before = figures.current_version(project)
    started, release = threading.Event(), threading.Event()
    thread = _in_another_transaction(
        lambda: figures.project_changed(project_id=project.pk), started, release
    )
    try:
        assert figures.current_version(project) == before  # not committed: not seen
    finally:
        release.set()
        thread.join()
    assert figures.has_changes(project).exists()
    assert figures.current_version(project) == before + 1
    assert not figures.has_changes(project).exists()
