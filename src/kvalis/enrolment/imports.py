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
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q, prefetch_related_objects
from django.db.models.functions import Lower
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kvalis import ownership
from kvalis.access import project_access_for
from kvalis.accounts.models import User
from kvalis.accounts.services import set_password_url
from kvalis.audit.services import audit_log
from kvalis.enrolment import notifications, services
from kvalis.enrolment.models import (
    Enrolment,
    EnrolmentStatus,
    ImportBatch,
    ImportRowAction,
    ImportStatus,
    Quota,
)
from kvalis.enrolment.rules import ineligibility_reasons
from kvalis.enrolment.selectors import cohort_seats, quota_used
from kvalis.lib.text import validate_visible_name
from kvalis.organisations.models import Organisation
from kvalis.people.models import Person, PositionCategory
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
MAX_LENGTH = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "position": 200,
}
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
FORMULA_START = ("=", "+", "-", "@")
PHONE_RE = re.compile(r"^[0-9 +()\-]{5,40}$")


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
    return " ".join(str(value).split())


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _(
            "The file has too many rows: at most %(max)s can be imported at once; split it "
            "into smaller files."
        )
        % {"max": MAX_ROWS}
    )


def _read_xlsx(source: io.BufferedIOBase) -> Iterator[tuple]:
    """The first sheet's rows as openpyxl reads them, streamed (read-only mode)."""
    if not source.read(2) == b"PK":
        raise ValidationError(_("The file is not an Excel workbook (.xlsx)."))
    source.seek(0)
    unreadable = ValidationError(
        _("The file could not be read as an Excel workbook; save it again as .xlsx or .csv.")
    )
    try:
        archive, sheet = _first_sheet(source)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise unreadable from None
    try:
        yield from sheet.iter_rows(values_only=True)
    except Exception:
        raise unreadable from None
    finally:
        archive.close()


def _first_sheet(source: io.BufferedIOBase):
    """(the zip archive, the first worksheet) of a workbook, opened read-only and unsized.

    `load_workbook(read_only=True)` sizes every sheet first: when a file does not state its
    size (nothing obliges it to) that reads the whole sheet, a million rows before the first
    one is returned; and a stated size is trusted even when rows lie beyond it, which are then
    silently left out. Here the sheet is only ever read row by row, and the rows are counted
    by the caller."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class UnsizedWorksheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            pass

    # data_only: a formula cell gives the value Excel last saved, never the formula itself,
    # and nothing is ever evaluated.
    reader = ExcelReader(source, read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)  # which number formats are dates
        for sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                worksheet = UnsizedWorksheet(
                    reader.wb, sheet.name, rel.target, reader.shared_strings
                )
                return reader.archive, worksheet
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


def _read_csv(source: io.BufferedIOBase) -> Iterator[list[str]]:
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
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


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
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(row number in the file, values)]) of the first sheet; empty rows skipped.

    Reads row by row and stops at the header and MAX_ROWS + 1 rows (or MAX_FILE_ROWS rows,
    empty ones included), so a file of a million rows costs no more than one just over the
    limit. `progress()` is called every CHUNK rows."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    kind = check_upload(name, size)
    raw_rows = _read_xlsx(source) if kind == "xlsx" else _read_csv(source)
    numbered: list[tuple[int, list[str]]] = []
    try:
        for number, raw in enumerate(raw_rows, start=1):
            if progress is not None and number % CHUNK == 0:
                progress()
            if number > MAX_FILE_ROWS:
                raise _too_many_rows()
            if not any(v is not None and v != "" for v in raw):
                continue
            row = [_text(v) for v in raw]
            if not any(row):
                continue
            numbered.append((number, row))
            if len(numbered) > MAX_ROWS + 1:  # the header and one row too many
                raise _too_many_rows()
    finally:
        raw_rows.close()
    if len(numbered) < 2:
        raise ValidationError(_("The file has no rows below the header row."))
    (_n, header), body = numbered[0], numbered[1:]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    header = [h or _("column %(n)s") % {"n": i + 1} for i, h in enumerate(header[:width])]
    return header, [(number, (row + [""] * width)[:width]) for number, row in body]


def guess_mapping(header: list[str]) -> dict[str, int]:
    mapping = {}
    for index, title in enumerate(header):
        key = title.strip().lower().rstrip(":*")
        for field_name, names in HEADER_GUESSES.items():
            if key in names and field_name not in mapping:
                mapping[field_name] = index
    return mapping


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
                header, rows = read_table(
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
        _finish_step(
            batch,
            status=ImportStatus.MAPPING,
            header=header,
            mapping=guess_mapping(header),
            rows=[[number, values] for number, values in rows],
            total_rows=len(rows),
            processed_rows=0,
            upload="",
        )
    # The staff list (names, addresses) is kept no longer than needed: its rows are in the batch.
    if ImportBatch.objects.filter(pk=batch.pk, upload="").exists():
        batch.upload.storage.delete(batch.upload.name)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def import_map(*, actor, batch: ImportBatch, mapping: dict[str, int | None]) -> ImportBatch:
    """Save the column mapping and check the rows (as a task, for big files)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (ImportStatus.MAPPING, ImportStatus.VALIDATED, ImportStatus.FAILED):
        raise ValidationError(_("This import can no longer be changed."))
    if not batch.header:
        raise ValidationError(_("The file could not be read: upload it again."))
    clean = {k: v for k, v in mapping.items() if v is not None and k in FIELDS}
    missing = [str(FIELDS[f]) for f in REQUIRED if f not in clean]
    if missing:
        raise ValidationError(
            _("Choose a column for: %(fields)s.") % {"fields": ", ".join(missing)}
        )
    if any(not 0 <= v < len(batch.header) for v in clean.values()):
        raise ValidationError(_("Choose columns of the file."))
    if len(set(clean.values())) != len(clean):
        raise ValidationError(_("Each column can be used for one field only."))
    batch.mapping = clean
    batch.status = ImportStatus.VALIDATING
    batch.attempt += 1
    batch.heartbeat_at = timezone.now()
    batch.processed_rows = 0
    batch.error_rows = 0
    batch.results = []
    batch.message = ""
    batch.save()
    audit_log(actor=actor, action="enrolment.import_map", obj=batch, project=batch.project)
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
    person_id: int | None = None

    @property
    def action(self) -> str:
        if self.errors:
            return ImportRowAction.ERROR
        return ImportRowAction.LINK if self.person_id else ImportRowAction.NEW


