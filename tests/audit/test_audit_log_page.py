from django.urls import reverse

from kvalis.audit.services import audit_log


def test_coordinator_sees_the_projects_audit_log(client, world):
    audit_log(actor=world.alice, action="project.update", project=world.project, summary="Pakeista")
    client.force_login(world.alice)
    response = client.get(reverse("audit:log", args=[world.project.code]))
    assert response.status_code == 200
    assert "Pakeista" in response.text


def test_partner_coordinator_and_outsider_get_404(client, world):
    for user in (world.bob, world.charlie):
        client.force_login(user)
        assert client.get(reverse("audit:log", args=[world.project.code])).status_code == 404


def test_audit_log_filters_by_action_and_paginates(client, world):
    for number in range(55):
        audit_log(
            actor=world.alice,
            action="person.update",
            project=world.project,
            summary=f"Asmuo {number}",
        )
    audit_log(actor=world.alice, action="venue.create", project=world.project, summary="Salė")
    audit_log(
        actor=world.charlie,
        action="venue.create",
        project=world.other_project,
        summary="Kito projekto salė",
    )
    client.force_login(world.alice)
    url = reverse("audit:log", args=[world.project.code])

    first = client.get(url)
    assert first.text.count("data-action=") == 50
    assert "Kito projekto salė" not in first.text
    assert client.get(url, {"page": 2}).text.count("data-action=") == 6

    filtered = client.get(url, {"action": "venue.create"})
    assert filtered.text.count("data-action=") == 1
    assert "Salė" in filtered.text


def test_services_write_the_audit_log_seen_on_the_page(client, world):
    from kvalis.projects.services import venue_create

    venue_create(actor=world.alice, project=world.project, name="Didžioji salė")
    client.force_login(world.alice)
    response = client.get(reverse("audit:log", args=[world.project.code]))
    assert "Pridėta vieta" in response.text
    assert "Didžioji salė" in response.text
    assert world.alice.email in response.text
