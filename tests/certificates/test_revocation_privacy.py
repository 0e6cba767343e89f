"""A revocation has an internal reason, seen only by the project's coordinators, and a public
statement chosen from a short list: the verification page and the public API show only the
statement (a health-related reason once reached anyone holding the code)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.timezone import localtime

from kvalis.certificates import services
from kvalis.certificates.models import Certificate, CertificateStatus, RevocationStatement
from tests.certificates.conftest import completer

HEALTH = "Dalyvė sirgo onkologine liga ir mokymuose nedalyvavo"


@pytest.fixture
def revoked(world, issuer):
    certificate = services.certificate_issue(
        enrolment=completer(world), actor=world.alice, notify=False
    )
    return services.certificate_revoke(
        certificate=certificate,
        actor=world.alice,
        reason=HEALTH,
        statement=RevocationStatement.ISSUED_IN_ERROR,
    )


def test_verification_page_shows_the_statement_not_the_internal_reason(client, revoked):
    response = client.get(reverse("certificates:verify", args=[revoked.verification_code]))
    assert "Šis pažymėjimas panaikintas." in response.text
    assert "Išduotas per klaidą" in response.text
    assert HEALTH not in response.text
    assert localtime(revoked.revoked_at).strftime("%Y-%m-%d") in response.text


def test_public_api_shows_the_statement_not_the_internal_reason(client, revoked):
    response = client.get(reverse("api:certificate_detail", args=[revoked.verification_code]))
    assert response.status_code == 200
    data = response.json()
    assert data["revocation_statement"] == "issued_in_error"
    assert data["revocation_statement_text"] == "Išduotas per klaidą"
    assert "revoked_reason" not in data
    assert HEALTH not in response.text


def test_public_api_of_a_valid_certificate_has_no_statement(client, world, issuer):
    certificate = services.certificate_issue(
        enrolment=completer(world), actor=world.alice, notify=False
    )
    data = client.get(
        reverse("api:certificate_detail", args=[certificate.verification_code])
    ).json()
    assert data["revocation_statement"] is None and data["revocation_statement_text"] == ""


def test_api_schema_describes_the_statement_and_not_the_reason(client, db):
    schema = client.get(reverse("api:schema")).json()
    certificate = schema["components"]["schemas"]["Certificate"]["properties"]
    assert "revoked_reason" not in certificate
    assert set(certificate["revocation_statement"]["enum"]) == {
        *RevocationStatement.values,
        None,
    }
    assert "revocation_statement_text" in certificate


def test_revoke_form_asks_for_both_and_saves_both(client, world, issuer):
    certificate = services.certificate_issue(
        enrolment=completer(world), actor=world.alice, notify=False
    )
    url = reverse("certificates:revoke", args=[world.project.code, certificate.pk])
    client.force_login(world.alice)
    page = client.get(reverse("certificates:detail", args=[world.project.code, certificate.pk]))
    assert 'name="revoke-statement"' in page.text and 'name="revoke-reason"' in page.text
    # Replacement is what reissuing does; a revocation cannot claim it.
    assert 'value="replaced"' not in page.text
    response = client.post(url, {"revoke-reason": HEALTH})
    assert response.status_code == 400
    assert "Pasirinkite, ką viešai skelbti apie panaikinimą." in response.text
    response = client.post(url, {"revoke-reason": HEALTH, "revoke-statement": "replaced"})
    assert response.status_code == 400
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    response = client.post(
        url, {"revoke-reason": HEALTH, "revoke-statement": "requested_by_holder"}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_reason == HEALTH
    assert certificate.revocation_statement == RevocationStatement.REQUESTED_BY_HOLDER


def test_revoke_service_refuses_a_missing_or_replacement_statement(world, issuer):
    certificate = services.certificate_issue(
        enrolment=completer(world), actor=world.alice, notify=False
    )
    for statement in ("", "replaced", "sirgo"):
        with pytest.raises(ValidationError) as caught:
            services.certificate_revoke(
                certificate=certificate, actor=world.alice, reason=HEALTH, statement=statement
            )
        assert "statement" in caught.value.message_dict
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID


def test_coordinator_sees_the_internal_reason_in_the_back_office(client, world, revoked):
    client.force_login(world.alice)
    detail = client.get(reverse("certificates:detail", args=[world.project.code, revoked.pk]))
    assert HEALTH in detail.text and "Išduotas per klaidą" in detail.text
    export = client.get(
        reverse("certificates:register_export", args=[world.project.code]), {"format": "csv"}
    )
    assert HEALTH in export.content.decode("utf-8-sig")


def test_funder_sees_only_the_statement_in_the_register(client, world, funder, revoked):
    client.force_login(funder)
    detail = client.get(reverse("certificates:detail", args=[world.project.code, revoked.pk]))
    assert detail.status_code == 200
    assert "Išduotas per klaidą" in detail.text and HEALTH not in detail.text
    export = client.get(
        reverse("certificates:register_export", args=[world.project.code]), {"format": "csv"}
    )
    body = export.content.decode("utf-8-sig")
    assert revoked.number in body and "Išduotas per klaidą" in body
    assert HEALTH not in body


def test_reports_export_shows_the_statement_not_the_internal_reason(client, world, revoked):
    # Partner coordinators read these exports too: they carry the public statement only.
    client.force_login(world.alice)
    response = client.get(reverse("reports:export_certificates_csv", args=[world.project.code]))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert revoked.number in body and HEALTH not in body and "Išduotas per klaidą" in body


def test_reissue_states_replacement_publicly(client, world, revoked):
    new = services.certificate_reissue(
        certificate=revoked, actor=world.alice, reason="Pataisyta", notify=False
    )
    revoked.refresh_from_db()
    assert revoked.status == CertificateStatus.REPLACED
    assert revoked.revocation_statement == RevocationStatement.REPLACED
    assert revoked.revoked_reason == HEALTH  # the internal reason stays as it was
    data = client.get(reverse("api:certificate_detail", args=[revoked.verification_code])).json()
    assert data["revocation_statement"] == "replaced"
    assert data["replaced_by"]["number"] == new.number


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_revocations_a_neutral_statement(world, issuer):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    valid = services.certificate_issue(enrolment=completer(world), actor=world.alice, notify=False)
    revoked = services.certificate_issue(
        enrolment=completer(world, last="Jonaitienė"), actor=world.alice, notify=False
    )
    replaced = services.certificate_issue(
        enrolment=completer(world, last="Petraitienė"), actor=world.alice, notify=False
    )
    before = [("certificates", "0002_revocation_public_statement")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("certificates", "Certificate")
    old.objects.filter(pk=revoked.pk).update(
        status="revoked", revoked_at=revoked.issued_at, revoked_reason=HEALTH
    )
    old.objects.filter(pk=replaced.pk).update(
        status="replaced", revoked_at=replaced.issued_at, revoked_reason="Pavardė"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    statements = dict(Certificate.objects.values_list("pk", "revocation_statement"))
    assert statements == {
        valid.pk: "",
        revoked.pk: RevocationStatement.WITHDRAWN,
        replaced.pk: RevocationStatement.REPLACED,
    }
