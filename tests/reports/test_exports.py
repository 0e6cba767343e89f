"""Person-level exports read the database set-wise: at national scale (50 000 people) a query
per person or per row would never finish in the worker's time."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvalis.reports.exports import EXPORTS, export_rows, export_stream
from kvalis.reports.indicators import report_enrolments
from tests.factories import AttendanceFactory, EnrolmentFactory, PersonFactory


def add_people(world, count: int) -> None:
    for number in range(count):
        enrolment = EnrolmentFactory(
            person=PersonFactory(organisation=world.partner_b.organisation),
            cohort=world.cohort,
            partner=world.partner_b,
        )
        late = number % 3 == 0
        AttendanceFactory(
            enrolment=enrolment,
            session=world.session,
            status="late" if late else "present",
            minutes_attended=200 if late else None,
        )


def queries_for(kind: str, world) -> int:
    with CaptureQueriesContext(connection) as queries:
        _header, rows = export_stream(kind, report_enrolments(world.project))
        assert sum(1 for _row in rows) >= 10
    return len(queries)


@pytest.mark.parametrize("kind", [kind for kind in EXPORTS if kind != "certificates"])
def test_an_export_runs_as_many_queries_for_100_people_as_for_10(world, kind):
    add_people(world, 10)
    few = queries_for(kind, world)
    add_people(world, 90)
    assert queries_for(kind, world) == few


def test_participants_rows_hold_employer_partner_labels_and_credited_hours(world):
    with_partner = EnrolmentFactory(
        person=PersonFactory(last_name="Ąžuolaitė", organisation=world.partner_b.organisation),
        cohort=world.cohort,
        partner=world.partner_b,
        position_category="manager",
    )
    AttendanceFactory(
        enrolment=with_partner, session=world.session, status="late", minutes_attended=200
    )
    EnrolmentFactory(
        person=PersonFactory(last_name="Žukaitė", organisation=None),
        cohort=world.cohort,
        organisation=None,
        organisation_name="",
        position_category="",
    )
    _header, rows = export_rows("participants", report_enrolments(world.project))
    first, last = rows
    assert first[:2] == ["Ąžuolaitė", "Ona"]
    assert first[3] == "Molėtų biblioteka" and first[7] == "Molėtų biblioteka"
    assert first[6] and first[6] != "manager"  # the label, not the code
    assert first[10] == Decimal("4.4")  # 200 min / 45, rounded to a tenth
    assert last[:2] == ["Žukaitė", "Ona"]
    assert [last[3], last[4], last[6], last[7]] == ["", "", "", ""]
    assert last[10] == Decimal("0")
