from django.urls import reverse

from tests.factories import ActivityFactory


def test_public_project_page_needs_no_login(client, world):
    ActivityFactory(project=world.project, kind="study_visit", title="Išvyka į Taliną")
    response = client.get(reverse("projects:public", args=[world.project.code]))
    assert response.status_code == 200
    assert world.project.title in response.text
    assert "25 000,00 Lt" in response.text
    assert "Išvyka į Taliną" in response.text
    assert "pažintinė išvyka" in response.text
    assert world.partner_b.organisation.name in response.text
    assert world.cohort.start_date.isoformat() in response.text


def test_non_public_project_page_is_404(client, world):
    world.project.is_public = False
    world.project.save()
    assert client.get(reverse("projects:public", args=[world.project.code])).status_code == 404
    assert client.get(reverse("projects:public", args=["NERA"])).status_code == 404


def test_home_links_public_projects_only(client, world):
    world.other_project.is_public = False
    world.other_project.save()
    response = client.get(reverse("home"))
    assert reverse("projects:public", args=[world.project.code]) in response.text
    assert reverse("projects:public", args=[world.other_project.code]) not in response.text


def test_dashboard_lists_my_projects_with_my_role(client, world):
    client.force_login(world.bob)
    response = client.get(reverse("projects:dashboard"))
    assert world.project.title in response.text
    assert "partnerio koordinatorius" in response.text
    assert world.other_project.title not in response.text
    assert reverse("projects:create") in response.text
