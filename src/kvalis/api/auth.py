"""Who is calling the API: a personal token (`Authorization: Bearer <token>`) or, for a signed-in
browser, the Django session. Every endpoint is wrapped in `api_endpoint`, which answers in JSON:
401 without valid credentials, 404 for what the caller may not see, 405 for anything but GET.

Endpoints are exempt from CSRF: they change nothing, and refuse every method but GET and HEAD
before reading anything. Checked, a POST by a signed-in browser or a script got Django's HTML
403 page instead of the JSON 405 the README promises."""

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from kvalis.api.models import ApiToken
from kvalis.api.services import hash_token


def error(status: int, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def bearer_user(request: HttpRequest):
    """(user, True) for a valid bearer token, (None, True) for a bad one, (None, False) if none."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None, False
    scheme, _sep, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw:
        return None, True
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None, True
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user, True


def _unauthorised(message: str) -> JsonResponse:
    response = error(401, message)
    response["WWW-Authenticate"] = 'Bearer realm="kvalis"'
    return response


def api_endpoint(*, public: bool = False) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                response = error(405, _("This API is read-only: use GET."))
                response["Allow"] = "GET, HEAD"
                return response
            if not public:
                user, sent = bearer_user(request)
                if sent and user is None:
                    return _unauthorised(_("The API token is not valid or was revoked."))
                if user is not None:
                    request.user = user
                elif not request.user.is_authenticated:
                    return _unauthorised(
                        _("Authentication required: send Authorization: Bearer <token>.")
                    )
            try:
                return view(request, *args, **kwargs)
            except Http404:
                return error(404, _("Not found."))

        return csrf_exempt(wrapped)

    return decorate
