"""Reads of study visits: who may travel (ranked), per-person costs, and the summary for reports."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kvalis.access import Perm, ProjectAccess
from kvalis.attendance.selectors import completion_for_enrolments
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.lib.collation import sort_key
from kvalis.people.models import Person, PositionCategory
from kvalis.projects.models import ActivityKind, Partner, Project
from kvalis.visits.models import HostVisit, StudyVisit, Traveller, TravellerCost, TravellerStatus

ZERO = Decimal("0.00")


# Access: study visits hold personal data (travel documents, consent), so only those who may
# edit the project (coordinators) see them; everyone else gets 404 from `require`.
def visits_for(access: ProjectAccess) -> QuerySet[StudyVisit]:
    access.require(Perm.EDIT)
    return StudyVisit.objects.filter(activity__project=access.project).select_related(
        "activity", "cohort"
    )


def _get_or_404(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_visit(access: ProjectAccess, pk) -> StudyVisit:
    return _get_or_404(visits_for(access), pk)


def get_host(visit: StudyVisit, pk) -> HostVisit:
    return _get_or_404(visit.hosts.all(), pk)


def get_traveller(visit: StudyVisit, pk) -> Traveller:
    return _get_or_404(visit.travellers.select_related("person__organisation", "enrolment"), pk)


def get_cost(traveller: Traveller, pk) -> TravellerCost:
    return _get_or_404(traveller.costs.select_related("expense"), pk)


@dataclass
class Candidate:
    person: Person
    completed_modules: int
    first_enrolled_at: datetime | None
    partner: Partner | None
    reasons: list[str] = field(default_factory=list)  # why the criteria are not met
    partner_full: bool = False  # the partner has used its places (for travellers)
    traveller: Traveller | None = None
    rank: int = 0

    @property
    def eligible(self) -> bool:
        return not self.reasons


def _partner_by_organisation(project: Project) -> dict[int, Partner]:
    """Which partner speaks for an organisation: its own partnership, else the covering one."""
    result: dict[int, Partner] = {}
    partners = list(
        project.partners.select_related("organisation").prefetch_related("covered_organisations")
    )
    for partner in partners:
        for org in partner.covered_organisations.all():
            result.setdefault(org.pk, partner)
    for partner in partners:
        result[partner.organisation_id] = partner
    return result


def criteria_reasons(visit: StudyVisit, *, completed: int, position_category: str) -> list[str]:
    reasons = []
    if completed < visit.min_completed_modules:
        reasons.append(
            _("completed %(done)s of the required %(needed)s modules")
            % {"done": completed, "needed": visit.min_completed_modules}
        )
    if visit.position_categories and position_category not in visit.position_categories:
        reasons.append(
            _("position category “%(category)s” is not among those selected")
            % {"category": PositionCategory(position_category).label}
        )
    return reasons


def candidates(visit: StudyVisit, people: QuerySet[Person]) -> list[Candidate]:
    """Everyone with a confirmed enrolment in a module of the project (plus those already
    selected), ranked: meeting the criteria first, then more completed modules, then earlier
    first enrolment, then name in Lithuanian order. A fixed number of queries."""
    project = visit.activity.project
    enrolments = Enrolment.objects.filter(
        cohort__activity__project=project,
        status=EnrolmentStatus.CONFIRMED,
        person__in=people,
    ).exclude(cohort__activity__kind=ActivityKind.STUDY_VISIT)
    rows = list(
        enrolments.values_list(
            "pk", "person_id", "cohort__activity_id", "cohort__activity__kind", "created_at"
        )
    )
    completion = completion_for_enrolments(Enrolment.objects.filter(pk__in=[r[0] for r in rows]))
    completed_activities: dict[int, set[int]] = defaultdict(set)
    first_at: dict[int, datetime] = {}
    for pk, person_id, activity_id, kind, created_at in rows:
        if person_id not in first_at or created_at < first_at[person_id]:
            first_at[person_id] = created_at
        result = completion.get(pk)
        if kind == ActivityKind.MODULE and result is not None and result.completed:
            completed_activities[person_id].add(activity_id)
    selected = {t.person_id: t for t in visit.travellers.all()}
    person_ids = set(first_at) | set(selected)
    persons = Person.objects.filter(pk__in=person_ids).select_related("organisation")
    partner_of = _partner_by_organisation(project)
    travellers_per_partner: dict[int | None, int] = defaultdict(int)
    result_list = []
    for person in persons:
        partner = partner_of.get(person.organisation_id)
        traveller = selected.get(person.pk)
        completed = len(completed_activities[person.pk])
        candidate = Candidate(
            person=person,
            completed_modules=completed,
            first_enrolled_at=first_at.get(person.pk),
            partner=partner,
            reasons=criteria_reasons(
                visit, completed=completed, position_category=person.position_category
            ),
            traveller=traveller,
        )
        if traveller is not None and traveller.status == TravellerStatus.TRAVELLER:
            travellers_per_partner[partner.pk if partner else None] += 1
        result_list.append(candidate)
    if visit.max_per_partner is not None:
        for candidate in result_list:
            key = candidate.partner.pk if candidate.partner else None
            if candidate.traveller is None and travellers_per_partner[key] >= visit.max_per_partner:
                candidate.partner_full = True
    far_future = datetime.max.replace(tzinfo=None)
    result_list.sort(
        key=lambda c: (
            not c.eligible,
            -c.completed_modules,
            (c.first_enrolled_at.replace(tzinfo=None) if c.first_enrolled_at else far_future),
            sort_key(c.person.last_name),
            sort_key(c.person.first_name),
            c.person.pk,
        )
    )
    for index, candidate in enumerate(result_list, start=1):
        candidate.rank = index
    return result_list


def candidate_for(visit: StudyVisit, person: Person) -> Candidate:
    """One person's standing against the criteria (they need not be a candidate at all)."""
    found = [c for c in candidates(visit, Person.objects.filter(pk=person.pk))]
    if found:
        return found[0]
    return Candidate(
        person=person,
        completed_modules=0,
        first_enrolled_at=None,
        partner=_partner_by_organisation(visit.activity.project).get(person.organisation_id),
        reasons=criteria_reasons(visit, completed=0, position_category=person.position_category),
    )


