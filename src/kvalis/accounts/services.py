"""Writes of logins: invitations, the link to choose a password, the holder's own details and
the change of the e-mail address (the login's identity), confirmed at the new address."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from kvalis.accounts import tokens
from kvalis.accounts.models import User
from kvalis.audit.services import audit_log
from kvalis.lib.mail import queue_mail
from kvalis.people.models import Person

# Says neither whether another login has the address nor whose it is: telling more would let
# anyone signed in probe which addresses have an account.
ADDRESS_UNAVAILABLE = _("This address cannot be used. Enter another one.")


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


def user_update(*, user: User, first_name: str, last_name: str, language: str) -> User:
    """The holder's own details; the e-mail address changes only through `user_email_change`."""
    # The field has no choices (a language added later needs no migration): checked here.
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    user.first_name = " ".join(first_name.split())
    user.last_name = " ".join(last_name.split())
    user.language = language
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "language"])
    audit_log(actor=user, action="user.update", obj=user)
    return user


def user_language_set(*, user: User, language: str) -> User:
    """The language the user picked in the switcher: their pages after every sign-in, their
    e-mails and their PDFs."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
        audit_log(actor=user, action="user.language_set", obj=user, data={"language": language})
    return user


def _person_of(user: User) -> Person | None:
    return Person.objects.filter(user=user).first()


def _check_email_available(*, user: User, email: str) -> None:
    """Refuse an address of another login or of another person: the address is an identity, and
    taking a person's address would make their records and links reach this login."""
    if email.lower() == user.email.lower():
        raise ValidationError({"new_email": _("This is already your address.")})
    person = _person_of(user)
    other_people = Person.objects.filter(email__iexact=email)
    if person is not None:
        other_people = other_people.exclude(pk=person.pk)
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists() or (
        other_people.exists()
    ):
        raise ValidationError({"new_email": ADDRESS_UNAVAILABLE})


def user_email_change_request(*, user: User, new_email: str) -> None:
    """Send a confirmation link to `new_email` and a notice to the current address.

    Nothing changes until the holder opens the link while signed in (`user_email_change`); the
    notice lets the holder notice a request they did not make (someone at their open session).
    """
    new_email = new_email.strip().lower()
    _check_email_available(user=user, email=new_email)
    token = tokens.email_change_token(user=user, new_email=new_email)
    confirm_url = settings.SITE_URL + reverse("accounts:email_confirm", kwargs={"token": token})
    account_url = settings.SITE_URL + reverse("accounts:account")
    context = {
        "name": user.get_full_name(),
        "first_name": user.first_name,  # the greeting: "Sveiki, Vytautai,"
        "old_email": user.email,
        "new_email": new_email,
        "confirm_url": confirm_url,
        "account_url": account_url,
        "password_reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
    }
    queue_mail(
        to=new_email,
        template="accounts/emails/email_change_confirm",
        context=context,
        language=user.language,
    )
    queue_mail(
        to=user.email,
        template="accounts/emails/email_change_notice",
        context=context,
        language=user.language,
    )
    audit_log(
        actor=user,
        action="user.email_change_request",
        obj=user,
        data={"old": user.email, "new": new_email},
    )


@transaction.atomic
def user_email_change(*, user: User, new_email: str) -> User:
    """Make `new_email` the login's address, and its person's, once confirmed at that address.

    The session stays valid: Django's session hash is made from the password, not the address.
    Outstanding set-password links stop working, as their token is made from the address.
    """
    new_email = new_email.strip().lower()
    # Checked again: the address may have been taken since the link was sent.
    _check_email_available(user=user, email=new_email)
    old_email = user.email
    user.email = new_email
    user.full_clean()
    user.save(update_fields=["email"])
    person = _person_of(user)
    if person is not None:
        person.email = new_email
        person.email_verified = True  # the holder has just proved it
        person.full_clean()
        person.save(update_fields=["email", "email_verified", "updated_at"])
    audit_log(
        actor=user,
        action="user.email_change",
        obj=user,
        data={"old": old_email, "new": new_email},
    )
    return user
