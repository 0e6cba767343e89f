"""`verify_credential`: what the verification page says about a pasted or uploaded credential."""

import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kvalis.certificates import services as certificates
from kvalis.credentials import keys, services
from tests.certificates.conftest import completer


@pytest.fixture
def certificate(world, issuer):
    return certificates.certificate_issue(enrolment=completer(world), actor=world.alice)


def test_valid_credential_says_what_was_checked_in_lithuanian(certificate, world):
    result = services.verify_credential(services.credential_jwt(certificate))
    assert result.ok and result.status == "valid"
    assert [c.code for c in result.checks] == [
        "format",
        "issuer",
        "signature",
        "record",
        "dates",
        "status",
    ]
    assert all(c.passed for c in result.checks)
    assert result.certificate == certificate
    assert result.credential["id"] == services.credential_urn(certificate)
    messages = " ".join(c.message for c in result.checks)
    assert "Parašas galioja" in messages and "#key-1" in messages
    assert world.lead.name in messages
    assert "Nepanaikintas" in messages


def test_accepts_bytes_the_enveloped_json_and_a_json_holding_the_jwt(certificate):
    token = services.credential_jwt(certificate)
    enveloped = json.dumps(services.enveloped_credential(certificate))
    for data in (token.encode(), f"  {token}\n", enveloped, json.dumps({"jwt": token})):
        assert services.verify_credential(data).status == "valid"


def test_revoked(certificate):
    token = services.credential_jwt(certificate)
    certificates.certificate_revoke(
        certificate=certificate, actor=None, reason="Klaida", statement="withdrawn"
    )
    result = services.verify_credential(token)
    assert not result.ok and result.status == "revoked"
    assert "panaikintas" in result.checks[-1].message and result.replaced_by is None


@pytest.mark.parametrize(
    "data",
    ["", "ne kredencialas", "{}", "[1, 2]", b"\xff\xfe", "a.b.c", '{"name": "x"}'],
)
def test_garbage_is_invalid_with_a_message(data, certificate):
    result = services.verify_credential(data)
    assert not result.ok and result.status == "invalid"
    assert result.checks[-1].code == "format" and result.checks[-1].message


def test_unsigned_json_is_invalid(certificate):
    result = services.verify_credential(json.dumps(services.credential_json(certificate)))
    assert result.status == "invalid" and result.checks[0].code == "format"


def test_tampered_payload_fails_the_signature(certificate):
    token = services.credential_jwt(certificate)
    header, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["credentialSubject"]["result"][0]["value"] = "80"
    forged = f"{header}.{keys.b64url(json.dumps(claims).encode())}.{signature}"
    result = services.verify_credential(forged)
    assert result.status == "invalid" and result.checks[-1].code == "signature"
    assert "Parašas neatitinka" in result.checks[-1].message


def test_foreign_issuer_is_unknown(certificate):
    claims = jwt.decode(services.credential_jwt(certificate), options={"verify_signature": False})
    did = "did:web:kita.example.org"
    claims["iss"] = did
    claims["issuer"]["id"] = did
    forged = jwt.encode(
        claims,
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": did + "#key-1", "typ": "vc+jwt"},
    )
    result = services.verify_credential(forged)
    assert result.status == "unknown-issuer" and not result.ok


def test_kvalis_did_signed_by_someone_else_fails(certificate):
    token = services.credential_jwt(certificate)
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(
        claims,
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers=jwt.get_unverified_header(token),
    )
    assert services.verify_credential(forged).checks[-1].code == "signature"
