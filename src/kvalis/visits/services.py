"""Every write of the study visit: set-up, itinerary, selection, checklist, costs; audited."""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalis.audit.services import audit_log
from kvalis.budget.models import Expense
from kvalis.budget.validators import validate_amount
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.lib.grammar import agree
from kvalis.lib.money import format_money
from kvalis.people.models import Person
from kvalis.projects.models import Activity, ActivityKind, Cohort
from kvalis.visits.models import HostVisit, StudyVisit, Traveller, TravellerCost, TravellerStatus
from kvalis.visits.selectors import Candidate, candidate_for, candidates


def _check_visit(activity: Activity, cohort: Cohort) -> None:
    if activity.kind != ActivityKind.STUDY_VISIT:
        raise ValidationError(_("Only an activity of kind study visit can have a study visit."))
    if cohort.activity_id != activity.pk:
        raise ValidationError({"cohort": _("Choose a cohort of this study visit activity.")})


def study_visit_create(
    *,
    activity: Activity,
    cohort: Cohort,
    actor,
    destination_city: str,
    destination_country: str,
    start_date: date,
    end_date: date,
    description: str = "",
    places: int = 20,
    min_completed_modules: int = 1,
    max_per_partner: int | None = None,
    position_categories: list[str] | None = None,
) -> StudyVisit:
    _check_visit(activity, cohort)
    if StudyVisit.objects.filter(activity=activity).exists():
        raise ValidationError(_("This activity already has its study visit."))
    visit = StudyVisit(
        activity=activity,
        cohort=cohort,
        destination_city=destination_city.strip(),
        destination_country=destination_country.strip(),
        start_date=start_date,
        end_date=end_date,
        description=description.strip(),
        places=places,
        min_completed_modules=min_completed_modules,
        max_per_partner=max_per_partner,
        position_categories=list(position_categories or []),
    )
    _validate_dates(visit)
    visit.full_clean()
    visit.save()
    audit_log(actor=actor, action="study_visit.create", obj=visit, project=activity.project)
    return visit


def _validate_dates(visit: StudyVisit) -> None:
    if visit.start_date and visit.end_date and visit.end_date < visit.start_date:
        raise ValidationError({"end_date": _("The return date cannot be before the departure.")})


def study_visit_update(*, visit: StudyVisit, actor, cohort: Cohort, **fields) -> StudyVisit:
    _check_visit(visit.activity, cohort)
    visit.cohort = cohort
    for name, value in fields.items():
        if name == "position_categories":
            value = list(value or [])
        elif isinstance(value, str):
            value = value.strip()
        setattr(visit, name, value)
    _validate_dates(visit)
    if visit.pk:
        outside = [
            host
            for host in visit.hosts.all()
            if not visit.start_date <= timezone.localdate(host.starts_at) <= visit.end_date
        ]
        if outside:
            raise ValidationError(
                _("Host visits would fall outside the new dates: %(names)s.")
                % {"names": ", ".join(h.organisation_name for h in outside)}
            )
    travellers = visit.travellers.filter(status=TravellerStatus.TRAVELLER).count()
    if visit.places < travellers:
        raise ValidationError(
            {
                "places": _("%(n)s travellers are already confirmed; places cannot be fewer.")
                % {"n": travellers}
            }
        )
    visit.full_clean()
    visit.save()
    audit_log(
        actor=actor,
        action="study_visit.update",
        obj=visit,
        project=visit.activity.project,
        data={k: str(v) for k, v in fields.items()},
    )
    return visit


def _check_host_time(visit: StudyVisit, starts_at: datetime) -> None:
    day = timezone.localdate(starts_at)
    if not visit.start_date <= day <= visit.end_date:
        raise ValidationError(
            {
                "starts_at": _(
                    "The host visit must take place during the trip (%(start)s – %(end)s)."
                )
                % {"start": visit.start_date.isoformat(), "end": visit.end_date.isoformat()}
            }
        )


def host_visit_create(
    *,
    visit: StudyVisit,
    actor,
    organisation_name: str,
    city: str,
    country: str,
    starts_at: datetime,
    topic: str,
) -> HostVisit:
    _check_host_time(visit, starts_at)
    host = HostVisit(
        visit=visit,
        organisation_name=organisation_name.strip(),
        city=city.strip(),
        country=country.strip(),
        starts_at=starts_at,
        topic=topic.strip(),
    )
    host.full_clean()
    host.save()
    audit_log(actor=actor, action="host_visit.create", obj=host, project=visit.activity.project)
    return host


