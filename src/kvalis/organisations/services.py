"""Writes of organisations."""

from django.db import transaction

from kvalis.audit.services import audit_log
from kvalis.organisations.models import Organisation


@transaction.atomic
def organisation_create(
    *,
    actor,
    name: str,
    type: str,  # noqa: A002 - the model's field name
    municipality: str = "",
    short_name: str = "",
    company_code: str = "",
    email: str = "",
    website: str = "",
    address: str = "",
) -> Organisation:
    """Find the organisation with this name (any case) in this municipality, or create it.

    A coordinator who types a partner's name should not create a second copy of an institution
    that another project already knows.
    """
    name = " ".join(name.split())
    existing = Organisation.objects.filter(name__iexact=name, municipality=municipality).first()
    if existing is not None:
        return existing
    organisation = Organisation(
        name=name,
        type=type,
        municipality=municipality,
        short_name=short_name,
        company_code=company_code.strip(),
        email=email,
        website=website,
        address=address,
    )
    organisation.full_clean()
    organisation.save()
    audit_log(actor=actor, action="organisation.create", obj=organisation)
    return organisation
