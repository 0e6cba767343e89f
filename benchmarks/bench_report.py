"""The JSON report of a project with 10 000 participants and 100 000 attendance records.

Built with bulk_create: 4 activities, 400 cohorts of 25 people, 10 sessions each (4 000
sessions), one confirmed enrolment per person, attendance 85 % present, 5 % late, 10 % absent.
Measured end to end (the coordinator's GET of /projects/<code>/reports/report.json: access,
every indicator and section, JSON encoding), the median of several requests; target under 2 s.
Also reported: the queries that request runs, compared with the same project at 1/10 of the size
(they must be equal: the report is set-based).
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
from kvalis.enrolment.models import Enrolment
from kvalis.organisations.models import Organisation
from kvalis.people.models import Person
from kvalis.projects.models import Activity, Cohort, Session
from tests.factories import MembershipFactory, PartnerFactory, ProjectFactory, UserFactory

VILNIUS = ZoneInfo("Europe/Vilnius")
COHORT_SIZE = 25
SESSIONS_PER_COHORT = 10
ACTIVITIES = 4
REPEAT = 5
TARGET_S = 2.0
MUNICIPALITIES = ["utenos-r", "anyksciu-r", "ignalinos-r", "moletu-r", "zarasu-r", "visagino"]
TYPES = ["library", "museum", "culture_centre"]


def build(code: str, participants: int):
    rng = random.Random(participants)
    project = ProjectFactory(code=code, planned_participants=participants)
    PartnerFactory(project=project, organisation=project.lead, role="lead")
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{code} įstaiga {index}",
                type=TYPES[index % len(TYPES)],
                municipality=MUNICIPALITIES[index % len(MUNICIPALITIES)],
            )
            for index in range(60)
        ]
    )
    for index, organisation in enumerate(organisations[:6]):
        partner = PartnerFactory(project=project, organisation=organisation)
        partner.covered_organisations.add(*organisations[6 + index :: 6])
    activities = Activity.objects.bulk_create(
        [
            Activity(
                project=project,
                kind="module",
                title=f"Modulis {index}",
                academic_hours=Decimal(SESSIONS_PER_COHORT * 4),
                position=index,
            )
            for index in range(ACTIVITIES)
        ]
    )
    cohort_count = participants // COHORT_SIZE
    start = date(2014, 3, 3)
    cohorts = Cohort.objects.bulk_create(
        [
            Cohort(
                activity=activities[index % ACTIVITIES],
                name=f"{index + 1} grupė",
                start_date=start + timedelta(days=index % 200),
                end_date=start + timedelta(days=index % 200 + SESSIONS_PER_COHORT),
                capacity=COHORT_SIZE,
            )
            for index in range(cohort_count)
        ]
    )
    sessions = Session.objects.bulk_create(
        [
            Session(
                cohort=cohort,
                starts_at=datetime.combine(
                    cohort.start_date + timedelta(days=day), clock(9), VILNIUS
                ),
                ends_at=datetime.combine(
                    cohort.start_date + timedelta(days=day), clock(12), VILNIUS
                ),
                academic_hours=Decimal("4"),
            )
            for cohort in cohorts
            for day in range(SESSIONS_PER_COHORT)
        ],
        batch_size=2000,
    )
    people = Person.objects.bulk_create(
        [
            Person(
                first_name="Ona",
                last_name=f"Pavardenė{index}",
                email=f"{code.lower()}.{index}@example.lt",
                organisation=organisations[index % len(organisations)],
                position_category=rng.choice(["head", "specialist", "specialist", "manager"]),
            )
            for index in range(participants)
        ],
        batch_size=2000,
    )
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(
                person=person,
                cohort=cohorts[index // COHORT_SIZE],
                status="confirmed",
                organisation_id=person.organisation_id,
                position_category=person.position_category,
            )
            for index, person in enumerate(people)
        ],
        batch_size=2000,
    )
    by_cohort: dict[int, list[Session]] = {}
    for session in sessions:
        by_cohort.setdefault(session.cohort_id, []).append(session)
    rows = []
    for enrolment in enrolments:
        for session in by_cohort[enrolment.cohort_id]:
            roll = rng.random()
            if roll < 0.85:
                rows.append(Attendance(enrolment=enrolment, session=session, status="present"))
            elif roll < 0.90:
                rows.append(
                    Attendance(
                        enrolment=enrolment,
                        session=session,
                        status="late",
                        minutes_attended=rng.randint(20, 170),
                    )
                )
            else:
                rows.append(Attendance(enrolment=enrolment, session=session, status="absent"))
    Attendance.objects.bulk_create(rows, batch_size=5000)
    coordinator = UserFactory(email=f"coordinator@{code.lower()}.lt")
    MembershipFactory(project=project, user=coordinator, role="coordinator")
    if connection.vendor == "postgresql":
        # After a bulk load, give the planner statistics as autovacuum would in production.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return project, coordinator, len(rows)


def measure(project, coordinator) -> tuple[float, int, dict]:
    client = Client()
    client.force_login(coordinator)
    path = reverse("reports:json", args=[project.code])
    response = client.get(path)  # warm-up
    assert response.status_code == 200, response.status_code
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return statistics.median(timings), len(queries), response.json()


def run() -> list[dict]:
    small_project, small_user, _small_rows = build("BENCH-S", 1_000)
    _t, small_queries, _data = measure(small_project, small_user)
    started = time.perf_counter()
    project, coordinator, records = build("BENCH-L", 10_000)
    built = time.perf_counter() - started
    seconds, queries, data = measure(project, coordinator)
    trained = data["participants_trained"]
    return [
        {
            "name": "report JSON, 10 000 participants",
            "value": round(seconds, 3),
            "unit": "s",
            "target": TARGET_S,
            "meets": seconds < TARGET_S
            and sum(data["participants_by_municipality"].values()) == trained,
            "detail": (
                f"median of {REPEAT} GETs of report.json on {connection.vendor}; "
                f"{records} attendance records, {trained} trained; data built in {built:.1f} s"
            ),
        },
        {
            "name": "report JSON queries, 10 000 vs 1 000",
            "value": queries,
            "unit": "queries",
            "target": small_queries,
            "meets": queries == small_queries,
            "detail": f"{small_queries} queries for 1 000 participants, {queries} for 10 000",
        },
    ]
