"""Results: response rate, distributions and means, withheld below five answers; the selector
the reports use; the XLSX export keeps the same rule."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from kvalis.surveys.selectors import (
    activity_results,
    cohort_response_counts,
    cohort_results,
    project_satisfaction,
    withheld_cohort_ids,
)
from kvalis.surveys.services import survey_response_submit
from tests.factories import CohortFactory, EnrolmentFactory, PersonFactory
from tests.surveys.conftest import full_answers, publish_all


def _answer(sw, people, overalls, texts=None):
    texts = texts or [""] * len(people)
    for person, overall, text in zip(people, overalls, texts, strict=True):
        survey_response_submit(
            survey=sw.survey,
            person=person,
            answers=full_answers(sw.questions, overall=overall, text=text),
        )
    publish_all()


def test_fewer_than_five_answers_are_withheld_entirely(sw):
    _answer(sw, sw.participants[:4], [5, 4, 4, 3], ["Labai gerai", "", "", ""])
    (group,) = activity_results(sw.world.activity)
    assert group.withheld and group.responses == 4
    assert group.questions == []
    assert project_satisfaction(sw.world.project)["mean"] is None


def test_five_answers_show_distribution_mean_rate_and_texts(sw):
    _answer(
        sw,
        sw.participants[:5],
        [5, 5, 4, 3, 5],
        ["Daugiau praktikos", "", "Ilgesnės pertraukos", "", ""],
    )
    (group,) = activity_results(sw.world.activity)
    assert not group.withheld
    assert group.responses == 5 and group.participants == 9
    assert group.rate == Decimal("55.6")
    by_key = {r.question.key: r for r in group.questions}
    overall = by_key["overall"]
    assert overall.mean == Decimal("4.40")
    assert [(label, n) for label, n, _pct in overall.rows] == [
        ("5", 3),
        ("4", 1),
        ("3", 1),
        ("2", 0),
        ("1", 0),
    ]
    assert overall.chart is not None and "<svg" in overall.chart.svg
    apply = by_key["apply"]
    assert apply.rows[0][1] == 5 and apply.rows[0][2] == Decimal("100.0")
    useful = by_key["useful"]
    assert [n for _label, n, _pct in useful.rows] == [5, 5, 0, 0, 0]
    assert sorted(by_key["improve"].texts) == ["Daugiau praktikos", "Ilgesnės pertraukos"]
    assert by_key["improve"].chart is None


def test_cohort_results_count_only_that_cohorts_answers_and_withhold_small_cohorts(sw):
    _answer(sw, sw.participants[:5], [5] * 5)
    (big,) = cohort_results(sw.world.cohort)
    assert big.responses == 5 and big.participants == 6 and not big.withheld
    assert {r.question.key: r for r in big.questions}["overall"].mean == Decimal("5.00")
    _answer(sw, sw.participants2[:1], [2])
    (small,) = cohort_results(sw.cohort2)
    assert small.withheld and small.responses == 1 and small.questions == []
    rows = {row["cohort"].pk: row for row in cohort_response_counts(sw.world.activity)}
    assert rows[sw.cohort2.pk]["withheld"]
    assert rows[sw.cohort2.pk]["rate"] == Decimal("33.3")


def test_a_small_cohort_cannot_be_worked_out_by_subtracting_the_others_from_the_activity(sw):
    """Activity (6 answers) minus cohort 1 (5 answers) would reveal cohort 2's single answer, so
    cohort 1 is withheld too while cohort 2 holds one to four answers."""
    _answer(sw, sw.participants[:5], [5] * 5)
    _answer(sw, sw.participants2[:1], [1])
    (activity_group,) = activity_results(sw.world.activity)
    assert not activity_group.withheld
    (first,) = cohort_results(sw.world.cohort)
    assert first.withheld and first.questions == []
    rows = {row["cohort"].pk: row for row in cohort_response_counts(sw.world.activity)}
    assert rows[sw.world.cohort.pk]["withheld"] and rows[sw.cohort2.pk]["withheld"]


def test_with_three_cohorts_only_the_smallest_shown_one_is_withheld_as_well(sw):
    cohort3 = CohortFactory(activity=sw.world.activity, name="3 grupė")
    third = []
    for _index in range(7):
        person = PersonFactory()
        EnrolmentFactory(person=person, cohort=cohort3)
        third.append(person)
    _answer(sw, sw.participants[:5], [5] * 5)
    _answer(sw, third, [4] * 7)
    _answer(sw, sw.participants2[:2], [1, 1])
    assert withheld_cohort_ids(sw.world.activity) == {sw.world.cohort.pk, sw.cohort2.pk}
    (shown,) = cohort_results(cohort3)
    assert not shown.withheld and shown.responses == 7


def test_a_cohort_without_answers_has_no_results(sw):
    assert cohort_results(sw.cohort2) == []


def test_project_satisfaction_for_reports(sw):
    _answer(sw, sw.participants[:5] + sw.participants2[:1], [5, 4, 4, 5, 3, 5])
    result = project_satisfaction(sw.world.project)
    assert result == {
        "mean": Decimal("4.33"),
        "responses": 6,
        "participants": 9,
        "response_rate": Decimal("66.7"),
        "withheld": False,
    }


def test_project_satisfaction_of_a_project_without_surveys(world):
    result = project_satisfaction(world.project)
    assert result["mean"] is None and result["responses"] == 0
    assert result["response_rate"] is None


def _sheet_text(response) -> str:
    workbook = load_workbook(BytesIO(response.content))
    return "\n".join(
        " ".join(str(c) for c in row if c is not None)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


@pytest.mark.parametrize("count, shown", [(4, False), (5, True)])
def test_xlsx_export_respects_the_five_answer_rule(sw, client, count, shown):
    from django.urls import reverse

    _answer(sw, sw.participants[:count], [5] * count, ["=SUM(A1)"] + [""] * (count - 1))
    client.force_login(sw.world.alice)
    response = client.get(
        reverse("surveys:activity_results_xlsx", args=[sw.world.project.code, sw.world.activity.pk])
    )
    assert response.status_code == 200
    text = _sheet_text(response)
    assert ("Kaip bendrai vertinate mokymus?" in text) is shown
    # A text cell, never a formula, so no apostrophe is needed (kvalis.lib.exports).
    assert ("=SUM(A1)" in text) is shown and "'=SUM(A1)" not in text
    assert ("nerodoma" in text) is not shown
