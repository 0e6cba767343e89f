"""Issuing, numbering, freezing, revoking and reissuing certificates."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from kvalis.audit.models import AuditEntry
from kvalis.certificates import services
from kvalis.certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateCounter,
    CertificateStatus,
)
from tests.certificates.conftest import completer
from tests.factories import (
    ActivityCertificateSettingsFactory,
    CertificateFactory,
    CertificateIssuerFactory,
    CohortFactory,
    EnrolmentFactory,
    OrganisationFactory,
    SessionFactory,
)

VILNIUS = ZoneInfo("Europe/Vilnius")


def test_issue_numbers_freezes_and_audits(world, issuer, mailoutbox):
    enrolment = completer(world)
    certificate = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    assert certificate.number.startswith("UVB-") and certificate.number.endswith("-0001")
    assert certificate.status == CertificateStatus.VALID
    assert certificate.hours == Decimal("8")
    assert certificate.data["participant_name"] == "Eglė Čepulytė"
    assert certificate.data["project_title"] == world.project.title
    assert certificate.data["issuer_name"] == world.lead.name
    assert certificate.data["signatory_name"] == "Dalia Žilinskienė"
    assert len(certificate.verification_code) >= 12
    assert AuditEntry.objects.filter(action="certificate.issue", object_id=str(certificate.pk))


def test_issue_emails_the_participant_with_the_pdf(
    world, issuer, mailoutbox, django_capture_on_commit_callbacks
):
    enrolment = completer(world)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [enrolment.person.email]
    assert message.subject == (f"Jūsų kvalifikacijos tobulinimo pažymėjimas {certificate.number}")
    name, content, mimetype = message.attachments[0]
    assert name == f"pažymėjimas-{certificate.number}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    assert certificate.verification_code in message.body


def test_late_arrival_is_certified_with_the_credited_hours(world, issuer):
    enrolment = completer(world, status="late", minutes=315)  # 7 academic hours of 8
    certificate = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    assert certificate.hours == Decimal("7.0")


def test_issue_refuses_who_did_not_complete(world, issuer):
    enrolment = completer(world, status="late", minutes=90)  # 2 of 8 hours
    with pytest.raises(ValidationError, match="nebaigė veiklos"):
        services.certificate_issue(enrolment=enrolment, actor=world.alice)
    assert not Certificate.objects.exists()
    assert not CertificateCounter.objects.filter(last_number__gt=0).exists()


def test_issue_refuses_unconfirmed_enrolment(world, issuer):
    enrolment = completer(world)
    enrolment.status = "waiting"
    enrolment.waiting_position = 1
    enrolment.save()
    with pytest.raises(ValidationError, match="tik patvirtintiems"):
        services.certificate_issue(enrolment=enrolment, actor=world.alice)


def test_issue_refuses_activity_without_issuer(world):
    enrolment = completer(world)
    with pytest.raises(ValidationError, match="kas išduoda"):
        services.certificate_issue(enrolment=enrolment, actor=world.alice)


def test_issue_refuses_a_second_valid_certificate(world, issuer):
    enrolment = completer(world)
    services.certificate_issue(enrolment=enrolment, actor=world.alice)
    with pytest.raises(ValidationError, match="jau turi galiojantį"):
        services.certificate_issue(enrolment=enrolment, actor=world.alice)
    assert Certificate.objects.count() == 1


def test_numbers_run_per_prefix_and_year(world, issuer):
    other = CertificateIssuerFactory(
        project=world.project,
        prefix="USC",
        organisation=OrganisationFactory(name="Utenos švietimo centras"),
    )
    cohort2 = CohortFactory(activity=ActivityCertificateSettingsFactory(issuer=other).activity)
    SessionFactory(cohort=cohort2)
    first = services.certificate_issue(
        enrolment=completer(world),
        actor=world.alice,
        issued_at=datetime(2014, 6, 1, tzinfo=VILNIUS),
    )
    second = services.certificate_issue(
        enrolment=completer(world, last="Jonaitė"),
        actor=world.alice,
        issued_at=datetime(2014, 6, 2, tzinfo=VILNIUS),
    )
    next_year = services.certificate_issue(
        enrolment=completer(world, last="Petraitė"),
        actor=world.alice,
        issued_at=datetime(2015, 1, 5, tzinfo=VILNIUS),
    )
    assert [first.number, second.number, next_year.number] == [
        "UVB-2014-0001",
        "UVB-2014-0002",
        "UVB-2015-0001",
    ]
    other_series = services._number_and_insert(
        [
            services._build(
                enrolment=EnrolmentFactory(cohort=cohort2),
                issuer=other,
                settings_=None,
                hours=Decimal("8"),
                issued_at=datetime(2014, 6, 3, tzinfo=VILNIUS),
                actor=None,
            )
        ]
    )
    assert other_series[0].number == "USC-2014-0001"


def test_a_failed_issue_gives_its_number_back(world, issuer):
    enrolment = completer(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.certificate_issue(enrolment=enrolment, actor=world.alice)
        raise RuntimeError("the insert's transaction fails later")
    assert not Certificate.objects.exists()
    assert not CertificateCounter.objects.filter(last_number__gt=0).exists()
    again = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    assert again.sequence == 1


def test_database_refuses_duplicate_numbers(world, issuer):
    from django.db import IntegrityError

    from tests.factories import CertificateFactory

    CertificateFactory(enrolment__cohort=world.cohort, issuer=issuer, number="UVB-2014-0009")
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateFactory(enrolment__cohort=world.cohort, issuer=issuer, number="UVB-2014-0009")


def test_frozen_data_survives_project_changes(world, issuer, client):
    certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    old_title = world.project.title
    world.project.title = "Visai kitas pavadinimas"
    world.project.save()
    world.activity.title = "Pervadinta veikla"
    world.activity.save()
    certificate.refresh_from_db()
    assert certificate.data["project_title"] == old_title
    response = client.get(f"/verify/{certificate.verification_code}/")
    assert old_title in response.text
    assert "Pervadinta veikla" not in response.text
    from kvalis.certificates.pdf import render_certificate
    from tests.certificates.test_pdf import pdf_text

    text = pdf_text(render_certificate(certificate))
    assert old_title in text and "Visai kitas" not in text


def test_revoke_needs_a_reason_and_keeps_the_row(world, issuer):
    certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    with pytest.raises(ValidationError):
        services.certificate_revoke(
            certificate=certificate, actor=world.alice, reason="  ", statement="issued_in_error"
        )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    services.certificate_revoke(
        certificate=certificate,
        actor=world.alice,
        reason="Klaidingai išduotas",
        statement="issued_in_error",
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_reason == "Klaidingai išduotas"
    assert certificate.revoked_by == world.alice and certificate.revoked_at
    assert AuditEntry.objects.filter(action="certificate.revoke").count() == 1
    with pytest.raises(ValidationError):
        services.certificate_revoke(
            certificate=certificate, actor=world.alice, reason="vėl", statement="issued_in_error"
        )


def test_reissue_gives_a_new_number_and_links_both_ways(world, issuer):
    enrolment = completer(world)
    old = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    enrolment.person.last_name = "Čepulytė-Žukienė"
    enrolment.person.save()
    new = services.certificate_reissue(
        certificate=old, actor=world.alice, reason="Pasikeitė pavardė"
    )
    old.refresh_from_db()
    assert old.status == CertificateStatus.REPLACED
    assert old.revoked_reason == "Pasikeitė pavardė"
    assert new.replaces == old and old.replaced_by == new
    assert new.number != old.number and new.sequence == old.sequence + 1
    assert new.participant_name == "Eglė Čepulytė-Žukienė"
    assert old.participant_name == "Eglė Čepulytė"
    assert AuditEntry.objects.filter(action="certificate.reissue").count() == 1
    with pytest.raises(ValidationError):
        services.certificate_reissue(certificate=old, actor=world.alice, reason="dar kartą")


def test_bulk_issue_certifies_completers_only_and_mails_them(
    world, issuer, mailoutbox, django_capture_on_commit_callbacks
):
    done = [completer(world, last=f"Baigusi{i}") for i in range(3)]
    holder = completer(world, last="Jau-turi")
    services.certificate_issue(enrolment=holder, actor=world.alice)
    mailoutbox.clear()
    completer(world, last="Nebaigusi", status="absent")
    EnrolmentFactory(cohort=world.cohort, status="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)
    batch.refresh_from_db()
    assert batch.status == "done"
    assert (batch.total, batch.done) == (3, 3)
    issued = Certificate.objects.filter(batch=batch)
    assert {c.enrolment_id for c in issued} == {e.pk for e in done}
    assert sorted(c.sequence for c in Certificate.objects.all()) == [1, 2, 3, 4]
    assert all(c.pdf for c in issued)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(e.person.email for e in done)
    assert AuditEntry.objects.filter(action="certificate.issue_bulk").count() == 1


def test_bulk_issue_with_nobody_waiting_is_refused(world, issuer):
    completer(world, status="absent")
    with pytest.raises(ValidationError, match="nėra laukiančių"):
        services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)
    assert not CertificateBatch.objects.exists()


def test_issuer_prefix_must_be_capital_letters(world):
    with pytest.raises(ValidationError):
        services.certificate_issuer_save(
            project=world.project,
            actor=world.alice,
            organisation=world.lead,
            prefix="uv b!",
            signatory_name="A",
            signatory_position="B",
        )
    issuer = services.certificate_issuer_save(
        project=world.project,
        actor=world.alice,
        organisation=world.lead,
        prefix="uvb",
        signatory_name="Dalia Žilinskienė",
        signatory_position="direktorė",
    )
    assert issuer.prefix == "UVB"


def test_issuer_prefix_cannot_change_after_issue(world, issuer):
    services.certificate_issue(enrolment=completer(world), actor=world.alice)
    with pytest.raises(ValidationError):
        services.certificate_issuer_save(
            project=world.project,
            actor=world.alice,
            issuer=issuer,
            organisation=world.lead,
            prefix="NEW",
            signatory_name="A",
            signatory_position="B",
        )


def test_a_failed_batch_says_so_and_keeps_numbers_gap_free(
    world, issuer, django_capture_on_commit_callbacks, monkeypatch
):
    completer(world)
    completer(world, last="Jonaitė")

    def broken(certificates):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_store_pdfs", broken)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.error == "Išdavimą sustabdė netikėta klaida; bandykite dar kartą."
    # The PDFs are rendered after the numbers and rows committed: those stay, without a gap,
    # and wait for a retry to render them (tests/certificates/test_batch_rendering.py).
    assert sorted(Certificate.objects.values_list("sequence", flat=True)) == [1, 2]
    assert not Certificate.objects.exclude(pdf="").exists()
    assert CertificateCounter.objects.get().last_number == 2


def test_bulk_issue_skips_revoked_and_replaced_certificates(
    world, issuer, django_capture_on_commit_callbacks
):
    revoked = completer(world, last="Panaikinta")
    services.certificate_revoke(
        certificate=services.certificate_issue(enrolment=revoked, actor=world.alice),
        actor=world.alice,
        reason="Klaidingai išduotas",
        statement="issued_in_error",
    )
    replaced = completer(world, last="Pakeista")
    new = services.certificate_reissue(
        certificate=services.certificate_issue(enrolment=replaced, actor=world.alice),
        actor=world.alice,
        reason="Pataisyta pavardė",
    )
    services.certificate_revoke(
        certificate=new, actor=world.alice, reason="Klaida", statement="issued_in_error"
    )
    waiting = completer(world, last="Laukianti")
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)
    batch.refresh_from_db()
    assert (batch.status, batch.total, batch.done) == ("done", 1, 1)
    assert [c.enrolment_id for c in Certificate.objects.filter(batch=batch)] == [waiting.pk]
    assert not Certificate.objects.filter(
        enrolment__in=[revoked, replaced], status=CertificateStatus.VALID
    ).exists()
    with pytest.raises(ValidationError, match="nėra laukiančių"):
        services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)


def test_batch_rechecks_revoked_certificates_under_the_lock(world, issuer, monkeypatch):
    """Between choosing and locking, someone issued and revoked: the run leaves that one out."""
    revoked = completer(world, last="Panaikinta")
    batch = services.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)
    certificate = services.certificate_issue(enrolment=revoked, actor=world.alice, notify=False)
    services.certificate_revoke(
        certificate=certificate, actor=world.alice, reason="Klaida", statement="issued_in_error"
    )
    original = services._eligible

    def stale(enrolments, **kwargs):
        chosen, completion = original(enrolments, **kwargs)
        return [*chosen, revoked], completion

    monkeypatch.setattr(services, "_eligible", stale)
    services.certificate_batch_run(batch_id=batch.pk, send_mail=False)
    assert Certificate.objects.filter(enrolment=revoked).count() == 1


def test_single_issue_refuses_an_enrolment_with_a_revoked_certificate(world, issuer):
    enrolment = completer(world)
    certificate = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    services.certificate_revoke(
        certificate=certificate, actor=world.alice, reason="Klaida", statement="issued_in_error"
    )
    with pytest.raises(ValidationError, match="panaikintas"):
        services.certificate_issue(enrolment=enrolment, actor=world.alice)
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


@pytest.mark.parametrize("change", ["cancelled", "absent"])
def test_reissue_refuses_an_enrolment_no_longer_confirmed_or_completed(world, issuer, change):
    from kvalis.attendance.models import Attendance

    enrolment = completer(world)
    old = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    if change == "cancelled":
        enrolment.status = "cancelled"
        enrolment.save()
        message = "Pažymėjimai išduodami tik patvirtintiems dalyviams."
    else:
        Attendance.objects.filter(enrolment=enrolment).update(status="absent")
        message = "nebaigė veiklos"
    with pytest.raises(ValidationError, match=message):
        services.certificate_reissue(certificate=old, actor=world.alice, reason="Pataisyta")
    old.refresh_from_db()
    assert old.status == CertificateStatus.VALID and not old.revoked_reason
    assert Certificate.objects.count() == 1
    assert not AuditEntry.objects.filter(action="certificate.reissue").exists()


def test_reissue_of_a_revoked_certificate_refused_while_another_is_valid(world, issuer):
    enrolment = completer(world)
    revoked = services.certificate_issue(enrolment=enrolment, actor=world.alice)
    services.certificate_revoke(
        certificate=revoked, actor=world.alice, reason="Klaida", statement="issued_in_error"
    )
    valid = CertificateFactory(enrolment=enrolment, issuer=issuer)  # e.g. issued again earlier
    with pytest.raises(ValidationError, match="kitą galiojantį šios grupės pažymėjimą"):
        services.certificate_reissue(certificate=revoked, actor=world.alice, reason="Dar kartą")
    revoked.refresh_from_db()
    assert revoked.status == CertificateStatus.REVOKED
    assert Certificate.objects.filter(status=CertificateStatus.VALID).get() == valid
    assert Certificate.objects.count() == 2


def test_a_prefix_belongs_to_one_organisation_across_projects(world, issuer):
    """Numbers run per prefix and year: another organisation may not join UVB's series."""
    from kvalis.certificates.models import CertificateIssuer

    with pytest.raises(ValidationError) as refused:
        services.certificate_issuer_save(
            project=world.other_project,
            actor=world.charlie,
            organisation=world.other_project.lead,
            prefix=" uvb ",
            signatory_name="Ona Onaitė",
            signatory_position="direktorė",
        )
    assert refused.value.message_dict["prefix"] == [
        "Kita organizacija jau numeruoja savo pažymėjimus priešdėliu UVB; pasirinkite kitą."
    ]
    assert CertificateIssuer.objects.filter(prefix="UVB").get() == issuer
    # The same organisation keeps its one series in another project.
    same = services.certificate_issuer_save(
        project=world.other_project,
        actor=world.charlie,
        organisation=world.lead,
        prefix="UVB",
        signatory_name="Dalia Žilinskienė",
        signatory_position="direktorė",
    )
    assert same.prefix == "UVB"
    # Handing the prefix to another organisation by editing the issuer is refused too.
    with pytest.raises(ValidationError):
        services.certificate_issuer_save(
            project=world.project,
            actor=world.alice,
            issuer=issuer,
            organisation=world.partner_b.organisation,
            prefix="UVB",
            signatory_name="A",
            signatory_position="B",
        )
    issuer.refresh_from_db()
    assert issuer.organisation == world.lead
