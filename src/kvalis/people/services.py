"""Writes of people (cultural workers and trainers)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kvalis import ownership
from kvalis.audit.services import audit_log
from kvalis.organisations.models import Organisation
from kvalis.people import rules
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


# The fields `kvalis.people.rules` checks and normalises (names, e-mail, phone, position).
RULED_FIELDS = ("first_name", "last_name", "email", "phone", "position")


def person_validate(person: Person) -> None:
    """What a person must satisfy beyond its fields (also used by the admin's form)."""
    _apply_rules(person, RULED_FIELDS)
    _validate_person(person)


def _apply_rules(person: Person, names) -> None:
    """The person's `names` fields checked and normalised by `kvalis.people.rules`: one error
    per field, nothing changed when any is wrong."""
    cleaned = rules.clean_person_fields({name: getattr(person, name) for name in names})
    for name, value in cleaned.items():
        setattr(person, name, value)


def _validate_person(person: Person) -> None:
    if person.email:
        taken = Person.objects.filter(email__iexact=person.email).exclude(pk=person.pk)
        if taken.exists():
            raise ValidationError(
                {"email": _("This e-mail address belongs to another person already.")}
            )


def _keeper_name(person: Person) -> str:
    keeper = ownership.keeper_of(person.organisation)
    return keeper.name if keeper is not None else _("the employer")


# A person's shared identity: changed only by themself and the keepers of their employer.
IDENTITY_FIELDS = {"first_name", "last_name", "email", "phone", "organisation", "position"}


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
    """Record a person. The address counts as the employer's (invitations may go to it) only
    when the actor keeps the employer's records (`ownership.keeps`)."""
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
    _apply_rules(person, RULED_FIELDS)
    person.email_verified = bool(person.email) and (
        actor is None or ownership.keeps(actor, organisation)
    )
    _validate_person(person)
    person.full_clean()
    person.save()
    audit_log(
        actor=actor,
        action="person.create",
        obj=person,
        project=project,
        organisation=organisation,
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, project=None, **fields: Any) -> Person:
    """Change a person's record.

    The shared identity (`IDENTITY_FIELDS`) only by the person or their employer's keepers; a
    project corrects `ownership.PROJECT_CORRECTABLE_PERSON_FIELDS`. The e-mail of a person with
    a login is the login's: only its holder changes it, on their account page. The audit entry
    names the employer, whose coordinators see it whatever project it came from.
    """
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"Unknown fields for Person: {sorted(unknown)}")
    # Only what is being changed meets the rules: a record from before them (a phone nobody
    # could read as a number) stays as it is until someone changes that field.
    given = {
        name: value
        for name, value in fields.items()
        if name in RULED_FIELDS and value != getattr(person, name)
    }
    fields = {**fields, **rules.clean_person_fields(given)}
    changed = [name for name, value in fields.items() if getattr(person, name) != value]
    if "user" in changed and actor is not None and not actor.is_superuser:
        raise ValidationError(_("Only a site administrator links a person to a login."))
    identity = [name for name in changed if name in IDENTITY_FIELDS]
    if identity and actor is not None and not ownership.may_change_identity(actor, person):
        raise ValidationError(
            _(
                "Only %(employer)s's coordinators or the person themself change their name, "
                "e-mail, phone, employer and position; a project corrects the position category."
            )
            % {"employer": _keeper_name(person)}
        )
    if "email" in changed and person.user_id is not None:
        raise ValidationError(
            {
                "email": _(
                    "This person has a login: only they change its e-mail address, on their "
                    "account page, confirmed at the new address."
                )
            }
        )
    # A keeper moves a person only to an organisation they keep; the person names their own.
    moved_to = fields.get("organisation") if "organisation" in changed else None
    by_other = actor is not None and person.user_id != actor.pk
    if moved_to is not None and by_other and not ownership.keeps(actor, moved_to):
        raise ValidationError(
            {"organisation": _("You can move a person only to an organisation you keep.")}
        )
    employer_before = person.organisation
    for name, value in fields.items():
        setattr(person, name, value)
    if "email" in changed:
        person.email_verified = bool(person.email)
    _validate_person(person)
    person.full_clean()
    person.save()
    audit_log(
        actor=actor,
        action="person.update",
        obj=person,
        project=project,
        organisation=employer_before or person.organisation,
        data={"changed": changed},
    )
    return person