def _category_lookup() -> dict[str, str]:
    lookup = dict(CATEGORY_SYNONYMS)
    for value, label in PositionCategory.choices:
        lookup[value] = value
        for language in ("lt", "en"):
            with translation.override(language):
                lookup[str(label).lower()] = value
    return lookup


def _scope(batch: ImportBatch):
    """What the uploader may touch now: (organisations by key, org ids or None, is partner)."""
    access = project_access_for(batch.created_by, batch.project) if batch.created_by else None
    if access is None or not (access.is_coordinator or access.is_partner):
        raise ValidationError(_("You may no longer enrol people in this project."))
    # Only the organisations whose people the project may see (kvalis.access): a row naming
    # anyone else's staff must not enrol them into a project of the uploader's making.
    if access.is_partner:
        organisations = Organisation.objects.filter(pk__in=access.partner_organisation_ids())
    else:
        organisations = Organisation.objects.filter(
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
    by_key: dict[str, Organisation] = {}
    for org in organisations:
        for key in (org.name, org.short_name, org.company_code):
            if key:
                by_key.setdefault(key.strip().lower(), org)
    allowed = {org.pk for org in organisations}
    return by_key, allowed, access.is_partner


def check_rows(
    batch: ImportBatch, rows: list, progress: Callable[[int], None] | None = None
) -> list[Checked]:
    """Every row ([number, values]) with its own errors, in the active language.

    Writes nothing; `progress(rows done)` is called every CHUNK rows."""
    mapping = batch.mapping
    cohort = Cohort.objects.select_related("activity").get(pk=batch.cohort_id)
    org_by_key, allowed_orgs, is_partner = _scope(batch)
    categories = _category_lookup()
    all_orgs = {o.name.lower(): o for o in Organisation.objects.only("pk", "name")}

    def value(values: list[str], name: str) -> str:
        index = mapping.get(name)
        return values[index].strip() if index is not None and index < len(values) else ""

    parsed = [{name: value(values, name) for name in FIELDS} for _number, values in rows]

    emails = {d["email"].lower() for d in parsed if d["email"]}
    people_by_email: dict[str, Person] = {}
    email_list = sorted(emails)
    for start in range(0, len(email_list), 500):
        for person in (
            Person.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=email_list[start : start + 500])
            .only("pk", "email", "first_name", "last_name", "organisation_id", "position_category")
        ):
            people_by_email[person.email.lower()] = person
    org_ids = {o.pk for o in org_by_key.values()}
    people_by_name: dict[tuple[str, str, int], Person] = {}
    named_orgs = {
        org_by_key[d["organisation"].lower()].pk
        for d in parsed
        if d["organisation"].lower() in org_by_key
    }
    for person in Person.objects.filter(organisation_id__in=named_orgs & org_ids).only(
        "pk", "email", "first_name", "last_name", "organisation_id", "position_category"
    ):
        key = (person.first_name.lower(), person.last_name.lower(), person.organisation_id)
        people_by_name.setdefault(key, person)
    enrolled = set(
        Enrolment.objects.filter(cohort=cohort, status__in=services.HELD).values_list(
            "person_id", flat=True
        )
    )
    orgs_by_pk = {o.pk: o for o in org_by_key.values()}
    eligibility_cache: dict[tuple[str, int | None], list[str]] = {}

    seen_email: dict[str, int] = {}
    seen_name: dict[tuple[str, str, int], int] = {}
    checked: list[Checked] = []
    for done, ((number, _values), data) in enumerate(zip(rows, parsed, strict=True), start=1):
        if progress is not None and done % CHUNK == 0:
            progress(done)
        result = Checked(number=number, data=data)
        errors = result.errors
        for name in REQUIRED:
            if not data[name]:
                errors.append(_("%(field)s is missing.") % {"field": FIELDS[name]})
        for name in ("first_name", "last_name"):
            if data[name]:
                try:
                    validate_visible_name(data[name])
                except ValidationError as error:
                    errors.append(
                        _("%(field)s: %(error)s")
                        % {"field": FIELDS[name], "error": " ".join(error.messages)}
                    )
        for name, text in data.items():
            if name == "phone" and PHONE_RE.match(text):
                continue  # +370 ... is a phone number, not a formula
            if text.startswith(FORMULA_START):
                errors.append(
                    _("%(field)s starts with “%(char)s”, like a spreadsheet formula.")
                    % {"field": FIELDS[name], "char": text[0]}
                )
            elif name in MAX_LENGTH and len(text) > MAX_LENGTH[name]:
                errors.append(
                    _("%(field)s is longer than %(max)s characters.")
                    % {"field": FIELDS[name], "max": MAX_LENGTH[name]}
                )
        email = data["email"].lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(_("“%(value)s” is not a valid e-mail address.") % {"value": email})
                email = ""
        if data["phone"] and not PHONE_RE.match(data["phone"]):
            errors.append(_("“%(value)s” is not a phone number.") % {"value": data["phone"]})
        category = ""
        if data["position_category"]:
            category = categories.get(data["position_category"].lower(), "")
            if not category:
                errors.append(
                    _("Unknown position category “%(value)s”; use one of: %(choices)s.")
                    % {
                        "value": data["position_category"],
                        "choices": ", ".join(str(label) for _v, label in PositionCategory.choices),
                    }
                )
        organisation = None
        if data["organisation"]:
            organisation = org_by_key.get(data["organisation"].lower())
            if organisation is None:
                if is_partner and data["organisation"].lower() in all_orgs:
                    errors.append(
                        _("%(name)s is not an institution your organisation nominates for.")
                        % {"name": data["organisation"]}
                    )
                elif data["organisation"].lower() in all_orgs:
                    errors.append(
                        _(
                            "%(name)s is not a partner of the project: its people are enrolled "
                            "once it accepts a partnership."
                        )
                        % {"name": data["organisation"]}
                    )
                else:
                    errors.append(
                        _("Unknown organisation “%(name)s”: check the name or add it first.")
                        % {"name": data["organisation"]}
                    )
        # Who is this? The e-mail first (any case), then the name at the same employer.
        person = people_by_email.get(email) if email else None
        if person is None and organisation is not None:
            person = people_by_name.get(
                (data["first_name"].lower(), data["last_name"].lower(), organisation.pk)
            )
        if person is not None:
            if allowed_orgs is not None and person.organisation_id not in allowed_orgs:
                errors.append(
                    _("A person with this e-mail works at another institution, not yours.")
                )
            elif person.pk in enrolled:
                errors.append(_("This person is already enrolled in this cohort."))
            else:
                result.person_id = person.pk
        # Duplicates within the file.
        if email:
            if email in seen_email:
                errors.append(
                    _("Duplicate of row %(row)s (same e-mail).") % {"row": seen_email[email]}
                )
            else:
                seen_email[email] = number
        if organisation is not None and data["first_name"] and data["last_name"]:
            name_key = (data["first_name"].lower(), data["last_name"].lower(), organisation.pk)
            if name_key in seen_name and not email:
                errors.append(
                    _("Duplicate of row %(row)s (same name and employer).")
                    % {"row": seen_name[name_key]}
                )
            seen_name.setdefault(name_key, number)
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
                errors.append(_("Not eligible: %(reason)s") % {"reason": reason})
        data["position_category"] = category
        data["organisation_id"] = organisation.pk if organisation else None
        data["email"] = email
        checked.append(result)

    # The partner's quota: rows beyond the free quota seats are refused, in file order.
    if is_partner and batch.partner_id:
        quota = Quota.objects.filter(cohort=cohort, partner_id=batch.partner_id).first()
        left = (quota.seats if quota else 0) - quota_used(cohort, batch.partner_id)
        for result in checked:
            if result.errors:
                continue
            if left <= 0:
                result.errors.append(
                    _("Over quota: your organisation has no seats left in this cohort.")
                )
            else:
                left -= 1
    return checked


