"""Access and portability: a person downloads everything Kvalis holds about them from /my/; a
keeper of their employer produces the same on request, audited; anyone else gets 404."""

import io
import json
import time
import zipfile

import pytest
from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.privacy import export
from tests.factories import EnrolmentFactory, PersonFactory, UserFactory
from tests.privacy.conftest import SECRET_ANSWER

SECTIONS = {
    "format",
    "person",
    "login",
    "enrolments",
    "attendance",
    "hours",
    "certificates",
    "survey_participation",
    "study_visits",
    "trainer_of",
    "consents",
    "audit",
}


def _open(response) -> zipfile.ZipFile:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.content))


def _export_url(person) -> str:
    return reverse(
        "privacy:person_export",
        kwargs={"organisation_pk": person.organisation_id, "person_pk": person.pk},
    )


def test_participant_downloads_a_zip_with_every_section(client, world, participant):
    client.force_login(participant.user)
    assert client.get(reverse("privacy:my_data")).status_code == 200

    archive = _open(client.post(reverse("privacy:my_data")))

    names = set(archive.namelist())
    certificate = participant.certificates.get()
    assert names == {"duomenys.json", "duomenys.html", f"pazymejimai/{certificate.number}.pdf"}
    assert archive.read(f"pazymejimai/{certificate.number}.pdf").startswith(b"%PDF")
    data = json.loads(archive.read("duomenys.json"))
    assert set(data) == SECTIONS
    assert data["format"]["name"] == export.FORMAT_NAME
    assert data["person"]["last_name"] == "Jonaitė"
    assert data["login"]["email"] == participant.user.email
    [enrolment] = data["enrolments"]
    assert enrolment["activity"]["title"] == world.activity.title
    assert enrolment["cohort"]["start_date"] == world.cohort.start_date.isoformat()
    assert enrolment["completed"] is True
    assert len(data["attendance"]) == 1
    assert data["hours"]["total"] == enrolment["hours_credited"]
    assert data["certificates"][0]["number"] == certificate.number
    assert data["certificates"][0]["pdf"] == f"pazymejimai/{certificate.number}.pdf"
    assert len(data["survey_participation"]) == 1
    assert data["study_visits"][0]["status"] == "traveller"
    assert "certificate.issue" in {entry["action"] for entry in data["audit"]}
    html = archive.read("duomenys.html").decode()
    assert "Eglė Jonaitė" in html and world.activity.title in html
    assert '<html lang="lt">' in html


def test_survey_answers_never_appear_in_the_export(client, participant):
    client.force_login(participant.user)
    archive = _open(client.post(reverse("privacy:my_data")))
    for name in archive.namelist():
        assert SECRET_ANSWER.encode() not in archive.read(name), name
    data = json.loads(archive.read("duomenys.json"))
    assert set(data["survey_participation"][0]) == {
        "survey",
        "project",
        "activity",
        "closes_on",
        "answered",
    }


def test_the_html_page_loads_nothing_from_elsewhere(participant):
    html = export.render_html(export.person_data(participant))
    for needle in ("<script", "<link", "<img", "src=", "http://", "https://", "url("):
        assert needle not in html, needle


def test_the_participants_own_export_is_audited_as_by_themself(client, participant):
    client.force_login(participant.user)
    client.post(reverse("privacy:my_data"))
    entry = AuditEntry.objects.get(action="privacy.export")
    assert entry.actor == participant.user
    assert entry.object_id == str(participant.pk)
    assert entry.data["by"] == "self"


def test_a_login_without_a_participant_record_gets_no_zip(client, db):
    client.force_login(UserFactory())
    assert client.get(reverse("privacy:my_data")).status_code == 200
    response = client.post(reverse("privacy:my_data"))
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="privacy.export").exists()


def test_a_keeper_of_the_employer_produces_the_export_audited(client, world, participant):
    client.force_login(world.alice)
    assert client.get(_export_url(participant)).status_code == 200

    archive = _open(client.post(_export_url(participant), {"note": "Asmens 2026-12-01 laiškas"}))

    assert json.loads(archive.read("duomenys.json"))["person"]["id"] == participant.pk
    entry = AuditEntry.objects.get(action="privacy.export")
    assert entry.actor == world.alice
    assert entry.organisation == world.lead
    assert entry.data == {"by": "keeper", "note": "Asmens 2026-12-01 laiškas"}


def test_a_keeper_must_say_on_whose_request(client, world, participant):
    client.force_login(world.alice)
    response = client.post(_export_url(participant), {"note": "   "})
    assert response.status_code == 400
    assert "kieno prašymu" in response.content.decode().lower()
    assert not AuditEntry.objects.filter(action="privacy.export").exists()


@pytest.mark.parametrize("persona", ["bob", "charlie", "dana"])
def test_someone_else_gets_404_for_a_person_outside_their_organisation(
    client, world, participant, persona
):
    """bob coordinates partner B in the same project; charlie another organisation; dana is a
    participant elsewhere: none of them keeps person_a's employer."""
    client.force_login(getattr(world, persona))
    assert client.get(_export_url(participant)).status_code == 404
    assert client.post(_export_url(participant), {"note": "prašymas"}).status_code == 404
    assert not AuditEntry.objects.filter(action="privacy.export").exists()


def test_a_coordinator_gets_404_for_another_partners_person(client, world):
    """alice sees person_b in her project, but partner B keeps them; a URL naming alice's own
    organisation with person_b in it is refused the same way."""
    EnrolmentFactory(cohort=world.cohort, person=world.person_b)
    client.force_login(world.alice)
    assert client.get(_export_url(world.person_b)).status_code == 404
    forged = reverse(
        "privacy:person_export",
        kwargs={"organisation_pk": world.lead.pk, "person_pk": world.person_b.pk},
    )
    assert client.post(forged, {"note": "prašymas"}).status_code == 404
    assert not AuditEntry.objects.filter(action="privacy.export").exists()


def test_the_person_page_links_to_the_export_only_for_the_keeper(client, world):
    EnrolmentFactory(cohort=world.cohort, person=world.person_b)
    client.force_login(world.alice)
    own = client.get(reverse("people:detail", args=[world.project.code, world.person_a.pk]))
    assert _export_url(world.person_a) in own.content.decode()
    other = client.get(reverse("people:detail", args=[world.project.code, world.person_b.pk]))
    assert other.status_code == 200
    assert "data-export" not in other.content.decode()
    client.force_login(world.bob)
    bobs = client.get(reverse("people:detail", args=[world.project.code, world.person_b.pk]))
    assert _export_url(world.person_b) in bobs.content.decode()


def test_a_person_with_50_enrolments_exports_in_a_fixed_number_of_queries(
    world, django_assert_max_num_queries
):
    """Measured: the whole ZIP for 50 enrolments (with attendance) takes well under a second,
    so it is built in the request."""
    from tests.factories import AttendanceFactory, CohortFactory, SessionFactory

    person = PersonFactory(organisation=world.lead)
    for _ in range(50):
        cohort = CohortFactory(activity=world.activity)
        enrolment = EnrolmentFactory(cohort=cohort, person=person)
        AttendanceFactory(enrolment=enrolment, session=SessionFactory(cohort=cohort))
    started = time.perf_counter()
    with django_assert_max_num_queries(30):
        content = export.build_zip(person)
    elapsed = time.perf_counter() - started
    data = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("duomenys.json"))
    assert len(data["enrolments"]) == 50 and len(data["attendance"]) == 50
    assert elapsed < 5, elapsed
    print(f"export of 50 enrolments: {elapsed * 1000:.0f} ms, {len(content)} bytes")
