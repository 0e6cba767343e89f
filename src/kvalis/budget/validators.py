"""Checks for money amounts and uploaded documents, shared by forms and services."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Signatures (magic numbers) of the document types we accept: the extension alone proves nothing.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def validate_amount(amount, *, allow_zero: bool = False) -> Decimal:
    """An exact amount in cents: a Decimal with at most two decimal places, above zero."""
    if isinstance(amount, float):
        # A float has already lost the exact cents; refuse rather than guess.
        raise ValidationError(_("Enter the amount as an exact number."), code="inexact")
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(_("Enter an amount such as 1 234,50."), code="invalid") from None
    if not value.is_finite():
        raise ValidationError(_("Enter an amount such as 1 234,50."), code="invalid")
    if value < 0:
        raise ValidationError(_("The amount cannot be negative."), code="negative")
    if value == 0 and not allow_zero:
        raise ValidationError(_("The amount must be greater than zero."), code="zero")
    if value.as_tuple().exponent < -2:
        raise ValidationError(
            _("Use at most two decimal places: amounts are exact to the cent."),
            code="too_many_decimals",
        )
    if value >= Decimal("10000000000"):
        raise ValidationError(_("The amount is too large."), code="too_large")
    return value.quantize(Decimal("0.01"))


def detect_document_type(head: bytes) -> str | None:
    for content_type, signatures in SIGNATURES.items():
        if head.startswith(signatures):
            return content_type
    return None


def validate_document(upload) -> str:
    """A PDF, JPEG or PNG no larger than KVALIS_MAX_UPLOAD_MB; returns its real content type."""
    limit_mb = settings.KVALIS_MAX_UPLOAD_MB
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is too large: at most %(limit)s MB is accepted.") % {"limit": limit_mb},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = detect_document_type(head)
    if content_type is None:
        raise ValidationError(
            _("Only PDF, JPEG or PNG documents are accepted; this file is none of them."),
            code="file_type",
        )
    return content_type
