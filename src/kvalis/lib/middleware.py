"""Responses for a signed-in user (or an API token) carry personal data: people lists, exports,
certificate PDFs, a new API token shown once. Browsers and shared proxies must not keep them:
`Cache-Control: private, no-store`, unless the view chose its own caching."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers


def _is_authenticated(request: HttpRequest) -> bool:
    # `request.user` is set again by the API's bearer-token check, so after the view this also
    # covers token-authenticated API calls. A request that sent credentials of any kind counts.
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated) or "Authorization" in request.headers


class PrivateCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_authenticated(request):
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_store=True)
            patch_vary_headers(response, ("Cookie",))
        return response
