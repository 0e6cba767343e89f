from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kvalis.accounts.models import User
from kvalis.lib import throttle

# Failed sign-ins allowed per address and e-mail before a pause.
SIGN_IN_LIMIT = 10
SIGN_IN_WINDOW = 15 * 60


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        who = f"{throttle.client_ip(self.request)}|{self.data.get('username', '').lower()}"
        if throttle.is_blocked("sign-in", who, limit=SIGN_IN_LIMIT):
            raise ValidationError(throttle.TOO_MANY, code="throttled")
        try:
            return super().clean()
        except ValidationError:
            throttle.record("sign-in", who, window=SIGN_IN_WINDOW)
            raise


class InvitedPasswordResetForm(PasswordResetForm):
    """Django's reset form, which also reaches logins that have no password yet.

    Kvalis creates logins without a usable password for invited members and enrolled people,
    who choose one through a link in their e-mail; one who lost that e-mail gets a new link here.
    Django's own form skips such logins (it treats them as managed elsewhere), which they are not.
    """

    def get_users(self, email: str):
        return User.objects.filter(email__iexact=email.strip(), is_active=True)
