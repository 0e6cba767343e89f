from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from kvalis.accounts import tasks, throttles
from kvalis.accounts.models import User
from kvalis.lib import throttle

# Failed sign-ins are limited by django-axes (kvalis.accounts.throttles); the limit per address and
# e-mail is named here too, as it always was.
SIGN_IN_LIMIT = throttles.SIGN_IN_LIMIT
SIGN_IN_WINDOW = 15 * 60
# Wrong current passwords allowed per login on the address-change form: a session left open on
# a shared computer must not become a way to guess the password.
PASSWORD_CHECK_LIMIT = 5


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by e-mail, typed in any case and with stray spaces.

    Failures are counted, and a paused client or account refused, by axes' backend inside
    `authenticate()`, under the same normalised address (throttles.attempted_email).
    """

    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    # Django's message puts the field's name into the sentence in the nominative
    # ("Įveskite teisingą el. pašto adresas"): this one says it whole, in the right case.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct e-mail address and password. Note that the password is "
            "case-sensitive."
        ),
    }

    def clean_username(self) -> str:
        return throttles.normalise_email(self.cleaned_data["username"])


class InvitedPasswordResetForm(PasswordResetForm):
    """Django's reset form, which also reaches logins that have no password yet.

    Kvalis creates logins without a usable password for invited members and enrolled people,
    who choose one through a link in their e-mail; one who lost that e-mail gets a new link here.
    Django's own form skips such logins (it treats them as managed elsewhere), which they are not.
    """

    def get_users(self, email: str):
        return User.objects.filter(email__iexact=email.strip(), is_active=True)

    def save(
        self,
        *,
        request: HttpRequest,
        domain_override: str | None = None,
        use_https: bool = False,
        subject_template_name: str = "registration/password_reset_subject.txt",
        email_template_name: str = "registration/password_reset_email.txt",
        html_email_template_name: str | None = None,
        **unused,
    ) -> None:
        """Queue the mail for whatever address was typed, known or not, within the hourly limits
        (silently: the page says the same either way). Looking the address up and writing the
        mail happen in the task, so this request does the same work for every address."""
        email = self.cleaned_data["email"]
        if not throttles.password_reset_allowed(request=request, email=email):
            return
        # Not on commit: this request writes nothing that the task reads.
        tasks.password_reset_send.enqueue(
            email=throttles.normalise_email(email),
            domain=domain_override or get_current_site(request).domain,
            use_https=use_https,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            templates={
                "subject_template_name": subject_template_name,
                "email_template_name": email_template_name,
                "html_email_template_name": html_email_template_name,
            },
        )

    def send(self, *, domain: str, use_https: bool, **templates: str | None) -> None:
        """Mail each login found (in the task): Django's own reset mail, link and token."""
        super().save(domain_override=domain, use_https=use_https, **templates)


def _languages():
    # Read when the form is built, not at import time.
    return settings.LANGUAGES


class AccountForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language of e-mails"),
        choices=_languages,
        help_text=_("E-mails to you are written in this language."),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "language"]


class EmailChangeForm(forms.Form):
    """The new address, and the current password to prove the holder is at the keyboard.

    A login without a usable password (invited, not chosen yet) has nothing to type; today no
    page signs such a login in, but one signed in another way must not be locked out.
    """

    new_email = forms.EmailField(
        label=_("New e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_new_email(self) -> str:
        return self.cleaned_data["new_email"].strip().lower()

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        who = str(self.user.pk)
        if throttle.is_blocked("password-check", who, limit=PASSWORD_CHECK_LIMIT):
            raise ValidationError(throttle.TOO_MANY, code="throttled")
        if not self.user.check_password(password):
            throttle.record("password-check", who, window=SIGN_IN_WINDOW)
            raise ValidationError(_("The password is not correct."), code="password_incorrect")
        return password


class SecondFactorCodeForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes (checked by the view's
    service, which counts a wrong one)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows now, or a recovery code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class SecondFactorRequireForm(forms.Form):
    require_second_factor = forms.BooleanField(
        label=_("Coordinators must use a second factor"),
        required=False,
        help_text=_(
            "From their next sign-in, a coordinator without an authenticator app is asked to set "
            "one up before using Kvalis."
        ),
    )
