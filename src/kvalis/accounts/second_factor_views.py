"""Pages of the second factor (the rules are in `kvalis.accounts.second_factor`):

- the sign-in and its second step;
- the holder's own set-up (TOTP app, recovery codes, removal) — `request.user` only;
- an organisation's page for its coordinators: the requirement and a colleague's reset;
  another organisation (or none) answers 404.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kvalis import ownership
from kvalis.accounts import second_factor
from kvalis.accounts.forms import (
    EmailAuthenticationForm,
    SecondFactorCodeForm,
    SecondFactorRequireForm,
)
from kvalis.accounts.models import User
from kvalis.lib.qr import qr_svg

RECOVERY_CODES_SESSION_KEY = "kvalis_recovery_codes_to_show"


class SignInView(auth_views.LoginView):
    """Django's sign-in; a login with a second factor goes on to the code instead of in."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if second_factor.has_second_factor(user):
            second_factor.pending_start(request=self.request, user=user)
            url = reverse("accounts:login_verify")
            next_url = self.get_redirect_url()
            if next_url:
                url += "?" + urlencode({"next": next_url})
            return redirect(url)
        response = super().form_valid(form)
        second_factor.signed_in(request=self.request, user=user)
        return response


def login_verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code for the login whose password was right a moment ago."""
    user = second_factor.pending_user(request)
    if user is None:
        # No password typed a moment ago (or it was too long ago): start from the beginning.
        return redirect("homes:home" if request.user.is_authenticated else "accounts:login")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.email}
        if AxesProxyHandler.is_locked(request, credentials):
            # AxesMiddleware answers with the pause page (429), as for a password.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            return HttpResponse(status=429)
        device = second_factor.code_check(user=user, code=form.cleaned_data["code"])
        if device is None:
            second_factor.pending_code_refused(request=request, user=user)
            form.add_error("code", second_factor.WRONG_CODE)
        else:
            second_factor.pending_complete(request=request, user=user, device=device)
            next_url = request.GET.get("next", "")
            safe = url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(next_url if next_url and safe else "homes:home")
    return render(
        request,
        "accounts/login_verify.html",
        {"form": form, "has_passkey": second_factor.passkeys(user).exists()},
        status=400 if form.errors else 200,
    )


@login_required
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """The holder's second factor: its state, the set-up of an app, removal."""
    user = request.user
    active = second_factor.has_totp(user)
    setup = second_factor.unconfirmed_totp_device(user)
    if request.method == "POST" and request.POST.get("action") == "start":
        second_factor.totp_device_start(user=user)
        return redirect("accounts:second_factor")
    remove_form = SecondFactorCodeForm(
        request.POST if request.POST.get("action") == "remove" else None, prefix="remove"
    )
    if request.method == "POST" and remove_form.is_bound and remove_form.is_valid():
        try:
            second_factor.second_factor_remove(user=user, code=remove_form.cleaned_data["code"])
        except ValidationError as error:
            remove_form.add_error("code", error.messages)
        else:
            messages.success(request, _("The second factor is removed."))
            return redirect("accounts:second_factor")
    context = {
        "active": active,
        "setup": setup,
        "setup_form": SecondFactorCodeForm(prefix="setup"),
        "remove_form": remove_form,
        "recovery_codes_left": second_factor.recovery_codes_left(user) if active else 0,
        "required": second_factor.requiring_organisations(user).exists(),
        "has_factor": second_factor.has_second_factor(user),
        "passkeys": list(second_factor.passkeys(user)),
    }
    if setup is not None:
        context["qr"] = qr_svg(setup.config_url, title=_("QR code for your authenticator app"))
        context["secret"] = _b32_secret(setup)
    return render(
        request,
        "accounts/second_factor.html",
        context,
        status=400 if remove_form.errors else 200,
    )


def _b32_secret(device) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_POST
def second_factor_confirm(request: HttpRequest) -> HttpResponse:
    """The first code from the app activates it; the recovery codes are shown next, once."""
    setup = second_factor.unconfirmed_totp_device(request.user)
    if setup is None:
        messages.error(request, _("Start the set-up again."))
        return redirect("accounts:second_factor")
    form = SecondFactorCodeForm(request.POST, prefix="setup")
    if form.is_valid():
        try:
            codes = second_factor.totp_device_confirm(
                user=request.user, device=setup, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error.messages)
        else:
            request.session.pop(second_factor.SETUP_REQUIRED_KEY, None)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            messages.success(request, _("The second factor is on."))
            return redirect("accounts:recovery_codes")
    return render(
        request,
        "accounts/second_factor.html",
        {
            "active": second_factor.has_totp(request.user),
            "setup": setup,
            "setup_form": form,
            "remove_form": SecondFactorCodeForm(prefix="remove"),
            "qr": qr_svg(setup.config_url, title=_("QR code for your authenticator app")),
            "secret": _b32_secret(setup),
            "required": second_factor.requiring_organisations(request.user).exists(),
            "has_factor": second_factor.has_second_factor(request.user),
            "passkeys": list(second_factor.passkeys(request.user)),
        },
        status=400,
    )


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (POST) and the page that shows them, once: reloading shows none."""
    if request.method == "POST":
        if not second_factor.has_second_factor(request.user):
            return redirect("accounts:second_factor")
        codes = second_factor.recovery_codes_create(user=request.user)
        request.session[RECOVERY_CODES_SESSION_KEY] = codes
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return render(request, "accounts/recovery_codes.html", {"codes": codes or []})


# --- an organisation's coordinators -------------------------------------------------------


def _coordinated_organisation_or_404(user, organisation_pk: int):
    return get_object_or_404(ownership.coordinated_organisations(user), pk=organisation_pk)


@login_required
def organisation_second_factor(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """The organisation's requirement, and its coordinators with whether each has a factor."""
    organisation = _coordinated_organisation_or_404(request.user, organisation_pk)
    form = SecondFactorRequireForm(
        request.POST or None,
        initial={"require_second_factor": organisation.require_second_factor},
    )
    if request.method == "POST" and form.is_valid():
        second_factor.organisation_second_factor_require(
            actor=request.user,
            organisation=organisation,
            required=form.cleaned_data["require_second_factor"],
        )
        messages.success(request, _("Saved."))
        return redirect("accounts:organisation_second_factor", organisation_pk=organisation.pk)
    colleagues = (
        User.objects.filter(organisation_roles__organisation=organisation)
        .order_by("last_name", "first_name", "email")
        .distinct()
    )
    with_factor = second_factor.users_with_second_factor(colleagues)
    rows = [(colleague, colleague.pk in with_factor) for colleague in colleagues]
    return render(
        request,
        "accounts/organisation_second_factor.html",
        {"organisation": organisation, "form": form, "rows": rows},
    )


@login_required
@require_POST
def second_factor_reset(
    request: HttpRequest, organisation_pk: int, colleague_pk: int
) -> HttpResponse:
    organisation = _coordinated_organisation_or_404(request.user, organisation_pk)
    colleague = get_object_or_404(
        User.objects.filter(organisation_roles__organisation=organisation).distinct(),
        pk=colleague_pk,
    )
    try:
        second_factor.second_factor_reset(
            actor=request.user, organisation=organisation, colleague=colleague
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Second factor reset: %(name)s. They were told by e-mail.") % {"name": colleague},
        )
    return redirect("accounts:organisation_second_factor", organisation_pk=organisation.pk)
