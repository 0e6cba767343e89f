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
