"""Bulk import of a staff list (XLSX or CSV) into a cohort: read, map columns, check every row,
then write everything in one transaction or nothing.

The upload only stores the file. Reading, checking and importing are background steps (tasks)
that run outside any transaction, so a big file never holds SQLite's write lock; the reader
stops at MAX_ROWS + 1. Each step records its progress and a heartbeat in the batch's own row
and writes its result in one short UPDATE (the import: one short transaction) guarded by the
batch's `attempt`, so a step whose worker died can be retried from the batch's page
(`import_retry`) and a run that was merely slow cannot write after its retry.

Checks are set-based: the people, organisations and enrolments the file could refer to are read
into dictionaries first, so 10 000 rows need a handful of queries, not 10 000.
"""

import csv
import io
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import connection, transaction
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.db.models.functions import Lower
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from kvalis import ownership
from kvalis.access import project_access_for
from kvalis.accounts.models import User
from kvalis.accounts.services import set_password_url
from kvalis.audit.services import audit_log
from kvalis.enrolment import notifications, services
from kvalis.enrolment.models import (
    Enrolment,
    EnrolmentStatus,
    HeldMail,
    ImportBatch,
    ImportRowAction,
    ImportStatus,
    Quota,
)
from kvalis.enrolment.rules import ineligibility_reasons
from kvalis.enrolment.selectors import cohort_has_ended, cohort_seats, quota_used
from kvalis.enrolment.titles import suggest_category, title_key
from kvalis.lib.collation import lt_sorted, sort_key
from kvalis.organisations.models import Organisation
from kvalis.people import rules
from kvalis.people.models import Person, PositionCategory, name_sort_key
from kvalis.projects.models import Cohort, Partner, PartnerStatus, Project

MAX_ROWS = 20000
# Empty rows are skipped, but a sheet of a million empty (formatted) rows is still refused.
MAX_FILE_ROWS = 5 * MAX_ROWS
CHUNK = 1000
HEARTBEAT_S = 0.5
STALE_AFTER = ImportBatch.STALE_AFTER

logger = logging.getLogger(__name__)

FIELDS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("E-mail"),
    "phone": gettext_lazy("Phone"),
    "organisation": gettext_lazy("Employer"),
    "position": gettext_lazy("Position"),
    "position_category": gettext_lazy("Position category"),
}
REQUIRED = ("first_name", "last_name", "organisation", "position_category")
HEADER_GUESSES = {
    "first_name": {"vardas", "first name", "first_name", "firstname", "given name"},
    "last_name": {"pavardė", "pavarde", "last name", "last_name", "lastname", "surname"},
    "email": {"el. paštas", "el. pastas", "el.paštas", "el. p.", "e-mail", "email", "e-paštas"},
    "phone": {"telefonas", "tel.", "tel", "phone", "telephone"},
    "organisation": {
        "įstaiga",
        "istaiga",
        "darbovietė",
        "darboviete",
        "organizacija",
        "employer",
        "organisation",
        "organization",
        "institution",
    },
    "position": {"pareigos", "position", "job title"},
    "position_category": {
        "pareigų kategorija",
        "pareigu kategorija",
        "kategorija",
        "position category",
        "category",
    },
}
CATEGORY_SYNONYMS = {
    "vadovas": "head",
    "vadovė": "head",
    "direktorius": "head",
    "direktorė": "head",
    "pavaduotojas": "deputy",
    "pavaduotoja": "deputy",
    "vadybininkas": "manager",
    "vadybininkė": "manager",
    "specialistas": "specialist",
    "specialistė": "specialist",
    "kita": "other",
}
# The first column of the rows-to-fix sheet: what is wrong with the row. The import ignores it.
FIX_COLUMN = gettext_lazy("What to fix")


# --- reading files ---------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    # split() also takes the no-break space (U+00A0) and other Unicode spaces for spaces.
    return " ".join(str(value).split())


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA": a column as a spreadsheet names it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _(
            "The file has too many rows: at most %(max)s can be imported at once; split it "
            "into smaller files."
        )
        % {"max": MAX_ROWS}
    )


# A formula cell saved without the value it computes (a file written by a program, not by
# Excel or LibreOffice, which always store the value): read as empty, reported by its address.
UNCOMPUTED = object()
# Cells further right than this are not kept (but a value there is reported): a single cell in
# column XFD must not make every row 16 384 values long.
MAX_COLUMNS = 200


def _sheet_parser_class():
    """openpyxl's streaming sheet parser, taught two things: a formula cell without a stored
    value is UNCOMPUTED rather than empty (one pass over the file tells both the values and
    where a value is missing), and an inline string (as programs write them) is read straight
    from its text nodes, several times faster than openpyxl's rich-text objects."""
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS

    formula_tag = f"{{{SHEET_MAIN_NS}}}f"
    inline_tag = f"{{{SHEET_MAIN_NS}}}is"
    text_tag = f"{{{SHEET_MAIN_NS}}}t"
    run_tag = f"{{{SHEET_MAIN_NS}}}r"

    class SheetParser(WorkSheetParser):
        def parse_cell(self, element):
            data_type = element.get("t", "n")
            if data_type == "inlineStr":
                return self._inline(element)
            cell = super().parse_cell(element)
            # A stored empty text result (t="str", <v></v>) is a computed empty value.
            if (
                cell["value"] is None
                and data_type != "str"
                and element.find(formula_tag) is not None
            ):
                cell["value"] = UNCOMPUTED
            return cell

        def _inline(self, element):
            from openpyxl.utils import coordinate_to_tuple

            coordinate = element.get("r")
            if coordinate:
                row, column = coordinate_to_tuple(coordinate)
                self.col_counter = column
            else:
                self.col_counter += 1
                row, column = self.row_counter, self.col_counter
            parts = []
            box = element.find(inline_tag)
            for node in box if box is not None else ():
                if node.tag == text_tag:
                    parts.append(node.text or "")
                elif node.tag == run_tag:  # a formatted run; phonetic runs (rPh) are left out
                    text = node.find(text_tag)
                    parts.append(text.text or "" if text is not None else "")
            value = "".join(parts) if box is not None else None
            return {"row": row, "column": column, "value": value}

    return SheetParser


def _read_xlsx(source: io.BufferedIOBase) -> Iterator[tuple[int, list, list[int]]]:
    """The first sheet's rows as (row number, values, columns of UNCOMPUTED formulas),
    streamed; rows missing from the file are skipped, as empty ones are."""
    if not source.read(2) == b"PK":
        raise ValidationError(_("The file is not an Excel workbook (.xlsx)."))
    source.seek(0)
    unreadable = ValidationError(
        _("The file could not be read as an Excel workbook; save it again as .xlsx or .csv.")
    )
    try:
        reader, target = _first_sheet(source)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise unreadable from None
    try:
        with reader.archive.open(target) as xml:
            parser = _sheet_parser_class()(
                xml,
                reader.shared_strings,
                data_only=True,
                epoch=reader.wb.epoch,
                date_formats=reader.wb._date_formats,
                timedelta_formats=reader.wb._timedelta_formats,
            )
            for number, cells in parser.parse():
                width = min(max((c["column"] for c in cells), default=0), MAX_COLUMNS + 1)
                values: list = [None] * width
                uncomputed = []
                for cell in cells:
                    index = min(cell["column"], MAX_COLUMNS + 1) - 1
                    if cell["value"] is UNCOMPUTED:
                        uncomputed.append(index)
                    elif cell["value"] is not None:
                        values[index] = cell["value"]
                yield number, values, uncomputed
    except ValidationError:
        raise
    except Exception:
        raise unreadable from None
    finally:
        reader.archive.close()


