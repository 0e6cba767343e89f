"""Qualification certificates (kvalifikacijos tobulinimo pažymėjimai).

A certificate freezes what was certified (`data`), carries a number that runs per issuer prefix
and year without gaps (`CertificateCounter`), and a public verification code. Revocation and
reissue never delete: the old row stays, marked revoked or replaced.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Set in a certificate's frozen data once its holder was erased (`kvalis.people.erasure`): the
# PDF, the verification page and the digital credential then name nobody.
HOLDER_WITHHELD_KEY = "holder_name_withheld"

PREFIX_VALIDATOR = RegexValidator(
    r"^[A-Z0-9]{1,12}$",
    _("Use 1–12 capital Latin letters or digits, e.g. UVB."),
)


class CertificateIssuer(models.Model):
    """An organisation that issues certificates in a project, with its number prefix."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="certificate_issuers",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    prefix = models.CharField(
        _("number prefix"),
        max_length=12,
        validators=[PREFIX_VALIDATOR],
        help_text=_("Certificate numbers look like PREFIX-2014-0001."),
    )
    signatory_name = models.CharField(_("signatory"), max_length=200)
    signatory_position = models.CharField(_("signatory's position"), max_length=200)

    class Meta:
        verbose_name = _("certificate issuer")
        verbose_name_plural = _("certificate issuers")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="certificates_issuer_once_per_project"
            ),
            models.UniqueConstraint(
                fields=["project", "prefix"], name="certificates_issuer_prefix_unique"
            ),
            models.CheckConstraint(
                condition=Q(prefix__regex=r"^[A-Z0-9]{1,12}$"),
                name="certificates_issuer_prefix_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} — {self.organisation}"


class HoursRule(models.TextChoices):
    """Which hours an activity's certificates state."""

    ATTENDED = "attended", _("the hours the participant attended")
    PROGRAMME = "programme", _("the programme's academic hours")


class ActivityCertificateSettings(models.Model):
    """Which issuer certifies an activity, the wording on its certificates and the hours they
    state: those attended (15,3 of a 16-hour programme) or the programme's (16)."""

    activity = models.OneToOneField(
        "projects.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="certificate_settings",
    )
    issuer = models.ForeignKey(
        CertificateIssuer,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="activity_settings",
    )
    title = models.CharField(
        _("certificate title"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty for “Qualification improvement certificate”."),
    )
    custom_text = models.TextField(
        _("additional text"),
        blank=True,
        help_text=_("Printed under the activity, e.g. a legal basis."),
    )
    hours_rule = models.CharField(
        _("hours on the certificate"),
        max_length=16,
        choices=HoursRule,
        default=HoursRule.ATTENDED,
        help_text=_(
            "Either is stated only for a participant who completed the activity by its rule."
        ),
    )

    class Meta:
        verbose_name = _("certificate settings of an activity")
        verbose_name_plural = _("certificate settings of activities")

    def __str__(self) -> str:
        return f"{self.activity} — {self.issuer}"


class CertificateCounter(models.Model):
    """The last number used per prefix and year; locked with SELECT … FOR UPDATE when issuing,
    in the same transaction as the certificate insert, so numbers have no gaps."""

    prefix = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="certificates_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("valid")
    REVOKED = "revoked", _("revoked")
    REPLACED = "replaced", _("replaced")


class RevocationStatement(models.TextChoices):
    """What the public verification page and the API say about a revocation, instead of the
    internal reason (which may be about someone's health or conduct)."""

    ISSUED_IN_ERROR = "issued_in_error", _("Issued in error")
    REPLACED = "replaced", _("Replaced by a new certificate")
    WITHDRAWN = "withdrawn", _("Withdrawn by the issuer")
    REQUESTED_BY_HOLDER = "requested_by_holder", _("Requested by the holder")


# What a coordinator may state when revoking; "replaced" is stated by reissuing, which links
# the replacement.
REVOKE_STATEMENTS = [s for s in RevocationStatement if s != RevocationStatement.REPLACED]


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("in progress")
    MAILING = "mailing", _("e-mailing")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


ACTIVE_BATCH_STATUSES = (BatchStatus.QUEUED, BatchStatus.RUNNING, BatchStatus.MAILING)

# A running batch beats at least once per chunk (a few minutes of PDFs at most) and once per
# e-mail; one silent for longer has lost its worker (killed, restarted) and is offered for retry.
STALE_AFTER = timedelta(minutes=10)


class CertificateBatch(models.Model):
    """A bulk issue for a cohort's completers, run as a background task with visible progress."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="certificate_batches"
    )
    cohort = models.ForeignKey(
        "projects.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.CASCADE,
        related_name="certificate_batches",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("certificates to issue"), default=0)
    done = models.PositiveIntegerField(_("certificates done"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The run that holds the batch (a token of its own) and when it last showed it is alive: a
    # second run (a retry, a duplicate task) leaves a live batch alone and takes over a silent one.
    runner = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")), name="certificates_batch_done_le_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cohort} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)

    @property
    def finished(self) -> bool:
        return self.status in (BatchStatus.DONE, BatchStatus.FAILED)

    @property
    def interrupted(self) -> bool:
        """Queued or running, but silent for longer than STALE_AFTER: its worker is gone."""
        if self.status not in ACTIVE_BATCH_STATUSES:
            return False
        return (self.heartbeat_at or self.created_at) < timezone.now() - STALE_AFTER

    @property
    def retryable(self) -> bool:
        return self.interrupted or self.status == BatchStatus.FAILED

    @property
    def polling(self) -> bool:
        return self.status in ACTIVE_BATCH_STATUSES and not self.interrupted

    @property
    def status_label(self) -> str:
        return _("interrupted") if self.interrupted else self.get_status_display()


def certificate_pdf_path(instance: "Certificate", filename: str) -> str:
    # Not the public verification code: whoever knows the code must not be able to guess the
    # file's address on a server that exposes MEDIA_URL.
    return f"certificates/{instance.year}/{instance.number}-{secrets.token_hex(8)}.pdf"


class Certificate(models.Model):
    """One issued certificate. `data` is the frozen snapshot of what was certified."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    issuer = models.ForeignKey(
        CertificateIssuer,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    batch = models.ForeignKey(
        CertificateBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
    )
    prefix = models.CharField(_("prefix"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    number = models.CharField(_("number"), max_length=32, unique=True)
    verification_code = models.CharField(_("verification code"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
        db_index=True,
    )
    # Frozen at issue: the certificate shows this whatever later happens to the project data.
    participant_name = models.CharField(_("participant"), max_length=250)
    hours = models.DecimalField(_("academic hours"), max_digits=6, decimal_places=1)
    data = models.JSONField(_("certified data"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Internal: seen only by the project's coordinators. The public see `revocation_statement`.
    revoked_reason = models.TextField(_("internal reason for revocation"), blank=True)
    revocation_statement = models.CharField(
        _("public statement on revocation"),
        max_length=32,
        choices=RevocationStatement.choices,
        blank=True,
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    pdf = models.FileField(_("PDF"), upload_to=certificate_pdf_path, blank=True)
    # Set only after the mail backend took the message: what the pages count as e-mailed, and
    # what a mail run that starts again skips.
    mailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-year", "prefix", "-sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "year", "sequence"], name="certificates_number_parts_unique"
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status="valid"),
                name="certificates_one_valid_per_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1), name="certificates_sequence_positive"
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0), name="certificates_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CertificateStatus.values),
                name="certificates_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="valid") | (Q(revoked_at__isnull=False) & ~Q(revoked_reason="")),
                name="certificates_revocation_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="valid", revocation_statement="")
                    | Q(~Q(status="valid"), revocation_statement__in=RevocationStatement.values)
                ),
                name="certificates_revocation_has_public_statement",
            ),
        ]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.participant_name}"

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID
