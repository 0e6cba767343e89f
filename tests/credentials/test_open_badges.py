"""Kvalis's certificates as Open Badges 3.0 credentials, checked by code Kvalis did not write:
openbadgeslib's OB 3.0 verifier (signature, issuer DID, dates, Bitstring Status List, itself
signed) and PyJWT with the public key from the DID document. All offline: the verifier's
HTTPS fetches are answered by the Django test client."""

import hashlib
import json

import jwt
import pytest
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

from kvalis.certificates import services as certificates
from kvalis.credentials import keys, services
from kvalis.credentials.models import Credential, IssuerKey
from tests.certificates.conftest import completer


def _verify(token: str, fetch):
    did = jwt.decode(token, options={"verify_signature": False})["iss"]
    verifier = OB3Verifier.for_issuer_did(did, download=fetch)
    return verifier.verify(token, check_status=True, verify_status_list=True, download=fetch)


def _issue(world, **names):
    return certificates.certificate_issue(enrolment=completer(world, **names), actor=world.alice)


def _tamper(token: str, **changes) -> str:
    header, payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    body = keys.b64url(json.dumps(claims).encode())
    return f"{header}.{body}.{signature}"


def test_issued_certificate_verifies_with_the_independent_verifier(world, issuer, fetch):
    certificate = _issue(world)
    token = services.credential_jwt(certificate)
    credential = _verify(token, fetch)
    assert credential.issuer.id == services.issuer_did(world.lead)
    assert credential.issuer.name == world.lead.name
    assert credential.achievement.name == world.activity.title
    assert credential.id == Credential.objects.get(certificate=certificate).urn
    # It resolved the DID document and fetched the (signed) status list from Kvalis's URLs.
    public_id = str(certificate.credential.status_list.identity.public_id)
    assert f"/issuers/{public_id}/did.json" in fetch.fetched
    assert f"/issuers/{public_id}/status/1" in fetch.fetched


def test_revoked_certificate_verifies_as_revoked(world, issuer, fetch):
    certificate = _issue(world)
    token = services.credential_jwt(certificate)
    _verify(token, fetch)
    certificates.certificate_revoke(
        certificate=certificate, actor=world.alice, reason="Klaida", statement="issued_in_error"
    )
    with pytest.raises(OB3VerificationError, match="revocation"):
        _verify(token, fetch)
    # The stored credential did not change: the status list did.
    assert services.credential_jwt(certificate) == token


def test_tampered_credential_fails(world, issuer, fetch):
    token = services.credential_jwt(_issue(world))
    forged = _tamper(token, name="Magistro diplomas")
    with pytest.raises(OB3VerificationError, match="Invalid signature"):
        _verify(forged, fetch)
    assert services.verify_credential(forged).status == "invalid"


def test_pyjwt_verifies_the_signature_with_the_key_from_the_did_document(world, issuer, client):
    token = services.credential_jwt(_issue(world))
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    did = header["kid"].split("#")[0]
    path = "/" + "/".join(did.split(":")[3:]) + "/did.json"
    document = client.get(path).json()
    (method,) = [m for m in document["verificationMethod"] if m["id"] == header["kid"]]
    key = jwt.PyJWK(method["publicKeyJwk"]).key
    claims = jwt.decode(token, key, algorithms=["EdDSA"])
    assert claims["iss"] == did and claims["jti"] == claims["id"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(_tamper(token, validFrom="2010-01-01T00:00:00Z"), key, algorithms=["EdDSA"])


def test_credential_content(world, issuer):
    certificate = _issue(world)
    credential = services.credential_json(certificate)
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"].startswith("urn:uuid:")
    assert credential["validFrom"].endswith("Z") and "validUntil" not in credential
    subject = credential["credentialSubject"]
    (identifier,) = subject["identifier"]  # no name: the holder did not agree to it
    email = certificate.person.email.lower()
    digest = hashlib.sha256((email + identifier["salt"]).encode()).hexdigest()
    assert identifier["identityHash"] == f"sha256${digest}"
    assert identifier["identityType"] == "emailAddress" and identifier["hashed"] is True
    assert certificate.participant_name not in json.dumps(credential, ensure_ascii=False)
    achievement = subject["achievement"]
    assert achievement["name"] == world.activity.title
    assert achievement["achievementType"] == "CertificateOfCompletion"
    assert "akademinių valandų" in achievement["criteria"]["narrative"]
    assert subject["result"][0]["value"] == "8"
    assert subject["result"][0]["resultDescription"] == achievement["resultDescription"][0]["id"]
    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"].startswith("https://kvalis.example.lt/issuers/")
    # Stable: the same credential every time, and the JSON is what the JWT signed.
    assert services.credential_json(certificate) == credential
    claims = jwt.decode(services.credential_jwt(certificate), options={"verify_signature": False})
    assert {k: v for k, v in claims.items() if k not in ("iss", "jti", "nbf")} == credential


def test_name_is_included_when_the_holder_agreed(world, issuer, monkeypatch):
    monkeypatch.setattr(services, "_names_agreed", lambda person_ids: set(person_ids))
    certificate = _issue(world)
    identifiers = services.credential_json(certificate)["credentialSubject"]["identifier"]
    assert {"identityType": "name", "identityHash": "Eglė Čepulytė"}.items() <= identifiers[
        1
    ].items()


def test_erased_holder_is_neither_named_nor_hashed(world, issuer, fetch):
    certificate = _issue(world)
    before = services.credential_json(certificate)
    certificate.participant_name = ""
    certificate.data = {**certificate.data, "participant_name": "", "holder_name_withheld": True}
    certificate.save()
    certificate.person.email = ""
    certificate.person.save()
    after = services.credential_json(certificate)
    assert after["id"] == before["id"]
    assert after["credentialStatus"] == before["credentialStatus"]
    (identifier,) = after["credentialSubject"]["identifier"]
    assert identifier["identityType"] == "identifier"
    assert (
        identifier["identityHash"] != before["credentialSubject"]["identifier"][0]["identityHash"]
    )
    _verify(services.credential_jwt(certificate), fetch)


def test_bulk_issue_signs_every_credential(
    world, issuer, fetch, django_capture_on_commit_callbacks
):
    for i in range(3):
        completer(world, first="Jonas", last=f"Žukas{i}")
    with django_capture_on_commit_callbacks(execute=True):
        certificates.certificate_issue_bulk(cohort=world.cohort, actor=world.alice)
    rows = list(Credential.objects.select_related("certificate"))
    assert len(rows) == 3
    assert sorted(r.status_index for r in rows) == [0, 1, 2]
    for row in rows:
        assert row.jwt and row.key is not None
        _verify(row.jwt, fetch)


def test_certificate_issued_before_credentials_is_signed_on_first_request(world, fetch):
    from tests.factories import CertificateFactory

    certificate = CertificateFactory(enrolment__cohort=world.cohort)
    assert not Credential.objects.exists()
    token = services.credential_jwt(certificate)
    assert Credential.objects.get(certificate=certificate).jwt == token
    _verify(token, fetch)
    assert services.credentials_backfill() == 0


def test_revoked_certificate_without_a_credential_gets_one_already_revoked(world, fetch):
    from tests.factories import CertificateFactory

    certificate = CertificateFactory(
        enrolment__cohort=world.cohort,
        status="revoked",
        revoked_at=world.project.start_date and "2014-07-01T10:00:00+03:00",
        revoked_reason="Klaida",
        revocation_statement="issued_in_error",
    )
    assert services.credentials_backfill() == 1
    with pytest.raises(OB3VerificationError, match="revocation"):
        _verify(services.credential_jwt(certificate), fetch)


def test_reissue_old_verifies_as_replaced_and_new_as_valid(world, issuer, fetch):
    old = _issue(world)
    old_token = services.credential_jwt(old)
    new = certificates.certificate_reissue(
        certificate=old, actor=world.alice, reason="Vardo klaida", notify=False
    )
    new_token = services.credential_jwt(new)
    _verify(new_token, fetch)
    with pytest.raises(OB3VerificationError, match="revocation"):
        _verify(old_token, fetch)
    result = services.verify_credential(old_token)
    assert result.status == "replaced" and not result.ok
    assert result.replaced_by == services.credential_urn(new)
    assert result.replaced_by in result.checks[-1].message
    assert services.verify_credential(new_token).status == "valid"


def test_rotation_old_credentials_still_verify_new_ones_use_the_new_key(world, issuer, fetch):
    first = _issue(world)
    first_token = services.credential_jwt(first)
    key = services.issuer_key_rotate(organisation=world.lead, actor=None)
    assert key.number == 2
    second = _issue(world, first="Jonas", last="Žukas")
    second_token = services.credential_jwt(second)
    did = services.issuer_did(world.lead)
    assert jwt.get_unverified_header(first_token)["kid"] == f"{did}#key-1"
    assert jwt.get_unverified_header(second_token)["kid"] == f"{did}#key-2"
    _verify(first_token, fetch)
    _verify(second_token, fetch)
    assert services.verify_credential(first_token).status == "valid"
    # A revocation after the rotation is published with the new key, and still read.
    certificates.certificate_revoke(
        certificate=first, actor=world.alice, reason="Klaida", statement="withdrawn"
    )
    with pytest.raises(OB3VerificationError, match="revocation"):
        _verify(first_token, fetch)
    assert IssuerKey.objects.filter(identity__organisation=world.lead).count() == 2


def test_rotate_issuer_key_command(world, issuer):
    from io import StringIO

    from django.core.management import call_command

    _issue(world)
    out = StringIO()
    call_command("rotate_issuer_key", str(world.lead.pk), stdout=out)
    assert out.getvalue().strip().endswith("#key-2")


def test_did_web_encodes_the_port(world, issuer, settings, fetch):
    settings.SITE_URL = "https://kvalis.example.lt:8443"
    certificate = _issue(world)
    did = services.issuer_did(world.lead)
    assert did.startswith("did:web:kvalis.example.lt%3A8443:issuers:")
    _verify(services.credential_jwt(certificate), fetch)


def test_failed_issue_leaves_no_credential_nor_status_entry(world, issuer):
    from django.db import transaction

    from kvalis.credentials.models import StatusList

    _issue(world)
    taken = StatusList.objects.get().next_index
    with pytest.raises(RuntimeError), transaction.atomic():
        _issue(world, first="Jonas", last="Žukas")
        raise RuntimeError("the issue's transaction fails later")
    assert Credential.objects.count() == 1
    assert StatusList.objects.get().next_index == taken


def test_rotate_issuer_key_command_refuses_an_unknown_organisation(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No organisation"):
        call_command("rotate_issuer_key", "999999")
