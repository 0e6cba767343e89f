"""django-otp-webauthn's JSON endpoints, under its own namespace (its template tags reverse
`otp_webauthn:…`), with Kvalis's views: `kvalis.accounts.passkey_views`."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from kvalis.accounts import passkey_views

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        passkey_views.PasskeyRegistrationBegin.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        passkey_views.PasskeyRegistrationComplete.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        passkey_views.PasskeySignInBegin.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        passkey_views.PasskeySignInComplete.as_view(),
        name="credential-authentication-complete",
    ),
    # The script's own status messages.
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
