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


def notify(enrolment: Enrolment, kind: str, *, language: str | None = None, **extra) -> None:
    assert kind in KINDS, kind
    person = enrolment.person
    if not person.email:
        return
    context = {**enrolment_context(enrolment), **extra}
    queue_mail(
        to=person.email,
        template=f"enrolment/emails/{kind}",
        context=context,
        language=language or language_of(person),
    )
