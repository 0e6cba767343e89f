"""Budget and visit pages run a fixed number of queries whatever the amount of data."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvalis.visits.models import Traveller
from tests.factories import (
    AttendanceFactory,
    BudgetLineFactory,
    EnrolmentFactory,
    ExpenseFactory,
    PersonFactory,
    StudyVisitFactory,
    TravellerCostFactory,
)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _add_budget(project, n):
    for _ in range(n):
        line = BudgetLineFactory(project=project, planned_amount=Decimal("100.00"))
        ExpenseFactory(line=line, amount=Decimal("10.01"))
        ExpenseFactory(line=line, amount=Decimal("95.00"))


def test_budget_pages_do_not_grow_with_lines_and_expenses(client, world):
    client.force_login(world.alice)
    code = world.project.code
    urls = [
        reverse("budget:overview", args=[code]),
        reverse("budget:expenses", args=[code]),
        reverse("budget:export_xlsx", args=[code]),
    ]
    _add_budget(world.project, 2)
    small = [_queries(client, url) for url in urls]
    _add_budget(world.project, 12)
    large = [_queries(client, url) for url in urls]
    assert small == large


def _add_people(world, visit, n):
    for _ in range(n):
        person = PersonFactory(organisation=world.lead)
        enrolment = EnrolmentFactory(person=person, cohort=world.cohort)
        AttendanceFactory(enrolment=enrolment, session=world.session)
        traveller = Traveller.objects.create(
            visit=visit, person=person, status="traveller", completed_modules=1
        )
        TravellerCostFactory(
            traveller=traveller,
            expense=ExpenseFactory(line=BudgetLineFactory(project=world.project)),
        )
        EnrolmentFactory(person=PersonFactory(organisation=world.lead), cohort=world.cohort)


def test_visit_pages_do_not_grow_with_candidates_and_travellers(client, world):
    visit = StudyVisitFactory(project=world.project, places=100)
    client.force_login(world.alice)
    code = world.project.code
    urls = [
        reverse("visits:detail", args=[code, visit.pk]),
        reverse("visits:selection", args=[code, visit.pk]),
    ]
    _add_people(world, visit, 2)
    small = [_queries(client, url) for url in urls]
    _add_people(world, visit, 10)
    large = [_queries(client, url) for url in urls]
    assert small == large
