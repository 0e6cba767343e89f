"""Every destructive action asks first: its URL answers GET with a page saying what will happen
(who is told, what is kept) and a button that POSTs to the same URL; the lists link to that
page. The GET changes nothing, the POST acts, another organisation's object answers 404, and an
action the rules refuse says why and changes nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from kvalis.api.services import api_token_create
from kvalis.budget.models import BudgetLine, Expense
from kvalis.enrolment.models import CalendarToken, Enrolment
from kvalis.surveys.models import Question
from kvalis.visits.models import HostVisit, Traveller, TravellerCost
from tests.factories import (
    BudgetLineFactory,
    CohortFactory,
    EnrolmentFactory,
    ExpenseFactory,
    HostVisitFactory,
    StudyVisitFactory,
    SurveyFactory,
    SurveyQuestionFactory,
    TravellerCostFactory,
    TravellerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _future_cohort(world):
    start = date.today() + timedelta(days=30)
    return CohortFactory(activity=world.activity, start_date=start, end_date=start)


def _asks(client, url: str, *words: str) -> str:
    """GET `url`: a confirmation page whose form posts back to it; returns its text."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    text = response.content.decode()
    assert 'method="post"' in text and 'class="button danger"' in text
    for word in words:
        assert word in text, (url, word)
    return text


def _hidden_from_others(client, world, url: str) -> None:
    for user in (world.bob, world.charlie):
        client.force_login(user)
        assert client.get(url).status_code == 404, (url, user.email)
        assert client.post(url).status_code == 404, (url, user.email)


# --- budget -----------------------------------------------------------------------------------


def test_deleting_a_budget_line_asks_first_then_deletes(client, world):
    line = BudgetLineFactory(project=world.project, title="Lektorių honorarai")
    url = reverse("budget:line_delete", args=[world.project.code, line.pk])
    client.force_login(world.alice)
    edit_page = client.get(reverse("budget:line_edit", args=[world.project.code, line.pk]))
    assert f'href="{url}"' in edit_page.content.decode()
    _asks(client, url, "Lektorių honorarai", "1 000,00 Lt", "niekam nepranešama")
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    assert client.post(url).status_code == 302
    assert not BudgetLine.objects.filter(pk=line.pk).exists()


def test_a_budget_line_with_expenses_is_kept_and_the_page_says_why(client, world):
    line = BudgetLineFactory(project=world.project)
    ExpenseFactory(line=line)
    client.force_login(world.alice)
    response = client.post(reverse("budget:line_delete", args=[world.project.code, line.pk]))
    assert response.status_code == 400
    assert "Šioje eilutėje yra išlaidų" in response.content.decode()
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_deleting_an_expense_asks_first_then_deletes(client, world):
    expense = ExpenseFactory(
        line=BudgetLineFactory(project=world.project), amount=Decimal("7240.50")
    )
    url = reverse("budget:expense_delete", args=[world.project.code, expense.pk])
    client.force_login(world.alice)
    edit_page = client.get(reverse("budget:expense_edit", args=[world.project.code, expense.pk]))
    assert f'href="{url}"' in edit_page.content.decode()
    _asks(client, url, expense.document_number, "7 240,50 Lt", "2014-05-12")
    assert Expense.objects.filter(pk=expense.pk).exists()
    assert client.post(url).status_code == 302
    assert not Expense.objects.filter(pk=expense.pk).exists()


def test_budget_confirmations_are_hidden_from_partners_and_outsiders(client, world):
    line = BudgetLineFactory(project=world.project)
    expense = ExpenseFactory(line=BudgetLineFactory(project=world.project))
    for url in (
        reverse("budget:line_delete", args=[world.project.code, line.pk]),
        reverse("budget:expense_delete", args=[world.project.code, expense.pk]),
    ):
        _hidden_from_others(client, world, url)
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    assert Expense.objects.filter(pk=expense.pk).exists()


# --- enrolment --------------------------------------------------------------------------------


