"""ORM queries compiled to SQL once per process and then run with other values.

Why: every signed-in project page looks up the user's membership (with its project and
partner) and the people list reads its page of people. Django builds such a query's SQL anew
on every request, and for these it cost more CPU (0.4 and 0.9 ms) than the database took to
answer them. Their shape never changes, only their values, so the SQL is built once, by the
ORM (so table and column names, joins and quoting stay Django's), and reused.

How: `build` returns the queryset for some values; it is called once with stand-in values
(`Stand`), each of which must reach the SQL as a parameter (once or more); their places
among the parameters are remembered, and each run puts the real values there. Only
`values_list()` querysets are meant: the rows come back as tuples, each value through the
converters Django's own `values_list()` would run (on SQLite a decimal, a date and an aware
time come out as Django gives them). The converters are found at compile time, as Django's
compiler finds them, and run with the connection of the run.

A query may also leave a hole for SQL made elsewhere (a subquery of a scope that is itself
compiled once, `kvalis.people.selectors.OrderedIds`): `Hole()` is a `RawSQL` expression to put
where it goes, and each run fills it with its SQL and parameters.
"""

import itertools
from collections.abc import Callable, Sequence

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

_numbers = itertools.count(1)


class Stand:
    """A stand-in value for compiling: a string or a number no real query passes."""

    def __init__(self, kind: type = str) -> None:
        number = next(_numbers)
        self.value = -(10**12) - number if kind is int else f"\x00stand-{number}\x00"


class Hole(RawSQL):
    """Where a run's own SQL goes (see the module's docstring)."""

    def __init__(self) -> None:
        self.mark = f"__kvalis_hole_{next(_numbers)}__"
        super().__init__(self.mark, ())


class CompiledQuery:
    def __init__(self, build: Callable[..., QuerySet], **stands: Stand | Hole) -> None:
        self._build = build
        self._stands = stands
        self._compiled: dict[str, tuple[str, list, dict[str, list[int]], dict]] = {}

    def _compile(self, using: str) -> tuple[str, list, dict[str, list[int]], dict]:
        queryset = self._build(
            **{
                name: stand if isinstance(stand, Hole) else stand.value
                for name, stand in self._stands.items()
            }
        )
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        params = list(params)
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(columns)
        places = {}
        for name, stand in self._stands.items():
            if isinstance(stand, Hole):
                if sql.count(stand.mark) != 1:
                    raise ValueError(f"the hole {name!r} is not in the SQL once")
                continue
            found = [i for i, value in enumerate(params) if value == stand.value]
            if not found:
                raise ValueError(f"{name!r} does not reach the SQL")
            places[name] = found
        return sql, params, places, converters

    def sql(self, using: str = "default", **values) -> tuple[str, list]:
        """The SQL and its parameters for these values (every stand and hole given one)."""
        if values.keys() != self._stands.keys():
            raise TypeError(f"values for {sorted(self._stands)} expected, not {sorted(values)}")
        if using not in self._compiled:
            self._compiled[using] = self._compile(using)
        sql, params, places, _ = self._compiled[using]
        params = list(params)
        holes = []
        for name, value in values.items():
            if name in places:
                for place in places[name]:
                    params[place] = value
            else:
                holes.append((self._stands[name].mark, *value))
        # The holes last, right to left, so that the places found above stay right.
        holes.sort(key=lambda hole: sql.index(hole[0]), reverse=True)
        for mark, hole_sql, hole_params in holes:
            at = sql.index(mark)
            before = sql[:at].count("%s") - sql[:at].count("%%s")
            sql = sql[:at] + hole_sql + sql[at + len(mark) :]
            params[before:before] = list(hole_params)
        return sql, params

    def rows(self, using: str = "default", **values) -> Sequence[tuple]:
        sql, params = self.sql(using, **values)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        converters = self._compiled[using][3]
        if not converters:
            return [tuple(row) for row in rows]
        converted = []
        for row in rows:
            row = list(row)
            for place, (converts, column) in converters.items():
                value = row[place]
                for convert in converts:
                    value = convert(value, column, connection)
                row[place] = value
            converted.append(tuple(row))
        return converted
