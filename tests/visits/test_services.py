"""Study visit rules: selection by criteria, exceptions with reasons, checklist, costs, outcomes."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from kvalis.audit.models import AuditEntry
from kvalis.enrolment.models import Enrolment
from kvalis.people.models import Person
from kvalis.visits import services
from kvalis.visits.models import HostVisit, StudyVisit, Traveller
from kvalis.visits.selectors import candidates, visit_summary
from tests.factories import (
    ActivityFactory,
    BudgetLineFactory,
    CohortFactory,
    EnrolmentFactory,
    ExpenseFactory,
    HostVisitFactory,
    TravellerFactory,
)
from tests.visits.conftest import shift_enrolled

VILNIUS = ZoneInfo("Europe/Vilnius")


def test_candidates_are_ranked_by_completed_modules_then_earlier_enrolment(
    world, visit, participant
):
    one_late = participant(1, last_name="Vėlyvoji")
    one_early = participant(1, last_name="Ankstyvoji")
    two = participant(2, last_name="Dvimodulė")
    none = participant(0, enrolled=1, last_name="Nebaigusi")
    shift_enrolled(one_early, 10)
    ranked = candidates(visit, Person.objects.all())
    assert [c.person for c in ranked] == [two, one_early, one_late, none]
    assert [c.completed_modules for c in ranked] == [2, 1, 1, 0]
    assert ranked[-1].eligible is False
    assert "baigė 0 iš privalomų 1 modulių" in ranked[-1].reasons[0]


def test_position_category_criterion(world, visit, participant):
    head = participant(1, position_category="head")
    specialist = participant(1, position_category="specialist")
    visit.position_categories = ["head"]
    visit.save()
    by_person = {c.person: c for c in candidates(visit, Person.objects.all())}
    assert by_person[head].eligible
    assert not by_person[specialist].eligible


def test_traveller_who_does_not_meet_criteria_is_refused_without_a_reason(
    world, visit, participant
):
    person = participant(0, enrolled=1)
    with pytest.raises(ValidationError) as caught:
        services.traveller_add(visit=visit, person=person, status="traveller", actor=world.alice)
    assert "neatitinka atrankos kriterijų" in caught.value.message_dict["override_reason"][0]
    assert not Traveller.objects.exists()
    assert not Enrolment.objects.filter(cohort=visit.cohort).exists()


def test_traveller_not_meeting_criteria_is_taken_with_a_written_reason_and_audited(
    world, visit, participant
):
    person = participant(0, enrolled=1)
    traveller = services.traveller_add(
        visit=visit,
        person=person,
        status="traveller",
        actor=world.alice,
        override_reason="Bibliotekos jaunimo erdvės vadovė, vienintelė iš savivaldybės",
    )
    assert traveller.met_criteria is False
    entry = AuditEntry.objects.get(action="study_visit.traveller_add")
    assert entry.data["override_reason"].startswith("Bibliotekos")
    assert entry.data["met_criteria"] is False


def test_a_blank_reason_is_no_reason(world, visit, participant):
    person = participant(0, enrolled=1)
    with pytest.raises(ValidationError):
        services.traveller_add(
            visit=visit, person=person, status="reserve", actor=world.alice, override_reason="   "
        )
    assert not Traveller.objects.exists()


def test_traveller_becomes_a_confirmed_enrolment_of_the_visit_cohort(world, visit, participant):
    person = participant(1)
    traveller = services.traveller_add(
        visit=visit, person=person, status="traveller", actor=world.alice
    )
    enrolment = Enrolment.objects.get(person=person, cohort=visit.cohort)
    assert enrolment.status == "confirmed"
    assert traveller.enrolment == enrolment
    assert enrolment.organisation == person.organisation


def test_an_earlier_cancelled_enrolment_in_the_visit_cohort_is_confirmed_again(
    world, visit, participant
):
    person = participant(1)
    EnrolmentFactory(person=person, cohort=visit.cohort, status="cancelled")
    services.traveller_add(visit=visit, person=person, status="traveller", actor=world.alice)
    assert Enrolment.objects.get(person=person, cohort=visit.cohort).status == "confirmed"


def test_reserves_get_no_enrolment_and_are_numbered(world, visit, participant):
    first, second = participant(1), participant(1)
    a = services.traveller_add(visit=visit, person=first, status="reserve", actor=world.alice)
    b = services.traveller_add(visit=visit, person=second, status="reserve", actor=world.alice)
    assert (a.reserve_rank, b.reserve_rank) == (1, 2)
    assert not Enrolment.objects.filter(cohort=visit.cohort).exists()


def test_no_traveller_beyond_the_places(world, visit, participant):
    visit.places = 1
    visit.save()
    services.traveller_add(
        visit=visit, person=participant(1), status="traveller", actor=world.alice
    )
    with pytest.raises(ValidationError) as caught:
        services.traveller_add(
            visit=visit,
            person=participant(1),
            status="traveller",
            actor=world.alice,
            override_reason="labai reikia",
        )
    assert "Visos vietos (1) užimtos" in caught.value.messages[0]
    assert Traveller.objects.count() == 1


def test_places_per_partner_limit_needs_a_reason_beyond_it(world, visit, participant):
    visit.max_per_partner = 1
    visit.save()
    services.traveller_add(
        visit=visit, person=participant(1), status="traveller", actor=world.alice
    )
    second = participant(1)
    with pytest.raises(ValidationError) as caught:
        services.traveller_add(visit=visit, person=second, status="traveller", actor=world.alice)
    assert "daugiausia leidžiamą" in caught.value.message_dict["override_reason"][0]
    # The reserve list is not limited per partner.
    assert services.traveller_add(visit=visit, person=second, status="reserve", actor=world.alice)


def test_selection_auto_takes_the_best_ranked_within_partner_limits(world, visit, participant):
    visit.max_per_partner = 2
    visit.save()
    lead_people = [participant(2) for _ in range(3)]
    partner_people = [participant(1, organisation=world.partner_b.organisation) for _ in range(2)]
    participant(0, enrolled=1)  # does not meet the criteria: never taken automatically
    added, reserves = services.selection_auto(
        visit=visit, actor=world.alice, people=Person.objects.all(), travellers=10, reserves=3
    )
    assert (added, reserves) == (4, 1)
    going = set(Traveller.objects.filter(status="traveller").values_list("person", flat=True))
    assert going == {p.pk for p in lead_people[:2] + partner_people}
    reserve = Traveller.objects.get(status="reserve")
    assert reserve.person == lead_people[2] and reserve.reserve_rank == 1


def test_removing_a_traveller_cancels_the_enrolment_and_renumbers_reserves(
    world, visit, participant
):
    traveller = services.traveller_add(
        visit=visit, person=participant(1), status="traveller", actor=world.alice
    )
    r1 = services.traveller_add(
        visit=visit, person=participant(1), status="reserve", actor=world.alice
    )
    r2 = services.traveller_add(
        visit=visit, person=participant(1), status="reserve", actor=world.alice
    )
    services.traveller_remove(traveller=r1, actor=world.alice)
    r2.refresh_from_db()
    assert r2.reserve_rank == 1
    enrolment = traveller.enrolment
    services.traveller_remove(traveller=traveller, actor=world.alice)
    enrolment.refresh_from_db()
    assert enrolment.status == "cancelled"


def test_promoting_a_reserve_enrols_them(world, visit, participant):
    reserve = services.traveller_add(
        visit=visit, person=participant(1), status="reserve", actor=world.alice
    )
    services.traveller_promote(traveller=reserve, actor=world.alice)
    reserve.refresh_from_db()
    assert reserve.status == "traveller" and reserve.reserve_rank is None
    assert reserve.enrolment.status == "confirmed"


def test_travel_document_expiring_before_the_return_date_is_refused(world, visit):
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    with pytest.raises(ValidationError) as caught:
        services.traveller_checklist_update(
            traveller=traveller,
            actor=world.alice,
            travel_document_expiry=date(2014, 11, 6),
            insurance=True,
            consent=True,
        )
    assert "prieš grįžimo datą" in caught.value.message_dict["travel_document_expiry"][0]
    traveller.refresh_from_db()
    assert traveller.travel_document_expiry is None and not traveller.insurance


def test_checklist_complete_when_document_valid_through_return_and_insurance_and_consent(
    world, visit
):
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    services.traveller_checklist_update(
        traveller=traveller,
        actor=world.alice,
        travel_document_expiry=visit.end_date,
        insurance=True,
        consent=False,
    )
    assert not traveller.checklist_complete(visit)
    services.traveller_checklist_update(
        traveller=traveller,
        actor=world.alice,
        travel_document_expiry=visit.end_date,
        insurance=True,
        consent=True,
    )
    assert traveller.checklist_complete(visit)


def test_cost_links_a_share_of_an_expense_and_never_more_than_it(world, visit):
    t1 = TravellerFactory(visit=visit, person=world.person_a)
    t2 = TravellerFactory(visit=visit, person=world.person_b)
    bus = ExpenseFactory(
        line=BudgetLineFactory(project=world.project, category="travel"), amount=Decimal("300.00")
    )
    services.traveller_cost_add(traveller=t1, expense=bus, actor=world.alice, amount=Decimal("150"))
    with pytest.raises(ValidationError) as caught:
        services.traveller_cost_add(
            traveller=t2, expense=bus, actor=world.alice, amount=Decimal("150.01")
        )
    assert "150,00 Lt" in caught.value.message_dict["amount"][0]
    rest = services.traveller_cost_add(traveller=t2, expense=bus, actor=world.alice)
    assert rest.amount == Decimal("150.00")


def test_cost_from_an_expense_of_another_project_is_refused(world, visit):
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    foreign = ExpenseFactory(line=BudgetLineFactory(project=world.other_project))
    with pytest.raises(ValidationError) as caught:
        services.traveller_cost_add(traveller=traveller, expense=foreign, actor=world.alice)
    assert "expense" in caught.value.message_dict
    assert not traveller.costs.exists()


def test_host_visit_outside_the_trip_dates_is_refused(world, visit):
    with pytest.raises(ValidationError) as caught:
        services.host_visit_create(
            visit=visit,
            actor=world.alice,
            organisation_name="Talino centras",
            city="Talinas",
            country="Estija",
            starts_at=datetime(2014, 11, 8, 10, tzinfo=VILNIUS),
            topic="Jaunimas",
        )
    assert "starts_at" in caught.value.message_dict
    assert not HostVisit.objects.exists()


def test_outcomes_only_after_the_host_visit_took_place(world, visit):
    host = HostVisitFactory(visit=visit)
    before = datetime.combine(visit.start_date, time(8), tzinfo=VILNIUS)
    with pytest.raises(ValidationError):
        services.host_visit_outcomes_save(host=host, actor=world.alice, outcomes="x", now=before)
    services.host_visit_outcomes_save(host=host, actor=world.alice, outcomes="Puiki patirtis")
    host.refresh_from_db()
    assert host.outcomes == "Puiki patirtis"


def test_study_visit_only_for_a_study_visit_activity_and_its_own_cohort(world):
    with pytest.raises(ValidationError):
        services.study_visit_create(
            activity=world.activity,
            cohort=world.cohort,
            actor=world.alice,
            destination_city="Talinas",
            destination_country="Estija",
            start_date=date(2014, 11, 5),
            end_date=date(2014, 11, 7),
        )
    trip = ActivityFactory(project=world.project, kind="study_visit")
    with pytest.raises(ValidationError):
        services.study_visit_create(
            activity=trip,
            cohort=world.cohort,
            actor=world.alice,
            destination_city="Talinas",
            destination_country="Estija",
            start_date=date(2014, 11, 5),
            end_date=date(2014, 11, 7),
        )
    cohort = CohortFactory(activity=trip)
    visit = services.study_visit_create(
        activity=trip,
        cohort=cohort,
        actor=world.alice,
        destination_city="Talinas",
        destination_country="Estija",
        start_date=date(2014, 11, 5),
        end_date=date(2014, 11, 7),
    )
    assert StudyVisit.objects.get() == visit


def test_visit_summary_for_reports(world, visit):
    HostVisitFactory(visit=visit, outcomes="Išmokome")
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    TravellerFactory(visit=visit, person=world.person_b, status="reserve", reserve_rank=1)
    expense = ExpenseFactory(line=BudgetLineFactory(project=world.project), amount=Decimal("500"))
    services.traveller_cost_add(traveller=traveller, expense=expense, actor=world.alice)
    summary = visit_summary(world.project)
    assert summary["destination"] == "Talinas"
    assert summary["start_date"] == date(2014, 11, 5)
    assert (summary["hosts"], summary["travellers"], summary["reserves"]) == (1, 1, 1)
    assert summary["cost_total"] == Decimal("500.00")
    assert summary["outcomes"][0]["outcomes"] == "Išmokome"
    assert visit_summary(world.other_project)["visits"] == []


def _update(visit, actor, **changes):
    fields = dict(
        destination_city=visit.destination_city,
        destination_country=visit.destination_country,
        start_date=visit.start_date,
        end_date=visit.end_date,
        description=visit.description,
        places=visit.places,
        min_completed_modules=visit.min_completed_modules,
        max_per_partner=visit.max_per_partner,
        position_categories=visit.position_categories,
    )
    fields.update(changes)
    return services.study_visit_update(visit=visit, actor=actor, cohort=visit.cohort, **fields)


def test_visit_dates_cannot_leave_host_visits_outside(world, visit):
    HostVisitFactory(visit=visit)  # on the first day
    with pytest.raises(ValidationError):
        _update(visit, world.alice, start_date=date(2014, 11, 6))
    visit.refresh_from_db()
    assert visit.start_date == date(2014, 11, 5)


def test_places_cannot_drop_below_confirmed_travellers(world, visit, participant):
    for _ in range(2):
        services.traveller_add(
            visit=visit, person=participant(1), status="traveller", actor=world.alice
        )
    with pytest.raises(ValidationError) as caught:
        _update(visit, world.alice, places=1)
    assert "places" in caught.value.message_dict
    assert _update(visit, world.alice, places=2).places == 2


def test_a_traveller_with_linked_costs_cannot_be_removed(world, visit):
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    expense = ExpenseFactory(line=BudgetLineFactory(project=world.project))
    services.traveller_cost_add(traveller=traveller, expense=expense, actor=world.alice)
    with pytest.raises(ValidationError):
        services.traveller_remove(traveller=traveller, actor=world.alice)
    assert Traveller.objects.filter(pk=traveller.pk).exists()


def test_the_same_person_cannot_be_selected_twice(world, visit, participant):
    person = participant(1)
    services.traveller_add(visit=visit, person=person, status="reserve", actor=world.alice)
    with pytest.raises(ValidationError):
        services.traveller_add(visit=visit, person=person, status="traveller", actor=world.alice)
    assert Traveller.objects.count() == 1
