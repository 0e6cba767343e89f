"""Study visit pages: coordinators only (partner, outsider and funder get 404); bad input."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kvalis.visits.models import HostVisit, StudyVisit, Traveller
from tests.factories import (
    ActivityFactory,
    BudgetLineFactory,
    CohortFactory,
    ExpenseFactory,
    HostVisitFactory,
    PersonFactory,
    TravellerCostFactory,
    TravellerFactory,
)


@pytest.fixture
def objects(world, visit):
    host = HostVisitFactory(visit=visit)
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    cost = TravellerCostFactory(
        traveller=traveller, expense=ExpenseFactory(line=BudgetLineFactory(project=world.project))
    )
    trip = ActivityFactory(project=world.project, kind="study_visit", title="Kita išvyka")
    CohortFactory(activity=trip)
    return {"host": host, "traveller": traveller, "cost": cost, "trip": trip}


def _pages(world, visit, o):
    code, v, t = world.project.code, visit.pk, o["traveller"].pk
    return {
        "index": reverse("visits:index", args=[code]),
        "create": reverse("visits:create", args=[code, o["trip"].pk]),
        "detail": reverse("visits:detail", args=[code, v]),
        "edit": reverse("visits:edit", args=[code, v]),
        "host_create": reverse("visits:host_create", args=[code, v]),
        "host_edit": reverse("visits:host_edit", args=[code, v, o["host"].pk]),
        "host_outcomes": reverse("visits:host_outcomes", args=[code, v, o["host"].pk]),
        "selection": reverse("visits:selection", args=[code, v]),
        "traveller": reverse("visits:traveller", args=[code, v, t]),
    }


def _actions(world, visit, o):
    code, v, t = world.project.code, visit.pk, o["traveller"].pk
    return [
        reverse("visits:host_delete", args=[code, v, o["host"].pk]),
        reverse("visits:selection_auto", args=[code, v]),
        reverse("visits:cost_add", args=[code, v, t]),
        reverse("visits:cost_remove", args=[code, v, t, o["cost"].pk]),
        reverse("visits:promote", args=[code, v, t]),
        reverse("visits:remove", args=[code, v, t]),
    ]


def test_coordinator_opens_every_visit_page(client, world, visit, objects):
    client.force_login(world.alice)
    for name, url in _pages(world, visit, objects).items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("persona", ["bob", "charlie", "dora"])
def test_partner_outsider_and_funder_get_404_everywhere(
    client, world, visit, objects, persona, dora
):
    user = dora if persona == "dora" else getattr(world, persona)
    client.force_login(user)
    for name, url in _pages(world, visit, objects).items():
        assert client.get(url).status_code == 404, name
        assert client.post(url, {}).status_code == 404, name
    for url in _actions(world, visit, objects):
        assert client.post(url).status_code == 404, url
    assert Traveller.objects.filter(pk=objects["traveller"].pk).exists()
    assert HostVisit.objects.filter(pk=objects["host"].pk).exists()


def test_visit_tab_only_for_coordinators(client, world, dora):
    url = reverse("projects:detail", args=[world.project.code])
    visits = reverse("visits:index", args=[world.project.code])
    for user, shown in [(world.alice, True), (world.bob, False), (dora, False)]:
        client.force_login(user)
        assert (visits in client.get(url).text) is shown


def test_selection_refuses_a_person_not_meeting_criteria_without_reason(
    client, world, visit, participant
):
    person = participant(0, enrolled=1)
    client.force_login(world.alice)
    url = reverse("visits:selection", args=[world.project.code, visit.pk])
    response = client.post(url, {"person": person.pk, "status": "traveller"})
    assert response.status_code == 400
    assert "neatitinka atrankos kriterijų" in response.text
    assert not Traveller.objects.exists()
    response = client.post(
        url, {"person": person.pk, "status": "traveller", "override_reason": "Vienintelė iš rajono"}
    )
    assert response.status_code == 302
    assert Traveller.objects.get().override_reason == "Vienintelė iš rajono"


def test_selection_lists_ranked_people_and_adds_the_best(client, world, visit, participant):
    best = participant(2, last_name="Geriausia")
    participant(1, last_name="Antra")
    client.force_login(world.alice)
    url = reverse("visits:selection", args=[world.project.code, visit.pk])
    page = client.get(url).text
    assert page.index("Geriausia") < page.index("Antra")
    client.post(
        reverse("visits:selection_auto", args=[world.project.code, visit.pk]),
        {"travellers": 1, "reserves": 1},
    )
    assert Traveller.objects.get(status="traveller").person == best


def test_selection_refuses_a_person_of_another_project(client, world, visit):
    stranger = PersonFactory()
    client.force_login(world.alice)
    response = client.post(
        reverse("visits:selection", args=[world.project.code, visit.pk]),
        {"person": stranger.pk, "status": "traveller", "override_reason": "x"},
    )
    assert response.status_code == 400
    assert "Šio asmens negalima atrinkti" in response.text
    assert not Traveller.objects.exists()


def test_checklist_refuses_a_document_expiring_before_the_return(client, world, visit):
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    client.force_login(world.alice)
    url = reverse("visits:traveller", args=[world.project.code, visit.pk, traveller.pk])
    response = client.post(
        url, {"travel_document_expiry": "2014-11-06", "insurance": "on", "consent": "on"}
    )
    assert response.status_code == 400
    assert "prieš grįžimo datą 2014-11-07" in response.text
    traveller.refresh_from_db()
    assert traveller.travel_document_expiry is None
    response = client.post(
        url, {"travel_document_expiry": "2020-01-01", "insurance": "on", "consent": "on"}
    )
    assert response.status_code == 302
    traveller.refresh_from_db()
    assert traveller.checklist_complete(visit)


def test_cost_form_refuses_an_expense_of_another_project(client, world, visit):
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    foreign = ExpenseFactory(line=BudgetLineFactory(project=world.other_project))
    client.force_login(world.alice)
    response = client.post(
        reverse("visits:cost_add", args=[world.project.code, visit.pk, traveller.pk]),
        {"expense": foreign.pk},
    )
    assert response.status_code == 400
    assert "Pasirinkite šio projekto išlaidą" in response.text
    assert not traveller.costs.exists()


def test_cost_form_links_a_share_typed_the_lithuanian_way(client, world, visit):
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    hotel = ExpenseFactory(line=BudgetLineFactory(project=world.project), amount=Decimal("1234.50"))
    client.force_login(world.alice)
    response = client.post(
        reverse("visits:cost_add", args=[world.project.code, visit.pk, traveller.pk]),
        {"expense": hotel.pk, "amount": "234,50"},
    )
    assert response.status_code == 302
    assert traveller.costs.get().amount == Decimal("234.50")
    detail = client.get(reverse("visits:detail", args=[world.project.code, visit.pk])).text
    assert "234,50 Lt" in detail


def test_host_form_refuses_a_time_outside_the_trip(client, world, visit):
    client.force_login(world.alice)
    response = client.post(
        reverse("visits:host_create", args=[world.project.code, visit.pk]),
        {
            "organisation_name": "Talino centras",
            "city": "Talinas",
            "country": "Estija",
            "starts_at": "2014-12-01T10:00",
            "topic": "Jaunimas",
        },
    )
    assert response.status_code == 200
    assert "kelionės metu" in response.text
    assert not HostVisit.objects.exists()


def test_visit_set_up_through_the_form(client, world, objects):
    trip = objects["trip"]
    client.force_login(world.alice)
    response = client.post(
        reverse("visits:create", args=[world.project.code, trip.pk]),
        {
            "cohort": trip.cohorts.get().pk,
            "destination_city": "Talinas",
            "destination_country": "Estija",
            "start_date": "2014-11-05",
            "end_date": "2014-11-04",
            "places": 18,
            "min_completed_modules": 1,
        },
    )
    assert response.status_code == 200
    assert "Grįžimo data negali būti ankstesnė" in response.text
    assert not StudyVisit.objects.filter(activity=trip).exists()
    data = {
        "cohort": trip.cohorts.get().pk,
        "destination_city": "Talinas",
        "destination_country": "Estija",
        "start_date": "2014-11-05",
        "end_date": "2014-11-07",
        "places": 18,
        "min_completed_modules": 1,
        "position_categories": ["head", "specialist"],
    }
    response = client.post(reverse("visits:create", args=[world.project.code, trip.pk]), data)
    assert response.status_code == 302
    visit = StudyVisit.objects.get(activity=trip)
    assert visit.end_date == date(2014, 11, 7)
    assert visit.position_categories == ["head", "specialist"]


def test_reserve_moves_up_and_a_traveller_is_removed_through_the_pages(
    client, world, visit, participant
):
    from kvalis.visits import services

    reserve = services.traveller_add(
        visit=visit, person=participant(1), status="reserve", actor=world.alice
    )
    client.force_login(world.alice)
    code = world.project.code
    client.post(reverse("visits:promote", args=[code, visit.pk, reserve.pk]))
    reserve.refresh_from_db()
    assert reserve.status == "traveller" and reserve.enrolment.status == "confirmed"
    response = client.post(reverse("visits:remove", args=[code, visit.pk, reserve.pk]))
    assert response.status_code == 302
    assert not Traveller.objects.exists()
    reserve.enrolment.refresh_from_db()
    assert reserve.enrolment.status == "cancelled"


def test_cost_is_unlinked_and_host_removed_through_the_pages(client, world, visit, objects):
    client.force_login(world.alice)
    code = world.project.code
    traveller, cost, host = objects["traveller"], objects["cost"], objects["host"]
    client.post(reverse("visits:cost_remove", args=[code, visit.pk, traveller.pk, cost.pk]))
    assert not traveller.costs.exists()
    client.post(reverse("visits:host_delete", args=[code, visit.pk, host.pk]))
    assert not visit.hosts.exists()


def test_outcomes_form_saves_the_report_of_a_past_host_visit(client, world, visit, objects):
    client.force_login(world.alice)
    host = objects["host"]
    url = reverse("visits:host_outcomes", args=[world.project.code, visit.pk, host.pk])
    response = client.post(url, {"outcomes": "Parsivežėme savanorystės idėjų."})
    assert response.status_code == 302
    host.refresh_from_db()
    assert host.outcomes == "Parsivežėme savanorystės idėjų."
    assert client.post(url, {"outcomes": ""}).status_code == 200
