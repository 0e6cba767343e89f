"""Reads for a user's home: which places they have, and what each place shows.

A *place* is one reason a user has to sign in: their own trainings (a participant), the cohorts
they teach (a trainer), a project they coordinate, take part in as a partner or observe for the
funder, and the organisations they coordinate (or, as a site administrator, administer).

`user_places()` answers which places a user has in one query: the navigation bar asks it on
every page. Each section of the home page has its own selector, which takes its figures from the
app that owns them (reports' indicators, attendance's completion rule, enrolment's quotas,
surveys' participants) instead of counting again. Project roles come from the same memberships
`kvalis.access` reads, so a section shows only what the role may open.

Each selector runs a fixed number of queries whatever the number of people, cohorts and
sessions; a project section runs its number once per project of the user.
"""

from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from kvalis import ownership
from kvalis.access import ProjectAccess, Role, role_label
from kvalis.attendance.models import Attendance
from kvalis.attendance.selectors import completion_for_enrolments, credited_hours_by_enrolment
from kvalis.certificates.models import Certificate, CertificateStatus
from kvalis.enrolment.models import Enrolment, EnrolmentStatus, Quota
from kvalis.enrolment.selectors import QUOTA_USING
from kvalis.organisations.models import Organisation, OrganisationCoordinator
from kvalis.people import erasure
from kvalis.people.models import OPEN_ERASURE_STATUSES, Person
from kvalis.projects.models import Cohort, Membership, MembershipRole, Project, Session
from kvalis.reports.indicators import access_indicators, stored_indicators
from kvalis.surveys.models import Survey, SurveyStatus
from kvalis.surveys.selectors import answered_survey_ids, surveys_for_person

# How many sessions a section lists; the pages it links to list them all.
SESSIONS_SHOWN = 8
RECENT_SESSIONS_SHOWN = 5

# Enrolments a participant no longer holds: the home lists the others.
ENDED_STATUSES = (EnrolmentStatus.CANCELLED, EnrolmentStatus.REJECTED)


# --- which places -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    participant: bool = False  # their Person has an enrolment
    trainer: bool = False  # their Person trains a cohort
    member: bool = False  # a project membership (coordinator, partner coordinator, funder)
    coordinator_of_organisation: bool = False  # of a registered organisation
    admin: bool = False  # a site administrator

    @property
    def projects(self) -> bool:
        """Any project role: the project list has something for them."""
        return self.member or self.trainer or self.admin

    @property
    def organisations(self) -> bool:
        return self.coordinator_of_organisation or self.admin

    @property
    def only_participant(self) -> bool:
        return self.participant and not (self.projects or self.organisations)

    @property
    def none(self) -> bool:
        return not (self.participant or self.projects or self.organisations)


NO_PLACES = Places()


def _places_sql() -> str:
    """The statement of `user_places`: four EXISTS of the user's id, on indexed foreign keys.

    Written out, not built by the ORM: the navigation bar asks it on every signed-in page, and
    compiling the same annotated queryset each time cost 1.3 ms of CPU, the statement itself a
    tenth of that. The names come from the models, so a renamed table or column follows."""

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def column(model, name: str) -> str:
        return connection.ops.quote_name(model._meta.get_field(name).column)

    trainers = Cohort.trainers.through
    person, enrolment = table(Person), table(Enrolment)
    of_user = f"{person}.{column(Person, 'user')} = %s"
    return (
        "SELECT "
        f"EXISTS (SELECT 1 FROM {enrolment} JOIN {person}"
        f" ON {enrolment}.{column(Enrolment, 'person')} = {person}.{column(Person, 'id')}"
        f" WHERE {of_user}), "
        f"EXISTS (SELECT 1 FROM {table(trainers)} JOIN {person}"
        f" ON {table(trainers)}.{column(trainers, 'person')} = {person}.{column(Person, 'id')}"
        f" WHERE {of_user}), "
        f"EXISTS (SELECT 1 FROM {table(Membership)}"
        f" WHERE {table(Membership)}.{column(Membership, 'user')} = %s), "
        # As ownership.coordinated_organisations: only a registered organisation's count.
        f"EXISTS (SELECT 1 FROM {table(OrganisationCoordinator)} JOIN {table(Organisation)}"
        f" ON {table(OrganisationCoordinator)}.{column(OrganisationCoordinator, 'organisation')}"
        f" = {table(Organisation)}.{column(Organisation, 'id')}"
        f" WHERE {table(OrganisationCoordinator)}.{column(OrganisationCoordinator, 'user')} = %s"
        f" AND {table(Organisation)}.{column(Organisation, 'registered_at')} IS NOT NULL)"
    )


