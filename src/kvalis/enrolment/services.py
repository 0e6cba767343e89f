"""Every write of the enrolment app: applications, seats and waiting lists, quotas, approvals,
moves and cancellations. Seats are taken under a row lock on the cohort, so two applications
for the last seat cannot both win it (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the IMMEDIATE
transaction mode in settings serialises writers).
"""

import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kvalis.accounts.models import User
from kvalis.accounts.services import set_password_url, user_get_or_invite
from kvalis.audit.services import audit_log
from kvalis.certificates.models import Certificate, CertificateStatus
from kvalis.enrolment import notifications
from kvalis.enrolment.models import (
    CalendarToken,
    CohortRegistration,
    Enrolment,
    EnrolmentConfirmation,
    EnrolmentNote,
    EnrolmentStatus,
    Quota,
    Reminder,
)
from kvalis.enrolment.rules import ineligibility_reasons
from kvalis.enrolment.selectors import (
    cohort_has_ended,
    cohort_seats,
    quota_used,
    registration_of,
)
from kvalis.lib import public_cache
from kvalis.lib.grammar import agree
from kvalis.lib.text import validate_visible_name
from kvalis.organisations.models import Organisation
from kvalis.people import rules
from kvalis.people.models import Person
from kvalis.people.rules import person_key
from kvalis.privacy.services import consent_record_application
from kvalis.projects.models import Cohort, Partner, PartnerStatus

# The concurrency test switches this off once, to show that it would catch an oversell.
LOCK_SEATS = True

ACTIVE = (
    EnrolmentStatus.UNCONFIRMED,
    EnrolmentStatus.APPLIED,
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.WAITING,
)
# What stops a nomination or an import: an application nobody confirmed does not (see
# _existing_or_new).
HELD = tuple(status for status in ACTIVE if status != EnrolmentStatus.UNCONFIRMED)


def _between_count_and_write() -> None:
    """Nothing; the concurrency test widens the race window here."""


def _lock_cohort(cohort_id: int) -> Cohort:
    # Whoever locks a cohort is about to change its seats, which the public pages show.
    public_cache.changed(public_cache.CATALOGUE)
    queryset = Cohort.objects.select_related("activity__project")
    if LOCK_SEATS:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.get(pk=cohort_id)


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _moment(today: date | None) -> datetime:
    """Now; or the start of `today` when the caller works "as of" another day (the demo)."""
    if today is None or today == timezone.localdate():
        return timezone.now()
    return datetime.combine(today, time.min, tzinfo=timezone.get_current_timezone())


def _has_ended(cohort: Cohort, today: date | None) -> bool:
    return cohort_has_ended(cohort, now=_moment(today))


def _refuse_if_certified(enrolment: Enrolment) -> None:
    """A valid certificate says the person took part: revoking it is its own act, with its own
    reason, in the certificates app; it is never done as a side effect of a cancellation."""
    if Certificate.objects.filter(enrolment=enrolment, status=CertificateStatus.VALID).exists():
        raise ValidationError(
            _(
                "%(name)s holds a valid certificate of this cohort: revoke it first on the "
                "certificate's page."
            )
            % {"name": enrolment.person.full_name},
            code="certified",
        )


def _next_waiting_position(cohort: Cohort) -> int:
    top = Enrolment.objects.filter(cohort=cohort).aggregate(top=Max("waiting_position"))["top"]
    return (top or 0) + 1


def _renumber_waiting(cohort: Cohort) -> None:
    """Close the gaps: 1, 2, 3, ... in the order people joined the list."""
    waiting = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.WAITING).order_by(
        "waiting_position", "id"
    )
    for number, enrolment in enumerate(waiting, start=1):
        if enrolment.waiting_position != number:
            enrolment.waiting_position = number
            enrolment.save(update_fields=["waiting_position", "updated_at"])


# An enrolment's foreign keys, which the services set from instances they hold.
_ROW_FIELDS = ["person", "cohort", "organisation", "partner", "enrolled_by"]


def _place(enrolment: Enrolment, cohort: Cohort, *, today: date) -> None:
    """Give the enrolment a seat if one is free for it, else the next place on the waiting list.

    The caller holds the cohort lock.
    """
    seats = cohort_seats(cohort, today=today)
    _between_count_and_write()
    if seats.free_for(enrolment.partner_id) > 0:
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.waiting_position = None
    else:
        enrolment.status = EnrolmentStatus.WAITING
        enrolment.waiting_position = _next_waiting_position(cohort)
    # Under the cohort's lock: the rows it points to are the callers' own instances, not asked
    # for again (a query each, while every other applicant to the cohort waits).
    enrolment.full_clean(exclude=_ROW_FIELDS, validate_unique=False, validate_constraints=False)
    enrolment.save()


def _notify_placed(enrolment: Enrolment) -> None:
    if enrolment.status == EnrolmentStatus.CONFIRMED:
        notifications.notify(enrolment, "confirmed", **_set_password_context(enrolment.person))
    elif enrolment.status == EnrolmentStatus.WAITING:
        notifications.notify(enrolment, "waiting")


def _set_password_context(person: Person) -> dict:
    """A link to choose a password for someone who has never signed in.

    People nominated by a coordinator or imported from a staff list get their login here, when
    their first seat is confirmed: the e-mail points to "My trainings", which needs one. The
    link goes only into `notifications.notify`, which sends to the login's own address, never
    to the person record's (which others may have changed).
    """
    user = person.user
    if user is None and person.email:
        user = _ensure_login(person, language=settings.LANGUAGE_CODE)
    if user is None or user.last_login is not None:
        return {}
    return {"set_password_url": set_password_url(user)}


