"""Retention: personal data kept for a set time and no longer.

Each organisation may set its periods (`organisations.RetentionPolicy`); without one the
defaults apply. `kvalis apply_retention` runs `retention_plan` and, unless it is a dry run,
`retention_apply`:

- participants' contact data, N years after the last of their projects ended: the person is
  pseudonymised as at erasure (`people.erasure.person_erase`), by their employer's policy;
- applications never confirmed, N days after they were made: deleted, by the project lead's;
- survey participation records (who answered, never the anonymous answers), N years after the
  survey closed: deleted, by the project lead's;
- audit entries older than N years: deleted, by the policy of the entry's organisation (or its
  project's lead).

A period runs out at the end of its last day: data of a project that ended on 2020-06-30 are
kept through 2025-06-30 and go on 2025-07-01. Running it again the same day finds nothing.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from kvalis.audit.services import audit_log
from kvalis.organisations.models import RetentionPolicy

RUN_ACTION = "retention.apply"


@dataclass(frozen=True)
class Periods:
    contact_data_years: int = 5
    unconfirmed_application_days: int = 90
    survey_participation_years: int = 1
    audit_log_years: int = 10


DEFAULTS = Periods()


def minus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _policies() -> dict[int, Periods]:
    """Organisation id -> its periods, for the organisations that set their own."""
    return {
        p.organisation_id: Periods(
            contact_data_years=p.contact_data_years,
            unconfirmed_application_days=p.unconfirmed_application_days,
            survey_participation_years=p.survey_participation_years,
            audit_log_years=p.audit_log_years,
        )
        for p in RetentionPolicy.objects.all()
    }


def periods_for(organisation) -> Periods:
    if organisation is None:
        return DEFAULTS
    return _policies().get(organisation.pk, DEFAULTS)


def _by_policy(policies: dict[int, Periods], org_field: str, old_for) -> Q:
    """Rows whose organisation (`org_field`) has its own policy and are old by it, or that
    fall under the defaults and are old by them. `old_for(periods)` gives the Q of "old"."""
    condition = ~Q(**{f"{org_field}__in": list(policies)}) & old_for(DEFAULTS)
    for organisation_id, periods in policies.items():
        condition |= Q(**{org_field: organisation_id}) & old_for(periods)
    return condition


@dataclass
class Plan:
    today: date
    people: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    participations: list = field(default_factory=list)
    audit_entries: QuerySet | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {
            "people": len(self.people),
            "applications": len(self.applications),
            "participations": len(self.participations),
            "audit_entries": self.audit_entries.count() if self.audit_entries is not None else 0,
        }


def _people_due(today: date, policies: dict[int, Periods]) -> list:
    """Participants none of whose projects ended within their employer's period, and who
    neither work in Kvalis (staff) nor train in it."""
    from kvalis import ownership
    from kvalis.people.erasure import open_enrolments
    from kvalis.people.models import Person

    candidates = (
        Person.objects.filter(erased_at=None, trained_cohorts=None)
        .exclude(enrolments=None)
        .annotate(last_end=Max("enrolments__cohort__activity__project__end_date"))
        .select_related("organisation", "user")
        .order_by("pk")
    )
    due = []
    for person in candidates:
        periods = policies.get(person.organisation_id, DEFAULTS)
        if not person.last_end < minus_years(today, periods.contact_data_years):
            continue
        if person.user is not None and ownership.is_staff_member(person.user):
            continue
        if open_enrolments(person, today=today).exists():
            continue
        due.append(person)
    return due


def retention_plan(*, today: date | None = None) -> Plan:
    """What a run on `today` would do; changes nothing."""
    from kvalis.audit.models import AuditEntry
    from kvalis.enrolment.models import Enrolment, EnrolmentStatus
    from kvalis.surveys.models import SurveyParticipation

    today = today or timezone.localdate()
    policies = _policies()
    plan = Plan(today=today)
    plan.people = _people_due(today, policies)

    def application_old(p: Periods) -> Q:
        cutoff = today - timedelta(days=p.unconfirmed_application_days)
        return Q(created_at__lt=_start_of(cutoff))

    plan.applications = list(
        Enrolment.objects.filter(status=EnrolmentStatus.UNCONFIRMED, certificates=None)
        .filter(_by_policy(policies, "cohort__activity__project__lead", application_old))
        .select_related("person", "cohort__activity__project")
        .order_by("pk")
    )

    def participation_old(p: Periods) -> Q:
        return Q(survey__closes_on__lt=minus_years(today, p.survey_participation_years))

    plan.participations = list(
        SurveyParticipation.objects.filter(
            _by_policy(policies, "survey__project__lead", participation_old)
        )
        .select_related("survey")
        .order_by("survey_id", "pk")
    )

    def audit_old(p: Periods) -> Q:
        return Q(created_at__lt=_start_of(minus_years(today, p.audit_log_years)))

    # An entry counts under its organisation, or else under its project's lead.
    with_org = Q(organisation__isnull=False) & _by_policy(policies, "organisation", audit_old)
    by_project = Q(organisation__isnull=True) & _by_policy(policies, "project__lead", audit_old)
    plain = Q(organisation__isnull=True, project__isnull=True) & audit_old(DEFAULTS)
    plan.audit_entries = AuditEntry.objects.filter(with_org | by_project | plain).order_by("pk")
    return plan


@transaction.atomic
def retention_apply(*, today: date | None = None, actor=None) -> dict[str, int]:
    """Do what `retention_plan` lists, and record the run (one audit entry with the counts)."""
    from kvalis.enrolment.models import Enrolment
    from kvalis.people.erasure import person_erase
    from kvalis.surveys.models import SurveyParticipation

    plan = retention_plan(today=today)
    counts = plan.counts
    # Audit entries first: the entries the erasures below write are new, not old.
    plan.audit_entries.delete()
    for person in plan.people:
        person_erase(actor=actor, person=person, today=plan.today, retention=True)
    Enrolment.objects.filter(pk__in=[e.pk for e in plan.applications]).delete()
    SurveyParticipation.objects.filter(pk__in=[p.pk for p in plan.participations]).delete()
    audit_log(
        actor=actor,
        action=RUN_ACTION,
        summary=plan.today.isoformat(),
        data={"today": plan.today.isoformat(), **counts},
    )
    return counts