def _first_sheet(source: io.BufferedIOBase):
    """(the workbook reader, the path of the first worksheet in its archive).

    `load_workbook(read_only=True)` sizes every sheet first: when a file does not state its
    size (nothing obliges it to) that reads the whole sheet, a million rows before the first
    one is returned; and a stated size is trusted even when rows lie beyond it, which are then
    silently left out. Here the sheet is only ever read row by row, and the rows are counted
    by the caller."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    # data_only: a formula cell gives the value Excel last saved, never the formula itself,
    # and nothing is ever evaluated.
    reader = ExcelReader(source, read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)  # which number formats are dates
        for _sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                return reader, rel.target
        raise ValueError("no worksheet")
    except BaseException:
        reader.archive.close()
        raise


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in Lithuania saves "CSV" in Windows-1257 (Baltic).
        return data.decode("cp1257", errors="strict")


def _read_csv(source: io.BufferedIOBase) -> Iterator[tuple[int, list[str], list[int]]]:
    # The whole text is at most KVALIS_MAX_UPLOAD_MB; its rows are parsed one by one.
    data = source.read()
    if b"\x00" in data[:4096]:
        raise ValidationError(_("The file is not a CSV text file."))
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file's characters could not be read: save it as UTF-8 or Windows-1257 CSV.")
        ) from None
    del data
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        yield number, row, []


def check_upload(name: str, size: int) -> str:
    """The file's kind ("xlsx" or "csv"), or a ValidationError: what is clear before reading."""
    limit = settings.KVALIS_MAX_UPLOAD_MB
    if size > limit * 1024 * 1024:
        raise ValidationError(
            _("The file is larger than %(limit)s MB; split it into smaller files.")
            % {"limit": limit}
        )
    extension = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if extension == "xlsx":
        return "xlsx"
    if extension in ("csv", "txt"):
        return "csv"
    if extension == "xls":
        raise ValidationError(_("Old Excel files (.xls) cannot be read: save as .xlsx or .csv."))
    raise ValidationError(
        _("This is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file.")
    )


