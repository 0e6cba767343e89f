"""Every named URL × three roles: anonymous, an outsider and the project's coordinator.

The test walks the whole URLconf, so a new URL is covered the moment it is added:

- anonymous: redirected to the sign-in page, unless the URL is listed in `PUBLIC_URLS`
  (then 200, a redirect or 405 — never 404 or 500);
- outsider (charlie, the coordinator of another registered organisation with a project of its
  own): 404 for every non-public URL that points into `world.project`, and never a page showing
  `world.project`'s data;
- public member (dana, who applied through the catalogue, confirmed and chose a password): the
  same as the outsider;
- coordinator (alice): the page works (200, a redirect elsewhere than the sign-in page, or 405
  for a POST-only action).

URL kwargs are filled from `tests/url_kwargs.py` (`URL_KWARGS` by kwarg name, `URL_KWARGS_BY_NAME`
for one URL's own values); a URL with a kwarg missing there fails with a message saying what to add.
"""

from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import url_kwargs

SKIPPED_NAMESPACES = {"admin"}
# api:not_found answers every unknown path under /api/ with a JSON 404, for everyone
# (tests/api/test_errors.py).
SKIPPED_NAMES = {"set_language", "api:not_found"}


@dataclass(frozen=True)
class NamedUrl:
    name: str  # with namespaces: "projects:detail"
    kwargs: tuple[str, ...]
    route: str  # for messages only


def _pattern_kwargs(pattern) -> tuple[str, ...]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return tuple(converters)
    regex = getattr(pattern, "regex", None)
    return tuple(regex.groupindex) if regex is not None else ()


def _walk(resolver: URLResolver, namespace: str = "", kwargs=(), route: str = ""):
    for entry in resolver.url_patterns:
        entry_route = route + str(entry.pattern)
        entry_kwargs = kwargs + _pattern_kwargs(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, inner, entry_kwargs, entry_route)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, entry_kwargs, entry_route


def _skipped(name: str | None, route: str) -> bool:
    if name is not None and (name in SKIPPED_NAMES or name.split(":")[0] in SKIPPED_NAMESPACES):
        return True
    if route.startswith("admin/"):
        return True
    # Static and media files, served by WhiteNoise / `static()` in development.
    served = [settings.STATIC_URL, settings.MEDIA_URL]
    return any(route.lstrip("^").startswith(url.lstrip("/")) for url in served if url)


def all_urls() -> list[NamedUrl]:
    urls: dict[str, NamedUrl] = {}
    for name, kwargs, route in _walk(get_resolver()):
        if name is None or _skipped(name, route) or name in urls:
            continue
        urls[name] = NamedUrl(name=name, kwargs=kwargs, route=route)
    return sorted(urls.values(), key=lambda url: url.name)


def unnamed_routes() -> list[str]:
    return [
        route
        for name, _k, route in _walk(get_resolver())
        if name is None and not _skipped(None, route)
    ]


URLS = all_urls()


def is_public(url: NamedUrl) -> bool:
    return url.name in url_kwargs.PUBLIC_URLS


def build(url: NamedUrl, world) -> str:
    by_name = getattr(url_kwargs, "URL_KWARGS_BY_NAME", {}).get(url.name, {})
    values = {}
    for kwarg in url.kwargs:
        make = by_name.get(kwarg) or url_kwargs.URL_KWARGS.get(kwarg)
        if make is None:
            pytest.fail(
                f"URL {url.name!r} ({url.route}) takes the kwarg {kwarg!r}, which the URL x role "
                f"test cannot fill. Add {kwarg!r} to URL_KWARGS in tests/url_kwargs.py: a "
                f"function(world) returning a value that points to an object in world.project "
                f"(create it with factories if needed).",
                pytrace=False,
            )
        values[kwarg] = make(world)
    return reverse(url.name, kwargs=values)


def login_path() -> str:
    return resolve_url(settings.LOGIN_URL)


