"""A small attempt counter for public and guessable inputs: sign-in, the public application form
and typed check-in codes.

Counts live in Django's cache. The default cache is per process, so with several gunicorn
workers each counts on its own; point CACHES at a shared cache (e.g. Redis) to count across them.
"""

import hashlib

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

TOO_MANY = _("Too many attempts. Wait a few minutes and try again.")


def _key(scope: str, who: str) -> str:
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    return f"throttle:{scope}:{digest}"


def is_blocked(scope: str, who: str, *, limit: int) -> bool:
    return cache.get(_key(scope, who), 0) >= limit


def record(scope: str, who: str, *, window: int) -> None:
    """Count one attempt; the count expires `window` seconds after the first one."""
    key = _key(scope, who)
    if not cache.add(key, 1, timeout=window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)


def client_ip(request) -> str:
    # Behind the proxy the deployment guide describes, REMOTE_ADDR is the proxy; the proxy must
    # then set X-Real-IP, which we trust only because the app listens on localhost.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", "")
