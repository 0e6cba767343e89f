"""The unfiltered indicators of a maintained project come from one stored row, recomputed once
after each change (or on a new day), and always equal a fresh `project_indicators()`."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kvalis.attendance.services import Mark, attendance_record
from kvalis.enrolment.services import enrolment_nominate
from kvalis.organisations.services import organisation_update
from kvalis.people.services import person_update
from kvalis.reports import figures
from kvalis.reports.indicators import (
    ReportFilters,
    from_stored_json,
    indicators_json,
    partner_organisation_ids,
    project_indicators,
    stored_indicators,
    stored_json,
)
from kvalis.reports.models import StoredIndicators

BEFORE_START = date(2014, 4, 1)


@pytest.fixture
def maintained(world):
    """The world's project with its figures maintained and one person marked late."""
    enrolment = enrolment_nominate(
        actor=world.alice, cohort=world.cohort, person=world.person_a, today=BEFORE_START
    )
    figures.rebuild(world.project)
    attendance_record(
        session=world.session, marks=[Mark(enrolment.pk, "late", 200)], actor=world.alice
    )
    world.enrolment = enrolment
    return world


def _version(project) -> int:
    """The version as the next reader sees it, the committed changes counted."""
    return figures.current_version(project)


def test_first_read_stores_the_row_and_later_reads_are_one_query(maintained):
    project = maintained.project
    first = stored_indicators(project)
    assert first == project_indicators(project)
    row = StoredIndicators.objects.get(project=project, partner=None)
    assert row.version == _version(project)
    with CaptureQueriesContext(connection) as queries:
        again = stored_indicators(project)
    assert len(queries) == 1
    assert again == first
    assert indicators_json(again) == indicators_json(project_indicators(project))


def test_a_change_through_a_service_is_seen_by_the_next_read(maintained):
    project = maintained.project
    before = stored_indicators(project)
    assert before["participants_trained"] == 1
    enrolment_b = enrolment_nominate(
        actor=maintained.alice,
        cohort=maintained.cohort,
        person=maintained.person_b,
        today=BEFORE_START,
    )
    attendance_record(
        session=maintained.session, marks=[Mark(enrolment_b.pk, "present")], actor=maintained.alice
    )
    after = stored_indicators(project)
    assert after["participants_trained"] == 2
    assert after == project_indicators(project)


def test_each_partner_has_its_own_row_equal_to_its_scoped_report(maintained):
    project, partner = maintained.project, maintained.partner_b
    scope = partner_organisation_ids(partner.pk)
    whole = stored_indicators(project)
    scoped = stored_indicators(project, partner=partner, scope=scope)
    assert scoped == project_indicators(project, scope=scope)
    assert scoped["scoped"] and not whole["scoped"]
    assert scoped["participants_trained"] == 0  # person_a works for the lead
    assert StoredIndicators.objects.filter(project=project).count() == 2
    assert stored_indicators(project) == whole


def test_a_row_computed_on_another_day_is_recomputed(maintained):
    """Completion depends on the day: the cohort is assessed once it has ended."""
    project, end = maintained.project, maintained.cohort.end_date
    on_last_day = stored_indicators(project, today=end)
    assert on_last_day["enrolments_assessed"] == 0
    next_day = stored_indicators(project, today=end + timedelta(days=1))
    assert next_day["enrolments_assessed"] == 1
    assert next_day == project_indicators(project, today=end + timedelta(days=1))
    assert StoredIndicators.objects.get(project=project).computed_on == end + timedelta(days=1)


def test_an_organisation_renamed_makes_every_project_it_appears_in_stale(maintained):
    project = maintained.project
    stored_indicators(project)
    before = _version(project)
    organisation_update(
        actor=maintained.alice, organisation=maintained.lead, name="Utenos kultūros centras"
    )
    assert _version(project) > before
    assert stored_indicators(project)["project"]["lead"] == "Utenos kultūros centras"


def test_a_person_changed_makes_the_projects_of_their_enrolments_stale(maintained):
    project = maintained.project
    stored_indicators(project)
    before = _version(project)
    person_update(actor=maintained.alice, person=maintained.person_a, position_category="head")
    assert _version(project) > before
    assert stored_indicators(project) == project_indicators(project)


def test_a_row_is_never_moved_back_to_an_older_version(maintained):
    """Compare and set: a reader that computed at an older version does not overwrite a row
    that a later reader stored for a newer one."""
    project = maintained.project
    stored_indicators(project)
    row = StoredIndicators.objects.get(project=project)
    StoredIndicators.objects.filter(pk=row.pk).update(version=row.version + 5, data=row.data)
    data = stored_indicators(project)  # stale in its eyes: recomputes, may not store
    assert data == project_indicators(project)
    assert StoredIndicators.objects.get(pk=row.pk).version == row.version + 5


def test_a_project_without_maintained_figures_is_computed_and_not_stored(world):
    assert not figures.is_maintained(world.project)
    assert stored_indicators(world.project) == project_indicators(world.project)
    assert not StoredIndicators.objects.exists()


def test_labels_are_in_the_readers_language(maintained):
    project = maintained.project
    with translation.override("lt"):
        lithuanian = stored_indicators(project)
    with translation.override("en"):
        english = stored_indicators(project)
        assert english == project_indicators(project)
    assert english["labels"] != lithuanian["labels"] or not english["labels"]["organisation_type"]


def test_stored_json_keeps_decimals_and_dates_exact():
    data = {
        "labels": {},
        "participants_by_municipality": {},
        "participants_by_organisation_type": {},
        "participants_by_position_category": {},
        "grant_amount": Decimal("25000.00"),
        "nested": [{"rate": Decimal("87.5"), "day": date(2014, 5, 12)}],
    }
    back = from_stored_json(stored_json(data))
    assert back["grant_amount"] == Decimal("25000.00")
    assert str(back["grant_amount"]) == "25000.00"
    assert back["nested"] == [{"rate": Decimal("87.5"), "day": date(2014, 5, 12)}]


def test_dashboard_and_api_read_the_stored_row_only_without_filters(client, maintained):
    project = maintained.project
    client.force_login(maintained.alice)
    response = client.get(reverse("reports:dashboard", args=[project.code]))
    assert response.status_code == 200
    assert StoredIndicators.objects.filter(project=project, partner=None).exists()
    StoredIndicators.objects.all().delete()
    filtered = client.get(
        reverse("reports:dashboard", args=[project.code]),
        {"activity": maintained.activity.pk},
    )
    assert filtered.status_code == 200
    assert not StoredIndicators.objects.exists()
    client.force_login(maintained.bob)
    api = client.get(reverse("api:project_indicators", args=[project.code]))
    assert api.status_code == 200
    assert api.json()["scoped"] is True
    assert StoredIndicators.objects.filter(partner=maintained.partner_b).exists()


def test_filtered_reports_keep_the_live_path(maintained):
    filters = ReportFilters(activity=maintained.activity.pk)
    data = project_indicators(maintained.project, filters=filters)
    assert data["filters"] == {"activity": maintained.activity.pk}