def user_places(user) -> Places:
    """The places of `user`, in one query."""
    if user is None or not user.is_authenticated:
        return NO_PLACES
    with connection.cursor() as cursor:
        cursor.execute(_places_sql(), [user.pk] * 4)
        participant, trainer, member, coordinates = cursor.fetchone()
    return Places(
        participant=bool(participant),
        trainer=bool(trainer),
        member=bool(member),
        coordinator_of_organisation=bool(coordinates),
        admin=user.is_superuser,
    )


def person_of(user) -> Person | None:
    try:
        return Person.objects.get(user=user)
    except Person.DoesNotExist:
        return None


# --- a participant ------------------------------------------------------------------------------


@dataclass
class ParticipantHome:
    person: Person
    enrolments: list[Enrolment]  # held ones (not cancelled or rejected), latest first
    next_sessions: list[Session]  # of confirmed enrolments, not yet over
    certificates: list[Certificate]  # valid ones
    hours: Decimal  # credited academic hours of confirmed enrolments, all years
    surveys: list[Survey]  # open for them and not yet answered


def participant_home(person: Person, *, now: datetime | None = None) -> ParticipantHome:
    """What "My trainings" sums up for a participant. Seven queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    enrolments = list(
        Enrolment.objects.filter(person=person)
        .exclude(status__in=ENDED_STATUSES)
        .select_related("cohort__activity__project")
        .order_by("-cohort__start_date", "pk")
    )
    next_sessions = list(
        Session.objects.filter(
            cohort__enrolments__person=person,
            cohort__enrolments__status=EnrolmentStatus.CONFIRMED,
            ends_at__gte=now,
        )
        .select_related("cohort__activity", "cohort__venue", "venue")
        .order_by("starts_at", "pk")[:SESSIONS_SHOWN]
    )
    certificates = list(
        Certificate.objects.filter(person=person, status=CertificateStatus.VALID)
        .select_related("enrolment__cohort__activity")
        .order_by("-issued_at", "-pk")
    )
    # The hours ledger's rule (attendance.selectors.person_ledger): confirmed enrolments only.
    confirmed = Enrolment.objects.filter(person=person, status=EnrolmentStatus.CONFIRMED)
    hours = sum(
        credited_hours_by_enrolment(confirmed.values_list("pk", flat=True)).values(),
        Decimal("0"),
    )
    answered = answered_survey_ids(person)
    surveys = [
        survey
        for survey in surveys_for_person(person)
        if survey.pk not in answered and survey.is_accepting(today)
    ]
    return ParticipantHome(
        person=person,
        enrolments=enrolments,
        next_sessions=next_sessions,
        certificates=certificates,
        hours=hours,
        surveys=surveys,
    )


# --- a trainer ----------------------------------------------------------------------------------


@dataclass
class TrainerHome:
    today: list[Session]  # sessions of today (also those already over)
    upcoming: list[Session]  # after today
    recent: list[Session]  # before today, latest first, each with `recorded` (attendance rows)
    cohorts: list[Cohort]  # the cohorts they train, not yet ended


def _trainer_sessions(person: Person):
    return (
        Session.objects.filter(cohort__trainers=person)
        .select_related("cohort__activity__project", "cohort__venue", "venue")
        .annotate(recorded=Count("attendances"))
    )


def trainer_home(person: Person, *, now: datetime | None = None) -> TrainerHome:
    """A trainer's sessions of today and after, the last ones before, and their cohorts.
    Three queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_today = timezone.make_aware(datetime.combine(today, time.min))
    coming = list(
        _trainer_sessions(person)
        .filter(ends_at__gte=start_of_today)
        .order_by("starts_at", "pk")[:SESSIONS_SHOWN]
    )
    recent = list(
        _trainer_sessions(person)
        .filter(ends_at__lt=start_of_today)
        .order_by("-starts_at", "-pk")[:RECENT_SESSIONS_SHOWN]
    )
    cohorts = list(
        Cohort.objects.filter(trainers=person, end_date__gte=today)
        .select_related("activity__project")
        .order_by("start_date", "name", "pk")
    )
    return TrainerHome(
        today=[s for s in coming if timezone.localdate(s.starts_at) == today],
        upcoming=[s for s in coming if timezone.localdate(s.starts_at) != today],
        recent=recent,
        cohorts=cohorts,
    )


