from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from kvalis.lib.text import validate_visible_name


class PositionCategory(models.TextChoices):
    HEAD = "head", _("head of institution")
    DEPUTY = "deputy", _("deputy head")
    MANAGER = "manager", _("culture manager")
    SPECIALIST = "specialist", _("specialist")
    OTHER = "other", _("other")


class Person(models.Model):
    """A cultural worker (or a trainer). May have a login (`user`)."""

    first_name = models.CharField(
        _("first name"), max_length=100, validators=[validate_visible_name]
    )
    last_name = models.CharField(_("last name"), max_length=100, validators=[validate_visible_name])
    email = models.EmailField(_("e-mail"), blank=True)
    # An invitation (a login, a set-password link) goes only to an address the person's employer
    # recorded or the person proved by confirming an application, never to one typed by a stranger.
    email_verified = models.BooleanField(
        _("address confirmed"),
        default=False,
        help_text=_("Recorded by the employer or confirmed by the person."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    position = models.CharField(_("position"), max_length=200, blank=True)
    position_category = models.CharField(
        _("position category"),
        max_length=16,
        choices=PositionCategory.choices,
        default=PositionCategory.SPECIALIST,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="people_person_email_ci_unique",
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
