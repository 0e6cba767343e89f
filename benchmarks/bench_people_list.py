"""The people list of a project with 5 000 people: queries per page and time to render.

The list is paginated and sorted in Lithuanian order by the database, so the number of queries
must not grow with the number of people (no N+1), and a page should render well under 500 ms.
Measured for the coordinator (sees the whole consortium) on the first page, a middle page and
a search, each the median of several requests.
"""

import random
import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvalis.people.models import Person
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    ProjectFactory,
    UserFactory,
)

PEOPLE = 5_000
SMALL = 500
ORGANISATIONS = 40
REPEAT = 7
TARGET_MS = 500
FIRST = ["Ona", "Rūta", "Aistė", "Eglė", "Živilė", "Jonas", "Šarūnas", "Česlovas", "Ieva"]
LAST = ["Kazlauskienė", "Šimkus", "Čepulytė", "Žukauskas", "Ivanauskaitė", "Ydraitė", "Jonaitis"]


def make_project(code: str, people: int):
    project = ProjectFactory(code=code)
    PartnerFactory(project=project, organisation=project.lead, role="lead")
    organisations = [project.lead]
    for index in range(ORGANISATIONS - 1):
        organisation = OrganisationFactory(name=f"{code} įstaiga {index}")
        PartnerFactory(project=project, organisation=organisation)
        organisations.append(organisation)
    rng = random.Random(people)
    Person.objects.bulk_create(
        [
            Person(
                first_name=rng.choice(FIRST),
                last_name=f"{rng.choice(LAST)}{index}",
                email=f"{code.lower()}.{index}@example.lt",
                organisation=organisations[index % len(organisations)],
                position="specialistė",
            )
            for index in range(people)
        ],
        batch_size=1000,
    )
    coordinator = UserFactory(email=f"coordinator@{code.lower()}.lt")
    MembershipFactory(project=project, user=coordinator, role="coordinator")
    return project, coordinator


def measure(client: Client, url: str, params: dict) -> tuple[int, float]:
    """(queries of one request, median milliseconds over REPEAT requests)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    count = len(queries)  # now: the next request clears the connection's query log
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return count, statistics.median(times)


def run() -> list[dict]:
    small, small_user = make_project("SMALL", SMALL)
    large, large_user = make_project("LARGE", PEOPLE)
    views = {
        "first page": {},
        "middle page": {"page": PEOPLE // 50 // 2},
        "search": {"q": "Šimk"},
    }
    small_client, large_client = Client(), Client()
    small_client.force_login(small_user)
    large_client.force_login(large_user)

    queries_small, queries_large, times = {}, {}, {}
    for label, params in views.items():
        queries_small[label], _ = measure(
            small_client, reverse("people:list", args=[small.code]), params
        )
        queries_large[label], times[label] = measure(
            large_client, reverse("people:list", args=[large.code]), params
        )

    constant = queries_small == queries_large
    slowest = max(times, key=times.get)
    return [
        {
            "name": "people list: queries, 500 vs 5 000 people",
            "value": max(queries_large.values()),
            "unit": "queries",
            "target": max(queries_small.values()),
            "meets": constant,
            "detail": ", ".join(
                f"{label} {queries_small[label]}→{queries_large[label]}" for label in views
            ),
        },
        {
            "name": "people list: render, 5 000 people",
            "value": round(times[slowest], 1),
            "unit": "ms",
            "target": TARGET_MS,
            "meets": times[slowest] <= TARGET_MS,
            "detail": f"median of {REPEAT}; "
            + ", ".join(f"{label} {value:.0f} ms" for label, value in times.items()),
        },
    ]
