from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from kvalis.accounts import passkey_views, second_factor_views, views
from kvalis.accounts.forms import InvitedPasswordResetForm

app_name = "accounts"

# Included at the root: signing in under /accounts/, the signed-in user's own page under /account/.
urlpatterns = [
    # The password, then (for a login with a second factor) the code: second_factor_views.
    path("accounts/login/", second_factor_views.SignInView.as_view(), name="login"),
    path("accounts/login/code/", second_factor_views.login_verify, name="login_verify"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=InvitedPasswordResetForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            html_email_template_name="registration/password_reset_email.html",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", views.account, name="account"),
    path("account/email/", views.email_change, name="email_change"),
    path("account/email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path("account/second-factor/", second_factor_views.second_factor_page, name="second_factor"),
    path(
        "account/second-factor/confirm/",
        second_factor_views.second_factor_confirm,
        name="second_factor_confirm",
    ),
    path(
        "account/second-factor/recovery-codes/",
        second_factor_views.recovery_codes,
        name="recovery_codes",
    ),
    path(
        "account/passkeys/<int:passkey_pk>/remove/",
        passkey_views.passkey_remove,
        name="passkey_remove",
    ),
    path(
        "account/organisations/<int:organisation_pk>/second-factor/",
        second_factor_views.organisation_second_factor,
        name="organisation_second_factor",
    ),
    path(
        "account/organisations/<int:organisation_pk>/second-factor/<int:colleague_pk>/reset/",
        second_factor_views.second_factor_reset,
        name="second_factor_reset",
    ),
]
