"""Erasure of a person (GDPR art. 17) with what must be kept.

A person (or a keeper of their employer, on their behalf) asks; a keeper of the employer
(`ownership.keeps`) approves, refuses with a reason, or carries the erasure out. Erasing
pseudonymises the person in one transaction: the name becomes a stable pseudonym ("Asmuo
7F3K9Q2M"), the contact data go, the login is deleted (its address is free again). What the
funder's report and a valid certificate need stays: enrolments with their employer snapshot,
attendance, hours and certificates (their frozen holder's name blanked, the certificate marked
so that verification says the name is withheld at the holder's request).

The retention rules (`people.retention`) erase the same way, without a request.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalis import ownership
from kvalis.audit.models import AuditEntry
from kvalis.audit.services import audit_log
from kvalis.certificates.models import HOLDER_WITHHELD_KEY
from kvalis.lib import public_cache
from kvalis.outbox.services import outbox_purge_unsent
from kvalis.people.models import (
    OPEN_ERASURE_STATUSES,
    ErasureRequest,
    ErasureStatus,
    Person,
)

REQUEST_ACTION = "erasure.request"
APPROVE_ACTION = "erasure.approve"
REFUSE_ACTION = "erasure.refuse"
ERASE_ACTION = "person.erase"

PSEUDONYM_FIRST_NAME = "Asmuo"
# Crockford's base32 without the letters easily misread (I, L, O, U).
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# Enrolments that still run: the person is expected in a cohort that has not ended.
OPEN_ENROLMENT_STATUSES = ("applied", "confirmed", "waiting")


def pseudonym_code(person: Person) -> str:
    """Eight characters derived from the person's id and the site's secret: the same person
    always gets the same code, and the code does not reveal the id."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"kvalis.person.{person.pk}".encode(), hashlib.sha256
    ).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _i in range(8):
        number, index = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[index])
    # A name needs a letter (`validate_visible_name`): start with one.
    chars[0] = _ALPHABET[10 + int.from_bytes(digest[8:9], "big") % (len(_ALPHABET) - 10)]
    return "".join(chars)


def open_enrolments(person: Person, *, today=None) -> QuerySet:
    """The person's enrolments in cohorts that have not ended (what blocks an erasure)."""
    from kvalis.enrolment.models import Enrolment

    today = today or timezone.localdate()
    return (
        Enrolment.objects.filter(
            person=person,
            status__in=OPEN_ENROLMENT_STATUSES,
            cohort__end_date__gte=today,
        )
        .select_related("cohort__activity")
        .order_by("cohort__start_date", "pk")
    )


def requests_for_user(user) -> QuerySet[ErasureRequest]:
    """The erasure requests a user reviews: those of people whose employer they keep."""
    if user is None or not user.is_authenticated:
        return ErasureRequest.objects.none()
    requests = ErasureRequest.objects.select_related("person__organisation")
    if user.is_superuser:
        return requests
    return requests.filter(person__organisation__in=ownership.kept_organisations(user))


def may_request_for(user, person: Person) -> bool:
    """The person themself, or a keeper of their employer on their behalf."""
    if user is None or not user.is_authenticated or person.erased_at is not None:
        return False
    if person.user_id is not None and person.user_id == user.pk:
        return True
    return ownership.keeps(user, person.organisation)


@transaction.atomic
def erasure_request_create(*, actor, person: Person, reason: str = "") -> ErasureRequest:
    if not may_request_for(actor, person):
        raise ValidationError(
            _("Only the person or their employer's coordinators ask to erase their data.")
        )
    # Lock the person so that two requests at once do not both pass the check below.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if person.erasure_requests.filter(status__in=OPEN_ERASURE_STATUSES).exists():
        raise ValidationError(
            _("A request to erase this person's data is already waiting for an answer.")
        )
    request = ErasureRequest(person=person, requested_by=actor, reason=reason.strip())
    request.full_clean()
    request.save()
    audit_log(
        actor=actor,
        action=REQUEST_ACTION,
        obj=request,
        organisation=person.organisation,
        summary=_("Erasure request no. %(number)s") % {"number": request.pk},
    )
    return request


def _check_reviewer(actor, request: ErasureRequest) -> None:
    if actor is None or not ownership.keeps(actor, request.person.organisation):
        raise ValidationError(_("Only the employer's coordinators answer an erasure request."))


def _check_open(request: ErasureRequest) -> None:
    if not request.is_open:
        raise ValidationError(_("This request has been answered already."))


@transaction.atomic
def erasure_request_approve(*, actor, request: ErasureRequest) -> ErasureRequest:
    """Approve without erasing yet (e.g. while an enrolment still runs)."""
    _check_reviewer(actor, request)
    if request.status != ErasureStatus.REQUESTED:
        raise ValidationError(_("This request has been answered already."))
    request.status = ErasureStatus.APPROVED
    request.reviewed_by = actor
    request.reviewed_at = timezone.now()
    request.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_log(
        actor=actor,
        action=APPROVE_ACTION,
        obj=request,
        organisation=request.person.organisation,
        summary=_("Erasure request no. %(number)s") % {"number": request.pk},
    )
    return request


