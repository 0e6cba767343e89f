"""The people list of a project at national scale (50 000 people of 2 000 organisations): queries
per page and time to render.

The list is paginated and sorted in Lithuanian order by the stored sort key, so the number of
queries must not grow with the number of people (no N+1), and every page, the deep ones included,
should render within 300 ms (issue 16's target at national scale). Measured for the coordinator
(sees the whole consortium) on the first page, a middle page, page 500 and a search, each the
median of several requests (wall time and the process's CPU time).
"""

import random
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvalis.people.models import Person, name_sort_key
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    ProjectFactory,
    UserFactory,
)

PEOPLE = 50_000
SMALL = 500
ORGANISATIONS = 2_000
REPEAT = 7
TARGET_MS = 300
FIRST = ["Ona", "Rūta", "Aistė", "Eglė", "Živilė", "Jonas", "Šarūnas", "Česlovas", "Ieva"]
LAST = ["Kazlauskienė", "Šimkus", "Čepulytė", "Žukauskas", "Ivanauskaitė", "Ydraitė", "Jonaitis"]


def make_project(code: str, people: int, organisations_count: int):
    project = ProjectFactory(code=code)
    PartnerFactory(project=project, organisation=project.lead, role="lead")
    organisations = [project.lead]
    for index in range(organisations_count - 1):
        organisation = OrganisationFactory(name=f"{code} įstaiga {index}")
        PartnerFactory(project=project, organisation=organisation)
        organisations.append(organisation)
    rng = random.Random(people)
    names = [(rng.choice(FIRST), f"{rng.choice(LAST)}{index}") for index in range(people)]
    Person.objects.bulk_create(
        [
            Person(
                first_name=first,
                last_name=last,
                email=f"{code.lower()}.{index}@example.lt",
                organisation=organisations[index % len(organisations)],
                position="specialistė",
                sort_key=name_sort_key(last, first),  # bulk_create skips save()
            )
            for index, (first, last) in enumerate(names)
        ],
        batch_size=1000,
    )
    coordinator = UserFactory(email=f"coordinator@{code.lower()}.lt")
    MembershipFactory(project=project, user=coordinator, role="coordinator")
    return project, coordinator


def measure(client: Client, url: str, params: dict) -> tuple[int, float, float]:
    """(queries of one request, median wall and CPU milliseconds over REPEAT requests)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    count = len(queries)  # now: the next request clears the connection's query log
    times, cpu = [], []
    for _ in range(REPEAT):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
    return count, statistics.median(times), statistics.median(cpu)


def run() -> list[dict]:
    small, small_user = make_project("SMALL", SMALL, 40)
    large, large_user = make_project("LARGE", PEOPLE, ORGANISATIONS)
    views = {
        "first page": {},
        "middle page": {"page": PEOPLE // 50 // 2},
        "page 500": {"page": 500},
        "search": {"q": "Šimk"},
        "organisation": {"organisation": "įstaiga 1999"},
    }
    small_client, large_client = Client(), Client()
    small_client.force_login(small_user)
    large_client.force_login(large_user)

    queries_small, queries_large, times, cpu = {}, {}, {}, {}
    for label, params in views.items():
        small_params = dict(params)
        if "organisation" in params:
            small_params["organisation"] = "įstaiga 39"
        queries_small[label], _, _ = measure(
            small_client, reverse("people:list", args=[small.code]), small_params
        )
        queries_large[label], times[label], cpu[label] = measure(
            large_client, reverse("people:list", args=[large.code]), params
        )

    constant = queries_small == queries_large
    slowest = max(times, key=times.get)
    return [
        {
            "name": "people list: queries, 500 vs 50 000 people",
            "value": max(queries_large.values()),
            "unit": "queries",
            "target": max(queries_small.values()),
            "meets": constant,
            "detail": ", ".join(
                f"{label} {queries_small[label]}→{queries_large[label]}" for label in views
            ),
        },
        {
            "name": "people list: render, 50 000 people of 2 000 organisations",
            "value": round(times[slowest], 1),
            "unit": "ms",
            "target": TARGET_MS,
            "meets": times[slowest] <= TARGET_MS,
            "detail": f"median of {REPEAT}, wall (CPU); "
            + ", ".join(
                f"{label} {value:.0f} ms ({cpu[label]:.0f} ms)" for label, value in times.items()
            ),
        },
    ]
