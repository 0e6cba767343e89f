"""Writes of the privacy app: consent records and the audited data export."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kvalis.audit.services import audit_log
from kvalis.people.models import Person
from kvalis.privacy import texts
from kvalis.privacy.models import Consent, Purpose, Source


def consent_record_application(*, person: Person, enrolment, language: str = "lt") -> Consent:
    """The applicant ticked the privacy notice box on the public form: record which notice."""
    with translation.override(language if language in texts.PRIVACY_NOTICE_TEMPLATES else "lt"):
        statement = str(texts.PRIVACY_NOTICE_STATEMENT)
    consent = Consent(
        person=person,
        purpose=Purpose.APPLICATION_NOTICE,
        source=Source.APPLICATION_FORM,
        text_version=texts.PRIVACY_NOTICE_VERSION,
        language=language if language in texts.PRIVACY_NOTICE_TEMPLATES else "lt",
        text_sha256=texts.privacy_notice_hash(language),
        statement=statement,
        enrolment=enrolment,
        about=str(enrolment.cohort)[:500],
        given_at=timezone.now(),
    )
    # Every value is the code's, and the person and the application were saved just now: the
    # table's constraints (checked by the database on saving) are not asked first, one query
    # each, on the path hundreds of applicants take the morning a county's cohorts open.
    consent.full_clean(exclude=["person", "enrolment"], validate_constraints=False)
    consent.save()
    return consent


@transaction.atomic
def photo_consent_give(*, traveller, actor, language: str = "lt") -> Consent:
    """The traveller agrees to be photographed during the study visit (from their own page)."""
    person = traveller.person
    if person.user_id is None or actor is None or person.user_id != actor.pk:
        # Consent is the person's own: nobody gives it on their behalf.
        raise ValidationError(_("Only the traveller can give this consent."))
    visit = traveller.visit
    if Consent.objects.filter(
        person=person,
        purpose=Purpose.STUDY_VISIT_PHOTOS,
        study_visit=visit,
        withdrawn_at__isnull=True,
    ).exists():
        raise ValidationError(_("You have already given this consent."))
    text = texts.photo_consent_text(language)
    consent = Consent(
        person=person,
        purpose=Purpose.STUDY_VISIT_PHOTOS,
        source=Source.CONSENTS_PAGE,
        text_version=texts.PHOTO_CONSENT_VERSION,
        language=language if language in texts.PRIVACY_NOTICE_TEMPLATES else "lt",
        text_sha256=texts.sha256(text),
        statement=text[:500],
        study_visit=visit,
        about=str(visit)[:500],
        given_at=timezone.now(),
    )
    return _save_given(consent, actor=actor, project=visit.activity.project)


def _save_given(consent: Consent, *, actor, project=None) -> Consent:
    """Store a consent the person gave on "My consents", once, and audit it."""
    consent.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            consent.save()
    except IntegrityError:  # the same consent, twice at the same moment
        raise ValidationError(_("You have already given this consent.")) from None
    audit_log(
        actor=actor,
        action="consent.give",
        obj=consent,
        project=project,
        organisation=consent.person.organisation,
        summary=str(consent),
        data={"purpose": consent.purpose, "version": consent.text_version},
    )
    return consent


@transaction.atomic
def credential_name_consent_give(*, person: Person, actor, language: str = "lt") -> Consent:
    """The person agrees that their name is written into their digital credentials (from
    "My consents"). Their credentials already stored are signed again with the name."""
    from kvalis.credentials.services import resign_for_person

    if person.user_id is None or actor is None or person.user_id != actor.pk:
        # Consent is the person's own: nobody gives it on their behalf.
        raise ValidationError(_("Only the holder of the certificates can give this consent."))
    # Lock the person: the check below and the insert are one step for two requests at once.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if Consent.objects.filter(
        person=person, purpose=Purpose.CREDENTIAL_NAME, withdrawn_at__isnull=True
    ).exists():
        raise ValidationError(_("You have already given this consent."))
    text = texts.credential_name_consent_text(language)
    consent = Consent(
        person=person,
        purpose=Purpose.CREDENTIAL_NAME,
        source=Source.CONSENTS_PAGE,
        text_version=texts.CREDENTIAL_NAME_CONSENT_VERSION,
        language=language if language in texts.PRIVACY_NOTICE_TEMPLATES else "lt",
        text_sha256=texts.sha256(text),
        statement=text[:500],
        given_at=timezone.now(),
    )
    _save_given(consent, actor=actor)
    resign_for_person(person)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor) -> Consent:
    """The person withdraws a consent; the record stays, with the time of withdrawal."""
    consent = Consent.objects.select_for_update().select_related("person").get(pk=consent.pk)
    if not consent.withdrawable:
        raise ValidationError(
            _(
                "This is a notice you acknowledged, not a consent: it cannot be withdrawn. "
                "You can cancel the enrolment or ask your employer to erase your data."
            )
        )
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent has already been withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.full_clean(validate_constraints=False)
    consent.save(update_fields=["withdrawn_at"])
    visit = consent.study_visit
    audit_log(
        actor=actor,
        action="consent.withdraw",
        obj=consent,
        project=visit.activity.project if visit is not None else None,
        organisation=consent.person.organisation,
        summary=str(consent),
        data={"purpose": consent.purpose, "version": consent.text_version},
    )
    if consent.purpose == Purpose.CREDENTIAL_NAME:
        from kvalis.credentials.services import resign_for_person

        # The next download of each credential no longer carries the name.
        resign_for_person(consent.person)
    return consent


def person_data_export(*, person: Person, actor, note: str = "", by_keeper: bool) -> bytes:
    """The ZIP of everything Kvalis holds about the person, with the export audited."""
    from kvalis.privacy.export import build_zip

    note = " ".join(note.split())
    if by_keeper and not note:
        raise ValidationError(
            {"note": _("Say on whose request the data is exported (e.g. the person's e-mail).")}
        )
    content = build_zip(person)
    audit_log(
        actor=actor,
        action="privacy.export",
        obj=person,
        organisation=person.organisation,
        summary=person.full_name,
        data={"by": "keeper" if by_keeper else "self", "note": note[:300]},
    )
    return content
