"""Maintained indicators == a rebuild from raw data == the old recompute, on random histories.

Each example plays a random history of service calls on a small world (enrol, cancel, mark
attendance present / late / absent, override completion, issue / revoke a certificate, add an
expense, change a session's hours), then compares the report read from the maintained rows with
the report counted from raw attendance, whole and scoped to a partner, the stored indicators
rows (read before the history) with a fresh recompute, today and after a day has passed, and the
stored rows with those a rebuild writes. Every example runs in a savepoint rolled back at its end.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kvalis.attendance.services import Mark, attendance_record, completion_override_set
from kvalis.budget.services import expense_create
from kvalis.certificates.models import Certificate, RevocationStatement
from kvalis.certificates.services import certificate_issue, certificate_revoke
from kvalis.enrolment.models import Enrolment
from kvalis.enrolment.services import enrolment_cancel, enrolment_nominate
from kvalis.projects.services import session_update
from kvalis.reports import figures
from kvalis.reports.indicators import (
    indicators_json,
    partner_organisation_ids,
    project_indicators,
    stored_indicators,
)
from kvalis.reports.models import EnrolmentFigures
from tests.factories import (
    ActivityCertificateSettingsFactory,
    BudgetLineFactory,
    CertificateIssuerFactory,
    PersonFactory,
    SessionFactory,
)

BEFORE_START = date(2014, 4, 1)  # enrolling and cancelling happen before the cohort starts
PEOPLE = 4

person = st.integers(min_value=0, max_value=PEOPLE - 1)
session = st.integers(min_value=0, max_value=1)
action = st.one_of(
    st.tuples(st.just("enrol"), person),
    st.tuples(st.just("cancel"), person),
    st.tuples(
        st.just("mark"),
        person,
        session,
        st.sampled_from(["present", "late", "absent", "excused"]),
        st.integers(min_value=10, max_value=400),
    ),
    st.tuples(st.just("override"), person, st.booleans()),
    st.tuples(st.just("issue"), person),
    st.tuples(st.just("revoke"), person),
    st.tuples(st.just("expense"), st.integers(min_value=1, max_value=900)),
    st.tuples(st.just("hours"), session, st.sampled_from(["2", "4", "8"])),
)


@pytest.fixture
def small_world(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world.cohort.capacity = 2  # a waiting list, promoted when someone cancels
    world.cohort.save()
    issuer = CertificateIssuerFactory(project=world.project, organisation=world.lead, prefix="UVB")
    ActivityCertificateSettingsFactory(activity=world.activity, issuer=issuer)
    world.sessions = [world.session, SessionFactory(cohort=world.cohort)]
    world.people = [
        world.person_a,
        world.person_b,
        PersonFactory(organisation=world.lead),
        PersonFactory(organisation=world.partner_b.organisation, position_category="head"),
    ]
    world.line = BudgetLineFactory(project=world.project)
    return world


def _enrolment(world, index):
    return Enrolment.objects.filter(person=world.people[index], cohort=world.cohort).first()


def _play(world, step) -> None:
    kind, *args = step
    actor = world.alice
    if kind == "enrol":
        enrolment_nominate(
            actor=actor, cohort=world.cohort, person=world.people[args[0]], today=BEFORE_START
        )
        return
    if kind == "expense":
        expense_create(
            project=world.project,
            actor=actor,
            line=world.line,
            date=date(2014, 5, 12),
            supplier="UAB Spauda",
            document_number=f"SF-{args[0]}",
            amount=Decimal(args[0]),
        )
        return
    if kind == "hours":
        session_update(
            actor=actor, session=world.sessions[args[0]], academic_hours=Decimal(args[1])
        )
        return
    enrolment = _enrolment(world, args[0])
    if enrolment is None:
        return
    if kind == "cancel":
        enrolment_cancel(actor=actor, enrolment=enrolment, today=BEFORE_START, notify=False)
    elif kind == "mark":
        _, index, status, minutes = args
        mark = Mark(enrolment.pk, status, minutes if status == "late" else None)
        attendance_record(session=world.sessions[index], marks=[mark], actor=actor)
    elif kind == "override":
        completion_override_set(
            enrolment=enrolment, completed=args[1], reason="Atsiskaitė raštu", actor=actor
        )
    elif kind == "issue":
        certificate_issue(enrolment=enrolment, actor=actor, notify=False)
    elif kind == "revoke":
        certificate = Certificate.objects.filter(enrolment=enrolment, status="valid").first()
        if certificate is not None:
            certificate_revoke(
                certificate=certificate,
                actor=actor,
                reason="Klaida",
                statement=RevocationStatement.ISSUED_IN_ERROR,
            )


def _stored(project) -> dict:
    return {
        row.enrolment_id: (row.records, row.attended, row.present_tenths, row.late_tenths)
        for row in EnrolmentFigures.objects.filter(enrolment__cohort__activity__project=project)
    }


def _read_stored(world, today) -> None:
    scope = partner_organisation_ids(world.partner_b.pk)
    stored_indicators(world.project, today=today)
    stored_indicators(world.project, partner=world.partner_b, scope=scope, today=today)


def _check(world) -> None:
    project = world.project
    partner_scope = partner_organisation_ids(world.partner_b.pk)
    for scope in (None, partner_scope):
        maintained = project_indicators(project, scope=scope)
        recomputed = project_indicators(project, scope=scope, source="raw")
        assert maintained == recomputed
        assert indicators_json(maintained) == indicators_json(recomputed)  # same digits too
    # The stored rows (read once before the history, so stale now unless every change bumped
    # the version) equal a fresh recompute, whole and scoped, today and after a day passes.
    last_day = world.cohort.end_date  # the day of the read before the history
    for today in (last_day, last_day + timedelta(days=1)):
        for partner, scope in ((None, None), (world.partner_b, partner_scope)):
            stored = stored_indicators(project, partner=partner, scope=scope, today=today)
            fresh = project_indicators(project, scope=scope, today=today, source="raw")
            assert stored == fresh
            assert indicators_json(stored) == indicators_json(fresh)
    incremental = _stored(project)
    figures.rebuild(project)
    assert _stored(project) == incremental


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(action, min_size=1, max_size=14))
def test_maintained_figures_equal_a_rebuild_and_the_recompute(small_world, history):
    with transaction.atomic():
        figures.rebuild(small_world.project)  # the factories' data, then only services
        _read_stored(small_world, today=small_world.cohort.end_date)
        for step in history:
            try:
                with transaction.atomic():
                    _play(small_world, step)
                event(f"{step[0]} done")
            except ValidationError:
                event(f"{step[0]} refused")  # no seat, not completed, ...: nothing changed
        assert figures.is_maintained(small_world.project)
        _check(small_world)
        transaction.set_rollback(True)


def test_the_maintained_path_reads_no_attendance(small_world, django_assert_num_queries):
    """A maintained project's report leaves raw attendance alone except for sessions held."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    enrolment = enrolment_nominate(
        actor=small_world.alice, cohort=small_world.cohort, person=small_world.person_a
    )
    figures.rebuild(small_world.project)
    attendance_record(
        session=small_world.session,
        marks=[Mark(enrolment.pk, "late", 200)],
        actor=small_world.alice,
    )
    with CaptureQueriesContext(connection) as queries:
        data = project_indicators(small_world.project)
    touching = [q["sql"] for q in queries if "attendance_attendance" in q["sql"]]
    assert len(touching) == 1  # the held-sessions semi-join
    assert data["academic_hours_received"] == Decimal("4.4")
    assert data["participants_trained"] == 1


