"""The second factor of a sign-in: a TOTP app (a six-digit code that changes every 30 seconds)
and ten one-time recovery codes, with django-otp's devices; or passkeys (WebAuthn, with
django-otp-webauthn), where the browser supports them. Either counts as the second factor.

The flow, from the sign-in page on:

- `accounts:login` checks the password; a login with a confirmed device is not signed in yet:
  the session holds a *pending* sign-in (`pending_start`) and the browser goes on to
  `accounts:login_verify`, which asks for a code (or a passkey: `kvalis.accounts.passkey_views`);
- a right code signs the login in (Django's `login()`, then django-otp's, which marks the
  session verified: `request.user.is_verified()`); a wrong one is a failed sign-in for
  django-axes, counted with the wrong passwords under the same address and client;
- a login without a device signs in as before; one whose organisation requires a second factor
  is sent to set one up first (`SecondFactorSetupMiddleware`).

Writes (set up, remove, reset by a colleague, the organisation's requirement) are services
here, audited.
"""

import time

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from kvalis.accounts.models import User
from kvalis.audit.services import audit_log
from kvalis.lib.mail import queue_mail
from kvalis.organisations.models import Organisation

RECOVERY_CODE_COUNT = 10
# A password typed, the code not yet: how long the pending sign-in waits for it.
PENDING_SECONDS = 5 * 60
PENDING_KEY = "kvalis_second_factor_pending"
# Set at sign-in for a coordinator whose organisation requires a second factor and who has none.
SETUP_REQUIRED_KEY = "kvalis_second_factor_setup_required"

WRONG_CODE = _("The code is not correct. Enter the current code from your app or a recovery code.")


def confirmed_devices(user: User) -> list:
    return list(devices_for_user(user, confirmed=True))


def has_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def passkeys(user: User):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def has_second_factor(user: User) -> bool:
    """A confirmed TOTP app or passkey: recovery codes alone are not a second factor but the
    app's spare."""
    return has_totp(user) or passkeys(user).exists()


def users_with_second_factor(users) -> set[int]:
    """The ids of `users` (a queryset) with a second factor, in two queries whatever their
    number."""
    with_totp = TOTPDevice.objects.filter(user__in=users, confirmed=True)
    with_passkey = WebAuthnCredential.objects.filter(user__in=users, confirmed=True)
    return set(with_totp.values_list("user_id", flat=True)) | set(
        with_passkey.values_list("user_id", flat=True)
    )


def requiring_organisations(user: User):
    """Registered organisations the user coordinates that require a second factor."""
    return Organisation.objects.filter(
        registered_at__isnull=False, require_second_factor=True, coordinators__user=user
    )


def setup_required(user: User) -> bool:
    return requiring_organisations(user).exists() and not has_second_factor(user)


def _clean(code: str) -> str:
    return "".join(str(code).split()).lower()


def code_check(*, user: User, code: str):
    """The device that accepts `code` (a TOTP code or an unused recovery code, which is used up),
    or None. A code is accepted once: TOTP remembers the last period it accepted."""
    code = _clean(code)
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


# --- the sign-in's second step ------------------------------------------------------------


