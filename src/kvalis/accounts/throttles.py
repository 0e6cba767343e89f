"""How often an address, a client and the whole site may fail to sign in or ask for a reset mail.

Failed sign-ins are counted by django-axes, in the database, so that all gunicorn workers count
together whatever the cache. Every sign-in page (ours and the admin's) goes through
`authenticate()`, where axes' backend stands first and refuses a paused request before any
password is checked, even the right one; AxesMiddleware then answers with
`registration/locked_out.html` (429). The settings point here for the address, the client's IP
(`kvalis.lib.throttle.client_ip`, which believes X-Real-IP only from TRUSTED_PROXIES) and the
limits.

Password-reset mails are counted per address and per client in the cache (`kvalis.lib.throttle`):
axes counts failed sign-ins only.
"""

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.db.models import Sum
from django.http import HttpRequest

from kvalis.lib import throttle

# Failed sign-ins within AXES_COOLOFF_TIME (15 minutes) of the last one, before a pause:
# per address and e-mail (a person mistyping), per e-mail from anywhere (many clients guessing
# one account), per address (one client trying a password on many accounts; a training room
# behind one router must not pause at the first few typos), and for the whole site (many clients
# trying many accounts: everyone pauses, well above what the site's people mistype together).
SIGN_IN_LIMIT = 10
ACCOUNT_LIMIT = 20
CLIENT_LIMIT = 30
SITE_LIMIT = 300

# Password-reset mails: per address, and requests per client, in an hour.
RESET_PER_ADDRESS = 3
RESET_PER_CLIENT = 10
RESET_WINDOW = 60 * 60


def normalise_email(value: str) -> str:
    """One spelling per address: " Ona@Example.lt" is "ona@example.lt" (logins are stored so)."""
    return value.strip().lower()


def attempted_email(request: HttpRequest, credentials: dict | None = None) -> str:
    """AXES_USERNAME_CALLABLE: the address as typed, normalised, so that spaces and capitals do
    not open a new budget. Our form and the admin's pass it as `username`; a script as `email`."""
    source = credentials if credentials is not None else getattr(request, "POST", {})
    return normalise_email(str(source.get("username") or source.get("email") or ""))


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """AXES_FAILURE_LIMIT: the limit of axes' own count, per address and e-mail."""
    return SIGN_IN_LIMIT


class SignInLimitBackend(AxesStandaloneBackend):
    """Axes' gate, first in AUTHENTICATION_BACKENDS: refuses a paused request, signs no one in.

    Without a request there is no client to count (a management command, the test client's
    `login()`), so it leaves the decision to the next backend; every sign-in page passes one.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class SignInAttempts(AxesDatabaseHandler):
    """Axes' database handler, pausing also on the wider rates above.

    Axes applies one limit to its lockout parameters (here address and e-mail together); the
    wider rates have larger limits, so they are summed here from the same attempt rows.
    """

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self._beyond_a_wider_rate(
            request, credentials
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        refused = getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not refused:
            # Axes answers the failure that reaches a limit with the pause page; here it is
            # answered as the wrong password it was, and the pause starts with the next attempt,
            # which is refused before its password is checked.
            request.axes_locked_out = False

    def _beyond_a_wider_rate(self, request, credentials: dict | None) -> bool:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        email = get_client_username(request, credentials)
        return (
            _failures(recent.filter(username=email)) >= ACCOUNT_LIMIT
            or _failures(recent.filter(ip_address=request.axes_ip_address)) >= CLIENT_LIMIT
            or _failures(recent) >= SITE_LIMIT
        )


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def password_reset_allowed(*, request: HttpRequest, email: str) -> bool:
    """Count one reset request; False once this client or this address has had its hourly share.

    Every request counts, for a known address or not, so the count tells nothing about it. A
    client already paused does not use up the address's share, which is its owner's.
    """
    client = throttle.client_ip(request)
    if throttle.is_blocked("reset-client", client, limit=RESET_PER_CLIENT):
        return False
    throttle.record("reset-client", client, window=RESET_WINDOW)
    address = normalise_email(email)
    if throttle.is_blocked("reset-address", address, limit=RESET_PER_ADDRESS):
        return False
    throttle.record("reset-address", address, window=RESET_WINDOW)
    return True
