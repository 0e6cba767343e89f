"""The bulk import's pages: upload (with a template to fill in), column mapping, the preview
made for fixing, confirmation, the rows to fix as a file, and the held e-mails sent from the
roster. Each view parses its form, calls `kvalis.enrolment.imports` and renders or redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from kvalis.access import Perm, get_project_access
from kvalis.enrolment import imports
from kvalis.enrolment.import_forms import ConfirmForm, MappingForm, UploadForm
from kvalis.enrolment.models import ImportBatch, ImportRowAction, ImportStatus
from kvalis.enrolment.views import _context, _errors, _partners
from kvalis.lib.collation import lt_sorted
from kvalis.lib.exports import csv_response, download_name, xlsx_response
from kvalis.people.models import PositionCategory

PAGE_SIZE = 50


@login_required
def import_upload(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.ENROL)
    cohort = access.get_cohort(cohort_pk)
    form = UploadForm(request.POST or None, request.FILES or None, partners=_partners(access))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        partner = access.partner if access.is_partner else form.cleaned_data.get("partner")
        try:
            batch = imports.import_create(
                actor=request.user,
                project=access.project,
                cohort=cohort,
                partner=partner,
                name=upload.name,
                data=upload,
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error("file", message)
        else:
            return redirect("enrolment:import_detail", code=code, import_pk=batch.pk)
    return render(
        request,
        "enrolment/import_upload.html",
        _context(
            access,
            cohort=cohort,
            form=form,
            fields=list(imports.FIELDS.values()),
            categories=PositionCategory.choices,
            organisations=lt_sorted(o.name for o in imports.scope_organisations(access)),
        ),
    )


@login_required
def import_template(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """An empty staff list with the columns the import recognises (and, in the XLSX, the
    position categories and the institutions this user may import people of)."""
    access = get_project_access(request.user, code, Perm.ENROL)
    sheets = imports.table_template(access)
    name = download_name(access.project.code, pgettext("file name", "staff list"), extension=fmt)
    if fmt == "csv":
        header, rows = next(iter(sheets.values()))
        return csv_response(name, header, rows)
    return xlsx_response(name, sheets)


def _batch(access, import_pk: int, *, rows: bool = False) -> ImportBatch:
    queryset = imports.batches_for(access).select_related(
        "cohort__activity", "partner__organisation"
    )
    if not rows:
        queryset = queryset.defer("rows")
    return get_object_or_404(queryset, pk=import_pk)


def _mapping_form(request: HttpRequest, access, batch: ImportBatch):
    """(the mapping form, whether the rows may be checked now, a note to show above it).

    A position category derived from the titles is checked only after the uploader has seen
    the titles of the column chosen, each with its suggestion to accept or change: choosing
    "from the position title" (or another title column) first shows them."""
    organisations = [
        (o.pk, o.name)
        for o in sorted(imports.scope_organisations(access), key=lambda o: o.name.lower())
    ]
    data = request.POST if request.method == "POST" else None
    position_column = batch.mapping.get("position")
    derive = batch.derive_category
    if data is not None:
        position = str(data.get("position", ""))
        position_column = int(position) if position.isdigit() else None
        derive = data.get("position_category") == "title"

    def make(bound, **kwargs) -> MappingForm:
        return MappingForm(
            bound,
            header=batch.header,
            batch=batch,
            organisations=organisations,
            titles=imports.distinct_titles(batch, position_column) if derive else [],
            titles_column=position_column if derive else None,
            **kwargs,
        )

    form = make(data)
    if data is None or not form.is_valid():
        return form, False, ""
    if form.derive_category() and form.titles_shown_for() != form.position_column():
        # The titles were not on the page yet: show them, keeping what was chosen.
        kept = {k: v for k, v in data.items() if k != "titles_column" and k.find("title_") != 0}
        note = _(
            "Check the position category suggested for each position title below, then press "
            "“Check the rows”."
        )
        return make(None, initial=kept), False, note
    return form, True, ""


@login_required
def import_detail(request: HttpRequest, code: str, import_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.ENROL)
    mappable = (ImportStatus.MAPPING, ImportStatus.VALIDATED, ImportStatus.FAILED)
    batch = _batch(access, import_pk)
    mapping_shown = batch.status in mappable and bool(batch.header)
    if mapping_shown and (batch.derive_category or not batch.samples or request.method == "POST"):
        batch = _batch(access, import_pk, rows=True)  # the titles come from the rows
    form = None
    note = ""
    columns = []
    beyond: tuple[list[str], int] = ([], 0)
    if mapping_shown:
        form, ready, note = _mapping_form(request, access, batch)
        if ready:
            try:
                imports.import_map(
                    actor=request.user,
                    batch=batch,
                    mapping=form.mapping(),
                    constants=form.constants(),
                    derive_category=form.derive_category(),
                    title_categories=form.title_categories(),
                )
            except ValidationError as error:
                for message in _errors(error):
                    form.add_error(None, message)
            else:
                return redirect("enrolment:import_detail", code=code, import_pk=batch.pk)
        used = {index: name for name, index in batch.mapping.items()}
        fix_column = {str(imports.FIX_COLUMN).lower(), "ką pataisyti", "what to fix"}
        for index, (title, samples) in enumerate(
            zip(batch.header, imports.sample_values(batch), strict=True)
        ):
            columns.append(
                {
                    "letter": imports.column_letter(index),
                    "title": title,
                    "samples": samples,
                    "field": imports.FIELDS[used[index]] if index in used else None,
                    "ignored": title.strip().lower() in fix_column,
                }
            )
        beyond = imports.columns_beyond_header(batch)
    preview = _preview(request, batch)
    confirm = None
    if batch.status == ImportStatus.VALIDATED and imports.valid_rows(batch):
        confirm = {
            "form": ConfirmForm(),
            "forecast": imports.mail_forecast(batch),
            "valid": imports.valid_rows(batch),
        }
    return render(
        request,
        "enrolment/import_detail.html",
        _context(
            access,
            batch=batch,
            cohort=batch.cohort,
            form=form,
            mapping_note=note,
            columns=columns,
            beyond_letters=beyond[0],
            beyond_rows=beyond[1],
            categories=PositionCategory.choices,
            confirm=confirm,
            **preview,
        ),
    )


def _preview(request: HttpRequest, batch: ImportBatch) -> dict:
    """The preview's page of rows (problems first), the counts by kind of problem, the filter."""
    results = batch.results or []
    if batch.status not in (ImportStatus.VALIDATED, ImportStatus.VALIDATING) or not results:
        return {"page": None}
    kind = request.GET.get("kind", "")
    if request.GET.get("errors") == "1":  # the old link: only the rows with problems
        kind = "errors"
    counts = imports.problem_counts(results)
    if kind not in {k for k, _n, _label in counts} | {"", "ok", "errors"}:
        kind = ""
    page = Paginator(imports.preview_rows(results, kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    categories = dict(PositionCategory.choices)
    actions = dict(ImportRowAction.choices)
    rows = []
    for result in page.object_list:
        data = result["data"]
        rows.append(
            {
                "number": result["number"],
                "name": " ".join(
                    part for part in (data.get("first_name"), data.get("last_name")) if part
                ),
                "errors": result["errors"],
                "action": actions.get(result["action"], ""),
                "email": data.get("email", ""),
                "organisation": data.get("organisation", ""),
                "position": data.get("position", ""),
                "category": categories.get(data.get("position_category"), ""),
            }
        )
    return {
        "page": page,
        "rows": rows,
        "counts": counts,
        "kind": kind,
        "checked_rows": len(results),
    }


@login_required
def import_progress(request: HttpRequest, code: str, import_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.ENROL)
    batch = get_object_or_404(imports.batches_for(access).defer("rows", "results"), pk=import_pk)
    response = render(
        request, "enrolment/_import_progress.html", {"batch": batch, "project": access.project}
    )
    if request.htmx and (batch.status not in ImportBatch.RUNNING or batch.is_interrupted()):
        # Done (or its worker died): reload the whole page to show the result or the retry.
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def import_confirm(request: HttpRequest, code: str, import_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.ENROL)
    batch = get_object_or_404(imports.batches_for(access).defer("rows"), pk=import_pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("enrolment:import_detail", code=code, import_pk=batch.pk)
    try:
        imports.import_confirm(
            actor=request.user,
            batch=batch,
            notify=form.cleaned_data["mail"] == "send",
            only_valid=form.cleaned_data["rows"] == "valid",
        )
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    return redirect("enrolment:import_detail", code=code, import_pk=batch.pk)


@login_required
@require_POST
def import_retry(request: HttpRequest, code: str, import_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.ENROL)
    batch = get_object_or_404(imports.batches_for(access).defer("rows", "results"), pk=import_pk)
    try:
        imports.import_retry(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    return redirect("enrolment:import_detail", code=code, import_pk=batch.pk)


@login_required
def import_rows_to_fix(request: HttpRequest, code: str, import_pk: int) -> HttpResponse:
    """The rows with problems as XLSX: the file's columns and first "What to fix". Offered on
    the preview, and after the valid rows alone were imported, for the rows left out."""
    access = get_project_access(request.user, code, Perm.ENROL)
    batch = _batch(access, import_pk, rows=True)
    checked = batch.status == ImportStatus.VALIDATED
    partly_imported = batch.status == ImportStatus.DONE and bool(batch.selected)
    if not (checked or partly_imported):  # nothing checked (yet): the page says why
        return redirect("enrolment:import_detail", code=code, import_pk=batch.pk)
    header, rows = imports.rows_to_fix(batch)
    stem = batch.filename.rsplit(".", 1)[0]
    name = download_name(stem, pgettext("file name", "rows to fix"), extension="xlsx")
    return xlsx_response(name, {pgettext("sheet name", "Rows to fix"): (header, rows)})


@login_required
@require_POST
def held_mail_send(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.ENROL)
    cohort = access.get_cohort(cohort_pk)
    try:
        sent = imports.held_mail_send(actor=request.user, access=access, cohort=cohort)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    else:
        messages.success(
            request,
            ngettext("%(n)s e-mail is being sent.", "%(n)s e-mails are being sent.", sent)
            % {"n": sent},
        )
    return redirect("enrolment:roster", code=code, cohort_pk=cohort.pk)
