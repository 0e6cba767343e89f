"""Pages at two data sizes, one request at a time: time, CPU, queries, peak memory, size.

The data is `kvalis generate` (kvalis.demo.scale) beside the demo (for a certificate to verify):
by default the tiny and the county scale, so the benchmark takes a minute; with
KVALIS_BENCH_NATIONAL=1 the county and the national scale (50 000 people, 1 000 000 attendance
rows; generating it takes several minutes). The growth between the two sizes is the point: a
page whose time grows with the data will miss its target at national scale.

Signed-in pages with kept parts (kvalis.lib.kept: the dashboard, the indicators, the people
list, the overview) are measured twice: as every request after the first sees them, and
"rendered whole", with the kept parts forgotten before each request, as the first request
after a change renders them (the stored figures are not recomputed here).

Measured with the Django test client (no HTTP, no gunicorn) as the coordinator of GEN-001, the
national programme every institution takes part in, so its lists hold every person; the
catalogue, the public project page and the verification page anonymously. Each page: one
request to warm up, one to count queries, one under tracemalloc (peak Python memory), then the
median of REPEAT requests, wall and CPU (process) time.

To iterate on one page without generating again (national takes minutes), on SQLite:
KVALIS_BENCH_DB=/tmp/kvalis-scale keeps each size's data in that folder (scale-county.sqlite3,
scale-national.sqlite3), generated when missing and migrated on every run. The files are never
emptied; delete them after changing the generator or the demo. Without it, as every benchmark,
a throwaway database.

Targets (issue 16, at national scale): every page ≤ 300 ms, dashboard and indicators ≤ 150 ms.
"""

import os
import statistics
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

REPEAT = 5
PAGE_SIZE = 50  # the people list's page size
TARGET_MS = 300
FAST_TARGET_MS = 150
LOGIN = "koordinatorius.gen-001@generuota.kvalis.lt"
PASSWORD = "kvalis-demo"


def sizes() -> list[str]:
    if os.environ.get("KVALIS_BENCH_NATIONAL") == "1":
        return ["county", "national"]
    return ["tiny", "county"]


# The signed-in pages with kept parts (kvalis.lib.kept), measured also "rendered whole".
KEPT_PAGES = ("dashboard", "JSON indicators", "people list", "project overview")


