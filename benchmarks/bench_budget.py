"""The budget execution page with 10 000 expenses, and the study visit selection with 2 000
candidates.

Budget: 40 lines, 10 000 expenses over the project year (bulk_create); the coordinator's GET of
/projects/<code>/budget/ (summary per line and source, the cumulative chart and its table),
median of several requests; target under 1 s. Selection: 2 000 people, each confirmed in one or
two of four modules (8 cohorts, 2 sessions each) with attendance, ranked against the criteria on
GET of the selection page; target under 2 s. The queries of each page are compared with the same
data at 1/10 of the size (they must be equal).
"""

import random
import statistics
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvalis.attendance.models import Attendance
from kvalis.budget.models import BudgetLine, Expense
from kvalis.enrolment.models import Enrolment
from kvalis.people.models import Person
from kvalis.projects.models import Activity, Cohort, Session
from tests.factories import (
    MembershipFactory,
    PartnerFactory,
    ProjectFactory,
    StudyVisitFactory,
    UserFactory,
)

VILNIUS = ZoneInfo("Europe/Vilnius")
REPEAT = 5


def build_budget(code: str, expenses: int):
    rng = random.Random(expenses)
    project = ProjectFactory(code=code)
    PartnerFactory(project=project, organisation=project.lead, role="lead")
    user = UserFactory(email=f"{code.lower()}@example.lt")
    MembershipFactory(project=project, user=user, role="coordinator")
    categories = [c for c, _ in BudgetLine._meta.get_field("category").choices]
    lines = BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                project=project,
                category=categories[index % len(categories)],
                source="grant",
                title=f"Eilutė {index}",
                planned_amount=Decimal("10000.00"),
                position=index,
            )
            for index in range(40)
        ]
    )
    Expense.objects.bulk_create(
        [
            Expense(
                line=lines[index % len(lines)],
                date=project.start_date + timedelta(days=rng.randrange(270)),
                supplier="UAB Tiekėjas",
                document_number=f"D-{index}",
                amount=Decimal(rng.randrange(100, 100000)) / 100,
            )
            for index in range(expenses)
        ],
        batch_size=2000,
    )
    return project, user


def build_selection(code: str, people: int):
    rng = random.Random(people)
    project = ProjectFactory(code=code)
    PartnerFactory(project=project, organisation=project.lead, role="lead")
    user = UserFactory(email=f"{code.lower()}@example.lt")
    MembershipFactory(project=project, user=user, role="coordinator")
    activities = Activity.objects.bulk_create(
        [
            Activity(project=project, kind="module", title=f"Modulis {i}", academic_hours=16)
            for i in range(4)
        ]
    )
    cohorts = Cohort.objects.bulk_create(
        [
            Cohort(
                activity=activities[i % 4],
                name=f"{i} grupė",
                start_date=date(2014, 4, 1) + timedelta(days=14 * i),
                end_date=date(2014, 4, 2) + timedelta(days=14 * i),
                capacity=people,
            )
            for i in range(8)
        ]
    )
    sessions = Session.objects.bulk_create(
        [
            Session(
                cohort=cohort,
                starts_at=datetime.combine(
                    cohort.start_date + timedelta(days=d), clock(9), VILNIUS
                ),
                ends_at=datetime.combine(cohort.start_date + timedelta(days=d), clock(16), VILNIUS),
                academic_hours=Decimal(8),
            )
            for cohort in cohorts
            for d in range(2)
        ]
    )
    by_cohort: dict[int, list[Session]] = {}
    for session in sessions:
        by_cohort.setdefault(session.cohort_id, []).append(session)
    persons = Person.objects.bulk_create(
        [
            Person(
                first_name="Ona",
                last_name=f"Pavardenė{i}",
                email=f"{code.lower()}.{i}@example.lt",
                organisation=project.lead,
            )
            for i in range(people)
        ],
        batch_size=2000,
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(person=person, cohort=cohort, status="confirmed")
            for person in persons
            for cohort in rng.sample(cohorts, rng.choice([1, 2]))
        ],
        batch_size=2000,
    )
    Attendance.objects.bulk_create(
        [
            Attendance(enrolment=enrolment, session=session, status="present")
            for enrolment in enrolments
            for session in by_cohort[enrolment.cohort_id]
            if rng.random() < 0.85
        ],
        batch_size=5000,
    )
    visit = StudyVisitFactory(project=project, places=18)
    return project, user, visit


def measure(user, url) -> tuple[float, int]:
    client = Client()
    client.force_login(user)
    client.get(url)  # warm up
    timings = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), len(queries)


def run() -> list[dict]:
    results = []
    small_project, small_user = build_budget("BENCH-B-S", 1000)
    project, user = build_budget("BENCH-B-L", 10000)
    _t, small_queries = measure(small_user, reverse("budget:overview", args=[small_project.code]))
    seconds, queries = measure(user, reverse("budget:overview", args=[project.code]))
    results.append(
        {
            "name": "budget execution page, 10 000 expenses",
            "value": round(seconds, 3),
            "unit": "s",
            "target": 1.0,
            "meets": seconds < 1.0 and queries == small_queries,
            "detail": f"median of {REPEAT} GETs on {connection.vendor}; {queries} queries "
            f"(1 000 expenses: {small_queries})",
        }
    )
    small_project, small_user, small_visit = build_selection("BENCH-V-S", 200)
    project, user, visit = build_selection("BENCH-V-L", 2000)
    _t, small_queries = measure(
        small_user, reverse("visits:selection", args=[small_project.code, small_visit.pk])
    )
    seconds, queries = measure(user, reverse("visits:selection", args=[project.code, visit.pk]))
    results.append(
        {
            "name": "study visit selection, 2 000 candidates",
            "value": round(seconds, 3),
            "unit": "s",
            "target": 2.0,
            "meets": seconds < 2.0 and queries == small_queries,
            "detail": f"median of {REPEAT} GETs on {connection.vendor}; {queries} queries "
            f"(200 candidates: {small_queries})",
        }
    )
    return results
