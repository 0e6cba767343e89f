"""The Django admin, behind the second factor too: a staff login with a TOTP app uses /admin/
only from a session that passed the code (django-otp's `is_verified()`), and the admin's own
sign-in page hands such a login on to the code step instead of signing it in."""

from django.contrib import admin
from django.contrib.auth import BACKEND_SESSION_KEY, logout
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from kvalis.accounts import second_factor


def _verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and (
            _verified(request) or not second_factor.has_second_factor(request.user)
        )

    def login(self, request: HttpRequest, extra_context=None):
        response = super().login(request, extra_context)
        user = request.user
        if (
            request.method == "POST"
            and user.is_authenticated
            and not _verified(request)
            and second_factor.has_second_factor(user)
        ):
            # The password was right: undo the sign-in and ask for the code, as our page does.
            user.backend = request.session[BACKEND_SESSION_KEY]
            logout(request)
            second_factor.pending_start(request=request, user=user)
            next_url = request.POST.get("next") or reverse("admin:index")
            return redirect(reverse("accounts:login_verify") + "?" + urlencode({"next": next_url}))
        return response