def cohort_promote_waiting(
    *, cohort: Cohort, actor=None, today: date | None = None, notify: bool = True
) -> list:
    """Move people from the waiting list into free seats, in list order, and tell them.

    A waiting nominee of a partner may take the partner's reserved seat; anyone may take a
    general seat. Nobody is promoted into a cohort that has ended: there is no seat left to
    take in what is over. The caller holds the cohort lock.
    """
    today = _today(today)
    promoted = []
    if _has_ended(cohort, today):
        return promoted
    seats = cohort_seats(cohort, today=today)
    if seats.free == 0:
        return promoted
    waiting = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.WAITING).order_by(
        "waiting_position", "id"
    )
    for enrolment in waiting.select_related("person__user", "cohort__activity__project"):
        if seats.free_for(enrolment.partner_id) <= 0:
            continue
        seats.take(enrolment.partner_id)
        enrolment.status = EnrolmentStatus.CONFIRMED
        enrolment.waiting_position = None
        enrolment.save(update_fields=["status", "waiting_position", "updated_at"])
        audit_log(
            actor=actor,
            action="enrolment.promote",
            obj=enrolment,
            project=cohort.activity.project,
        )
        if notify:
            notifications.notify(enrolment, "promoted", **_set_password_context(enrolment.person))
        promoted.append(enrolment)
        if seats.free == 0:
            break
    if promoted:
        _renumber_waiting(cohort)
    return promoted


def _snapshot(enrolment: Enrolment, person: Person) -> None:
    enrolment.organisation = person.organisation
    enrolment.organisation_name = person.organisation.name if person.organisation else ""
    enrolment.position = person.position
    enrolment.position_category = person.position_category


def _existing_or_new(
    person: Person, cohort: Cohort, *, take_over_unconfirmed: bool = False
) -> Enrolment:
    """A person has one enrolment per cohort: a cancelled or rejected one is reopened.

    With `take_over_unconfirmed` (a nomination), an application whose e-mail was never confirmed
    is taken over too: anyone can type someone's address into the public form, and that must
    not keep the person's employer from nominating them.
    """
    enrolment = Enrolment.objects.filter(person=person, cohort=cohort).first()
    if enrolment is None:
        return Enrolment(person=person, cohort=cohort)
    if enrolment.status in (HELD if take_over_unconfirmed else ACTIVE):
        already = _("%(name)s is already enrolled in this cohort (%(status)s).") % {
            "name": person.full_name,
            "status": enrolment.get_status_display(),
        }
        raise ValidationError(agree(already, person.full_name))
    return enrolment


def _check_eligible(cohort: Cohort, person: Person, override_reason: str) -> list[str]:
    reasons = ineligibility_reasons(
        cohort.activity,
        position_category=person.position_category,
        organisation=person.organisation,
    )
    if reasons and not override_reason.strip():
        raise ValidationError(reasons)
    return reasons


def _check_quota(cohort: Cohort, partner: Partner, extra: int = 1) -> None:
    quota = Quota.objects.filter(cohort=cohort, partner=partner).first()
    seats = quota.seats if quota else 0
    used = quota_used(cohort, partner.pk)
    if used + extra > seats:
        raise ValidationError(
            ngettext(
                "Over quota: %(organisation)s has %(seats)s seat in this cohort; taken: %(used)s.",
                "Over quota: %(organisation)s has %(seats)s seats in this cohort; taken: %(used)s.",
                seats,
            )
            % {"organisation": partner.organisation.name, "seats": seats, "used": used}
        )


def _record_override(enrolment: Enrolment, *, actor, reasons: list[str], reason: str) -> None:
    note, _created = EnrolmentNote.objects.update_or_create(
        enrolment=enrolment,
        defaults={"eligibility_override_reason": reason.strip(), "overridden_by": actor},
    )
    note.full_clean()
    audit_log(
        actor=actor,
        action="enrolment.override_eligibility",
        obj=enrolment,
        project=enrolment.cohort.activity.project,
        summary=reason.strip(),
        data={"reasons": [str(r) for r in reasons], "reason": reason.strip()},
    )


@transaction.atomic
def enrolment_nominate(
    *,
    actor,
    cohort: Cohort,
    person: Person,
    partner: Partner | None = None,
    enforce_quota: bool = False,
    override_reason: str = "",
    today: date | None = None,
    notify: bool = True,
) -> Enrolment:
    """Enrol a person by a coordinator or a partner coordinator: a seat now, or the waiting list.

    A partner coordinator (`enforce_quota`) stays within their partner's quota for the cohort.
    An ineligible person is refused unless a coordinator writes a reason for the override.
    """
    today = _today(today)
    cohort = _lock_cohort(cohort.pk)
    if partner is not None and partner.project_id != cohort.activity.project_id:
        raise ValidationError(_("This partner is not in the cohort's project."))
    reasons = _check_eligible(cohort, person, override_reason)
    enrolment = _existing_or_new(person, cohort, take_over_unconfirmed=True)
    if enforce_quota:
        if partner is None:
            raise ValidationError(_("Nominations by a partner need the partner's quota."))
        _check_partner_scope(partner, person)
        _check_quota(cohort, partner)
    enrolment.partner = partner
    enrolment.enrolled_by = actor if getattr(actor, "is_authenticated", False) else None
    _snapshot(enrolment, person)
    _place(enrolment, cohort, today=today)
    audit_log(
        actor=actor,
        action="enrolment.nominate",
        obj=enrolment,
        project=cohort.activity.project,
        data={"status": enrolment.status, "partner": partner.pk if partner else None},
    )
    if reasons:
        _record_override(enrolment, actor=actor, reasons=reasons, reason=override_reason)
    if notify:
        _notify_placed(enrolment)
    return enrolment


