from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kvalis.lib.text import validate_visible_name
from kvalis.organisations.codes import validate_company_code
from kvalis.organisations.geo import County, Municipality, county_of


class OrganisationType(models.TextChoices):
    LIBRARY = "library", _("library")
    MUSEUM = "museum", _("museum")
    CULTURE_CENTRE = "culture_centre", _("culture centre")
    UNIVERSITY = "university", _("university")
    EDUCATION_CENTRE = "education_centre", _("education centre")
    TRAINING_PROVIDER = "training_provider", _("training provider")
    FUNDER = "funder", _("funder")
    OTHER = "other", _("other")


class Organisation(models.Model):
    """An institution: a library, museum, culture centre, university, funder, ..."""

    name = models.CharField(_("name"), max_length=255, validators=[validate_visible_name])
    short_name = models.CharField(
        _("short name"), max_length=100, blank=True, validators=[validate_visible_name]
    )
    type = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    municipality = models.CharField(
        _("municipality"), max_length=32, choices=Municipality.choices, blank=True
    )
    # The format (9 digits) is checked by the services that write it, not here: codes typed in
    # the Django admin before the check existed must not stop an unrelated save.
    company_code = models.CharField(
        _("company code"), max_length=20, blank=True, help_text=_("Juridinio asmens kodas.")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    # Lithuanian case forms for generated texts, where they cannot be derived from `name`.
    name_genitive = models.CharField(_("name in the genitive (kieno?)"), max_length=255, blank=True)
    name_instrumental = models.CharField(
        _("name in the instrumental (kuo?)"), max_length=255, blank=True
    )
    name_dative = models.CharField(_("name in the dative (kam?)"), max_length=255, blank=True)
    name_accusative = models.CharField(
        _("name in the accusative (ką?)"), max_length=255, blank=True
    )
    name_locative = models.CharField(_("name in the locative (kur?)"), max_length=255, blank=True)
    # Who owns this organisation's people (see kvalis.ownership): a registered organisation has
    # coordinators of its own; an unregistered one (a village culture centre) is represented
    # by the registered organisation that keeps its staff records, or by nobody.
    registered_at = models.DateTimeField(
        _("registered"),
        null=True,
        blank=True,
        help_text=_(
            "Set by a site administrator: the organisation's coordinators may start projects "
            "and answer partnership invitations."
        ),
    )
    represented_by = models.ForeignKey(
        "self",
        verbose_name=_("represented by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="represented",
        help_text=_(
            "For an unregistered institution: the registered organisation that keeps its staff "
            "records (e.g. the district library for a village culture centre)."
        ),
    )
    # Its coordinators sign in with a second factor (kvalis.accounts.second_factor): one without
    # a device is sent to set one up before using any other page.
    require_second_factor = models.BooleanField(
        _("coordinators must use a second factor"),
        default=False,
        help_text=_(
            "Coordinators sign in with a code from an authenticator app as well as the password."
        ),
    )
    # Whose coordinators added it through the directory: they may correct an unregistered
    # organisation they added, also one nobody represents (a funder).
    created_by_organisation = models.ForeignKey(
        "self",
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["company_code"],
                condition=~models.Q(company_code=""),
                name="organisations_company_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(registered_at__isnull=True) | Q(represented_by__isnull=True),
                name="organisations_registered_speaks_for_itself",
            ),
            models.CheckConstraint(
                condition=~Q(represented_by=F("pk")),
                name="organisations_not_represented_by_itself",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def county(self) -> str:
        return county_of(self.municipality)

    def get_county_display(self) -> str:
        return County(self.county).label if self.county else ""

    @property
    def is_registered(self) -> bool:
        return self.registered_at is not None


class OrganisationCoordinator(models.Model):
    """A login that speaks for a registered organisation: starts its projects, answers its
    partnership invitations and keeps its people's records."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="coordinators",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="organisation_roles",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation coordinator")
        verbose_name_plural = _("organisation coordinators")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="organisations_coordinator_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"


class JoinRequestStatus(models.TextChoices):
    # In a context of their own: "a request" is masculine in Lithuanian (atmestas), other
    # statuses elsewhere are not (registracija atmesta).
    PENDING = "pending", pgettext_lazy("join request", "pending")
    APPROVED = "approved", pgettext_lazy("join request", "approved")
    REJECTED = "rejected", pgettext_lazy("join request", "rejected")


class JoinRequest(models.Model):
    """An institution asks to join Kvalis: a site administrator approves it (the organisation
    is registered and the contact person becomes its first coordinator) or rejects it."""

    name = models.CharField(_("name"), max_length=255, validators=[validate_visible_name])
    type = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    municipality = models.CharField(_("municipality"), max_length=32, choices=Municipality.choices)
    company_code = models.CharField(
        _("company code"),
        max_length=9,
        validators=[validate_company_code],
        help_text=_("Juridinio asmens kodas: 9 digits."),
    )
    address = models.CharField(_("address"), max_length=255)
    contact_first_name = models.CharField(
        _("first name"), max_length=150, validators=[validate_visible_name]
    )
    contact_last_name = models.CharField(
        _("last name"), max_length=150, validators=[validate_visible_name]
    )
    contact_email = models.EmailField(_("e-mail"))
    contact_phone = models.CharField(_("phone"), max_length=40)
    contact_position = models.CharField(_("position"), max_length=200)
    language = models.CharField(_("language"), max_length=8, default="lt")
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=JoinRequestStatus.choices,
        default=JoinRequestStatus.PENDING,
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # The organisation the approval registered (created, or an unregistered one with this code).
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="join_requests",
    )

    class Meta:
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints = [
            # One open request per institution: a second one waits for the first's answer.
            models.UniqueConstraint(
                fields=["company_code"],
                condition=Q(status="pending"),
                name="organisations_one_open_join_request",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="organisations_join_request_decided_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company_code})"

    @property
    def contact_name(self) -> str:
        return f"{self.contact_first_name} {self.contact_last_name}".strip()

    @property
    def is_pending(self) -> bool:
        return self.status == JoinRequestStatus.PENDING


class RetentionPolicy(models.Model):
    """How long an organisation keeps personal data; an organisation without one keeps it for
    the defaults (`kvalis.people.retention.DEFAULTS`). Applied by `kvalis apply_retention`."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="retention_policy",
    )
    contact_data_years = models.PositiveSmallIntegerField(
        _("participants' contact data, years after the project ends"), default=5
    )
    unconfirmed_application_days = models.PositiveSmallIntegerField(
        _("applications never confirmed, days"), default=90
    )
    survey_participation_years = models.PositiveSmallIntegerField(
        _("survey participation records, years after the survey closes"), default=1
    )
    audit_log_years = models.PositiveSmallIntegerField(_("audit log, years"), default=10)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return str(self.organisation)
