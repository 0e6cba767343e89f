"""Set-up of a funded project: the consortium, what is taught, and when and where."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kvalis.lib.money import Currency, in_eur
from kvalis.lib.text import validate_visible_name


class Project(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        allow_unicode=False,
        help_text=_("A short identifier used in addresses, e.g. UTENA-KT-2014."),
    )
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    funder = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("funder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funded_projects",
    )
    funding_programme = models.CharField(_("funding programme"), max_length=300, blank=True)
    grant_amount = models.DecimalField(
        _("grant amount"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.EUR
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    planned_participants = models.PositiveIntegerField(_("planned persons to train"), default=0)
    planned_academic_hours = models.PositiveIntegerField(_("planned academic hours"), default=0)
    planned_certificates = models.PositiveIntegerField(_("planned certificates"), default=0)
    is_public = models.BooleanField(
        _("public page"), default=True, help_text=_("Show the project page to everyone.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-start_date", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="projects_project_period_valid"
            ),
            models.CheckConstraint(
                condition=Q(grant_amount__gte=0), name="projects_project_grant_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(currency__in=Currency.values), name="projects_project_currency_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def grant_eur(self) -> Decimal:
        return in_eur(self.grant_amount, self.currency)


class PartnerRole(models.TextChoices):
    LEAD = "lead", _("lead")
    ACADEMIC = "academic", _("academic partner")
    TRAINING_PROVIDER = "training_provider", _("training provider")
    EDUCATION_CENTRE = "education_centre", _("education centre")
    SENDING = "sending", _("sending partner")


class PartnerStatus(models.TextChoices):
    """A partnership is offered by the project and accepted by the partner organisation."""

    INVITED = "invited", _("awaiting acceptance")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    LEFT = "left", _("left the project")


class Partner(models.Model):
    """An organisation's role in a project, with its contact and the institutions it speaks for.

    Until the partner organisation accepts (`status`), the project sees none of its people.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="partnerships",
    )
    role = models.CharField(_("role"), max_length=32, choices=PartnerRole.choices)
    contact_name = models.CharField(
        _("contact person"), max_length=200, blank=True, validators=[validate_visible_name]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    # A municipal library nominates the culture workers of its whole district, not only its
    # own staff: those institutions are listed here.
    covered_organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("institutions it nominates for"),
        blank=True,
        related_name="covering_partners",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PartnerStatus.choices, default=PartnerStatus.INVITED
    )
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation"], name="projects_partner_once_per_project"
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(role="lead"),
                name="projects_partner_one_lead",
            ),
            models.CheckConstraint(
                condition=~Q(role="lead") | Q(status="accepted"),
                name="projects_partner_lead_accepted",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PartnerStatus.values), name="projects_partner_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"

    @property
    def is_accepted(self) -> bool:
        return self.status == PartnerStatus.ACCEPTED


class MembershipRole(models.TextChoices):
    COORDINATOR = "coordinator", _("project coordinator")
    PARTNER_COORDINATOR = "partner_coordinator", _("partner coordinator")
    FUNDER_OBSERVER = "funder_observer", _("funder observer")


class Membership(models.Model):
    """A login's role in a project. Trainers and participants get access through their Person."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=32, choices=MembershipRole.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="projects_membership_unique"),
            models.CheckConstraint(
                condition=Q(role="partner_coordinator", partner__isnull=False)
                | (~Q(role="partner_coordinator") & Q(partner__isnull=True)),
                name="projects_membership_partner_iff_partner_coordinator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class ActivityKind(models.TextChoices):
    MODULE = "module", _("training module")
    LECTURE = "lecture", _("lecture")
    SEMINAR = "seminar", _("seminar")
    STUDY_VISIT = "study_visit", _("study visit")


class Activity(models.Model):
    """What is taught or done: a training module, lecture, seminar or study visit."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    learning_outcomes = models.TextField(_("learning outcomes"), blank=True)
    audience_description = models.TextField(_("audience"), blank=True)
    # Empty lists mean "anyone"; values are PositionCategory / OrganisationType / County codes.
    audience_position_categories = models.JSONField(
        _("position categories"), default=list, blank=True
    )
    audience_organisation_types = models.JSONField(
        _("organisation types"), default=list, blank=True
    )
    audience_counties = models.JSONField(_("counties"), default=list, blank=True)
    academic_hours = models.DecimalField(
        _("academic hours"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("0"),
        help_text=_("One academic hour is 45 minutes."),
    )
    completion_percent = models.PositiveSmallIntegerField(
        # xgettext:no-python-format
        _("completion threshold, % of hours"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(academic_hours__gte=0), name="projects_activity_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(completion_percent__gte=1, completion_percent__lte=100),
                name="projects_activity_completion_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Venue(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="venues"
    )
    name = models.CharField(_("name"), max_length=255)
    address = models.CharField(_("address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True, default="Lietuva")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("host organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="projects_venue_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Cohort(models.Model):
    """One run of an activity (a group): capacity, venue, trainers, dates."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=200)
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cohorts",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    capacity = models.PositiveIntegerField(_("capacity"), default=25)
    trainers = models.ManyToManyField(
        "people.Person", verbose_name=_("trainers"), blank=True, related_name="trained_cohorts"
    )
    notes = models.TextField(_("notes"), blank=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="projects_cohort_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity.title} — {self.name}"


class Session(models.Model):
    """One dated meeting of a cohort."""

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("topic"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    academic_hours = models.DecimalField(
        _("academic hours"),
        max_digits=5,
        decimal_places=1,
        help_text=_("One academic hour is 45 minutes."),
    )
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
        help_text=_("Leave empty to use the cohort's venue."),
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="projects_session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(academic_hours__gt=0), name="projects_session_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cohort} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def effective_venue(self):
        return self.venue or self.cohort.venue