def _person_for_application(
    *,
    email: str,
    first_name: str,
    last_name: str,
    phone: str,
    organisation: Organisation | None,
    position: str,
    position_category: str,
) -> tuple[Person, bool]:
    """The person with this e-mail (any case), or a new one. An existing record is not changed
    by an unconfirmed public form."""
    known = Person.objects.select_related("organisation", "user").filter(email__iexact=email)
    person = known.first()
    if person is not None:
        return person, False
    person = Person(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        organisation=organisation,
        position=position,
        position_category=position_category,
    )
    # The organisation is the form's choice, or one made just now; the address was looked up
    # just above (any case), so the unique-address constraint is left to the database.
    person.full_clean(exclude=["organisation"], validate_constraints=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # The same new address, twice at the same moment (a double click): the other
        # request's person stands.
        person = known.first()
        if person is None:
            raise
        return person, False
    return person, True


def _check_applicant(
    *, first_name: str, last_name: str, email: str, phone: str, position: str
) -> dict:
    """What a public form gives, checked and normalised by the rules every way in shares
    (`kvalis.people.rules`): names shown to coordinators, on rosters and certificates, an
    address to confirm, a phone as +370…, no text a spreadsheet would run as a formula."""
    return rules.clean_person_fields(
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "phone": phone,
            "position": position,
        },
        required=("first_name", "last_name", "email"),
    )


def _check_new_organisation_name(name: str) -> str:
    try:
        name = rules.clean_text(name, field="organisation")
        validate_visible_name(name)
    except ValidationError as error:
        raise ValidationError({"new_organisation_name": error}) from None
    return name


def _check_accepts_applications(cohort: Cohort, *, today: date) -> None:
    registration = registration_of(cohort)
    if (
        not registration.is_open
        or cohort.start_date < today
        or (registration.closes_on is not None and registration.closes_on < today)
    ):
        raise ValidationError(_("Applications to this cohort are closed."))


