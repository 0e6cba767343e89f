from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kvalis.lib.collation import sort_key
from kvalis.lib.text import validate_visible_name


def name_sort_key(last_name: str, first_name: str) -> bytes:
    """The key that orders people as `lt_order("last_name", "first_name")` does: ICU's key of the
    last name, then of the first name. Each ICU key ends in its only zero byte, so a last name
    that begins another (Kazla, Kazlauskas) sorts first, byte by byte, on either database."""
    return sort_key(last_name or "") + sort_key(first_name or "")


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
    # Set when the person was erased (at their request or by the retention rules): the name is
    # then the pseudonym, the contact data and the login are gone, the training record stays.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The ICU sort key of "last name, first name" in Lithuanian order (`name_sort_key`): lists
    # order by it through an index, instead of calling the collation for every row (SQLite runs
    # ICU as a Python function, so page 500 of 50 000 people took seconds).
    sort_key = models.BinaryField(_("sort key"), default=b"", editable=False)

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
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["sort_key", "id"], name="people_person_sort_key"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        # Derived from the names alone, so kept beside them wherever a person is saved; bulk
        # writes (imports) set it with `name_sort_key` themselves.
        self.sort_key = name_sort_key(self.last_name, self.first_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "sort_key"}
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ErasureStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("erasure request", "requested")
    APPROVED = "approved", pgettext_lazy("erasure request", "approved")
    REFUSED = "refused", pgettext_lazy("erasure request", "refused")
    DONE = "done", pgettext_lazy("erasure request", "carried out")


OPEN_ERASURE_STATUSES = (ErasureStatus.REQUESTED, ErasureStatus.APPROVED)


class ErasureRequest(models.Model):
    """A person's request to be erased (GDPR art. 17), reviewed by their employer's keepers and
    carried out by pseudonymising them (`people.erasure.person_erase`)."""

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="erasure_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=ErasureStatus.choices, default=ErasureStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusal"), blank=True, max_length=2000)
    done_at = models.DateTimeField(_("carried out"), null=True, blank=True)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request per person: a second one waits for the first's answer.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["requested", "approved"]),
                name="people_one_open_erasure_request",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ErasureStatus.values),
                name="people_erasure_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="people_erasure_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ERASURE_STATUSES
