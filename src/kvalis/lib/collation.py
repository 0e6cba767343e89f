"""Lithuanian alphabetical order on both databases.

PostgreSQL has ICU's `lt-x-icu` collation built in; on SQLite we register a collation named `lt`
backed by the same ICU rules, so that `ORDER BY` gives Cibas, Čepas, Ydra, Įgėla, Ivanas, ...
on both. Use `lt_order("last_name", "first_name")` in `order_by()`.
"""

from functools import cache

import icu
from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.functions import Collate
from django.dispatch import receiver

POSTGRES_COLLATION = "lt-x-icu"
SQLITE_COLLATION = "lt"


@cache
def _collator() -> icu.Collator:
    return icu.Collator.createInstance(icu.Locale("lt_LT"))


def sort_key(text: str) -> bytes:
    """The ICU sort key, for sorting in Python exactly as the database does."""
    return _collator().getSortKey(text or "")


def _full_key(text: str | None) -> tuple[bytes, str]:
    # PostgreSQL's ICU collations are deterministic: strings that ICU finds equal (a composed Č
    # and a decomposed one) are then ordered by their bytes, which for UTF-8 is code point order.
    # SQLite gets the same tie-break, so the two databases never disagree.
    return sort_key(text or ""), text or ""


def lt_sorted(items, key=lambda item: item):
    return sorted(items, key=lambda item: _full_key(key(item)))


def _compare(left: str | None, right: str | None) -> int:
    # The same order as comparing `_full_key`s (ICU guarantees that sort keys compare as
    # `compare` does), without building two sort keys per call: SQLite calls this n log n times.
    left, right = left or "", right or ""
    return _collator().compare(left, right) or (left > right) - (left < right)


@receiver(connection_created)
def register_sqlite_collation(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)


class LtCollate(Collate):
    """`Collate` that names the Lithuanian collation of whichever database runs the query."""

    def __init__(self, expression) -> None:
        super().__init__(expression, POSTGRES_COLLATION)

    def as_sqlite(self, compiler, connection, **extra_context):
        extra_context["collation"] = connection.ops.quote_name(SQLITE_COLLATION)
        return self.as_sql(compiler, connection, **extra_context)


def lt_order(*fields: str) -> list:
    """Order-by expressions in Lithuanian order; a leading '-' sorts descending."""
    result = []
    for field in fields:
        if field.startswith("-"):
            result.append(LtCollate(F(field[1:])).desc())
        else:
            result.append(LtCollate(F(field)).asc())
    return result