@transaction.atomic
def application_create(
    *,
    cohort: Cohort,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    organisation: Organisation | None = None,
    new_organisation_name: str = "",
    new_organisation_type: str = "",
    new_organisation_municipality: str = "",
    position: str,
    position_category: str,
    consent: bool,
    language: str = "lt",
    today: date | None = None,
) -> Enrolment:
    """A public application: checked for eligibility, held until the e-mail is confirmed.

    Returns the new application; for an address that already applied to (or is enrolled in)
    the cohort, the existing enrolment, unchanged, and its owner is told by e-mail. Anyone can
    type an address here, so the answer must not tell which addresses are known.
    """
    today = _today(today)
    if not consent:
        raise ValidationError(_("Please agree to the privacy notice."))
    _check_accepts_applications(cohort, today=today)
    # Checked before the address is looked up: a known address must get the same answer.
    applicant = _check_applicant(
        first_name=first_name, last_name=last_name, email=email, phone=phone, position=position
    )
    if organisation is None and new_organisation_name.strip():
        organisation = _organisation_for_application(
            name=_check_new_organisation_name(new_organisation_name),
            type=new_organisation_type,
            municipality=new_organisation_municipality,
        )
    # Eligibility is judged on what the applicant tells us now.
    reasons = ineligibility_reasons(
        cohort.activity, position_category=position_category, organisation=organisation
    )
    if reasons:
        raise ValidationError(reasons)
    person, created = _person_for_application(
        **applicant, organisation=organisation, position_category=position_category
    )
    if created:  # nobody just made has enrolments to look up
        enrolment = Enrolment(person=person, cohort=cohort)
    else:
        existing = Enrolment.objects.filter(person=person, cohort=cohort, status__in=ACTIVE).first()
        if existing is not None:
            return _tell_already_applied(existing, language=language)
        enrolment = _existing_or_new(person, cohort)
    new = enrolment.pk is None  # not a cancelled or rejected one reopened
    enrolment.status = EnrolmentStatus.UNCONFIRMED
    enrolment.waiting_position = None
    enrolment.partner = None
    enrolment.enrolled_by = None
    enrolment.organisation = organisation
    enrolment.organisation_name = organisation.name if organisation else ""
    enrolment.position = applicant["position"]
    enrolment.position_category = position_category
    # The person, the cohort and the organisation are rows just read or written here: their
    # existence is not asked again (one query each).
    enrolment.full_clean(exclude=_ROW_FIELDS, validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        # The same address, twice at the same moment: the other request's application stands.
        existing = Enrolment.objects.filter(person=person, cohort=cohort).first()
        if existing is None:
            raise
        return _tell_already_applied(existing, language=language)
    fields = {
        "token": secrets.token_urlsafe(24),
        "confirmed_at": None,
        "language": language if language in dict(settings.LANGUAGES) else "lt",
    }
    if new:  # a new application has no confirmation to replace
        confirmation = EnrolmentConfirmation.objects.create(enrolment=enrolment, **fields)
    else:  # a cancelled or rejected one reopened: a new link replaces its old one
        confirmation, _created = EnrolmentConfirmation.objects.update_or_create(
            enrolment=enrolment, defaults=fields
        )
    consent_record_application(person=person, enrolment=enrolment, language=language)
    audit_log(
        actor=None,
        action="enrolment.apply",
        obj=enrolment,
        project=cohort.activity.project,
        data={"new_person": created},
    )
    notifications.notify(
        enrolment,
        "please_confirm",
        language=None if person.user_id else language,
        confirm_url=settings.SITE_URL
        + reverse("enrolment:confirm", kwargs={"token": confirmation.token}),
    )
    return enrolment


def _tell_already_applied(enrolment: Enrolment, *, language: str) -> Enrolment:
    """Someone applied with the address of a person who already applied to the cohort: nothing
    changes, and the address's owner is told by e-mail (with the confirmation link again, if
    they have not confirmed yet) instead of the form telling whoever typed it."""
    enrolment = Enrolment.objects.select_related("person__user", "cohort__activity__project").get(
        pk=enrolment.pk
    )
    extra = {}
    if enrolment.status == EnrolmentStatus.UNCONFIRMED:
        confirmation = EnrolmentConfirmation.objects.filter(enrolment=enrolment).first()
        if confirmation is not None:
            extra["confirm_url"] = settings.SITE_URL + reverse(
                "enrolment:confirm", kwargs={"token": confirmation.token}
            )
    audit_log(
        actor=None,
        action="enrolment.apply_again",
        obj=enrolment,
        project=enrolment.cohort.activity.project,
    )
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    notifications.notify(
        enrolment,
        "already_applied",
        language=None if enrolment.person.user_id else language,
        **extra,
    )
    return enrolment


def _organisation_for_application(*, name: str, type: str, municipality: str) -> Organisation:  # noqa: A002
    name = " ".join(name.split())
    if Organisation.objects.filter(name__iexact=name, municipality=municipality).exists():
        # Never reused silently (kvalis.ownership): the applicant picks it from the list.
        raise ValidationError(
            _("%(name)s is already in the list of employers: choose it there.") % {"name": name}
        )
    organisation = Organisation(name=name, type=type or "other", municipality=municipality)
    organisation.full_clean()
    organisation.save()
    audit_log(actor=None, action="organisation.create", obj=organisation)
    return organisation


def _ensure_login(person: Person, *, language: str) -> User | None:
    """Link the person to the login with their e-mail, creating one (with no usable password
    until the person chooses one through the set-password link) when there is none.

    A login with this e-mail that already belongs to another person is left alone (a login has
    one person): the person stays without a login, and a coordinator sorts the records out.
    """
    if person.user_id:
        return person.user
    if not person.email_verified:
        # Typed by someone other than the person or their employer (an unconfirmed public
        # form): a login there would hand the person's record to whoever holds that address.
        return None
    user, _created = user_get_or_invite(
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        language=language,
    )
    if Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        return None
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    return user


@transaction.atomic
def application_confirm(*, token: str, today: date | None = None) -> Enrolment:
    """The applicant followed the link in the e-mail: the address is theirs."""
    today = _today(today)
    confirmation = (
        EnrolmentConfirmation.objects.select_related("enrolment__person__user")
        .select_for_update(of=("self",))
        .filter(token=token)
        .first()
    )
    if confirmation is None:
        raise ValidationError(_("This confirmation link is not valid."))
    enrolment = confirmation.enrolment
    if confirmation.confirmed_at is not None or enrolment.status != EnrolmentStatus.UNCONFIRMED:
        return enrolment
    # What is the applicant's own comes first; the cohort's seat lock is taken only for the
    # seat, as late as the transaction allows: fifty applicants confirming at once for the last
    # seats wait for each other only that long. A closed cohort still undoes all of it.
    confirmation.confirmed_at = timezone.now()
    confirmation.save(update_fields=["confirmed_at"])
    person = enrolment.person
    if not person.email_verified:
        # The applicant proved the address by following the link sent to it.
        person.email_verified = True
        person.save(update_fields=["email_verified", "updated_at"])
    _ensure_login(person, language=confirmation.language)
    cohort = _lock_cohort(enrolment.cohort_id)
    # Applications may have closed, or the cohort started, since the e-mail was sent.
    _check_accepts_applications(cohort, today=today)
    enrolment.cohort = cohort
    if registration_of(cohort).auto_approve:
        _place(enrolment, cohort, today=today)
        _notify_placed(enrolment)
    else:
        enrolment.status = EnrolmentStatus.APPLIED
        enrolment.save(update_fields=["status", "updated_at"])
        notifications.notify(enrolment, "applied", **_set_password_context(enrolment.person))
    audit_log(
        actor=enrolment.person.user,
        action="enrolment.confirm_email",
        obj=enrolment,
        project=cohort.activity.project,
        data={"status": enrolment.status},
    )
    return enrolment


@transaction.atomic
def enrolment_approve(*, actor, enrolment: Enrolment, today: date | None = None) -> Enrolment:
    """A coordinator accepts an application: a seat now, or the waiting list."""
    today = _today(today)
    cohort = _lock_cohort(enrolment.cohort_id)
    enrolment = Enrolment.objects.select_related("person__user").get(pk=enrolment.pk)
    if enrolment.status != EnrolmentStatus.APPLIED:
        raise ValidationError(_("Only applications awaiting approval can be approved."))
    if _has_ended(cohort, today):
        raise ValidationError(
            _("This cohort has ended: applications to it can no longer be approved."),
            code="ended",
        )
    enrolment.cohort = cohort
    _place(enrolment, cohort, today=today)
    audit_log(
        actor=actor,
        action="enrolment.approve",
        obj=enrolment,
        project=cohort.activity.project,
        data={"status": enrolment.status},
    )
    _notify_placed(enrolment)
    return enrolment


@transaction.atomic
def enrolment_reject(*, actor, enrolment: Enrolment, today: date | None = None) -> Enrolment:
    cohort = _lock_cohort(enrolment.cohort_id)
    enrolment = Enrolment.objects.select_related("person__user").get(pk=enrolment.pk)
    if enrolment.status not in (EnrolmentStatus.APPLIED, EnrolmentStatus.WAITING):
        raise ValidationError(
            _("Only applications and people on the waiting list can be rejected.")
        )
    was_waiting = enrolment.status == EnrolmentStatus.WAITING
    enrolment.status = EnrolmentStatus.REJECTED
    enrolment.waiting_position = None
    enrolment.save(update_fields=["status", "waiting_position", "updated_at"])
    if was_waiting:
        _renumber_waiting(cohort)
    audit_log(
        actor=actor, action="enrolment.reject", obj=enrolment, project=cohort.activity.project
    )
    enrolment.cohort = cohort
    notifications.notify(enrolment, "rejected")
    return enrolment


@transaction.atomic
def enrolment_cancel(
    *, actor, enrolment: Enrolment, today: date | None = None, notify: bool = True
) -> Enrolment:
    """Cancel (by the person or a coordinator); a freed seat goes to the waiting list at once.

    An ended cohort's enrolments are what happened and stay so; a coordinator corrects a
    mistake there with `enrolment_correct`, giving a reason.
    """
    today = _today(today)
    cohort = _lock_cohort(enrolment.cohort_id)
    enrolment = Enrolment.objects.select_related("person__user").get(pk=enrolment.pk)
    if enrolment.status not in ACTIVE:
        raise ValidationError(_("This enrolment is already cancelled or rejected."))
    if _has_ended(cohort, today):
        raise ValidationError(
            _("This cohort has ended: its list of participants stays as it was."), code="ended"
        )
    _refuse_if_certified(enrolment)
    enrolment.cohort = cohort
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.waiting_position = None
    enrolment.save(update_fields=["status", "waiting_position", "updated_at"])
    audit_log(
        actor=actor, action="enrolment.cancel", obj=enrolment, project=cohort.activity.project
    )
    if notify:
        notifications.notify(enrolment, "cancelled")
    _renumber_waiting(cohort)
    cohort_promote_waiting(cohort=cohort, actor=actor, today=today, notify=notify)
    return enrolment


@transaction.atomic
def enrolment_correct(
    *, actor, enrolment: Enrolment, reason: str, today: date | None = None
) -> Enrolment:
    """A coordinator corrects the list of an ended cohort: the enrolment is cancelled, with the
    written reason in the audit entry.

    Nobody is promoted into the freed seat and nobody is written to: the cohort is over. The
    caller (the view) lets only the project's coordinators do this.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Write why you correct the list of a cohort that has ended.")},
            code="reason",
        )
    cohort = _lock_cohort(enrolment.cohort_id)
    enrolment = Enrolment.objects.select_related("person").get(pk=enrolment.pk)
    if not _has_ended(cohort, today):
        raise ValidationError(
            _("This cohort has not ended: cancel the enrolment instead."), code="not_ended"
        )
    if enrolment.status not in ACTIVE:
        raise ValidationError(_("This enrolment is already cancelled or rejected."))
    _refuse_if_certified(enrolment)
    previous = enrolment.status
    enrolment.cohort = cohort
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.waiting_position = None
    enrolment.save(update_fields=["status", "waiting_position", "updated_at"])
    audit_log(
        actor=actor,
        action="enrolment.correct",
        obj=enrolment,
        project=cohort.activity.project,
        summary=reason,
        data={"reason": reason, "from": previous, "to": EnrolmentStatus.CANCELLED},
    )
    if previous == EnrolmentStatus.WAITING:
        _renumber_waiting(cohort)
    return enrolment


@transaction.atomic
def enrolment_move(
    *,
    actor,
    enrolment: Enrolment,
    to_cohort: Cohort,
    override_reason: str = "",
    today: date | None = None,
) -> Enrolment:
    """Move a person to another cohort of the same project; their old seat is passed on.

    The person must be eligible for the target cohort's activity, unless a coordinator writes a
    reason for the override (recorded and audited, as for nominations).
    """
    today = _today(today)
    if to_cohort.activity.project_id != enrolment.cohort.activity.project_id:
        raise ValidationError(_("People can only be moved between cohorts of the same project."))
    if to_cohort.pk == enrolment.cohort_id:
        raise ValidationError(_("The person is already in this cohort."))
    # Lock both cohorts in a fixed order, so two opposite moves cannot deadlock.
    locked = {pk: _lock_cohort(pk) for pk in sorted([enrolment.cohort_id, to_cohort.pk])}
    source, target = locked[enrolment.cohort_id], locked[to_cohort.pk]
    if _has_ended(source, today):
        raise ValidationError(
            _("This cohort has ended: its participants can no longer be moved out of it."),
            code="ended",
        )
    if _has_ended(target, today):
        raise ValidationError(
            _("That cohort has ended: participants can no longer be moved into it."),
            code="ended",
        )
    enrolment = Enrolment.objects.select_related("person__user").get(pk=enrolment.pk)
    if enrolment.status not in (
        EnrolmentStatus.APPLIED,
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.WAITING,
    ):
        raise ValidationError(_("Only active enrolments can be moved."))
    reasons = _check_eligible(target, enrolment.person, override_reason)
    old = (
        Enrolment.objects.select_related("person__user")
        .filter(person=enrolment.person, cohort=target)
        .first()
    )
    if old is not None and old.status in ACTIVE:
        already = _("%(name)s is already enrolled in the other cohort.") % {
            "name": enrolment.person.full_name
        }
        raise ValidationError(agree(already, enrolment.person.full_name))
    was_applied = enrolment.status == EnrolmentStatus.APPLIED
    if old is None:
        moved = enrolment
    else:
        # The person's earlier, cancelled or rejected, enrolment in the target cohort is reopened
        # (as _existing_or_new does), never deleted: it may hold attendance or a certificate.
        # The enrolment they leave stays in the source cohort, cancelled.
        moved = old
        moved.partner = enrolment.partner
        moved.enrolled_by = enrolment.enrolled_by
        for name in ("organisation", "organisation_name", "position", "position_category"):
            setattr(moved, name, getattr(enrolment, name))
        enrolment.status = EnrolmentStatus.CANCELLED
        enrolment.waiting_position = None
        enrolment.save(update_fields=["status", "waiting_position", "updated_at"])
    moved.cohort = target
    moved.waiting_position = None
    moved.status = EnrolmentStatus.APPLIED  # an application stays one; others are placed afresh
    if was_applied:
        moved.full_clean(validate_unique=False, validate_constraints=False)
        moved.save()
    else:
        _place(moved, target, today=today)
    audit_log(
        actor=actor,
        action="enrolment.move",
        obj=moved,
        project=target.activity.project,
        data={
            "from": source.pk,
            "to": target.pk,
            "status": moved.status,
            "from_enrolment": enrolment.pk,
        },
    )
    if reasons:
        _record_override(moved, actor=actor, reasons=reasons, reason=override_reason)
    if not was_applied:
        _notify_placed(moved)
    _renumber_waiting(source)
    cohort_promote_waiting(cohort=source, actor=actor, today=today)
    return moved


@transaction.atomic
def cohort_capacity_set(
    *, actor, cohort: Cohort, capacity: int, today: date | None = None, notify: bool = True
) -> Cohort:
    """Change a cohort's capacity; more seats promote people from the waiting list."""
    cohort = _lock_cohort(cohort.pk)
    seats = cohort_seats(cohort, today=_today(today))
    if capacity < seats.confirmed:
        raise ValidationError(
            ngettext(
                "The cohort already has %(n)s confirmed participant; capacity cannot be lower.",
                "The cohort already has %(n)s confirmed participants; capacity cannot be lower.",
                seats.confirmed,
            )
            % {"n": seats.confirmed}
        )
    quotas = sum(Quota.objects.filter(cohort=cohort).values_list("seats", flat=True))
    if capacity < quotas:
        raise ValidationError(
            ngettext(
                "Partners' quotas reserve %(n)s seat in this cohort; capacity cannot be lower.",
                "Partners' quotas reserve %(n)s seats in this cohort; capacity cannot be lower.",
                quotas,
            )
            % {"n": quotas}
        )
    old = cohort.capacity
    cohort.capacity = capacity
    cohort.full_clean()
    cohort.save(update_fields=["capacity"])
    audit_log(
        actor=actor,
        action="cohort.capacity",
        obj=cohort,
        project=cohort.activity.project,
        data={"from": old, "to": capacity},
    )
    cohort_promote_waiting(cohort=cohort, actor=actor, today=today, notify=notify)
    return cohort


@transaction.atomic
def cohort_registration_set(
    *, actor, cohort: Cohort, is_open: bool, auto_approve: bool, closes_on: date | None
) -> CohortRegistration:
    if closes_on is not None and closes_on > cohort.start_date:
        raise ValidationError(
            {
                "closes_on": _(
                    "Applications must close by the day the cohort starts (%(start)s), "
                    "not after it."
                )
                % {"start": cohort.start_date.isoformat()}
            },
            code="closes_after_start",
        )
    registration, _created = CohortRegistration.objects.get_or_create(cohort=cohort)
    registration.is_open = is_open
    registration.auto_approve = auto_approve
    registration.closes_on = closes_on
    registration.full_clean()
    registration.save()
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="cohort.registration",
        obj=cohort,
        project=cohort.activity.project,
        data={
            "is_open": is_open,
            "auto_approve": auto_approve,
            "closes_on": closes_on.isoformat() if closes_on else None,
        },
    )
    return registration


