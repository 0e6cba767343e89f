"""Pages of the enrolment app, each tried by the coordinator (alice), a partner coordinator of
another organisation (bob) and an outsider (charlie), plus the public and participant pages."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kvalis.audit.models import AuditEntry
from kvalis.enrolment.models import CalendarToken, CohortRegistration, Enrolment
from tests.factories import (
    CertificateFactory,
    CohortFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PersonFactory,
    QuotaFactory,
    SessionFactory,
    SurveyFactory,
    UserFactory,
)


@pytest.fixture
def roster(world, future_cohort):
    """future_cohort with capacity 5: person_a (lead, no quota) confirmed, person_b (bob's
    partner) confirmed through the quota, one applicant awaiting approval."""
    future_cohort.capacity = 5
    future_cohort.save()
    QuotaFactory(cohort=future_cohort, partner=world.partner_b, seats=2)
    a = EnrolmentFactory(cohort=future_cohort, person=world.person_a)
    b = EnrolmentFactory(cohort=future_cohort, person=world.person_b, partner=world.partner_b)
    applicant = EnrolmentFactory(
        cohort=future_cohort,
        person=PersonFactory(organisation=world.lead, last_name="Čepulytė"),
        status="applied",
    )
    return future_cohort, a, b, applicant


def url(name, *args):
    return reverse(f"enrolment:{name}", args=args)


# --- public -----------------------------------------------------------------------------------


def test_catalogue_lists_open_future_cohorts_only(client, world, future_cohort):
    closed = CohortFactory(
        activity=world.activity,
        start_date=future_cohort.start_date,
        end_date=future_cohort.end_date,
        name="Uždara grupė",
    )
    CohortRegistration.objects.create(cohort=closed, is_open=False)
    response = client.get(url("catalogue"))
    assert response.status_code == 200
    assert future_cohort.name in response.text
    assert "Uždara grupė" not in response.text
    assert world.cohort.name not in response.text  # started in 2014


def test_catalogue_runs_the_same_queries_for_one_cohort_or_many(client, world, future_cohort):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        from django.core.cache import cache

        cache.clear()  # the page rendered, not the copy kept for visitors (kvalis.lib.public_cache)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("catalogue")).status_code == 200
        return len(captured)

    QuotaFactory(cohort=future_cohort, partner=world.partner_b, seats=1)
    one = queries()
    for number in range(2, 7):
        cohort = CohortFactory(
            activity=world.activity,
            start_date=future_cohort.start_date,
            end_date=future_cohort.end_date,
            name=f"{number} grupė",
        )
        QuotaFactory(cohort=cohort, partner=world.partner_b, seats=1)
        EnrolmentFactory(cohort=cohort, status="confirmed")
    assert queries() == one


def test_catalogue_filters_by_activity_municipality_and_month(client, world, future_cohort):
    month = future_cohort.start_date.strftime("%Y-%m")
    world.project.lead.municipality = "moletu-r"
    world.project.lead.save()
    assert future_cohort.name in client.get(url("catalogue"), {"month": month}).text
    assert future_cohort.name not in client.get(url("catalogue"), {"month": "2001-01"}).text
    assert future_cohort.name in client.get(url("catalogue"), {"municipality": "moletu-r"}).text
    assert future_cohort.name not in client.get(url("catalogue"), {"municipality": "kauno-m"}).text
    assert (
        future_cohort.name
        in client.get(url("catalogue"), {"activity": str(world.activity.pk)}).text
    )
    bad = client.get(url("catalogue"), {"month": "gegužė"})
    assert "MMMM-MM" in bad.text


def test_public_application_sends_a_confirmation_link(
    client, world, future_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    data = {
        "first_name": "Aistė",
        "last_name": "Žukauskaitė",
        "email": "aiste@example.lt",
        "phone": "",
        "organisation": world.lead.pk,
        "position": "bibliotekininkė",
        "position_category": "specialist",
        "consent": "on",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("apply", future_cohort.public_id), data)
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(person__email="aiste@example.lt")
    assert enrolment.status == "unconfirmed"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject.startswith("Patvirtinkite savo paraišką")
    assert message.alternatives and "<a href" in message.alternatives[0][0]
    link = url("confirm", enrolment.confirmation.token)
    assert link in message.body


def _application(email, **overrides):
    data = {
        "first_name": "Aistė",
        "last_name": "Žukauskaitė",
        "email": email,
        "phone": "",
        "position": "bibliotekininkė",
        "position_category": "specialist",
        "consent": "on",
    }
    return {**data, **overrides}


def _without_csrf(text: str) -> str:
    """The page without what differs on every response: the CSRF token, the CSP nonce."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return re.sub(r'nonce="[^"]*"', "", text)


def test_the_application_form_answers_a_known_address_as_a_new_one_and_mails_its_owner(
    client, world, future_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    """No enumeration: whoever types an address into the public form gets the same page,
    redirect and status whether the address is new, has just applied, or belongs to a person
    already in the cohort; the address's owner is told by e-mail, and their record is kept."""
    from django.forms.models import model_to_dict

    known = PersonFactory(
        email="ona@example.lt", first_name="Ona", last_name="Tikroji", organisation=world.lead
    )
    EnrolmentFactory(cohort=future_cohort, person=known)
    before = model_to_dict(known)
    path = url("apply", future_cohort.public_id)

    def post(email, **overrides):
        data = _application(email, organisation=world.lead.pk, **overrides)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(path, data, follow=True)

    new = post("aiste@example.lt")
    again = post("aiste@example.lt")
    taken = post("Ona@Example.lt", first_name="Kazimieras", last_name="Svetimas")
    for response in (again, taken):
        assert response.status_code == new.status_code == 200
        assert response.redirect_chain == new.redirect_chain
        assert _without_csrf(response.text) == _without_csrf(new.text)
    assert new.redirect_chain == [(url("applied", future_cohort.public_id), 302)]

    known.refresh_from_db()
    assert model_to_dict(known) == before
    assert Enrolment.objects.filter(person=known).count() == 1
    assert Enrolment.objects.filter(person__email="aiste@example.lt").count() == 1
    first, notice, owners_notice = mailoutbox
    assert first.to == ["aiste@example.lt"]
    assert first.subject.startswith("Patvirtinkite savo paraišką")
    assert notice.to == ["aiste@example.lt"]
    assert notice.subject.startswith("Nauja paraiška jūsų adresu")
    assert "jūsų paraiška galioja" in notice.body
    # Not confirmed yet: the notice carries the same confirmation link again.
    token = Enrolment.objects.get(person__email="aiste@example.lt").confirmation.token
    assert url("confirm", token) in notice.body
    assert owners_notice.to == ["ona@example.lt"]
    assert "jūsų paraiška galioja" in owners_notice.body
    assert "/enrolment/confirm/" not in owners_notice.body
    assert "Svetimas" not in owners_notice.body


def test_application_form_refuses_a_name_with_a_bidirectional_override(
    client, world, future_cohort
):
    data = _application("aiste@example.lt", organisation=world.lead.pk, last_name="\u202eėtiak")
    response = client.post(url("apply", future_cohort.public_id), data)
    assert response.status_code == 200
    assert "Lauke „Pavardė“ yra nematomas arba valdymo simbolis (U+202E)" in response.text
    assert not Enrolment.objects.filter(person__email="aiste@example.lt").exists()


def test_application_form_tells_an_ineligible_applicant_why(client, world, future_cohort):
    world.activity.audience_position_categories = ["head"]
    world.activity.save()
    response = client.post(
        url("apply", future_cohort.public_id),
        {
            "first_name": "Aistė",
            "last_name": "Žukauskaitė",
            "email": "aiste@example.lt",
            "organisation": world.lead.pk,
            "position": "bibliotekininkė",
            "position_category": "specialist",
            "consent": "on",
        },
    )
    assert response.status_code == 200
    assert "Ši veikla skirta" in response.text
    assert not Enrolment.objects.filter(person__email="aiste@example.lt").exists()


def test_application_form_requires_consent_and_an_employer(client, future_cohort):
    response = client.post(
        url("apply", future_cohort.public_id),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.lt",
            "position": "x",
            "position_category": "specialist",
        },
    )
    assert "Pažymėkite, kad sutinkate su privatumo pranešimu." in response.text
    assert "Įrašykite darbovietės pavadinimą arba pridėkite ją žemiau." in response.text
    assert not Enrolment.objects.filter(person__email="a@example.lt").exists()


def test_application_form_for_a_closed_cohort_is_404(client, world):
    assert client.get(url("apply", world.cohort.public_id)).status_code == 404


def test_confirmation_page_asks_then_confirms_and_offers_a_password(client, world, future_cohort):
    from kvalis.enrolment import services

    enrolment = services.application_create(
        cohort=future_cohort,
        first_name="Ona",
        last_name="Naujoji",
        email="ona@example.lt",
        organisation=world.lead,
        position="x",
        position_category="specialist",
        consent=True,
    )
    token = enrolment.confirmation.token
    page = client.get(url("confirm", token))
    assert "Patvirtinti mano el. pašto adresą" in page.text
    enrolment.refresh_from_db()
    assert enrolment.status == "unconfirmed"  # a GET (mail scanner) confirms nothing
    response = client.post(url("confirm", token), follow=True)
    assert "Susikurti slaptažodį" in response.text
    assert "/accounts/reset/" in response.text
    enrolment.refresh_from_db()
    assert enrolment.status == "applied"
    assert client.get(url("confirm", "not-a-token")).status_code == 404


def test_privacy_notice_in_lithuanian_and_english(client):
    assert "Privatumo pranešimas" in client.get(url("privacy")).text
    client.cookies["django_language"] = "en"
    assert "Your rights" in client.get(url("privacy"), headers={"accept-language": "en"}).text


def test_cohort_ics_is_rfc5545_text(client, future_cohort):
    response = client.get(url("cohort_ics", future_cohort.public_id))
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "BEGIN:VEVENT" in text and "DTSTART:" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_personal_feed_has_only_confirmed_sessions(client, world, roster):
    cohort, a, _b, _applicant = roster
    waiting_cohort = CohortFactory(activity=world.activity)
    SessionFactory(cohort=waiting_cohort, title="Nerodomas")
    EnrolmentFactory(cohort=waiting_cohort, person=world.person_a, status="applied")
    token = CalendarToken.objects.create(person=world.person_a)
    text = client.get(url("calendar_feed", token.token)).content.decode()
    assert text.count("BEGIN:VEVENT") == cohort.sessions.count()
    assert "Nerodomas" not in text
    assert client.get(url("calendar_feed", "wrong")).status_code == 404


# --- the participant's page -------------------------------------------------------------------


def test_my_trainings_shows_status_schedule_and_feed(client, world, roster):
    cohort, a, _b, _applicant = roster
    user = UserFactory(email="ona@example.lt")
    world.person_a.user = user
    world.person_a.save()
    client.force_login(user)
    response = client.get(url("my_trainings"))
    assert response.status_code == 200
    assert cohort.name in response.text and "patvirtinta" in response.text
    assert "/calendar/" in response.text and ".ics" in response.text
    assert 'aria-current="page"' in response.text


def test_my_trainings_links_the_valid_certificate_and_the_survey_to_answer(client, world):
    enrolment = EnrolmentFactory(cohort=world.cohort, person=world.person_a)
    certificate = CertificateFactory(enrolment=enrolment)
    survey = SurveyFactory(activity=world.activity)
    someone_elses = CertificateFactory(enrolment=EnrolmentFactory(cohort=world.cohort))
    user = UserFactory()
    world.person_a.user = user
    world.person_a.save()
    client.force_login(user)

    text = client.get(url("my_trainings")).text

    assert reverse("certificates:my_certificate_pdf", args=[certificate.pk]) in text
    assert f"Pažymėjimas {certificate.number} (PDF)" in text
    assert reverse("surveys:answer", args=[survey.public_id]) in text
    assert "Įvertinti šiuos mokymus" in text
    assert someone_elses.number not in text


def test_my_trainings_offers_no_survey_once_answered(client, world):
    from kvalis.surveys.models import SurveyParticipation

    EnrolmentFactory(cohort=world.cohort, person=world.person_a)
    survey = SurveyFactory(activity=world.activity)
    SurveyParticipation.objects.create(survey=survey, person=world.person_a)
    user = UserFactory()
    world.person_a.user = user
    world.person_a.save()
    client.force_login(user)

    text = client.get(url("my_trainings")).text

    assert reverse("surveys:answer", args=[survey.public_id]) not in text


def test_participant_cancels_own_enrolment_and_the_next_is_promoted(
    client, world, roster, mailoutbox, django_capture_on_commit_callbacks
):
    cohort, a, _b, _applicant = roster
    cohort.capacity = 2
    cohort.save()
    cohort.quotas.all().delete()
    waiting = EnrolmentFactory(cohort=cohort, status="waiting", waiting_position=1)
    user = UserFactory()
    world.person_a.user = user
    world.person_a.save()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("my_cancel", a.pk))
    assert response.status_code == 302
    a.refresh_from_db()
    waiting.refresh_from_db()
    assert a.status == "cancelled" and waiting.status == "confirmed"
    assert any(m.to == [waiting.person.email] for m in mailoutbox)


