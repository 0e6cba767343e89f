"""The issuer's public documents: DID document, Open Badges profile and status lists, at their
URLs with their media types; an unknown issuer or list answers 404; no private key anywhere."""

import uuid

import pytest

from kvalis.certificates import services as certificates
from kvalis.credentials import keys, services
from kvalis.credentials.models import IssuerKey
from tests.certificates.conftest import completer


@pytest.fixture
def certificate(world, issuer):
    return certificates.certificate_issue(enrolment=completer(world), actor=world.alice)


def _paths(certificate):
    identity = certificate.credential.status_list.identity
    base = f"/issuers/{identity.public_id}/"
    return base + "did.json", base + "profile.json", base + "status/1"


def test_did_document(client, certificate, world):
    did_path, _profile, _status = _paths(certificate)
    response = client.get(did_path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/did+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    did = services.issuer_did(world.lead)
    assert document["id"] == did
    (method,) = document["verificationMethod"]
    assert method["id"] == f"{did}#key-1" and method["controller"] == did
    assert method["publicKeyJwk"]["kty"] == "OKP" and method["publicKeyJwk"]["crv"] == "Ed25519"
    assert document["assertionMethod"] == [method["id"]]


def test_profile(client, certificate, world):
    _did, profile_path, _status = _paths(certificate)
    response = client.get(profile_path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    profile = response.json()
    assert profile["id"] == services.issuer_did(world.lead)
    assert profile["type"] == ["Profile"] and profile["name"] == world.lead.name
    assert services.issuer_profile_url(world.lead) == "https://kvalis.example.lt" + profile_path


def test_status_list_is_a_signed_list_with_an_etag(client, certificate):
    _did, _profile, status_path = _paths(certificate)
    response = client.get(status_path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert "no-cache" in response["Cache-Control"]
    import jwt

    claims = jwt.decode(response.content.decode(), options={"verify_signature": False})
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert claims["validFrom"] and claims["credentialSubject"]["statusPurpose"] == "revocation"
    assert claims["credentialSubject"]["encodedList"].startswith("u")
    etag = response["ETag"]
    assert client.get(status_path, headers={"if-none-match": etag}).status_code == 304
    certificates.certificate_revoke(
        certificate=certificate, actor=None, reason="Klaida", statement="issued_in_error"
    )
    changed = client.get(status_path, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_unknown_issuer_or_list_answers_404(client, certificate):
    unknown = uuid.uuid4()
    for path in (
        f"/issuers/{unknown}/did.json",
        f"/issuers/{unknown}/profile.json",
        f"/issuers/{unknown}/status/1",
        _paths(certificate)[2][:-1] + "2",
        "/issuers/not-a-uuid/did.json",
    ):
        assert client.get(path).status_code == 404, path


def test_documents_are_read_only(client, certificate):
    for path in _paths(certificate):
        assert client.post(path).status_code == 405


def test_private_key_never_in_clear(client, certificate):
    key = IssuerKey.objects.get()
    identity = key.identity
    private = keys.decrypt_private_key(
        key.private_key_encrypted, public_id=identity.public_id, number=key.number
    )
    raw = keys.private_bytes(private)
    assert raw not in bytes(key.private_key_encrypted)
    assert keys.b64url(raw).encode() not in bytes(key.private_key_encrypted)
    for path in _paths(certificate):
        content = client.get(path).content
        assert keys.b64url(raw).encode() not in content and raw not in content
        assert b'"d"' not in content


def test_sealed_key_does_not_open_under_another_key_number_or_settings_key(certificate, settings):
    key = IssuerKey.objects.get()
    with pytest.raises(Exception):  # noqa: B017  (cryptography's InvalidTag)
        keys.decrypt_private_key(
            key.private_key_encrypted, public_id=key.identity.public_id, number=key.number + 1
        )
    settings.CREDENTIALS_KEY = "another key"
    with pytest.raises(Exception):  # noqa: B017
        keys.decrypt_private_key(
            key.private_key_encrypted, public_id=key.identity.public_id, number=key.number
        )
