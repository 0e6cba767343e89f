"""Downloads: spreadsheet exports (XLSX, CSV) safe against formula injection, and the file name
every download (exports, PDFs, calendars) is sent with.

XLSX cells are typed (`xlsx_cell`): text is a text cell, which Excel and LibreOffice never run
as a formula whatever it starts with, so it is written as it is ("+37061200005",
"-specialistė") and reads back the same; dates are dates shown as yyyy-mm-dd, amounts numbers
shown with two decimals, whole numbers numbers. A CSV cell has no type: one whose text starts
with = + - @ tab or carriage return would be run as a formula by a spreadsheet opening the
file, so it is prefixed with an apostrophe (`safe_cell`), which a spreadsheet shows as text.

File names are in the user's language and keep their letters: `UTENA-KT-2014-dalyviai.csv`,
`UTENA-KT-2014-galutinė-ataskaita.pdf`, `pažymėjimas-UVB-2014-0001.pdf`. They are built with
`download_name()` from words the caller translates (`pgettext("file name", "participants")`),
and sent by `content_disposition()` as RFC 6266 asks: `filename*=UTF-8''…` (RFC 5987) for every
browser of the last decade, and a plain ASCII `filename="…"` for the others.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import quote

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's number formats are locale-neutral: "," and "." are shown as the reader's locale
# writes them (25 000,00 in Lithuanian).
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
AMOUNT_FORMAT = "#,##0.00"
WHOLE_NUMBER_FORMAT = "0"


def safe_cell(value):
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a BOM and semicolons, as Excel in Lithuania opens it directly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([safe_cell(str(h)) for h in header])
    for row in rows:
        writer.writerow(
            [
                safe_cell(_plain(v)) if not isinstance(v, Decimal) else str(v).replace(".", ",")
                for v in row
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


SHEET_NAME_MAX = 31  # Excel's limit
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, *, taken=()) -> str:
    """A worksheet name Excel accepts: at most 31 characters, cut at a word boundary
    ("Dalyviai pagal savivaldybę ir pareigybę" -> "Dalyviai pagal savivaldybę ir"), none of
    [ ] : * ? / \\, and unlike the names in `taken` (a number is added)."""
    text = " ".join(_NOT_IN_SHEET_NAMES.sub(" ", str(title)).split()).strip("'") or "Lapas"
    name = _shorten(text, SHEET_NAME_MAX)
    number = 2
    lowered = {t.lower() for t in taken}
    while name.lower() in lowered:
        suffix = f" ({number})"
        name = _shorten(text, SHEET_NAME_MAX - len(suffix)) + suffix
        number += 1
    return name


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else ""
    # A first word longer than the limit is cut where it must be.
    return (cut or text[:limit]).rstrip(" ,;–-")


def xlsx_cell(sheet, value, *, bold: bool = False):
    """One typed cell for `sheet.append()` (a normal or a write-only sheet): text as a text
    cell (never a formula, so no apostrophe), a date as a date (yyyy-mm-dd), a date and time in
    Vilnius time (Excel has no time zones), a Decimal as an amount (#,##0.00), an int as a
    whole number, None as an empty cell."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value, timezone.get_default_timezone())
        value = value.replace(microsecond=0)
    elif value is not None and not isinstance(value, (date, Decimal, int, float)):
        value = str(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl takes text starting with "=" for a formula; a text cell is what it is.
        cell.data_type = "s"
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(value, Decimal):
        cell.number_format = AMOUNT_FORMAT
    elif isinstance(value, int) and not isinstance(value, bool):
        cell.number_format = WHOLE_NUMBER_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_bytes(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> bytes:
    """One or more sheets: {"Dalyviai": (header, rows)}, every cell typed (`xlsx_cell`)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(title=sheet_name(title, taken=workbook.sheetnames))
        sheet.append([xlsx_cell(sheet, str(h), bold=True) for h in header])
        for row in rows:
            sheet.append([xlsx_cell(sheet, v) for v in row])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# What a file name keeps: letters of any alphabet, digits, and - _ . (+ would be read as a space).
_NOT_KEPT = re.compile(r"[^\w.-]+")
_DASHES = re.compile(r"-{2,}")
NAME_MAX = 150  # characters before the extension: file systems allow 255 bytes


def download_name(*parts, extension: str) -> str:
    """('UTENA-KT-2014', 'galutinė ataskaita'), 'pdf' -> 'UTENA-KT-2014-galutinė-ataskaita.pdf'.

    Spaces and characters a file system or a header would choke on (/ \\ : " „ “ …) become
    hyphens; letters keep their diacritics. Empty parts are left out.
    """
    words = []
    for part in parts:
        text = _NOT_KEPT.sub("-", unicodedata.normalize("NFC", str(part)).replace("_", "-"))
        text = _DASHES.sub("-", text).strip("-.")
        if text:
            words.append(text)
    stem = "-".join(words)[:NAME_MAX].rstrip("-.") or "kvalis"
    return f"{stem}.{extension}"


def ascii_name(filename: str) -> str:
    """The same name without diacritics, for clients that ignore `filename*`:
    'galutinė-ataskaita.pdf' -> 'galutine-ataskaita.pdf'."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    plain = _DASHES.sub("-", re.sub(r"[^A-Za-z0-9._-]+", "-", plain)).strip("-")
    return plain or "download"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment; filename="galutine-ataskaita.pdf"; filename*=UTF-8''galutin%C4%97-…`."""
    kind = "inline" if inline else "attachment"
    fallback = ascii_name(filename)
    if fallback == filename:
        return f'{kind}; filename="{filename}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(
    content: bytes, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser's viewer, saved under `filename`."""
    return download(content, filename, "application/pdf", inline=True)


def csv_response(filename: str, header, rows) -> HttpResponse:
    return download(csv_bytes(header, rows), filename, "text/csv; charset=utf-8")


def xlsx_response(filename: str, sheets) -> HttpResponse:
    return download(xlsx_bytes(sheets), filename, XLSX_MIME)
