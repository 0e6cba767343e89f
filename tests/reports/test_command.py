"""`kvalis report CODE --format json|xlsx|pdf|summary [--output FILE] [--no-annex]`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import AttendanceFactory, EnrolmentFactory


@pytest.fixture
def attended(world):
    AttendanceFactory(
        enrolment=EnrolmentFactory(person=world.person_a, cohort=world.cohort),
        session=world.session,
    )
    return world


def test_json_goes_to_standard_output(attended):
    out = io.StringIO()
    call_command("report", attended.project.code, "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["participants_trained"] == 1
    assert data["project"]["code"] == attended.project.code


def test_summary_prints_the_generated_text(attended):
    out = io.StringIO()
    call_command("report", attended.project.code, "--format", "summary", stdout=out)
    assert "apmokytas 1 darbuotojas" in out.getvalue()


@pytest.mark.parametrize(("fmt", "magic"), [("xlsx", b"PK"), ("pdf", b"%PDF")])
def test_binary_formats_are_written_to_the_output_file(attended, tmp_path, fmt, magic):
    target = tmp_path / f"report.{fmt}"
    call_command(
        "report",
        attended.project.code,
        "--format",
        fmt,
        "--output",
        str(target),
        stderr=io.StringIO(),
    )
    assert target.read_bytes().startswith(magic)


def test_xlsx_holds_indicators_and_person_sheets(attended, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "report.xlsx"
    call_command(
        "report",
        attended.project.code,
        "--format",
        "xlsx",
        "-o",
        str(target),
        stderr=io.StringIO(),
    )
    names = load_workbook(target).sheetnames
    assert {"Rodikliai", "Dalyviai", "Lankomumo lentelė", "Valandų apskaita"} <= set(names)


def test_binary_format_without_output_and_without_a_byte_stream_is_refused(attended):
    with pytest.raises(CommandError, match="--output"):
        call_command("report", attended.project.code, "--format", "pdf", stdout=io.StringIO())


def test_unknown_project_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No project"):
        call_command("report", "NERA", stdout=io.StringIO())
