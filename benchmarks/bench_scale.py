"""Pages at two data sizes, one request at a time: time, CPU, queries, peak memory, size.

The data is `kvalis generate` (kvalis.demo.scale) beside the demo (for a certificate to verify):
by default the tiny and the county scale, so the benchmark takes a minute; with
KVALIS_BENCH_NATIONAL=1 the county and the national scale (50 000 people, 1 000 000 attendance
rows; generating it takes several minutes). The growth between the two sizes is the point: a
page whose time grows with the data will miss its target at national scale.

Measured with the Django test client (no HTTP, no gunicorn) as the coordinator of GEN-001, the
national programme every institution takes part in, so its lists hold every person; the
catalogue, the public project page and the verification page anonymously. Each page: one
request to warm up and count queries, one under tracemalloc (peak Python memory), then the
median of REPEAT requests, wall and CPU (process) time.

Targets (issue 16, at national scale): every page ≤ 300 ms, dashboard and indicators ≤ 150 ms.
"""

import os
import statistics
import time
import tracemalloc
from io import StringIO

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
        ("catalogue", reverse("enrolment:catalogue"), False, TARGET_MS),
        ("public project page", reverse("projects:public", args=[code]), False, TARGET_MS),
        (
            "verify page",
            reverse("certificates:verify", args=[certificate.verification_code]),
            False,
            TARGET_MS,
        ),
    ]


def measure(client: Client, url: str) -> dict:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    size = len(response.content)
    count = len(queries)
    tracemalloc.start()
    client.get(url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    walls, cpus = [], []
    for _ in range(REPEAT):
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


def run() -> list[dict]:
    from kvalis.demo.scale import SCALES

    results = []
    for number, size in enumerate(sizes()):
        if number:
            call_command("flush", verbosity=0, interactive=False)
        generate_wall, generate_cpu = load(size)
        scale = SCALES[size]
        signed_in, anonymous = Client(), Client()
        assert signed_in.login(email=LOGIN, password=PASSWORD)
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
        for label, url, needs_login, target in pages(scale):
            figures = measure(signed_in if needs_login else anonymous, url)
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