def test_participant_cannot_cancel_someone_elses_enrolment(client, world, roster):
    _cohort, _a, b, _applicant = roster
    user = UserFactory()
    world.person_a.user = user
    world.person_a.save()
    client.force_login(user)
    assert client.post(url("my_cancel", b.pk)).status_code == 404
    b.refresh_from_db()
    assert b.status == "confirmed"


# --- the back office: three personas ----------------------------------------------------------


def test_cohorts_page_by_persona(client, world, roster):
    code = world.project.code
    client.force_login(world.alice)
    assert client.get(url("cohorts", code)).status_code == 200
    client.force_login(world.bob)
    response = client.get(url("cohorts", code))
    assert response.status_code == 200 and "1 / 2" in response.text  # bob's quota use
    client.force_login(world.charlie)
    assert client.get(url("cohorts", code)).status_code == 404


def test_roster_by_persona(client, world, roster):
    cohort, a, b, applicant = roster
    path = url("roster", world.project.code, cohort.pk)
    client.force_login(world.alice)
    text = client.get(path).text
    assert world.person_a.last_name in text and world.person_b.last_name in text
    # Lithuanian order: Čepulytė after the C... names and before Jonaitė, Petraitė.
    assert text.index("Čepulytė") < text.index("Jonaitė") < text.index("Petraitė")
    client.force_login(world.bob)
    text = client.get(path).text
    assert world.person_b.last_name in text and world.person_a.last_name not in text
    client.force_login(world.charlie)
    assert client.get(path).status_code == 404


