"""The home page (`homes:home`): after sign-in each user lands on it and sees one section per
place they have; what a section links to is what their role may open. Tried by the coordinator
(alice), a partner coordinator of another organisation (bob), the outsider (charlie, with a
project of his own) and a member of the public (dana, a participant only)."""

import contextlib
import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kvalis.projects.models import Project
from tests.factories import (
    PASSWORD,
    AttendanceFactory,
    CohortFactory,
    EnrolmentFactory,
    MembershipFactory,
    PersonFactory,
    QuotaFactory,
    SessionFactory,
    SurveyFactory,
    UserFactory,
)
from tests.test_url_roles import project_data

HOME = "/home/"


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def _today_at(hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(hour)))


def _future_cohort(world, days: int = 20, **kwargs):
    start = timezone.localdate() + timedelta(days=days)
    return CohortFactory(
        activity=world.activity, start_date=start, end_date=start + timedelta(days=1), **kwargs
    )


# --- where sign-in lands ------------------------------------------------------------------------


def test_sign_in_lands_on_the_home_page(client, world):
    response = client.post(
        reverse("accounts:login"), {"username": world.alice.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("homes:home") == HOME


def test_anonymous_visitor_is_asked_to_sign_in(client, world):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_participant_only_is_sent_to_my_trainings(client, world):
    client.force_login(world.dana)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == reverse("enrolment:my_trainings")


# --- the coordinator ------------------------------------------------------------------------------


def test_coordinator_sees_the_project_figures_and_what_needs_doing(client, world):
    code = world.project.code
    # Two applications to approve, world.session (2014) without attendance, one completer
    # of another ended cohort without a certificate, one draft survey of world.cohort (ended).
    future = _future_cohort(world)
    EnrolmentFactory(cohort=future, person=world.person_a, status="applied")
    EnrolmentFactory(cohort=future, status="applied")
    ended = CohortFactory(activity=world.activity)  # in 2014, as world.cohort
    completer = EnrolmentFactory(cohort=ended, person=world.person_b)
    AttendanceFactory(enrolment=completer, session=SessionFactory(cohort=ended))
    SurveyFactory(activity=world.activity, cohort=world.cohort, status="draft", opened_on=None)

    client.force_login(world.alice)
    page = client.get(HOME)

    assert page.status_code == 200
    text = page.text
    assert world.project.title in text
    assert "projekto koordinatorius" in text.lower()
    assert "Ką reikia padaryti" in text
    assert "2 paraiškos laukia patvirtinimo" in text
    assert "1 įvykęs užsiėmimas be lankomumo" in text
    assert "1 baigęs be pažymėjimo" in text
    assert "1 apklausą reikia atverti" in text
    assert "1 iš 160 planuotų" in text  # the one trained person
    links = hrefs(text)
    assert {
        reverse("enrolment:cohorts", args=[code]),
        reverse("attendance:index", args=[code]),
        reverse("certificates:overview", args=[code]),
        reverse("surveys:index", args=[code]),
        reverse("projects:detail", args=[code]),
        reverse("reports:dashboard", args=[code]),
        reverse("projects:create"),  # alice coordinates the lead, a registered organisation
    } <= links


def test_coordinator_with_nothing_waiting_is_told_so(client, world):
    world.session.delete()
    client.force_login(world.alice)
    text = client.get(HOME).text
    assert "Šiame projekte jūsų nelaukia jokie darbai." in text
    assert reverse("attendance:index", args=[world.project.code]) not in hrefs(text)


def test_a_future_session_without_attendance_is_not_a_to_do(client, world):
    world.session.delete()
    SessionFactory(cohort=_future_cohort(world))
    client.force_login(world.alice)
    assert "be lankomumo" not in client.get(HOME).text


# --- the partner coordinator ------------------------------------------------------------------


def test_partner_coordinator_sees_seats_waiting_and_nominations_but_no_to_do(client, world):
    code = world.project.code
    cohort = _future_cohort(world, name="Rudens grupė")
    QuotaFactory(
        cohort=cohort,
        partner=world.partner_b,
        seats=3,
        release_on=cohort.start_date - timedelta(days=7),
    )
    EnrolmentFactory(cohort=cohort, person=world.person_b, partner=world.partner_b)
    EnrolmentFactory(
        cohort=cohort,
        person=PersonFactory(organisation=world.partner_b.organisation),
        status="waiting",
        waiting_position=1,
    )
    EnrolmentFactory(cohort=cohort, person=world.person_a, status="applied")  # the lead's

    client.force_login(world.bob)
    text = client.get(HOME).text

    assert "Rudens grupė" in text
    assert "Partnerio koordinatorius: Molėtų biblioteka" in text
    assert "2 rezervuotos vietos laukia pasiūlytų dalyvių" in text
    assert "1 jūsų darbuotojas laukiančiųjų sąraše" in text
    assert (cohort.start_date - timedelta(days=7)).strftime("%Y-%m-%d") in text
    links = hrefs(text)
    assert reverse("enrolment:nominate", args=[code, cohort.pk]) in links
    assert reverse("reports:dashboard", args=[code]) in links
    # A coordinator's to-do pages are not his.
    for name in ("enrolment:cohorts", "attendance:index", "certificates:overview"):
        assert reverse(name, args=[code]) not in links, name
    assert "Ką reikia padaryti" not in text
    # Only his organisation's people are counted: the lead's applicant is nowhere.
    assert world.person_a.last_name not in text


def test_partner_whose_organisation_has_not_accepted_sees_no_seats(client, world):
    world.partner_b.status = "invited"
    world.partner_b.save()
    cohort = _future_cohort(world, name="Rudens grupė")
    QuotaFactory(cohort=cohort, partner=world.partner_b, seats=3)
    client.force_login(world.bob)
    text = client.get(HOME).text
    assert "dar nepriėmė šios partnerystės" in text
    assert "Rudens grupė" not in text
    assert reverse("organisations:partnerships") in hrefs(text)


# --- the outsider and the public ----------------------------------------------------------------


def test_outsider_sees_his_own_project_and_nothing_of_another(client, world):
    client.force_login(world.charlie)
    text = client.get(HOME).text
    assert world.other_project.title in text
    leaked = [value for value in project_data(world) if value in text]
    assert leaked == []
    assert f"/projects/{world.project.code}/" not in text


def test_an_account_with_no_place_gets_the_way_to_one(client, world):
    client.force_login(UserFactory())
    page = client.get(HOME)
    assert page.status_code == 200
    assert "Čia jums dar nieko nėra" in page.text
    assert "registruotos organizacijos koordinatorius" in page.text
    assert reverse("enrolment:catalogue") in hrefs(page.text)
    assert reverse("projects:create") not in hrefs(page.text)


# --- the funder observer and the trainer --------------------------------------------------------


def test_funder_observer_sees_the_figures_read_only(client, world):
    code = world.project.code
    observer = UserFactory()
    MembershipFactory(project=world.project, user=observer, role="funder_observer")
    EnrolmentFactory(cohort=_future_cohort(world), status="applied")
    client.force_login(observer)
    text = client.get(HOME).text
    assert world.project.title in text
    assert "Apmokyta asmenų" in text and "Sąmatos vykdymas" in text
    links = hrefs(text)
    assert reverse("projects:detail", args=[code]) in links
    assert reverse("reports:dashboard", args=[code]) in links
    for name in ("enrolment:cohorts", "attendance:index", "certificates:overview", "surveys:index"):
        assert reverse(name, args=[code]) not in links, name
    assert "paraiška" not in text
    assert reverse("projects:create") not in links


def test_trainer_sees_today_and_coming_sessions_one_click_from_attendance(client, world):
    code = world.project.code
    user = UserFactory()
    trainer = PersonFactory(user=user, organisation=world.lead)
    today_cohort = CohortFactory(
        activity=world.activity,
        name="Šiandienos grupė",
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=10),
    )
    today_cohort.trainers.add(trainer)
    today = SessionFactory(cohort=today_cohort, starts_at=_today_at(12), title="Komandos kūrimas")
    later = SessionFactory(
        cohort=today_cohort, starts_at=_today_at(9) + timedelta(days=3), title="Stresas"
    )
    SessionFactory(cohort=_future_cohort(world), title="Ne mano užsiėmimas")  # not his cohort

    client.force_login(user)
    text = client.get(HOME).text

    assert "Mano vedami mokymai" in text
    assert "Komandos kūrimas" in text and "Stresas" in text
    assert "Ne mano užsiėmimas" not in text
    links = hrefs(text)
    for session in (today, later):
        for name in ("attendance:session", "attendance:checkin_screen", "attendance:signin_sheet"):
            assert reverse(name, args=[code, session.pk]) in links, name
    assert reverse("projects:cohort", args=[code, today_cohort.pk]) in links
    # Today's session is listed under "Šiandien", before the coming ones.
    assert text.index("Šiandien") < text.index("Komandos kūrimas") < text.index("Būsimi")
    assert text.index("Būsimi") < text.index("Stresas")


def test_someone_with_several_roles_sees_each_of_their_places(client, world):
    person = PersonFactory(user=world.alice, organisation=world.lead, last_name="Jonaitė-Alė")
    cohort = _future_cohort(world, name="Alės grupė")
    cohort.trainers.add(person)
    SessionFactory(cohort=cohort, title="Alės užsiėmimas")
    EnrolmentFactory(cohort=world.cohort, person=person)
    client.force_login(world.alice)
    text = client.get(HOME).text
    assert "Ką reikia padaryti" in text  # coordinator
    assert "Alės užsiėmimas" in text  # trainer
    assert "Artimiausi užsiėmimai" in text  # participant
    assert "Mano organizacijos" in text  # coordinator of the lead


def test_site_administrator_sees_administration_and_new_project(client, world):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    text = client.get(HOME).text
    assert "Svetainės administravimas" in text
    links = hrefs(text)
    assert reverse("projects:create") in links
    assert reverse("organisations:partnerships") in links
    assert reverse("admin:index") in links
    with contextlib.suppress(NoReverseMatch):  # until the join requests' page lands: no link
        assert reverse("organisations:join_requests") in links


def test_coordinators_see_the_open_erasure_requests_of_their_people(client, world):
    """alice keeps the lead's people: one request is open, one answered (not counted). bob
    and charlie coordinate other organisations: the link, without a count."""
    from kvalis.people.models import ErasureRequest

    ErasureRequest.objects.create(person=world.person_a, requested_by=world.alice)
    ErasureRequest.objects.create(
        person=PersonFactory(organisation=world.lead), status="refused", refusal_reason="x"
    )
    ErasureRequest.objects.create(person=world.person_b, requested_by=world.bob, status="done")
    client.force_login(world.alice)
    text = client.get(HOME).text
    assert reverse("people:erasure_requests") in hrefs(text)
    assert "1 prašymas ištrinti duomenis laukia atsakymo" in text
    for persona in ("bob", "charlie"):
        client.force_login(getattr(world, persona))
        text = client.get(HOME).text
        assert reverse("people:erasure_requests") in hrefs(text), persona
        assert "laukia atsakymo" not in text and "Prašymai ištrinti duomenis" in text, persona


def test_a_participant_only_gets_no_erasure_requests_link(client, world):
    client.force_login(world.dana)
    text = client.get(HOME, follow=True).text
    assert reverse("people:erasure_requests") not in hrefs(text)


# --- "New project" only for those who may start one -------------------------------------------


@pytest.mark.parametrize("persona", ["dana", "observer", "trainer", "nobody"])
def test_who_may_not_start_a_project_gets_404_on_the_form(client, world, persona):
    user = {"dana": world.dana}.get(persona) or UserFactory()
    if persona == "observer":
        MembershipFactory(project=world.project, user=user, role="funder_observer")
    if persona == "trainer":
        world.cohort.trainers.add(PersonFactory(user=user, organisation=world.lead))
    client.force_login(user)
    before = Project.objects.count()

    assert client.get(reverse("projects:create")).status_code == 404
    response = client.post(
        reverse("projects:create"),
        {
            "code": "ISIBROVEJAS",
            "title": "x",
            "lead": world.lead.pk,
            "start_date": "2027-01-01",
            "end_date": "2027-02-01",
        },
    )
    assert response.status_code == 404
    assert Project.objects.count() == before
    assert reverse("projects:create") not in client.get(reverse("projects:dashboard")).text


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie"])
def test_coordinators_of_registered_organisations_reach_the_form(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("projects:create")).status_code == 200


# --- a fixed number of queries -----------------------------------------------------------------


def _grow(world, n: int) -> None:
    for i in range(n):
        cohort = _future_cohort(world, days=20 + i, name=f"Augimo grupė {i}")
        QuotaFactory(cohort=cohort, partner=world.partner_b, seats=2)
        SessionFactory(cohort=cohort)
        EnrolmentFactory(cohort=cohort, person=world.person_b, partner=world.partner_b)
        EnrolmentFactory(cohort=cohort, status="applied")
        past = SessionFactory(cohort=world.cohort, starts_at=_today_at(9) - timedelta(days=500 + i))
        done = EnrolmentFactory(
            cohort=CohortFactory(activity=world.activity),
            person=PersonFactory(organisation=world.partner_b.organisation),
        )
        AttendanceFactory(enrolment=done, session=past)


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_the_home_page_runs_a_fixed_number_of_queries(
    client, world, persona, django_assert_max_num_queries
):
    client.force_login(getattr(world, persona))
    _grow(world, 1)
    with django_assert_max_num_queries(80) as few:
        assert client.get(HOME).status_code == 200
    _grow(world, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(HOME).status_code == 200


def test_a_trainer_and_participant_home_runs_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    user = UserFactory()
    person = PersonFactory(user=user, organisation=world.lead)

    def grow(n):
        for i in range(n):
            cohort = _future_cohort(world, days=5 + i)
            cohort.trainers.add(person)
            SessionFactory(cohort=cohort)
            mine = _future_cohort(world, days=30 + i)
            EnrolmentFactory(cohort=mine, person=person)
            SessionFactory(cohort=mine)

    client.force_login(user)
    grow(1)
    with django_assert_max_num_queries(30) as few:
        assert client.get(HOME).status_code == 200
    grow(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(HOME).status_code == 200


def test_my_trainings_sums_up_sessions_hours_certificates_and_surveys(client, world):
    client.force_login(world.dana)
    person = world.dana.person
    enrolment = person.enrolments.get()
    held = SessionFactory(cohort=enrolment.cohort)
    AttendanceFactory(enrolment=enrolment, session=held)
    survey = SurveyFactory(activity=enrolment.cohort.activity, title="Ar patiko?")
    coming = _future_cohort(world)
    EnrolmentFactory(cohort=coming, person=person)
    SessionFactory(cohort=coming, title="Ateities užsiėmimas")

    text = client.get(reverse("enrolment:my_trainings")).text

    assert "Artimiausi užsiėmimai" in text and "Ateities užsiėmimas" in text
    assert "Mano valandos" in text and ">8<" in text
    assert "Pažymėjimų dar nėra" in text
    assert "Ar patiko?" in text
    links = hrefs(text)
    assert reverse("surveys:answer", args=[survey.public_id]) in links
    assert {
        reverse("attendance:my_hours"),
        reverse("certificates:my_certificates"),
        reverse("surveys:my_surveys"),
    } <= links