def import_validate(*, batch_id: int, attempt: int | None = None) -> ImportBatch:
    """Check every row and store the results; the page polls `processed_rows` meanwhile."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportStatus.VALIDATING or attempt not in (None, batch.attempt):
        return batch
    try:
        _record_progress(batch, 0)
        progress = _every_so_often(lambda done: _record_progress(batch, done))
        checked = check_rows(batch, batch.rows, progress)
    except Superseded:
        return batch
    except ValidationError as error:
        _fail(batch, error)
    else:
        _finish_step(
            batch,
            results=[
                {
                    "number": c.number,
                    "data": c.data,
                    "errors": c.errors,
                    "action": c.action,
                    "person": c.person_id,
                }
                for c in checked
            ],
            processed_rows=batch.total_rows,
            error_rows=sum(1 for c in checked if c.errors),
            status=ImportStatus.VALIDATED,
        )
    batch.refresh_from_db()
    return batch


@transaction.atomic
def import_confirm(*, actor, batch: ImportBatch, notify: bool = True) -> ImportBatch:
    """The uploader saw the preview and confirmed: import in the background."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportStatus.VALIDATED:
        raise ValidationError(_("This import is not ready to be confirmed."))
    if batch.error_rows:
        raise ValidationError(
            _("%(n)s rows have errors: correct the file and upload it again.")
            % {"n": batch.error_rows}
        )
    batch.status = ImportStatus.IMPORTING
    batch.attempt += 1
    batch.heartbeat_at = timezone.now()
    batch.processed_rows = 0
    # Whether to e-mail the people is the confirmer's choice; a retry keeps it.
    batch.notify = notify
    batch.save(update_fields=["status", "attempt", "heartbeat_at", "processed_rows", "notify"])
    audit_log(actor=actor, action="enrolment.import_confirm", obj=batch, project=batch.project)
    _enqueue_step(batch)
    return batch