def host_visit_update(
    *,
    host: HostVisit,
    actor,
    organisation_name: str,
    city: str,
    country: str,
    starts_at: datetime,
    topic: str,
) -> HostVisit:
    _check_host_time(host.visit, starts_at)
    host.organisation_name = organisation_name.strip()
    host.city = city.strip()
    host.country = country.strip()
    host.starts_at = starts_at
    host.topic = topic.strip()
    host.full_clean()
    host.save()
    audit_log(
        actor=actor, action="host_visit.update", obj=host, project=host.visit.activity.project
    )
    return host


def host_visit_delete(*, host: HostVisit, actor) -> None:
    audit_log(
        actor=actor, action="host_visit.delete", obj=host, project=host.visit.activity.project
    )
    host.delete()


def host_visit_outcomes_save(
    *, host: HostVisit, actor, outcomes: str, now: datetime | None = None
) -> HostVisit:
    """The short report of what the group took home; only once the host visit has happened."""
    now = now or timezone.now()
    if host.starts_at > now:
        raise ValidationError(
            {"outcomes": _("Outcomes can be recorded once the host visit has taken place.")}
        )
    host.outcomes = outcomes.strip()
    host.full_clean()
    host.save(update_fields=["outcomes"])
    audit_log(
        actor=actor, action="host_visit.outcomes", obj=host, project=host.visit.activity.project
    )
    return host


