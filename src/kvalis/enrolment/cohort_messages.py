"""Messages to a cohort: one e-mail a coordinator (or a trainer of the cohort) writes to its
confirmed participants or to its waiting list.

The request only records the message (`cohort_message_send`) and queues a task. The task
(`cohort_message_deliver`) writes one outbox row per person and marks the message sent in one
transaction: if it dies halfway, nothing was queued and running it again sends everyone one
copy; once it has committed, running it again finds the message sent and does nothing. The
outbox then sends each row at least once and never twice while workers live, as for every
e-mail of Kvalis. A task that never ran is made up for by `kvalis deliver_cohort_messages`.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalis.audit.services import audit_log
from kvalis.enrolment.models import CohortMessage, Enrolment, EnrolmentStatus, MessageAudience
from kvalis.enrolment.notifications import language_of, recipient
from kvalis.lib.mail import queue_mail
from kvalis.people.models import Person
from kvalis.projects.models import Cohort

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20_000

# Whose enrolment status puts them in each audience.
AUDIENCE_STATUS = {
    MessageAudience.CONFIRMED: EnrolmentStatus.CONFIRMED,
    MessageAudience.WAITING: EnrolmentStatus.WAITING,
}


@dataclass(frozen=True)
class AudienceSize:
    """How many people an audience holds, and how many of them have no address to write to."""

    audience: str
    label: str
    people: int
    without_address: int

    @property
    def reachable(self) -> int:
        return self.people - self.without_address


def audience_people(cohort: Cohort, audience: str) -> QuerySet[Person]:
    status = AUDIENCE_STATUS[MessageAudience(audience)]
    enrolled = Enrolment.objects.filter(cohort=cohort, status=status).values("person")
    return Person.objects.filter(pk__in=enrolled).select_related("user").order_by("pk")


def audience_sizes(cohort: Cohort) -> list[AudienceSize]:
    """The recipients' preview: people per audience, and those without an address."""
    sizes = []
    for audience in MessageAudience:
        people = list(audience_people(cohort, audience))
        sizes.append(
            AudienceSize(
                audience=audience.value,
                label=str(audience.label),
                people=len(people),
                without_address=sum(1 for person in people if not recipient(person)),
            )
        )
    return sizes


def cohort_messages(cohort: Cohort) -> QuerySet[CohortMessage]:
    return CohortMessage.objects.filter(cohort=cohort).select_related("author")


def _validate(*, audience: str, subject: str, body: str) -> None:
    errors: dict[str, list[str]] = {}
    if audience not in MessageAudience.values:
        errors["audience"] = [_("Choose who gets the message.")]
    if not subject:
        errors["subject"] = [_("Write the subject of the message.")]
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = [
            _("Keep the subject within %(n)s characters.") % {"n": SUBJECT_MAX_LENGTH}
        ]
    if not body:
        errors["body"] = [_("Write the message: an empty e-mail is not sent.")]
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = [_("Keep the message within %(n)s characters.") % {"n": BODY_MAX_LENGTH}]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cohort_message_send(
    *, actor, cohort: Cohort, audience: str, subject: str, body: str, token
) -> tuple[CohortMessage, bool]:
    """Record the message and queue its delivery: (the message, whether it is new).

    `token` comes from the form: the same form submitted twice (a double click, a reload)
    finds the message of the first submit and queues nothing more.
    """
    existing = CohortMessage.objects.filter(token=token).first()
    if existing is not None:
        if existing.cohort_id != cohort.pk:
            raise ValidationError(_("This form was already used. Write the message again."))
        return existing, False
    subject = " ".join(subject.split())
    body = body.strip()
    _validate(audience=audience, subject=subject, body=body)
    if not audience_people(cohort, audience).exists():
        if audience == MessageAudience.WAITING:
            nobody = _("The cohort's waiting list is empty: there is nobody to write to.")
        else:
            nobody = _("The cohort has no confirmed participants yet: there is nobody to write to.")
        raise ValidationError({"audience": [nobody]})
    message = CohortMessage(
        cohort=cohort,
        author=actor if getattr(actor, "is_authenticated", False) else None,
        audience=audience,
        subject=subject,
        body=body,
        token=token,
    )
    message.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # The other submit of the same form got there first, in another request.
        return CohortMessage.objects.get(token=token), False
    audit_log(
        actor=actor,
        action="cohort_message.send",
        obj=message,
        project=cohort.activity.project,
        summary=subject,
        data={"cohort": cohort.pk, "audience": audience},
    )
    from kvalis.enrolment.tasks import deliver_cohort_message

    transaction.on_commit(lambda: deliver_cohort_message.enqueue(message_id=message.pk))
    return message, True


@transaction.atomic
def cohort_message_deliver(*, message_id: int) -> int:
    """Queue the message to each person of its audience, in their language: how many now.

    The row is locked, so two runs of the task deliver it once between them.
    """
    message = (
        CohortMessage.objects.select_for_update(of=("self",))
        .select_related("cohort__activity__project", "author")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.sent_at is not None:
        return 0
    cohort = message.cohort
    project = cohort.activity.project
    author = message.author
    context = {
        "subject": message.subject,
        "body": message.body,
        "author": (author.get_full_name() or author.email) if author else "",
        "author_email": author.email if author else "",
        "project": project.title,
        "activity": cohort.activity.title,
        "cohort": cohort.name,
        "audience": message.audience,
        "my_url": settings.SITE_URL + reverse("enrolment:my_trainings"),
    }
    sent = without_address = 0
    for person in audience_people(cohort, message.audience):
        to = recipient(person)
        if not to:
            without_address += 1
            continue
        queue_mail(
            to=to,
            template="enrolment/emails/cohort_message",
            # The greeting: "Sveiki, Vytautai,"
            context={**context, "first_name": person.first_name},
            language=language_of(person),
        )
        sent += 1
    message.sent_at = timezone.now()
    message.recipient_count = sent
    message.without_address_count = without_address
    message.save(update_fields=["sent_at", "recipient_count", "without_address_count"])
    audit_log(
        actor=None,
        action="cohort_message.deliver",
        obj=message,
        project=project,
        summary=message.subject,
        data={"recipients": sent, "without_address": without_address},
    )
    return sent


def cohort_messages_deliver_pending() -> int:
    """Deliver every message whose task never ran (a lost queue): how many messages."""
    pending = CohortMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
    delivered = 0
    for message_id in list(pending):
        cohort_message_deliver(message_id=message_id)
        delivered += 1
    return delivered
