"""Lithuanian company codes (juridinio asmens kodas): nine digits, as the Register of Legal
Entities gives them. Only the format is checked here; whether the code is taken is a service's
question (an organisation or an open join request may already have it)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

COMPANY_CODE = re.compile(r"^\d{9}$")


def normalise_company_code(value: str) -> str:
    """The code as typed, without the spaces people put in it ("190 125 541")."""
    return "".join((value or "").split())


def validate_company_code(value: str) -> None:
    if value and not COMPANY_CODE.match(value):
        raise ValidationError(
            _("A company code (juridinio asmens kodas) is 9 digits, e.g. 190125541."),
            code="company_code",
        )