def test_roster_filters_by_partner_and_status(client, world, roster):
    cohort, *_rest = roster
    path = url("roster", world.project.code, cohort.pk)
    client.force_login(world.alice)
    by_partner = client.get(path, {"partner": world.partner_b.pk}).text
    assert world.person_b.last_name in by_partner and world.person_a.last_name not in by_partner
    applied = client.get(path, {"status": "applied"}).text
    assert "Čepulytė" in applied and world.person_b.last_name not in applied


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_roster_exports_are_safe_against_formula_injection(client, world, roster, prefix):
    cohort, a, *_rest = roster
    evil = prefix + 'HYPERLINK("http://evil")'
    world.person_a.first_name = evil
    world.person_a.save()
    client.force_login(world.alice)
    response = client.get(url("roster_csv", world.project.code, cohort.pk))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'" + evil in cells
    assert not any(cell.startswith(prefix) for cell in cells)
    response = client.get(url("roster_xlsx", world.project.code, cohort.pk))
    sheet = load_workbook(io.BytesIO(response.content)).active
    # An XLSX text cell is never run as a formula: the text is kept as it is, no quote in front.
    # (XML reads a carriage return back as a line feed.)
    [cell] = [c for row in sheet.iter_rows() for c in row if "HYPERLINK" in str(c.value)]
    assert cell.data_type == "s"
    assert cell.value in (evil, "\n" + evil[1:])
    assert sheet["A1"].value == "Pavardė"