def test_a_project_created_through_its_service_is_maintained_from_the_start(world):
    from kvalis.projects.services import project_create

    project = project_create(
        actor=None,
        code="NAUJAS-1",
        title="Naujas projektas",
        lead=world.lead,
        start_date=date(2014, 3, 1),
        end_date=date(2014, 11, 30),
    )
    assert figures.is_maintained(project)
    assert not figures.is_maintained(world.project)  # factories' data: counted raw, as before


def test_rebuild_indicators_command_rebuilds_from_raw_attendance(small_world):
    from io import StringIO

    from django.core.management import call_command

    from tests.factories import AttendanceFactory, EnrolmentFactory

    AttendanceFactory(
        enrolment=EnrolmentFactory(cohort=small_world.cohort, person=small_world.person_a),
        session=small_world.session,
    )
    before = project_indicators(small_world.project)
    out = StringIO()
    call_command("rebuild_indicators", "utena-t", stdout=out)
    assert out.getvalue().startswith("UTENA-T: 1 enrolment rows")
    assert figures.is_maintained(small_world.project)
    assert project_indicators(small_world.project) == before


def test_rebuild_indicators_command_refuses_an_unknown_code(world):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="NERA-1"):
        call_command("rebuild_indicators", "NERA-1")
    assert not figures.is_maintained(world.project)