@transaction.atomic
def erasure_request_refuse(*, actor, request: ErasureRequest, reason: str) -> ErasureRequest:
    _check_reviewer(actor, request)
    _check_open(request)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"refusal_reason": _("Write why the request is refused: the person will read it.")}
        )
    request.status = ErasureStatus.REFUSED
    request.refusal_reason = reason
    request.reviewed_by = actor
    request.reviewed_at = timezone.now()
    request.full_clean()
    request.save(update_fields=["status", "refusal_reason", "reviewed_by", "reviewed_at"])
    audit_log(
        actor=actor,
        action=REFUSE_ACTION,
        obj=request,
        organisation=request.person.organisation,
        summary=_("Erasure request no. %(number)s") % {"number": request.pk},
    )
    return request


@transaction.atomic
def erasure_request_carry_out(*, actor, request: ErasureRequest, today=None) -> ErasureRequest:
    """Erase the person of an open request (approving it if it was not yet)."""
    _check_reviewer(actor, request)
    _check_open(request)
    person_erase(actor=actor, person=request.person, erasure_request=request, today=today)
    request.refresh_from_db()
    return request


@transaction.atomic
def person_erase(
    *,
    actor,
    person: Person,
    erasure_request: ErasureRequest | None = None,
    today=None,
    retention: bool = False,
) -> Person:
    """Pseudonymise the person, keeping their training record. Refused while an enrolment of
    theirs runs (a cohort that has not ended): it must end or be cancelled first."""
    from kvalis.certificates.models import Certificate
    from kvalis.credentials.services import on_holder_withheld
    from kvalis.enrolment.models import CalendarToken, Enrolment, EnrolmentStatus
    from kvalis.visits.models import Traveller

    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.erased_at is not None:
        raise ValidationError(_("This person's data have been erased already."))
    running = list(open_enrolments(person, today=today))
    if running:
        cohorts = ", ".join(
            f"{e.cohort.activity.title} — {e.cohort.name} ({e.cohort.end_date.isoformat()})"
            for e in running
        )
        raise ValidationError(
            _(
                "This person is enrolled in a training that has not ended: %(cohorts)s. Erase "
                "their data after it ends, or cancel the enrolment first."
            )
            % {"cohorts": cohorts}
        )
    old_name = person.full_name
    addresses = [person.email]
    code = pseudonym_code(person)
    pseudonym = f"{PSEUDONYM_FIRST_NAME} {code}"
    login = person.user

    person.first_name = PSEUDONYM_FIRST_NAME
    person.last_name = code
    person.email = ""
    person.email_verified = False
    person.phone = ""
    person.position = ""
    person.user = None
    person.erased_at = timezone.now()
    person.full_clean()
    person.save()
    if login is not None:
        addresses.append(login.email)
        # Deleting the login frees its address; the audit log keeps "who" as empty.
        login.delete()
    # Mail not yet sent (a reminder, a confirmation) would still reach the erased address.
    outbox_purge_unsent(addresses=addresses)

    # Applications never confirmed hold nothing the report counts: they go.
    Enrolment.objects.filter(
        person=person, status=EnrolmentStatus.UNCONFIRMED, certificates=None
    ).delete()
    CalendarToken.objects.filter(person=person).delete()
    Traveller.objects.filter(person=person).update(travel_document_expiry=None)

    certificates = list(Certificate.objects.filter(person=person))
    for certificate in certificates:
        certificate.participant_name = ""
        certificate.data = {
            **(certificate.data or {}),
            "participant_name": "",
            HOLDER_WITHHELD_KEY: True,
        }
        # The stored PDF prints the name; it is rendered again (without it) when needed.
        if certificate.pdf:
            default_storage.delete(certificate.pdf.name)
            certificate.pdf = ""
        certificate.save(update_fields=["participant_name", "data", "pdf"])
    public_cache.changed(public_cache.CERTIFICATES)
    # The stored credentials carry a hash of the old e-mail (and maybe the name): signed again
    # now, in this transaction, so no download after the erasure can link them to the person.
    on_holder_withheld(certificates)

    _scrub_audit_summaries(person, old_name, pseudonym, certificates)

    if erasure_request is None:
        erasure_request = person.erasure_requests.filter(status__in=OPEN_ERASURE_STATUSES).first()
    if erasure_request is not None:
        now = timezone.now()
        erasure_request.status = ErasureStatus.DONE
        erasure_request.done_at = now
        if erasure_request.reviewed_at is None:
            erasure_request.reviewed_by = actor
            erasure_request.reviewed_at = now
        # Not a full save: the deleted login was set to NULL in the row, not in this object.
        erasure_request.save(update_fields=["status", "done_at", "reviewed_by", "reviewed_at"])

    audit_log(
        actor=actor,
        action=ERASE_ACTION,
        obj=person,
        organisation=person.organisation,
        summary=pseudonym,
        data={
            "request": erasure_request.pk if erasure_request is not None else None,
            "retention": retention,
            "certificates": len(certificates),
        },
    )
    return person


def _scrub_audit_summaries(person, old_name: str, pseudonym: str, certificates) -> None:
    """The audit log's summaries about the person (their record, enrolments, certificates)
    named them: the pseudonym stands there now."""
    if not old_name:
        return
    about = [("people.person", [person.pk])]
    about.append(("enrolment.enrolment", list(person.enrolments.values_list("pk", flat=True))))
    about.append(("certificates.certificate", [c.pk for c in certificates]))
    for object_type, ids in about:
        if not ids:
            continue
        entries = AuditEntry.objects.filter(
            object_type=object_type,
            object_id__in=[str(i) for i in ids],
            summary__contains=old_name,
        )
        for entry in entries:
            entry.summary = entry.summary.replace(old_name, pseudonym)[:500]
            entry.save(update_fields=["summary"])