def pages(scale) -> list[tuple[str, str, bool, int]]:
    """(label, url, signed in, target ms)."""
    from kvalis.certificates.models import Certificate
    from kvalis.enrolment.models import Enrolment
    from kvalis.projects.models import Cohort

    code = "GEN-001"
    # The largest roster of the national programme.
    cohort = (
        Cohort.objects.filter(activity__project__code=code)
        .order_by("-capacity", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    deep = max(1, min(500, scale.people // PAGE_SIZE))
    certificate = Certificate.objects.order_by("pk").first()
    assert Enrolment.objects.filter(cohort_id=cohort).exists()
    return [
        ("dashboard", reverse("reports:dashboard", args=[code]), True, FAST_TARGET_MS),
        ("JSON indicators", reverse("api:project_indicators", args=[code]), True, FAST_TARGET_MS),
        ("people list, page 1", reverse("people:list", args=[code]), True, TARGET_MS),
        (
            f"people list, page {deep}",
            reverse("people:list", args=[code]) + f"?page={deep}",
            True,
            TARGET_MS,
        ),
        ("project overview", reverse("projects:detail", args=[code]), True, TARGET_MS),
        ("roster", reverse("enrolment:roster", args=[code, cohort]), True, TARGET_MS),
        ("hours ledger", reverse("attendance:hours", args=[code]), True, TARGET_MS),
        ("partner list", reverse("projects:partners", args=[code]), True, TARGET_MS),
        ("API people, page 1", reverse("api:project_people", args=[code]), True, TARGET_MS),
        (
            f"API people, page {deep}",
            reverse("api:project_people", args=[code]) + f"?page={deep}",
            True,
            TARGET_MS,
        ),
        ("catalogue", reverse("enrolment:catalogue"), False, TARGET_MS),
        ("public project page", reverse("projects:public", args=[code]), False, TARGET_MS),
        (
            "verify page",
            reverse("certificates:verify", args=[certificate.verification_code]),
            False,
            TARGET_MS,
        ),
    ]


def measure(client: Client, url: str, *, cold: bool = False) -> dict:
    """With `cold`, the parts kept for signed-in pages (kvalis.lib.kept) are forgotten before
    each request: the page is rendered whole, from the stored figures."""
    from kvalis.lib import kept

    def get():
        if cold:
            kept.clear()
        return client.get(url)

    # The first request may do once what later ones do not (the dashboard stores its figures
    # after a change): the queries are counted on the second, as every later one runs them.
    response = get()
    assert response.status_code == 200, (url, response.status_code)
    size = len(response.content)
    with CaptureQueriesContext(connection) as queries:
        get()
    count = len(queries)
    tracemalloc.start()
    get()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    walls, cpus = [], []
    for _ in range(REPEAT):
        if cold:
            kept.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(url)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return {
        "ms": statistics.median(walls),
        "cpu": statistics.median(cpus),
        "queries": count,
        "peak": peak / 1e6,
        "kb": size / 1000,
    }


def load(size: str) -> tuple[float, float]:
    """The demo, then the generated data beside it; (wall s, CPU s) of generating."""
    from kvalis.demo.scale import SCALES, generate

    call_command("demo", stdout=StringIO())
    wall, cpu = time.perf_counter(), time.process_time()
    generate(scale=SCALES[size], seed=2014)
    return time.perf_counter() - wall, time.process_time() - cpu


@contextmanager
def database(size: str) -> Iterator[tuple[float, float] | None]:
    """Switch to the size's kept SQLite file (KVALIS_BENCH_DB), generating it when missing.

    Yields the generating time as `load` returns it, or None when the data was already there.
    Without KVALIS_BENCH_DB (or on PostgreSQL) the data goes into the throwaway database.
    """
    # Pages cached from the previous size's data would be measured as this size's.
    cache.clear()
    folder = os.environ.get("KVALIS_BENCH_DB")
    if not folder or connection.vendor != "sqlite":
        yield load(size)
        call_command("flush", verbosity=0, interactive=False)
        return
    path = Path(folder) / f"scale-{size}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    throwaway = connection.settings_dict["NAME"]
    generated = None
    try:
        if not path.exists():
            # Into a file of its own first, so that a run stopped half-way leaves no file that
            # the next run would take for complete.
            partial = path.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            switch_to(str(partial))
            call_command("migrate", verbosity=0, interactive=False)
            generated = load(size)
            connection.close()
            partial.rename(path)
        switch_to(str(path))
        call_command("migrate", verbosity=0, interactive=False)
        yield generated
    finally:
        # run.py empties the database after each benchmark: the throwaway one, not the kept file.
        switch_to(throwaway)


def switch_to(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name


def run() -> list[dict]:
    results = []
    for size in sizes():
        with database(size) as generated:
            results.extend(measure_size(size, generated))
    return results


def measure_size(size: str, generated: tuple[float, float] | None) -> list[dict]:
    from kvalis.demo.scale import SCALES

    scale = SCALES[size]
    results = []
    if generated is not None:
        generate_wall, generate_cpu = generated
        results.append(
            {
                "name": f"scale {size}: generate",
                "value": round(generate_wall, 1),
                "unit": "s",
                "target": 0,
                "meets": True,
                "detail": f"CPU {generate_cpu:.1f} s; {scale.people} people, "
                f"{scale.attendance} attendance rows (for information)",
            }
        )
    signed_in, anonymous = Client(), Client()
    assert signed_in.login(email=LOGIN, password=PASSWORD)
    runs = []
    for label, url, needs_login, target in pages(scale):
        runs.append((label, url, needs_login, target, False))
        if needs_login and label.startswith(KEPT_PAGES):
            # The same page with nothing of it kept, as the first request after a change.
            runs.append((f"{label}, rendered whole", url, needs_login, target, True))
    for label, url, needs_login, target, cold in runs:
        figures = measure(signed_in if needs_login else anonymous, url, cold=cold)
        results.append(
            {
                "name": f"scale {size}: {label}",
                "value": round(figures["ms"], 1),
                "unit": "ms",
                "target": target,
                "meets": figures["ms"] <= target,
                "detail": f"CPU {figures['cpu']:.0f} ms, {figures['queries']} queries, "
                f"peak {figures['peak']:.1f} MB, {figures['kb']:.0f} KB; median of {REPEAT}",
            }
        )
    return results
