"""E-mails of the enrolment app: a triplet per kind, in the recipient's language, after commit."""

from django.conf import settings
from django.urls import reverse
from django.utils.timezone import localtime

from kvalis.enrolment.models import Enrolment
from kvalis.lib.mail import queue_mail

KINDS = (
    "please_confirm",
    "confirmed",
    "waiting",
    "promoted",
    "reminder",
    "cancelled",
    "applied",
    "rejected",
    "already_applied",
)


def language_of(person) -> str:
    user = person.user
    if user is not None and user.language:
        return user.language
    return settings.LANGUAGE_CODE


def enrolment_context(enrolment: Enrolment) -> dict:
    cohort = enrolment.cohort
    activity = cohort.activity
    sessions = [
        {
            "starts": localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
            "ends": localtime(session.ends_at).strftime("%H:%M"),
            "title": session.title,
        }
        for session in cohort.sessions.all()
    ]
    return {
        "name": enrolment.person.full_name,
        "first_name": enrolment.person.first_name,  # the greeting: "Sveiki, Vytautai,"
        "activity": activity.title,
        "cohort": cohort.name,
        "project": activity.project.title,
        "start_date": cohort.start_date.isoformat(),
        "end_date": cohort.end_date.isoformat(),
        "venue": str(cohort.venue or ""),
        "waiting_position": enrolment.waiting_position,
        "sessions": sessions,
        "my_url": settings.SITE_URL + reverse("enrolment:my_trainings"),
        "ics_url": settings.SITE_URL
        + reverse("enrolment:cohort_ics", kwargs={"cohort_public_id": cohort.public_id}),
    }


def recipient(person) -> str:
    """Where a person's mail goes: the login's address when they have a login, else the
    record's.

    The login's address is the identity (only its holder changes it, confirmed at the new
    address), while a person's record may be edited by others: a set-password link sent to the
    record's address could hand the login to whoever typed it there.
    """
    user = person.user
    if user is not None:
        return user.email
    return person.email


def notify(enrolment: Enrolment, kind: str, *, language: str | None = None, **extra) -> None:
    """Queue the e-mail `kind` to the enrolment's person (see `recipient`).

    A `set_password_url` in `extra` is made for the person's login, so it goes to that login's
    own address and nowhere else.
    """
    assert kind in KINDS, kind
    person = enrolment.person
    to = recipient(person)
    if not to:
        return
    if "set_password_url" in extra and person.user is None:
        raise ValueError("A set-password link is sent only to a login's own address.")
    context = {**enrolment_context(enrolment), **extra}
    queue_mail(
        to=to,
        template=f"enrolment/emails/{kind}",
        context=context,
        language=language or language_of(person),
    )