def test_partner_export_has_only_own_people(client, world, roster):
    cohort, *_rest = roster
    client.force_login(world.bob)
    text = client.get(url("roster_csv", world.project.code, cohort.pk)).content.decode()
    assert world.person_b.last_name in text and world.person_a.last_name not in text
    client.force_login(world.charlie)
    assert client.get(url("roster_xlsx", world.project.code, cohort.pk)).status_code == 404


def test_coordinator_raises_capacity_and_the_waiting_list_moves(client, world, roster):
    cohort, *_rest = roster
    waiting = EnrolmentFactory(cohort=cohort, status="waiting", waiting_position=1)
    path = url("cohort_settings", world.project.code, cohort.pk)
    for persona in (world.bob, world.charlie):
        client.force_login(persona)
        assert client.get(path).status_code == 404
    client.force_login(world.alice)
    assert client.get(path).status_code == 200
    response = client.post(
        path, {"form": "settings", "capacity": 6, "is_open": "on", "auto_approve": "on"}
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    cohort.refresh_from_db()
    assert cohort.capacity == 6 and waiting.status == "confirmed"
    assert cohort.registration.auto_approve


def test_coordinator_sets_a_quota_and_bad_values_change_nothing(client, world, roster):
    cohort, *_rest = roster
    path = url("cohort_settings", world.project.code, cohort.pk)
    client.force_login(world.alice)
    prefix = f"q{world.partner_b.pk}"
    response = client.post(
        path, {"form": f"quota-{world.partner_b.pk}", f"{prefix}-seats": 99}, follow=True
    )
    assert "daugiau nei grupės vietų skaičius" in response.text
    assert cohort.quotas.get(partner=world.partner_b).seats == 2
    release = (date.today() + timedelta(days=3)).isoformat()
    client.post(
        path,
        {
            "form": f"quota-{world.partner_b.pk}",
            f"{prefix}-seats": 3,
            f"{prefix}-release_on": release,
        },
    )
    quota = cohort.quotas.get(partner=world.partner_b)
    assert quota.seats == 3 and quota.release_on.isoformat() == release


def test_partner_nominates_own_staff_within_quota(client, world, roster):
    cohort, *_rest = roster
    path = url("nominate", world.project.code, cohort.pk)
    colleague = PersonFactory(organisation=world.partner_b.organisation, last_name="Kolegė")
    client.force_login(world.bob)
    page = client.get(path).text
    assert "Kolegė" in page and world.person_a.last_name not in page
    response = client.post(path, {"person": colleague.pk})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(person=colleague, cohort=cohort)
    assert enrolment.partner == world.partner_b and enrolment.enrolled_by == world.bob
    third = PersonFactory(organisation=world.partner_b.organisation)
    response = client.post(path, {"person": third.pk})
    assert "Viršijama kvota" in response.text
    assert not Enrolment.objects.filter(person=third).exists()


def test_partner_cannot_nominate_another_partners_person(client, world, roster):
    cohort, *_rest = roster
    outsider = PersonFactory(organisation=world.lead)
    client.force_login(world.bob)
    response = client.post(url("nominate", world.project.code, cohort.pk), {"person": outsider.pk})
    assert response.status_code == 200 and not Enrolment.objects.filter(person=outsider).exists()
    client.force_login(world.charlie)
    assert client.get(url("nominate", world.project.code, cohort.pk)).status_code == 404


def test_coordinator_overrides_eligibility_with_a_written_reason(client, world, roster):
    cohort, *_rest = roster
    world.activity.audience_organisation_types = ["museum"]
    world.activity.save()
    person = PersonFactory(organisation=world.lead)
    path = url("nominate", world.project.code, cohort.pk)
    client.force_login(world.alice)
    refused = client.post(path, {"person": person.pk})
    assert "kito tipo" in refused.text
    client.post(path, {"person": person.pk, "override_reason": "Muziejaus filialas bibliotekoje"})
    enrolment = Enrolment.objects.get(person=person, cohort=cohort)
    assert enrolment.note.eligibility_override_reason == "Muziejaus filialas bibliotekoje"
    assert AuditEntry.objects.filter(action="enrolment.override_eligibility").exists()


def test_approve_reject_by_persona(
    client, world, roster, mailoutbox, django_capture_on_commit_callbacks
):
    cohort, a, b, applicant = roster
    for persona in (world.bob, world.charlie):
        client.force_login(persona)
        assert client.post(url("approve", world.project.code, applicant.pk)).status_code == 404
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("approve", world.project.code, applicant.pk))
    applicant.refresh_from_db()
    assert applicant.status == "confirmed"
    assert mailoutbox[-1].subject.startswith("Jūsų vieta patvirtinta")
    other = EnrolmentFactory(cohort=cohort, status="applied")
    client.post(url("reject", world.project.code, other.pk))
    other.refresh_from_db()
    assert other.status == "rejected"


