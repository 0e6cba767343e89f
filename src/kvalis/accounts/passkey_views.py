"""Passkeys (WebAuthn) as a second factor, with django-otp-webauthn.

The package's JSON views do the ceremonies (its script on the page calls them); these
subclasses fit them into Kvalis's sign-in (the rules are in `kvalis.accounts.second_factor`):

- registration: the signed-in holder adds a passkey on the second-factor page; it is audited;
- authentication: only for the *pending* sign-in of `accounts:login_verify` (the password was
  right a moment ago, nobody is signed in yet) — a passkey of that login completes it exactly
  as a right code does; a refused one is a failed sign-in for django-axes, as a wrong code is.
  There is no sign-in with a passkey alone (`OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False`);
- removal: a page that asks to confirm, then the service.
"""

import json

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp_webauthn import exceptions, views

from kvalis.accounts import second_factor


class _PostOnly:
    """The package checks who asks before the method: a GET would answer 403 as if refused."""

    def dispatch(self, request, *args, **kwargs):
        if request.method != "POST":
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)


class PasskeyRegistrationBegin(_PostOnly, views.BeginCredentialRegistrationView):
    pass


class PasskeyRegistrationComplete(_PostOnly, views.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        # The package answers with the id of the passkey it saved.
        passkey_pk = json.loads(response.content)["id"]
        passkey = second_factor.passkeys(self.request.user).get(pk=passkey_pk)
        second_factor.passkey_registered(user=self.request.user, passkey=passkey)
        self.request.session.pop(second_factor.SETUP_REQUIRED_KEY, None)
        # Shown when the page's script reloads it.
        messages.success(self.request, _("The passkey is added."))
        return response


# The package's messages are English only: the sign-in step answers with Kvalis's own.
class NoPendingSignIn(exceptions.OTPWebAuthnApiError):
    status_code = 403
    code = "no_pending_sign_in"
    default_detail = gettext_lazy("Start again: sign in with your password first.")


class PasskeyRefused(exceptions.OTPWebAuthnApiError):
    status_code = 403
    code = "passkey_refused"
    default_detail = gettext_lazy(
        "The passkey was not accepted. Try again with a passkey of this account, or enter a code."
    )


class _PendingSignInMixin:
    """The login whose password was right a moment ago, not `request.user`."""

    def get_user(self):
        return second_factor.pending_user(self.request)

    def check_can_authenticate(self):
        user = self.get_user()
        if user is None:
            raise NoPendingSignIn()


class PasskeySignInBegin(_PostOnly, _PendingSignInMixin, views.BeginCredentialAuthenticationView):
    pass


class PasskeySignInComplete(
    _PostOnly, _PendingSignInMixin, views.CompleteCredentialAuthenticationView
):
    def post(self, *args, **kwargs):
        user = self.get_user()
        credentials = {"username": user.email}
        if AxesProxyHandler.is_locked(self.request, credentials):
            return JsonResponse({"detail": str(settings.AXES_COOLOFF_MESSAGE)}, status=429)
        try:
            return super().post(*args, **kwargs)
        except (exceptions.OTPWebAuthnApiError, ValueError, KeyError, TypeError) as error:
            # Another login's passkey, a forged or replayed answer, a malformed body.
            second_factor.pending_code_refused(request=self.request, user=user)
            raise PasskeyRefused() from error

    def complete_auth(self, device):
        second_factor.pending_complete(request=self.request, user=device.user, device=device)

    def get_success_url(self):
        return self.get_redirect_url() or reverse("homes:home")


@login_required
def passkey_remove(request: HttpRequest, passkey_pk: int) -> HttpResponse:
    """Asks to confirm (GET), removes (POST). Only the holder's own passkeys: others 404."""
    passkey = get_object_or_404(second_factor.passkeys(request.user), pk=passkey_pk)
    error = ""
    if request.method == "POST":
        try:
            second_factor.passkey_remove(user=request.user, passkey=passkey)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The passkey is removed."))
            return redirect("accounts:second_factor")
    return render(
        request,
        "accounts/passkey_remove.html",
        {"passkey": passkey, "error": error},
        status=400 if error else 200,
    )
