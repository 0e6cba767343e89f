"""The link that confirms a new e-mail address for a login.

A signed, timestamped token (not stored anywhere) carrying the login's pk, its address when the
change was asked for and the new address. It expires after `PASSWORD_RESET_TIMEOUT`, like a
set-password link, and stops working once the login's address is no longer the old one: a link
confirms one change, once.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kvalis.accounts.models import User

# A salt of its own, so that no other signed value of the site can pass for this link.
EMAIL_CHANGE_SALT = "kvalis.accounts.email_change"


class NotYourLink(Exception):
    """The link was issued to another login than the one signed in (the view answers 404)."""


def email_change_token(*, user: User, new_email: str) -> str:
    return signing.dumps(
        {"user": user.pk, "old": user.email, "new": new_email}, salt=EMAIL_CHANGE_SALT
    )


def email_change_token_check(*, user: User, token: str) -> str:
    """The new address `token` confirms for `user`.

    Raises `NotYourLink` for a link of another login, `ValidationError` for a link that is
    forged, expired or already used (the login's address is no longer the one it was sent for).
    """
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.SignatureExpired:
        raise ValidationError(
            _("This link has expired. Ask for a new one on your account page."), code="expired"
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            _("This link is not valid. Copy the whole link from the e-mail, or ask for a new one."),
            code="invalid",
        ) from None
    # A payload of another shape (a later version of this link) fails as invalid, not as a 500.
    if not isinstance(data, dict) or not {"user", "old", "new"} <= data.keys():
        raise ValidationError(_("This link is not valid."), code="invalid")
    if data["user"] != user.pk:
        raise NotYourLink
    if data["old"].lower() != user.email.lower():
        raise ValidationError(
            _("This link was already used or your address has changed since it was sent."),
            code="stale",
        )
    return data["new"]