def read_table(
    name: str,
    data: bytes | io.BufferedIOBase,
    progress: Callable[[], None] | None = None,
) -> tuple[list[str], list[tuple[int, list[str]]], dict[int, dict]]:
    """(header, [(row number in the file, values)], {row number: notes}) of the first sheet;
    empty rows skipped. Every row has the header's width; what did not fit is in its notes:

    - "cells": a CSV row with fewer cells than the header (a shifted or cut line);
    - "extra": letters of the columns beyond the header that hold a value (not imported);
    - "formulas": [column index, cell address] of formula cells without a stored value.

    Reads row by row and stops at the header and MAX_ROWS + 1 rows (or at row MAX_FILE_ROWS,
    empty ones included), so a file of a million rows costs no more than one just over the
    limit. `progress()` is called every CHUNK rows."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    kind = check_upload(name, size)
    raw_rows = _read_xlsx(source) if kind == "xlsx" else _read_csv(source)
    header: list[str] | None = None
    width = 0
    body: list[tuple[int, list[str]]] = []
    notes: dict[int, dict] = {}
    try:
        for count, (number, raw, uncomputed) in enumerate(raw_rows, start=1):
            if progress is not None and count % CHUNK == 0:
                progress()
            if number > MAX_FILE_ROWS:
                raise _too_many_rows()
            if not uncomputed and not any(v is not None and v != "" for v in raw):
                continue
            row = [_text(v) for v in raw]
            if not uncomputed and not any(row):
                continue
            if header is None:
                width = len(row)
                while width and not row[width - 1]:
                    width -= 1
                header = [h or _("column %(n)s") % {"n": i + 1} for i, h in enumerate(row[:width])]
                continue
            if len(body) >= MAX_ROWS:  # one row too many
                raise _too_many_rows()
            note = {}
            if kind == "csv" and len(row) < width:
                note["cells"] = len(row)
            extra = [column_letter(i) for i in range(width, len(row)) if row[i]]
            if extra:
                note["extra"] = extra
            if uncomputed:
                note["formulas"] = [[i, f"{column_letter(i)}{number}"] for i in uncomputed]
            if note:
                notes[number] = note
            body.append((number, (row + [""] * width)[:width]))
    finally:
        raw_rows.close()
    if header is None or not body:
        raise ValidationError(_("The file has no rows below the header row."))
    return header, body, notes


def _guesses() -> dict[str, set[str]]:
    """HEADER_GUESSES and each field's own label in both languages, so that Kvalis's own files
    (the template, a roster export, the rows to fix) are always recognised."""
    guesses = {name: set(names) for name, names in HEADER_GUESSES.items()}
    for language in ("lt", "en"):
        with translation.override(language):
            for name, label in FIELDS.items():
                guesses[name].add(str(label).lower())
    return guesses


def guess_mapping(header: list[str]) -> dict[str, int]:
    guesses = _guesses()
    mapping = {}
    for index, title in enumerate(header):
        key = " ".join(title.split()).lower().rstrip(":*").strip()
        for field_name, names in guesses.items():
            if key in names and field_name not in mapping and index not in mapping.values():
                mapping[field_name] = index
    return mapping


def table_template(access) -> dict[str, tuple[list[str], list[list[str]]]]:
    """The sheets of an empty staff list to fill in: the columns with Lithuanian (the active
    language's) headers the import recognises, and the values allowed in this project."""
    categories = [[str(label), value] for value, label in PositionCategory.choices]
    organisations = lt_sorted(org.name for org in scope_organisations(access))
    return {
        pgettext("sheet name", "Staff"): ([str(label) for label in FIELDS.values()], []),
        pgettext("sheet name", "Position categories"): (
            [_("Position category"), _("Or write")],
            categories,
        ),
        pgettext("sheet name", "Institutions"): ([_("Employer")], [[n] for n in organisations]),
    }


# --- services --------------------------------------------------------------------------------


class Superseded(Exception):
    """The batch moved on (a retry, another step) while this run was working: stop quietly."""


def _record_progress(batch: ImportBatch, done: int | None = None) -> None:
    """The heartbeat (and rows done) of the run `batch.attempt` of step `batch.status`, in one
    autocommitted UPDATE, never inside a long transaction: the page polls it, and a batch without
    one for STALE_AFTER is shown as interrupted."""
    fields: dict = {"heartbeat_at": timezone.now()}
    if done is not None:
        fields["processed_rows"] = min(done, batch.total_rows)
    current = ImportBatch.objects.filter(pk=batch.pk, status=batch.status, attempt=batch.attempt)
    if not current.update(**fields):
        raise Superseded


def _every_so_often(record: Callable[..., None]) -> Callable[..., None]:
    """`record`, but at most once per HEARTBEAT_S: each heartbeat is a commit (an fsync on
    SQLite), and the page polls once a second anyway."""
    last = time.monotonic()

    def maybe(*args) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= HEARTBEAT_S:
            last = now
            record(*args)

    return maybe


def _finish_step(batch: ImportBatch, **fields) -> bool:
    """Write a step's result if this run is still the batch's current one."""
    current = ImportBatch.objects.filter(pk=batch.pk, status=batch.status, attempt=batch.attempt)
    return bool(current.update(heartbeat_at=timezone.now(), **fields))


def _fail(batch: ImportBatch, error: ValidationError) -> None:
    _finish_step(
        batch,
        status=ImportStatus.FAILED,
        message=" ".join(error.messages),
        finished_at=timezone.now(),
    )


def _enqueue_step(batch: ImportBatch) -> None:
    """Queue the task of the batch's current step and attempt, once the transaction commits."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    step = {
        ImportStatus.READING: import_read_task,
        ImportStatus.VALIDATING: import_validate_task,
        ImportStatus.IMPORTING: import_execute_task,
    }[batch.status]
    batch_id, attempt = batch.pk, batch.attempt
    transaction.on_commit(lambda: step.enqueue(batch_id, attempt, language))


def import_create(
    *,
    actor,
    project: Project,
    cohort: Cohort,
    partner: Partner | None,
    name: str,
    data: bytes | File,
) -> ImportBatch:
    """Store an uploaded file as a new import batch; a worker reads it (`import_read`).

    What is clear without reading (the size, the kind of file) is refused at once."""
    if cohort.activity.project_id != project.pk:
        raise ValidationError(_("The cohort is not in this project."))
    upload = data if isinstance(data, File) else ContentFile(data)
    kind = check_upload(name, upload.size)
    batch = ImportBatch(
        project=project,
        cohort=cohort,
        partner=partner,
        created_by=actor,
        filename=name[:255],
        status=ImportStatus.READING,
        attempt=1,
        heartbeat_at=timezone.now(),
    )
    # Written to storage before the transaction, which then only inserts the row.
    batch.upload.save(f"staff-list.{kind}", upload, save=False)
    try:
        batch.full_clean(exclude=["header"])  # filled in by the reader
        with transaction.atomic():
            batch.save()
            audit_log(
                actor=actor,
                action="enrolment.import_upload",
                obj=batch,
                project=project,
                data={"cohort": cohort.pk, "bytes": upload.size},
            )
            _enqueue_step(batch)
    except BaseException:
        batch.upload.delete(save=False)
        raise
    return batch


@task()
def import_read_task(batch_id: int, attempt: int, language: str = "lt") -> None:
    with translation.override(language):
        import_read(batch_id=batch_id, attempt=attempt)


def import_read(*, batch_id: int, attempt: int | None = None) -> ImportBatch:
    """Read the stored file's rows into the batch (outside any transaction), then forget the
    file. A file the reader refuses (too many rows, not a spreadsheet) fails the batch with
    the reason."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportStatus.READING or attempt not in (None, batch.attempt):
        return batch
    try:
        _record_progress(batch)
        try:
            with batch.upload.open("rb") as source:
                header, rows, notes = read_table(
                    batch.filename,
                    source,
                    progress=_every_so_often(lambda: _record_progress(batch)),
                )
        except FileNotFoundError:
            raise ValidationError(_("The uploaded file is gone: upload it again.")) from None
    except Superseded:
        return batch
    except ValidationError as error:
        _finish_step(
            batch,
            status=ImportStatus.FAILED,
            message=" ".join(error.messages),
            finished_at=timezone.now(),
            upload="",
        )
    else:
        mapping = guess_mapping(header)
        stored = [
            [number, values, notes[number]] if number in notes else [number, values]
            for number, values in rows
        ]
        _finish_step(
            batch,
            samples={"values": _sample_values(header, stored), "beyond": _beyond(stored)},
            status=ImportStatus.MAPPING,
            header=header,
            mapping=mapping,
            # A real staff list names positions, seldom the project's categories.
            derive_category="position_category" not in mapping and "position" in mapping,
            rows=stored,
            total_rows=len(rows),
            processed_rows=0,
            upload="",
        )
    # The staff list (names, addresses) is kept no longer than needed: its rows are in the batch.
    if ImportBatch.objects.filter(pk=batch.pk, upload="").exists():
        batch.upload.storage.delete(batch.upload.name)
    batch.refresh_from_db()
    return batch


def _row_parts(row: list) -> tuple[int, list[str], dict]:
    """A stored row [number, values] or [number, values, notes] as its three parts."""
    return row[0], row[1], row[2] if len(row) > 2 else {}


def sample_values(batch: ImportBatch) -> list[list[str]]:
    """The first three non-empty values of each column, shown under its name when mapping."""
    if batch.samples:
        return batch.samples["values"]
    return _sample_values(batch.header, batch.rows)


def _sample_values(header: list[str], rows: list, limit: int = 3) -> list[list[str]]:
    samples: list[list[str]] = [[] for _title in header]
    wanted = len(samples)
    for row in rows:
        _number, values, _notes = _row_parts(row)
        for index, value in enumerate(values):
            if value and len(samples[index]) < limit:
                samples[index].append(value)
                if len(samples[index]) == limit:
                    wanted -= 1
        if not wanted:
            break
    return samples


def columns_beyond_header(batch: ImportBatch) -> tuple[list[str], int]:
    """(letters of the columns right of the header that hold values, rows with such values):
    these are never imported, and the mapping page says so."""
    if batch.samples:
        letters, rows = batch.samples["beyond"]
        return letters, rows
    return _beyond(batch.rows)


def _beyond(rows: list) -> tuple[list[str], int]:
    letters: set[str] = set()
    count = 0
    for row in rows:
        extra = _row_parts(row)[2].get("extra")
        if extra:
            letters.update(extra)
            count += 1
    return sorted(letters, key=lambda letter: (len(letter), letter)), count


@dataclass
class Title:
    key: str  # titles.title_key(text)
    text: str  # as first written in the file
    rows: int
    suggestion: str  # a PositionCategory value or ""


MAX_TITLES = 300


def distinct_titles(batch: ImportBatch, column: int | None) -> list[Title]:
    """The distinct position titles of `column` (compared as `title_key` does), the most
    frequent first, each with the category the dictionary suggests; at most MAX_TITLES (the
    rest are left to the dictionary)."""
    if column is None or not 0 <= column < len(batch.header):
        return []
    found: dict[str, Title] = {}
    for row in batch.rows:
        text = _row_parts(row)[1][column]
        if not text:
            continue
        key = title_key(text)
        if key in found:
            found[key].rows += 1
        else:
            found[key] = Title(key=key, text=text, rows=1, suggestion="")
    ranked = sorted(found.values(), key=lambda t: (-t.rows, sort_key(t.key)))[:MAX_TITLES]
    for title in ranked:
        title.suggestion = suggest_category(title.text)
    return ranked


# Fields that may take one value for all rows instead of a column.
CONSTANT_FIELDS = ("organisation", "position", "position_category")


@transaction.atomic
def import_map(
    *,
    actor,
    batch: ImportBatch,
    mapping: dict[str, int | None],
    constants: dict | None = None,
    derive_category: bool = False,
    title_categories: dict[str, str] | None = None,
) -> ImportBatch:
    """Save how each field is filled (a column, one value for all rows, or for the position
    category: derived from the position title) and check the rows (as a task, for big files)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (ImportStatus.MAPPING, ImportStatus.VALIDATED, ImportStatus.FAILED):
        raise ValidationError(_("This import can no longer be changed."))
    if not batch.header:
        raise ValidationError(_("The file could not be read: upload it again."))
    clean = {k: v for k, v in mapping.items() if v is not None and k in FIELDS}
    values = {k: v for k, v in (constants or {}).items() if v not in (None, "")}
    if any(k not in CONSTANT_FIELDS for k in values):
        raise ValidationError(_("Only the employer, position and category can be one value."))
    both = [str(FIELDS[k]) for k in values if k in clean]
    if both:
        raise ValidationError(
            _("Choose either a column or one value for all rows for: %(fields)s.")
            % {"fields": ", ".join(both)}
        )
    if derive_category:
        if "position_category" in clean or "position_category" in values:
            raise ValidationError(
                _("The position category comes either from a column, one value or the title.")
            )
        if "position" not in clean:
            raise ValidationError(
                _(
                    "To derive the position category from the position title, choose the "
                    "column with the position titles."
                )
            )
    filled = set(clean) | set(values) | ({"position_category"} if derive_category else set())
    missing = [str(FIELDS[f]) for f in REQUIRED if f not in filled]
    if missing:
        raise ValidationError(
            _("Choose a column or one value for all rows for: %(fields)s.")
            % {"fields": ", ".join(missing)}
        )
    if any(not isinstance(v, int) or not 0 <= v < len(batch.header) for v in clean.values()):
        raise ValidationError(_("Choose columns of the file."))
    if len(set(clean.values())) != len(clean):
        raise ValidationError(_("Each column can be used for one field only."))
    categories = set(PositionCategory.values)
    if "position_category" in values and values["position_category"] not in categories:
        raise ValidationError(_("Choose one of the position categories."))
    if "organisation" in values:
        access = _access(batch)
        try:
            pk = int(values["organisation"])
        except (TypeError, ValueError):
            pk = None
        if not scope_organisations(access).filter(pk=pk).exists():
            raise ValidationError(
                _("Choose an employer whose people may be enrolled in this project.")
            )
        values["organisation"] = pk
    if "position" in values:
        values["position"] = rules.clean_text(values["position"], field="position")
    chosen = {str(k): v for k, v in (title_categories or {}).items() if v and derive_category}
    if any(v not in categories for v in chosen.values()):
        raise ValidationError(_("Choose one of the position categories."))
    batch.mapping = clean
    batch.constants = values
    batch.derive_category = derive_category
    batch.title_categories = chosen
    batch.status = ImportStatus.VALIDATING
    batch.attempt += 1
    batch.heartbeat_at = timezone.now()
    batch.processed_rows = 0
    batch.error_rows = 0
    batch.results = []
    batch.selected = []
    batch.message = ""
    batch.save()
    audit_log(
        actor=actor,
        action="enrolment.import_map",
        obj=batch,
        project=batch.project,
        data={
            "columns": clean,
            "same_for_all": sorted(values),
            "category_from_title": derive_category,
        },
    )
    _enqueue_step(batch)
    return batch


@task()
def import_validate_task(batch_id: int, attempt: int, language: str = "lt") -> None:
    with translation.override(language):
        import_validate(batch_id=batch_id, attempt=attempt)


@transaction.atomic
def import_retry(*, actor, batch: ImportBatch) -> ImportBatch:
    """Run again the step whose worker died (no heartbeat for STALE_AFTER), from its start.

    Safe to repeat: every step writes its result at once at its end, and only if its attempt
    is still the batch's current one."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if not batch.is_interrupted():
        raise ValidationError(_("This import is still running; wait for it to finish."))
    batch.attempt += 1
    batch.heartbeat_at = timezone.now()
    batch.processed_rows = 0
    batch.save(update_fields=["attempt", "heartbeat_at", "processed_rows"])
    audit_log(
        actor=actor,
        action="enrolment.import_retry",
        obj=batch,
        project=batch.project,
        data={"step": batch.status, "attempt": batch.attempt},
    )
    _enqueue_step(batch)
    return batch


@dataclass
class Checked:
    number: int
    data: dict
    errors: list[str] = field(default_factory=list)
    # Beside each error, its kind (`problem_label`): the preview counts and filters by kind.
    kinds: list[str] = field(default_factory=list)
    person_id: int | None = None

    def add(self, kind: str, message: str) -> None:
        self.kinds.append(kind)
        self.errors.append(message)

    @property
    def action(self) -> str:
        if self.errors:
            return ImportRowAction.ERROR
        return ImportRowAction.LINK if self.person_id else ImportRowAction.NEW

    def as_result(self) -> dict:
        return {
            "number": self.number,
            "data": self.data,
            "errors": self.errors,
            "kinds": self.kinds,
            "action": self.action,
            "person": self.person_id,
        }


def problem_label(kind: str, n: int) -> str:
    """ "12 rows without a first name": a kind of problem and how many rows have it."""
    labels = {
        "short_row": ngettext(
            "%(n)s row shorter than the header", "%(n)s rows shorter than the header", n
        ),
        "long_row": ngettext(
            "%(n)s row with values beyond the header",
            "%(n)s rows with values beyond the header",
            n,
        ),
        "formula": ngettext(
            "%(n)s row with a formula without a value",
            "%(n)s rows with a formula without a value",
            n,
        ),
        "missing:first_name": ngettext(
            "%(n)s row without a first name", "%(n)s rows without a first name", n
        ),
        "missing:last_name": ngettext(
            "%(n)s row without a last name", "%(n)s rows without a last name", n
        ),
        "missing:organisation": ngettext(
            "%(n)s row without an employer", "%(n)s rows without an employer", n
        ),
        "missing:position_category": ngettext(
            "%(n)s row without a position category", "%(n)s rows without a position category", n
        ),
        "email": ngettext(
            "%(n)s row with a wrong e-mail address", "%(n)s rows with a wrong e-mail address", n
        ),
        "phone": ngettext(
            "%(n)s row with a wrong phone number", "%(n)s rows with a wrong phone number", n
        ),
        "formula_like": ngettext(
            "%(n)s row with text that starts like a formula",
            "%(n)s rows with text that starts like a formula",
            n,
        ),
        "text": ngettext(
            "%(n)s row with a name or text to correct",
            "%(n)s rows with a name or text to correct",
            n,
        ),
        "category": ngettext(
            "%(n)s row with an unknown position category",
            "%(n)s rows with an unknown position category",
            n,
        ),
        "organisation": ngettext(
            "%(n)s row with an employer outside this project",
            "%(n)s rows with an employer outside this project",
            n,
        ),
        "duplicate": ngettext(
            "%(n)s row repeating another row", "%(n)s rows repeating another row", n
        ),
        "other_employer": ngettext(
            "%(n)s row with a person of another institution",
            "%(n)s rows with a person of another institution",
            n,
        ),
        "enrolled": ngettext(
            "%(n)s row with a person already enrolled",
            "%(n)s rows with a person already enrolled",
            n,
        ),
        "eligibility": ngettext(
            "%(n)s row with a person not eligible", "%(n)s rows with a person not eligible", n
        ),
        "quota": ngettext("%(n)s row over the quota", "%(n)s rows over the quota", n),
    }
    other = ngettext("%(n)s row with a problem", "%(n)s rows with a problem", n)
    return labels.get(kind, other) % {"n": n}


def problem_counts(results: list[dict]) -> list[tuple[str, int, str]]:
    """(kind, rows, "12 rows without a first name") for each kind of problem, most rows first."""
    counts: dict[str, int] = {}
    for result in results:
        for kind in set(result.get("kinds") or (["other"] if result["errors"] else [])):
            counts[kind] = counts.get(kind, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [(kind, n, problem_label(kind, n)) for kind, n in ranked]


def preview_rows(results: list[dict], kind: str = "") -> list[dict]:
    """The rows as the preview lists them: those with problems first (in file order), then
    the others; only those with problem `kind` when given ("ok": only the valid ones)."""
    if kind == "ok":
        return [r for r in results if not r["errors"]]
    if kind == "errors":
        return [r for r in results if r["errors"]]
    if kind:
        return [r for r in results if kind in (r.get("kinds") or ())]
    return [r for r in results if r["errors"]] + [r for r in results if not r["errors"]]


def _category_lookup() -> dict[str, str]:
    lookup = dict(CATEGORY_SYNONYMS)
    for value, label in PositionCategory.choices:
        lookup[value] = value
        for language in ("lt", "en"):
            with translation.override(language):
                lookup[str(label).lower()] = value
    return lookup


def _access(batch: ImportBatch):
    access = project_access_for(batch.created_by, batch.project) if batch.created_by else None
    if access is None or not (access.is_coordinator or access.is_partner):
        raise ValidationError(_("You may no longer enrol people in this project."))
    return access


def scope_organisations(access) -> QuerySet[Organisation]:
    """The organisations whose people this user may import into the project: only those the
    project may see (kvalis.access) — a row naming anyone else's staff must not enrol them into
    a project of the uploader's making. A partner: its own and the institutions it nominates
    for."""
    if access.is_partner:
        return Organisation.objects.filter(pk__in=access.partner_organisation_ids())
    if not access.is_coordinator:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk__in=access.people().values("organisation"))
        | Q(
            partnerships__project=access.project,
            partnerships__status=PartnerStatus.ACCEPTED,
        )
        | Q(
            covering_partners__project=access.project,
            covering_partners__status=PartnerStatus.ACCEPTED,
        )
    ).distinct()


