"""Certificates as Open Badges 3.0 credentials (`OpenBadgeCredential`), signed as VC-JWT.

Why VC-JWT (VC-JOSE-COSE: a compact JWS, `typ: vc+jwt`, `alg: EdDSA`, `kid` naming the key in
the issuer's `did:web` document) and not an `eddsa-rdfc-2022` Data Integrity proof:

- the signature covers the exact bytes of the payload, so signing needs no RDF canonicalisation
  and hence no JSON-LD processing with its context documents at run time (nothing fetched,
  nothing to keep offline, no risk of a context-dependent canonical form);
- it is cheap: one JSON serialisation and one Ed25519 signature (~50 µs) per credential, which
  keeps a bulk issue of 1 000 certificates within its benchmark;
- it is what Open Badges 3.0 names first (its "VC-JWT" proof format) and what independent
  verifiers read (the tests check Kvalis's credentials with `openbadgeslib`'s verifier and with
  PyJWT against the DID document's public key).

The payload is the credential itself (OB 3.0 §8.2 "native" VC-JWT) with the registered claims
beside it: `iss` (the issuer's DID), `jti` (the credential id), `nbf` (validFrom) and, where the
credential expires, `exp`. A certificate does not expire, so there is no validUntil.

A credential is signed once, when its certificate is issued (or, for a certificate issued before
credentials existed, on first request), and stored: a download is a database read. Revocation
and reissue do not change it: they flip its bit in the issuer's Bitstring Status List, which is
signed again in the same transaction.

The recipient is named by a salted SHA-256 of their e-mail (an `IdentityObject`), and by name
only when they agreed to it (a consent record with purpose `NAME_CONSENT_PURPOSE`). A holder
whose data were erased (`HOLDER_WITHHELD_KEY`) is named by neither: their credential carries a
hash of a random value nobody keeps, so it still has the identifier OB 3.0 requires but nobody,
Kvalis included, can link it to a person. Giving or withdrawing the name consent, and the
erasure, sign the holder's stored credentials again (same id, same status entry).

Texts in the credential are Lithuanian, as the certificate's PDF is.
"""

import base64
import gzip
import hashlib
import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import quote, unquote, urlsplit

import jwt
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kvalis.audit.services import audit_log
from kvalis.certificates.models import HOLDER_WITHHELD_KEY, Certificate, CertificateStatus
from kvalis.credentials import keys
from kvalis.credentials.models import (
    STATUS_LIST_SIZE,
    Credential,
    IssuerIdentity,
    IssuerKey,
    StatusList,
)
from kvalis.privacy.models import Purpose

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
JWS_2020_CONTEXT = "https://w3id.org/security/suites/jws-2020/v1"

# VC-JOSE-COSE registers application/vc+jwt for a credential secured as a JWT (its earlier
# drafts said application/vc+ld+json+jwt); the JWS header says the same as `typ: vc+jwt`.
JWT_MEDIA_TYPE = "application/vc+jwt"
JWT_TYP = "vc+jwt"
DID_MEDIA_TYPE = "application/did+json"
PROFILE_MEDIA_TYPE = "application/ld+json"

# The consent purpose by which the holder agreed that their name is written into their
# credentials (given and withdrawn on "My consents", `kvalis.privacy.services`).
NAME_CONSENT_PURPOSE = Purpose.CREDENTIAL_NAME

REGISTERED_CLAIMS = ("iss", "sub", "jti", "nbf", "exp", "iat")
# Clocks of the verifier and of the issuer may differ a little.
CLOCK_LEEWAY = timedelta(minutes=1)


# --- identifiers and URLs ---------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _did_for(public_id) -> str:
    """did:web:<host>[%3A<port>]:<path…>:issuers:<public_id>, resolving (per the did:web
    method) to https://<host>[:<port>]/<path…>/issuers/<public_id>/did.json."""
    site = urlsplit(settings.SITE_URL)
    host = site.hostname or "localhost"
    if site.port:
        host += f":{site.port}"
    path = reverse("credentials:did", args=[public_id])
    segments = [s for s in (site.path + path).split("/") if s][:-1]  # without "did.json"
    return "did:web:" + ":".join([quote(host, safe="")] + [quote(s, safe="") for s in segments])


