"""Rendered public pages kept in the cache, for visitors who are not signed in.

The catalogue, `/`, the public project pages and the certificate verification pages are the same
for every anonymous visitor in one language on one day, and they are what hundreds of people open
the morning a county's cohorts open. So the response of such a view is kept and served again
without touching the database, until something it shows changes.

How a kept page goes stale: each *scope* has a version token in the cache (the time of the last
change, in microseconds). A kept page remembers the version it was rendered under and is served
only while that is still the scope's version. The services that change what the pages show call
`changed(scope)` — one line beside their write. The token lives in the configured cache, so with
several app processes the cache must be shared by them (`CACHE_BACKEND=database`), as it must be
for the throttles; a kept page also expires after `PAGE_TIMEOUT` whatever happens.

What is never kept or served from the cache: a signed-in user's page (the navigation bar, "already
applied", their name), a request with messages waiting to be shown, an htmx request, anything but
GET/HEAD, a response other than 200, one that changed the session, and a URL with query parameters
the view did not declare (so `?x=1`, `?x=2`, … cannot fill the cache).

The CSRF token: every page has the language switcher, a POST form with a token bound to the
visitor's CSRF cookie. The kept copy has a placeholder in its place and each visitor gets a token
of their own cookie written in when the page is served, so the forms keep working.

Conditional GET: a weak ETag from the scope's version, the language, the page's key and a hash of
the visitor's CSRF secret (a browser's copy holds the token of its cookie; after the cookie
changes the copy must not be reused), and Last-Modified from the version's time. A matching
If-None-Match (or If-Modified-Since) gets a 304 without a body.
"""

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

# Scopes: which changes make which pages stale.
CATALOGUE = "catalogue"  # the catalogue, `/` and the public project pages
CERTIFICATES = "certificates"  # the verification pages

# A safety net for changes that reach a page without a service saying so (an organisation's
# new name shown beside its project): at worst a page is this old.
PAGE_TIMEOUT = 5 * 60

_CSRF_PLACEHOLDER = b"@@kvalis-public-cache-csrf@@"
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
_DONT_STORE = "_public_cache_dont_store"


@dataclass(frozen=True)
class _Kept:
    version: int
    content: bytes
    content_type: str


def _version_key(scope: str) -> str:
    return f"public-cache:version:{scope}"


def _new_version() -> int:
    return time.time_ns() // 1000


def changed(scope: str) -> None:
    """Make the scope's kept pages stale: now, and again when the transaction commits (a page
    rendered in between, from what was not yet committed, must not outlive the change).

    With the database cache, inside a transaction, only at the commit: the cache row written
    "now" would be seen by nobody else before the commit anyway, and writing it locked that
    row until then, so every cohort's seat change in the country waited for every other's
    (50 applicants confirming at once queued on it)."""
    shared = isinstance(caches[DEFAULT_CACHE_ALIAS], DatabaseCache)
    if not (shared and transaction.get_connection().in_atomic_block):
        cache.set(_version_key(scope), _new_version(), timeout=None)
    transaction.on_commit(lambda: cache.set(_version_key(scope), _new_version(), timeout=None))


def dont_store(response: HttpResponse) -> HttpResponse:
    """Mark a response as not to be kept (an invalid filter, a page number out of range): it is
    served as it is, and the next request renders again."""
    setattr(response, _DONT_STORE, True)
    return response