def _scope(batch: ImportBatch):
    """What the uploader may touch now: (organisations by key, their ids, is partner, them)."""
    access = _access(batch)
    organisations = list(scope_organisations(access))
    by_key: dict[str, Organisation] = {}
    for org in organisations:
        for key in (org.name, org.short_name, org.company_code):
            if key:
                by_key.setdefault(" ".join(key.split()).lower(), org)
    allowed = {org.pk for org in organisations}
    return by_key, allowed, access.is_partner, organisations


ALLOWED_NAMED = 10  # organisations named in an "unknown organisation" message


def _allowed_names(organisations: list[Organisation]) -> str:
    names = lt_sorted(org.name for org in organisations)
    if not names:
        return _("none yet")
    shown = ", ".join(names[:ALLOWED_NAMED])
    if len(names) > ALLOWED_NAMED:
        rest = len(names) - ALLOWED_NAMED
        shown += " " + ngettext("and %(n)s more", "and %(n)s more", rest) % {"n": rest}
    return shown


def _kind_of(name: str, error: ValidationError) -> str:
    code = getattr(error, "code", None)
    if code == "required":
        return f"missing:{name}"
    if code == "formula":
        return "formula_like"
    if name in ("email", "phone"):
        return name
    return "text"


PREVIEW_AFTER = 500  # rows checked before the first page of the preview is shown


