# ruff: noqa: F811 (the `setting` fixture is imported, then requested by name)
"""A big or hostile staff list cannot stall the site, and an import survives its worker dying.

- The file is read and checked outside the request and outside any transaction, in a task; the
  row limit is enforced while reading (the reader stops at the limit + 1).
- Progress and a heartbeat live in the batch's own row; a batch without a heartbeat for
  `imports.STALE_AFTER` is shown as interrupted with a retry button; the write is one short
  all-or-nothing transaction at the end, so a retry gives truthful counts.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kvalis.enrolment import imports
from kvalis.enrolment.models import Enrolment, ImportBatch, ImportStatus

# `setting` is test_import's fixture, imported so that pytest finds it here too.
from tests.enrolment.test_import import check, csv_bytes, setting, upload, xlsx  # noqa: F401


def _rows(centre, n):
    return [
        [f"Vardas{i}", f"Pavardė{i}", f"p{i}@example.lt", "", centre.name, "x", "specialist"]
        for i in range(n)
    ]


def test_the_upload_only_stores_the_file_and_the_task_reads_it_outside_any_transaction(
    client, world, setting, django_capture_on_commit_callbacks, monkeypatch
):
    cohort, centre = setting
    depth_of_test = len(transaction.get_connection().atomic_blocks)
    depths = []
    real = imports.read_table

    def spy(*args, **kwargs):
        depths.append(len(transaction.get_connection().atomic_blocks))
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "read_table", spy)
    client.force_login(world.bob)
    path = reverse("enrolment:import_upload", args=[world.project.code, cohort.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(path, {"file": SimpleUploadedFile("a.xlsx", xlsx(_rows(centre, 3)))})
    assert response.status_code == 302
    assert depths == []  # nothing was read in the request
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.READING
    page = client.get(response["Location"]).text
    assert "skaitomas failas" in page
    for callback in callbacks:
        callback()  # the worker picks the task up
    assert depths == [depth_of_test]  # read outside any transaction of its own
    batch.refresh_from_db()
    assert (batch.status, batch.total_rows, batch.upload.name) == (ImportStatus.MAPPING, 3, "")
    assert batch.heartbeat_at is not None


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_too_many_rows_are_refused_while_reading_naming_the_limit(
    world, setting, monkeypatch, kind
):
    monkeypatch.setattr(imports, "MAX_ROWS", 20)
    cells = []
    real = imports._text
    monkeypatch.setattr(imports, "_text", lambda value: cells.append(1) or real(value))
    rows = [["Ona", f"Nauja{i}", f"ona{i}@example.lt", "", "x", "x", "x"] for i in range(2000)]
    data = xlsx(rows) if kind == "xlsx" else csv_bytes(rows)
    with pytest.raises(Exception) as caught:
        imports.read_table(f"sarasas.{kind}", data)
    assert caught.value.messages == [
        "Faile per daug eilučių: vienu kartu galima importuoti ne daugiau kaip 20; "
        "padalykite jį į kelis failus."
    ]
    # The reader stopped at the limit + 1 (and the header), not at the end of the file.
    assert len(cells) <= 22 * 7


def test_a_file_with_too_many_rows_fails_the_batch_with_the_message(
    world, setting, monkeypatch, client
):
    monkeypatch.setattr(imports, "MAX_ROWS", 20)
    cohort, centre = setting
    with pytest.raises(Exception, match="ne daugiau kaip 20"):
        upload(world, cohort, "a.csv", csv_bytes(_rows(centre, 25)))
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and batch.upload.name == ""
    client.force_login(world.bob)
    page = client.get(reverse("enrolment:import_detail", args=[world.project.code, batch.pk]))
    assert "ne daugiau kaip 20" in page.text


def _go_stale(batch):
    ImportBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=timezone.now() - imports.STALE_AFTER - timedelta(seconds=1)
    )


def test_an_import_killed_mid_run_is_shown_interrupted_and_finished_by_retry(
    client, world, setting, django_capture_on_commit_callbacks, monkeypatch
):
    cohort, centre = setting
    world.partner_b.quotas.all().delete()
    cohort.capacity = 4
    cohort.save()
    batch = upload(
        world, cohort, "a.csv", csv_bytes(_rows(centre, 6)), user=world.alice, partner=None
    )
    batch, _rows_checked = check(batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.VALIDATED and batch.error_rows == 0

    monkeypatch.setattr(imports, "CHUNK", 2)
    monkeypatch.setattr(imports, "HEARTBEAT_S", 0)
    real = imports._record_progress

    died = []

    def worker_dies(batch, done=None):
        real(batch, done)
        if done:  # two rows checked
            died.append(done)
            raise SystemExit(1)  # SIGTERM, OOM kill, a deploy: the task stops here

    monkeypatch.setattr(imports, "_record_progress", worker_dies)
    # (The tasks backend records the task as failed, as the worker's own loop would.)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(actor=world.alice, batch=batch, notify=False)
    assert died
    monkeypatch.setattr(imports, "_record_progress", real)

    batch.refresh_from_db()
    # Rolled back with the rest of the transaction: nothing was written, and the page says so.
    assert batch.status == ImportStatus.IMPORTING and batch.processed_rows == 0
    assert Enrolment.objects.filter(cohort=cohort).count() == 0  # all or nothing
    detail = reverse("enrolment:import_detail", args=[world.project.code, batch.pk])
    retry = reverse("enrolment:import_retry", args=[world.project.code, batch.pk])
    client.force_login(world.alice)
    page = client.get(detail).text
    assert "nutrūko" not in page and retry not in page  # still within its heartbeat
    attempt = batch.attempt
    client.post(retry)
    batch.refresh_from_db()
    assert batch.attempt == attempt  # a live job is not started twice

    _go_stale(batch)
    page = client.get(detail).text
    assert "Importavimas nutrūko" in page and f'action="{retry}"' in page
    progress = client.get(
        reverse("enrolment:import_progress", args=[world.project.code, batch.pk]),
        headers={"HX-Request": "true"},
    )
    assert progress["HX-Refresh"] == "true"  # the polling page reloads to offer the retry

    client.force_login(world.charlie)
    assert client.post(retry).status_code == 404
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    assert batch.message == "Patvirtinta: 4, laukiančiųjų sąraše: 2."
    enrolments = Enrolment.objects.filter(cohort=cohort)
    assert enrolments.filter(status="confirmed").count() == 4
    assert enrolments.filter(status="waiting").count() == 2


def test_a_superseded_run_stops_and_writes_nothing(
    world, setting, django_capture_on_commit_callbacks
):
    """A worker that was only slow, not dead, wakes up after a retry: it must not import too."""
    cohort, centre = setting
    batch = upload(
        world, cohort, "a.csv", csv_bytes(_rows(centre, 2)), user=world.alice, partner=None
    )
    batch, _ = check(batch, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks():
        imports.import_confirm(actor=world.alice, batch=batch, notify=False)
    batch.refresh_from_db()
    old_attempt = batch.attempt
    _go_stale(batch)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_retry(actor=world.alice, batch=batch)
    assert Enrolment.objects.filter(cohort=cohort).count() == 2
    imports.import_execute(batch_id=batch.pk, attempt=old_attempt, notify=False)
    assert Enrolment.objects.filter(cohort=cohort).count() == 2
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE


def test_a_check_killed_mid_run_is_retried_from_its_page(
    client, world, setting, django_capture_on_commit_callbacks, monkeypatch
):
    cohort, centre = setting
    batch = upload(world, cohort, "a.csv", csv_bytes(_rows(centre, 5)))
    monkeypatch.setattr(imports, "CHUNK", 2)
    monkeypatch.setattr(imports, "HEARTBEAT_S", 0)
    real = imports._record_progress

    def worker_dies(*args, **kwargs):
        raise SystemExit(1)

    monkeypatch.setattr(imports, "_record_progress", worker_dies)
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_map(actor=world.bob, batch=batch, mapping=batch.mapping)
    monkeypatch.setattr(imports, "_record_progress", real)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATING
    _go_stale(batch)
    client.force_login(world.bob)
    detail = reverse("enrolment:import_detail", args=[world.project.code, batch.pk])
    assert "Eilučių tikrinimas nutrūko" in client.get(detail).text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("enrolment:import_retry", args=[world.project.code, batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and batch.processed_rows == 5