def _anonymous_and_plain(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.headers.get("HX-Request") or "Authorization" in request.headers:
        return False
    if request.user.is_authenticated:
        return False
    # len() reads the waiting messages without marking them shown.
    return len(messages.get_messages(request)) == 0


def _canonical_query(request: HttpRequest, params: tuple[str, ...]) -> str | None:
    """The declared parameters that have a value, in a fixed order; None when the request has
    any other parameter or one twice (not kept: the cache holds only what the view knows)."""
    parts = []
    for name, values in request.GET.lists():
        if name not in params or len(values) != 1:
            return None
    for name in params:
        value = request.GET.get(name, "").strip()
        if value:
            parts.append(f"{name}={value}")
    return "&".join(parts)


def _etag(request: HttpRequest, scope: str, version: int, page: str) -> str:
    language = translation.get_language() or ""
    secret = request.META.get("CSRF_COOKIE") or ""
    digest = hashlib.sha256(f"{scope}\n{version}\n{language}\n{page}\n{secret}".encode())
    return f'W/"{digest.hexdigest()[:32]}"'


def _finish(
    request: HttpRequest, response: HttpResponse, *, etag: str, version: int
) -> HttpResponse:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(version // 1_000_000)
    # The browser may keep it but asks again each time (the ETag makes that cheap); a shared
    # proxy must not: the page carries the visitor's CSRF token.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def _current_version(scope: str, kept_key: str) -> tuple[int, _Kept | None]:
    found = cache.get_many([_version_key(scope), kept_key])
    version = found.get(_version_key(scope))
    if version is None:
        # First request since the cache was emptied: whatever was kept before is stale.
        cache.add(_version_key(scope), _new_version(), timeout=None)
        version = cache.get(_version_key(scope))
        return version, None
    kept = found.get(kept_key)
    if kept is not None and kept.version != version:
        kept = None
    return version, kept


def _with_token(request: HttpRequest, content: bytes) -> bytes:
    if _CSRF_PLACEHOLDER not in content:
        return content
    # get_token() also makes the CSRF middleware send the cookie the token belongs to.
    return content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())


def _without_token(content: bytes) -> bytes:
    match = _CSRF_INPUT.search(content)
    if match is None:
        return content
    # One render uses one token in all its forms.
    return content.replace(match.group(1), _CSRF_PLACEHOLDER)


def cached_page(
    scope: str,
    *,
    params: tuple[str, ...] = (),
    key: Callable[..., str] | None = None,
):
    """Keep the view's page for anonymous visitors (see the module's docstring).

    `params` are the query parameters the view reads (others make the request uncached);
    `key(**view_kwargs)` names the page among the view's pages (default: the URL's path).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _anonymous_and_plain(request):
                return view(request, *args, **kwargs)
            query = _canonical_query(request, params)
            if query is None:
                return view(request, *args, **kwargs)
            name = key(**kwargs) if key is not None else request.path
            # The day is part of the page: what is open, which quotas still reserve seats.
            page = f"{view.__module__}.{view.__name__}:{name}?{query}@{timezone.localdate()}"
            language = translation.get_language() or ""
            kept_key = (
                "public-cache:page:" + hashlib.sha256(f"{language}\n{page}".encode()).hexdigest()
            )
            version, kept = _current_version(scope, kept_key)
            etag = _etag(request, scope, version, page)
            not_modified = get_conditional_response(
                request, etag=etag, last_modified=version // 1_000_000
            )
            if not_modified is not None:
                return _finish(request, not_modified, etag=etag, version=version)
            if kept is not None:
                response = HttpResponse(
                    _with_token(request, kept.content), content_type=kept.content_type
                )
                return _finish(
                    request, response, etag=_etag(request, scope, version, page), version=version
                )
            response = view(request, *args, **kwargs)
            session = getattr(request, "session", None)
            if (
                response.status_code != 200
                or getattr(response, "streaming", False)
                or getattr(response, _DONT_STORE, False)
                or response.cookies
                or (session is not None and session.modified)
            ):
                return response
            cache.set(
                kept_key,
                _Kept(
                    version=version,
                    content=_without_token(response.content),
                    content_type=response.headers["Content-Type"],
                ),
                timeout=PAGE_TIMEOUT,
            )
            # A first visitor's CSRF secret is chosen while rendering: the ETag names it.
            return _finish(
                request, response, etag=_etag(request, scope, version, page), version=version
            )

        return wrapper

    return decorator