def _public_id_from_did(did: str):
    """The issuer's public id if `did` is one of Kvalis's own issuer DIDs, else None."""
    if not isinstance(did, str):
        return None
    prefix = _did_for(uuid.UUID(int=0))[: -len(str(uuid.UUID(int=0)))]
    if not did.startswith(prefix):
        return None
    try:
        return uuid.UUID(unquote(did[len(prefix) :]))
    except ValueError:
        return None


def issuer_did(organisation) -> str:
    """The organisation's DID as a credential issuer (its identity is created if need be)."""
    return _did_for(issuer_identity(organisation).public_id)


def issuer_profile_url(organisation) -> str:
    return _absolute(reverse("credentials:profile", args=[issuer_identity(organisation).public_id]))


def did_document_url(identity: IssuerIdentity) -> str:
    return _absolute(reverse("credentials:did", args=[identity.public_id]))


def status_list_url(status_list: StatusList) -> str:
    return _absolute(
        reverse(
            "credentials:status_list",
            args=[status_list.identity.public_id, status_list.number],
        )
    )


def kid_for(key: IssuerKey) -> str:
    return f"{_did_for(key.identity.public_id)}#key-{key.number}"


# --- issuers and their keys -------------------------------------------------------------------


def _create_key(identity: IssuerIdentity, number: int) -> IssuerKey:
    private, public = keys.new_key_pair()
    key = IssuerKey(
        identity=identity,
        number=number,
        public_key=public,
        private_key_encrypted=keys.encrypt_private_key(
            private, public_id=identity.public_id, number=number
        ),
    )
    key.full_clean()
    key.save()
    return key


def issuer_identity(organisation) -> IssuerIdentity:
    """The organisation's issuer identity (its oldest, after a merge brought it a second one),
    created with its first key the first time."""
    from kvalis.organisations.models import Organisation

    identities = IssuerIdentity.objects.filter(organisation=organisation).order_by("pk")
    identity = identities.first()
    if identity is not None:
        return identity
    with transaction.atomic():
        # Lock the organisation: two first issues at once create one identity.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        identity = identities.first()
        if identity is None:
            identity = IssuerIdentity.objects.create(organisation=organisation)
            _create_key(identity, 1)
    return identity


def active_key(identity: IssuerIdentity) -> IssuerKey:
    return identity.keys.get(retired_at__isnull=True)


def issuer_key_rotate(*, organisation, actor) -> IssuerKey:
    """Give the organisation a new signing key. The old one is retired: it signs nothing more
    but stays in the DID document, so the credentials it signed keep verifying. The status
    lists are signed again with the new key (verifiers check a list with the active key)."""
    identity = issuer_identity(organisation)
    with transaction.atomic():
        identity = IssuerIdentity.objects.select_for_update().get(pk=identity.pk)
        old = active_key(identity)
        old.retired_at = timezone.now()
        old.save(update_fields=["retired_at"])
        key = _create_key(identity, old.number + 1)
        for status_list in identity.status_lists.select_for_update():
            _sign_status_list(status_list, key=key)
        audit_log(
            actor=actor,
            action="credentials.key_rotate",
            obj=key,
            organisation=organisation,
            data={"kid": kid_for(key), "retired": kid_for(old)},
        )
    return key


class _Signer:
    """Decrypts each key once per run (a bulk issue signs hundreds with one key)."""

    def __init__(self) -> None:
        self._keys: dict[int, tuple] = {}

    def sign(self, payload: dict, key: IssuerKey) -> str:
        prepared = self._keys.get(key.pk)
        if prepared is None:
            private = keys.decrypt_private_key(
                key.private_key_encrypted, public_id=key.identity.public_id, number=key.number
            )
            prepared = (private, {"kid": kid_for(key), "typ": JWT_TYP})
            self._keys[key.pk] = prepared
        private, headers = prepared
        return jwt.encode(payload, private, algorithm="EdDSA", headers=headers)


# --- the public documents ---------------------------------------------------------------------


