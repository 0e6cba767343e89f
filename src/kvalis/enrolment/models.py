import secrets
import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kvalis.people.models import PositionCategory


class EnrolmentStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("e-mail not yet confirmed")
    APPLIED = "applied", _("awaiting approval")
    CONFIRMED = "confirmed", _("confirmed")
    WAITING = "waiting", _("on the waiting list")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")


# Statuses that hold a seat in the cohort.
SEAT_HOLDING = (EnrolmentStatus.CONFIRMED,)


class Enrolment(models.Model):
    """A person in a cohort, with a snapshot of their employer and position at enrolment time."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    cohort = models.ForeignKey(
        "projects.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EnrolmentStatus.choices, db_index=True
    )
    partner = models.ForeignKey(
        "projects.Partner",
        verbose_name=_("quota of partner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("employer at enrolment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation_name = models.CharField(
        _("employer name at enrolment"), max_length=255, blank=True
    )
    position = models.CharField(_("position at enrolment"), max_length=200, blank=True)
    position_category = models.CharField(
        _("position category at enrolment"),
        max_length=16,
        choices=PositionCategory.choices,
        blank=True,
    )
    waiting_position = models.PositiveIntegerField(
        _("place on waiting list"), null=True, blank=True
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enrolled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        indexes = [
            # A cohort's enrolments of a status: seats, rosters, the hours ledger.
            models.Index(fields=["cohort", "status"], name="enrolment_cohort_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cohort"], name="enrolment_one_per_person_per_cohort"
            ),
            models.CheckConstraint(
                condition=Q(waiting_position__isnull=True) | Q(status="waiting"),
                name="enrolment_waiting_position_only_when_waiting",
            ),
            models.CheckConstraint(
                condition=Q(waiting_position__isnull=False) | ~Q(status="waiting"),
                name="enrolment_waiting_has_a_position",
            ),
            models.UniqueConstraint(
                fields=["cohort", "waiting_position"],
                condition=Q(waiting_position__isnull=False),
                name="enrolment_one_person_per_waiting_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.cohort}"


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class EnrolmentConfirmation(models.Model):
    """The secret link an applicant follows to confirm their e-mail address."""

    enrolment = models.OneToOneField(
        Enrolment,
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="confirmation",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_token)
    language = models.CharField(
        _("language"), max_length=8, default="lt", help_text=_("Language of the application form.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail confirmation")
        verbose_name_plural = _("e-mail confirmations")

    def __str__(self) -> str:
        return str(self.enrolment)


class EnrolmentNote(models.Model):
    """What the enrolment app adds to an enrolment: overrides with their reasons, reminders."""

    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="note"
    )
    eligibility_override_reason = models.TextField(_("reason for the eligibility override"))
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("overridden by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("eligibility override")
        verbose_name_plural = _("eligibility overrides")

    def __str__(self) -> str:
        return str(self.enrolment)


class Reminder(models.Model):
    """A reminder before the first session was queued for this enrolment (at most once)."""

    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="reminder"
    )
    sent_at = models.DateTimeField(pgettext_lazy("e-mail", "queued"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return str(self.enrolment)


class CohortRegistration(models.Model):
    """How a cohort takes registrations. A cohort without this row uses the defaults."""

    cohort = models.OneToOneField(
        "projects.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.CASCADE,
        related_name="registration",
    )
    is_open = models.BooleanField(
        _("open for public applications"),
        default=True,
        help_text=_("Show the cohort in the public catalogue and accept applications."),
    )
    auto_approve = models.BooleanField(
        _("approve applications automatically"),
        default=False,
        help_text=_("Confirmed e-mail addresses get a seat (or a place on the waiting list)."),
    )
    closes_on = models.DateField(
        _("applications close on"),
        null=True,
        blank=True,
        help_text=_("Last day to apply; empty means until the cohort starts."),
    )

    class Meta:
        verbose_name = _("registration settings")
        verbose_name_plural = _("registration settings")

    def __str__(self) -> str:
        return str(self.cohort)


class Quota(models.Model):
    """Seats of a cohort reserved for one partner's nominees until the release date."""

    cohort = models.ForeignKey(
        "projects.Cohort", verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="quotas"
    )
    partner = models.ForeignKey(
        "projects.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    seats = models.PositiveIntegerField(_("seats"))
    release_on = models.DateField(
        _("unused seats open to everyone on"),
        null=True,
        blank=True,
        help_text=_("From this day on, seats the partner has not used are open to everyone."),
    )

    class Meta:
        verbose_name = _("seat quota")
        verbose_name_plural = _("seat quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "partner"], name="enrolment_quota_once_per_partner_per_cohort"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} — {self.cohort}: {self.seats}"

    def is_reserved(self, today: date) -> bool:
        return self.release_on is None or today < self.release_on


class CalendarToken(models.Model):
    """The secret in a person's personal calendar feed URL."""

    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="calendar_token",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.person)


class ImportStatus(models.TextChoices):
    READING = "reading", _("reading the file")
    MAPPING = "mapping", _("columns to map")
    VALIDATING = "validating", _("checking rows")
    VALIDATED = "validated", _("checked")
    IMPORTING = "importing", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("failed")


def import_upload_path(batch: "ImportBatch", filename: str) -> str:
    # A random folder: the staff list's name says nothing about whose it is. Never served from
    # MEDIA_URL, and deleted once the rows are read.
    return f"imports/{uuid.uuid4().hex}/{filename}"


class ImportBatch(models.Model):
    """One uploaded staff list on its way into a cohort: rows, column mapping, checks, result."""

    # The steps a worker runs; each writes `heartbeat_at` as it goes, so that one whose worker
    # died (no heartbeat for a while) can be told from one still running.
    RUNNING = (ImportStatus.READING, ImportStatus.VALIDATING, ImportStatus.IMPORTING)
    # Progress is recorded every few hundred rows (well under a second apart); a step queued
    # behind other long tasks is also stale after this long, and then its retry is harmless.
    STALE_AFTER = timedelta(minutes=5)

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="enrolment_imports",
    )
    cohort = models.ForeignKey(
        "projects.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.CASCADE,
        related_name="enrolment_imports",
    )
    partner = models.ForeignKey(
        "projects.Partner",
        verbose_name=_("quota of partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enrolment_imports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filename = models.CharField(_("file"), max_length=255)
    # The uploaded file until a worker has read its rows (then emptied).
    upload = models.FileField(
        _("uploaded file"), upload_to=import_upload_path, max_length=300, blank=True
    )
    header = models.JSONField(_("columns"), default=list)
    # The file's rows as [row number, [cell, ...]], and after the check one result per row:
    # {"number", "data", "errors", "action", "person"}. Kept as two JSON values rather than
    # a table of rows: writing 10 000 results is then one UPDATE, not 10 000.
    rows = models.JSONField(_("rows of the file"), default=list, blank=True)
    results = models.JSONField(_("checked rows"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.MAPPING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    message = models.TextField(_("message"), blank=True)
    # Which run of the current step may write: a retry increments it, so a worker that was only
    # slow (not dead) finds itself superseded and stops instead of importing twice.
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    notify = models.BooleanField(_("e-mail the people imported"), default=True)
    # The mapping beyond columns: a value for every row ({"position_category": "specialist",
    # "organisation": <pk>}), the position category derived from the position title, and the
    # category the uploader chose for each distinct title (its `titles.title_key`).
    constants = models.JSONField(_("same value for all rows"), default=dict, blank=True)
    derive_category = models.BooleanField(
        _("position category from the position title"), default=False
    )
    title_categories = models.JSONField(
        _("position category of each title"), default=dict, blank=True
    )
    # The row numbers the confirmer chose to import (the valid ones); empty: every row.
    selected = models.JSONField(_("rows to import"), default=list, blank=True)
    # What the mapping page shows of the file without reading its rows again: the first three
    # values of each column, and the columns beyond the header that hold values (and in how
    # many rows): {"values": [[...], ...], "beyond": [["G", "H"], 3]}.
    samples = models.JSONField(_("sample values"), default=dict, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of progress"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed_rows__lte=F("total_rows")),
                name="enrolment_import_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 100
        return int(self.processed_rows * 100 / self.total_rows)

    def is_interrupted(self, now: datetime | None = None) -> bool:
        """A running step whose worker has shown no progress for STALE_AFTER: it died."""
        if self.status not in self.RUNNING:
            return False
        last = self.heartbeat_at or self.created_at
        return last is not None and (now or timezone.now()) - last > self.STALE_AFTER


class HeldMail(models.Model):
    """An e-mail an import did not send because its confirmer chose to hold the e-mails: the
    person imported, sent later from the roster (`held_mail_send`) as their enrolment then
    stands (confirmed, waiting; nothing once cancelled)."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import"), on_delete=models.CASCADE, related_name="held_mail"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("held e-mail")
        verbose_name_plural = _("held e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "person"], name="enrolment_heldmail_one_per_person"
            ),
        ]

    def __str__(self) -> str:
        return str(self.person_id)


class ImportRowAction(models.TextChoices):
    NEW = "new", _("new person")
    LINK = "link", _("will be linked")
    ERROR = "error", _("error")


class MessageAudience(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmed participants")
    WAITING = "waiting", _("the waiting list")


class CohortMessage(models.Model):
    """One e-mail a coordinator or trainer wrote to a cohort's participants or waiting list.

    Written by `cohort_message_send`; `deliver_cohort_message` (a task) puts one outbox row per
    person and sets `sent_at` in the same transaction, so a delivery that dies sends nothing and
    one that is run again sends nothing twice.
    """

    cohort = models.ForeignKey(
        "projects.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    audience = models.CharField(_("to"), max_length=16, choices=MessageAudience.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    # Made when the form is shown: a second submit of the same form finds this row, sends nothing.
    token = models.UUIDField(unique=True, editable=False)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    without_address_count = models.PositiveIntegerField(_("without an e-mail address"), default=0)

    class Meta:
        verbose_name = _("message to a cohort")
        verbose_name_plural = _("messages to cohorts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=MessageAudience.values),
                name="enrolment_cohortmessage_audience_known",
            ),
            models.CheckConstraint(
                condition=~Q(subject="") & ~Q(body=""),
                name="enrolment_cohortmessage_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.subject