@transaction.atomic
def quota_set(
    *,
    actor,
    cohort: Cohort,
    partner: Partner,
    seats: int,
    release_on: date | None,
    today: date | None = None,
    notify: bool = True,
) -> Quota | None:
    """Reserve `seats` of the cohort for a partner until `release_on` (0 seats removes it)."""
    cohort = _lock_cohort(cohort.pk)
    if partner.project_id != cohort.activity.project_id:
        raise ValidationError(_("This partner is not in the cohort's project."))
    if seats < 0:
        raise ValidationError(_("The number of seats cannot be negative."))
    if release_on is not None and release_on > cohort.end_date:
        raise ValidationError(
            {
                "release_on": _(
                    "Unused quota seats must be released by the day the cohort ends "
                    "(%(end)s), not after it."
                )
                % {"end": cohort.end_date.isoformat()}
            },
            code="release_after_end",
        )
    others = sum(
        Quota.objects.filter(cohort=cohort).exclude(partner=partner).values_list("seats", flat=True)
    )
    if others + seats > cohort.capacity:
        raise ValidationError(
            ngettext(
                "Quotas would add up to %(total)s seat, more than the capacity (%(capacity)s).",
                "Quotas would add up to %(total)s seats, more than the capacity (%(capacity)s).",
                others + seats,
            )
            % {"total": others + seats, "capacity": cohort.capacity}
        )
    quota = Quota.objects.filter(cohort=cohort, partner=partner).first()
    if seats == 0:
        if quota is not None:
            quota.delete()
        quota = None
    else:
        quota = quota or Quota(cohort=cohort, partner=partner)
        quota.seats = seats
        quota.release_on = release_on
        quota.full_clean()
        quota.save()
    audit_log(
        actor=actor,
        action="quota.set",
        obj=cohort,
        project=cohort.activity.project,
        summary=f"{partner.organisation.name}: {seats}",
        data={
            "partner": partner.pk,
            "seats": seats,
            "release_on": release_on.isoformat() if release_on else None,
        },
    )
    cohort_promote_waiting(cohort=cohort, actor=actor, today=today, notify=notify)
    return quota


