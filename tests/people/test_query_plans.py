"""The hot queries of signed-in lists use an index on both databases, so that an index cannot go
missing unnoticed: the people list (its first and a deep page, ordered by the stored Lithuanian
sort key) and a cohort's roster.

SQLite's `EXPLAIN QUERY PLAN` names the index it walks ("USING INDEX" / "USING COVERING
INDEX"); PostgreSQL's `EXPLAIN` shows an "Index" scan. With a few hundred rows PostgreSQL may
rightly prefer a sequential scan, so there the plan is asked with sequential scans and sorts
discouraged: what is asserted is that the index exists and can serve the query, not what the
planner picks for a small table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kvalis.access import get_project_access
from kvalis.enrolment.selectors import roster
from kvalis.people.models import Person, name_sort_key
from kvalis.people.selectors import person_list_page
from tests.factories import EnrolmentFactory, PersonFactory

PAGE = 50


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def _uses_index(plan: str, name: str) -> bool:
    if connection.vendor == "postgresql":
        return "Index" in plan and name in plan
    return f"USING INDEX {name}" in plan or f"USING COVERING INDEX {name}" in plan


@pytest.fixture
def crowd(world):
    Person.objects.bulk_create(
        [
            Person(
                first_name="Ona",
                last_name=f"Žukauskaitė{index:03}",
                organisation=world.lead,
                sort_key=name_sort_key(f"Žukauskaitė{index:03}", "Ona"),
            )
            for index in range(300)
        ]
    )
    return world


@pytest.mark.parametrize("page", [1, 5])
def test_the_sort_key_index_serves_the_people_order(crowd, page):
    """The first page and a deep one come in Lithuanian order straight from the index, not
    sorted row by row (on SQLite a sort by the collation calls ICU from Python for every
    comparison; page 500 of 50 000 people took 3 s)."""
    start = (page - 1) * PAGE
    plan = _plan(Person.objects.order_by("sort_key", "pk")[start : start + PAGE])
    assert _uses_index(plan, "people_person_sort_key"), plan
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_a_projects_people_list_reads_people_through_indexes(crowd, persona):
    """A project's people (the coordinator's consortium, a partner's own staff) are found by
    indexes, never by reading the whole table of the country's people; what sorting is left
    compares the stored sort keys as bytes."""
    access = get_project_access(getattr(crowd, persona), crowd.project.code)
    people = access.people().select_related("organisation").order_by("sort_key", "pk")
    plan = _plan(people[4 * PAGE : 5 * PAGE])
    if connection.vendor == "postgresql":
        assert "Seq Scan on people_person" not in plan, plan
        assert "Index" in plan, plan
    else:
        assert "SCAN people_person" not in plan, plan
        assert "USING INDEX people_person_organisation_id" in plan, plan


def _explain(sql: str) -> str:
    """The plan of a query as it was run (its parameters written in)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_every_query_of_a_deep_people_page_reads_people_through_indexes(crowd, persona):
    """What the people list runs for a page (`person_list_page`: the count, then one statement
    of the page's ids in sort-key order as a subquery and their fifty people by primary key),
    for the scope as the list gives it (a coordinator's compiled once, a partner's made anew),
    never reads the whole table of the country's people, and the people of the page are read
    by their ids.

    One exception, on PostgreSQL: the coordinator's count reads the people table once, each row
    checked against the hashed memberships (an OR of semi-joins cannot be served by an index
    there). That is bounded by the country's people, about 10 ms for 50 000."""
    access = get_project_access(getattr(crowd, persona), crowd.project.code)
    scope = access.people_sql() or access.people()
    assert isinstance(scope, tuple) == (persona == "alice")
    with CaptureQueriesContext(connection) as queries:
        page = person_list_page(scope, 5)
    keys = dict(Person.objects.values_list("pk", "sort_key"))
    pks = [row["pk"] for row in page.object_list]
    assert pks and pks == sorted(pks, key=lambda pk: (keys[pk], pk))
    plans = [(query["sql"], _explain(query["sql"])) for query in queries.captured_queries]
    assert len(plans) == 2, plans
    (count_sql, count_plan), (page_sql, page_plan) = plans
    assert "COUNT(*)" in count_sql and '"sort_key"' in page_sql and " IN (" in page_sql, plans
    checked = [(page_sql, page_plan)]
    if connection.vendor == "postgresql":
        if persona == "bob":
            checked.append((count_sql, count_plan))
        for sql, plan in checked:
            assert "Seq Scan on people_person" not in plan, (sql, plan)
        assert "people_person_pkey" in page_plan, page_plan
    else:
        checked.append((count_sql, count_plan))
        for sql, plan in checked:
            assert "SCAN people_person" not in plan, (sql, plan)
        assert "SEARCH people_person USING INTEGER PRIMARY KEY" in page_plan, page_plan


def test_the_roster_finds_its_enrolments_by_the_cohort_index(world):
    for person in PersonFactory.create_batch(20, organisation=world.lead):
        EnrolmentFactory(cohort=world.cohort, person=person)
    plan = _plan(roster(world.cohort)[:PAGE])
    by_cohort = [
        name
        for name, info in _indexes("enrolment_enrolment").items()
        if info["index"] and info["columns"] and info["columns"][0] == "cohort_id"
    ]
    assert any(_uses_index(plan, name) for name in by_cohort), plan
    if connection.vendor == "sqlite":
        assert "SCAN enrolment_enrolment" not in plan, plan


def test_the_sort_key_index_exists(db):
    indexes = _indexes("people_person")
    assert indexes["people_person_sort_key"]["columns"] == ["sort_key", "id"]


def _indexes(table: str) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)
