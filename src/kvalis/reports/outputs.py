"""What the indicators become: labelled rows, charts, the XLSX workbook and the funder's final
report (PDF). Everything here reads `project_indicators()`; nothing computes a figure itself."""

import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from itertools import batched
from typing import BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from kvalis.lib.charts import Chart
from kvalis.lib.exports import sheet_name, xlsx_bytes
from kvalis.lib.money import currency_symbol
from kvalis.reports.indicators import NO_PARTNER, UNKNOWN

BREAKDOWNS = (
    ("participants_by_municipality", "municipality"),
    ("participants_by_organisation_type", "organisation_type"),
    ("participants_by_position_category", "position_category"),
    ("participants_by_partner", None),
    ("participants_by_activity", None),
)


def breakdown_title(key: str) -> str:
    return {
        "participants_by_municipality": _("Persons trained by municipality"),
        "participants_by_organisation_type": _("Persons trained by type of institution"),
        "participants_by_position_category": _("Persons trained by position"),
        "participants_by_partner": _("Persons trained by partner"),
        "participants_by_activity": _("Persons trained by activity"),
    }[key]


def breakdown_rows(data: dict, key: str) -> list[tuple[str, int]]:
    """(label, count) rows of one breakdown, with codes turned into names."""
    labels = dict(BREAKDOWNS)
    names = data.get("labels", {}).get(labels[key] or "", {})
    rows = []
    for code, count in data.get(key, {}).items():
        if code in (UNKNOWN, NO_PARTNER):
            label = _("not given") if code == UNKNOWN else _("no partner")
        else:
            label = names.get(code, code)
        rows.append((str(label), count))
    return rows


def charts(data: dict) -> list[Chart]:
    result = [
        Chart(
            title=breakdown_title(key),
            rows=breakdown_rows(data, key),
            value_label=_("Persons trained"),
            unit="",
        )
        for key, _labels in BREAKDOWNS
        if data.get(key)
    ]
    activities = data.get("activities", [])
    if activities:
        result.append(
            Chart(
                title=_("Academic hours delivered by activity"),
                rows=[(row["title"], row["academic_hours_delivered"]) for row in activities],
                value_label=_("Academic hours"),
            )
        )
    return result


def indicator_rows(data: dict) -> list[dict]:
    """Indicators vs plan: [{label, planned, actual, unit, percent}] for tables and the PDF."""
    rows = [
        {
            "key": "participants_trained",
            "label": _("Persons trained (attended at least one session)"),
            "planned": data["participants_planned"],
            "actual": data["participants_trained"],
            "kind": "count",
        },
        {
            "key": "participants_enrolled",
            "label": _("Persons enrolled (confirmed)"),
            "planned": None,
            "actual": data["participants_enrolled"],
            "kind": "count",
        },
        {
            "key": "academic_hours_delivered",
            "label": _("Academic hours delivered"),
            "planned": data["academic_hours_planned"],
            "actual": data["academic_hours_delivered"],
            "kind": "hours",
        },
    ]
    if "academic_hours_received" in data:
        rows.append(
            {
                "key": "academic_hours_received",
                "label": _("Academic hours received by participants"),
                "planned": None,
                "actual": data["academic_hours_received"],
                "kind": "hours",
            }
        )
    rows.append(
        {
            "key": "attendance_rate",
            "label": _("Attendance rate"),
            "planned": None,
            "actual": data["attendance_rate"],
            "kind": "percent",
        }
    )
    if "completion_rate" in data:
        rows.append(
            {
                "key": "completion_rate",
                "label": _("Completion rate (ended cohorts)"),
                "planned": None,
                "actual": data["completion_rate"],
                "kind": "percent",
            }
        )
    if "certificates_issued" in data:
        rows.append(
            {
                "key": "certificates_issued",
                "label": _("Certificates issued"),
                "planned": data["certificates_planned"],
                "actual": data["certificates_issued"],
                "kind": "count",
            }
        )
    satisfaction = data.get("satisfaction")
    if satisfaction is not None:
        rows.append(
            {
                "key": "satisfaction",
                "label": _("Satisfaction (mean, 1–5; whole project)")
                if data.get("filters") or data.get("scoped")
                else _("Satisfaction (mean, 1–5)"),
                "planned": None,
                "actual": satisfaction.get("mean"),
                "kind": "decimal",
            }
        )
    if "budget_planned" in data:
        rows.append(
            {
                "key": "budget_spent",
                "label": _("Budget spent"),
                "planned": data["budget_planned"],
                "actual": data["budget_spent"],
                "kind": "money",
            }
        )
    for row in rows:
        planned, actual = row["planned"], row["actual"]
        row["percent"] = (
            (Decimal(actual) * 100 / Decimal(planned)).quantize(Decimal("0.1"))
            if planned and actual is not None
            else None
        )
    return rows


def _cell(value):
    if value is None:
        return ""
    return value


