from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cohort"], name="enrolment_one_per_person_per_cohort"
            ),
            models.CheckConstraint(
                condition=Q(waiting_position__isnull=True) | Q(status="waiting"),
                name="enrolment_waiting_position_only_when_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.cohort}"
