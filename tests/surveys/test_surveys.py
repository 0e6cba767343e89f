"""Surveys of an activity or a cohort: creating, opening (automatically or by hand), inviting,
reminding only those who have not answered, closing."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from kvalis.surveys.models import Survey
from kvalis.surveys.services import (
    survey_close,
    survey_create,
    survey_open,
    survey_remind,
    survey_response_submit,
    survey_template_copy,
    survey_template_default_ensure,
    surveys_open_due,
)
from tests.factories import (
    ActivityFactory,
    CohortFactory,
    EnrolmentFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
)
from tests.surveys.conftest import full_answers

LATER = date.today() + timedelta(days=20)


@pytest.fixture
def template(world):
    return survey_template_copy(
        template=survey_template_default_ensure(), project=world.project, actor=world.alice
    )


def _people(cohort, n, status="confirmed", **kwargs):
    people = []
    for _index in range(n):
        person = PersonFactory(**kwargs)
        EnrolmentFactory(person=person, cohort=cohort, status=status)
        people.append(person)
    return people


def test_survey_of_a_past_activity_opens_at_once_and_invites_confirmed_participants(
    world, template, django_capture_on_commit_callbacks
):
    confirmed = _people(world.cohort, 3)
    _people(world.cohort, 2, status="applied")
    _people(world.cohort, 1, status="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        survey = survey_create(
            project=world.project,
            template=template,
            activity=world.activity,
            cohort=None,
            closes_on=LATER,
            actor=world.alice,
        )
    assert survey.status == "open" and survey.opened_on == timezone.localdate()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in confirmed)
    assert str(survey.public_id) in mail.outbox[0].body


def test_survey_of_a_future_cohort_waits_and_opens_after_its_last_session(world, template):
    future = CohortFactory(
        activity=world.activity,
        start_date=date.today() + timedelta(days=5),
        end_date=date.today() + timedelta(days=5),
    )
    SessionFactory(cohort=future)
    survey = survey_create(
        project=world.project,
        template=template,
        activity=world.activity,
        cohort=future,
        closes_on=LATER,
        actor=world.alice,
    )
    assert survey.status == "draft"
    assert surveys_open_due() == []
    later = timezone.now() + timedelta(days=6)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "localdate", lambda *a, **k: later.date())
        assert surveys_open_due(now=later) == [survey]
    survey.refresh_from_db()
    assert survey.status == "open"


def test_open_due_surveys_command_opens_due_automatic_surveys(world, template):
    survey = Survey.objects.create(
        project=world.project,
        template=template,
        activity=world.activity,
        title="Auto",
        open_mode="auto",
        closes_on=LATER,
    )
    out = StringIO()
    call_command("open_due_surveys", stdout=out)
    survey.refresh_from_db()
    assert survey.status == "open"
    assert "1" in out.getvalue()


def test_manual_survey_stays_draft_until_the_coordinator_opens_it(world, template):
    _people(world.cohort, 2)
    survey = survey_create(
        project=world.project,
        template=template,
        activity=world.activity,
        cohort=world.cohort,
        closes_on=LATER,
        open_mode="manual",
        actor=world.alice,
    )
    assert survey.status == "draft"
    assert surveys_open_due() == []
    assert survey_open(survey=survey, actor=world.alice) == 2
    with pytest.raises(ValidationError):
        survey_open(survey=survey, actor=world.alice)


def test_invitation_goes_in_the_recipients_language(
    world, template, django_capture_on_commit_callbacks
):
    english = PersonFactory(user=UserFactory(language="en"))
    lithuanian = PersonFactory(user=UserFactory(language="lt"))
    for person in (english, lithuanian):
        EnrolmentFactory(person=person, cohort=world.cohort)
    with django_capture_on_commit_callbacks(execute=True):
        survey_create(
            project=world.project,
            template=template,
            activity=world.activity,
            cohort=None,
            closes_on=LATER,
            actor=world.alice,
        )
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[english.email].startswith("Please evaluate")
    assert subjects[lithuanian.email].startswith("Įvertinkite")


@pytest.mark.parametrize(
    "problem",
    ["cohort_of_other_activity", "activity_of_other_project", "closes_in_past", "empty_template"],
)
def test_bad_survey_set_up_is_refused_and_nothing_saved(world, template, problem):
    kwargs = dict(
        project=world.project,
        template=template,
        activity=world.activity,
        cohort=None,
        closes_on=LATER,
        actor=world.alice,
    )
    if problem == "cohort_of_other_activity":
        kwargs["cohort"] = CohortFactory(activity=ActivityFactory(project=world.project))
    elif problem == "activity_of_other_project":
        kwargs["activity"] = ActivityFactory(project=world.other_project)
    elif problem == "closes_in_past":
        kwargs["closes_on"] = date.today() - timedelta(days=1)
    else:
        template.questions.all().delete()
    with pytest.raises(ValidationError):
        survey_create(**kwargs)
    assert not Survey.objects.exists()


def test_an_activity_is_never_surveyed_twice(world, template):
    common = dict(project=world.project, template=template, closes_on=LATER, actor=world.alice)
    survey_create(activity=world.activity, cohort=world.cohort, **common)
    with pytest.raises(ValidationError):
        survey_create(activity=world.activity, cohort=world.cohort, **common)
    with pytest.raises(ValidationError):
        survey_create(activity=world.activity, cohort=None, **common)
    other = ActivityFactory(project=world.project)
    cohort = CohortFactory(activity=other)
    survey_create(activity=other, cohort=None, **common)
    with pytest.raises(ValidationError):
        survey_create(activity=other, cohort=cohort, **common)
    assert Survey.objects.count() == 2


def test_reminder_goes_only_to_those_who_have_not_answered(sw, django_capture_on_commit_callbacks):
    answered = sw.participants[:2]
    for person in answered:
        survey_response_submit(survey=sw.survey, person=person, answers=full_answers(sw.questions))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = survey_remind(survey=sw.survey, actor=sw.world.alice)
    expected = {p.email for p in sw.participants[2:] + sw.participants2}
    assert sent == len(expected)
    assert {m.to[0] for m in mail.outbox} == expected
    sw.survey.refresh_from_db()
    assert sw.survey.reminded_on == timezone.localdate()


def test_reminder_command_reminds_for_open_surveys_only(sw, django_capture_on_commit_callbacks):
    survey_response_submit(
        survey=sw.survey, person=sw.participants[0], answers=full_answers(sw.questions)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_survey_reminders", stdout=StringIO())
    assert len(mail.outbox) == 8
    assert sw.participants[0].email not in {m.to[0] for m in mail.outbox}
    mail.outbox.clear()
    survey_close(survey=sw.survey, actor=sw.world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_survey_reminders", stdout=StringIO())
    assert mail.outbox == []


def test_closed_survey_cannot_be_reminded_or_closed_again(sw):
    survey_close(survey=sw.survey, actor=sw.world.alice)
    with pytest.raises(ValidationError):
        survey_remind(survey=sw.survey, actor=sw.world.alice)
    with pytest.raises(ValidationError):
        survey_close(survey=sw.survey, actor=sw.world.alice)


def test_a_survey_past_its_closing_day_no_longer_accepts_answers(sw):
    sw.survey.closes_on = date.today() - timedelta(days=1)
    assert not sw.survey.is_accepting()
    assert sw.survey.is_accepting(date.today() - timedelta(days=2))
    assert datetime  # noqa: B018 (imported for readability of dates above)


def test_coordinator_moves_the_closing_day_and_reopens_inviting_only_non_respondents(
    sw, client, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    survey_response_submit(
        survey=sw.survey, person=sw.participants[0], answers=full_answers(sw.questions)
    )
    survey_close(survey=sw.survey, actor=sw.world.alice)
    client.force_login(sw.world.alice)
    url = reverse("surveys:survey_detail", args=[sw.world.project.code, sw.survey.pk])
    past = (date.today() - timedelta(days=3)).isoformat()
    response = client.post(url, {"title": "Vertinimas", "closes_on": past})
    assert response.status_code == 400 and "negali būti praeityje" in response.text
    sw.survey.refresh_from_db()
    assert sw.survey.closes_on != date.fromisoformat(past)
    later = (date.today() + timedelta(days=40)).isoformat()
    assert client.post(url, {"title": "Vertinimas", "closes_on": later}).status_code == 302
    sw.survey.refresh_from_db()
    assert sw.survey.title == "Vertinimas" and sw.survey.closes_on.isoformat() == later
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invited = survey_open(survey=sw.survey, actor=sw.world.alice)
    assert invited == 8
    assert sw.participants[0].email not in {m.to[0] for m in mail.outbox}
