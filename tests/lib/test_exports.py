"""Spreadsheet exports: XLSX cells are typed (text never a formula, so no apostrophe; dates as
dates, amounts and whole numbers as numbers); CSV keeps the apostrophe guard against formulas."""

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from kvalis.lib.exports import csv_bytes, xlsx_bytes, xlsx_cell
from kvalis.reports.outputs import write_csv, write_xlsx

ROW = [
    "+37061200005",
    "-specialistė",
    '=HYPERLINK("http://example.com")',
    "@vardas",
    date(2014, 5, 12),
    datetime(2014, 5, 12, 7, 30, tzinfo=UTC),
    Decimal("7240.50"),
    160,
    None,
]


def _cells(content: bytes):
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return list(sheet.iter_rows(min_row=2, max_row=2))[0]


def test_xlsx_text_is_a_text_cell_without_an_apostrophe():
    cells = _cells(xlsx_bytes({"Dalyviai": (["A"] * len(ROW), [ROW])}))
    for cell, value in zip(cells[:4], ROW[:4], strict=True):
        assert cell.data_type == "s"  # a text cell: never run, whatever it starts with
        assert cell.value == value


def test_xlsx_text_is_written_as_an_inline_string_not_a_formula():
    content = xlsx_bytes({"Dalyviai": (["A"], [['=HYPERLINK("x")']])})
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    assert 't="inlineStr"><is><t>=HYPERLINK("x")</t>' in sheet_xml


def test_xlsx_dates_amounts_and_whole_numbers_are_typed_with_formats():
    cells = _cells(xlsx_bytes({"Dalyviai": (["A"] * len(ROW), [ROW])}))
    day, moment, amount, count, empty = cells[4:]
    assert day.is_date and day.value == datetime(2014, 5, 12) and day.number_format == "yyyy-mm-dd"
    # In Vilnius time (summer: UTC+3), without a time zone Excel could not store.
    assert moment.is_date and moment.value == datetime(2014, 5, 12, 10, 30)
    assert moment.number_format == "yyyy-mm-dd hh:mm"
    assert amount.data_type == "n" and amount.value == 7240.5
    assert amount.number_format == "#,##0.00"
    assert count.data_type == "n" and count.value == 160 and count.number_format == "0"
    assert empty.value is None


def test_the_header_is_bold_text():
    sheet = load_workbook(io.BytesIO(xlsx_bytes({"A": (["=Vardas", "Pavardė"], [])}))).active
    assert [c.value for c in sheet[1]] == ["=Vardas", "Pavardė"]
    assert all(c.font.bold and c.data_type == "s" for c in sheet[1])


def test_csv_keeps_the_apostrophe_guard_and_writes_dates_and_decimal_commas():
    text = csv_bytes(["A"] * len(ROW), [ROW]).decode("utf-8-sig")
    values = text.splitlines()[1].split(";")
    assert values[:4] == [
        "'+37061200005",
        "'-specialistė",
        '"\'=HYPERLINK(""http://example.com"")"',
        "'@vardas",
    ]
    assert values[4] == "2014-05-12"
    assert values[6:] == ["7240,50", "160", ""]


def test_a_streamed_report_types_its_cells_as_the_other_exports():
    target = io.BytesIO()
    write_xlsx(target, "Dalyviai", ["A"] * len(ROW), [ROW])
    cells = _cells(target.getvalue())
    assert [c.value for c in cells[:4]] == ROW[:4]
    assert all(c.data_type == "s" for c in cells[:4])
    assert cells[6].number_format == "#,##0.00"
    streamed = io.BytesIO()
    write_csv(streamed, ["A"], [["+37061200005"]])
    assert streamed.getvalue().decode("utf-8-sig").splitlines()[1] == "'+37061200005"


def test_a_typed_cell_fits_a_normal_sheet_too():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([xlsx_cell(sheet, "=1+1"), xlsx_cell(sheet, Decimal("1.5"))])
    assert sheet["A1"].data_type == "s" and sheet["A1"].value == "=1+1"
    assert sheet["B1"].number_format == "#,##0.00"