def report_xlsx(data: dict, *, people_sheets: dict | None = None) -> bytes:
    """The indicators as a workbook (and, for those who may see people, the person sheets)."""
    sheets = {
        _("Indicators"): (
            [_("Indicator"), _("Planned"), _("Actual"), _("Percent of plan")],
            [
                [row["label"], _cell(row["planned"]), _cell(row["actual"]), _cell(row["percent"])]
                for row in indicator_rows(data)
            ],
        )
    }
    for key, _labels in BREAKDOWNS:
        if data.get(key):
            sheets[breakdown_title(key)] = (
                [_("Group"), _("Persons trained")],
                [list(row) for row in breakdown_rows(data, key)],
            )
    sheets[_("Activities")] = (
        [
            _("Activity"),
            _("Cohorts"),
            _("Sessions held"),
            _("Academic hours delivered"),
            _("Persons enrolled"),
            _("Persons trained"),
            _("Enrolments completed"),
        ],
        [
            [
                row["title"],
                row["cohorts"],
                row["sessions_held"],
                row["academic_hours_delivered"],
                row["participants_enrolled"],
                row["participants_trained"],
                row["enrolments_completed"],
            ]
            for row in data["activities"]
        ],
    )
    if data.get("budget_lines"):
        currency = currency_symbol(data["budget_currency"])
        sheets[_("Budget")] = (
            [
                pgettext("report", "Budget line"),
                pgettext("report", "Planned, %(currency)s") % {"currency": currency},
                pgettext("report", "Spent, %(currency)s") % {"currency": currency},
                pgettext("report", "Execution, %"),
            ],
            [
                [line["title"], line["planned"], line["spent"], _cell(line["execution_percent"])]
                for line in data["budget_lines"]
            ],
        )
    for title, content in (people_sheets or {}).items():
        sheets[title] = content
    return xlsx_bytes(sheets)


def final_report_context(project, *, include_annex: bool = True) -> dict:
    """Everything the funder's final report shows, from selectors (a fixed number of queries)."""
    from kvalis.projects.selectors import project_activity_tree, project_partners
    from kvalis.reports.indicators import project_indicators

    data = project_indicators(project)
    budget = None
    from kvalis.reports.indicators import optional_selector

    budget_summary = optional_selector("kvalis.budget.selectors", "budget_summary")
    if budget_summary is not None:
        budget = budget_summary(project)
    annex = list(annex_people(project)) if include_annex else []
    held = {row["id"]: row for row in data["activities"]}
    activities = list(project_activity_tree(project))
    for activity in activities:
        activity.report = held.get(activity.pk, {})
    return {
        "project": project,
        "data": data,
        "indicators": indicator_rows(data),
        "breakdowns": [
            (breakdown_title(key), breakdown_rows(data, key))
            for key, _labels in BREAKDOWNS
            if data.get(key)
        ],
        "charts": charts(data),
        "partners": list(project_partners(project)),
        "activities": activities,
        "budget": budget,
        "satisfaction": data.get("satisfaction"),
        "study_visit": data.get("study_visit"),
        "annex": annex,
        "include_annex": include_annex,
        "generated_at": timezone.localtime(),
    }


def annex_people(project) -> Iterator[dict]:
    """The annex rows in Lithuanian alphabetical order, read from the database in chunks:
    trained persons only (as `participants_trained`), with the hours credited to them."""
    from kvalis.attendance.models import Attendance
    from kvalis.lib.collation import lt_order
    from kvalis.reports.exports import CHUNK, credited_by_enrolment
    from kvalis.reports.indicators import ATTENDED, report_enrolments

    # Their enrolments with at least one session attended; enrolled people who never came are
    # not participants of the report.
    enrolments = report_enrolments(project)
    enrolments = enrolments.filter(
        pk__in=Attendance.objects.filter(enrolment__in=enrolments, status__in=ATTENDED).values(
            "enrolment_id"
        )
    )
    credited = credited_by_enrolment(enrolments)
    entry: dict | None = None
    person_id = None
    for enrolment in (
        enrolments.select_related("person", "organisation")
        .order_by(*lt_order("person__last_name", "person__first_name"), "person_id", "pk")
        .iterator(chunk_size=CHUNK)
    ):
        if enrolment.person_id != person_id:
            if entry is not None:
                yield entry
            person_id = enrolment.person_id
            entry = {
                "name": f"{enrolment.person.last_name} {enrolment.person.first_name}",
                "organisation": enrolment.organisation_name
                or (enrolment.organisation.name if enrolment.organisation else ""),
                "hours": Decimal("0"),
            }
        entry["hours"] += credited.get(enrolment.pk, Decimal("0"))
    if entry is not None:
        yield entry


# Persons per part of the annex when WeasyPrint renders it (no DejaVu Sans for fpdf2, see
# `kvalis.reports.annex`). WeasyPrint holds a whole document's layout in memory (about 30 kB a
# table row), so the annex is rendered in parts of this many rows and the parts are joined:
# memory stays bounded whatever the number of participants.
ANNEX_PART = 1500

Progress = Callable[[int], None]