def test_partner_cancels_own_person_but_not_others(client, world, roster):
    cohort, a, b, _applicant = roster
    client.force_login(world.bob)
    assert client.post(url("cancel", world.project.code, a.pk)).status_code == 404
    client.post(url("cancel", world.project.code, b.pk))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == "confirmed" and b.status == "cancelled"


def test_move_by_persona(client, world, roster):
    cohort, a, *_rest = roster
    target = CohortFactory(
        activity=world.activity,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        capacity=3,
    )
    path = url("move", world.project.code, a.pk)
    for persona in (world.bob, world.charlie):
        client.force_login(persona)
        assert client.get(path).status_code == 404
    client.force_login(world.alice)
    assert client.get(path).status_code == 200
    client.post(path, {"cohort": target.pk})
    a.refresh_from_db()
    assert a.cohort == target


def test_import_pages_by_persona(client, world, roster, django_capture_on_commit_callbacks):
    cohort, *_rest = roster
    code = world.project.code
    centre = OrganisationFactory(name="Alantos kultūros namai")
    world.partner_b.covered_organisations.add(centre)
    data = (
        "Vardas;Pavardė;El. paštas;Įstaiga;Kategorija\n"
        f"Ona;Nauja;ona.nauja@example.lt;{centre.name};specialist\n"
        f"Jonas;Blogas;jonas@;{centre.name};specialist\n"
    ).encode("cp1257")
    client.force_login(world.charlie)
    assert client.get(url("import_upload", code, cohort.pk)).status_code == 404
    client.force_login(world.bob)
    with django_capture_on_commit_callbacks(execute=True):  # the worker reads the file
        response = client.post(
            url("import_upload", code, cohort.pk),
            {"file": _upload("darbuotojai.csv", data)},
        )
    assert response.status_code == 302
    detail = response["Location"]
    page = client.get(detail).text
    assert "Kuriame stulpelyje kas yra?" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            detail,
            {
                "first_name": 0,
                "last_name": 1,
                "email": 2,
                "organisation": 3,
                "position_category": 4,
            },
        )
    page = client.get(detail).text
    assert "nėra teisingas el. pašto adresas" in page and "naujas asmuo" in page
    batch_pk = int(detail.rstrip("/").split("/")[-1])
    assert client.get(url("import_progress", code, batch_pk)).status_code == 200
    client.force_login(world.charlie)
    assert client.get(detail).status_code == 404
    client.force_login(world.alice)
    assert client.get(detail).status_code == 200  # the coordinator sees partners' imports


