"""Parts of signed-in pages kept under the project's figures version (kvalis.lib.kept): the
second request renders less, a change shows at once, and nobody sees a part kept for another
role or scope."""

import json
from datetime import date, timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from kvalis.attendance.services import Mark, attendance_record
from kvalis.enrolment.services import enrolment_nominate
from kvalis.lib.kept import kept, kept_key
from kvalis.organisations.services import organisation_update
from kvalis.people.services import person_update
from kvalis.projects.services import cohort_create
from kvalis.reports import figures
from kvalis.reports.indicators import project_indicators
from tests.factories import CohortFactory, MembershipFactory, PersonFactory, UserFactory

BEFORE_START = date(2014, 4, 1)


@pytest.fixture
def maintained(world):
    """The world's project with its figures maintained: one person of each partner enrolled,
    the partner B's one marked present."""
    world.enrolment_a = enrolment_nominate(
        actor=world.alice, cohort=world.cohort, person=world.person_a, today=BEFORE_START
    )
    world.enrolment_b = enrolment_nominate(
        actor=world.alice, cohort=world.cohort, person=world.person_b, today=BEFORE_START
    )
    figures.rebuild(world.project)
    attendance_record(
        session=world.session, marks=[Mark(world.enrolment_b.pk, "present")], actor=world.alice
    )
    return world


def _kept_count() -> int:
    """Kept parts other than the tabs (kept for every project page, whatever its data)."""
    return sum(":tabs:" not in key for key in caches["kept"]._cache)


def _indicators(client, world) -> dict:
    response = client.get(reverse("reports:json", args=[world.project.code]))
    assert response.status_code == 200
    return json.loads(response.content)


def test_a_part_is_rendered_once_per_version(maintained):
    project = maintained.project
    calls = []

    def render():
        calls.append(1)
        return f"rendered {len(calls)}"

    version = figures.current_version(project)
    assert kept(project, version, ("t",), render) == "rendered 1"
    assert kept(project, version, ("t",), render) == "rendered 1"
    assert kept(project, version, ("other-scope",), render) == "rendered 2"
    assert kept(project, version + 1, ("t",), render) == "rendered 3"
    # Not maintained (no version): rendered every time, nothing kept.
    assert kept(project, None, ("t",), render) == "rendered 4"
    assert kept(project, None, ("t",), render) == "rendered 5"


def test_the_key_names_the_day_and_the_language(maintained, monkeypatch):
    from django.utils import translation

    project = maintained.project
    with translation.override("lt"):
        lithuanian = kept_key(project, 3, ("x",))
    with translation.override("en"):
        english = kept_key(project, 3, ("x",))
    assert lithuanian != english
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2031, 1, 2))
    with translation.override("lt"):
        tomorrow = kept_key(project, 3, ("x",))
    assert tomorrow != lithuanian and "2031-01-02" in tomorrow


def test_the_dashboard_is_kept_and_shows_a_change_at_once(client, maintained):
    client.force_login(maintained.alice)
    url = reverse("reports:dashboard", args=[maintained.project.code])
    first = client.get(url)
    assert first.status_code == 200
    assert _kept_count() == 3  # the filters, the figures and the downloads
    again = client.get(url)
    assert again.context["figures_html"] == first.context["figures_html"]
    assert _kept_count() == 3

    attendance_record(
        session=maintained.session,
        marks=[Mark(maintained.enrolment_a.pk, "present")],
        actor=maintained.alice,
    )
    after = client.get(url)
    trained = project_indicators(maintained.project)["participants_trained"]
    assert trained == 2
    assert after.context["figures_html"] != first.context["figures_html"]
    assert _indicators(client, maintained)["participants_trained"] == 2


def test_a_filtered_dashboard_is_never_kept(client, maintained):
    client.force_login(maintained.alice)
    url = reverse("reports:dashboard", args=[maintained.project.code])
    client.get(url, {"municipality": "utena"})
    client.get(url, {"date_from": "2030-01-01"})
    assert _kept_count() == 0
    response = client.get(
        reverse("reports:json", args=[maintained.project.code]), {"date_from": "2030-01-01"}
    )
    assert json.loads(response.content)["participants_trained"] == 0
    assert _kept_count() == 0


