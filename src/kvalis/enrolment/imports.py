"""Bulk import of a staff list (XLSX or CSV) into a cohort: read, map columns, check every row,
then write everything in one transaction or nothing.

Checks are set-based: the people, organisations and enrolments the file could refer to are read
into dictionaries first, so 10 000 rows need a handful of queries, not 10 000.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q, prefetch_related_objects
from django.db.models.functions import Lower
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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
CHUNK = 1000

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


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    if not data.startswith(b"PK"):
        raise ValidationError(_("The file is not an Excel workbook (.xlsx)."))
    try:
        # data_only: a formula cell gives the value Excel last saved, never the formula itself,
        # and nothing is ever evaluated.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(
            _("The file could not be read as an Excel workbook; save it again as .xlsx or .csv.")
        ) from None
    return rows


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in Lithuania saves "CSV" in Windows-1257 (Baltic).
        return data.decode("cp1257", errors="strict")


def _read_csv(data: bytes) -> list[list[str]]:
    if b"\x00" in data[:4096]:
        raise ValidationError(_("The file is not a CSV text file."))
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise ValidationError(
            _("The file's characters could not be read: save it as UTF-8 or Windows-1257 CSV.")
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return [[_text(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def read_table(name: str, data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(header, [(row number in the file, values)]) of the first sheet; empty rows skipped."""
    limit = settings.KVALIS_MAX_UPLOAD_MB
    if len(data) > limit * 1024 * 1024:
        raise ValidationError(
            _("The file is larger than %(limit)s MB; split it into smaller files.")
            % {"limit": limit}
        )
    extension = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if extension == "xlsx":
        rows = _read_xlsx(data)
    elif extension in ("csv", "txt"):
        rows = _read_csv(data)
    elif extension == "xls":
        raise ValidationError(_("Old Excel files (.xls) cannot be read: save as .xlsx or .csv."))
    else:
        raise ValidationError(
            _("This is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file.")
        )
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(row)]
    if len(numbered) < 2:
        raise ValidationError(_("The file has no rows below the header row."))
    (_n, header), body = numbered[0], numbered[1:]
    if len(body) > MAX_ROWS:
        raise ValidationError(
            ngettext(
                "The file has %(n)s row; at most %(max)s can be imported at once.",
                "The file has %(n)s rows; at most %(max)s can be imported at once.",
                len(body),
            )
            % {"n": len(body), "max": MAX_ROWS}
        )
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


@transaction.atomic
def import_create(
    *, actor, project: Project, cohort: Cohort, partner: Partner | None, name: str, data: bytes
) -> ImportBatch:
    """Read an uploaded file into an import batch (nothing else is written yet)."""
    if cohort.activity.project_id != project.pk:
        raise ValidationError(_("The cohort is not in this project."))
    header, rows = read_table(name, data)
    batch = ImportBatch(
        project=project,
        cohort=cohort,
        partner=partner,
        created_by=actor,
        filename=name[:255],
        header=header,
        mapping=guess_mapping(header),
        rows=[[number, values] for number, values in rows],
        total_rows=len(rows),
    )
    batch.full_clean()
    batch.save()
    audit_log(
        actor=actor,
        action="enrolment.import_upload",
        obj=batch,
        project=project,
        data={"rows": len(rows), "cohort": cohort.pk},
    )
    return batch


@transaction.atomic
def import_map(*, actor, batch: ImportBatch, mapping: dict[str, int | None]) -> ImportBatch:
    """Save the column mapping and check the rows (as a task, for big files)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status not in (ImportStatus.MAPPING, ImportStatus.VALIDATED, ImportStatus.FAILED):
        raise ValidationError(_("This import can no longer be changed."))
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
    batch.processed_rows = 0
    batch.error_rows = 0
    batch.results = []
    batch.message = ""
    batch.save()
    audit_log(actor=actor, action="enrolment.import_map", obj=batch, project=batch.project)
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: import_validate_task.enqueue(batch.pk, language))
    return batch


@task()
def import_validate_task(batch_id: int, language: str = "lt") -> None:
    with translation.override(language):
        import_validate(batch_id=batch_id)


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


def import_validate(*, batch_id: int) -> ImportBatch:
    """Check every row and store the results; the page polls `processed_rows` meanwhile."""
    batch = ImportBatch.objects.get(pk=batch_id)

    def progress(done: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=done)

    try:
        checked = check_rows(batch, batch.rows, progress)
    except ValidationError as error:
        batch.status = ImportStatus.FAILED
        batch.message = " ".join(error.messages)
        batch.save(update_fields=["status", "message"])
        return batch
    batch.results = [
        {
            "number": c.number,
            "data": c.data,
            "errors": c.errors,
            "action": c.action,
            "person": c.person_id,
        }
        for c in checked
    ]
    batch.processed_rows = batch.total_rows
    batch.error_rows = sum(1 for c in checked if c.errors)
    batch.status = ImportStatus.VALIDATED
    batch.save(update_fields=["results", "processed_rows", "error_rows", "status"])
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
    batch.save(update_fields=["status"])
    audit_log(actor=actor, action="enrolment.import_confirm", obj=batch, project=batch.project)
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(lambda: import_execute_task.enqueue(batch.pk, language, notify))
    return batch


@task()
def import_execute_task(batch_id: int, language: str = "lt", notify: bool = True) -> None:
    with translation.override(language):
        import_execute(batch_id=batch_id, notify=notify)


def import_execute(*, batch_id: int, notify: bool = True) -> ImportBatch:
    """All rows or none: any problem found now (the data may have changed since the preview)
    rolls the whole import back and is reported on the batch."""
    batch = ImportBatch.objects.select_related("cohort__activity__project", "created_by").get(
        pk=batch_id
    )
    try:
        with transaction.atomic():
            created = _execute(batch, notify=notify)
    except ValidationError as error:
        batch.status = ImportStatus.FAILED
        batch.message = " ".join(error.messages)
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "message", "finished_at"])
        return batch
    batch.status = ImportStatus.DONE
    batch.message = _("%(confirmed)s confirmed, %(waiting)s on the waiting list.") % created
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "message", "finished_at"])
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


def _execute(batch: ImportBatch, *, notify: bool) -> dict[str, int]:
    cohort = services._lock_cohort(batch.cohort_id)
    checked = check_rows(batch, batch.rows)
    bad = [c for c in checked if c.errors]
    if bad:
        raise ValidationError(
            _("Row %(row)s: %(error)s Nothing was imported.")
            % {"row": bad[0].number, "error": bad[0].errors[0]}
        )
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