@task()
def import_execute_task(batch_id: int, attempt: int, language: str = "lt") -> None:
    with translation.override(language):
        import_execute(batch_id=batch_id, attempt=attempt)


def _first_error(checked: list[Checked]) -> None:
    bad = [c for c in checked if c.errors]
    if bad:
        raise ValidationError(
            _("Row %(row)s: %(error)s Nothing was imported.")
            % {"row": bad[0].number, "error": bad[0].errors[0]}
        )


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
    checked = check_rows(batch, batch.rows, progress)
    _first_error(checked)
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
    if notify:
        confirmed = [e for e in to_create + to_update if e.status == EnrolmentStatus.CONFIRMED]
        counts_logins = _invite_logins([people[e.person_id] for e in confirmed])
        for enrolment in to_create + to_update:
            enrolment.cohort = cohort
            enrolment.person = people[enrolment.person_id]
            user = enrolment.person.user
            extra = {}
            if enrolment.status == EnrolmentStatus.CONFIRMED:
                kind = "confirmed"
                if user is not None and user.last_login is None:
                    extra["set_password_url"] = set_password_url(user)
            else:
                kind = "waiting"
            notifications.notify(enrolment, kind, **extra)
        if counts_logins:
            audit_log(
                actor=actor,
                action="user.invite",
                obj=batch,
                project=batch.project,
                summary=f"{batch.filename}: {counts_logins}",
                data={"new_logins": counts_logins},
            )
    return counts


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