def did_document(identity: IssuerIdentity) -> dict:
    """The issuer's DID document: every key it ever had, the active one first (a verifier that
    picks no key by `kid` takes the first)."""
    did = _did_for(identity.public_id)
    ordered = sorted(identity.keys.all(), key=lambda k: (k.retired_at is not None, -k.number))
    methods = [
        {
            "id": f"{did}#key-{key.number}",
            "type": "JsonWebKey2020",
            "controller": did,
            "publicKeyJwk": keys.public_jwk(key.public_key),
        }
        for key in ordered
    ]
    return {
        "@context": [DID_CONTEXT, JWS_2020_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def _issuer_object(identity: IssuerIdentity) -> dict:
    organisation = identity.organisation
    issuer = {"id": _did_for(identity.public_id), "type": ["Profile"], "name": organisation.name}
    if organisation.website:
        issuer["url"] = organisation.website
    return issuer


def issuer_profile(identity: IssuerIdentity) -> dict:
    """The issuer's Open Badges `Profile` document (its id is the DID, as in credentials)."""
    return {"@context": [VC_CONTEXT, OB_CONTEXT], **_issuer_object(identity)}


def _new_status_list(identity: IssuerIdentity, number: int) -> StatusList:
    status_list = StatusList(
        identity=identity, number=number, size=STATUS_LIST_SIZE, bits=bytes(STATUS_LIST_SIZE // 8)
    )
    status_list.full_clean()
    status_list.save()
    return status_list


def _encoded_list(bits: bytes) -> str:
    """Multibase base64url ("u") of the GZIP-compressed bitstring (Bitstring Status List §2.1).
    mtime=0: the same bits always give the same bytes."""
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def _sign_status_list(status_list: StatusList, *, key: IssuerKey | None = None, signer=None):
    """Sign the list credential anew (now) and store it. Runs inside the caller's transaction,
    so a revocation and the list that publishes it commit together."""
    identity = status_list.identity
    key = key or active_key(identity)
    now = timezone.now().replace(microsecond=0)
    url = status_list_url(status_list)
    did = _did_for(identity.public_id)
    payload = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": _iso(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": _encoded_list(status_list.bits),
        },
        "iss": did,
        "jti": url,
        "nbf": int(now.timestamp()),
    }
    status_list.signed_jwt = (signer or _Signer()).sign(payload, key)
    status_list.signed_at = now
    status_list.save(update_fields=["signed_jwt", "signed_at"])
    return status_list


def status_list_jwt(status_list: StatusList) -> str:
    """The published list credential (signed now if it never was)."""
    if not status_list.signed_jwt:
        with transaction.atomic():
            status_list = StatusList.objects.select_for_update().get(pk=status_list.pk)
            if not status_list.signed_jwt:
                _sign_status_list(status_list)
    return status_list.signed_jwt


def _allocate_entries(identity: IssuerIdentity, count: int) -> list[tuple[StatusList, int]]:
    """Reserve `count` entries in the issuer's status lists, in order, opening a new list when
    the last one is full. The list row is locked (SELECT … FOR UPDATE) until the caller's
    transaction ends, so two issues at once never share an entry. Runs inside a transaction."""
    entries: list[tuple[StatusList, int]] = []
    status_list = identity.status_lists.select_for_update().order_by("-number").first()
    if status_list is None:
        status_list = _new_status_list(identity, 1)
    while len(entries) < count:
        if status_list.next_index >= status_list.size:
            status_list = _new_status_list(identity, status_list.number + 1)
            status_list = StatusList.objects.select_for_update().get(pk=status_list.pk)
        take = min(count - len(entries), status_list.size - status_list.next_index)
        first = status_list.next_index
        entries += [(status_list, first + offset) for offset in range(take)]
        status_list.next_index = first + take
        status_list.save(update_fields=["next_index"])
    return entries


def _set_bit(status_list: StatusList, index: int) -> None:
    bits = bytearray(bytes(status_list.bits))
    bits[index // 8] |= 0x80 >> (index % 8)
    status_list.bits = bytes(bits)
    status_list.save(update_fields=["bits"])


# --- building the credential ------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _local_midnight(day: str) -> str:
    moment = datetime.combine(date.fromisoformat(day), time(0), timezone.get_default_timezone())
    return moment.isoformat()


def _hours(value) -> str:
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else str(value)


def _identity_hash(value: str, salt: str) -> str:
    """OB 3.0's hashed IdentityObject: "sha256$" + hex SHA-256 of the value and the salt."""
    return "sha256$" + hashlib.sha256((value + salt).encode()).hexdigest()


class _Builder:
    """Builds credentials; what several certificates of one activity share is built once."""

    def __init__(self) -> None:
        self._achievements: dict[tuple, dict] = {}
        self._issuers: dict[int, dict] = {}
        self._status_urls: dict[int, str] = {}
        self._midnights: dict[str, str] = {}
        with translation.override("lt"):
            self._default_title = _("Qualification improvement certificate")

    def midnight(self, day: str) -> str:
        if day not in self._midnights:
            self._midnights[day] = _local_midnight(day)
        return self._midnights[day]

    def status_url(self, status_list: StatusList) -> str:
        # reverse() per credential would be a measurable part of a bulk issue.
        if status_list.pk not in self._status_urls:
            self._status_urls[status_list.pk] = status_list_url(status_list)
        return self._status_urls[status_list.pk]

    def issuer(self, identity: IssuerIdentity) -> dict:
        if identity.pk not in self._issuers:
            self._issuers[identity.pk] = _issuer_object(identity)
        return self._issuers[identity.pk]

    def achievement(self, certificate: Certificate, identity: IssuerIdentity) -> dict:
        d = certificate.data
        activity = certificate.enrolment.cohort.activity
        shared = (identity.pk, activity.pk, d.get("activity_title"), d.get("learning_outcomes"))
        if shared not in self._achievements:
            self._achievements[shared] = _achievement(activity, d, identity)
        return self._achievements[shared]

    def credential(
        self,
        certificate: Certificate,
        *,
        identity: IssuerIdentity,
        credential: Credential,
        email: str,
        name_agreed: bool,
    ) -> dict:
        d = certificate.data
        achievement = self.achievement(certificate, identity)
        withheld = bool(d.get(HOLDER_WITHHELD_KEY))
        salt = secrets.token_hex(16)
        if withheld or not email:
            identifier = {
                "type": "IdentityObject",
                "identityType": "identifier",
                "hashed": True,
                "identityHash": _identity_hash(secrets.token_hex(32), salt),
                "salt": salt,
            }
        else:
            identifier = {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": _identity_hash(email.strip().lower(), salt),
                "salt": salt,
            }
        identifiers = [identifier]
        if name_agreed and not withheld and certificate.participant_name:
            identifiers.append(
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.participant_name,
                }
            )
        status_url = self.status_url(credential.status_list)
        title = d.get("certificate_title") or self._default_title
        return {
            "@context": [VC_CONTEXT, OB_CONTEXT],
            "id": credential.urn,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": f"{title}: {d.get('activity_title', '')}",
            "issuer": self.issuer(identity),
            "validFrom": _iso(certificate.issued_at),
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "identifier": identifiers,
                "achievement": achievement,
                "activityStartDate": self.midnight(d["start_date"]),
                "activityEndDate": self.midnight(d["end_date"]),
                "result": [
                    {
                        "type": ["Result"],
                        "resultDescription": achievement["resultDescription"][0]["id"],
                        "value": _hours(certificate.hours),
                    }
                ],
            },
            "credentialStatus": {
                "id": f"{status_url}#{credential.status_index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": str(credential.status_index),
                "statusListCredential": status_url,
            },
        }


