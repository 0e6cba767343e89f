from django.urls import reverse

from kvalis.access import Perm, get_project_access


def test_coordinator_sees_project_overview(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("projects:detail", args=[world.project.code]))
    assert response.status_code == 200
    assert "25 000,00 Lt" in response.text
    assert "7 240,50 €" in response.text


def test_partner_coordinator_sees_project_overview(client, world):
    client.force_login(world.bob)
    response = client.get(reverse("projects:detail", args=[world.project.code]))
    assert response.status_code == 200


def test_outsider_gets_404_for_another_project(client, world):
    client.force_login(world.charlie)
    response = client.get(reverse("projects:detail", args=[world.project.code]))
    assert response.status_code == 404


def test_partner_coordinator_sees_only_own_organisation_people(world):
    access = get_project_access(world.bob, world.project.code, Perm.VIEW_PEOPLE)
    assert list(access.people()) == [world.person_b]


def test_coordinator_sees_people_of_the_whole_consortium(world):
    access = get_project_access(world.alice, world.project.code, Perm.VIEW_PEOPLE)
    assert set(access.people()) == {world.person_a, world.person_b}
