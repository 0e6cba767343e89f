"""Results change only by published batches, so one answer cannot be read by comparing results
before and after it; the audit log records answers as a count per day, with no time."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kvalis.audit.models import AuditEntry
from kvalis.surveys.models import ResultsBatch
from kvalis.surveys.selectors import activity_results, cohort_results, project_satisfaction
from kvalis.surveys.services import (
    survey_close,
    survey_response_submit,
    survey_results_publish,
    survey_results_publish_due,
)
from tests.surveys.conftest import full_answers


def _answer(sw, people, *, on, overall=5):
    for person in people:
        survey_response_submit(
            survey=sw.survey,
            person=person,
            answers=full_answers(sw.questions, overall=overall),
            on=on,
        )


def _overall(group):
    return next(r for r in group.questions if r.question.key == "overall").mean


def test_one_new_answer_does_not_change_the_results(sw):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    _answer(sw, sw.participants[:5], on=yesterday, overall=5)
    survey_results_publish(survey=sw.survey, today=today)
    (before,) = activity_results(sw.world.activity)
    assert before.responses == 5 and _overall(before) == 5
    _answer(sw, sw.participants[5:6], on=today, overall=1)
    (after,) = activity_results(sw.world.activity)
    assert after.responses == 5 and _overall(after) == 5 and after.pending == 1
    # Next day the single answer is still not a batch of five.
    assert survey_results_publish(survey=sw.survey, today=today + timedelta(days=1)) is None
    (later,) = activity_results(sw.world.activity)
    assert _overall(later) == 5
    assert project_satisfaction(sw.world.project)["mean"] == 5


def test_answers_of_today_wait_for_the_day_to_end(sw):
    today = timezone.localdate()
    _answer(sw, sw.participants[:5], on=today)
    assert survey_results_publish(survey=sw.survey, today=today) is None
    (group,) = activity_results(sw.world.activity)
    assert group.withheld and group.responses == 0 and group.pending == 5
    batch = survey_results_publish(survey=sw.survey, today=today + timedelta(days=1))
    assert batch is not None and batch.responses == 5
    (group,) = activity_results(sw.world.activity)
    assert not group.withheld and group.responses == 5


def test_at_most_one_batch_a_day(sw):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    _answer(sw, sw.participants[:5], on=yesterday)
    assert survey_results_publish(survey=sw.survey, today=today) is not None
    sw.survey.refresh_from_db()
    survey_close(survey=sw.survey, actor=sw.world.alice, today=today)
    assert ResultsBatch.objects.filter(survey=sw.survey).count() == 1


def test_each_cohort_joins_the_results_only_with_five_new_answers(sw):
    """A batch of the whole activity that brought one answer of a small cohort would change that
    cohort's results by one answer."""
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    _answer(sw, sw.participants[:5], on=yesterday)
    _answer(sw, sw.participants2[:1], on=yesterday)
    batch = survey_results_publish(survey=sw.survey, today=today)
    assert batch.responses == 5
    assert set(batch.survey_responses.values_list("cohort", flat=True)) == {sw.world.cohort.pk}
    (cohort2,) = cohort_results(sw.cohort2)
    assert cohort2.responses == 0 and cohort2.pending == 1


def test_closing_shows_the_results_of_a_never_published_survey(sw):
    today = timezone.localdate()
    _answer(sw, sw.participants[:5], on=today)
    _answer(sw, sw.participants2[:2], on=today)
    survey_close(survey=sw.survey, actor=sw.world.alice, today=today)
    (group,) = activity_results(sw.world.activity)
    assert group.responses == 7 and group.pending == 0 and not group.withheld


def test_a_few_late_answers_after_a_batch_stay_out_even_when_closed(sw):
    today = timezone.localdate()
    _answer(sw, sw.participants[:5], on=today - timedelta(days=2))
    survey_results_publish(survey=sw.survey, today=today - timedelta(days=1))
    _answer(sw, sw.participants[5:6], on=today - timedelta(days=1), overall=1)
    sw.survey.refresh_from_db()
    survey_close(survey=sw.survey, actor=sw.world.alice, today=today)
    (group,) = activity_results(sw.world.activity)
    assert group.responses == 5 and group.pending == 1 and _overall(group) == 5


def test_results_page_says_how_many_answers_wait(client, sw):
    today = timezone.localdate()
    _answer(sw, sw.participants[:5], on=today - timedelta(days=1))
    survey_results_publish(survey=sw.survey, today=today)
    _answer(sw, sw.participants[5:6], on=today)
    client.force_login(sw.world.alice)
    response = client.get(
        reverse("surveys:activity_results", args=[sw.world.project.code, sw.world.activity.pk])
    )
    assert response.status_code == 200
    assert "1 naujesnis atsakymas dar neįtrauktas" in response.text


def test_an_answer_writes_no_audit_entry_and_the_daily_pass_counts_it_by_day(sw):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    before = AuditEntry.objects.count()
    _answer(sw, sw.participants[:2], on=yesterday)
    _answer(sw, sw.participants[2:3], on=today)
    assert AuditEntry.objects.count() == before
    survey_results_publish_due(today=today)
    (entry,) = AuditEntry.objects.filter(action="survey.answers")
    assert entry.actor is None and entry.object_id == str(sw.survey.pk)
    assert entry.data == {"date": yesterday.isoformat(), "answers": 2}
    assert entry.summary == f"Modulio vertinimas: {yesterday.isoformat()} atsakymų: 2"
    # Running again the same day adds nothing; the next day counts today's answer.
    survey_results_publish_due(today=today)
    assert AuditEntry.objects.filter(action="survey.answers").count() == 1
    survey_results_publish_due(today=today + timedelta(days=1))
    assert sorted(e.data["date"] for e in AuditEntry.objects.filter(action="survey.answers")) == [
        yesterday.isoformat(),
        today.isoformat(),
    ]


def test_publish_command_publishes_what_is_due(sw):
    _answer(sw, sw.participants[:5], on=timezone.localdate() - timedelta(days=1))
    call_command("publish_survey_results", stdout=StringIO())
    (group,) = activity_results(sw.world.activity)
    assert group.responses == 5 and not group.withheld


@pytest.mark.django_db(transaction=True)
def test_migration_publishes_existing_answers_and_removes_timed_audit_entries(sw):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from kvalis.audit.services import audit_log

    _answer(sw, sw.participants[:3], on=timezone.localdate())
    timed = audit_log(actor=None, action="survey.answer", obj=sw.survey)
    other = audit_log(actor=None, action="survey.close", obj=sw.survey)
    before = [("surveys", "0002_results_batches")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    (batch,) = ResultsBatch.objects.filter(survey=sw.survey)
    assert batch.responses == 3 and batch.survey_responses.count() == 3
    assert not AuditEntry.objects.filter(pk=timed.pk).exists()
    assert AuditEntry.objects.filter(pk=other.pk).exists()
