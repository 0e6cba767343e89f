"""Trainers and funder observers read what access allows and edit nothing."""

from django.urls import reverse

from tests.factories import CohortFactory, MembershipFactory, PersonFactory, UserFactory


def test_trainer_sees_own_cohorts_only_and_edits_nothing(client, world):
    user = UserFactory()
    trainer = PersonFactory(user=user, organisation=world.lead)
    world.cohort.trainers.add(trainer)
    other = CohortFactory(activity=world.activity, name="Kita grupė")
    client.force_login(user)
    code = world.project.code

    activities = client.get(reverse("projects:activities", args=[code]))
    assert world.cohort.name in activities.text
    assert "Kita grupė" not in activities.text
    assert client.get(reverse("projects:cohort", args=[code, world.cohort.pk])).status_code == 200
    assert client.get(reverse("projects:cohort", args=[code, other.pk])).status_code == 404
    assert (
        client.get(reverse("projects:cohort_edit", args=[code, world.cohort.pk])).status_code == 404
    )
    assert client.get(reverse("people:list", args=[code])).status_code == 404
    assert client.get(reverse("audit:log", args=[code])).status_code == 404

    dashboard = client.get(reverse("projects:dashboard"))
    assert "lektorius" in dashboard.text


def test_funder_observer_reads_the_project_but_not_its_people(client, world):
    user = UserFactory()
    MembershipFactory(project=world.project, user=user, role="funder_observer")
    client.force_login(user)
    code = world.project.code
    for name in ("projects:detail", "projects:partners", "projects:activities", "projects:venues"):
        assert client.get(reverse(name, args=[code])).status_code == 200, name
    for name in ("projects:edit", "projects:members", "people:list", "people:add", "audit:log"):
        assert client.get(reverse(name, args=[code])).status_code == 404, name