def redirects_to_sign_in(response) -> bool:
    if response.status_code != 302:
        return False
    return urlparse(response["Location"]).path == login_path()


def asks_to_sign_in(response) -> bool:
    """A redirect to the sign-in page; a JSON endpoint may answer 401/403 instead."""
    if redirects_to_sign_in(response):
        return True
    is_json = response.get("Content-Type", "").startswith("application/json")
    return is_json and response.status_code in (401, 403)


def project_data(world) -> list[str]:
    """Strings that only someone who may see `world.project` should ever be shown."""
    return [
        world.project.title,
        world.person_a.last_name,
        world.person_b.last_name,
        world.person_a.email,
        world.person_b.email,
        world.partner_b.organisation.name,
    ]


def url_id(url: NamedUrl) -> str:
    return url.name


def test_the_walk_finds_the_urlconf():
    names = {url.name for url in URLS}
    assert {"home", "accounts:login", "projects:dashboard", "projects:detail"} <= names
    assert not any(name.startswith("admin:") for name in names)
    detail = next(url for url in URLS if url.name == "projects:detail")
    assert detail.kwargs == ("code",)


def test_every_url_has_a_name():
    """An unnamed URL could not be reversed, so this test could not cover it."""
    assert unnamed_routes() == []


def test_public_urls_exist():
    names = {url.name for url in URLS} | SKIPPED_NAMES
    assert set(url_kwargs.PUBLIC_URLS) - names == set()


@pytest.mark.parametrize("url", URLS, ids=url_id)
def test_anonymous(client, world, url):
    path = build(url, world)
    response = client.get(path)

    if is_public(url):
        assert response.status_code in (200, 302, 405), (
            f"public URL {url.name} ({path}) answered {response.status_code}"
        )
        return
    if response.status_code == 405:
        # A POST-only action: posting anonymously must still ask to sign in.
        response = client.post(path)
    assert asks_to_sign_in(response), (
        f"anonymous GET {path} ({url.name}) answered {response.status_code} "
        f"{response.get('Location', '')}, not a redirect to {login_path()}; "
        f"if the page is meant to be public, list {url.name!r} in PUBLIC_URLS "
        f"in tests/url_kwargs.py"
    )


@pytest.mark.parametrize("persona", ["charlie", "dana"])
@pytest.mark.parametrize("url", URLS, ids=url_id)
def test_outsider(client, world, url, persona):
    path = build(url, world)
    client.force_login(getattr(world, persona))
    response = client.get(path)

    if response.status_code == 405 and not is_public(url):
        # A POST-only action must refuse the outsider before doing anything.
        response = client.post(path)
    assert response.status_code < 500, f"outsider GET {path} answered {response.status_code}"
    if url.kwargs and not is_public(url):
        assert response.status_code == 404, (
            f"outsider {persona} got {response.status_code} for "
            f"{path} ({url.name}), which points into another project: must be 404"
        )
    if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
        text = response.content.decode()
        leaked = [value for value in project_data(world) if value in text and not is_public(url)]
        assert leaked == [], f"outsider {persona} sees {leaked} of another project at {path}"


@pytest.mark.parametrize("url", URLS, ids=url_id)
def test_coordinator(client, world, url):
    path = build(url, world)
    client.force_login(world.alice)
    response = client.get(path)
    if url.name in getattr(url_kwargs, "SITE_ADMIN_URLS", ()):
        # A site administrator's page: 404 for the coordinator, working for an administrator.
        assert response.status_code == 404, f"coordinator got {response.status_code} at {path}"
        from tests.factories import UserFactory

        client.force_login(UserFactory(is_superuser=True, is_staff=True))
        response = client.get(path)

    assert response.status_code in (200, 302, 405), (
        f"coordinator GET {path} ({url.name}) answered {response.status_code}"
    )
    if response.status_code == 302:
        assert not redirects_to_sign_in(response), f"coordinator sent to sign in from {path}"
