from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kvalis.lib.text import validate_visible_name
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
