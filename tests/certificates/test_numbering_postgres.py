"""Gap-free numbering under real concurrency (PostgreSQL: SQLite serialises all writers)."""

import threading

import pytest
from django.db import connection

from kvalis.certificates import services
from kvalis.certificates.models import Certificate
from tests.certificates.conftest import completer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 24


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent issuing needs PostgreSQL's row locks (SQLite has one writer)")


def _run_together(jobs):
    barrier = threading.Barrier(len(jobs))
    results, errors = [], []

    def run(job):
        try:
            barrier.wait()
            results.append(job())
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def test_concurrent_issues_get_numbers_one_to_n_without_gaps(world, issuer):
    enrolments = [completer(world, last=f"Dalyvė{i}") for i in range(THREADS)]
    results, errors = _run_together(
        [lambda e=e: services.certificate_issue(enrolment=e, actor=None) for e in enrolments]
    )
    assert errors == []
    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, THREADS + 1))
    assert len(set(Certificate.objects.values_list("number", flat=True))) == THREADS


def test_two_coordinators_issuing_to_the_same_person_make_one_certificate(world, issuer):
    enrolment = completer(world)
    others = [completer(world, last=f"Kita{i}") for i in range(4)]
    jobs = [lambda: services.certificate_issue(enrolment=enrolment, actor=None)] * 4 + [
        lambda e=e: services.certificate_issue(enrolment=e, actor=None) for e in others
    ]
    results, errors = _run_together(jobs)
    assert len(results) == 5 and len(errors) == 3
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == [1, 2, 3, 4, 5]