def _achievement(activity, d: dict, identity: IssuerIdentity) -> dict:
    """The activity as an Achievement: its title, what it is, how it is earned (the completion
    rule in words, with the learning outcomes) and its academic hours as a result."""
    from kvalis.certificates.pdf import hours_text

    # Stable per issuer and activity, revealing neither's database id.
    achievement_id = uuid.uuid5(identity.public_id, f"activity:{activity.pk}")
    hours_id = uuid.uuid5(achievement_id, "academic-hours")
    with translation.override("lt"):
        programme_hours = hours_text(activity.academic_hours)
        narrative = _(
            "Awarded for attending at least %(percent)s %% of the programme's academic hours "
            "(the programme lasts %(hours)s academic hours)."
        ) % {"percent": activity.completion_percent, "hours": programme_hours}
        outcomes = (d.get("learning_outcomes") or "").strip()
        if outcomes:
            narrative += "\n\n" + _("Learning outcomes: %(outcomes)s") % {"outcomes": outcomes}
        description = (activity.description or "").strip() or _("Project “%(project)s”") % {
            "project": d.get("project_title", "")
        }
        hours_name = _("Academic hours (1 academic hour = 45 minutes)")
    return {
        "id": f"urn:uuid:{achievement_id}",
        "type": ["Achievement"],
        "achievementType": "CertificateOfCompletion",
        "name": d.get("activity_title", ""),
        "description": description,
        "criteria": {"narrative": narrative},
        "inLanguage": "lt",
        "resultDescription": [
            {
                "id": f"urn:uuid:{hours_id}",
                "type": ["ResultDescription"],
                "name": hours_name,
                "resultType": "ext:AcademicHours",
                "valueMin": "0",
                "valueMax": _hours(activity.academic_hours),
            }
        ],
    }


