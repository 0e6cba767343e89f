from django.db import models
from django.utils.translation import gettext_lazy as _

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

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
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
    name_locative = models.CharField(_("name in the locative (kur?)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["company_code"],
                condition=~models.Q(company_code=""),
                name="organisations_company_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def county(self) -> str:
        return county_of(self.municipality)

    def get_county_display(self) -> str:
        return County(self.county).label if self.county else ""