def test_a_partner_never_gets_the_coordinators_kept_figures(client, maintained):
    """Alice (coordinator) fills the kept parts first; Bob (partner B) sees only his people."""
    client.force_login(maintained.alice)
    assert _indicators(client, maintained)["participants_enrolled"] == 2
    client.get(reverse("reports:dashboard", args=[maintained.project.code]))

    client.force_login(maintained.bob)
    scoped = _indicators(client, maintained)
    assert scoped["participants_enrolled"] == 1
    assert scoped["scoped"] is True
    dashboard = client.get(reverse("reports:dashboard", args=[maintained.project.code]))
    assert "Molėtų biblioteka" in dashboard.text  # "You see the people of …"

    # The API answers from the same kept text, scoped the same.
    api = client.get(reverse("api:project_indicators", args=[maintained.project.code]))
    assert json.loads(api.content)["participants_enrolled"] == 1


def test_another_organisations_coordinator_gets_404_even_when_parts_are_kept(client, maintained):
    client.force_login(maintained.alice)
    for name in ("projects:detail", "reports:dashboard", "reports:json"):
        assert client.get(reverse(name, args=[maintained.project.code])).status_code == 200
    for user in (maintained.charlie, UserFactory()):
        client.force_login(user)
        for name in ("projects:detail", "reports:dashboard", "reports:json"):
            response = client.get(reverse(name, args=[maintained.project.code]))
            assert response.status_code == 404, (user, name)


def test_a_renamed_organisation_shows_on_the_kept_overview(client, maintained):
    client.force_login(maintained.alice)
    url = reverse("projects:detail", args=[maintained.project.code])
    assert "Molėtų biblioteka" in client.get(url).text
    organisation_update(
        actor=maintained.alice,
        organisation=maintained.partner_b.organisation,
        name="Molėtų viešoji biblioteka",
    )
    assert "Molėtų viešoji biblioteka" in client.get(url).text


def test_a_new_cohort_and_a_renamed_trainer_show_on_the_kept_overview(client, maintained):
    client.force_login(maintained.alice)
    url = reverse("projects:detail", args=[maintained.project.code])
    client.get(url)
    cohort_create(
        actor=maintained.alice,
        activity=maintained.activity,
        name="Vakarinė grupė",
        start_date=date(2014, 9, 1),
        end_date=date(2014, 9, 30),
    )
    page = client.get(url).text
    assert "Vakarinė grupė" in page

    trainer = PersonFactory(organisation=maintained.lead, first_name="Ona", last_name="Lektorė")
    maintained.cohort.trainers.add(trainer)
    figures.project_changed(project_id=maintained.project.pk)  # as cohort_update does
    assert "Ona Lektorė" in client.get(url).text
    person_update(actor=maintained.alice, person=trainer, last_name="Mokytoja")
    page = client.get(url).text
    assert "Ona Mokytoja" in page and "Lektorė" not in page


def test_a_trainer_never_gets_the_coordinators_kept_overview(client, maintained):
    other = CohortFactory(activity=maintained.activity, name="Kita grupė")
    figures.project_changed(project_id=maintained.project.pk)
    client.force_login(maintained.alice)
    url = reverse("projects:detail", args=[maintained.project.code])
    assert "Kita grupė" in client.get(url).text

    user = UserFactory()
    trainer = PersonFactory(user=user, organisation=maintained.lead)
    maintained.cohort.trainers.add(trainer)
    client.force_login(user)
    page = client.get(url).text
    assert maintained.cohort.name in page
    assert other.name not in page

    # A funder observer sees every cohort, as the coordinator does, from a part of their own.
    observer = UserFactory()
    MembershipFactory(project=maintained.project, user=observer, role="funder_observer")
    client.force_login(observer)
    page = client.get(url).text
    assert other.name in page
    assert "Edit the project" not in page and "Redaguoti projektą" not in page