def write_final_report_pdf(
    target: BinaryIO, project, *, include_annex: bool = True, progress: Progress | None = None
) -> None:
    """The funder's final report, in Lithuanian whatever the interface language, written to
    `target`. `progress` is called with the percent done."""
    from kvalis.lib.pdf import render_pdf
    from kvalis.reports.annex import annex_fonts, annex_pdf

    report = progress or (lambda percent: None)
    with override("lt"):
        context = final_report_context(project, include_annex=False)
        parts = [render_pdf("reports/final_report.html", context, language="lt")]
        if include_annex:
            total = max(context["data"]["participants_trained"], 1)
            report(10)
            fonts = annex_fonts()
            if fonts is not None:
                parts.append(
                    annex_pdf(
                        project,
                        annex_people(project),
                        fonts=fonts,
                        progress=lambda done: report(min(10 + 85 * done // total, 95)),
                    )
                )
            else:
                parts.extend(_annex_parts_weasyprint(project, total, report))
    _join_and_number(parts, target)
    report(100)


def _annex_parts_weasyprint(project, total: int, report: Progress) -> Iterator[bytes]:
    from kvalis.lib.pdf import render_pdf

    done = 0
    for people in batched(annex_people(project), ANNEX_PART):
        yield render_pdf(
            "reports/final_report_annex.html",
            {
                "project": project,
                "people": list(enumerate(people, start=done + 1)),
                "first_part": done == 0,
            },
            language="lt",
        )
        done += len(people)
        report(min(10 + 85 * done // total, 95))
    if done == 0:  # nobody trained yet: the annex says so
        yield render_pdf(
            "reports/final_report_annex.html",
            {"project": project, "people": [], "first_part": True},
            language="lt",
        )


def final_report_pdf(project, *, include_annex: bool = True) -> bytes:
    buffer = io.BytesIO()
    write_final_report_pdf(buffer, project, include_annex=include_annex)
    return buffer.getvalue()


# Helvetica (one of the PDF's standard fonts: nothing embedded) widths of what a page number
# is made of, in thousandths of the font size.
_WIDTHS = {" ": 278, "/": 278, **dict.fromkeys("0123456789", 556)}
_MM = 72 / 25.4


def _join_and_number(parts: list[bytes], target: BinaryIO) -> None:
    """Concatenate the parts and write "page / pages" at the bottom right of every page, as the
    report's margin (16 mm right, 18 mm bottom) has room for; the total is known only now."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        IndirectObject,
        NameObject,
    )

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    total = len(writer.pages)
    for number, page in enumerate(writer.pages, start=1):
        text = f"{number} / {total}"
        width = sum(_WIDTHS[char] for char in text) * 8 / 1000
        x = float(page.mediabox.right) - 16 * _MM - width
        y = 9 * _MM - 2.8
        resources = page[NameObject("/Resources")].get_object()
        fonts = resources.get("/Font")
        if fonts is None:
            fonts = DictionaryObject()
            resources[NameObject("/Font")] = fonts
        fonts.get_object()[NameObject("/KvalisPage")] = font
        before, after = DecodedStreamObject(), DecodedStreamObject()
        before.set_data(b"q\n")
        stamp = f"BT /KvalisPage 8 Tf {x:.2f} {y:.2f} Td ({text}) Tj ET"
        after.set_data(f"\nQ q 0.333 0.333 0.333 rg {stamp} Q\n".encode("ascii"))
        contents = page.get("/Contents")
        if contents is None:
            existing = []
        elif isinstance(contents.get_object(), ArrayObject):
            existing = list(contents.get_object())
        else:
            existing = [
                contents if isinstance(contents, IndirectObject) else writer._add_object(contents)
            ]
        page[NameObject("/Contents")] = ArrayObject(
            [writer._add_object(before), *existing, writer._add_object(after)]
        )
    writer.write(target)


def write_xlsx(target: BinaryIO, title: str, header: list[str], rows: Iterable) -> None:
    """One sheet, rows streamed to `target` (openpyxl's write-only mode keeps no cells in
    memory); cells typed as `kvalis.lib.exports.xlsx_cell` (text never a formula)."""
    from openpyxl import Workbook

    from kvalis.lib.exports import xlsx_cell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_name(title))
    sheet.freeze_panes = "A2"
    sheet.append([xlsx_cell(sheet, str(text), bold=True) for text in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    workbook.save(target)


def write_csv(target: BinaryIO, header: list[str], rows: Iterable) -> None:
    """As `kvalis.lib.exports.csv_bytes` (UTF-8 with a BOM, semicolons, decimal commas), row by
    row to `target`."""
    import csv

    from kvalis.lib.exports import _plain, safe_cell

    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    try:
        text.write("\ufeff")
        writer = csv.writer(text, delimiter=";")
        writer.writerow([safe_cell(str(h)) for h in header])
        for row in rows:
            writer.writerow(
                [
                    str(v).replace(".", ",") if isinstance(v, Decimal) else safe_cell(_plain(v))
                    for v in row
                ]
            )
    finally:
        text.detach()  # `target` stays open for whoever stores it
