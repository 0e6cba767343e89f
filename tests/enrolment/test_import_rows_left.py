# ruff: noqa: F811 (the `setting` fixture is imported, then requested by name)
"""After the valid rows alone were imported, the import's page still offers the rows left out
as a file to fix, and says that the e-mails were held; a finished import of every row offers
no such file."""

import io

from openpyxl import load_workbook

from kvalis.enrolment import imports
from kvalis.enrolment.models import ImportStatus
from tests.enrolment.test_import import HEADER, check, csv_bytes, setting, upload  # noqa: F401


def _imported(world, cohort, rows, capture, **kwargs):
    batch, _rows = check(upload(world, cohort, "a.csv", csv_bytes(rows)), capture)
    with capture(execute=True):
        imports.import_confirm(actor=world.bob, batch=batch, **kwargs)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    return batch


def test_the_rows_left_out_of_a_partial_import_are_offered_to_fix(
    client, world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [
        ["Ona", "Gera", "ona@example.lt", "", centre.name, "x", "specialist"],
        ["Rita", "", "rita@example.lt", "", centre.name, "x", "specialist"],
    ]
    batch = _imported(
        world, cohort, rows, django_capture_on_commit_callbacks, only_valid=True, notify=False
    )
    client.force_login(world.bob)
    page = client.get(f"/projects/{world.project.code}/enrolment/imports/{batch.pk}/").text
    assert "1 failo eilutė neimportuota" in page
    assert 'id="rows-to-fix"' in page
    assert "Laiškai importuotiems asmenims sulaikyti" in page
    url = f"/projects/{world.project.code}/enrolment/imports/{batch.pk}/rows-to-fix.xlsx"
    response = client.get(url)
    assert response.status_code == 200
    values = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(values[0]) == ["Ką pataisyti", *HEADER]
    assert [v[1] for v in values[1:]] == ["Rita"]


def test_an_import_of_every_row_offers_no_rows_to_fix(
    client, world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [["Ona", "Gera", "ona@example.lt", "", centre.name, "x", "specialist"]]
    batch = _imported(world, cohort, rows, django_capture_on_commit_callbacks)
    client.force_login(world.bob)
    page = client.get(f"/projects/{world.project.code}/enrolment/imports/{batch.pk}/").text
    assert 'id="rows-to-fix"' not in page and 'id="mail-held"' not in page
    url = f"/projects/{world.project.code}/enrolment/imports/{batch.pk}/rows-to-fix.xlsx"
    response = client.get(url)
    assert response.status_code == 302
