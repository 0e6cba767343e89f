"""Writes of logins: invitations and the link to choose a password."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from kvalis.accounts.models import User
from kvalis.audit.services import audit_log


def user_get_or_invite(
    *, email: str, first_name: str = "", last_name: str = "", language: str = "lt"
) -> tuple[User, bool]:
    """The login for `email`; a new one has no usable password until its owner chooses one."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User(email=email, first_name=first_name, last_name=last_name, language=language)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_log(actor=None, action="user.invite", obj=user, summary=email)
    return user, True


def set_password_url(user: User) -> str:
    """An absolute link where `user` chooses a password (Django's password-reset token).

    The token stops working once a password is set or the user signs in, like a reset link.
    """
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL + path
