"""Reads of people that more than one place relies on for their speed."""

from collections.abc import Sequence

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet

from kvalis.lib.compiled import CompiledQuery, Hole
from kvalis.organisations.geo import Municipality
from kvalis.people.models import Person

PAGE_SIZE = 50


class OrderedIds:
    """The ids of `people` in Lithuanian order (by the stored sort key, no collation per row),
    for a `Paginator`: the scope's query is compiled once and serves both the count and the
    page's slice. Compiling a project's scope (three semi-joins) was a millisecond each time,
    and the list did it twice a request. `people` may also be given as that query's SQL and
    parameters, compiled already (`ProjectAccess.people_sql`)."""

    def __init__(self, people: QuerySet[Person] | tuple[str, Sequence]) -> None:
        if isinstance(people, tuple):
            sql, params = people
        else:
            try:
                query = people.order_by().values_list("pk", "sort_key").query
                sql, params = query.sql_with_params()
            except EmptyResultSet:  # `.none()`, or a filter that can match nothing
                self._sql, self._params = None, ()
                return
        self._sql, self._params = f"({sql}) AS scoped", tuple(params)

    def count(self) -> int:
        if self._sql is None:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self._sql}", self._params)
            return cursor.fetchone()[0]

    def window(self, window: slice) -> tuple[str, tuple] | None:
        """The SQL of the ids of `window` (one column, in order), or None for none."""
        start, stop = window.start or 0, window.stop
        if self._sql is None or stop <= start:
            return None
        return (
            f'SELECT "pk" FROM {self._sql} ORDER BY "sort_key", "pk" LIMIT %s OFFSET %s',
            (*self._params, stop - start, start),
        )

    def __getitem__(self, window: slice) -> list[int]:
        found = self.window(window)
        if found is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(*found)
            return [row[0] for row in cursor.fetchall()]


# What a row of the people list shows (people/_person_rows.html).
LIST_FIELDS = (
    "pk",
    "last_name",
    "first_name",
    "position",
    "email",
    "organisation_id",
    "organisation__name",
    "organisation__municipality",
)


# A page of the people list: the rows of the ids a window of `OrderedIds` gives, compiled once.
_LIST_ROWS = CompiledQuery(
    lambda ids: (
        Person.objects.filter(pk__in=ids).order_by("sort_key", "pk").values_list(*LIST_FIELDS)
    ),
    ids=Hole(),
)


class _ListRows(OrderedIds):
    """`OrderedIds` whose windows are the list's rows (dicts of `LIST_FIELDS`), read in one
    statement: the ids of the window as a subquery of the rows' query."""

    def __getitem__(self, window: slice) -> list[dict]:
        found = self.window(window)
        if found is None:
            return []
        return [dict(zip(LIST_FIELDS, row, strict=True)) for row in _LIST_ROWS.rows(ids=found)]


def person_page(
    people: QuerySet[Person], number, *, per_page: int = PAGE_SIZE, strict: bool = False
) -> Page:
    """One page of `people` in Lithuanian order, as people with their employers (the API's
    list): the page's ids by the sort key's index, then those people by primary key, so a deep
    page costs what the first does (sorting 50 000 people by the collation, a Python function
    inside SQLite, took a second a page). `strict`: a page number that is not a page raises
    `InvalidPage` instead of giving the nearest page."""
    paginator = Paginator(OrderedIds(people), per_page)
    page = paginator.page(number) if strict else paginator.get_page(number)
    page.object_list = list(
        Person.objects.filter(pk__in=list(page.object_list))
        .select_related("organisation")
        .order_by("sort_key", "pk")
    )
    return page


def person_list_page(
    people: QuerySet[Person] | tuple[str, Sequence], number, *, per_page: int = PAGE_SIZE
) -> Page:
    """One page of `people` (or their compiled SQL, as `OrderedIds` takes) in Lithuanian
    order, as dicts of `LIST_FIELDS` (and "municipality", the label).

    The page is found by ids alone, then only its people are read: sorting whole rows (with
    their employer) to reach a deep page of a national consortium's 50 000 people was most of
    the people list's time on SQLite. One statement (and the count) whatever the page: the
    page's ids by the sort key's index, as a subquery, and their rows by primary key; its SQL
    around the scope is compiled once (kvalis.lib.compiled). A list page needs no model
    instances: making 50 people and their employers was a fifth of its time."""
    page = Paginator(_ListRows(people), per_page).get_page(number)
    rows = list(page.object_list)
    labels = dict(Municipality.choices)
    for row in rows:
        row["municipality"] = labels.get(row["organisation__municipality"], "")
    page.object_list = rows
    return page
