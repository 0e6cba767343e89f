"""A small attempt counter for public and guessable inputs: password-reset mails, the current
password on the address-change form, the public application form and typed check-in codes.

Counts live in Django's cache. The default cache is per process, so with several gunicorn
workers each counts on its own; CACHE_BACKEND=database counts across them. Failed sign-ins are
counted by django-axes instead (kvalis.accounts.throttles), which also uses `client_ip`.
"""

import hashlib
import ipaddress

from django.conf import settings
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