@transaction.atomic
def quotas_release_due(*, today: date | None = None, notify: bool = True) -> int:
    """Promote waiting people into quota seats released today or earlier (run daily)."""
    today = _today(today)
    cohort_ids = (
        Quota.objects.filter(release_on__lte=today, cohort__start_date__gte=today)
        .values_list("cohort_id", flat=True)
        .distinct()
    )
    promoted = 0
    for cohort_id in sorted(set(cohort_ids)):
        cohort = _lock_cohort(cohort_id)
        promoted += len(cohort_promote_waiting(cohort=cohort, today=today, notify=notify))
    return promoted


def calendar_token_for(*, person: Person) -> CalendarToken:
    token, _created = CalendarToken.objects.get_or_create(person=person)
    return token


@transaction.atomic
def calendar_token_reset(*, actor, person: Person) -> CalendarToken:
    """A new secret: the old feed address stops working."""
    CalendarToken.objects.filter(person=person).delete()
    token = CalendarToken.objects.create(person=person)
    audit_log(actor=actor, action="calendar.reset", obj=person)
    return token


def reminders_send(*, days: int, today: date | None = None) -> int:
    """Queue a reminder for every confirmed enrolment in a cohort starting within `days` days;
    each enrolment gets one reminder at most (the Reminder row is unique per enrolment)."""
    today = _today(today)
    due = (
        Enrolment.objects.filter(
            status=EnrolmentStatus.CONFIRMED,
            cohort__start_date__gte=today,
            cohort__start_date__lte=today + timedelta(days=days),
            reminder__isnull=True,
        )
        .select_related("person__user", "cohort__activity__project", "cohort__venue")
        .order_by("cohort__start_date", "id")
    )
    sent = 0
    for enrolment in due:
        with transaction.atomic():
            _reminder, created = Reminder.objects.get_or_create(enrolment=enrolment)
            if created:
                notifications.notify(enrolment, "reminder")
                sent += 1
    return sent


