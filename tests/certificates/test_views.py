"""Pages: public verification, the participant's own, the register and the coordinator's tools.
Every back-office view is tried by alice (coordinator), bob (partner) and charlie (outsider)."""

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from kvalis.certificates import services
from kvalis.certificates.models import Certificate, CertificateIssuer, CertificateStatus
from tests.certificates.conftest import completer
from tests.factories import CertificateFactory, UserFactory


@pytest.fixture
def certificate(world, issuer):
    return services.certificate_issue(enrolment=completer(world), actor=world.alice)


# --- public verification ----------------------------------------------------------------------


def test_verification_page_shows_a_valid_certificate_without_contact_data(client, certificate):
    from tests.factories import OrganisationFactory

    person = certificate.person
    person.organisation = OrganisationFactory(name="Molėtų kultūros centras")
    person.phone = "+370 600 00000"
    person.save()
    response = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    assert response.status_code == 200
    assert "Šis pažymėjimas galioja." in response.text
    assert certificate.number in response.text and "Eglė Čepulytė" in response.text
    for private in (person.email, "Molėtų kultūros centras", "+370 600 00000", "bibliotekininkė"):
        assert private not in response.text


def test_verification_page_shows_revocation_date_and_statement_only(client, world, certificate):
    services.certificate_revoke(
        certificate=certificate,
        actor=world.alice,
        reason="Dokumentai suklastoti",
        statement="withdrawn",
    )
    response = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    assert "Šis pažymėjimas panaikintas." in response.text
    assert "Atšauktas išdavėjo" in response.text
    assert "Dokumentai suklastoti" not in response.text
    certificate.refresh_from_db()
    assert localtime(certificate.revoked_at).strftime("%Y-%m-%d") in response.text


def test_verification_page_of_a_replaced_certificate_links_to_the_replacement(
    client, world, certificate
):
    new = services.certificate_reissue(
        certificate=certificate, actor=world.alice, reason="Pataisyta pavardė"
    )
    response = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    assert "Šis pažymėjimas pakeistas nauju." in response.text
    assert reverse("certificates:verify", args=[new.verification_code]) in response.text


def test_unknown_code_answers_404_with_a_message(client, db):
    response = client.get(reverse("certificates:verify", args=["NOSUCHCODE123456"]))
    assert response.status_code == 404
    assert "Pažymėjimo su kodu NOSUCHCODE123456 nėra" in response.text


def test_verify_form_normalises_a_typed_code(client, certificate):
    code = certificate.verification_code
    typed = f" {code[:4].lower()} {code[4:8]}-{code[8:]} "
    response = client.get(reverse("certificates:verify_form"), {"code": typed})
    assert response.status_code == 302
    assert response.url == reverse("certificates:verify", args=[code])


def test_verify_form_refuses_an_empty_code(client, db):
    response = client.get(reverse("certificates:verify_form"), {"code": "---"})
    assert response.status_code == 200
    assert "Įveskite pažymėjime išspausdintą kodą." in response.text


# --- the participant's own ---------------------------------------------------------------------


