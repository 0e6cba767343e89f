"""The holder's say over their digital credentials: their name is written into them only with
a consent they give themselves on "My consents"; giving and withdrawing it signs the stored
credentials again (same id, same status entry); an erasure replaces them at once. Each signed
credential is checked with openbadgeslib's verifier, offline."""

import json

import jwt
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openbadgeslib.ob3 import OB3Verifier

from kvalis.audit.models import AuditEntry
from kvalis.certificates import services as certificates
from kvalis.credentials import services as credentials
from kvalis.credentials.models import Credential
from kvalis.people import erasure
from kvalis.privacy import services, texts
from kvalis.privacy.models import Consent, Purpose
from tests.certificates.conftest import completer, issuer  # noqa: F401  (fixtures)
from tests.credentials.conftest import SITE, Fetcher
from tests.factories import UserFactory, make_coordinator

NAME = "Eglė Čepulytė"
GIVE = reverse("privacy:credential_name_consent_give")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def holder(world, issuer):  # noqa: F811  (the fixture imported above)
    """A participant with a login and an issued certificate (its credential signed, unnamed)."""
    user = UserFactory(email="egle@example.lt")
    enrolment = completer(world, user=user)
    enrolment.person.email = user.email
    enrolment.person.save()
    certificates.certificate_issue(enrolment=enrolment, actor=world.alice, notify=False)
    return enrolment.person


def _stored(person) -> str:
    """The stored VC-JWT, read as a download would find it (no lazy re-signing)."""
    return Credential.objects.get(certificate__person=person).jwt


def _subject(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})["credentialSubject"]


def _payload_text(token: str) -> str:
    """What the JWT signed, as text (the token itself is base64url: nothing reads in it)."""
    payload = jwt.decode(token, options={"verify_signature": False})
    return json.dumps(payload, ensure_ascii=False)


def _names(token: str) -> list[str]:
    return [i["identityHash"] for i in _subject(token)["identifier"] if i["identityType"] == "name"]


def _verify(token: str):
    fetch = Fetcher()
    did = jwt.decode(token, options={"verify_signature": False})["iss"]
    verifier = OB3Verifier.for_issuer_did(did, download=fetch)
    return verifier.verify(token, check_status=True, verify_status_list=True, download=fetch)


def _same_entry(before: str, after: str) -> None:
    old = jwt.decode(before, options={"verify_signature": False})
    new = jwt.decode(after, options={"verify_signature": False})
    assert new["id"] == old["id"]
    assert new["credentialStatus"] == old["credentialStatus"]


# --- giving -----------------------------------------------------------------------------------


def test_the_consents_page_offers_the_consent_with_its_text(client, holder):
    client.force_login(holder.user)
    page = client.get(reverse("privacy:consents")).content.decode()
    assert str(texts.credential_name_consent_text("lt")) in page
    assert GIVE in page
    assert "Sutinku, kad mano vardas ir pavardė būtų įrašyti" in page


def test_giving_the_consent_names_the_holder_in_the_stored_credential(client, holder):
    before = _stored(holder)
    assert _names(before) == []
    client.force_login(holder.user)

    response = client.post(GIVE, follow=True)

    assert response.redirect_chain[-1][0] == reverse("privacy:consents")
    assert "Sutikimas įrašytas" in response.content.decode()
    consent = Consent.objects.get(person=holder, purpose=Purpose.CREDENTIAL_NAME)
    assert consent.is_active and consent.withdrawable
    assert consent.text_version == texts.CREDENTIAL_NAME_CONSENT_VERSION
    assert consent.language == "lt"
    assert consent.text_sha256 == texts.sha256(texts.credential_name_consent_text("lt"))
    entry = AuditEntry.objects.get(action="consent.give")
    assert entry.actor == holder.user and entry.data["purpose"] == "credential_name"
    # Signed again at once: the JSON a download gives now carries the name.
    after = _stored(holder)
    assert after != before
    assert _names(after) == [NAME]
    certificate = holder.certificates.get()
    assert {"identityType": "name", "identityHash": NAME}.items() <= (
        credentials.credential_json(certificate)["credentialSubject"]["identifier"][1].items()
    )
    _same_entry(before, after)
    assert _verify(after).id == jwt.decode(after, options={"verify_signature": False})["id"]
    # The page no longer offers it: the consent is listed, with its withdraw button.
    page = response.content.decode()
    assert GIVE not in page
    assert reverse("privacy:consent_withdraw", args=[consent.pk]) in page