# --- projects: figures at a glance --------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The headline indicators of a project (or of a partner's people in it), as reports
    compute them (`kvalis.reports.indicators`)."""

    trained: int
    planned: int
    trained_percent: Decimal | None
    hours_delivered: Decimal
    hours_planned: Decimal
    completion_rate: Decimal | None
    enrolments_completed: int
    enrolments_assessed: int
    certificates_issued: int | None
    budget_execution: Decimal | None  # None in a partner's (scoped) figures
    survey_response_rate: Decimal | None


def _figures(data: dict) -> Figures:
    satisfaction = data.get("satisfaction") or {}
    return Figures(
        trained=data["participants_trained"],
        planned=data["participants_planned"],
        trained_percent=data["participants_trained_percent_of_plan"],
        hours_delivered=data["academic_hours_delivered"],
        hours_planned=data["academic_hours_planned"],
        completion_rate=data.get("completion_rate"),
        enrolments_completed=data.get("enrolments_completed", 0),
        enrolments_assessed=data.get("enrolments_assessed", 0),
        certificates_issued=data.get("certificates_issued"),
        budget_execution=data.get("budget_execution_percent"),
        survey_response_rate=satisfaction.get("response_rate"),
    )


@dataclass(frozen=True)
class ToDo:
    """What a project coordinator has waiting, counted; each links to the page that does it."""

    applications: int  # applications awaiting approval
    sessions_unrecorded: int  # sessions over with no attendance recorded
    uncertified: int  # completed enrolments without a valid certificate
    surveys_to_open: int  # draft surveys whose training is over

    @property
    def total(self) -> int:
        return sum(
            (self.applications, self.sessions_unrecorded, self.uncertified, self.surveys_to_open)
        )


def project_todo(project: Project, *, now: datetime | None = None) -> ToDo:
    """Seven queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    in_project = Q(cohort__activity__project=project)
    applications = Enrolment.objects.filter(in_project, status=EnrolmentStatus.APPLIED).count()
    # Time is a rule: only a session that is over can lack its attendance.
    sessions_unrecorded = (
        Session.objects.filter(in_project, ends_at__lt=now)
        .exclude(Exists(Attendance.objects.filter(session=OuterRef("pk"))))
        .count()
    )
    # Certificates come after the cohort's end; the completion rule is attendance's.
    without_certificate = Enrolment.objects.filter(
        in_project, status=EnrolmentStatus.CONFIRMED, cohort__end_date__lt=today
    ).exclude(
        Exists(Certificate.objects.filter(enrolment=OuterRef("pk"), status=CertificateStatus.VALID))
    )
    completions = completion_for_enrolments(without_certificate)
    uncertified = sum(1 for completion in completions.values() if completion.completed)
    # As surveys.selectors.surveys_due_to_open, whichever way the survey opens: an automatic
    # one still waiting after its last session is as much the coordinator's to open.
    surveys_to_open = (
        Survey.objects.filter(project=project, status=SurveyStatus.DRAFT)
        .annotate(
            last_cohort=Max("cohort__sessions__ends_at"),
            last_activity=Max("activity__cohorts__sessions__ends_at"),
        )
        .filter(
            Q(cohort__isnull=False, last_cohort__lte=now)
            | Q(cohort__isnull=True, last_activity__lte=now)
        )
        .count()
    )
    return ToDo(
        applications=applications,
        sessions_unrecorded=sessions_unrecorded,
        uncertified=uncertified,
        surveys_to_open=surveys_to_open,
    )


@dataclass
class ProjectHome:
    """A project the user coordinates or observes for the funder."""

    project: Project
    role: Role
    role_label: str
    figures: Figures
    todo: ToDo | None  # coordinators only: an observer may not open the pages it links to

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR


def _memberships(user, *roles: str) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, role__in=roles)
        .select_related("project__lead", "project__funder", "partner__organisation")
        .order_by("-project__start_date", "project__code")
    )


def project_homes(user, *, now: datetime | None = None) -> list[ProjectHome]:
    """Projects the user coordinates, then those they observe for the funder."""
    homes = []
    memberships = _memberships(user, MembershipRole.COORDINATOR, MembershipRole.FUNDER_OBSERVER)
    memberships.sort(key=lambda m: m.role != MembershipRole.COORDINATOR)  # stable: keeps dates
    for membership in memberships:
        role = Role(membership.role)
        project = membership.project
        homes.append(
            ProjectHome(
                project=project,
                role=role,
                role_label=role_label(role),
                figures=_figures(stored_indicators(project)),
                todo=project_todo(project, now=now) if role == Role.COORDINATOR else None,
            )
        )
    return homes


# --- a partner coordinator ----------------------------------------------------------------------


@dataclass
class PartnerCohort:
    cohort: Cohort
    quota: Quota | None  # the partner's seats in it
    used: int  # of the quota: the partner's nominations holding or awaiting a seat
    confirmed: int  # the partner's people confirmed
    waiting: int  # the partner's people on the waiting list
    open_for_nomination: bool  # it has not started yet

    @property
    def to_nominate(self) -> int:
        """Reserved seats the partner has not filled yet (released seats are everyone's)."""
        if not self.open_for_nomination or self.quota is None:
            return 0
        if not self.quota.is_reserved(timezone.localdate()):
            return 0
        return max(0, self.quota.seats - self.used)


