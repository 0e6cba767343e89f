"""Consent records: what a person agreed to (or acknowledged), when, where, and which text."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    # Information the applicant acknowledges: the processing itself rests on the contract and
    # the law, so it is not withdrawn (the person cancels the enrolment or asks for erasure).
    APPLICATION_NOTICE = "application_notice", _("privacy notice of the application form")
    # Consent in the GDPR sense (art. 6(1)(a)): given freely, withdrawn at any time.
    STUDY_VISIT_PHOTOS = "study_visit_photos", _("photographs during a study visit")
    # The holder's name in their digital credentials (`kvalis.credentials`); without it a
    # credential identifies the holder only by a salted hash of their e-mail.
    CREDENTIAL_NAME = "credential_name", _("my name in my digital credentials")


# Purposes whose records are consent that may be withdrawn; the rest are acknowledgements.
WITHDRAWABLE = (Purpose.STUDY_VISIT_PHOTOS, Purpose.CREDENTIAL_NAME)


class Source(models.TextChoices):
    APPLICATION_FORM = "application_form", _("public application form")
    CONSENTS_PAGE = "consents_page", _("the “My consents” page")


class Consent(models.Model):
    """One consent given (or notice acknowledged) by a person, with the text's version."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    source = models.CharField(_("where given"), max_length=32, choices=Source.choices)
    # The text shown: its version, the language it was shown in and a SHA-256 of it, so a later
    # edit of the text cannot be passed off as what the person saw.
    text_version = models.CharField(_("text version"), max_length=32)
    language = models.CharField(_("language"), max_length=8, default="lt")
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    statement = models.CharField(_("what the person ticked"), max_length=500)
    # What it is about: the application, or the study visit.
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    study_visit = models.ForeignKey(
        "visits.StudyVisit",
        verbose_name=_("study visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    about = models.CharField(_("about"), max_length=500, blank=True)
    given_at = models.DateTimeField(_("given"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=Purpose.values), name="privacy_consent_purpose_known"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(purpose__in=WITHDRAWABLE),
                name="privacy_consent_withdrawn_only_if_withdrawable",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="privacy_consent_withdrawn_after_given",
            ),
            models.UniqueConstraint(
                fields=["person", "purpose", "study_visit"],
                condition=Q(withdrawn_at__isnull=True, study_visit__isnull=False),
                name="privacy_consent_one_active_per_visit",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(withdrawn_at__isnull=True, purpose="credential_name"),
                name="privacy_consent_one_active_credential_name",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_purpose_display()}"

    @property
    def withdrawable(self) -> bool:
        return self.purpose in WITHDRAWABLE

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
