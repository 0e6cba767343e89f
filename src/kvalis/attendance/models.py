from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    LATE = "late", _("late")
    ABSENT = "absent", _("absent")
    EXCUSED = "excused", _("excused")


class AttendanceMethod(models.TextChoices):
    FORM = "form", _("trainer's form")
    QR = "qr", _("QR self check-in")
    SHEET = "sheet", _("printed sign-in sheet")
    IMPORT = "import", _("import")


class Attendance(models.Model):
    """A person (through their enrolment) at a session."""

    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    session = models.ForeignKey(
        "projects.Session",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    status = models.CharField(_("status"), max_length=16, choices=AttendanceStatus.choices)
    minutes_attended = models.PositiveIntegerField(
        _("minutes attended"),
        null=True,
        blank=True,
        help_text=_("For late arrivals: how many minutes of the session the person attended."),
    )
    method = models.CharField(
        _("recorded by"), max_length=16, choices=AttendanceMethod.choices, default="form"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session"], name="attendance_once_per_enrolment_per_session"
            ),
            models.CheckConstraint(
                condition=Q(minutes_attended__isnull=True) | Q(status="late"),
                name="attendance_minutes_only_when_late",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.person} @ {self.session}: {self.get_status_display()}"


class CompletionOverride(models.Model):
    """A coordinator's decision that an enrolment is (or is not) complete, whatever the hours say.

    Completion is otherwise computed from attendance (`selectors.completion_for_cohort`); an
    override always carries a written reason, and setting or clearing one is audited.
    """

    enrolment = models.OneToOneField(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.CASCADE,
        related_name="completion_override",
    )
    completed = models.BooleanField(_("completed"))
    reason = models.TextField(_("reason"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("completion override")
        verbose_name_plural = _("completion overrides")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""), name="attendance_completion_override_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.completed}"