def visit_enrolment_confirm(*, visit: StudyVisit, person: Person, actor) -> Enrolment:
    """A traveller becomes a confirmed enrolment of the visit's cohort (created or confirmed)."""
    enrolment = Enrolment.objects.filter(person=person, cohort=visit.cohort).first()
    organisation = person.organisation
    if enrolment is None:
        enrolment = Enrolment(
            person=person,
            cohort=visit.cohort,
            organisation=organisation,
            organisation_name=organisation.name if organisation else "",
            position=person.position,
            position_category=person.position_category,
            enrolled_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    enrolment.status = EnrolmentStatus.CONFIRMED
    enrolment.waiting_position = None
    enrolment.full_clean()
    enrolment.save()
    audit_log(
        actor=actor,
        action="enrolment.confirm_for_study_visit",
        obj=enrolment,
        project=visit.activity.project,
    )
    return enrolment


def _partner_full_reason(visit: StudyVisit, candidate: Candidate) -> str:
    if not candidate.partner_full:
        return ""
    name = candidate.partner.organisation.name if candidate.partner else _("no partner")
    return _("%(partner)s already has %(n)s travellers, the most allowed per partner") % {
        "partner": name,
        "n": visit.max_per_partner,
    }


def _refuse_without_reason(person: Person, reasons: list[str], override_reason: str) -> None:
    if reasons and not override_reason.strip():
        raise ValidationError(
            {
                "override_reason": _(
                    "%(person)s does not meet the selection criteria (%(reasons)s). Write the "
                    "reason for this exception, or choose someone who meets them."
                )
                % {"person": person.full_name, "reasons": "; ".join(reasons)}
            }
        )


def _next_reserve_rank(visit: StudyVisit) -> int:
    return (visit.travellers.aggregate(m=Max("reserve_rank"))["m"] or 0) + 1


@transaction.atomic
def traveller_add(
    *, visit: StudyVisit, person: Person, status: str, actor, override_reason: str = ""
) -> Traveller:
    """Select a person as a traveller or for the reserve list.

    Someone who does not meet the criteria (or whose partner has used its places) is taken only
    with a written reason, which the audit log keeps; otherwise the choice is refused.
    """
    StudyVisit.objects.select_for_update().filter(pk=visit.pk).first()
    if visit.travellers.filter(person=person).exists():
        message = _("%(person)s is already selected.") % {"person": person.full_name}
        raise ValidationError(agree(message, person.full_name))
    candidate = candidate_for(visit, person)
    reasons = list(candidate.reasons)
    if status == TravellerStatus.TRAVELLER:
        going = visit.travellers.filter(status=TravellerStatus.TRAVELLER).count()
        if going >= visit.places:
            raise ValidationError(
                _("All %(n)s places are taken; add the person to the reserve list instead.")
                % {"n": visit.places}
            )
        partner_reason = _partner_full_reason(visit, candidate)
        if partner_reason:
            reasons.append(partner_reason)
    _refuse_without_reason(person, reasons, override_reason)
    traveller = Traveller(
        visit=visit,
        person=person,
        status=status,
        reserve_rank=_next_reserve_rank(visit) if status == TravellerStatus.RESERVE else None,
        completed_modules=candidate.completed_modules,
        met_criteria=not reasons,
        override_reason=override_reason.strip() if reasons else "",
        selected_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    traveller.full_clean()
    if status == TravellerStatus.TRAVELLER:
        traveller.enrolment = visit_enrolment_confirm(visit=visit, person=person, actor=actor)
    traveller.save()
    audit_log(
        actor=actor,
        action="study_visit.traveller_add",
        obj=traveller,
        project=visit.activity.project,
        summary=f"{person.full_name}: {traveller.get_status_display()}",
        data={
            "status": status,
            "met_criteria": not reasons,
            "reasons": reasons,
            "override_reason": traveller.override_reason,
        },
    )
    return traveller


@transaction.atomic
def traveller_promote(*, traveller: Traveller, actor, override_reason: str = "") -> Traveller:
    """Move a person from the reserve list to the travellers."""
    visit = traveller.visit
    StudyVisit.objects.select_for_update().filter(pk=visit.pk).first()
    if traveller.status != TravellerStatus.RESERVE:
        raise ValidationError(_("Only a person on the reserve list can be moved up."))
    going = visit.travellers.filter(status=TravellerStatus.TRAVELLER).count()
    if going >= visit.places:
        raise ValidationError(
            _("All %(n)s places are taken; remove a traveller first.") % {"n": visit.places}
        )
    candidate = candidate_for(visit, traveller.person)
    reasons = list(candidate.reasons)
    partner_reason = _partner_full_reason(visit, candidate)
    if partner_reason:
        reasons.append(partner_reason)
    reason = override_reason.strip() or traveller.override_reason
    _refuse_without_reason(traveller.person, reasons, reason)
    traveller.status = TravellerStatus.TRAVELLER
    traveller.reserve_rank = None
    traveller.met_criteria = not reasons
    traveller.override_reason = reason if reasons else ""
    traveller.enrolment = visit_enrolment_confirm(visit=visit, person=traveller.person, actor=actor)
    traveller.full_clean()
    traveller.save()
    _renumber_reserves(visit)
    audit_log(
        actor=actor,
        action="study_visit.traveller_promote",
        obj=traveller,
        project=visit.activity.project,
        data={"reasons": reasons, "override_reason": traveller.override_reason},
    )
    return traveller


def _renumber_reserves(visit: StudyVisit) -> None:
    for rank, reserve in enumerate(
        visit.travellers.filter(status=TravellerStatus.RESERVE).order_by("reserve_rank", "id"),
        start=1,
    ):
        if reserve.reserve_rank != rank:
            reserve.reserve_rank = rank
            reserve.save(update_fields=["reserve_rank"])


@transaction.atomic
def traveller_remove(*, traveller: Traveller, actor) -> None:
    """Take a person off the visit; their enrolment in the visit's cohort is cancelled."""
    if traveller.costs.exists():
        raise ValidationError(
            _("Costs are linked to this traveller; unlink them before removing the person.")
        )
    visit = traveller.visit
    if traveller.enrolment_id:
        enrolment = traveller.enrolment
        enrolment.status = EnrolmentStatus.CANCELLED
        enrolment.waiting_position = None
        enrolment.save(update_fields=["status", "waiting_position", "updated_at"])
        audit_log(
            actor=actor,
            action="enrolment.cancel_for_study_visit",
            obj=enrolment,
            project=visit.activity.project,
        )
    audit_log(
        actor=actor,
        action="study_visit.traveller_remove",
        obj=traveller,
        project=visit.activity.project,
        summary=traveller.person.full_name,
    )
    traveller.delete()
    _renumber_reserves(visit)


@transaction.atomic
def selection_auto(
    *, visit: StudyVisit, actor, people, travellers: int, reserves: int
) -> tuple[int, int]:
    """Take the best-ranked people who meet the criteria: travellers up to the free places (and
    the partner limit), then the reserve list. Nobody is taken by exception here."""
    going = visit.travellers.filter(status=TravellerStatus.TRAVELLER).count()
    free = max(0, min(travellers, visit.places - going))
    ranked = candidates(visit, people)
    per_partner: dict[int | None, int] = defaultdict(int)
    for candidate in ranked:
        if (
            candidate.traveller is not None
            and candidate.traveller.status == TravellerStatus.TRAVELLER
        ):
            per_partner[candidate.partner.pk if candidate.partner else None] += 1
    added_travellers = added_reserves = 0
    for candidate in ranked:
        if added_travellers >= free and added_reserves >= reserves:
            break
        if candidate.traveller is not None or not candidate.eligible:
            continue
        key = candidate.partner.pk if candidate.partner else None
        room = visit.max_per_partner is None or per_partner[key] < visit.max_per_partner
        if added_travellers < free and room:
            status = TravellerStatus.TRAVELLER
            per_partner[key] += 1
            added_travellers += 1
        elif added_reserves < reserves:
            status = TravellerStatus.RESERVE
            added_reserves += 1
        else:
            continue
        traveller_add(visit=visit, person=candidate.person, status=status, actor=actor)
    return added_travellers, added_reserves


def traveller_checklist_update(
    *,
    traveller: Traveller,
    actor,
    travel_document_expiry: date | None,
    insurance: bool,
    consent: bool,
) -> Traveller:
    visit = traveller.visit
    if travel_document_expiry is not None and travel_document_expiry < visit.end_date:
        raise ValidationError(
            {
                "travel_document_expiry": _(
                    "The travel document expires on %(expiry)s, before the return date "
                    "%(end)s: it must be valid through the whole trip."
                )
                % {"expiry": travel_document_expiry.isoformat(), "end": visit.end_date.isoformat()}
            }
        )
    traveller.travel_document_expiry = travel_document_expiry
    traveller.insurance = insurance
    traveller.consent = consent
    traveller.full_clean()
    traveller.save(update_fields=["travel_document_expiry", "insurance", "consent"])
    audit_log(
        actor=actor,
        action="study_visit.checklist",
        obj=traveller,
        project=visit.activity.project,
        data={
            "document_valid_until": travel_document_expiry.isoformat()
            if travel_document_expiry
            else None,
            "insurance": insurance,
            "consent": consent,
        },
    )
    return traveller


@transaction.atomic
def traveller_cost_add(
    *, traveller: Traveller, expense: Expense, actor, amount: Decimal | None = None
) -> TravellerCost:
    """Link a budget expense (or a share of it) to a traveller."""
    project = traveller.visit.activity.project
    Expense.objects.select_for_update().filter(pk=expense.pk).first()
    if expense.line.project_id != project.pk:
        raise ValidationError({"expense": _("This expense does not belong to the project.")})
    if traveller.costs.filter(expense=expense).exists():
        raise ValidationError({"expense": _("This expense is already linked to the traveller.")})
    allocated = expense.traveller_costs.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    free = expense.amount - allocated
    if amount is None:
        amount = free
    try:
        amount = validate_amount(amount)
    except ValidationError as error:
        raise ValidationError({"amount": error.messages}) from None
    if amount > free:
        raise ValidationError(
            {
                "amount": _("Only %(free)s of this expense is not yet shared among travellers.")
                % {"free": format_money(free, project.currency)}
            }
        )
    cost = TravellerCost(traveller=traveller, expense=expense, amount=amount)
    cost.full_clean()
    cost.save()
    audit_log(
        actor=actor,
        action="study_visit.cost_add",
        obj=cost,
        project=project,
        data={"expense": expense.pk, "amount": str(amount)},
    )
    return cost


def traveller_cost_remove(*, cost: TravellerCost, actor) -> None:
    audit_log(
        actor=actor,
        action="study_visit.cost_remove",
        obj=cost,
        project=cost.traveller.visit.activity.project,
        data={"expense": cost.expense_id, "amount": str(cost.amount)},
    )
    cost.delete()