def travellers_with_costs(visit: StudyVisit) -> list[Traveller]:
    """Travellers and the reserve list, each with `cost_total` and `checklist_ok`. Two queries."""
    travellers = list(
        visit.travellers.select_related("person__organisation").order_by(
            "status", "reserve_rank", "id"
        )
    )
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for traveller_id, amount in TravellerCost.objects.filter(traveller__visit=visit).values_list(
        "traveller_id", "amount"
    ):
        totals[traveller_id] += amount
    for traveller in travellers:
        traveller.cost_total = totals[traveller.pk]
        traveller.checklist_ok = traveller.checklist_complete(visit)
        traveller.document_ok = traveller.document_valid_for(visit)
    return sorted(
        travellers,
        key=lambda t: (
            t.status != TravellerStatus.TRAVELLER,
            t.reserve_rank or 0,
            sort_key(t.person.last_name),
            sort_key(t.person.first_name),
        ),
    )


def cost_summary(visit: StudyVisit, travellers: list[Traveller]) -> dict:
    going = [t for t in travellers if t.status == TravellerStatus.TRAVELLER]
    total = sum((t.cost_total for t in going), ZERO)
    return {
        "total": total,
        "travellers": len(going),
        "per_person": (total / len(going)).quantize(Decimal("0.01")) if going else ZERO,
    }


def visit_summary(project: Project) -> dict:
    """For the reports: the project's study visit(s), the first one flattened at the top level.

    {destination, country, start_date, end_date, hosts, travellers, reserves, cost_total,
     outcomes: [{host, city, date, topic, outcomes}], visits: [same keys per visit]}
    """
    visits = list(
        StudyVisit.objects.filter(activity__project=project)
        .select_related("activity")
        .prefetch_related("hosts", "travellers")
    )
    cost_by_visit: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for visit_id, amount in TravellerCost.objects.filter(
        traveller__visit__activity__project=project, traveller__status=TravellerStatus.TRAVELLER
    ).values_list("traveller__visit_id", "amount"):
        cost_by_visit[visit_id] += amount
    items = []
    for visit in visits:
        hosts = list(visit.hosts.all())
        travellers = list(visit.travellers.all())
        items.append(
            {
                "id": visit.pk,
                "title": visit.activity.title,
                "destination": visit.destination_city,
                "country": visit.destination_country,
                "start_date": visit.start_date,
                "end_date": visit.end_date,
                "hosts": len(hosts),
                "travellers": sum(1 for t in travellers if t.status == TravellerStatus.TRAVELLER),
                "reserves": sum(1 for t in travellers if t.status == TravellerStatus.RESERVE),
                "cost_total": cost_by_visit[visit.pk],
                "outcomes": [
                    {
                        "host": host.organisation_name,
                        "city": host.city,
                        "date": host.starts_at,
                        "topic": host.topic,
                        "outcomes": host.outcomes,
                    }
                    for host in hosts
                ],
            }
        )
    first = (
        items[0]
        if items
        else {
            "destination": None,
            "country": None,
            "start_date": None,
            "end_date": None,
            "hosts": 0,
            "travellers": 0,
            "reserves": 0,
            "cost_total": ZERO,
            "outcomes": [],
        }
    )
    return {**first, "visits": items}
