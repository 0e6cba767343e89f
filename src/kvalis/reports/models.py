import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PublicSummary(models.Model):
    """The news-style text about a project: generated from its data, edited and published by the
    coordinator, shown on the public project page once published."""

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="public_summary",
    )
    title = models.CharField(_("headline"), max_length=300)
    text = models.TextField(_("text"))
    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)

    class Meta:
        verbose_name = _("public summary")
        verbose_name_plural = _("public summaries")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published=False) | models.Q(published_at__isnull=False),
                name="reports_summary_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def paragraphs(self) -> list[str]:
        return [part.strip() for part in self.text.split("\n\n") if part.strip()]


class ExportKind(models.TextChoices):
    FINAL_REPORT = "final_report", _("final report to the funder (PDF)")
    EXPORT = "export", _("person-level export")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("being prepared")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class ExportError(models.TextChoices):
    """Why a file was not made, shown translated on the job's page."""

    ACCESS = "access", _("You may no longer download this file from this project.")
    UNEXPECTED = "unexpected", _("An unexpected error stopped the preparation; try again.")


def export_file_path(instance: "ExportJob", filename: str) -> str:
    # A random folder: on a server that exposes MEDIA_URL the file's address cannot be guessed;
    # the download itself goes through the job's page, which checks who asks.
    return f"reports/exports/{secrets.token_hex(16)}/{filename}"


class ExportJob(models.Model):
    """A download prepared in the background (the final report, a person-level export): it
    belongs to the user who asked for it, in one project, and is kept for a limited time."""

    # A running job whose heartbeat is older than this is shown as interrupted (worker stopped).
    STALE_AFTER = timedelta(minutes=3)

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExportKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    error = models.CharField(_("error"), max_length=16, choices=ExportError.choices, blank=True)
    file = models.FileField(_("file"), upload_to=export_file_path, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    heartbeat_at = models.DateTimeField(_("last sign of work"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("deleted after"))

    class Meta:
        verbose_name = _("prepared download")
        verbose_name_plural = _("prepared downloads")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["expires_at"], name="reports_export_expires_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="reports_export_progress_le_100"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(file=""),
                name="reports_export_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def stale(self) -> bool:
        """Running, but the worker has not reported for a while: it was stopped mid-way."""
        if self.status != ExportStatus.RUNNING:
            return False
        last = self.heartbeat_at or self.created_at
        return last < timezone.now() - self.STALE_AFTER

    @property
    def in_progress(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) and not self.stale

    @property
    def ready(self) -> bool:
        return self.status == ExportStatus.DONE and not self.expired

    @property
    def can_retry(self) -> bool:
        return self.status == ExportStatus.FAILED or self.stale or self.expired


class EnrolmentFigures(models.Model):
    """An enrolment's attendance totals, kept by `reports.figures` whenever its attendance (or a
    session's hours) changes, so that indicators add up enrolment rows instead of attendance rows.

    Only what attendance decides is stored; who the person is, the enrolment's status, overrides,
    certificates and the budget are read live (see `reports.figures`)."""

    enrolment = models.OneToOneField(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
    )
    records = models.PositiveIntegerField(_("attendance records"), default=0)
    attended = models.PositiveIntegerField(_("sessions attended"), default=0)
    # Hours in tenths (sessions have one decimal, late credit is rounded to 0.1): exact, and
    # integers are read much faster than decimals.
    present_tenths = models.PositiveIntegerField(_("tenths of hours present"), default=0)
    late_tenths = models.PositiveIntegerField(
        _("tenths of hours credited for late arrivals"), default=0
    )

    class Meta:
        verbose_name = _("enrolment figures")
        verbose_name_plural = _("enrolment figures")

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.attended}/{self.records}"


class ProjectFigures(models.Model):
    """Marks a project whose `EnrolmentFigures` are complete: set when the project is created
    through its service (nothing to count yet) or rebuilt from raw data (`rebuild_indicators`).
    A project without it is reported from raw attendance, as before."""

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="figures",
    )
    rebuilt_at = models.DateTimeField(_("rebuilt at"), default=timezone.now)
    # Moved on by the reader that folds the committed `FiguresChange` rows into it, so a
    # `StoredIndicators` row computed at an older version is known to be stale.
    version = models.PositiveBigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("project figures")
        verbose_name_plural = _("project figures")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.rebuilt_at:%Y-%m-%d %H:%M}"


class FiguresChange(models.Model):
    """A change to what a maintained project's indicators read, not yet counted in
    `ProjectFigures.version`.

    Writers add one (`reports.figures.project_changed`) in their own transaction instead of
    bumping the version: an insert locks no row that another writer needs, where the UPDATE of
    the project's one figures row was held until commit, so every writer of a project queued
    behind the others, and a writer that took a cohort's seat lock after it (an import enrolling
    in several cohorts) could deadlock with one that took them in the other order. A reader
    that finds committed changes folds them into the version before recomputing
    (`reports.figures.current_version`)."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("figures change")
        verbose_name_plural = _("figures changes")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.pk}"


class StoredIndicators(models.Model):
    """The unfiltered indicators of a maintained project (`partner` empty) or of one partner's
    scope, as computed at `version` of its `ProjectFigures` on `computed_on` (completion depends
    on the day). Read by `reports.indicators.stored_indicators`, which recomputes a stale row."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="stored_indicators",
    )
    partner = models.ForeignKey(
        "projects.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    version = models.PositiveBigIntegerField(_("version"))
    computed_on = models.DateField(_("computed on"))
    # `project_indicators()`'s result as JSON, Decimals and dates tagged so that they come back
    # exactly (see `reports.indicators.stored_json`).
    data = models.TextField(_("indicators"))

    class Meta:
        verbose_name = _("stored indicators")
        verbose_name_plural = _("stored indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(partner__isnull=True),
                name="reports_stored_indicators_one_per_project",
            ),
            models.UniqueConstraint(
                fields=["project", "partner"], name="reports_stored_indicators_one_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.partner_id or '-'}: v{self.version} {self.computed_on}"