def test_the_kept_parts_are_in_the_readers_language(client, maintained):
    client.force_login(maintained.alice)
    url = reverse("reports:dashboard", args=[maintained.project.code])
    lithuanian = client.get(url).text
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = client.get(url).text
    assert "Planuota ir pasiekta" in lithuanian
    assert "Planned and achieved" in english
    assert "Planuota ir pasiekta" not in english


def test_a_project_without_maintained_figures_keeps_nothing(client, world):
    client.force_login(world.alice)
    for name in ("projects:detail", "reports:dashboard", "reports:json"):
        assert client.get(reverse(name, args=[world.project.code])).status_code == 200
    assert _kept_count() == 0


def test_nothing_is_kept_across_a_day(client, maintained, monkeypatch):
    """Completion depends on today: a part kept yesterday is not served today."""
    client.force_login(maintained.alice)
    url = reverse("reports:dashboard", args=[maintained.project.code])
    client.get(url)
    assert _kept_count() == 3
    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    client.get(url)
    assert _kept_count() == 6


def test_the_tabs_are_kept_per_role(client, maintained):
    url = reverse("projects:detail", args=[maintained.project.code])
    members = reverse("projects:members", args=[maintained.project.code])
    client.force_login(maintained.alice)
    assert members in client.get(url).text
    client.force_login(maintained.bob)
    page = client.get(url).text
    assert members not in page
    assert reverse("people:list", args=[maintained.project.code]) in page
    observer = UserFactory()
    MembershipFactory(project=maintained.project, user=observer, role="funder_observer")
    client.force_login(observer)
    page = client.get(url).text
    assert reverse("people:list", args=[maintained.project.code]) not in page
    assert reverse("budget:overview", args=[maintained.project.code]) in page


def test_the_people_rows_show_any_change_to_what_they_show(client, maintained):
    """The rows are kept under a fingerprint of what they show, not under a version: even a
    write no service announces (here a bare UPDATE) shows on the next request."""
    from kvalis.people.models import Person

    client.force_login(maintained.alice)
    url = reverse("people:list", args=[maintained.project.code])
    assert "Jonaitė" in client.get(url).text
    assert "Jonaitė" in client.get(url).text
    Person.objects.filter(pk=maintained.person_a.pk).update(last_name="Jonaitytė")
    page = client.get(url).text
    assert "Jonaitytė" in page and "Jonaitė" not in page
    Person.objects.filter(pk=maintained.person_a.pk).update(email="nauja@example.lt")
    assert "nauja@example.lt" in client.get(url).text
    maintained.lead.__class__.objects.filter(pk=maintained.lead.pk).update(name="Naujas vardas")
    assert "Naujas vardas" in client.get(url).text


def test_a_partner_sees_only_its_people_after_the_coordinator(client, maintained):
    client.force_login(maintained.alice)
    url = reverse("people:list", args=[maintained.project.code])
    page = client.get(url).text
    assert "Jonaitė" in page and "Petraitė" in page
    client.force_login(maintained.bob)
    page = client.get(url).text
    assert "Petraitė" in page and "Jonaitė" not in page
    # and the htmx results alone, as the filter form asks for them
    results = client.get(url, headers={"HX-Request": "true", "HX-Target": "people-results"})
    assert "Petraitė" in results.text and "Jonaitė" not in results.text


def test_the_kept_downloads_are_the_viewers_own(client, maintained):
    code = maintained.project.code
    url = reverse("reports:dashboard", args=[code])
    final = reverse("reports:final_report", args=[code])
    people = reverse("reports:export_participants_xlsx", args=[code])
    client.force_login(maintained.alice)
    page = client.get(url).text
    assert final in page and people in page
    observer = UserFactory()
    MembershipFactory(project=maintained.project, user=observer, role="funder_observer")
    client.force_login(observer)
    page = client.get(url).text
    assert final in page and people not in page
    client.force_login(maintained.bob)
    page = client.get(url).text
    assert final not in page and people in page
    # A filter's query goes into the links, and such a page is not kept.
    page = client.get(url, {"date_from": "2014-01-01"}).text
    assert f"{people}?date_from=2014-01-01" in page
