"""Writes of people (cultural workers and trainers)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kvalis.audit.services import audit_log
from kvalis.organisations.models import Organisation
from kvalis.people.models import Person

PERSON_FIELDS = {
    "first_name",
    "last_name",
    "email",
    "phone",
    "organisation",
    "position",
    "position_category",
    "user",
}


def person_validate(person: Person) -> None:
    """What a person must satisfy beyond its fields (also used by the admin's form)."""
    _validate_person(person)


def _validate_person(person: Person) -> None:
    person.first_name = " ".join(person.first_name.split())
    person.last_name = " ".join(person.last_name.split())
    person.email = person.email.strip()
    if person.email:
        taken = Person.objects.filter(email__iexact=person.email).exclude(pk=person.pk)
        if taken.exists():
            raise ValidationError(
                {"email": _("This e-mail address belongs to another person already.")}
            )


@transaction.atomic
def person_create(
    *,
    actor,
    first_name: str,
    last_name: str,
    organisation: Organisation | None,
    email: str = "",
    phone: str = "",
    position: str = "",
    position_category: str = "specialist",
    user=None,
    project=None,
) -> Person:
    person = Person(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        organisation=organisation,
        position=position,
        position_category=position_category,
        user=user,
    )
    _validate_person(person)
    person.full_clean()
    person.save()
    audit_log(actor=actor, action="person.create", obj=person, project=project)
    return person


@transaction.atomic
def person_update(*, actor, person: Person, project=None, **fields: Any) -> Person:
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields for Person: {sorted(unknown)}")
    changed = [name for name, value in fields.items() if getattr(person, name) != value]
    for name, value in fields.items():
        setattr(person, name, value)
    _validate_person(person)
    person.full_clean()
    person.save()
    audit_log(
        actor=actor,
        action="person.update",
        obj=person,
        project=project,
        data={"changed": changed},
    )
    return person
