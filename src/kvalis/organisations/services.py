"""Writes of organisations."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

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
    represented_by: Organisation | None = None,
) -> Organisation:
    """Create an (unregistered) organisation, represented by `represented_by` (the creator's
    own organisation, which keeps its staff records).

    An existing organisation of the same name (any case) in the same municipality is never
    reused silently: that would hand its people to whoever typed its name.
    """
    name = " ".join(name.split())
    if Organisation.objects.filter(name__iexact=name, municipality=municipality).exists():
        raise ValidationError(
            {
                "new_name": _(
                    "%(name)s is already in the list: choose it there (as a partner it must "
                    "accept the invitation)."
                )
                % {"name": name}
            }
        )
    organisation = Organisation(
        represented_by=represented_by,
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
