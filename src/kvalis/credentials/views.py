"""The issuer's public machine documents: its DID document, its Open Badges profile and its
status lists. Anyone may fetch them (a verifier, a wallet, another site's script), so they are
served with `Access-Control-Allow-Origin: *`; an unknown issuer or list answers 404."""

import hashlib
import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from kvalis.credentials import services
from kvalis.credentials.models import IssuerIdentity, StatusList


def _identity(public_id) -> IssuerIdentity:
    identities = IssuerIdentity.objects.select_related("organisation")
    return get_object_or_404(identities, public_id=public_id)


def _json(document: dict, content_type: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=content_type
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def did_document(request: HttpRequest, issuer_public_id) -> HttpResponse:
    identity = _identity(issuer_public_id)
    return _json(services.did_document(identity), services.DID_MEDIA_TYPE)


@require_safe
def profile(request: HttpRequest, issuer_public_id) -> HttpResponse:
    identity = _identity(issuer_public_id)
    return _json(services.issuer_profile(identity), services.PROFILE_MEDIA_TYPE)


@require_safe
def status_list(request: HttpRequest, issuer_public_id, list_number: int) -> HttpResponse:
    """The signed list credential. A revocation changes it at once, so caches must ask again
    each time (no-cache) — cheaply, with the ETag."""
    identity = _identity(issuer_public_id)
    status_list = StatusList.objects.filter(identity=identity, number=list_number).first()
    if status_list is None:
        raise Http404
    status_list.identity = identity
    token = services.status_list_jwt(status_list)
    etag = '"' + hashlib.sha256(token.encode()).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(token, content_type=services.JWT_MEDIA_TYPE)
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, no_cache=True, max_age=0)
    return response
