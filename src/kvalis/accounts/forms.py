from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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
