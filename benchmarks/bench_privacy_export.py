"""A person's data export (GDPR art. 15/20) for a person with 50 enrolments stays fast enough
to build in the request: at most 2 s, in a number of queries that does not grow with the data.

Set-up (not timed): one person with 50 confirmed enrolments, each with two attended sessions,
and 10 valid certificates whose PDFs are already stored (as bulk issue leaves them). A second
person with 5 enrolments and 1 certificate is the small reference.

Timed: `kvalis.privacy.export.build_zip` (JSON, the Lithuanian HTML page, the PDFs read from
storage, zipped), median of 5 runs. The ratio reported is 50-enrolment time over 5-enrolment
time, measured in the same run; the queries of both are reported beside it.
"""

import statistics
import time

ENROLMENTS = 50
SMALL = 5
REPEAT = 5
TARGET_MS = 2000.0


def make_person(enrolments: int, certificates: int):
    from kvalis.certificates.services import certificate_render_pdfs
    from tests.factories import (
        ActivityFactory,
        AttendanceFactory,
        CertificateFactory,
        CohortFactory,
        EnrolmentFactory,
        PersonFactory,
        SessionFactory,
    )

    person = PersonFactory()
    activity = ActivityFactory()
    issued = []
    for index in range(enrolments):
        cohort = CohortFactory(activity=activity)
        enrolment = EnrolmentFactory(cohort=cohort, person=person)
        for _ in range(2):
            AttendanceFactory(enrolment=enrolment, session=SessionFactory(cohort=cohort))
        if index < certificates:
            issued.append(CertificateFactory(enrolment=enrolment))
    certificate_render_pdfs(certificates=issued)
    return person


def measure(person) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kvalis.privacy.export import build_zip

    build_zip(person)  # warm-up: templates loaded, WeasyPrint not needed (PDFs stored)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            build_zip(person)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries.captured_queries)


def run() -> dict:
    large_ms, large_queries = measure(make_person(ENROLMENTS, 10))
    small_ms, small_queries = measure(make_person(SMALL, 1))
    return {
        "name": f"data export ZIP, {ENROLMENTS} enrolments",
        "value": round(large_ms, 1),
        "unit": "ms",
        "target": TARGET_MS,
        "meets": large_ms <= TARGET_MS and large_queries == small_queries,
        "detail": f"{SMALL} enrolments {small_ms:.1f} ms (ratio {large_ms / small_ms:.1f}×); "
        f"queries {small_queries}→{large_queries}",
    }