# --- a partner's nominations: a new employee, a waiting employee into the quota ---------------


def nomination_employers(*, project, partner: Partner | None) -> QuerySet[Organisation]:
    """Employers whose staff may be nominated into `partner`'s quota (or, without a partner, by a
    coordinator): the partner's own organisation and the institutions it nominates for; without
    a partner, those of every partner that accepted. Nothing until a partner has accepted."""
    accepted = Partner.objects.filter(project=project, status=PartnerStatus.ACCEPTED)
    if partner is not None:
        accepted = accepted.filter(pk=partner.pk)
    covered = Partner.covered_organisations.through.objects.filter(partner__in=accepted)
    return Organisation.objects.filter(
        Q(pk__in=accepted.values("organisation")) | Q(pk__in=covered.values("organisation"))
    )


def _check_partner_scope(partner: Partner, person: Person) -> None:
    """A partner nominates only its own people (kvalis.access: the partner's organisation and
    the institutions it nominates for)."""
    project = partner.project
    employers = nomination_employers(project=project, partner=partner)
    if person.organisation_id is None or not employers.filter(pk=person.organisation_id).exists():
        raise ValidationError(
            _(
                "%(name)s does not work at %(organisation)s or an institution it nominates for: "
                "a partner nominates only its own people."
            )
            % {"name": person.full_name, "organisation": partner.organisation.name},
            code="not_own",
        )


def same_person_in(organisation: Organisation, *, first_name: str, last_name: str, email: str):
    """The person already on `organisation`'s staff that these details describe, or None: the
    same e-mail address in any case, or the same name (`people.rules.person_key`) where one of
    the two has no address."""
    key = person_key(first_name, last_name, email)
    name = person_key(first_name, last_name)
    staff = Person.objects.filter(organisation=organisation, erased_at__isnull=True).order_by("pk")
    for person in staff.only("pk", "first_name", "last_name", "email", "organisation"):
        if person_key(person.first_name, person.last_name, person.email) == key:
            return person
        if (not email or not person.email) and person_key(
            person.first_name, person.last_name
        ) == name:
            return person
    return None


class DuplicatePerson(ValidationError):
    """The new employee is already recorded: the existing person is to be nominated instead."""

    def __init__(self, person: Person):
        self.person = person
        message = _(
            "%(name)s is already on the staff of %(organisation)s: choose them under “Choose "
            "an existing employee” instead of adding them again."
        ) % {"name": person.full_name, "organisation": person.organisation.name}
        super().__init__(agree(message, person.full_name), code="duplicate")


@transaction.atomic
def enrolment_nominate_new_person(
    *,
    actor,
    cohort: Cohort,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    position: str = "",
    position_category: str,
    partner: Partner | None = None,
    enforce_quota: bool = False,
    override_reason: str = "",
    today: date | None = None,
    notify: bool = True,
) -> Enrolment:
    """Add a new employee to the staff of `organisation` and nominate them, both or neither:
    an enrolment that is refused (quota full, not eligible) leaves no person behind.

    The employer is one the nominating partner speaks for (`nomination_employers`); a person
    already on its staff (`same_person_in`) is not recorded twice: `DuplicatePerson` names them.
    """
    project = cohort.activity.project
    if partner is not None and partner.project_id != project.pk:
        raise ValidationError(_("This partner is not in the cohort's project."))
    employers = nomination_employers(project=project, partner=partner)
    if organisation is None or not employers.filter(pk=organisation.pk).exists():
        raise ValidationError(
            {
                "organisation": _(
                    "Choose the employer from the list: your own organisation or an "
                    "institution you nominate for."
                )
            },
            code="employer",
        )
    existing = same_person_in(organisation, first_name=first_name, last_name=last_name, email=email)
    if existing is not None:
        raise DuplicatePerson(existing)
    from kvalis.people.services import person_create

    person = person_create(
        actor=actor,
        project=project,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        organisation=organisation,
        position=position,
        position_category=position_category,
    )
    return enrolment_nominate(
        actor=actor,
        cohort=cohort,
        person=person,
        partner=partner,
        enforce_quota=enforce_quota,
        override_reason=override_reason,
        today=today,
        notify=notify,
    )


