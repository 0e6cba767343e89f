"""Where people get a certificate's Open Badges credential: the downloads and the holder's page.

Three doors, each with the access of the page it sits on:

- the holder, from `/my/certificates/`: their own valid certificates only (as the PDF);
- the project's keepers, from the certificate page: the same access as that page and its PDF
  (`project_certificates`), any status (a revoked credential verifies as revoked);
- anyone with the verification code, from the public `/verify/<code>/` page: valid certificates
  only. The code is already public on the PDF's QR and that page already shows what the
  credential states (the name too, unless it was withheld); the credential adds only a salted
  hash of the e-mail address, which confirms a guessed address but reveals none. The code has
  80 random bits, so the links cannot be found by trying. This is also the "link for wallets":
  a stable address a wallet can fetch, with nothing to sign in to.

Three files: the signed credential (VC-JWT, `application/vc+jwt`) is what a wallet takes; the
badge image carries that same JWT baked in; the JSON is the credential decoded for reading,
unsigned (`application/ld+json`), which on its own proves nothing.
"""

import json
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from kvalis.access import Perm, get_project_access
from kvalis.certificates.models import Certificate, CertificateStatus
from kvalis.certificates.selectors import project_certificates
from kvalis.certificates.services import normalise_code
from kvalis.credentials import baking, services
from kvalis.lib.exports import download, download_name

JSON_TYPE = "application/ld+json"
JWT_TYPE = "application/vc+jwt"
PNG_TYPE = "image/png"
KINDS = ("json", "jwt", "png")


def _file_name(certificate: Certificate, kind: str) -> str:
    """'pažymėjimas-UVB-2014-0001.jwt', '…json', 'ženklelis-UVB-2014-0001.png'; Lithuanian,
    as the certificate is."""
    with translation.override("lt"):
        if kind == "png":
            return download_name(
                pgettext("file name", "badge"), certificate.number, extension="png"
            )
        return download_name(
            pgettext("file name", "certificate"), certificate.number, extension=kind
        )


def credential_download(certificate: Certificate, kind: str, *, private: bool) -> HttpResponse:
    if kind == "json":
        content = json.dumps(
            services.credential_json(certificate), ensure_ascii=False, indent=2
        ).encode("utf-8")
        response = download(content, _file_name(certificate, kind), JSON_TYPE)
    elif kind == "jwt":
        content = services.credential_jwt(certificate).encode("ascii")
        response = download(content, _file_name(certificate, kind), JWT_TYPE)
    elif kind == "png":
        content = baking.baked_badge(certificate, services.credential_jwt(certificate))
        response = download(content, _file_name(certificate, kind), PNG_TYPE)
    else:
        raise Http404
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


def links(certificate: Certificate, *, place: str, code: str | None = None) -> dict:
    """The download addresses for a page: `place` is "mine", "project" (with the project code)
    or "public"; `wallet` (absolute, by verification code) only while the certificate is valid."""
    if place == "mine":
        urls = {k: reverse(f"credential_pages:my_{k}", args=[certificate.pk]) for k in KINDS}
    elif place == "project":
        urls = {k: reverse(f"credential_pages:{k}", args=[code, certificate.pk]) for k in KINDS}
    else:
        urls = {
            k: reverse(f"credential_pages:public_{k}", args=[certificate.verification_code])
            for k in KINDS
        }
    valid = certificate.status == CertificateStatus.VALID
    urls["wallet"] = (
        settings.SITE_URL
        + reverse("credential_pages:public_jwt", args=[certificate.verification_code])
        if valid
        else ""
    )
    return urls


# --- the holder's own ------------------------------------------------------------------------


def _own_certificate(request: HttpRequest, certificate_pk: int) -> Certificate:
    # As the PDF: one's own, and only while valid.
    return get_object_or_404(
        Certificate.objects.filter(person__user=request.user, status=CertificateStatus.VALID),
        pk=certificate_pk,
    )


@login_required
def my_credential(request: HttpRequest, certificate_pk: int) -> HttpResponse:
    certificate = _own_certificate(request, certificate_pk)
    return render(
        request,
        "credentials/my_credential.html",
        {
            "certificate": certificate,
            "d": certificate.data,
            "links": links(certificate, place="mine"),
            "my_tab": "certificates",
        },
    )


@login_required
def my_download(request: HttpRequest, certificate_pk: int, kind: str) -> HttpResponse:
    return credential_download(_own_certificate(request, certificate_pk), kind, private=True)


# --- the project's keepers -------------------------------------------------------------------


@login_required
def project_download(request: HttpRequest, code: str, certificate_pk: int, kind: str):
    access = get_project_access(request.user, code, Perm.VIEW)
    certificate = get_object_or_404(project_certificates(access), pk=certificate_pk)
    return credential_download(certificate, kind, private=True)


# --- public, by verification code ------------------------------------------------------------


def public_download(request: HttpRequest, verification_code: str, kind: str) -> HttpResponse:
    certificate = get_object_or_404(
        Certificate.objects.filter(status=CertificateStatus.VALID),
        verification_code=normalise_code(verification_code),
    )
    response = credential_download(certificate, kind, private=False)
    # A wallet may fetch it from another site's page.
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- what a credential claims ----------------------------------------------------------------


def _text(value) -> str:
    """A plain or a language map value ({"lt": …, "en": …}) as text."""
    if isinstance(value, dict):
        language = translation.get_language() or "lt"
        return str(value.get(language) or value.get("lt") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def credential_claims(credential: dict | None) -> dict:
    """What a (decoded) OpenBadgeCredential says, for the verification page: the activity, its
    academic hours, the issuer, the holder's name if it carries one, its id and dates."""
    if not isinstance(credential, dict):
        return {}
    subject = _object(credential.get("credentialSubject"))
    achievement = _object(subject.get("achievement"))
    holder = _text(subject.get("name"))
    for identifier in _list(subject.get("identifier")):
        item = _object(identifier)
        if not holder and item.get("identityType") == "name" and not item.get("hashed"):
            holder = _text(item.get("identityHash"))
    hours = None
    for result in _list(subject.get("result")):
        hours = _number(_object(result).get("value"))
        if hours is not None:
            break
    return {
        "id": _text(credential.get("id")),
        "name": _text(credential.get("name")),
        "activity": _text(achievement.get("name")),
        "hours": hours,
        "issuer": _text(_object(credential.get("issuer")).get("name")),
        "holder": holder,
        "valid_from": _text(credential.get("validFrom"))[:10],
        "valid_until": _text(credential.get("validUntil"))[:10],
    }


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else [value] if isinstance(value, dict) else []


def _number(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None
