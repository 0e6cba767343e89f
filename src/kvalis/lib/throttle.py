"""A small attempt counter for public and guessable inputs: password-reset mails, the current
password on the address-change form, the public application form and typed check-in codes.

Counts live in Django's cache. The default cache is per process, so with several gunicorn
workers each counts on its own; CACHE_BACKEND=database counts across them. Failed sign-ins are
counted by django-axes instead (kvalis.accounts.throttles), which also uses `client_ip`.
"""

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

TOO_MANY = _("Too many attempts. Wait a few minutes and try again.")


def _key(scope: str, who: str) -> str:
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    return f"throttle:{scope}:{digest}"


def _count(key: str) -> tuple[int, float | None]:
    """The attempts counted under `key` and when their window ends (None: not known, a count
    stored before the window was kept with it)."""
    value = cache.get(key)
    if isinstance(value, tuple):
        count, ends = value
        return (count, ends) if ends > time.time() else (0, None)
    return (value, None) if isinstance(value, int) else (0, None)


def _store(key: str, count: int, ends: float | None, window: int) -> None:
    now = time.time()
    ends = ends if ends is not None else now + window
    cache.set(key, (count, ends), timeout=max(1, math.ceil(ends - now)))


def is_blocked(scope: str, who: str, *, limit: int) -> bool:
    return _count(_key(scope, who))[0] >= limit


def record(scope: str, who: str, *, window: int) -> None:
    """Count one attempt; the count expires `window` seconds after the first one.

    The count and the end of its window are kept together and written back with the time
    left: `cache.incr` of the database cache writes with the default timeout, so the window
    was five minutes after the latest attempt instead of `window` after the first."""
    key = _key(scope, who)
    count, ends = _count(key)
    _store(key, count + 1, ends, window)


def attempt(scope: str, who: str, *, limit: int, window: int) -> bool:
    """`is_blocked`, and if not, `record`: one read and one write (the public form's path)."""
    key = _key(scope, who)
    count, ends = _count(key)
    if count >= limit:
        return True
    _store(key, count + 1, ends, window)
    return False


def client_ip(request) -> str:
    """The address a request came from, for counting attempts per client.

    X-Real-IP is any client's to send, so it names the client only when the request comes from
    one of settings.TRUSTED_PROXIES (nginx, which sets it; the README's deployment section).
    """
    remote = _ip(request.META.get("REMOTE_ADDR", ""))
    if remote and remote in {_ip(proxy) for proxy in settings.TRUSTED_PROXIES}:
        return _ip(request.META.get("HTTP_X_REAL_IP", "")) or remote
    return remote


def _ip(value: str) -> str:
    """`value` as a normalised IP address ("::1" however spelt), or "" if it is none."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""
