"""Enrolment of the demo's people, as the article describes (numbers assumed).

- Module 1 (youth spaces) is for specialists: its four cohorts are raised to 30 places each
  (assumed) and every specialist of the county's institutions is enrolled; five more than fit
  wait, three cancel and the first three waiting are promoted, two stay on the list.
- Module 2 (project management) is for heads, deputies and culture managers: two cohorts of 25,
  managers first, a few heads on the waiting list and two cancellations.
- Module 3 (strategic planning) is for heads and deputies: two cohorts of 20; many heads take
  both modules 2 and 3.
- The five sending libraries have seat quotas in modules 1 and 2; their district's people are
  enrolled through them, Molėtai's by its own partner coordinator login. A week before each
  cohort the unused quota seats open to everyone and the waiting list moves up.
- The participant login is confirmed in module 1's first cohort. The study visit is left to the
  visits step.

Everything is enrolled "as of" 2014-03-15, before the cohorts start; no e-mail is sent.
"""

import hashlib
from datetime import date, timedelta

from kvalis.accounts.models import User
from kvalis.demo import data
from kvalis.demo.steps.core import LOGINS
from kvalis.enrolment import services
from kvalis.enrolment.models import Enrolment, EnrolmentStatus, Quota
from kvalis.people.models import Person
from kvalis.projects.models import ActivityKind, Cohort, Partner, Project

AS_OF = date(2014, 3, 15)
MODULE_1_CAPACITY = 30
QUOTA_SEATS = {0: 4, 1: 3}  # per sending partner per cohort, by module index
CANCELLATIONS = {0: 3, 1: 2}


def _order(person: Person) -> str:
    return hashlib.sha256(person.email.lower().encode()).hexdigest()


def _counts(project: Project) -> dict[str, int]:
    enrolments = Enrolment.objects.filter(cohort__activity__project=project)
    return {
        "enrolments": enrolments.count(),
        "persons confirmed": enrolments.filter(status=EnrolmentStatus.CONFIRMED)
        .values("person")
        .distinct()
        .count(),
        "waiting": enrolments.filter(status=EnrolmentStatus.WAITING).count(),
        "cancelled": enrolments.filter(status=EnrolmentStatus.CANCELLED).count(),
    }


def load(*, stdout=None) -> dict[str, int]:
    project = Project.objects.get(code=data.PROJECT_CODE)
    if Enrolment.objects.filter(cohort__activity__project=project).exists():
        return _counts(project)
    coordinator = User.objects.get(email=LOGINS["coordinator"][0])
    partner_user = User.objects.get(email=LOGINS["partner"][0])
    participant = Person.objects.get(email=LOGINS["participant"][0])
    modules = list(project.activities.filter(kind=ActivityKind.MODULE).order_by("position"))
    cohorts = {
        index: list(Cohort.objects.filter(activity=activity).order_by("start_date"))
        for index, activity in enumerate(modules)
    }

    # Who speaks for whom: each sending library nominates the institutions of its district.
    sending = list(
        Partner.objects.filter(project=project, role="sending").select_related("organisation")
    )
    partner_of: dict[int, Partner] = {}
    for partner in sending:
        partner_of[partner.organisation_id] = partner
        for org_id in partner.covered_organisations.values_list("pk", flat=True):
            partner_of[org_id] = partner
    partner_user_partner = partner_user.memberships.get(project=project).partner

    for cohort in cohorts[0]:
        services.cohort_capacity_set(
            actor=coordinator, cohort=cohort, capacity=MODULE_1_CAPACITY, today=AS_OF, notify=False
        )
    for module, seats in QUOTA_SEATS.items():
        for cohort in cohorts[module]:
            for partner in sending:
                services.quota_set(
                    actor=coordinator,
                    cohort=cohort,
                    partner=partner,
                    seats=seats,
                    release_on=cohort.start_date - timedelta(days=7),
                    today=AS_OF,
                    notify=False,
                )

    trainers = Person.objects.filter(trained_cohorts__activity__project=project)
    logins_out = [LOGINS["coordinator"][0], LOGINS["funder"][0], LOGINS["trainer"][0]]
    people = list(
        Person.objects.filter(
            organisation__type__in=["library", "museum", "culture_centre"],
            organisation__municipality__in=[
                "utenos-r",
                "anyksciu-r",
                "ignalinos-r",
                "moletu-r",
                "zarasu-r",
                "visagino",
            ],
        )
        .exclude(pk__in=trainers.values("pk"))
        .exclude(email__in=logins_out)
        .select_related("organisation")
    )
    people.sort(key=_order)
    specialists = [p for p in people if p.position_category == "specialist"]
    specialists.remove(participant)
    specialists.insert(0, participant)
    heads = [p for p in people if p.position_category in ("head", "deputy")]
    # Managers first: module 2 is their only module, while heads who do not fit in it still
    # take module 3.
    leaders = [p for p in people if p.position_category == "manager"] + heads

    def enrol(cohort: Cohort, person: Person, module: int) -> Enrolment:
        partner = partner_of.get(person.organisation_id) if module in QUOTA_SEATS else None
        if partner is not None:
            quota = Quota.objects.get(cohort=cohort, partner=partner)
            if services.quota_used(cohort, partner.pk) >= quota.seats:
                partner = None
        by_partner_login = partner is not None and partner.pk == partner_user_partner.pk
        return services.enrolment_nominate(
            actor=partner_user if by_partner_login else coordinator,
            cohort=cohort,
            person=person,
            partner=partner,
            enforce_quota=by_partner_login,
            today=AS_OF,
            notify=False,
        )

    def spread(module: int, group: list[Person]) -> list[Enrolment]:
        enrolments = []
        for index, person in enumerate(group):
            enrolments.append(enrol(cohorts[module][index % len(cohorts[module])], person, module))
        return enrolments

    spread(0, specialists)
    spread(1, leaders)
    spread(2, heads)

    for module, count in CANCELLATIONS.items():
        confirmed = [
            e
            for e in Enrolment.objects.filter(
                cohort__in=cohorts[module], status=EnrolmentStatus.CONFIRMED
            )
            .exclude(person=participant)
            .select_related("person")
        ]
        confirmed.sort(key=lambda e: _order(e.person))
        for enrolment in confirmed[:count]:
            services.enrolment_cancel(
                actor=coordinator, enrolment=enrolment, today=AS_OF, notify=False
            )
    # A week before each cohort, its unused quota seats open to the waiting list.
    releases = sorted(
        set(
            Quota.objects.filter(cohort__activity__project=project).values_list(
                "release_on", flat=True
            )
        )
    )
    for release_on in releases:
        services.quotas_release_due(today=release_on, notify=False)
    return _counts(project)