def test_giving_it_twice_is_refused(client, holder):
    client.force_login(holder.user)
    client.post(GIVE)
    signed = _stored(holder)

    response = client.post(GIVE, follow=True)

    assert "Šį sutikimą jau davėte." in response.content.decode()
    assert Consent.objects.filter(person=holder, purpose=Purpose.CREDENTIAL_NAME).count() == 1
    assert AuditEntry.objects.filter(action="consent.give").count() == 1
    assert _stored(holder) == signed
    with pytest.raises(ValidationError):
        services.credential_name_consent_give(person=holder, actor=holder.user)


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie"])
def test_nobody_else_gives_it(client, world, holder, persona):
    """The employer's coordinator (alice, who also keeps the holder's record), a partner
    coordinator (bob) and an outsider (charlie): the service refuses them, and the page acts
    only on one's own record, so their POST touches nothing of the holder's."""
    make_coordinator(world.lead, world.alice)
    actor = getattr(world, persona)
    signed = _stored(holder)
    with pytest.raises(ValidationError, match="tik pats pažymėjimų turėtojas"):
        services.credential_name_consent_give(person=holder, actor=actor)
    with pytest.raises(ValidationError):
        services.credential_name_consent_give(person=holder, actor=None)

    client.force_login(actor)
    response = client.post(GIVE)

    assert response.status_code == 404  # none of them has a participant record of their own
    assert not Consent.objects.filter(purpose=Purpose.CREDENTIAL_NAME).exists()
    assert not AuditEntry.objects.filter(action="consent.give").exists()
    assert _stored(holder) == signed


def test_the_page_is_post_only_and_asks_anonymous_to_sign_in(client, holder):
    assert client.get(GIVE).status_code == 302
    client.force_login(holder.user)
    assert client.get(GIVE).status_code == 405
    assert not Consent.objects.filter(purpose=Purpose.CREDENTIAL_NAME).exists()


def test_the_consent_is_recorded_in_the_language_shown(holder):
    consent = services.credential_name_consent_give(person=holder, actor=holder.user, language="en")
    assert consent.language == "en"
    assert consent.statement.startswith("I agree that my first name and surname")
    assert consent.text_sha256 == texts.sha256(texts.credential_name_consent_text("en"))
    assert consent.text_sha256 != texts.sha256(texts.credential_name_consent_text("lt"))


# --- withdrawing ------------------------------------------------------------------------------


def test_withdrawing_signs_the_credential_again_without_the_name(client, holder):
    client.force_login(holder.user)
    client.post(GIVE)
    named = _stored(holder)
    consent = Consent.objects.get(person=holder, purpose=Purpose.CREDENTIAL_NAME)

    response = client.post(reverse("privacy:consent_withdraw", args=[consent.pk]), follow=True)

    assert "Sutikimas atšauktas." in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    after = _stored(holder)
    assert _names(after) == []
    assert NAME not in _payload_text(credentials.credential_jwt(holder.certificates.get()))
    _same_entry(named, after)
    _verify(after)
    # The page offers the consent again.
    assert GIVE in response.content.decode()


def test_a_revoked_credential_signed_again_stays_revoked(client, world, holder):
    from openbadgeslib.ob3 import OB3VerificationError

    certificate = holder.certificates.get()
    certificates.certificate_revoke(
        certificate=certificate, actor=world.alice, reason="Klaida", statement="issued_in_error"
    )
    client.force_login(holder.user)
    client.post(GIVE)
    with pytest.raises(OB3VerificationError, match="revocation"):
        _verify(_stored(holder))


# --- "My certificates" ------------------------------------------------------------------------


def test_my_certificates_says_whether_the_name_is_included(client, holder):
    client.force_login(holder.user)
    url = reverse("certificates:my_certificates")
    page = client.get(url).content.decode()
    assert "Jūsų skaitmeniniuose kredencialuose nėra jūsų vardo" in page
    assert reverse("privacy:consents") + "#credential-name" in page

    client.post(GIVE)

    page = client.get(url).content.decode()
    assert "Jūsų skaitmeniniuose kredencialuose įrašytas jūsų vardas ir pavardė." in page


# --- erasure ----------------------------------------------------------------------------------


def test_erasure_replaces_the_stored_credential_at_once(world, holder):
    """The credential stored before the erasure carried a hash of the holder's e-mail (and,
    with the consent, the name); right after the erasure the stored one carries neither and
    still verifies."""
    make_coordinator(world.lead, world.alice)
    services.credential_name_consent_give(person=holder, actor=holder.user)
    before = _stored(holder)
    (old_email,) = [i for i in _subject(before)["identifier"] if i["identityType"] != "name"]
    assert old_email["identityType"] == "emailAddress"

    erasure.person_erase(actor=world.alice, person=holder)

    after = _stored(holder)
    assert old_email["identityHash"] not in _payload_text(after)
    assert NAME not in _payload_text(after)
    (identifier,) = _subject(after)["identifier"]
    assert identifier["identityType"] == "identifier"
    assert Credential.objects.get(certificate__person=holder).holder_withheld
    _same_entry(before, after)
    _verify(after)
