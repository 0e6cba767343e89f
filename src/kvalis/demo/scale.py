"""National-scale data for the benchmarks (`kvalis generate --scale national|county|tiny`).

Bulk inserts, not the services: a million attendance rows through `attendance_record` would take
hours. So the rules the services keep are kept here by construction, and the tests check them:

- every organisation has a type and a municipality, every person an employer and a position;
- a project's partners are the organisations of its group, all accepted, so its coordinator sees
  every one of its people; each enrolment counts against its person's partner;
- a cohort's confirmed enrolments fill at most its capacity (exactly, in fact); the rest wait
  in numbered places or were rejected;
- attendance only for confirmed enrolments, at sessions of their own cohort, and only for
  sessions that have started: cohorts are laid out in time so that the attendance fills the
  earliest ones, the one where it runs out is under way, and the later ones have not started
  (they are open in the catalogue).

Everything comes from one `random.Random(seed)`, drawn in a fixed order, so the same seed gives
the same names, e-mails and numbers on every run and on either database. Dates are laid out
around today, so that the time rules hold whenever it runs.
"""

import math
import random
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from kvalis.accounts.models import User
from kvalis.attendance.models import Attendance
from kvalis.demo import data
from kvalis.demo.steps.core import ascii_fold
from kvalis.enrolment.models import CohortRegistration, Enrolment
from kvalis.organisations.geo import Municipality
from kvalis.organisations.models import Organisation, OrganisationCoordinator
from kvalis.people.models import Person, name_sort_key
from kvalis.projects.models import (
    Activity,
    Cohort,
    Membership,
    Partner,
    Project,
    Session,
    Venue,
)
from kvalis.reports.figures import rebuild

# Marks what `generate` made, so that it can tell a database of its own from one with real data.
CODE_PREFIX = "GEN-"
EMAIL_DOMAIN = "generuota.kvalis.lt"
FUNDER_LOGIN = f"ministerija@{EMAIL_DOMAIN}"
BATCH = 5_000
SESSIONS_HOURS = Decimal("4.0")
ZONE = ZoneInfo("Europe/Vilnius")


@dataclass(frozen=True)
class Scale:
    people: int
    organisations: int  # the funder included
    projects: int
    cohorts: int
    enrolments: int
    attendance: int


SCALES = {
    "national": Scale(50_000, 2_000, 200, 2_000, 200_000, 1_000_000),
    "county": Scale(5_000, 200, 20, 200, 20_000, 100_000),
    # For tests: small, but with the same shape (several projects, a waiting list, future cohorts).
    "tiny": Scale(300, 21, 2, 8, 320, 900),
}

# Settlements whose culture houses, museums and library branches make up the national network
# (genitive forms, as in "Alantos kultūros namai"); combined with the municipality they are unique.
SETTLEMENTS = [
    "Alantos",
    "Antalieptės",
    "Daugailių",
    "Debeikių",
    "Dūkšto",
    "Dusetų",
    "Giedraičių",
    "Kavarsko",
    "Kirdeikių",
    "Kuktiškių",
    "Kurklių",
    "Leliūnų",
    "Rubikių",
    "Salako",
    "Saldutiškio",
    "Skiemonių",
    "Sudeikių",
    "Svėdasų",
    "Tauragnų",
    "Troškūnų",
    "Užpalių",
    "Viešintų",
    "Vyžuonų",
    "Žaslių",
    "Čiobiškio",
    "Šeduvos",
    "Ėriškių",
    "Įsručio",
    "Ylakių",
    "Gelgaudiškio",
    "Josvainių",
    "Kulautuvos",
    "Labanoro",
    "Merkinės",
    "Nidos",
    "Pašušvio",
    "Rumšiškių",
    "Seirijų",
    "Veisiejų",
    "Žemaičių Kalvarijos",
]
KINDS = [
    ("library", "bibliotekos filialas"),
    ("culture_centre", "kultūros namai"),
    ("museum", "krašto muziejus"),
]
ACTIVITY_TITLES = [
    "Jaunimui atviros erdvės kultūros įstaigose ir darbo jose specifika",
    "Projektų valdymas",
    "Strateginis planavimas",
]
# Attendance statuses with their weights: most people come.
ATTENDANCE = [("present", 85), ("late", 5), ("absent", 7), ("excused", 3)]


