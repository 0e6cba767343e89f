"""Request and response handling shared by every page: the language and private caching.

Responses for a signed-in user (or an API token) carry personal data: people lists, exports,
certificate PDFs, a new API token shown once. Browsers and shared proxies must not keep them:
`Cache-Control: private, no-store`, unless the view chose its own caching."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
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


class LanguageMiddleware:
    """Lithuanian, the product's language, unless the user picked another one.

    Django's `LocaleMiddleware` would follow the browser's Accept-Language, so an English-locale
    browser got English pages nobody asked for. Here the language is, in order: a signed-in
    user's stored choice (`User.language`, set by the switcher or the account page), a visitor's
    choice in the language cookie, `LANGUAGE_CODE`. Placed after `AuthenticationMiddleware`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # The view may have signed the user in: from now on their own choice holds, and the
        # cookie carries it so that the pages stay in that language after signing out.
        user = getattr(request, "user", None)
        cookie_name = settings.LANGUAGE_COOKIE_NAME
        signed_in = user is not None and user.is_authenticated and _known(user.language)
        if signed_in and request.COOKIES.get(cookie_name) != user.language:
            response.set_cookie(
                cookie_name,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language() or language)
        return response


def _known(language: str | None) -> bool:
    return bool(language) and language in dict(settings.LANGUAGES)


def chosen_language(request: HttpRequest) -> str:
    """The user's language for this request; never the browser's Accept-Language."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and _known(user.language):
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if _known(cookie):
        return cookie
    return settings.LANGUAGE_CODE