def check_rows(
    batch: ImportBatch,
    rows: list,
    progress: Callable[[int], None] | None = None,
) -> list[Checked]:
    """Every row ([number, values(, notes)]) with its own errors, in the active language.

    Writes nothing; `progress(rows done)` is called every CHUNK rows. What a row gets never
    depends on the rows after it (a duplicate repeats an earlier row, quota seats go in file
    order), so the results of the file's first rows checked alone are final: the preview shows
    them while the rest is checked (`import_validate`)."""
    mapping = batch.mapping
    constants = batch.constants or {}
    width = len(batch.header)
    imported_columns = set(mapping.values())
    cohort = Cohort.objects.select_related("activity").get(pk=batch.cohort_id)
    org_by_key, allowed_orgs, is_partner, organisations = _scope(batch)
    orgs_by_pk = {o.pk: o for o in organisations}
    categories = _category_lookup()
    known_names = {
        " ".join(name.split()).lower()
        for name in Organisation.objects.values_list("name", flat=True)
    }
    fixed_org = None
    if "organisation" in constants:
        fixed_org = orgs_by_pk.get(constants["organisation"])
        if fixed_org is None:
            raise ValidationError(
                _(
                    "The employer chosen for all rows may no longer be enrolled in this "
                    "project: choose another on the column mapping page."
                )
            )
    chosen_categories = batch.title_categories or {}
    suggested: dict[str, str] = {}

    def value(values: list[str], name: str) -> str:
        if name in constants:
            return fixed_org.name if name == "organisation" else str(constants[name])
        index = mapping.get(name)
        return values[index].strip() if index is not None and index < len(values) else ""

    parsed = [{name: value(_row_parts(row)[1], name) for name in FIELDS} for row in rows]

    emails = set()
    for d in parsed:
        try:
            if address := rules.clean_email(d["email"]):
                emails.add(address)
        except ValidationError:
            pass
    people_by_email: dict[str, Person] = {}
    email_list = sorted(emails)
    for start in range(0, len(email_list), 500):
        for person in (
            Person.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=email_list[start : start + 500])
            .only("pk", "email", "first_name", "last_name", "organisation_id", "position_category")
        ):
            people_by_email[person.email.lower()] = person
    people_by_name: dict[tuple, Person] = {}
    named_orgs = {fixed_org.pk} if fixed_org else set()
    named_orgs |= {
        org_by_key[d["organisation"].lower()].pk
        for d in parsed
        if d["organisation"].lower() in org_by_key
    }
    for person in Person.objects.filter(organisation_id__in=named_orgs & allowed_orgs).only(
        "pk", "email", "first_name", "last_name", "organisation_id", "position_category"
    ):
        key = (rules.fold(person.first_name), rules.fold(person.last_name), person.organisation_id)
        people_by_name.setdefault(key, person)
    enrolled = set(
        Enrolment.objects.filter(cohort=cohort, status__in=services.HELD).values_list(
            "person_id", flat=True
        )
    )
    eligibility_cache: dict[tuple[str, int | None], list[str]] = {}
    quota_left = None
    if is_partner and batch.partner_id:
        quota = Quota.objects.filter(cohort=cohort, partner_id=batch.partner_id).first()
        quota_left = (quota.seats if quota else 0) - quota_used(cohort, batch.partner_id)

    seen: dict[tuple, int] = {}
    checked: list[Checked] = []
    for done, (row, raw) in enumerate(zip(rows, parsed, strict=True), start=1):
        if progress is not None and done % CHUNK == 0:
            progress(done)
        number, _values, notes = _row_parts(row)
        result = Checked(number=number, data={})
        data = result.data
        # Columns whose value this row does not really have: cut off, or an uncomputed formula.
        # Their emptiness is explained once, not again as a missing field.
        unreadable: set[int] = set()
        if "cells" in notes:
            result.add(
                "short_row",
                _(
                    "The row has %(cells)s cells, the header %(header)s: a value is missing "
                    "or in the wrong column (check the separators in this line)."
                )
                % {"cells": notes["cells"], "header": width},
            )
            unreadable.update(range(notes["cells"], width))
        if "extra" in notes:
            result.add(
                "long_row",
                _(
                    "The row has values in columns beyond the header: %(columns)s. They are "
                    "not imported: move them into the right columns or give them a header."
                )
                % {"columns": ", ".join(notes["extra"])},
            )
        for index, address in notes.get("formulas", ()):
            if index in imported_columns:
                result.add(
                    "formula",
                    _(
                        "Cell %(cell)s has a formula without a computed value: open the file "
                        "in Excel, save it and upload it again."
                    )
                    % {"cell": address},
                )
                unreadable.add(index)

        def silent(name: str, error=None, unreadable=unreadable) -> bool:
            cut = name not in constants and mapping.get(name) in unreadable
            return cut and (error is None or getattr(error, "code", None) == "required")

        for name in ("first_name", "last_name"):
            try:
                data[name] = rules.clean_name(raw[name], field=name)
            except ValidationError as error:
                data[name] = raw[name]
                if not silent(name, error):
                    result.add(_kind_of(name, error), " ".join(error.messages))
        email = ""
        try:
            email = rules.clean_email(raw["email"])
        except ValidationError as error:
            result.add(_kind_of("email", error), " ".join(error.messages))
        data["email"] = email or raw["email"]
        for name, clean in (("phone", rules.clean_phone), ("position", rules.clean_text)):
            try:
                data[name] = clean(raw[name]) if name == "phone" else clean(raw[name], field=name)
            except ValidationError as error:
                data[name] = raw[name]
                result.add(_kind_of(name, error), " ".join(error.messages))

        category = ""
        if batch.derive_category:
            title = data["position"]
            if not title:
                if not silent("position"):
                    result.add(
                        "missing:position_category",
                        _("%(field)s is missing: the position category is derived from it.")
                        % {"field": FIELDS["position"]},
                    )
            else:
                key = title_key(title)
                if key not in suggested:
                    suggested[key] = chosen_categories.get(key) or suggest_category(title)
                category = suggested[key]
                if not category:
                    result.add(
                        "category",
                        _(
                            "No position category is known for the title “%(title)s”: "
                            "choose one for it on the column mapping page."
                        )
                        % {"title": title},
                    )
        elif not raw["position_category"]:
            if not silent("position_category"):
                result.add(
                    "missing:position_category",
                    _("%(field)s is missing.") % {"field": FIELDS["position_category"]},
                )
        else:
            category = categories.get(raw["position_category"].lower(), "")
            if not category:
                result.add(
                    "category",
                    _("Unknown position category “%(value)s”; use one of: %(choices)s.")
                    % {
                        "value": raw["position_category"],
                        "choices": ", ".join(str(label) for _v, label in PositionCategory.choices),
                    },
                )

        organisation = fixed_org
        data["organisation"] = raw["organisation"]
        if organisation is None and not raw["organisation"]:
            if not silent("organisation"):
                result.add(
                    "missing:organisation",
                    _("%(field)s is missing.") % {"field": FIELDS["organisation"]},
                )
        elif organisation is None:
            text = raw["organisation"]
            organisation = org_by_key.get(text.lower())
            if organisation is None:
                allowed = _allowed_names(organisations)
                if is_partner and text.lower() in known_names:
                    result.add(
                        "organisation",
                        _(
                            "%(name)s is not an institution your organisation nominates for. "
                            "Yours: %(allowed)s."
                        )
                        % {"name": text, "allowed": allowed},
                    )
                elif text.lower() in known_names:
                    result.add(
                        "organisation",
                        _(
                            "%(name)s is not a partner of the project: its people are enrolled "
                            "once it accepts a partnership. Partners' institutions: %(allowed)s."
                        )
                        % {"name": text, "allowed": allowed},
                    )
                else:
                    result.add(
                        "organisation",
                        _(
                            "Unknown organisation “%(name)s”: check the name. People may be "
                            "imported from: %(allowed)s."
                        )
                        % {"name": text, "allowed": allowed},
                    )
        # Who is this? The e-mail first (any case), then the name at the same employer.
        person = people_by_email.get(email) if email else None
        if person is None and organisation is not None:
            person = people_by_name.get(
                (rules.fold(data["first_name"]), rules.fold(data["last_name"]), organisation.pk)
            )
        if person is not None:
            if person.organisation_id not in allowed_orgs:
                result.add(
                    "other_employer",
                    _("A person with this e-mail works at another institution, not yours."),
                )
            elif person.pk in enrolled:
                result.add("enrolled", _("This person is already enrolled in this cohort."))
            else:
                result.person_id = person.pk
        # The same person twice in the file, in whatever letter case or spacing.
        if email:
            key = rules.person_key("", "", email)
            if key in seen:
                result.add(
                    "duplicate",
                    _("The same person as in row %(row)s (the same e-mail address).")
                    % {"row": seen[key]},
                )
            else:
                seen[key] = number
        if organisation is not None and data["first_name"] and data["last_name"]:
            key = rules.person_key(data["first_name"], data["last_name"]) + (organisation.pk,)
            if key in seen and not email:
                result.add(
                    "duplicate",
                    _("The same person as in row %(row)s (the same name and employer).")
                    % {"row": seen[key]},
                )
            seen.setdefault(key, number)
        # Eligibility: judged on the linked person's record when there is one.
        if category and organisation is not None:
            effective_category = category
            effective_org = organisation
            if result.person_id is not None:
                effective_category = person.position_category
                effective_org = orgs_by_pk.get(person.organisation_id, organisation)
            key = (effective_category, effective_org.pk)
            if key not in eligibility_cache:
                eligibility_cache[key] = ineligibility_reasons(
                    cohort.activity,
                    position_category=effective_category,
                    organisation=effective_org,
                )
            for reason in eligibility_cache[key]:
                result.add("eligibility", _("Not eligible: %(reason)s") % {"reason": reason})
        # The partner's quota: rows beyond the free quota seats are refused, in file order.
        if quota_left is not None and not result.errors:
            if quota_left <= 0:
                result.add(
                    "quota",
                    _("Over quota: your organisation has no seats left in this cohort."),
                )
            else:
                quota_left -= 1
        data["position_category"] = category
        data["organisation_id"] = organisation.pk if organisation else None
        checked.append(result)
    return checked