def quota_partner_of(enrolment: Enrolment) -> Partner | None:
    """The partner whose quota in the cohort could seat this person: the enrolment's own, or
    the one accepted partner with a quota there that speaks for the person's employer."""
    if enrolment.partner_id is not None:
        return enrolment.partner
    quotas = Quota.objects.filter(
        cohort_id=enrolment.cohort_id, partner__status=PartnerStatus.ACCEPTED
    ).select_related("partner__organisation", "partner__project")
    candidates = [
        quota.partner
        for quota in quotas
        if nomination_employers(project=quota.partner.project, partner=quota.partner)
        .filter(pk=enrolment.person.organisation_id)
        .exists()
    ]
    return candidates[0] if len(candidates) == 1 else None


def into_quota_check(*, enrolment: Enrolment, partner: Partner | None, today: date | None = None):
    """Why this waiting person cannot take a seat of `partner`'s quota now (ValidationError), or
    the quota they would take. The caller of `enrolment_take_into_quota` holds the cohort lock;
    a page that only explains calls this without it."""
    today = _today(today)
    cohort = enrolment.cohort
    person = enrolment.person
    if partner is None:
        raise ValidationError(
            _("No partner's quota in this cohort is meant for %(organisation)s's staff.")
            % {"organisation": person.organisation.name if person.organisation else "—"},
            code="no_quota",
        )
    if partner.project_id != cohort.activity.project_id:
        raise ValidationError(_("This partner is not in the cohort's project."))
    if enrolment.partner_id not in (None, partner.pk):
        raise ValidationError(
            _("%(name)s was nominated into another partner's quota.") % {"name": person.full_name},
            code="not_own",
        )
    _check_partner_scope(partner, person)
    if enrolment.status != EnrolmentStatus.WAITING:
        raise ValidationError(
            _(
                "%(name)s is not on the waiting list (%(status)s): only a person waiting for a "
                "seat can be moved into the quota."
            )
            % {"name": person.full_name, "status": enrolment.get_status_display()},
            code="not_waiting",
        )
    if _has_ended(cohort, today):
        raise ValidationError(
            _("This cohort has ended: its list of participants stays as it was."), code="ended"
        )
    organisation = partner.organisation.name
    quota = Quota.objects.filter(cohort=cohort, partner=partner).first()
    if quota is None:
        raise ValidationError(
            _("%(organisation)s has no seat quota in this cohort.")
            % {"organisation": organisation},
            code="no_quota",
        )
    if not quota.is_reserved(today):
        raise ValidationError(
            _(
                "The quota of %(organisation)s in this cohort was released on %(date)s: its "
                "unused seats are open to everyone, and the waiting list moves up by itself."
            )
            % {"organisation": organisation, "date": quota.release_on.isoformat()},
            code="released",
        )
    used = quota_used(cohort, partner.pk) - (1 if enrolment.partner_id == partner.pk else 0)
    if used >= quota.seats:
        raise ValidationError(
            ngettext(
                "The quota is full: %(organisation)s has %(seats)s seat in this cohort and it "
                "is taken.",
                "The quota is full: %(organisation)s has %(seats)s seats in this cohort and all "
                "are taken.",
                quota.seats,
            )
            % {"organisation": organisation, "seats": quota.seats},
            code="quota_full",
        )
    if cohort_seats(cohort, today=today).free_for(partner.pk) <= 0:
        raise ValidationError(
            _("No seat of this cohort is free for %(organisation)s's people now.")
            % {"organisation": organisation},
            code="no_seat",
        )
    return quota


@transaction.atomic
def enrolment_take_into_quota(
    *,
    actor,
    enrolment: Enrolment,
    partner: Partner | None,
    today: date | None = None,
    notify: bool = True,
) -> Enrolment:
    """Give one of the partner's own people on the waiting list an unused reserved seat of the
    partner's quota: confirmed at once, the others on the list move up, the person is told.

    Only while the quota is reserved (before its release date: after it, the waiting list is
    promoted in its own order) and only into a seat the quota has left.
    """
    today = _today(today)
    cohort = _lock_cohort(enrolment.cohort_id)
    enrolment = Enrolment.objects.select_related("person__organisation", "person__user").get(
        pk=enrolment.pk
    )
    enrolment.cohort = cohort
    into_quota_check(enrolment=enrolment, partner=partner, today=today)
    waited_at = enrolment.waiting_position
    enrolment.partner = partner
    enrolment.status = EnrolmentStatus.CONFIRMED
    enrolment.waiting_position = None
    enrolment.save(update_fields=["partner", "status", "waiting_position", "updated_at"])
    _renumber_waiting(cohort)
    audit_log(
        actor=actor,
        action="enrolment.promote",
        obj=enrolment,
        project=cohort.activity.project,
        summary=partner.organisation.name,
        data={"into_quota_of": partner.pk, "waiting_position": waited_at},
    )
    if notify:
        notifications.notify(enrolment, "promoted", **_set_password_context(enrolment.person))
    return enrolment