def _with_claims(credential: dict, certificate: Certificate) -> dict:
    """The JWT payload: the credential with the registered claims OB 3.0 asks for beside it."""
    return {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(certificate.issued_at.timestamp()),
    }


def _names_agreed(person_ids) -> set[int]:
    from kvalis.privacy.models import Consent

    return set(
        Consent.objects.filter(
            person_id__in=person_ids, purpose=NAME_CONSENT_PURPOSE, withdrawn_at__isnull=True
        ).values_list("person_id", flat=True)
    )


def _emails(certificates: list[Certificate]) -> dict[int, str]:
    """The holders' e-mail addresses: from the enrolments an issue has loaded, else a query."""
    from kvalis.enrolment.models import Enrolment
    from kvalis.people.models import Person

    emails, missing = {}, set()
    for certificate in certificates:
        loaded = Certificate.enrolment.is_cached(certificate) and Enrolment.person.is_cached(
            certificate.enrolment
        )
        if loaded and certificate.enrolment.person_id == certificate.person_id:
            emails[certificate.person_id] = certificate.enrolment.person.email
        else:
            missing.add(certificate.person_id)
    if missing:
        emails.update(Person.objects.filter(pk__in=missing).values_list("pk", "email"))
    return emails


def _signing_key(organisation) -> IssuerKey:
    """The active key of the organisation's (oldest) identity, with the identity: one query."""
    key = (
        IssuerKey.objects.select_related("identity")
        .filter(identity__organisation=organisation, retired_at__isnull=True)
        .order_by("identity_id")
        .first()
    )
    if key is None:
        identity = issuer_identity(organisation)
        key = active_key(identity)
        key.identity = identity
    return key


def _sign_into(
    credentials: list[Credential], certificates: list[Certificate], key: IssuerKey
) -> None:
    """Build and sign each credential with `key` (set on the rows, not saved)."""
    identity = key.identity
    emails = _emails(certificates)
    agreed = _names_agreed({c.person_id for c in certificates})
    builder, signer = _Builder(), _Signer()
    now = timezone.now()
    for credential, certificate in zip(credentials, certificates, strict=True):
        payload = builder.credential(
            certificate,
            identity=identity,
            credential=credential,
            email=emails.get(certificate.person_id, ""),
            name_agreed=certificate.person_id in agreed,
        )
        credential.jwt = signer.sign(_with_claims(payload, certificate), key)
        credential.key_id = key.pk
        credential.signed_at = now
        credential.holder_withheld = bool(certificate.data.get(HOLDER_WITHHELD_KEY))


def _issuer_organisation(certificate: Certificate):
    return certificate.issuer.organisation


# --- hooks called by kvalis.certificates.services ---------------------------------------------


def on_issued(certificates: list[Certificate]) -> list[Credential]:
    """Create and sign the credentials of certificates just inserted, in the issuing transaction
    (a failed issue leaves no credential, and no status list entry, behind)."""
    created: list[Credential] = []
    by_organisation: dict[int, list[Certificate]] = {}
    for certificate in certificates:
        by_organisation.setdefault(certificate.issuer.organisation_id, []).append(certificate)
    for group in by_organisation.values():
        key = _signing_key(_issuer_organisation(group[0]))
        identity = key.identity
        # No savepoint of its own: the transaction holds it all (a savepoint would be
        # two more statements per cohort of a bulk issue).
        with transaction.atomic(savepoint=False):
            entries = _allocate_entries(identity, len(group))
            credentials = [
                Credential(certificate=certificate, status_list=status_list, status_index=index)
                for certificate, (status_list, index) in zip(group, entries, strict=True)
            ]
            for status_list, _index in entries:
                status_list.identity = identity
            _sign_into(credentials, group, key)
            created += Credential.objects.bulk_create(credentials)
    return created


