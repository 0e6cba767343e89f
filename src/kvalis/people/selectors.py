"""Reads of people that more than one place relies on for their speed."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from kvalis.organisations.geo import Municipality
from kvalis.people.models import Person

PAGE_SIZE = 50


def ordered_ids(people: QuerySet[Person]) -> QuerySet:
    """The ids of `people` in Lithuanian order, by the stored sort key (no collation per row)."""
    return people.order_by("sort_key", "pk").values_list("pk", flat=True)


def person_page(people: QuerySet[Person], number, *, per_page: int = PAGE_SIZE) -> Page:
    """One page of `people` in Lithuanian order, with their employers.

    The page is found by ids alone, then only its people are read: sorting whole rows (with
    their employer) to reach a deep page of a national consortium's 50 000 people was most of
    the people list's time on SQLite. Two queries (and the count) whatever the page."""
    page = Paginator(ordered_ids(people), per_page).get_page(number)
    page.object_list = list(
        Person.objects.filter(pk__in=list(page.object_list))
        .select_related("organisation")
        .order_by("sort_key", "pk")
    )
    return page


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


def person_list_page(people: QuerySet[Person], number, *, per_page: int = PAGE_SIZE) -> Page:
    """As `person_page`, the people as dicts of `LIST_FIELDS` (and "municipality", the
    label): a list page needs no model instances, and making 50 people and their employers
    was a fifth of its time."""
    page = Paginator(ordered_ids(people), per_page).get_page(number)
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