def place_name(municipality: str) -> str:
    """ "Molėtų r. sav." → "Molėtų r.": the short form that begins an institution's name."""
    label = str(Municipality(municipality).label)
    return label.removesuffix(" sav.").strip()


def has_other_data() -> bool:
    """Whether the database holds projects or people that `generate` did not make."""
    return (
        Project.objects.exclude(code__startswith=CODE_PREFIX).exists()
        or Person.objects.exclude(email__endswith=f"@{EMAIL_DOMAIN}").exists()
    )


def has_generated_data() -> bool:
    return Project.objects.filter(code__startswith=CODE_PREFIX).exists()


def _aware(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=ZONE)


class Generator:
    """Builds one scale's rows in memory, table by table, and inserts each table in batches."""

    def __init__(self, scale: Scale, seed: int, today: date) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today
        self.counts: dict[str, int] = {}

    def check(self) -> None:
        scale = self.scale
        groups = scale.organisations - 1
        if scale.projects < 1 or groups < scale.projects:
            raise ValueError("Each project needs an organisation of its own to lead it.")
        if scale.cohorts < scale.projects:
            raise ValueError("Each project needs at least one cohort.")
        per_cohort = math.ceil(scale.enrolments / scale.cohorts)
        per_project = scale.people // scale.projects
        if per_cohort > per_project:
            raise ValueError(
                f"{per_cohort} enrolments per cohort, but a project has only {per_project} people."
            )

    def run(self) -> dict[str, int]:
        self.check()
        self.organisations()
        self.people()
        self.projects()
        self.cohorts()
        self.enrolments()
        self.sessions_and_attendance()
        self.logins()
        return self.counts

    def insert(self, label: str, model, rows: list) -> list:
        model.objects.bulk_create(rows, batch_size=BATCH)
        self.counts[label] = self.counts.get(label, 0) + len(rows)
        return rows

    # Organisations: the ministry, and groups of institutions, one group per project.
    def organisations(self) -> None:
        rng = self.rng
        now = timezone.now()
        self.funder = self.insert(
            "organisations",
            Organisation,
            [
                Organisation(
                    name=data.FUNDER[1],
                    short_name=data.FUNDER[2],
                    type="funder",
                    municipality=data.FUNDER[4],
                    name_genitive=data.FUNDER[5],
                    name_instrumental=data.FUNDER[6],
                    name_locative=data.FUNDER[7],
                )
            ],
        )[0]
        municipalities = list(Municipality.values)
        taken: set[tuple[str, str, str]] = set()
        with_library: set[str] = set()
        rows = []
        for index in range(self.scale.organisations - 1):
            lead = index < self.scale.projects
            while True:
                municipality = rng.choice(municipalities)
                settlement = rng.choice(SETTLEMENTS)
                kind, noun = KINDS[0] if lead else rng.choice(KINDS)
                if (municipality, settlement, kind) not in taken:
                    break
            taken.add((municipality, settlement, kind))
            place = place_name(municipality)
            if lead and municipality not in with_library:
                # The project's lead: the municipality's public library (or a branch of it when
                # the municipality has several projects), registered.
                name = f"{place} viešoji biblioteka"
                with_library.add(municipality)
            else:
                name = f"{place} {settlement} {noun}"
            rows.append(
                Organisation(
                    name=name,
                    type=kind,
                    municipality=municipality,
                    company_code=f"{300_000_000 + index:09d}",
                    address=f"{settlement.split()[0]} g. {rng.randint(1, 60)}, {place}",
                    registered_at=now if lead else None,
                )
            )
        self.groups = self.insert("organisations", Organisation, rows)

    def people(self) -> None:
        rng = self.rng
        organisations = self.groups
        rows = []
        for index in range(self.scale.people):
            organisation = organisations[index % len(organisations)]
            woman = rng.random() < 0.8
            first = rng.choice(data.WOMEN_FIRST if woman else data.MEN_FIRST)
            forms = rng.choice(data.SURNAMES)
            last = forms[0] if not woman else forms[1 if rng.random() < 0.6 else 2]
            if rng.random() < 0.1:
                position, category = rng.choice(data.POSITIONS_HEAD)
            else:
                position = rng.choice(data.POSITIONS_SPECIALIST[organisation.type])
                category = "specialist"
            rows.append(
                Person(
                    first_name=first,
                    last_name=last,
                    email=f"{ascii_fold(first)}.{ascii_fold(last)}.{index}@{EMAIL_DOMAIN}",
                    email_verified=True,
                    organisation=organisation,
                    position=position,
                    position_category=category,
                    sort_key=name_sort_key(last, first),
                )
            )
        self.persons = self.insert("people", Person, rows)

    def projects(self) -> None:
        scale = self.scale
        rows = []
        for index in range(scale.projects):
            lead = self.groups[index]
            title = (
                f"{place_name(lead.municipality)} kultūros darbuotojų kvalifikacijos "
                f"tobulinimas, {index + 1}-asis projektas"
            )
            if index == 0:
                title = "Nacionalinė kultūros darbuotojų kvalifikacijos tobulinimo programa"
            rows.append(
                Project(
                    code=f"{CODE_PREFIX}{index + 1:03d}",
                    title=title,
                    lead=lead,
                    funder=self.funder,
                    funding_programme=data.FUNDING_PROGRAMME,
                    grant_amount=Decimal(self.rng.randrange(20_000, 80_000, 500)),
                    currency="EUR",
                    # Widened to the cohorts' dates once they are known.
                    start_date=self.today,
                    end_date=self.today,
                    planned_participants=scale.people // scale.projects,
                    planned_certificates=scale.people // scale.projects,
                )
            )
        self.project_rows = self.insert("projects", Project, rows)
        # The organisations of a project: its lead and every n-th institution after the leads.
        # The first project is the national programme: every institution takes part, so its
        # coordinator's lists hold every person (the long lists the benchmarks page through).
        self.members_of: list[list[Organisation]] = [[p.lead] for p in self.project_rows]
        self.members_of[0] = list(self.groups)
        for index, organisation in enumerate(self.groups[scale.projects :]):
            if index % scale.projects:
                self.members_of[index % scale.projects].append(organisation)
        partners = []
        for project, organisations in zip(self.project_rows, self.members_of, strict=True):
            for organisation in organisations:
                partners.append(
                    Partner(
                        project=project,
                        organisation=organisation,
                        role="lead" if organisation.pk == project.lead_id else "sending",
                        status="accepted",
                        responded_at=timezone.now(),
                    )
                )
        self.insert("partners", Partner, partners)
        self.partner_of = {(p.project_id, p.organisation_id): p for p in partners}
        self.venues = self.insert(
            "venues",
            Venue,
            [
                Venue(
                    project=project,
                    name=project.lead.name,
                    address=project.lead.address,
                    city=place_name(project.lead.municipality),
                    organisation=project.lead,
                )
                for project in self.project_rows
            ],
        )
        activities = []
        for project in self.project_rows:
            for position, title in enumerate(ACTIVITY_TITLES):
                activities.append(
                    Activity(
                        project=project,
                        kind="module",
                        title=title,
                        academic_hours=Decimal("0"),  # set once the sessions are counted
                        completion_percent=80,
                        position=position,
                    )
                )
        self.activities = self.insert("activities", Activity, activities)

    def cohorts(self) -> None:
        """Sizes first (capacity, waiting, rejected), then dates from where attendance ends."""
        scale, rng = self.scale, self.rng
        base, extra = divmod(scale.enrolments, scale.cohorts)
        self.plan = []
        for index in range(scale.cohorts):
            size = base + (1 if index < extra else 0)
            capacity = size - rng.randint(0, size // 10)
            rejected = rng.randint(0, (size - capacity) // 3)
            self.plan.append((size, capacity, rejected))
        confirmed = sum(capacity for _size, capacity, _rejected in self.plan)
        # A tenth more seats × sessions than attendance rows, so that the last cohorts are
        # still ahead (the catalogue has something to show).
        self.sessions_per_cohort = max(3, math.ceil(scale.attendance * 1.1 / confirmed))
        weeks = self.sessions_per_cohort
        # Cohorts in order of time: attendance fills them from the first; find where it ends.
        remaining, self.recorded = scale.attendance, []
        for _size, capacity, _rejected in self.plan:
            rows = min(remaining, capacity * weeks)
            self.recorded.append(rows)
            remaining -= rows
        finished = sum(
            1
            for rows, (_s, c, _r) in zip(self.recorded, self.plan, strict=True)
            if rows == c * weeks
        )
        rows = []
        for index in range(scale.cohorts):
            project = self.project_rows[index % scale.projects]
            activity = self.activities[(index % scale.projects) * 3 + (index // scale.projects) % 3]
            if self.recorded[index] == self.plan[index][1] * weeks:
                # Ended: spread over the two years before last week.
                span = 700 - 7 * weeks
                start = self.today - timedelta(days=7 * weeks + 7 + span - span * index // finished)
            elif self.recorded[index]:
                # Under way: as many sessions behind it as have (some) attendance.
                held = math.ceil(self.recorded[index] / self.plan[index][1])
                start = self.today - timedelta(days=7 * (held - 1) + 1)
            else:
                # Not started: opens in the coming months.
                start = self.today + timedelta(days=14 + (index * 7) % 180)
            rows.append(
                Cohort(
                    activity=activity,
                    name=f"{index // scale.projects + 1}-oji grupė",
                    venue=self.venues[index % scale.projects],
                    start_date=start,
                    end_date=start + timedelta(days=7 * (weeks - 1)),
                    capacity=self.plan[index][1],
                )
            )
            project.start_date = min(project.start_date, start - timedelta(days=30))
            project.end_date = max(project.end_date, start + timedelta(days=7 * weeks + 30))
        self.cohort_rows = self.insert("cohorts", Cohort, rows)
        Project.objects.bulk_update(self.project_rows, ["start_date", "end_date"], batch_size=BATCH)
        for activity in self.activities:
            activity.academic_hours = SESSIONS_HOURS * weeks
        Activity.objects.bulk_update(self.activities, ["academic_hours"], batch_size=BATCH)
        # The catalogue shows only the cohorts that have not started.
        self.insert(
            "registration settings",
            CohortRegistration,
            [
                CohortRegistration(cohort=cohort, is_open=cohort.start_date > self.today)
                for cohort in self.cohort_rows
            ],
        )

    def enrolments(self) -> None:
        rng = self.rng
        people_of: dict[int, list[Person]] = {}
        for project, organisations in zip(self.project_rows, self.members_of, strict=True):
            taking_part = {organisation.pk for organisation in organisations}
            people_of[project.pk] = [p for p in self.persons if p.organisation_id in taking_part]
        self.confirmed_of: list[list[Enrolment]] = []
        rows = []
        for cohort, (size, capacity, rejected) in zip(self.cohort_rows, self.plan, strict=True):
            project_id = cohort.activity.project_id
            chosen = rng.sample(people_of[project_id], size)
            confirmed = []
            for place, person in enumerate(chosen):
                if place < capacity:
                    status, waiting = "confirmed", None
                elif place < size - rejected:
                    status, waiting = "waiting", place - capacity + 1
                else:
                    status, waiting = "rejected", None
                organisation = person.organisation
                enrolment = Enrolment(
                    person=person,
                    cohort=cohort,
                    status=status,
                    waiting_position=waiting,
                    partner=self.partner_of[(project_id, organisation.pk)],
                    organisation=organisation,
                    organisation_name=organisation.name,
                    position=person.position,
                    position_category=person.position_category,
                )
                rows.append(enrolment)
                if status == "confirmed":
                    confirmed.append(enrolment)
            self.confirmed_of.append(confirmed)
        self.insert("enrolments", Enrolment, rows)

    def sessions_and_attendance(self) -> None:
        rng = self.rng
        statuses = [status for status, _weight in ATTENDANCE]
        weights = [weight for _status, weight in ATTENDANCE]
        sessions = []
        for cohort in self.cohort_rows:
            for week in range(self.sessions_per_cohort):
                day = cohort.start_date + timedelta(days=7 * week)
                sessions.append(
                    Session(
                        cohort=cohort,
                        title=f"{week + 1}-asis užsiėmimas",
                        starts_at=_aware(day, 10),
                        ends_at=_aware(day, 13),
                        academic_hours=SESSIONS_HOURS,
                    )
                )
        self.insert("sessions", Session, sessions)
        weeks = self.sessions_per_cohort
        rows = []
        for index, confirmed in enumerate(self.confirmed_of):
            left = self.recorded[index]
            for session in sessions[index * weeks : (index + 1) * weeks]:
                for enrolment in confirmed:
                    if not left:
                        break
                    status = rng.choices(statuses, weights)[0]
                    rows.append(
                        Attendance(
                            enrolment=enrolment,
                            session=session,
                            status=status,
                            minutes_attended=rng.randint(90, 170) if status == "late" else None,
                            method="form",
                        )
                    )
                    left -= 1
            if len(rows) >= 50_000:
                self.insert("attendance rows", Attendance, rows)
                rows = []
        self.insert("attendance rows", Attendance, rows)

    def logins(self) -> None:
        """A coordinator per project (of its lead), a partner coordinator (of its second
        organisation) and one ministry observer of every project; all with the demo password."""
        password = make_password(data.DEMO_PASSWORD)
        users, memberships, coordinators = [], [], []
        funder = User(email=FUNDER_LOGIN, password=password, first_name="Ministerijos stebėtojas")
        users.append(funder)
        pairs = []
        for project, organisations in zip(self.project_rows, self.members_of, strict=True):
            code = project.code.lower()
            coordinator = User(email=f"koordinatorius.{code}@{EMAIL_DOMAIN}", password=password)
            users.append(coordinator)
            partner_user = None
            if len(organisations) > 1:
                partner_user = User(email=f"partneris.{code}@{EMAIL_DOMAIN}", password=password)
                users.append(partner_user)
            pairs.append((project, organisations, coordinator, partner_user))
        self.insert("logins", User, users)
        for project, organisations, coordinator, partner_user in pairs:
            memberships.append(Membership(project=project, user=coordinator, role="coordinator"))
            memberships.append(Membership(project=project, user=funder, role="funder_observer"))
            coordinators.append(
                OrganisationCoordinator(organisation=project.lead, user=coordinator)
            )
            if partner_user is not None:
                partner = self.partner_of[(project.pk, organisations[1].pk)]
                memberships.append(
                    Membership(
                        project=project,
                        user=partner_user,
                        role="partner_coordinator",
                        partner=partner,
                    )
                )
        self.insert("memberships", Membership, memberships)
        OrganisationCoordinator.objects.bulk_create(coordinators, batch_size=BATCH)


def generate(*, scale: Scale, seed: int = 2014, today: date | None = None) -> dict[str, int]:
    """Insert one scale's data; returns what it made, and the seconds it took as "seconds"."""
    started = clock.perf_counter()
    generator = Generator(scale, seed, today or timezone.localdate())
    with transaction.atomic():
        counts = generator.run()
        # The services keep the maintained indicator rows as they write; bulk inserts bypass
        # them, so the rows are built once here, as `kvalis rebuild_indicators` would.
        counts["indicator rows"] = sum(rebuild(project) for project in generator.project_rows)
    if connection.vendor == "postgresql":
        # As after the demo: fresh statistics, or the planner guesses on a million rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {**counts, "seconds": round(clock.perf_counter() - started, 1)}
