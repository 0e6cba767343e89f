"""A bulk issue renders its PDFs outside the write transaction: numbers and rows commit in a
short transaction per chunk, the PDFs are rendered after it, stored, then recorded. On SQLite a
write transaction holds the database's only write lock, so rendering inside it made applicants'
confirmations wait for the whole chunk."""

import pytest
from django.db import connection

from kvalis.certificates import services
from kvalis.certificates.models import Certificate
from tests.certificates.conftest import completer


def test_pdfs_are_rendered_after_the_chunk_committed(
    world, issuer, django_capture_on_commit_callbacks, monkeypatch
):
    enrolments = [completer(world, last=f"Baigusi{i}") for i in range(5)]
    monkeypatch.setattr(services, "CHUNK", 2)
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.certificate_issue_bulk(cohort=enrolments[0].cohort, actor=world.alice)
    outside = len(connection.atomic_blocks)  # the test's own transaction, if any
    real_store = services._store_pdfs
    seen: list[tuple[int, int, int]] = []

    def store(certificates):
        # (transactions open, certificates committed, of which without a PDF) while rendering
        seen.append(
            (
                len(connection.atomic_blocks) - outside,
                Certificate.objects.count(),
                Certificate.objects.filter(pdf="").count(),
            )
        )
        real_store(certificates)

    monkeypatch.setattr(services, "_store_pdfs", store)
    services.certificate_batch_run(batch_id=batch.pk, send_mail=False)

    # Each chunk is rendered outside any transaction, after its rows were inserted.
    assert seen == [(0, 2, 2), (0, 4, 2), (0, 5, 1)]
    assert not Certificate.objects.filter(pdf="").exists()
    assert sorted(Certificate.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]
    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.total) == ("done", 5, 5)


def test_a_run_after_a_crash_renders_what_was_inserted_without_a_pdf(
    world, issuer, django_capture_on_commit_callbacks, monkeypatch
):
    """Issued but not rendered (the worker died between the two): the next run renders them
    and issues no certificate twice."""
    enrolments = [completer(world, last=f"Baigusi{i}") for i in range(3)]
    with django_capture_on_commit_callbacks(execute=False):
        batch = services.certificate_issue_bulk(cohort=enrolments[0].cohort, actor=world.alice)
    monkeypatch.setattr(services, "_store_pdfs", lambda certificates: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.certificate_batch_run(batch_id=batch.pk, send_mail=False)
    assert Certificate.objects.filter(pdf="").count() == 3
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=False):
        services.certificate_batch_retry(batch=batch, actor=world.alice)
    services.certificate_batch_run(batch_id=batch.pk, send_mail=False)

    assert Certificate.objects.count() == 3
    assert not Certificate.objects.filter(pdf="").exists()
    batch.refresh_from_db()
    assert (batch.status, batch.done) == ("done", 3)