def test_participant_lists_and_downloads_own_certificate(client, world, participant):
    user, enrolment = participant
    certificate = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    client.force_login(user)
    response = client.get(reverse("certificates:my_certificates"))
    assert certificate.number in response.text
    pdf = client.get(reverse("certificates:my_certificate_pdf", args=[certificate.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    from tests.certificates.test_pdf import pdf_text

    english = client.get(
        reverse("certificates:my_certificate_pdf", args=[certificate.pk]), {"lang": "en"}
    )
    assert "QUALIFICATION IMPROVEMENT CERTIFICATE" in pdf_text(english.content)
    assert "KVALIFIKACIJOS TOBULINIMO PAŽYMĖJIMAS" in pdf_text(pdf.content)


def test_participant_cannot_download_own_revoked_certificate(client, world, participant):
    user, enrolment = participant
    certificate = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    services.certificate_revoke(
        certificate=certificate, actor=world.alice, reason="Klaida", statement="issued_in_error"
    )
    client.force_login(user)
    response = client.get(reverse("certificates:my_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 404
    assert "panaikintas" in client.get(reverse("certificates:my_certificates")).text


def test_someone_elses_certificate_download_is_404(client, world, participant, certificate):
    user, _enrolment = participant
    client.force_login(user)
    response = client.get(reverse("certificates:my_certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 404


def test_user_without_person_sees_no_certificates(client, world, certificate):
    client.force_login(world.charlie)
    response = client.get(reverse("certificates:my_certificates"))
    assert response.status_code == 200 and certificate.number not in response.text
    response = client.get(reverse("certificates:my_cpd_pdf"))
    assert response.status_code == 302 and response.url == reverse("certificates:my_cpd")


def test_participant_cpd_record_and_transcript(client, world, participant):
    from tests.certificates.test_pdf import pdf_text

    user, enrolment = participant
    certificate = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    client.force_login(user)
    response = client.get(reverse("certificates:my_cpd"))
    assert certificate.number in response.text and world.activity.title in response.text
    pdf = client.get(reverse("certificates:my_cpd_pdf"))
    text = pdf_text(pdf.content)
    assert "Kvalifikacijos tobulinimo suvestinė" in text and certificate.number in text


def test_cpd_record_lists_completed_activity_without_certificate(world, participant):
    from kvalis.certificates.selectors import cpd_record

    _user, enrolment = participant
    record = cpd_record(enrolment.person)
    assert [line.number for line in record.lines] == [""]
    assert record.total_hours == 8


# --- back office ---------------------------------------------------------------------------------


def _get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


@pytest.mark.parametrize(
    "name", ["certificates:overview", "certificates:register", "certificates:issuers"]
)
def test_project_pages_for_three_personas(client, world, certificate, name):
    assert _get(client, world.alice, name, world.project.code).status_code == 200
    assert _get(client, world.bob, name, world.project.code).status_code == 404
    assert _get(client, world.charlie, name, world.project.code).status_code == 404


def test_certificate_pages_for_three_personas(client, world, certificate):
    for name in ["certificates:detail", "certificates:pdf"]:
        args = (world.project.code, certificate.pk)
        assert _get(client, world.alice, name, *args).status_code == 200
        assert _get(client, world.bob, name, *args).status_code == 404
        assert _get(client, world.charlie, name, *args).status_code == 404


def test_cohort_page_for_three_personas(client, world, certificate):
    args = (world.project.code, world.cohort.pk)
    response = _get(client, world.alice, "certificates:cohort", *args)
    assert response.status_code == 200 and certificate.number in response.text
    assert _get(client, world.bob, "certificates:cohort", *args).status_code == 404
    assert _get(client, world.charlie, "certificates:cohort", *args).status_code == 404


def test_person_cpd_for_three_personas(client, world, certificate):
    args = (world.project.code, certificate.person_id)
    response = _get(client, world.alice, "certificates:person_cpd", *args)
    assert response.status_code == 200 and certificate.number in response.text
    assert _get(client, world.alice, "certificates:person_cpd_pdf", *args).status_code == 200
    assert _get(client, world.bob, "certificates:person_cpd", *args).status_code == 404
    assert _get(client, world.charlie, "certificates:person_cpd", *args).status_code == 404


def test_funder_reads_the_register_but_cannot_revoke(client, world, funder, certificate):
    response = _get(client, funder, "certificates:register", world.project.code)
    assert response.status_code == 200 and certificate.number in response.text
    detail = _get(client, funder, "certificates:detail", world.project.code, certificate.pk)
    assert detail.status_code == 200 and "revoke-reason" not in detail.text
    response = client.post(
        reverse("certificates:revoke", args=[world.project.code, certificate.pk]),
        {"revoke-reason": "Ne"},
    )
    assert response.status_code == 404
    assert _get(client, funder, "certificates:overview", world.project.code).status_code == 404


def test_register_filters_and_exports(client, world, certificate):
    other = CertificateFactory(enrolment__cohort=world.cohort, participant_name="Zita Žukauskienė")
    client.force_login(world.alice)
    url = reverse("certificates:register", args=[world.project.code])
    response = client.get(url, {"q": "Čepulytė"})
    assert certificate.number in response.text and other.number not in response.text
    export = reverse("certificates:register_export", args=[world.project.code])
    csv = client.get(export, {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode("utf-8-sig")
    assert certificate.number in body and "Eglė Čepulytė" in body
    xlsx = client.get(export)
    assert xlsx.content[:2] == b"PK"
    assert client.get(url, {"status": "revoked"}).text.count(certificate.number) == 0


def test_revoke_view_for_three_personas_and_bad_input(client, world, certificate):
    url = reverse("certificates:revoke", args=[world.project.code, certificate.pk])
    for user in (world.bob, world.charlie):
        client.force_login(user)
        assert client.post(url, {"revoke-reason": "Ne"}).status_code == 404
    client.force_login(world.alice)
    response = client.post(url, {"revoke-reason": ""})
    assert response.status_code == 400
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    response = client.post(
        url, {"revoke-reason": "Klaidingai išduotas", "revoke-statement": "issued_in_error"}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED


def test_reissue_view_creates_the_replacement(client, world, certificate):
    client.force_login(world.alice)
    url = reverse("certificates:reissue", args=[world.project.code, certificate.pk])
    response = client.post(url, {"reissue-reason": "Pataisyta pavardė"})
    new = Certificate.objects.get(replaces=certificate)
    assert response.url == reverse("certificates:detail", args=[world.project.code, new.pk])


def test_bulk_issue_view_shows_progress(
    client, world, issuer, mailoutbox, django_capture_on_commit_callbacks
):
    completer(world)
    completer(world, last="Jonaitienė")
    client.force_login(world.alice)
    url = reverse("certificates:cohort_issue_bulk", args=[world.project.code, world.cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    page = client.get(response.url)
    assert "Išduota 2 iš 2 pažymėjimų" in page.text
    partial = client.get(response.url, headers={"HX-Request": "true"})
    assert partial.text.strip().startswith('<div id="batch-progress"')
    assert len(mailoutbox) == 2
    for user in (world.bob, world.charlie):
        client.force_login(user)
        assert client.post(url).status_code == 404


def test_single_issue_view_refuses_a_non_completer_with_a_message(client, world, issuer):
    enrolment = completer(world, status="absent")
    client.force_login(world.alice)
    url = reverse("certificates:cohort_issue", args=[world.project.code, world.cohort.pk])
    response = client.post(url, {"enrolment": enrolment.pk}, follow=True)
    assert "nebaigė veiklos" in response.text
    assert not Certificate.objects.exists()
    assert client.post(url, {"enrolment": "x"}).status_code == 404


def test_issuer_form_refuses_bad_prefix_and_creates_good_one(client, world):
    client.force_login(world.alice)
    url = reverse("certificates:issuers", args=[world.project.code])
    data = {
        "organisation": world.lead.pk,
        "prefix": "u v!",
        "signatory_name": "Dalia Žilinskienė",
        "signatory_position": "direktorė",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "didžiųjų lotyniškų raidžių" in response.text
    assert not CertificateIssuer.objects.exists()
    response = client.post(url, {**data, "prefix": "UVB"})
    assert response.status_code == 302
    assert CertificateIssuer.objects.get().prefix == "UVB"


def test_issuer_form_offers_only_consortium_organisations(client, world):
    from tests.factories import OrganisationFactory

    stranger = OrganisationFactory(name="Svetima įstaiga")
    client.force_login(world.alice)
    response = client.get(reverse("certificates:issuers", args=[world.project.code]))
    assert world.lead.name in response.text and stranger.name not in response.text


def test_activity_settings_view(client, world, issuer):
    client.force_login(world.alice)
    url = reverse("certificates:activity_settings", args=[world.project.code, world.activity.pk])
    response = client.post(
        url,
        {"issuer": issuer.pk, "title": "Pažymėjimas", "custom_text": "", "hours_rule": "attended"},
    )
    assert response.status_code == 302
    world.activity.certificate_settings.refresh_from_db()
    assert world.activity.certificate_settings.title == "Pažymėjimas"
    other = UserFactory()
    client.force_login(other)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", ["certificates:register", "certificates:cohort"])
def test_list_pages_run_a_fixed_number_of_queries(client, world, issuer, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.alice)
    args = [world.project.code] + ([world.cohort.pk] if name.endswith("cohort") else [])
    url = reverse(name, args=args)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    for i in range(2):
        services.certificate_issue(enrolment=completer(world, last=f"Pirma{i}"), actor=world.alice)
    few = queries()
    for i in range(6):
        services.certificate_issue(enrolment=completer(world, last=f"Antra{i}"), actor=world.alice)
    assert queries() == few


def test_cohort_page_does_not_offer_to_issue_a_revoked_certificate_again(
    client, world, certificate
):
    services.certificate_revoke(
        certificate=certificate, actor=world.alice, reason="Klaida", statement="issued_in_error"
    )
    client.force_login(world.alice)
    response = client.get(
        reverse("certificates:cohort", args=[world.project.code, world.cohort.pk])
    )
    assert response.status_code == 200
    assert (
        reverse("certificates:cohort_issue_bulk", args=[world.project.code, world.cohort.pk])
        not in response.text
    )
    assert (
        reverse("certificates:cohort_issue", args=[world.project.code, world.cohort.pk])
        not in response.text
    )
    assert (
        reverse("certificates:detail", args=[world.project.code, certificate.pk]) in response.text
    )
    assert "panaikintas" in response.text
    waiting = completer(world, last="Laukianti")
    response = client.get(
        reverse("certificates:cohort", args=[world.project.code, world.cohort.pk])
    )
    assert "Išduoti 1 pažymėjimą baigusiesiems" in response.text
    assert response.text.count(f'name="enrolment" value="{waiting.pk}"') == 1
    url = reverse("certificates:cohort_issue", args=[world.project.code, world.cohort.pk])
    response = client.post(url, {"enrolment": certificate.enrolment_id}, follow=True)
    assert "panaikintas" in response.text
    assert Certificate.objects.filter(enrolment=certificate.enrolment).count() == 1


def test_reissue_of_a_revoked_certificate_while_another_is_valid_says_why(
    client, world, certificate, issuer
):
    services.certificate_revoke(
        certificate=certificate, actor=world.alice, reason="Klaida", statement="issued_in_error"
    )
    valid = CertificateFactory(enrolment=certificate.enrolment, issuer=issuer)
    client.force_login(world.alice)
    page = client.get(reverse("certificates:detail", args=[world.project.code, certificate.pk]))
    assert "reissue-reason" not in page.text
    assert reverse("certificates:detail", args=[world.project.code, valid.pk]) in page.text
    url = reverse("certificates:reissue", args=[world.project.code, certificate.pk])
    response = client.post(url, {"reissue-reason": "Dar kartą"})
    assert response.status_code == 400
    assert "Šis asmuo jau turi kitą galiojantį šios grupės pažymėjimą" in response.text
    assert "certificates_one_valid_per_enrolment" not in response.text
    assert Certificate.objects.count() == 2
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    # Without another valid one, the revoked certificate can be reissued.
    other = client.get(reverse("certificates:detail", args=[world.project.code, valid.pk]))
    assert "reissue-reason" in other.text


def _unrelated_completion(world, person, title):
    """`person` completed an activity of another project (world.other_project)."""
    from tests.factories import (
        ActivityFactory,
        AttendanceFactory,
        CohortFactory,
        EnrolmentFactory,
        SessionFactory,
    )

    cohort = CohortFactory(activity=ActivityFactory(project=world.other_project, title=title))
    enrolment = EnrolmentFactory(cohort=cohort, person=person)
    AttendanceFactory(enrolment=enrolment, session=SessionFactory(cohort=cohort))
    return enrolment


def test_person_cpd_shows_only_this_projects_enrolments(client, world, certificate):
    from tests.certificates.test_pdf import pdf_text

    person = certificate.person
    _unrelated_completion(world, person, "Svetimo projekto seminaras")
    # Employed by a consortium organisation, never enrolled in this project.
    _unrelated_completion(world, world.person_b, "Kito projekto mokymai")
    args = (world.project.code, person.pk)
    response = _get(client, world.alice, "certificates:person_cpd", *args)
    assert response.status_code == 200
    assert certificate.number in response.text
    assert "Svetimo projekto seminaras" not in response.text
    assert world.other_project.code not in response.text
    pdf = _get(client, world.alice, "certificates:person_cpd_pdf", *args)
    assert certificate.number in pdf_text(pdf.content)
    assert "Svetimo" not in pdf_text(pdf.content)
    # Employed by a consortium organisation, enrolled only elsewhere: nothing of it is shown.
    stranger = (world.project.code, world.person_b.pk)
    response = _get(client, world.alice, "certificates:person_cpd", *stranger)
    assert "Kito projekto mokymai" not in response.text
    assert response.status_code == 200 and "Baigtų veiklų dar nėra." in response.text
    pdf = _get(client, world.alice, "certificates:person_cpd_pdf", *stranger)
    assert "Kito projekto mokymai" not in pdf_text(pdf.content)
    for user in (world.bob, world.charlie):
        for name in ("certificates:person_cpd", "certificates:person_cpd_pdf"):
            assert _get(client, user, name, *args).status_code == 404
            assert _get(client, user, name, *stranger).status_code == 404


def test_own_cpd_record_keeps_every_project(client, world, participant):
    user, enrolment = participant
    _unrelated_completion(world, enrolment.person, "Svetimo projekto seminaras")
    client.force_login(user)
    response = client.get(reverse("certificates:my_cpd"))
    assert "Svetimo projekto seminaras" in response.text
    assert world.activity.title in response.text


def test_verification_page_dates_a_replacement_by_the_new_certificate(client, world, certificate):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    vilnius = ZoneInfo("Europe/Vilnius")
    services.certificate_revoke(
        certificate=certificate,
        actor=world.alice,
        reason="Klaida",
        statement="issued_in_error",
        when=datetime(2014, 6, 2, 10, tzinfo=vilnius),
    )
    new = services.certificate_reissue(
        certificate=certificate,
        actor=world.alice,
        reason="Grąžintas",
        notify=False,
        when=datetime(2014, 9, 15, 23, 30, tzinfo=vilnius),
    )
    response = client.get(reverse("certificates:verify", args=[certificate.verification_code]))
    assert "Pakeista 2014-09-15." in response.text
    assert "2014-06-02" not in response.text
    assert reverse("certificates:verify", args=[new.verification_code]) in response.text


def test_cpd_record_names_the_activitys_issuer_for_uncertified_lines(world, issuer):
    from kvalis.certificates.selectors import cpd_record

    enrolment = completer(world)
    issuer.organisation = world.partner_b.organisation
    issuer.save()
    (line,) = cpd_record(enrolment.person).lines
    assert line.number == "" and line.issuer_name == "Molėtų biblioteka"
    world.activity.certificate_settings.delete()
    (line,) = cpd_record(enrolment.person).lines
    assert line.issuer_name == world.lead.name


def test_bulk_issue_page_counts_in_lithuanian_and_says_who_was_e_mailed(
    client, world, issuer, mailoutbox, django_capture_on_commit_callbacks
):
    completer(world)
    client.force_login(world.alice)
    url = reverse("certificates:cohort_issue_bulk", args=[world.project.code, world.cohort.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    page = client.get(response.url).text
    assert "Išduota 1 iš 1 pažymėjimo" in page
    assert "El. paštu pažymėjimas išsiųstas 1 dalyviui." in page
    assert "neturi el. pašto" not in page
    for i in range(2):
        completer(world, last=f"Antra{i}")
    without_email = completer(world, last="Bepaštė")
    without_email.person.email = ""
    without_email.person.save()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    page = client.get(response.url).text
    assert "Išduota 3 iš 3 pažymėjimų" in page
    assert "El. paštu pažymėjimai išsiųsti 2 dalyviams." in page
    assert "1 dalyvis neturi el. pašto adreso, jam pažymėjimas el. paštu neišsiųstas." in page
    assert "kiekvienam" not in page
    assert len(mailoutbox) == 2


def test_issuer_form_refuses_a_prefix_of_another_organisation(client, world):
    from tests.factories import CertificateIssuerFactory

    CertificateIssuerFactory(
        project=world.other_project, organisation=world.other_project.lead, prefix="UVB"
    )
    client.force_login(world.alice)
    url = reverse("certificates:issuers", args=[world.project.code])
    data = {
        "organisation": world.lead.pk,
        "prefix": "UVB",
        "signatory_name": "Dalia Žilinskienė",
        "signatory_position": "direktorė",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Kita organizacija jau numeruoja savo pažymėjimus priešdėliu UVB" in response.text
    assert not CertificateIssuer.objects.filter(project=world.project).exists()
