"""The study visit (pažintinė išvyka): destination, itinerary, selection, travellers, costs."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class StudyVisit(models.Model):
    """An activity of kind study visit: where, when, and who may travel (the criteria)."""

    activity = models.OneToOneField(
        "projects.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="study_visit",
    )
    cohort = models.ForeignKey(
        "projects.Cohort",
        verbose_name=_("travelling group"),
        on_delete=models.PROTECT,
        related_name="study_visits",
        help_text=_("Travellers are enrolled in this cohort of the activity."),
    )
    destination_city = models.CharField(_("destination city"), max_length=100)
    destination_country = models.CharField(_("destination country"), max_length=100)
    start_date = models.DateField(_("departure date"))
    end_date = models.DateField(_("return date"))
    description = models.TextField(_("description"), blank=True)
    places = models.PositiveSmallIntegerField(_("places for travellers"), default=20)
    # Selection criteria.
    min_completed_modules = models.PositiveSmallIntegerField(
        _("completed modules at least"),
        default=1,
        help_text=_("How many training modules of this project a traveller must have completed."),
    )
    max_per_partner = models.PositiveSmallIntegerField(
        _("places per partner at most"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit."),
    )
    position_categories = models.JSONField(
        _("position categories"),
        default=list,
        blank=True,
        help_text=_("Leave empty for any position."),
    )

    class Meta:
        verbose_name = _("study visit")
        verbose_name_plural = _("study visits")
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="visits_visit_period_valid"
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="visits_visit_places_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.activity.title} ({self.destination_city})"


class HostVisit(models.Model):
    """One stop of the itinerary: a host organisation, when, and what it shows."""

    visit = models.ForeignKey(
        StudyVisit, verbose_name=_("study visit"), on_delete=models.CASCADE, related_name="hosts"
    )
    organisation_name = models.CharField(_("host organisation"), max_length=300)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=100)
    starts_at = models.DateTimeField(_("date and time"))
    topic = models.CharField(_("topic"), max_length=500)
    outcomes = models.TextField(
        _("outcomes"),
        blank=True,
        help_text=_("After the visit: what the group learnt and what it will use at home."),
    )

    class Meta:
        verbose_name = _("host visit")
        verbose_name_plural = _("host visits")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.organisation_name} ({self.city})"


class TravellerStatus(models.TextChoices):
    TRAVELLER = "traveller", _("traveller")
    RESERVE = "reserve", _("reserve")


class Traveller(models.Model):
    """A person selected for the study visit, as a traveller or on the reserve list."""

    visit = models.ForeignKey(
        StudyVisit,
        verbose_name=_("study visit"),
        on_delete=models.CASCADE,
        related_name="travellers",
    )
    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="study_visit_places",
    )
    status = models.CharField(_("status"), max_length=16, choices=TravellerStatus.choices)
    reserve_rank = models.PositiveSmallIntegerField(
        _("place on the reserve list"), null=True, blank=True
    )
    enrolment = models.ForeignKey(
        "enrolment.Enrolment",
        verbose_name=_("enrolment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # What the selection knew when the person was chosen.
    completed_modules = models.PositiveSmallIntegerField(_("completed modules"), default=0)
    met_criteria = models.BooleanField(_("met the criteria"), default=True)
    override_reason = models.TextField(_("reason for the exception"), blank=True)
    # Checklist.
    travel_document_expiry = models.DateField(
        _("travel document valid until"), null=True, blank=True
    )
    insurance = models.BooleanField(_("travel insurance arranged"), default=False)
    consent = models.BooleanField(_("consent received"), default=False)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("selected by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("traveller")
        verbose_name_plural = _("travellers")
        ordering = ["status", "reserve_rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "person"], name="visits_traveller_once"),
            models.CheckConstraint(
                condition=Q(status__in=TravellerStatus.values), name="visits_traveller_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(status="reserve") & Q(reserve_rank__isnull=False))
                | (~Q(status="reserve") & Q(reserve_rank__isnull=True)),
                name="visits_traveller_rank_iff_reserve",
            ),
            models.CheckConstraint(
                condition=Q(met_criteria=True) | ~Q(override_reason=""),
                name="visits_traveller_exception_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()}"

    def document_valid_for(self, visit: StudyVisit) -> bool:
        return (
            self.travel_document_expiry is not None
            and self.travel_document_expiry >= visit.end_date
        )

    def checklist_complete(self, visit: StudyVisit) -> bool:
        return self.document_valid_for(visit) and self.insurance and self.consent


class TravellerCost(models.Model):
    """A traveller's share of a budget expense (a ticket, a hotel room, the bus)."""

    traveller = models.ForeignKey(
        Traveller, verbose_name=_("traveller"), on_delete=models.CASCADE, related_name="costs"
    )
    expense = models.ForeignKey(
        "budget.Expense",
        verbose_name=_("expense"),
        on_delete=models.CASCADE,
        related_name="traveller_costs",
    )
    amount = models.DecimalField(_("share"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("traveller's cost")
        verbose_name_plural = _("travellers' costs")
        constraints = [
            models.UniqueConstraint(
                fields=["traveller", "expense"], name="visits_cost_once_per_expense"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="visits_cost_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.traveller.person}: {self.expense}"