def _partial_writer(batch: ImportBatch) -> Callable[[list[Checked]], None]:
    def write(checked: list[Checked]) -> None:
        current = ImportBatch.objects.filter(
            pk=batch.pk, status=ImportStatus.VALIDATING, attempt=batch.attempt
        )
        if not current.update(
            results=[c.as_result() for c in checked],
            processed_rows=min(len(checked), batch.total_rows),
            error_rows=sum(1 for c in checked if c.errors),
            heartbeat_at=timezone.now(),
        ):
            raise Superseded

    return write


def import_validate(*, batch_id: int, attempt: int | None = None) -> ImportBatch:
    """Check every row and store the results; the page polls `processed_rows` meanwhile and
    shows the first rows' results as soon as they are stored."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportStatus.VALIDATING or attempt not in (None, batch.attempt):
        return batch
    try:
        _record_progress(batch, 0)
        progress = _every_so_often(lambda done: _record_progress(batch, done))
        rows = batch.rows
        if len(rows) > PREVIEW_AFTER:
            # The first page first: the first rows alone are checked (their lookups are small)
            # and shown while all rows are checked; their results come out the same.
            _partial_writer(batch)(check_rows(batch, rows[:PREVIEW_AFTER]))
        checked = check_rows(batch, rows, progress)
    except Superseded:
        return batch
    except ValidationError as error:
        _fail(batch, error)
    else:
        _finish_step(
            batch,
            results=[c.as_result() for c in checked],
            processed_rows=batch.total_rows,
            error_rows=sum(1 for c in checked if c.errors),
            status=ImportStatus.VALIDATED,
        )
    batch.refresh_from_db()
    return batch


def valid_rows(batch: ImportBatch) -> int:
    return batch.total_rows - batch.error_rows


@transaction.atomic
def import_confirm(
    *, actor, batch: ImportBatch, notify: bool = True, only_valid: bool = False
) -> ImportBatch:
    """The uploader saw the preview and confirmed: import in the background.

    Every row, or with `only_valid` the rows that passed the check (all of them or none: the
    rest is fixed and imported later). Without `notify` the e-mails are held (`HeldMail`) and
    sent later from the roster."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportStatus.VALIDATED:
        raise ValidationError(_("This import is not ready to be confirmed."))
    selected: list[int] = []
    if batch.error_rows and not only_valid:
        raise ValidationError(
            ngettext(
                "%(n)s row has errors: correct it, or import only the valid rows.",
                "%(n)s rows have errors: correct them, or import only the valid rows.",
                batch.error_rows,
            )
            % {"n": batch.error_rows}
        )
    if batch.error_rows:
        selected = [r["number"] for r in batch.results if not r["errors"]]
        if not selected:
            raise ValidationError(_("No row is valid: there is nothing to import yet."))
    batch.selected = selected
    batch.status = ImportStatus.IMPORTING
    batch.attempt += 1
    batch.heartbeat_at = timezone.now()
    batch.processed_rows = 0
    # Whether to e-mail the people now is the confirmer's choice; a retry keeps it.
    batch.notify = notify
    batch.save(
        update_fields=["status", "attempt", "heartbeat_at", "processed_rows", "notify", "selected"]
    )
    audit_log(
        actor=actor,
        action="enrolment.import_confirm",
        obj=batch,
        project=batch.project,
        data={
            "rows": len(selected) if selected else batch.total_rows,
            "only_valid": bool(selected),
            "e-mails": "send" if notify else "hold",
        },
    )
    _enqueue_step(batch)
    return batch


