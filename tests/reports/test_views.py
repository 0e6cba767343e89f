"""Report pages and downloads for every persona: coordinator (alice), partner coordinator of
another organisation (bob, scoped to his own people), outsider (charlie), funder observer."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvalis.reports.models import PublicSummary
from tests.factories import (
    AttendanceFactory,
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

PAGES = [
    "reports:dashboard",
    "reports:json",
    "reports:xlsx",
    "reports:summary",
    "reports:summary_text",
]


@pytest.fixture
def attended(world):
    for person in (world.person_a, world.person_b):
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=person, cohort=world.cohort), session=world.session
        )
    return world


@pytest.fixture
def funder(world):
    user = UserFactory(email="funder@example.lt")
    MembershipFactory(project=world.project, user=user, role="funder_observer")
    return user


def url(name, world, query=""):
    return reverse(name, args=[world.project.code]) + query


@pytest.mark.parametrize("name", PAGES)
def test_coordinator_opens_every_report_page(client, attended, name):
    client.force_login(attended.alice)
    assert client.get(url(name, attended)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_outsider_gets_404_on_every_report_page(client, attended, name):
    client.force_login(attended.charlie)
    assert client.get(url(name, attended)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, attended):
    response = client.get(url("reports:dashboard", attended))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_coordinator_dashboard_shows_everyone_with_charts_and_tables(client, attended):
    client.force_login(attended.alice)
    response = client.get(url("reports:dashboard", attended))
    assert "<svg" in response.text
    assert '<th scope="row">Utenos r. sav.</th>' in response.text
    assert response.context["data"]["participants_trained"] == 2


def test_partner_coordinator_sees_only_own_organisations_people(client, attended):
    client.force_login(attended.bob)
    response = client.get(url("reports:dashboard", attended))
    assert response.status_code == 200
    assert response.context["data"]["participants_trained"] == 1
    data = json.loads(client.get(url("reports:json", attended)).content)
    assert data["participants_trained"] == 1
    assert data["scoped"] is True
    csv = client.get(url("reports:export_participants_csv", attended)).content.decode("utf-8-sig")
    assert attended.person_b.last_name in csv
    assert attended.person_a.last_name not in csv


def test_partner_coordinator_cannot_open_the_final_report_or_edit_the_summary(client, attended):
    client.force_login(attended.bob)
    assert client.get(url("reports:final_report", attended)).status_code == 404
    assert client.post(url("reports:summary_generate", attended)).status_code == 404
    assert not PublicSummary.objects.exists()


def test_funder_observer_sees_the_project_read_only(client, attended, funder):
    client.force_login(funder)
    response = client.get(url("reports:dashboard", attended))
    assert response.status_code == 200
    assert response.context["data"]["participants_trained"] == 2
    assert response.context["exports"] == []
    assert client.get(url("reports:export_participants_csv", attended)).status_code == 404
    assert client.post(url("reports:summary_generate", attended)).status_code == 404
    assert (
        client.post(url("reports:summary", attended), {"title": "x", "text": "y"}).status_code
        == 404
    )


def test_trainer_has_no_reports(client, attended):
    trainer = PersonFactory(user=UserFactory(email="trainer@example.lt"))
    attended.cohort.trainers.add(trainer)
    client.force_login(trainer.user)
    assert client.get(url("reports:dashboard", attended)).status_code == 404


def test_filter_with_period_backwards_shows_a_translated_error_and_no_filter(client, attended):
    client.force_login(attended.alice)
    response = client.get(
        url("reports:dashboard", attended, "?date_from=2014-05-01&date_to=2014-04-01")
    )
    assert response.status_code == 200
    assert "Laikotarpio pradžia negali būti vėlesnė už pabaigą." in response.text
    assert response.context["data"]["participants_trained"] == 2


def test_filter_by_municipality(client, attended):
    attended.partner_b.organisation.municipality = "moletu-r"
    attended.partner_b.organisation.save()
    from kvalis.enrolment.models import Enrolment

    Enrolment.objects.filter(person=attended.person_b).update(
        organisation=attended.partner_b.organisation
    )
    client.force_login(attended.alice)
    response = client.get(url("reports:dashboard", attended, "?municipality=moletu-r"))
    assert response.context["data"]["participants_trained"] == 1


def _grow(world, people: int):
    for _index in range(people):
        person = PersonFactory(organisation=OrganisationFactory(municipality="zarasu-r"))
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=person, cohort=world.cohort), session=world.session
        )


@pytest.mark.parametrize(
    "name",
    [
        "reports:dashboard",
        "reports:json",
        "reports:xlsx",
        "reports:final_report",  # with the participant annex
        "reports:summary",
        "reports:summary_text",  # generated from the data when none is stored
    ],
)
def test_report_pages_run_a_fixed_number_of_queries_whatever_the_participant_count(
    client, attended, name
):
    client.force_login(attended.alice)
    client.get(url(name, attended))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(name, attended)).status_code == 200
    _grow(attended, 25)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url(name, attended)).status_code == 200
    assert len(small) == len(large)


@pytest.mark.parametrize("kind", ["participants", "attendance", "hours"])
def test_exports_run_a_fixed_number_of_queries_whatever_the_participant_count(
    client, attended, kind
):
    client.force_login(attended.alice)
    name = f"reports:export_{kind}_xlsx"
    client.get(url(name, attended))
    with CaptureQueriesContext(connection) as small:
        client.get(url(name, attended))
    _grow(attended, 25)
    with CaptureQueriesContext(connection) as large:
        client.get(url(name, attended))
    assert len(small) == len(large)


def test_coordinator_generates_edits_and_publishes_the_summary(client, attended):
    client.force_login(attended.alice)
    response = client.post(url("reports:summary_generate", attended))
    assert response.status_code == 302
    summary = PublicSummary.objects.get(project=attended.project)
    assert not summary.published
    assert "apmokyti 2 darbuotojai" in summary.text
    response = client.post(
        url("reports:summary", attended), {"title": "Naujiena", "text": "Pirma.\n\nAntra."}
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.paragraphs == ["Pirma.", "Antra."]
    assert summary.edited_by == attended.alice
    client.post(url("reports:summary_publish", attended), {"published": "1"})
    summary.refresh_from_db()
    assert summary.published and summary.published_at
    from kvalis.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="public_summary.publish").count() == 1


def test_an_empty_summary_text_is_refused_and_changes_nothing(client, attended):
    client.force_login(attended.alice)
    client.post(url("reports:summary_generate", attended))
    before = PublicSummary.objects.get().text
    response = client.post(url("reports:summary", attended), {"title": "Naujiena", "text": ""})
    assert response.status_code == 200
    assert "Šis laukas yra privalomas." in response.text
    assert PublicSummary.objects.get().text == before


def test_the_public_summary_include_shows_only_a_published_summary(attended):
    from django.template.loader import render_to_string

    from kvalis.reports import services

    summary = services.public_summary_generate(project=attended.project, actor=attended.alice)
    assert "public-summary" not in render_to_string(
        "reports/_public_summary.html", {"project": attended.project}
    )
    services.public_summary_publish(summary=summary, actor=attended.alice, published=True)
    attended.project.refresh_from_db()
    html = render_to_string("reports/_public_summary.html", {"project": attended.project})
    assert summary.title in html


def test_the_include_is_silent_for_a_project_without_summary(world):
    from django.template.loader import render_to_string

    assert (
        render_to_string("reports/_public_summary.html", {"project": world.project}).strip() == ""
    )


def test_exports_are_safe_against_formula_injection_and_in_lithuanian_order(client, world):
    for last in ("Žukas", "Čepas", "=HYPERLINK(1)", "Cibas"):
        person = PersonFactory(last_name=last, organisation=world.lead)
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=person, cohort=world.cohort), session=world.session
        )
    client.force_login(world.alice)
    text = client.get(url("reports:export_participants_csv", world)).content.decode("utf-8-sig")
    names = [line.split(";")[0] for line in text.splitlines()[1:]]
    assert names == ["'=HYPERLINK(1)", "Cibas", "Čepas", "Žukas"]


def test_the_public_project_page_shows_the_published_summary(client, attended):
    from kvalis.reports import services

    summary = services.public_summary_generate(project=attended.project, actor=attended.alice)
    path = reverse("projects:public", args=[attended.project.code])
    assert summary.title not in client.get(path).text
    services.public_summary_publish(summary=summary, actor=attended.alice, published=True)
    assert summary.title in client.get(path).text


def test_dashboard_shows_the_study_visit(client, world):
    from tests.factories import HostVisitFactory, StudyVisitFactory

    visit = StudyVisitFactory(project=world.project)
    HostVisitFactory(visit=visit, organisation_name="Keilos kultūros centras")
    client.force_login(world.alice)
    response = client.get(url("reports:dashboard", world))
    assert "Talinas (Estija)" in response.text
    assert "Keilos kultūros centras" in response.text


# (URL name, method, coordinator, partner coordinator, outsider, funder observer) -> status
MATRIX = [
    ("reports:dashboard", "get", 200, 200, 404, 200),
    ("reports:json", "get", 200, 200, 404, 200),
    ("reports:xlsx", "get", 200, 200, 404, 200),
    ("reports:final_report", "get", 200, 404, 404, 200),
    ("reports:summary", "get", 200, 200, 404, 200),
    ("reports:summary_text", "get", 200, 200, 404, 200),
    ("reports:summary_generate", "post", 302, 404, 404, 404),
    ("reports:export_participants_xlsx", "get", 200, 200, 404, 404),
    ("reports:export_participants_csv", "get", 200, 200, 404, 404),
    ("reports:export_attendance_xlsx", "get", 200, 200, 404, 404),
    ("reports:export_hours_csv", "get", 200, 200, 404, 404),
    ("reports:export_certificates_xlsx", "get", 200, 200, 404, 404),
]


@pytest.mark.parametrize(("name", "method", "alice", "bob", "charlie", "funder_status"), MATRIX)
def test_every_report_url_answers_each_persona(
    client, attended, funder, name, method, alice, bob, charlie, funder_status
):
    for user, expected in (
        (attended.alice, alice),
        (attended.bob, bob),
        (attended.charlie, charlie),
        (funder, funder_status),
    ):
        client.force_login(user)
        response = getattr(client, method)(url(name, attended))
        assert response.status_code == expected, (name, user.email, response.status_code)


def test_publishing_needs_a_generated_summary_and_the_edit_permission(client, attended, funder):
    path = url("reports:summary_publish", attended)
    client.force_login(attended.alice)
    assert client.post(path, {"published": "1"}).status_code == 404  # nothing generated yet
    client.post(url("reports:summary_generate", attended))
    for user in (attended.bob, attended.charlie, funder):
        client.force_login(user)
        assert client.post(path, {"published": "1"}).status_code == 404
    assert not PublicSummary.objects.get().published
    client.force_login(attended.alice)
    assert client.post(path, {"published": "1"}).status_code == 302
    assert PublicSummary.objects.get().published


def test_certificate_register_lists_issued_certificates_in_lithuanian_order(client, world):
    from kvalis.enrolment.models import Enrolment
    from tests.factories import CertificateFactory

    for last in ("Žukas", "Čepas", "Cibas"):
        person = PersonFactory(last_name=last, organisation=world.lead)
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=person, cohort=world.cohort), session=world.session
        )
        CertificateFactory(enrolment=Enrolment.objects.get(person=person))
    client.force_login(world.alice)
    text = client.get(url("reports:export_certificates_csv", world)).content.decode("utf-8-sig")
    names = [line.split(";")[1] for line in text.splitlines()[1:]]
    assert names == ["Cibas", "Čepas", "Žukas"]
    data = json.loads(client.get(url("reports:json", world)).content)
    assert data["certificates_issued"] == 3


@pytest.fixture
def costly_visit(attended):
    from decimal import Decimal

    from tests.factories import (
        BudgetLineFactory,
        ExpenseFactory,
        StudyVisitFactory,
        TravellerCostFactory,
        TravellerFactory,
    )

    visit = StudyVisitFactory(project=attended.project)
    expense = ExpenseFactory(
        line=BudgetLineFactory(project=attended.project), amount=Decimal("4321.00")
    )
    TravellerCostFactory(
        traveller=TravellerFactory(visit=visit, person=attended.person_b), expense=expense
    )
    return attended


def test_partner_coordinator_never_sees_the_travellers_costs(client, costly_visit):
    client.force_login(costly_visit.bob)
    data = json.loads(client.get(url("reports:json", costly_visit)).content)
    assert data["study_visit"]["travellers"] == 1
    assert data["study_visit"].get("cost_total") is None
    assert all(item.get("cost_total") is None for item in data["study_visit"]["visits"])
    assert "4321" not in json.dumps(data)
    response = client.get(url("reports:dashboard", costly_visit))
    assert "Talinas (Estija)" in response.text
    assert "4321" not in response.text and "4 321" not in response.text
    assert "Vykstančiųjų išlaidos" not in response.text


def test_coordinator_sees_the_travellers_costs(client, costly_visit):
    client.force_login(costly_visit.alice)
    data = json.loads(client.get(url("reports:json", costly_visit)).content)
    assert data["study_visit"]["cost_total"] == "4321.00"
    assert data["study_visit"]["visits"][0]["cost_total"] == "4321.00"
    response = client.get(url("reports:dashboard", costly_visit))
    assert "4321" in response.text.replace("\xa0", "").replace(" ", "")


def test_filtered_dashboard_labels_satisfaction_and_study_visit_as_whole_project(
    client, costly_visit
):
    client.force_login(costly_visit.alice)
    note = "Visam projektui: aukščiau pasirinkti filtrai šiai daliai netaikomi."
    unfiltered = client.get(url("reports:dashboard", costly_visit))
    assert note not in unfiltered.text
    query = f"?activity={costly_visit.activity.pk}"
    response = client.get(url("reports:dashboard", costly_visit, query))
    assert response.context["data"]["filters"] == {"activity": costly_visit.activity.pk}
    assert response.text.count(note) == 2  # the satisfaction and the study visit sections
    assert "Pasitenkinimas (vidurkis, 1–5; visam projektui)" in response.text
    data = json.loads(client.get(url("reports:json", costly_visit, query)).content)
    assert data["satisfaction"]["whole_project"] is True
    assert data["study_visit"]["whole_project"] is True
    client.force_login(costly_visit.bob)
    scoped = client.get(url("reports:dashboard", costly_visit))
    assert scoped.text.count("Visam projektui, ne tik jūsų organizacijos žmonėms.") == 2