def pending_start(*, request: HttpRequest, user: User) -> None:
    """Remember that `user` typed the right password: nobody is signed in yet."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": int(time.time()),
    }


def pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=pending["user"], is_active=True).first()


def pending_complete(*, request: HttpRequest, user: User, device) -> None:
    """The code was right: sign in (a new session key), then mark the session verified."""
    backend = request.session[PENDING_KEY]["backend"]
    del request.session[PENDING_KEY]
    auth_login(request, user, backend=backend)
    otp_login(request, device)


def pending_code_refused(*, request: HttpRequest, user: User) -> None:
    """A wrong code (or a refused passkey) is a failed sign-in: django-axes counts it as a wrong
    password."""
    user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)


def signed_in(*, request: HttpRequest, user: User) -> None:
    """After a sign-in without a second step: remember whether a set-up is owed."""
    if setup_required(user):
        request.session[SETUP_REQUIRED_KEY] = True


# --- the holder's own devices -------------------------------------------------------------


def totp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed TOTP device (replacing an unfinished one): active once confirmed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Kvalis", confirmed=False)


def unconfirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def totp_device_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Activate `device` with a code from the app; returns the new recovery codes, shown once."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("Start the set-up again."), code="stale")
    if not device.verify_token(_clean(code)):
        raise ValidationError(WRONG_CODE, code="wrong_code")
    # One app at a time: a new one replaces the old.
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_log(actor=user, action="user.second_factor_add", obj=user, summary=user.email)
    return recovery_codes_create(user=user)


@transaction.atomic
def recovery_codes_create(*, user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working. Stored as django-otp keeps them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_log(actor=user, action="user.recovery_codes_create", obj=user, summary=user.email)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def second_factor_remove(*, user: User, code: str) -> None:
    """Remove the holder's TOTP app and recovery codes, proven with a current code. A passkey
    left keeps the second factor on."""
    if not has_totp(user):
        raise ValidationError(_("You have no second factor to remove."), code="none")
    if requiring_organisations(user).exists() and not passkeys(user).exists():
        raise ValidationError(
            _("Your organisation requires a second factor: set up a new app instead."),
            code="required",
        )
    if code_check(user=user, code=code) is None:
        raise ValidationError(WRONG_CODE, code="wrong_code")
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_log(actor=user, action="user.second_factor_remove", obj=user, summary=user.email)


def passkey_registered(*, user: User, passkey: WebAuthnCredential) -> None:
    """django-otp-webauthn has checked and saved the new passkey: record it, and a set-up owed
    is done."""
    audit_log(
        actor=user,
        action="user.passkey_add",
        obj=user,
        summary=user.email,
        data={"passkey": passkey.pk},
    )


@transaction.atomic
def passkey_remove(*, user: User, passkey: WebAuthnCredential) -> None:
    """Remove one of the holder's passkeys (confirmed on the page before). The last second
    factor of a coordinator whose organisation requires one stays."""
    if passkey.user_id != user.pk:
        raise PermissionDenied
    others = passkeys(user).exclude(pk=passkey.pk).exists()
    if requiring_organisations(user).exists() and not others and not has_totp(user):
        raise ValidationError(
            _("Your organisation requires a second factor: add another passkey or an app first."),
            code="required",
        )
    passkey.delete()
    audit_log(
        actor=user,
        action="user.passkey_remove",
        obj=user,
        summary=user.email,
        data={"passkey": passkey.pk},
    )


def _devices_delete(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()


# --- an organisation's coordinators -------------------------------------------------------


def _require_coordinator(actor: User, organisation: Organisation) -> None:
    if not organisation.coordinators.filter(user=actor).exists():
        raise PermissionDenied


@transaction.atomic
def second_factor_reset(*, actor: User, organisation: Organisation, colleague: User) -> None:
    """A coordinator removes a colleague's second factor (a lost phone): the colleague signs in
    with the password alone and sets up a new one (required again if the organisation says so).
    Audited, and the colleague is told by e-mail."""
    _require_coordinator(actor, organisation)
    if not organisation.coordinators.filter(user=colleague).exists():
        raise ValidationError(_("Only a coordinator of your organisation."), code="not_colleague")
    if colleague.pk == actor.pk:
        raise ValidationError(
            _("Remove your own second factor on your account page, with a current code."),
            code="self",
        )
    if not confirmed_devices(colleague):
        raise ValidationError(_("This colleague has no second factor."), code="none")
    _devices_delete(colleague)
    audit_log(
        actor=actor,
        action="user.second_factor_reset",
        obj=colleague,
        organisation=organisation,
        summary=colleague.email,
    )
    queue_mail(
        to=colleague.email,
        template="accounts/emails/second_factor_reset",
        context={
            "first_name": colleague.first_name,
            "actor_name": str(actor),
            "organisation_name": organisation.name,
            "account_url": settings.SITE_URL + reverse("accounts:second_factor"),
        },
        language=colleague.language,
    )


@transaction.atomic
def organisation_second_factor_require(
    *, actor: User, organisation: Organisation, required: bool
) -> None:
    """Whether the organisation's coordinators must sign in with a second factor (from their
    next sign-in)."""
    _require_coordinator(actor, organisation)
    if organisation.require_second_factor == required:
        return
    organisation.require_second_factor = required
    organisation.save(update_fields=["require_second_factor"])
    audit_log(
        actor=actor,
        action="organisation.second_factor_require",
        obj=organisation,
        organisation=organisation,
        data={"required": required},
    )


# --- the page guard -----------------------------------------------------------------------

# What a coordinator owing a set-up may still open: the set-up itself, signing out, the language.
SETUP_ALLOWED_URL_NAMES = {
    "accounts:second_factor",
    "accounts:second_factor_confirm",
    "accounts:recovery_codes",
    # Adding a passkey instead (the page's script calls these).
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:js-i18n-catalog",
    "accounts:logout",
    "set_language",
}


class SecondFactorSetupMiddleware:
    """Sends a coordinator whose organisation requires a second factor, and who signed in without
    one, to set one up before any other page. Decided at sign-in and kept in the session, so
    other requests cost no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        session = getattr(request, "session", None)
        if session is not None and session.get(SETUP_REQUIRED_KEY):
            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            allowed = match is not None and match.view_name in SETUP_ALLOWED_URL_NAMES
            static = request.path_info.startswith(settings.STATIC_URL)
            if not allowed and not static:
                if not request.user.is_authenticated or has_second_factor(request.user):
                    session.pop(SETUP_REQUIRED_KEY, None)
                else:
                    return redirect("accounts:second_factor")
        return self.get_response(request)
