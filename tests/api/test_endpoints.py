"""Every endpoint × alice (coordinator), bob (partner coordinator), charlie (outsider), by token
and by session."""

import pytest
from django.urls import reverse

from kvalis.certificates.models import CertificateStatus
from tests.factories import (
    CertificateFactory,
    CohortFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

HOW = ["token", "session"]


def _detail(world):
    return reverse("api:project_detail", args=[world.project.code])


def _people(world):
    return reverse("api:project_people", args=[world.project.code])


def _indicators(world):
    return reverse("api:project_indicators", args=[world.project.code])


# --- projects -----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOW)
def test_project_list_holds_each_users_own_projects(call, world, how):
    alice = call("/api/projects/", "alice", how).json()
    assert alice["count"] == 1
    project = alice["results"][0]
    assert project["code"] == world.project.code
    assert project["role"] == "coordinator"
    assert project["grant"]["currency"] == world.project.currency
    assert project["grant"]["amount"] == f"{world.project.grant_amount:.2f}"
    assert project["start_date"] == world.project.start_date.isoformat()
    assert [p["code"] for p in call("/api/projects/", "bob", how).json()["results"]] == [
        world.project.code
    ]
    charlie = call("/api/projects/", "charlie", how).json()
    assert [p["code"] for p in charlie["results"]] == [world.other_project.code]


@pytest.mark.parametrize("how", HOW)
def test_project_detail_holds_partners_and_the_activity_tree(call, world, how):
    for who in ("alice", "bob"):
        response = call(_detail(world), who, how)
        assert response.status_code == 200
        data = response.json()
        assert data["code"] == world.project.code
        roles = {p["organisation"]["name"]: p["role"] for p in data["partners"]}
        assert roles[world.partner_b.organisation.name] == world.partner_b.role
        assert roles[world.lead.name] == "lead"
        [activity] = data["activities"]
        [cohort] = activity["cohorts"]
        assert cohort["id"] == world.cohort.pk
        [session] = cohort["sessions"]
        assert session["public_id"] == str(world.session.public_id)
        assert session["academic_hours"] == f"{world.session.academic_hours:.1f}"


@pytest.mark.parametrize("how", HOW)
def test_an_outsider_gets_404_json_for_every_project_endpoint(call, world, how):
    for path in (_detail(world), _people(world), _indicators(world)):
        response = call(path, "charlie", how)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert "error" in response.json()
        assert world.project.title not in response.content.decode()


def test_an_unknown_project_answers_404(call, world):
    assert call("/api/projects/NO-SUCH/", "alice").status_code == 404


# --- people -------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOW)
def test_people_coordinator_sees_everyone_in_lithuanian_order(call, world, how):
    PersonFactory(organisation=world.lead, last_name="Žukauskaitė")
    PersonFactory(organisation=world.lead, last_name="Čepaitė")
    PersonFactory(organisation=world.lead, last_name="Zabielaitė")
    data = call(_people(world), "alice", how).json()
    names = [p["last_name"] for p in data["results"]]
    assert names == ["Čepaitė", "Jonaitė", "Petraitė", "Zabielaitė", "Žukauskaitė"]
    assert data["count"] == 5 and data["page"] == 1 and data["next"] is None


@pytest.mark.parametrize("how", HOW)
def test_people_partner_coordinator_never_sees_another_partners_people(call, world, how):
    other = PartnerFactory(
        project=world.project, organisation=OrganisationFactory(name="Anykščių muziejus")
    )
    stranger = PersonFactory(organisation=other.organisation, last_name="Kitaitė")
    EnrolmentFactory(cohort=world.cohort, person=stranger)
    response = call(_people(world), "bob", how)
    assert response.status_code == 200
    names = [p["last_name"] for p in response.json()["results"]]
    assert names == ["Petraitė"]
    assert "Kitaitė" not in response.content.decode()
    assert "Jonaitė" not in response.content.decode()


def test_people_are_paginated_with_page(call, world):
    for n in range(55):
        PersonFactory(organisation=world.lead, last_name=f"Asmenaitė{n:02d}")
    first = call(_people(world), "alice").json()
    assert first["count"] == 57 and first["pages"] == 2 and len(first["results"]) == 50
    assert first["next"].endswith("?page=2") and first["previous"] is None
    second = call(f"{_people(world)}?page=2", "alice").json()
    assert len(second["results"]) == 7
    ids = {p["id"] for p in first["results"]} | {p["id"] for p in second["results"]}
    assert len(ids) == 57


@pytest.mark.parametrize("page", ["3", "0", "abc"])
def test_a_page_out_of_range_answers_404_json(call, world, page):
    response = call(f"{_people(world)}?page={page}", "alice")
    assert response.status_code == 404 and "error" in response.json()


def test_people_need_the_people_permission(call, world):
    from tests.factories import MembershipFactory, UserFactory

    funder = UserFactory(email="funder@example.lt")
    MembershipFactory(project=world.project, user=funder, role="funder_observer")
    from kvalis.api.services import api_token_create

    raw = api_token_create(user=funder, name="f")[1]
    headers = {"Authorization": f"Bearer {raw}"}
    from django.test import Client

    assert Client().get(_people(world), headers=headers).status_code == 404
    assert Client().get(_detail(world), headers=headers).status_code == 200


# --- indicators ---------------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOW)
def test_indicators_are_the_reports_json_with_the_same_scope(call, client, world, how):
    stranger = PersonFactory(organisation=world.lead, last_name="Kitaitė")
    EnrolmentFactory(cohort=world.cohort, person=stranger, status="confirmed")
    EnrolmentFactory(cohort=world.cohort, person=world.person_b, status="confirmed")
    for who in ("alice", "bob"):
        response = call(_indicators(world), who, how)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        client.force_login(getattr(world, who))
        page = client.get(reverse("reports:json", args=[world.project.code]))
        assert response.json() == page.json(), who
    alice = call(_indicators(world), "alice", how).json()
    bob = call(_indicators(world), "bob", how).json()
    assert alice != bob  # bob's figures count only his organisation's people


# --- certificates -------------------------------------------------------------------------------


def test_certificate_verification_is_public_and_states_the_pages_facts(client, world):
    certificate = CertificateFactory(
        enrolment__cohort=world.cohort, enrolment__person=world.person_a
    )
    code = certificate.verification_code
    response = client.get(reverse("api:certificate_detail", args=[code.lower()]))
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == certificate.number
    assert data["status"] == "valid" and data["valid"] is True
    assert data["participant_name"] == world.person_a.full_name
    assert data["project_title"] == world.project.title
    assert data["academic_hours"] == "16.0"
    assert data["issued_on"] == "2014-06-01"
    assert data["replaced_by"] is None


@pytest.mark.parametrize("who", ["alice", "bob", "charlie"])
def test_certificate_verification_answers_everyone_alike(call, world, who):
    certificate = CertificateFactory(
        enrolment__cohort=world.cohort, enrolment__person=world.person_a
    )
    path = reverse("api:certificate_detail", args=[certificate.verification_code])
    assert call(path, who).json()["number"] == certificate.number
    assert call(path, who, "session").json()["number"] == certificate.number


def test_a_forged_certificate_code_answers_404_json(client, world):
    CertificateFactory(enrolment__cohort=world.cohort, enrolment__person=world.person_a)
    response = client.get(reverse("api:certificate_detail", args=["FORGED0000000000"]))
    assert response.status_code == 404
    assert "error" in response.json()


def test_a_replaced_certificate_points_to_its_replacement(client, world):
    from django.utils import timezone

    old = CertificateFactory(enrolment__cohort=world.cohort, enrolment__person=world.person_a)
    old.status = CertificateStatus.REPLACED
    old.revoked_at = timezone.now()
    old.revoked_reason = "Klaida pavardėje"
    old.revocation_statement = "replaced"
    old.save()
    new = CertificateFactory(enrolment=old.enrolment, replaces=old)
    data = client.get(reverse("api:certificate_detail", args=[old.verification_code])).json()
    assert data["status"] == "replaced" and data["valid"] is False
    assert data["replaced_by"] == {
        "number": new.number,
        "verification_code": new.verification_code,
    }


def test_a_trainer_sees_only_their_own_cohorts(world):
    from django.test import Client

    from kvalis.api.services import api_token_create
    from tests.factories import UserFactory

    trainer_user = UserFactory(email="lektore@example.lt")
    trainer = PersonFactory(organisation=world.lead, user=trainer_user)
    own = CohortFactory(activity=world.activity, name="Lektorės grupė")
    own.trainers.add(trainer)
    SessionFactory(cohort=own)
    raw = api_token_create(user=trainer_user, name="t")[1]
    data = Client().get(_detail(world), headers={"Authorization": f"Bearer {raw}"}).json()
    assert data["role"] == "trainer"
    cohorts = [c["name"] for a in data["activities"] for c in a["cohorts"]]
    assert cohorts == ["Lektorės grupė"]
