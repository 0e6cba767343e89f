"""The cohort hub: one page per cohort with tabs to its sessions, roster, attendance, completion,
certificates, survey and message page, showing each viewer only the tabs they may use, and the
same tab bar on each of those pages with the open one marked."""

import re

import pytest
from django.urls import reverse

from tests.factories import (
    CohortFactory,
    MembershipFactory,
    PersonFactory,
    SessionFactory,
    SurveyFactory,
    UserFactory,
)


def _hub(world, cohort=None) -> str:
    return reverse("projects:cohort", args=[world.project.code, (cohort or world.cohort).pk])


def _tabs(html: str) -> list[str]:
    """The labels of the cohort tab bar, in order."""
    nav = re.search(r'<nav class="cohort-tabs".*?</nav>', html, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", nav)]


def _current(html: str) -> str:
    nav = re.search(r'<nav class="cohort-tabs".*?</nav>', html, re.S).group(0)
    (label,) = re.findall(r'aria-current="page">([^<]+)<', nav)
    return label


@pytest.fixture
def trainer(world):
    """A trainer of world.cohort with a login of their own."""
    user = UserFactory(email="lektorius@example.lt")
    person = PersonFactory(organisation=world.lead, email=user.email, user=user)
    world.cohort.trainers.add(person)
    return user


@pytest.fixture
def observer(world):
    user = UserFactory(email="ministerija@example.lt")
    MembershipFactory(project=world.project, user=user, role="funder_observer")
    return user


COORDINATOR_TABS = [
    "Užsiėmimai",
    "Dalyvių sąrašas",
    "Lankomumas",
    "Baigimas",
    "Pažymėjimai",
    "Apklausos dar nėra",
    "Rašyti grupei",
]


def test_the_coordinator_sees_every_tab_with_sessions_open(client, world):
    client.force_login(world.alice)
    response = client.get(_hub(world))
    assert response.status_code == 200
    assert _tabs(response.text) == COORDINATOR_TABS
    assert _current(response.text) == "Užsiėmimai"
    code, pk = world.project.code, world.cohort.pk
    for url in (
        reverse("enrolment:roster", args=[code, pk]),
        reverse("projects:cohort_attendance", args=[code, pk]),
        reverse("attendance:completion", args=[code, pk]),
        reverse("certificates:cohort", args=[code, pk]),
        reverse("enrolment:cohort_message", args=[code, pk]),
    ):
        assert f'href="{url}"' in response.text


def test_a_partner_coordinator_sees_sessions_and_roster_only(client, world):
    client.force_login(world.bob)
    response = client.get(_hub(world))
    assert response.status_code == 200
    assert _tabs(response.text) == ["Užsiėmimai", "Dalyvių sąrašas"]


def test_a_funder_observer_sees_sessions_only(client, world, observer):
    client.force_login(observer)
    response = client.get(_hub(world))
    assert response.status_code == 200
    assert _tabs(response.text) == ["Užsiėmimai"]


def test_a_trainer_sees_their_teaching_tabs_and_no_roster_or_certificates(client, world, trainer):
    client.force_login(trainer)
    response = client.get(_hub(world))
    assert response.status_code == 200
    assert _tabs(response.text) == [
        "Užsiėmimai",
        "Lankomumas",
        "Baigimas",
        "Apklausos dar nėra",
        "Rašyti grupei",
    ]
    # Each session is one click from its attendance form.
    session_url = reverse("attendance:session", args=[world.project.code, world.session.pk])
    assert f'href="{session_url}"' in response.text


def test_a_trainer_of_another_cohort_gets_404_for_this_cohorts_pages(client, world, trainer):
    other = CohortFactory(activity=world.activity)
    client.force_login(trainer)
    code = world.project.code
    for name in ("projects:cohort", "projects:cohort_attendance", "enrolment:cohort_message"):
        assert client.get(reverse(name, args=[code, other.pk])).status_code == 404, name
    own = reverse("projects:cohort_attendance", args=[code, world.cohort.pk])
    assert client.get(own).status_code == 200


@pytest.mark.parametrize("persona", ["charlie", "dana"])
def test_outsiders_get_404(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(_hub(world)).status_code == 404
    attendance = reverse("projects:cohort_attendance", args=[world.project.code, world.cohort.pk])
    assert client.get(attendance).status_code == 404


def test_the_attendance_tab_is_for_those_who_teach(client, world, observer):
    url = reverse("projects:cohort_attendance", args=[world.project.code, world.cohort.pk])
    for user in (world.bob, observer):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_the_attendance_tab_lists_the_cohorts_sessions_with_their_ways_to_record(client, world):
    later = SessionFactory(cohort=world.cohort, starts_at=world.session.ends_at.replace(hour=17))
    client.force_login(world.alice)
    code = world.project.code
    response = client.get(reverse("projects:cohort_attendance", args=[code, world.cohort.pk]))
    assert _current(response.text) == "Lankomumas"
    for session in (world.session, later):
        assert reverse("attendance:session", args=[code, session.pk]) in response.text
        assert reverse("attendance:checkin_screen", args=[code, session.pk]) in response.text
        assert reverse("attendance:signin_sheet", args=[code, session.pk]) in response.text


def test_each_cohort_page_shows_the_tab_bar_with_its_own_tab_open(client, world):
    client.force_login(world.alice)
    code, pk = world.project.code, world.cohort.pk
    pages = {
        reverse("enrolment:roster", args=[code, pk]): "Dalyvių sąrašas",
        reverse("attendance:session", args=[code, world.session.pk]): "Lankomumas",
        reverse("attendance:completion", args=[code, pk]): "Baigimas",
        reverse("certificates:cohort", args=[code, pk]): "Pažymėjimai",
        reverse("enrolment:cohort_message", args=[code, pk]): "Rašyti grupei",
    }
    for url, tab in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert _current(response.text) == tab, url
        # The tab bar leads back to the hub from every page.
        assert f'href="{_hub(world)}"' in response.text, url


def test_the_survey_tab_opens_the_cohorts_survey_once_there_is_one(client, world):
    SurveyFactory(activity=world.activity, cohort=world.cohort)
    client.force_login(world.alice)
    results = reverse("surveys:cohort_results", args=[world.project.code, world.cohort.pk])
    hub = client.get(_hub(world))
    assert "Apklausa" in _tabs(hub.text)
    assert f'href="{results}"' in hub.text
    page = client.get(results)
    assert _current(page.text) == "Apklausa"


def test_an_activity_wide_survey_counts_as_the_cohorts_survey(client, world):
    SurveyFactory(activity=world.activity)
    client.force_login(world.alice)
    assert "Apklausa" in _tabs(client.get(_hub(world)).text)


def test_the_project_overview_links_each_cohort_to_its_hub_which_lists_the_sessions(client, world):
    # The overview summarises a cohort's sessions (a big project has thousands); the hub lists them.
    client.force_login(world.alice)
    response = client.get(reverse("projects:detail", args=[world.project.code]))
    assert f'href="{_hub(world)}"' in response.text
    hub = client.get(_hub(world))
    assert f'id="session-{world.session.pk}"' in hub.text


def test_the_hub_tells_the_coordinator_whether_each_trainer_can_sign_in(client, world, trainer):
    waiting = PersonFactory(organisation=world.lead, email="naujas.lektorius@example.lt")
    world.cohort.trainers.add(waiting)
    client.force_login(world.alice)
    text = client.get(_hub(world)).text
    assert "prisijungia" in text  # the trainer with a login
    assert "kvietimas prisijungti nesiųstas" in text
    assert reverse("people:detail", args=[world.project.code, waiting.pk]) in text