@task()
def import_execute_task(batch_id: int, attempt: int, language: str = "lt") -> None:
    with translation.override(language):
        import_execute(batch_id=batch_id, attempt=attempt)


def _every_error(checked: list[Checked]) -> None:
    """Refuse the whole import naming every row that no longer passes, each with its errors."""
    bad = [c for c in checked if c.errors]
    if bad:
        lines = [
            _("Row %(row)s: %(errors)s") % {"row": c.number, "errors": " ".join(c.errors)}
            for c in bad
        ]
        summary = ngettext(
            "Nothing was imported: %(n)s row no longer passes the check (the data changed "
            "since the preview). Check the rows again.",
            "Nothing was imported: %(n)s rows no longer pass the check (the data changed "
            "since the preview). Check the rows again.",
            len(bad),
        ) % {"n": len(bad)}
        raise ValidationError("\n".join([summary, *lines]))


def import_execute(
    *, batch_id: int, attempt: int | None = None, notify: bool | None = None
) -> ImportBatch:
    """All rows or none: any problem found now (the data may have changed since the preview)
    rolls the whole import back and is reported on the batch.

    One transaction checks the rows again under the cohort's lock (nothing may change between
    that check and the write; the set-based check of 10 000 rows takes about a second), writes
    the enrolments and marks the batch done, so that a worker dying at any point leaves either
    everything or nothing, and a retry finds out which."""
    batch = ImportBatch.objects.select_related("cohort__activity__project", "created_by").get(
        pk=batch_id
    )
    if batch.status != ImportStatus.IMPORTING or attempt not in (None, batch.attempt):
        return batch
    notify = batch.notify if notify is None else notify
    try:
        _record_progress(batch, 0)
        with transaction.atomic():
            current = ImportBatch.objects.select_for_update().filter(
                pk=batch.pk, status=ImportStatus.IMPORTING, attempt=batch.attempt
            )
            if not current.exists():
                raise Superseded
            # Progress written inside the transaction is seen only if it commits: the heartbeat
            # before it is what tells a live import from a dead one.
            progress = _every_so_often(lambda done: _record_progress(batch, done))
            created = _execute(batch, notify=notify, progress=progress)
            current.update(
                status=ImportStatus.DONE,
                message=_("%(confirmed)s confirmed, %(waiting)s on the waiting list.") % created,
                processed_rows=batch.total_rows,
                heartbeat_at=timezone.now(),
                finished_at=timezone.now(),
            )
    except Superseded:
        logger.info("Import %s: attempt %s superseded, stopped.", batch.pk, batch.attempt)
    except ValidationError as error:
        _fail(batch, error)
    batch.refresh_from_db()
    return batch


ENROLMENT_COLUMNS = [
    "person_id",
    "cohort_id",
    "status",
    "partner_id",
    "organisation_id",
    "organisation_name",
    "position",
    "position_category",
    "waiting_position",
    "enrolled_by_id",
    "created_at",
    "updated_at",
]


