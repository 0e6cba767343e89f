"""The figures of each home section, checked against data made by hand."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from kvalis.homes.selectors import (
    participant_home,
    partner_homes,
    project_homes,
    project_todo,
    trainer_home,
    user_places,
)
from kvalis.reports.indicators import project_indicators
from kvalis.surveys.models import SurveyParticipation
from tests.factories import (
    AttendanceFactory,
    CertificateFactory,
    CohortFactory,
    EnrolmentFactory,
    MembershipFactory,
    PersonFactory,
    QuotaFactory,
    SessionFactory,
    SurveyFactory,
    UserFactory,
)


def _at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _cohort(world, start_in_days: int, length: int = 1, **kwargs):
    start = timezone.localdate() + timedelta(days=start_in_days)
    return CohortFactory(
        activity=world.activity, start_date=start, end_date=start + timedelta(days=length), **kwargs
    )


# --- a participant ------------------------------------------------------------------------------


def test_participant_home_counts_hours_sessions_certificates_and_surveys(world):
    person = PersonFactory(user=UserFactory(), organisation=world.lead)
    done = EnrolmentFactory(cohort=world.cohort, person=person)
    second = SessionFactory(cohort=world.cohort, starts_at=_at(world.cohort.end_date, 9))
    AttendanceFactory(enrolment=done, session=world.session)  # present: 8 h
    AttendanceFactory(enrolment=done, session=second, status="late", minutes_attended=90)  # 2 h
    CertificateFactory(enrolment=done)
    CertificateFactory(
        enrolment=done,
        status="revoked",
        revoked_at=timezone.now(),
        revoked_reason="klaida",
        revocation_statement="issued_in_error",
    )

    coming = _cohort(world, 10, name="Būsima grupė")
    EnrolmentFactory(cohort=coming, person=person)
    later = SessionFactory(cohort=coming, starts_at=_at(coming.end_date, 9), title="Antra")
    sooner = SessionFactory(cohort=coming, starts_at=_at(coming.start_date, 9), title="Pirma")
    queued = _cohort(world, 12, name="Laukiama grupė")
    EnrolmentFactory(cohort=queued, person=person, status="waiting", waiting_position=1)
    SessionFactory(cohort=queued, title="Ne mano vieta")
    EnrolmentFactory(cohort=_cohort(world, 14), person=person, status="cancelled")

    to_answer = SurveyFactory(activity=world.activity, cohort=world.cohort)
    answered = SurveyFactory(activity=world.activity, cohort=coming)
    SurveyParticipation.objects.create(survey=answered, person=person)
    SurveyFactory(activity=world.activity, cohort=queued)  # a waiting person is not asked

    home = participant_home(person)

    assert home.hours == Decimal("10.0")
    assert [s.title for s in home.next_sessions] == [sooner.title, later.title]
    assert [c.enrolment_id for c in home.certificates] == [done.pk]
    assert home.surveys == [to_answer]
    assert {e.cohort_id for e in home.enrolments} == {world.cohort.pk, coming.pk, queued.pk}


def test_participant_home_is_a_fixed_number_of_queries(world, django_assert_num_queries):
    person = PersonFactory(user=UserFactory(), organisation=world.lead)
    for days in (5, 8, 11):
        cohort = _cohort(world, days)
        enrolment = EnrolmentFactory(cohort=cohort, person=person)
        SessionFactory(cohort=cohort)
        CertificateFactory(enrolment=enrolment)
    with django_assert_num_queries(7):
        participant_home(person)


# --- a trainer ----------------------------------------------------------------------------------


def test_trainer_home_splits_today_coming_and_recent_sessions(world):
    trainer = PersonFactory(organisation=world.lead)
    today = timezone.localdate()
    running = _cohort(world, -3, length=10, name="Vykstanti grupė")
    running.trainers.add(trainer)
    past = SessionFactory(cohort=running, starts_at=_at(today - timedelta(days=2), 9))
    recorded = SessionFactory(cohort=running, starts_at=_at(today - timedelta(days=1), 9))
    AttendanceFactory(enrolment=EnrolmentFactory(cohort=running), session=recorded)
    now = SessionFactory(cohort=running, starts_at=_at(today, 12))
    tomorrow = SessionFactory(cohort=running, starts_at=_at(today + timedelta(days=1), 9))
    SessionFactory(cohort=_cohort(world, 1), starts_at=_at(today, 10))  # another trainer's
    world.cohort.trainers.add(trainer)  # ended in 2014: not among the cohorts to come

    home = trainer_home(trainer)

    assert home.today == [now]
    assert home.upcoming == [tomorrow]
    assert home.recent[:2] == [recorded, past]
    assert [s.recorded for s in home.recent[:2]] == [1, 0]
    assert home.cohorts == [running]


# --- a project coordinator ----------------------------------------------------------------------


def test_project_todo_counts_what_waits(world):
    coming = _cohort(world, 10)
    EnrolmentFactory(cohort=coming, status="applied")
    EnrolmentFactory(cohort=world.cohort, status="applied")
    SessionFactory(cohort=coming)  # in the future: no attendance expected yet
    # world.session (2014) has no attendance; this one has.
    held = SessionFactory(cohort=world.cohort, starts_at=_at(world.cohort.end_date, 9))
    completer, certified, absent = (EnrolmentFactory(cohort=world.cohort) for _ in range(3))
    for enrolment in (completer, certified):
        AttendanceFactory(enrolment=enrolment, session=world.session)
        AttendanceFactory(enrolment=enrolment, session=held)
    AttendanceFactory(enrolment=absent, session=held, status="absent")
    CertificateFactory(enrolment=certified)
    SurveyFactory(activity=world.activity, cohort=world.cohort, status="draft", opened_on=None)
    SurveyFactory(activity=world.activity, cohort=coming, status="draft", opened_on=None)

    todo = project_todo(world.project)

    assert todo.applications == 2
    assert todo.sessions_unrecorded == 0
    assert todo.uncertified == 1
    assert todo.surveys_to_open == 1
    assert todo.total == 4


def test_a_past_session_without_attendance_is_counted(world):
    assert project_todo(world.project).sessions_unrecorded == 1  # world.session


def test_project_homes_take_the_reports_figures_and_give_observers_no_to_do(world):
    held = SessionFactory(cohort=world.cohort, starts_at=_at(world.cohort.end_date, 9))
    AttendanceFactory(enrolment=EnrolmentFactory(cohort=world.cohort), session=held)
    MembershipFactory(project=world.other_project, user=world.alice, role="funder_observer")

    homes = project_homes(world.alice)

    assert [(h.project, h.role) for h in homes] == [
        (world.project, "coordinator"),
        (world.other_project, "funder_observer"),
    ]
    data = project_indicators(world.project)
    figures = homes[0].figures
    assert figures.trained == data["participants_trained"] == 1
    assert figures.planned == 160
    assert figures.hours_delivered == data["academic_hours_delivered"] == Decimal("8")
    assert figures.completion_rate == data["completion_rate"]
    assert homes[0].todo is not None and homes[1].todo is None


# --- a partner coordinator ----------------------------------------------------------------------


def test_partner_home_counts_seats_use_waiting_and_nominations(world):
    partner = world.partner_b
    own = partner.organisation
    open_cohort = _cohort(world, 20, name="Atvira")
    QuotaFactory(cohort=open_cohort, partner=partner, seats=4)
    EnrolmentFactory(cohort=open_cohort, person=PersonFactory(organisation=own), partner=partner)
    EnrolmentFactory(
        cohort=open_cohort,
        person=PersonFactory(organisation=own),
        partner=partner,
        status="applied",
    )
    EnrolmentFactory(
        cohort=open_cohort,
        person=PersonFactory(organisation=own),
        status="waiting",
        waiting_position=1,
    )
    EnrolmentFactory(cohort=open_cohort, person=world.person_a)  # the lead's: not his
    released = _cohort(world, 5, name="Atlaisvinta")
    QuotaFactory(
        cohort=released, partner=partner, seats=3, release_on=timezone.localdate() - timedelta(1)
    )
    started = _cohort(world, -1, length=5, name="Prasidėjusi")
    QuotaFactory(cohort=started, partner=partner, seats=2)
    without_quota = _cohort(world, 30, name="Be kvotos")

    [home] = partner_homes(world.bob)

    rows = {row.cohort.name: row for row in home.cohorts}
    assert set(rows) == {"Atvira", "Atlaisvinta", "Prasidėjusi", "Be kvotos"}  # not 2014's
    atvira = rows["Atvira"]
    assert (atvira.quota.seats, atvira.used, atvira.confirmed, atvira.waiting) == (4, 2, 1, 1)
    assert atvira.to_nominate == 2
    assert rows["Atlaisvinta"].to_nominate == 0  # released: the seats are everyone's
    assert rows["Prasidėjusi"].open_for_nomination is False
    assert rows["Prasidėjusi"].to_nominate == 0
    assert rows["Be kvotos"].quota is None and rows["Be kvotos"].to_nominate == 0
    assert without_quota.pk == rows["Be kvotos"].cohort.pk
    assert home.to_nominate == 2 and home.waiting == 1


def test_partner_figures_count_only_the_partners_people(world):
    held = SessionFactory(cohort=world.cohort, starts_at=_at(world.cohort.end_date, 9))
    theirs = EnrolmentFactory(cohort=world.cohort, person=world.person_b)
    lead_s = EnrolmentFactory(cohort=world.cohort, person=world.person_a)
    for enrolment in (theirs, lead_s):
        AttendanceFactory(enrolment=enrolment, session=held)

    [home] = partner_homes(world.bob)

    assert home.figures.trained == 1
    assert project_homes(world.alice)[0].figures.trained == 2
    assert home.figures.budget_execution is None  # the budget is not a partner's to see


def test_a_partnership_not_accepted_shows_nothing_of_the_project(world):
    world.partner_b.status = "invited"
    world.partner_b.save()
    QuotaFactory(cohort=_cohort(world, 20), partner=world.partner_b, seats=4)
    [home] = partner_homes(world.bob)
    assert home.accepted is False and home.cohorts == [] and home.figures is None


# --- places -------------------------------------------------------------------------------------


def test_places_of_each_persona(world):
    trainer = UserFactory()
    world.cohort.trainers.add(PersonFactory(user=trainer, organisation=world.lead))
    alice, bob, charlie, dana = (
        user_places(u) for u in (world.alice, world.bob, world.charlie, world.dana)
    )
    assert alice.member and alice.projects and alice.organisations and not alice.participant
    assert bob.member and bob.organisations
    assert charlie.member and charlie.organisations
    assert dana.participant and dana.only_participant and not dana.projects
    assert user_places(trainer).trainer and user_places(trainer).projects
    assert not user_places(trainer).organisations
    assert user_places(UserFactory()).none
