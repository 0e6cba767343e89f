"""Open Badges 3.0 credentials: who signs them, with which key, and where their status is.

- `IssuerIdentity`: a certificate-issuing organisation as a `did:web` issuer, named in public
  by a UUID of its own (never the organisation's database id).
- `IssuerKey`: its Ed25519 key pairs, numbered; the private half encrypted at rest
  (`kvalis.credentials.keys`). One is active; retired ones stay published in the DID document so
  that what they signed keeps verifying.
- `StatusList`: a Bitstring Status List (131 072 entries, the specification's minimum, so one
  revoked credential hides among many) with its signed list credential, re-signed whenever a bit
  changes.
- `Credential`: one certificate's `OpenBadgeCredential`: its id, its status entry, the VC-JWT
  signed once at issue and the key that signed it.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

STATUS_LIST_SIZE = 131_072  # entries (bits): 16 KB, the Bitstring Status List minimum


class IssuerIdentity(models.Model):
    # Not one-to-one: merging two organisations (`organisation_merge`) moves the duplicate's
    # identity to the kept one, whose credentials under either DID keep verifying. It signs
    # with its oldest identity.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="issuer_identities",
    )
    # In the issuer's DID and URLs: did:web:<host>:issuers:<public_id>.
    public_id = models.UUIDField(_("public identifier"), default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("credential issuer")
        verbose_name_plural = _("credential issuers")

    def __str__(self) -> str:
        return str(self.organisation)


class IssuerKey(models.Model):
    identity = models.ForeignKey(
        IssuerIdentity, verbose_name=_("issuer"), on_delete=models.PROTECT, related_name="keys"
    )
    number = models.PositiveIntegerField(_("number"))  # the DID fragment: #key-<number>
    # The raw 32-byte Ed25519 public key, published in the DID document.
    public_key = models.BinaryField(_("public key"))
    # The raw private key, encrypted (AES-256-GCM, `keys.encrypt_private_key`).
    private_key_encrypted = models.BinaryField(_("encrypted private key"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("issuer key")
        verbose_name_plural = _("issuer keys")
        ordering = ["identity", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["identity", "number"], name="credentials_key_number_unique"
            ),
            models.UniqueConstraint(
                fields=["identity"],
                condition=Q(retired_at__isnull=True),
                name="credentials_one_active_key",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="credentials_key_number_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.identity} #key-{self.number}"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class StatusList(models.Model):
    identity = models.ForeignKey(
        IssuerIdentity,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="status_lists",
    )
    number = models.PositiveIntegerField(_("number"))  # /issuers/<id>/status/<number>
    size = models.PositiveIntegerField(_("entries"), default=STATUS_LIST_SIZE)
    next_index = models.PositiveIntegerField(_("next free entry"), default=0)
    # The bitstring itself, uncompressed (size / 8 bytes); bit 0 is the first byte's high bit.
    bits = models.BinaryField(_("bits"))
    # The published list credential (a VC-JWT), signed again whenever a bit changes.
    signed_jwt = models.TextField(_("signed list"), blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        constraints = [
            models.UniqueConstraint(
                fields=["identity", "number"], name="credentials_status_list_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(next_index__lte=models.F("size")),
                name="credentials_status_list_not_overfull",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identity} status/{self.number}"

    def is_set(self, index: int) -> bool:
        return bool(bytes(self.bits)[index // 8] & (0x80 >> (index % 8)))


class Credential(models.Model):
    certificate = models.OneToOneField(
        "certificates.Certificate",
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        related_name="credential",
    )
    # The credential's id: urn:uuid:<credential_id>, the same however often it is downloaded.
    credential_id = models.UUIDField(_("credential id"), default=uuid.uuid4, unique=True)
    status_list = models.ForeignKey(
        StatusList,
        verbose_name=_("status list"),
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    status_index = models.PositiveIntegerField(_("status list entry"))
    # Signed once (at issue, or on first request for a certificate issued before credentials).
    jwt = models.TextField(_("signed credential"), blank=True)
    key = models.ForeignKey(
        IssuerKey,
        verbose_name=_("signed with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    # Signed after the holder's data were erased: no name, no hash of their e-mail.
    holder_withheld = models.BooleanField(_("holder withheld"), default=False)
    # Set when the certificate was reissued: verification says "replaced by urn:uuid:…".
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
    )

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="credentials_status_entry_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return f"urn:uuid:{self.credential_id}"