@dataclass
class PartnerHome:
    project: Project
    membership: Membership
    accepted: bool  # until the partner organisation accepts, the project sees none of its people
    cohorts: list[PartnerCohort] = field(default_factory=list)
    figures: Figures | None = None

    @property
    def partner(self):
        return self.membership.partner

    @property
    def waiting(self) -> int:
        return sum(row.waiting for row in self.cohorts)

    @property
    def to_nominate(self) -> int:
        return sum(row.to_nominate for row in self.cohorts)


def partner_homes(user, *, now: datetime | None = None) -> list[PartnerHome]:
    """Per project where the user is a partner coordinator: the partner's seats and their use
    per cohort not yet ended, its people waiting, and its people's figures. Four queries and
    the indicators' per project."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    homes = []
    for membership in _memberships(user, MembershipRole.PARTNER_COORDINATOR):
        project = membership.project
        access = ProjectAccess(
            user=user, project=project, role=Role.PARTNER_COORDINATOR, partner=membership.partner
        )
        home = PartnerHome(
            project=project, membership=membership, accepted=membership.partner.is_accepted
        )
        homes.append(home)
        if not home.accepted:
            continue
        scope = access.partner_organisation_ids()
        home.figures = _figures(access_indicators(access))
        cohorts = list(
            Cohort.objects.filter(activity__project=project, end_date__gte=today)
            .select_related("activity")
            .order_by("start_date", "activity__position", "name", "pk")
        )
        quotas = {
            quota.cohort_id: quota
            for quota in Quota.objects.filter(partner=membership.partner, cohort__in=cohorts)
        }
        used: dict[int, int] = {}
        for cohort_id, n in (
            Enrolment.objects.filter(
                cohort__in=cohorts, partner=membership.partner, status__in=QUOTA_USING
            )
            .values("cohort_id")
            .annotate(n=Count("pk"))
            .values_list("cohort_id", "n")
            .order_by()
        ):
            used[cohort_id] = n
        people: dict[tuple[int, str], int] = {}
        for cohort_id, status, n in (
            Enrolment.objects.filter(
                cohort__in=cohorts,
                organisation_id__in=scope,
                status__in=(EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITING),
            )
            .values("cohort_id", "status")
            .annotate(n=Count("pk"))
            .values_list("cohort_id", "status", "n")
            .order_by()
        ):
            people[(cohort_id, status)] = n
        home.cohorts = [
            PartnerCohort(
                cohort=cohort,
                quota=quotas.get(cohort.pk),
                used=used.get(cohort.pk, 0),
                confirmed=people.get((cohort.pk, EnrolmentStatus.CONFIRMED), 0),
                waiting=people.get((cohort.pk, EnrolmentStatus.WAITING), 0),
                open_for_nomination=cohort.start_date > today,
            )
            for cohort in cohorts
        ]
    return homes


# --- organisations ------------------------------------------------------------------------------


@dataclass
class OrganisationsHome:
    organisations: list[Organisation]  # those the user coordinates
    invitations: int  # partnership invitations to answer
    may_start_project: bool
    is_admin: bool
    erasure_requests: int = 0  # open requests to erase the data of people the user keeps


def organisations_home(user) -> OrganisationsHome:
    """Four queries."""
    return OrganisationsHome(
        organisations=list(ownership.coordinated_organisations(user).order_by("name")),
        invitations=ownership.partnerships_to_answer(user).filter(status="invited").count(),
        erasure_requests=erasure.requests_for_user(user)
        .filter(status__in=OPEN_ERASURE_STATUSES)
        .count(),
        may_start_project=ownership.may_start_project(user),
        is_admin=user.is_superuser,
    )


# --- the whole page -----------------------------------------------------------------------------


@dataclass
class Home:
    places: Places
    projects: list[ProjectHome] = field(default_factory=list)
    partners: list[PartnerHome] = field(default_factory=list)
    trainer: TrainerHome | None = None
    participant: ParticipantHome | None = None
    organisations: OrganisationsHome | None = None


def home_for(user, places: Places, *, now: datetime | None = None) -> Home:
    """Every section of the user's home, for the places they have."""
    home = Home(places=places)
    if places.member:
        home.projects = project_homes(user, now=now)
        home.partners = partner_homes(user, now=now)
    person = person_of(user) if (places.trainer or places.participant) else None
    if person is not None and places.trainer:
        home.trainer = trainer_home(person, now=now)
    if person is not None and places.participant:
        home.participant = participant_home(person, now=now)
    if places.organisations:
        home.organisations = organisations_home(user)
    return home