def _insert_enrolments(enrolments: list[Enrolment]) -> None:
    """One executemany instead of bulk_create: the ORM's per-value SQL compilation is most of
    the time of a 10 000-row import, and nothing here needs the new primary keys back. The
    database still checks every constraint (one per person per cohort, waiting places)."""
    if not enrolments:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(Enrolment._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ENROLMENT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(ENROLMENT_COLUMNS))
    params = [
        (
            e.person_id,
            e.cohort_id,
            e.status,
            e.partner_id,
            e.organisation_id,
            e.organisation_name,
            e.position,
            e.position_category,
            e.waiting_position,
            e.enrolled_by_id,
            now,
            now,
        )
        for e in enrolments
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", params)


def _execute(
    batch: ImportBatch, *, notify: bool, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    cohort = services._lock_cohort(batch.cohort_id)
    rows = batch.rows
    if batch.selected:
        chosen = set(batch.selected)
        rows = [row for row in rows if row[0] in chosen]
    checked = check_rows(batch, rows, progress)
    _every_error(checked)
    # A staff list is the employer's record of its people's addresses only when the importer
    # keeps that employer's records; other addresses get no login until confirmed.
    kept = set(ownership.kept_organisations(batch.created_by).values_list("pk", flat=True))
    new_people = [
        Person(
            email_verified=bool(c.data["email"]) and c.data["organisation_id"] in kept,
            first_name=c.data["first_name"],
            last_name=c.data["last_name"],
            email=c.data["email"],
            phone=c.data["phone"],
            organisation_id=c.data["organisation_id"],
            position=c.data["position"],
            position_category=c.data["position_category"],
            # bulk_create skips save(), which keeps the sort key of the people list.
            sort_key=name_sort_key(c.data["last_name"], c.data["first_name"]),
        )
        for c in checked
        if c.person_id is None
    ]
    Person.objects.bulk_create(new_people, batch_size=CHUNK)
    new_iter = iter(new_people)
    person_ids = [c.person_id or next(new_iter).pk for c in checked]
    people = Person.objects.select_related("user").in_bulk(person_ids)
    prefetch_related_objects([cohort], "sessions", "activity__project")
    orgs = Organisation.objects.in_bulk({p.organisation_id for p in people.values()})
    old = {
        e.person_id: e
        for e in Enrolment.objects.filter(cohort=cohort, person_id__in=person_ids).exclude(
            status__in=services.HELD
        )
    }
    seats = cohort_seats(cohort)
    waiting_next = services._next_waiting_position(cohort)
    to_create, to_update = [], []
    actor = batch.created_by
    for person_id in person_ids:
        person = people[person_id]
        org = orgs.get(person.organisation_id)
        enrolment = old.get(person_id) or Enrolment(person=person, cohort=cohort)
        enrolment.partner_id = batch.partner_id
        enrolment.enrolled_by = actor
        enrolment.organisation = org
        enrolment.organisation_name = org.name if org else ""
        enrolment.position = person.position
        enrolment.position_category = person.position_category
        if seats.free_for(batch.partner_id) > 0:
            seats.take(batch.partner_id)
            enrolment.status = EnrolmentStatus.CONFIRMED
            enrolment.waiting_position = None
        else:
            enrolment.status = EnrolmentStatus.WAITING
            enrolment.waiting_position = waiting_next
            waiting_next += 1
        (to_update if enrolment.pk else to_create).append(enrolment)
    _insert_enrolments(to_create)
    Enrolment.objects.bulk_update(
        to_update,
        [
            "status",
            "waiting_position",
            "partner",
            "enrolled_by",
            "organisation",
            "organisation_name",
            "position",
            "position_category",
        ],
        batch_size=CHUNK,
    )
    counts = {
        "confirmed": sum(e.status == EnrolmentStatus.CONFIRMED for e in to_create + to_update),
        "waiting": sum(e.status == EnrolmentStatus.WAITING for e in to_create + to_update),
    }
    audit_log(
        actor=actor,
        action="enrolment.import",
        obj=batch,
        project=batch.project,
        summary=f"{batch.filename}: {len(person_ids)}",
        data={**counts, "new_people": len(new_people), "cohort": cohort.pk},
    )
    enrolments = to_create + to_update
    if notify:
        for enrolment in enrolments:
            enrolment.cohort = cohort
            enrolment.person = people[enrolment.person_id]
        _send_mail(actor=actor, obj=batch, cohort=cohort, enrolments=enrolments)
    else:
        HeldMail.objects.bulk_create(
            [HeldMail(batch=batch, person_id=person_id) for person_id in person_ids],
            batch_size=CHUNK,
        )
    return counts


def _send_mail(*, actor, obj, cohort: Cohort, enrolments: list[Enrolment]) -> int:
    """The e-mails of an import (`obj` a batch) or of its held e-mails sent later (`obj` the
    cohort): confirmed people get a confirmation, with a link to choose a password when their
    login is new or never used; the waiting list a notice. Returns how many were queued."""
    confirmed = [e for e in enrolments if e.status == EnrolmentStatus.CONFIRMED]
    new_logins = _invite_logins([e.person for e in confirmed])
    queued = 0
    for enrolment in enrolments:
        user = enrolment.person.user
        extra = {}
        if enrolment.status == EnrolmentStatus.CONFIRMED:
            kind = "confirmed"
            if user is not None and user.last_login is None:
                extra["set_password_url"] = set_password_url(user)
        elif enrolment.status == EnrolmentStatus.WAITING:
            kind = "waiting"
        else:
            continue
        if notifications.recipient(enrolment.person):
            queued += 1
        notifications.notify(enrolment, kind, **extra)
    if new_logins:
        audit_log(
            actor=actor,
            action="user.invite",
            obj=obj,
            project=cohort.activity.project,
            summary=f"{obj}: {new_logins}",
            data={"new_logins": new_logins},
        )
    return queued


def held_mail(access, cohort: Cohort) -> QuerySet[HeldMail]:
    """E-mails held by the imports into `cohort` this user may see, not yet sent."""
    return HeldMail.objects.filter(
        batch__in=batches_for(access).filter(cohort=cohort), sent_at__isnull=True
    )


def held_mail_send(*, actor, access, cohort: Cohort) -> int:
    """Send the e-mails the imports into `cohort` held (those this user's imports may show),
    as each enrolment now stands: a confirmation, a waiting-list notice, or nothing once it
    was cancelled or rejected. Through the outbox, after commit; audited. Returns how many
    e-mails were queued."""
    if cohort_has_ended(cohort):
        raise ValidationError(_("The cohort has ended: its held e-mails are no longer sent."))
    with transaction.atomic():
        services._lock_cohort(cohort.pk)  # one sender at a time: nothing is sent twice
        held = list(held_mail(access, cohort).values_list("pk", "person_id"))
        if not held:
            raise ValidationError(_("There are no held e-mails to send."))
        enrolments = list(
            Enrolment.objects.filter(
                cohort=cohort,
                person_id__in={person_id for _pk, person_id in held},
                status__in=(EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITING),
            ).select_related("person__user")
        )
        prefetch_related_objects([cohort], "sessions", "activity__project")
        for enrolment in enrolments:
            enrolment.cohort = cohort
        queued = _send_mail(actor=actor, obj=cohort, cohort=cohort, enrolments=enrolments)
        HeldMail.objects.filter(pk__in=[pk for pk, _person in held]).update(sent_at=timezone.now())
        audit_log(
            actor=actor,
            action="enrolment.import_mail_send",
            obj=cohort,
            project=cohort.activity.project,
            summary=f"{cohort}: {queued}",
            data={"held": len(held), "sent": queued},
        )
    return queued


def batches_for(access) -> QuerySet[ImportBatch]:
    """The imports this user may see in the project: a coordinator every one, a partner
    coordinator their own."""
    queryset = ImportBatch.objects.filter(project=access.project, cohort__in=access.cohorts())
    if access.is_partner:
        queryset = queryset.filter(created_by=access.user)
    elif not access.is_coordinator:
        queryset = queryset.none()
    return queryset


@dataclass
class MailForecast:
    """Who will get which e-mail if the import is confirmed now."""

    invitations: int = 0  # a confirmation with a link to sign in (a new or unused login)
    confirmations: int = 0
    waiting: int = 0
    without_address: int = 0


def mail_forecast(batch: ImportBatch) -> MailForecast:
    """What `_execute` and `_send_mail` would send for the rows to import, told before the
    confirmation: seats are taken in file order, a login is created for a confirmed person
    whose address their employer's keeper recorded."""
    forecast = MailForecast()
    valid = [r for r in batch.results if not r["errors"]]
    cohort = Cohort.objects.get(pk=batch.cohort_id)
    free = cohort_seats(cohort).free_for(batch.partner_id)
    kept = set(ownership.kept_organisations(batch.created_by).values_list("pk", flat=True))
    linked_ids = [r["person"] for r in valid if r["person"]]
    linked = {}
    for start in range(0, len(linked_ids), 500):
        linked.update(
            Person.objects.select_related("user").in_bulk(linked_ids[start : start + 500])
        )
    for index, result in enumerate(valid):
        person = linked.get(result["person"]) if result["person"] else None
        if person is not None:
            user = person.user
            address = user.email if user else person.email
            login = user is not None or (bool(person.email) and person.email_verified)
            unused = user is None or user.last_login is None
        else:
            address = result["data"]["email"]
            login = bool(address) and result["data"]["organisation_id"] in kept
            unused = True
        if not address:
            forecast.without_address += 1
        elif index >= free:
            forecast.waiting += 1
        elif login and unused:
            forecast.invitations += 1
        else:
            forecast.confirmations += 1
    return forecast


def rows_to_fix(batch: ImportBatch) -> tuple[list[str], list[list[str]]]:
    """The rows with problems as a sheet to send back to whoever made the list: the file's own
    columns, and first "What to fix" (which the import ignores when the sheet comes back)."""
    problems = {r["number"]: r["errors"] for r in batch.results if r["errors"]}
    header = [str(FIX_COLUMN), *batch.header]
    body = []
    for row in batch.rows:
        number, values, _notes = _row_parts(row)
        if number in problems:
            body.append([" ".join(problems[number]), *values])
    return header, body


def _invite_logins(people: list[Person]) -> int:
    """Logins for confirmed people who have none, as a one-by-one nomination makes them (no
    usable password until the person chooses one through the link in their e-mail), in bulk.

    An existing login with the person's e-mail is linked unless another person holds it.
    Returns how many logins were created.
    """
    without = [p for p in people if p.user_id is None and p.email and p.email_verified]
    if not without:
        return 0
    emails = {p.email.lower() for p in without}
    existing = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
    held = set(Person.objects.filter(user__in=existing.values()).values_list("user_id", flat=True))
    new_users = []
    for person in without:
        user = existing.get(person.email.lower())
        if user is None:
            user = User(
                email=person.email.lower(),
                first_name=person.first_name,
                last_name=person.last_name,
                language=settings.LANGUAGE_CODE,
            )
            user.set_unusable_password()
            existing[user.email] = user
            new_users.append(user)
        elif user.pk in held:
            continue
        else:
            held.add(user.pk)
        person.user = user
    User.objects.bulk_create(new_users, batch_size=CHUNK)
    for person in without:
        if person.user is not None:
            person.user_id = person.user.pk
    Person.objects.bulk_update([p for p in without if p.user_id], ["user"], batch_size=CHUNK)
    return len(new_users)
