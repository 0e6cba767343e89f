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


@transaction.atomic
def organisation_register(*, actor, organisation: Organisation) -> Organisation:
    """A site administrator registers an organisation: it speaks for itself from now on (it is
    no longer represented by another), and its coordinators may start projects."""
    from django.utils import timezone

    if organisation.registered_at is not None:
        return organisation
    organisation.registered_at = timezone.now()
    organisation.represented_by = None
    organisation.full_clean()
    organisation.save(update_fields=["registered_at", "represented_by"])
    audit_log(actor=actor, action="organisation.register", obj=organisation)
    return organisation


@transaction.atomic
def organisation_coordinator_add(*, actor, organisation: Organisation, user):
    """Name `user` a coordinator of a registered organisation."""
    from kvalis.organisations.models import OrganisationCoordinator

    if organisation.registered_at is None:
        raise ValidationError(
            _("Register %(name)s first: only a registered organisation has coordinators.")
            % {"name": organisation.name}
        )
    coordinator, created = OrganisationCoordinator.objects.get_or_create(
        organisation=organisation, user=user
    )
    if created:
        audit_log(
            actor=actor,
            action="organisation.coordinator_add",
            obj=organisation,
            organisation=organisation,
            summary=f"{organisation.name} — {user.email}",
        )
    return coordinator