def test_upload_refuses_an_oversized_or_foreign_file(client, world, roster, settings):
    cohort, *_rest = roster
    settings.KVALIS_MAX_UPLOAD_MB = 1
    client.force_login(world.bob)
    path = url("import_upload", world.project.code, cohort.pk)
    response = client.post(path, {"file": _upload("big.csv", b"a;b\n" * 400000)})
    assert "didesnis nei 1 MB" in response.text
    response = client.post(path, {"file": _upload("photo.jpg", b"\xff\xd8\xff")})
    assert "ne skaičiuoklės failas" in response.text


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.mark.parametrize("name", ["roster", "cohorts"])
def test_list_pages_run_a_fixed_number_of_queries(
    client, world, roster, name, django_assert_max_num_queries
):
    cohort, *_rest = roster
    path = (
        url("roster", world.project.code, cohort.pk)
        if name == "roster"
        else url("cohorts", world.project.code)
    )
    client.force_login(world.alice)
    with django_assert_max_num_queries(40) as few:
        client.get(path)
    for _ in range(30):
        EnrolmentFactory(cohort=cohort, person=PersonFactory(organisation=world.lead))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(path)


def test_import_progress_polls_until_checked_then_reloads(client, world, roster):
    from tests.factories import ImportBatchFactory

    cohort, *_rest = roster
    batch = ImportBatchFactory(
        cohort=cohort, created_by=world.bob, status="validating", total_rows=10, processed_rows=4
    )
    path = url("import_progress", world.project.code, batch.pk)
    client.force_login(world.bob)
    response = client.get(path, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in response.text and "4 iš 10" in response.text
    assert "HX-Refresh" not in response
    batch.status = "validated"
    batch.save()
    response = client.get(path, headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"
    client.force_login(world.charlie)
    assert client.get(path).status_code == 404


def test_signed_in_participant_finds_the_form_filled_in(client, world, future_cohort):
    user = UserFactory()
    world.person_a.user = user
    world.person_a.save()
    client.force_login(user)
    response = client.get(url("apply", future_cohort.public_id))
    assert f'value="{world.person_a.email}"' in response.text
    assert "Jonaitė" in response.text


def test_applied_page_of_a_cohort_of_a_non_public_project_answers_404(client, world):
    world.project.is_public = False
    world.project.save()

    response = client.get(url("applied", world.cohort.public_id))

    assert response.status_code == 404


def test_catalogue_and_form_do_not_count_seats_reserved_for_a_quota_as_free(
    client, world, future_cohort
):
    future_cohort.capacity = 3
    future_cohort.save()
    QuotaFactory(cohort=future_cohort, partner=world.partner_b, seats=2)
    EnrolmentFactory(cohort=future_cohort, person=world.person_a)
    catalogue = client.get(url("catalogue"))
    [shown] = [c for c in catalogue.context["cohorts"] if c.pk == future_cohort.pk]
    assert shown.free == 0  # the one general seat is taken; two are the partner's
    form = client.get(url("apply", future_cohort.public_id))
    assert form.context["free"] == 0
    assert "būsite įrašyti į laukiančiųjų sąrašą" in form.text


def test_move_form_takes_a_reason_to_move_an_ineligible_person(client, world, roster):
    from tests.factories import ActivityFactory

    cohort, a, *_rest = roster
    heads_only = ActivityFactory(project=world.project, audience_position_categories=["head"])
    target = CohortFactory(
        activity=heads_only, start_date=cohort.start_date, end_date=cohort.end_date, capacity=3
    )
    path = url("move", world.project.code, a.pk)
    client.force_login(world.alice)
    refused = client.post(path, {"cohort": target.pk})
    assert refused.status_code == 200 and "Ši veikla skirta" in refused.text
    a.refresh_from_db()
    assert a.cohort == cohort
    client.post(path, {"cohort": target.pk, "override_reason": "Pavaduoja vadovą"})
    a.refresh_from_db()
    assert a.cohort == target and a.note.eligibility_override_reason == "Pavaduoja vadovą"