def test_rejecting_an_application_asks_first_and_says_the_person_is_told(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    cohort = _future_cohort(world)
    applied = EnrolmentFactory(cohort=cohort, person=world.person_a, status="applied")
    url = reverse("enrolment:reject", args=[world.project.code, applied.pk])
    client.force_login(world.alice)
    roster = client.get(reverse("enrolment:roster", args=[world.project.code, cohort.pk]))
    assert f'href="{url}"' in roster.content.decode()
    assert f'action="{url}"' not in roster.content.decode()
    _asks(client, url, world.person_a.full_name, "gaus el. laišką")
    applied.refresh_from_db()
    assert applied.status == "applied" and mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    applied.refresh_from_db()
    assert applied.status == "rejected"
    assert [m.to for m in mailoutbox] == [[world.person_a.email]]


def test_approving_stays_one_click(client, world):
    applied = EnrolmentFactory(cohort=_future_cohort(world), status="applied")
    client.force_login(world.alice)
    url = reverse("enrolment:approve", args=[world.project.code, applied.pk])
    assert client.get(url).status_code == 405


def test_cancelling_from_the_roster_opens_the_confirmation(client, world):
    cohort = _future_cohort(world)
    enrolment = EnrolmentFactory(cohort=cohort, person=world.person_a)
    url = reverse("enrolment:cancel", args=[world.project.code, enrolment.pk])
    client.force_login(world.alice)
    roster = client.get(reverse("enrolment:roster", args=[world.project.code, cohort.pk]))
    assert f'href="{url}"' in roster.content.decode()
    assert f'action="{url}"' not in roster.content.decode()
    _asks(client, url, "laukiančiųjų", "gaus el. laišką")
    enrolment.refresh_from_db()
    assert enrolment.status == "confirmed"
    assert client.post(url).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "cancelled"


def test_enrolment_confirmations_are_hidden_from_partners_and_outsiders(client, world):
    applied = EnrolmentFactory(
        cohort=_future_cohort(world), person=world.person_a, status="applied"
    )
    _hidden_from_others(
        client, world, reverse("enrolment:reject", args=[world.project.code, applied.pk])
    )
    applied.refresh_from_db()
    assert applied.status == "applied"


@pytest.fixture
def participant(world):
    user = UserFactory()
    world.person_a.user = user
    world.person_a.save()
    return user


def test_a_participant_cancelling_their_own_enrolment_is_asked_first(client, world, participant):
    enrolment = EnrolmentFactory(cohort=_future_cohort(world), person=world.person_a)
    url = reverse("enrolment:my_cancel", args=[enrolment.pk])
    client.force_login(participant)
    trainings = client.get(reverse("enrolment:my_trainings")).content.decode()
    assert f'href="{url}"' in trainings
    _asks(client, url, world.activity.title, "laukiančiųjų")
    enrolment.refresh_from_db()
    assert enrolment.status == "confirmed"
    assert client.post(url).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "cancelled"


def test_nobody_else_sees_a_participants_cancel_page(client, world, participant):
    enrolment = EnrolmentFactory(cohort=_future_cohort(world), person=world.person_a)
    url = reverse("enrolment:my_cancel", args=[enrolment.pk])
    for user in (world.alice, world.dana):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert Enrolment.objects.get(pk=enrolment.pk).status == "confirmed"


def test_a_started_training_is_not_offered_for_cancelling(client, world, participant):
    enrolment = EnrolmentFactory(cohort=world.cohort, person=world.person_a)
    client.force_login(participant)
    response = client.get(reverse("enrolment:my_cancel", args=[enrolment.pk]), follow=True)
    assert "Jau prasidėjusių mokymų čia atšaukti negalima." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == "confirmed"


def test_a_new_calendar_address_is_made_only_after_the_confirmation(client, world, participant):
    token = CalendarToken.objects.create(person=world.person_a)
    url = reverse("enrolment:my_calendar_reset")
    client.force_login(participant)
    _asks(client, url, "nebeveiks")
    assert CalendarToken.objects.get(person=world.person_a).pk == token.pk
    assert client.post(url).status_code == 302
    assert CalendarToken.objects.get(person=world.person_a).pk != token.pk


# --- surveys ----------------------------------------------------------------------------------


def test_closing_a_survey_asks_first_then_closes(client, world):
    survey = SurveyFactory(activity=world.activity)
    url = reverse("surveys:survey_close", args=[world.project.code, survey.pk])
    client.force_login(world.alice)
    detail = client.get(reverse("surveys:survey_detail", args=[world.project.code, survey.pk]))
    assert f'href="{url}"' in detail.content.decode()
    _asks(client, url, survey.title, "nebegalės atsakyti")
    survey.refresh_from_db()
    assert survey.status == "open"
    assert client.post(url).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "closed"


def test_closing_a_closed_survey_says_why_not(client, world):
    survey = SurveyFactory(activity=world.activity, status="closed")
    client.force_login(world.alice)
    response = client.post(reverse("surveys:survey_close", args=[world.project.code, survey.pk]))
    assert response.status_code == 400
    assert "Uždaryti galima tik atidarytą apklausą." in response.content.decode()


def test_removing_a_question_asks_first_then_removes(client, world):
    question = SurveyQuestionFactory(template__project=world.project, text="Ar buvo naudinga?")
    template = question.template
    url = reverse("surveys:question_delete", args=[world.project.code, template.pk, question.pk])
    client.force_login(world.alice)
    _asks(client, url, "Ar buvo naudinga?", template.title)
    assert Question.objects.filter(pk=question.pk).exists()
    assert client.post(url).status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()


def test_survey_confirmations_are_hidden_from_partners_and_outsiders(client, world):
    survey = SurveyFactory(activity=world.activity)
    question = SurveyQuestionFactory(template__project=world.project)
    for url in (
        reverse("surveys:survey_close", args=[world.project.code, survey.pk]),
        reverse(
            "surveys:question_delete", args=[world.project.code, question.template.pk, question.pk]
        ),
    ):
        _hidden_from_others(client, world, url)
    survey.refresh_from_db()
    assert survey.status == "open" and Question.objects.filter(pk=question.pk).exists()


# --- study visits -----------------------------------------------------------------------------


@pytest.fixture
def visit(world):
    return StudyVisitFactory(project=world.project)


def test_removing_a_host_visit_asks_first_then_removes(client, world, visit):
    host = HostVisitFactory(visit=visit, organisation_name="Talino jaunimo centras")
    url = reverse("visits:host_delete", args=[world.project.code, visit.pk, host.pk])
    client.force_login(world.alice)
    form = client.get(reverse("visits:host_edit", args=[world.project.code, visit.pk, host.pk]))
    assert f'href="{url}"' in form.content.decode()
    _asks(client, url, "Talino jaunimo centras", "2014-11-05 10:00")
    assert HostVisit.objects.filter(pk=host.pk).exists()
    assert client.post(url).status_code == 302
    assert not HostVisit.objects.filter(pk=host.pk).exists()


def test_unlinking_a_cost_keeps_the_expense(client, world, visit):
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    expense = ExpenseFactory(line=BudgetLineFactory(project=world.project), amount=Decimal("90"))
    cost = TravellerCostFactory(traveller=traveller, expense=expense)
    url = reverse("visits:cost_remove", args=[world.project.code, visit.pk, traveller.pk, cost.pk])
    client.force_login(world.alice)
    _asks(client, url, expense.document_number, "90,00 Lt")
    assert TravellerCost.objects.filter(pk=cost.pk).exists()
    assert client.post(url).status_code == 302
    assert not TravellerCost.objects.filter(pk=cost.pk).exists()
    assert Expense.objects.filter(pk=expense.pk).exists()


def test_removing_a_traveller_asks_first_and_refuses_one_with_costs(client, world, visit):
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    cost = TravellerCostFactory(
        traveller=traveller, expense=ExpenseFactory(line=BudgetLineFactory(project=world.project))
    )
    url = reverse("visits:remove", args=[world.project.code, visit.pk, traveller.pk])
    client.force_login(world.alice)
    _asks(client, url, world.person_a.full_name)
    refused = client.post(url)
    assert refused.status_code == 400
    assert "atsiekite jas" in refused.content.decode()
    assert Traveller.objects.filter(pk=traveller.pk).exists()
    cost.delete()
    assert client.post(url).status_code == 302
    assert not Traveller.objects.filter(pk=traveller.pk).exists()


def test_visit_confirmations_are_hidden_from_partners_and_outsiders(client, world, visit):
    host = HostVisitFactory(visit=visit)
    traveller = TravellerFactory(visit=visit, person=world.person_a)
    cost = TravellerCostFactory(
        traveller=traveller, expense=ExpenseFactory(line=BudgetLineFactory(project=world.project))
    )
    code = world.project.code
    for url in (
        reverse("visits:host_delete", args=[code, visit.pk, host.pk]),
        reverse("visits:cost_remove", args=[code, visit.pk, traveller.pk, cost.pk]),
        reverse("visits:remove", args=[code, visit.pk, traveller.pk]),
    ):
        _hidden_from_others(client, world, url)
    assert HostVisit.objects.filter(pk=host.pk).exists()
    assert TravellerCost.objects.filter(pk=cost.pk).exists()


# --- API tokens -------------------------------------------------------------------------------


def test_revoking_an_api_token_asks_first_then_revokes(client, world):
    token, _raw = api_token_create(user=world.alice, name="Ataskaitų skriptas")
    url = reverse("api:token_revoke", args=[token.pk])
    client.force_login(world.alice)
    assert f'href="{url}"' in client.get(reverse("api:tokens")).content.decode()
    _asks(client, url, "Ataskaitų skriptas", token.prefix)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.force_login(world.bob)
    assert client.get(url).status_code == 404