def _credential_for(certificate: Certificate) -> Credential:
    """The certificate's credential; created and signed now for a certificate issued before
    credentials existed (with its bit set if it was revoked or replaced meanwhile), or signed
    again without the holder once the holder was erased."""
    credential = (
        Credential.objects.select_related("status_list__identity", "key__identity")
        .filter(certificate=certificate)
        .first()
    )
    withheld = bool(certificate.data.get(HOLDER_WITHHELD_KEY))
    if credential is not None and credential.jwt and credential.holder_withheld == withheld:
        return credential
    with transaction.atomic():
        # Lock the certificate: two first downloads at once create one credential.
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("issuer__organisation", "enrolment__cohort__activity")
            .get(pk=certificate.pk)
        )
        credential = Credential.objects.filter(certificate=certificate).first()
        if credential is None:
            (credential,) = on_issued([certificate])
            if certificate.status != CertificateStatus.VALID:
                _revoke(credential)
            replacement = getattr(certificate, "replaced_by", None)
            if replacement is not None:
                credential.replaced_by = _credential_for(replacement)
                credential.save(update_fields=["replaced_by"])
        elif not credential.jwt or credential.holder_withheld != withheld:
            key = active_key(credential.status_list.identity)
            key.identity = credential.status_list.identity
            _sign_into([credential], [certificate], key)
            credential.save(update_fields=["jwt", "key", "signed_at", "holder_withheld"])
    return Credential.objects.select_related("status_list__identity", "key__identity").get(
        pk=credential.pk
    )


def _revoke(credential: Credential) -> None:
    status_list = StatusList.objects.select_for_update().get(pk=credential.status_list_id)
    _set_bit(status_list, credential.status_index)
    _sign_status_list(status_list)


def on_revoked(certificate: Certificate) -> None:
    """Flip the certificate's bit and publish the list again, in the revoking transaction."""
    _revoke(_credential_for(certificate))


def on_replaced(old: Certificate, new: Certificate) -> None:
    """The old credential is revoked and records its replacement (whose credential the issue
    of `new` created), so verification says "replaced by urn:uuid:…"."""
    old_credential = _credential_for(old)
    new_credential = _credential_for(new)
    old_credential.replaced_by = new_credential
    old_credential.save(update_fields=["replaced_by"])
    _revoke(old_credential)


def on_holder_withheld(certificates) -> None:
    """Sign again, without the holder, the credentials of an erased person's certificates (the
    erasure calls it; `credential_jwt` does the same lazily for any it missed)."""
    for certificate in certificates:
        if Credential.objects.filter(certificate=certificate).exists():
            _credential_for(certificate)


def resign_for_person(person) -> int:
    """Sign the person's stored credentials again after their name consent was given or
    withdrawn, so the next download carries the name or drops it. Same id, same status entry:
    a credential downloaded before keeps verifying. Runs in the caller's transaction (the
    consent and the credentials change together). Returns how many were signed."""
    credentials = list(
        Credential.objects.select_for_update(of=("self",))
        .select_related("status_list__identity", "certificate__enrolment__cohort__activity")
        .filter(certificate__person=person)
        .order_by("pk")
    )
    by_identity: dict[int, list[Credential]] = {}
    for credential in credentials:
        by_identity.setdefault(credential.status_list.identity_id, []).append(credential)
    for group in by_identity.values():
        identity = group[0].status_list.identity
        key = active_key(identity)
        key.identity = identity
        _sign_into(group, [credential.certificate for credential in group], key)
        Credential.objects.bulk_update(group, ["jwt", "key", "signed_at", "holder_withheld"])
    return len(credentials)


# --- the API the pages use --------------------------------------------------------------------


def credential_jwt(certificate: Certificate) -> str:
    """The certificate's credential as a compact VC-JWT (stored; signed now if it never was)."""
    return _credential_for(certificate).jwt


def _payload_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def credential_json(certificate: Certificate) -> dict:
    """The credential as JSON: exactly what its VC-JWT signed, without the JWT's claims."""
    payload = _payload_of(credential_jwt(certificate))
    return {k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS}


