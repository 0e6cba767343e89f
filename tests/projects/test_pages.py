"""Every project set-up page with the three personas: alice (coordinator) reads and edits,
bob (partner coordinator) reads but every edit page is 404, charlie (outsider) gets 404."""

import pytest
from django.urls import reverse

from tests.factories import VenueFactory


def _read_urls(w):
    code = w.project.code
    return [
        reverse("projects:detail", args=[code]),
        reverse("projects:partners", args=[code]),
        reverse("projects:activities", args=[code]),
        reverse("projects:cohort", args=[code, w.cohort.pk]),
        reverse("projects:venues", args=[code]),
    ]


def _edit_urls(w):
    code = w.project.code
    venue = VenueFactory(project=w.project)
    membership = w.project.memberships.get(user=w.bob)
    return [
        reverse("projects:edit", args=[code]),
        reverse("projects:partner_add", args=[code]),
        reverse("projects:partner_edit", args=[code, w.partner_b.pk]),
        reverse("projects:partner_remove", args=[code, w.partner_b.pk]),
        reverse("projects:activity_add", args=[code]),
        reverse("projects:activity_edit", args=[code, w.activity.pk]),
        reverse("projects:cohort_add", args=[code, w.activity.pk]),
        reverse("projects:cohort_edit", args=[code, w.cohort.pk]),
        reverse("projects:session_add", args=[code, w.cohort.pk]),
        reverse("projects:session_edit", args=[code, w.cohort.pk, w.session.pk]),
        reverse("projects:session_delete", args=[code, w.cohort.pk, w.session.pk]),
        reverse("projects:venue_add", args=[code]),
        reverse("projects:venue_edit", args=[code, venue.pk]),
        reverse("projects:members", args=[code]),
        reverse("projects:membership_remove", args=[code, membership.pk]),
    ]


def test_coordinator_opens_every_page(client, world):
    client.force_login(world.alice)
    for url in _read_urls(world) + _edit_urls(world):
        assert client.get(url).status_code == 200, url


def test_partner_coordinator_reads_but_cannot_open_edit_pages(client, world):
    client.force_login(world.bob)
    for url in _read_urls(world):
        assert client.get(url).status_code == 200, url
    for url in _edit_urls(world):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_outsider_gets_404_everywhere(client, world):
    client.force_login(world.charlie)
    for url in _read_urls(world) + _edit_urls(world):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in _read_urls(world) + _edit_urls(world):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_partner_coordinator_sees_no_edit_links(client, world):
    client.force_login(world.bob)
    response = client.get(reverse("projects:partners", args=[world.project.code]))
    assert reverse("projects:partner_add", args=[world.project.code]) not in response.text


@pytest.mark.parametrize("name", ["projects:partner_edit", "projects:partner_remove"])
def test_coordinator_cannot_reach_a_partner_of_another_project(client, world, name):
    other = world.other_project.partners.get()
    client.force_login(world.alice)
    assert client.get(reverse(name, args=[world.project.code, other.pk])).status_code == 404


@pytest.mark.django_db
def test_partners_are_listed_lead_first_then_by_role_in_lithuanian_order():
    from kvalis.projects.selectors import project_partners
    from tests.factories import OrganisationFactory, PartnerFactory, ProjectFactory

    project = ProjectFactory()
    for name, role in [
        ("Utenos biblioteka", "lead"),
        ("Zarasų biblioteka", "sending"),
        ("Švietimo centras", "education_centre"),
        ("Anykščių biblioteka", "sending"),
        ("Universitetas", "academic"),
        ("Čiurlionio biblioteka", "sending"),
    ]:
        PartnerFactory(project=project, organisation=OrganisationFactory(name=name), role=role)
    listed = [p.organisation.name for p in project_partners(project)]
    assert listed == [
        "Utenos biblioteka",
        "Universitetas",
        "Švietimo centras",
        "Anykščių biblioteka",
        "Čiurlionio biblioteka",
        "Zarasų biblioteka",
    ]
