"""Reads of people that more than one place relies on for their speed."""

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet

from kvalis.organisations.geo import Municipality
from kvalis.people.models import Person

PAGE_SIZE = 50


class OrderedIds:
    """The ids of `people` in Lithuanian order (by the stored sort key, no collation per row),
    for a `Paginator`: the scope's query is compiled once and serves both the count and the
    page's slice. Compiling a project's scope (three semi-joins) was a millisecond each time,
    and the list did it twice a request."""

    def __init__(self, people: QuerySet[Person]) -> None:
        try:
            sql, params = people.order_by().values_list("pk", "sort_key").query.sql_with_params()
        except EmptyResultSet:  # `.none()`, or a filter that can match nothing
            self._sql, self._params = None, ()
        else:
            self._sql, self._params = f"({sql}) AS scoped", tuple(params)

    def count(self) -> int:
        if self._sql is None:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self._sql}", self._params)
            return cursor.fetchone()[0]

    def __getitem__(self, window: slice) -> list[int]:
        start, stop = window.start or 0, window.stop
        if self._sql is None or stop <= start:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT * FROM {self._sql} ORDER BY 2, 1 LIMIT %s OFFSET %s",
                (*self._params, stop - start, start),
            )
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


def person_list_page(people: QuerySet[Person], number, *, per_page: int = PAGE_SIZE) -> Page:
    """One page of `people` in Lithuanian order, as dicts of `LIST_FIELDS` (and
    "municipality", the label).

    The page is found by ids alone, then only its people are read: sorting whole rows (with
    their employer) to reach a deep page of a national consortium's 50 000 people was most of
    the people list's time on SQLite. Two queries (and the count) whatever the page. A list
    page needs no model instances: making 50 people and their employers was a fifth of its
    time."""
    page = Paginator(OrderedIds(people), per_page).get_page(number)
    rows = list(
        Person.objects.filter(pk__in=list(page.object_list))
        .order_by("sort_key", "pk")
        .values(*LIST_FIELDS)
    )
    labels = dict(Municipality.choices)
    for row in rows:
        row["municipality"] = labels.get(row["organisation__municipality"], "")
    page.object_list = rows
    return page