def enveloped_credential(certificate: Certificate) -> dict:
    """The signed credential as JSON-LD (VC 2.0 `EnvelopedVerifiableCredential`): a JSON file
    a wallet or verifier takes, carrying the VC-JWT."""
    return {
        "@context": [VC_CONTEXT],
        "id": f"data:{JWT_MEDIA_TYPE},{credential_jwt(certificate)}",
        "type": "EnvelopedVerifiableCredential",
    }


def credential_urn(certificate: Certificate) -> str:
    return _credential_for(certificate).urn


def credentials_backfill() -> int:
    """Sign the credentials of every certificate that has none yet (`kvalis sign_credentials`).
    Returns how many were created."""
    missing = Certificate.objects.filter(credential__isnull=True).order_by("pk")
    count = 0
    for certificate in missing.iterator():
        _credential_for(certificate)
        count += 1
    return count


# --- verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    code: str  # format, issuer, signature, record, dates, status
    passed: bool
    message: str


@dataclass
class Verification:
    ok: bool
    status: str  # valid, revoked, replaced, invalid, unknown-issuer
    checks: list[Check] = field(default_factory=list)
    credential: dict | None = None
    replaced_by: str | None = None
    certificate: Certificate | None = None


_JWT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


def _find_token(data: str | bytes) -> str | None:
    """The compact JWT in what was pasted or uploaded: the JWT itself, a VC 2.0 enveloped
    credential (id "data:application/vc+jwt,<jwt>"), or a JSON object holding the JWT."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    text = (data or "").strip().lstrip("\ufeff")
    if _JWT_RE.match(text):
        return text
    if not text.startswith("{"):
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    for value in document.values():
        if not isinstance(value, str):
            continue
        for prefix in (f"data:{JWT_MEDIA_TYPE},", "data:application/vc+ld+json+jwt,"):
            if value.startswith(prefix) and _JWT_RE.match(value[len(prefix) :]):
                return value[len(prefix) :]
        if _JWT_RE.match(value):
            return value
    return None


def _day(moment: datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


def _parse_moment(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def verify_credential(data: str | bytes, *, now: datetime | None = None) -> Verification:
    """Verify a credential someone pasted or uploaded, as a verifier elsewhere would, except that
    Kvalis's own issuers are resolved from the database (no HTTP request to itself).

    Says what was checked, in order: the format, the issuer (a DID registered in Kvalis), the
    signature (with which key), Kvalis's record of the credential, the dates and the status
    list entry. The first failure ends it."""
    now = now or timezone.now()
    checks: list[Check] = []

    def fail(status: str, code: str, message: str, **extra) -> Verification:
        checks.append(Check(code, False, message))
        return Verification(ok=False, status=status, checks=checks, **extra)

    token = _find_token(data)
    if token is None:
        return fail(
            "invalid",
            "format",
            _(
                "This is not a signed Open Badges 3.0 credential: expected a VC-JWT, or a JSON "
                "file that contains one."
            ),
        )
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return fail("invalid", "format", _("The credential cannot be read: it is damaged."))
    if not isinstance(unverified, dict) or "OpenBadgeCredential" not in (
        unverified.get("type") or []
    ):
        return fail(
            "invalid", "format", _("This signed document is not an Open Badges credential.")
        )
    checks.append(Check("format", True, _("The credential is a signed Open Badges 3.0 VC-JWT.")))

    kid = header.get("kid") if isinstance(header.get("kid"), str) else ""
    did = kid.split("#", 1)[0]
    issuer = unverified.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    public_id = _public_id_from_did(did)
    identity = (
        IssuerIdentity.objects.select_related("organisation").filter(public_id=public_id).first()
        if public_id is not None
        else None
    )
    if identity is None or issuer_id != did or unverified.get("iss") != did:
        return fail(
            "unknown-issuer",
            "issuer",
            _("The credential's issuer (%(did)s) is not an issuer registered in Kvalis.")
            % {"did": issuer_id or did or "—"},
            credential=unverified,
        )
    checks.append(
        Check(
            "issuer",
            True,
            _("The issuer %(name)s is registered in Kvalis (%(did)s).")
            % {"name": identity.organisation.name, "did": did},
        )
    )

    number = kid.rsplit("#key-", 1)[-1]
    key = identity.keys.filter(number=int(number)).first() if number.isdigit() else None
    if key is None:
        return fail(
            "invalid",
            "signature",
            _("The issuer has no key %(kid)s: the credential was not signed by it.") % {"kid": kid},
            credential=unverified,
        )
    try:
        payload = jwt.decode(
            token,
            keys.public_key(key.public_key),
            algorithms=["EdDSA"],
            options={"verify_exp": False, "verify_nbf": False, "verify_aud": False},
        )
    except jwt.InvalidTokenError:
        return fail(
            "invalid",
            "signature",
            _(
                "The signature does not match the content: the credential was changed after "
                "it was signed, or someone else signed it."
            ),
            credential=unverified,
        )
    key_message = _("The signature is valid, made with the issuer's key %(kid)s.") % {"kid": kid}
    if key.retired_at is not None:
        key_message += " " + _(
            "The key was replaced by a newer one on %(date)s; it still verifies what it signed."
        ) % {"date": _day(key.retired_at)}
    checks.append(Check("signature", True, key_message))

    credential = (
        Credential.objects.select_related("certificate", "status_list", "replaced_by")
        .filter(credential_id=_urn_uuid(payload.get("id")), status_list__identity=identity)
        .first()
    )
    if credential is None or payload.get("jti") != payload.get("id"):
        return fail(
            "invalid",
            "record",
            _("Kvalis has no record of a credential with this id."),
            credential=payload,
        )
    certificate = credential.certificate
    checks.append(
        Check(
            "record",
            True,
            _("Kvalis holds the record of this credential: certificate no. %(number)s.")
            % {"number": certificate.number},
        )
    )

    valid_from = _parse_moment(payload.get("validFrom"))
    valid_until = _parse_moment(payload.get("validUntil")) if "validUntil" in payload else None
    if valid_from is None or valid_from > now + CLOCK_LEEWAY:
        return fail(
            "invalid",
            "dates",
            _("The credential is not valid yet."),
            credential=payload,
            certificate=certificate,
        )
    if "validUntil" in payload and (valid_until is None or valid_until < now - CLOCK_LEEWAY):
        return fail(
            "invalid",
            "dates",
            _("The credential expired on %(date)s.")
            % {"date": _day(valid_until) if valid_until else "—"},
            credential=payload,
            certificate=certificate,
        )
    checks.append(
        Check(
            "dates",
            True,
            (
                _("Valid from %(start)s until %(end)s.")
                % {"start": _day(valid_from), "end": _day(valid_until)}
                if valid_until
                else _("Valid from %(start)s, with no expiry date.") % {"start": _day(valid_from)}
            ),
        )
    )

    entry = payload.get("credentialStatus") or {}
    status_list = credential.status_list
    status_list.identity = identity
    if (
        not isinstance(entry, dict)
        or entry.get("statusListCredential") != status_list_url(status_list)
        or str(entry.get("statusListIndex")) != str(credential.status_index)
    ):
        return fail(
            "invalid",
            "status",
            _("The credential's status entry is not the one Kvalis recorded for it."),
            credential=payload,
            certificate=certificate,
        )
    where = {"index": credential.status_index, "list": status_list_url(status_list)}
    if status_list.is_set(credential.status_index):
        if credential.replaced_by is not None:
            replaced_by = credential.replaced_by.urn
            return fail(
                "replaced",
                "status",
                _(
                    "The credential was replaced by a new one, %(new)s (entry %(index)s of the "
                    "status list %(list)s)."
                )
                % {**where, "new": replaced_by},
                credential=payload,
                certificate=certificate,
                replaced_by=replaced_by,
            )
        return fail(
            "revoked",
            "status",
            _("The credential was revoked (entry %(index)s of the status list %(list)s).") % where,
            credential=payload,
            certificate=certificate,
        )
    checks.append(
        Check(
            "status",
            True,
            _("Not revoked: entry %(index)s of the status list %(list)s is not set.") % where,
        )
    )
    return Verification(
        ok=True, status="valid", checks=checks, credential=payload, certificate=certificate
    )


def _urn_uuid(value) -> uuid.UUID | None:
    if not isinstance(value, str) or not value.startswith("urn:uuid:"):
        return None
    try:
        return uuid.UUID(value[len("urn:uuid:") :])
    except ValueError:
        return None
