"""Reads of the privacy app, each starting from what the user may see."""

from django.http import Http404

from kvalis import ownership
from kvalis.people.models import Person
from kvalis.privacy.models import Consent, Purpose
from kvalis.visits.models import Traveller


def my_person(user) -> Person | None:
    if not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).select_related("organisation").first()


def person_for_keeper(user, *, organisation_pk: int, person_pk: int) -> Person:
    """A person employed by `organisation_pk`, for a keeper of that organisation; else 404."""
    person = (
        Person.objects.filter(pk=person_pk, organisation_id=organisation_pk)
        .select_related("organisation")
        .first()
    )
    if person is None or not ownership.keeps(user, person.organisation):
        raise Http404
    return person


def my_consent(user, consent_pk: int) -> Consent:
    consent = Consent.objects.filter(pk=consent_pk, person__user=user).first()
    if consent is None or not user.is_authenticated:
        raise Http404
    return consent


def my_traveller(user, traveller_pk: int) -> Traveller:
    traveller = (
        Traveller.objects.filter(pk=traveller_pk, person__user=user)
        .select_related("visit__activity__project", "person")
        .first()
    )
    if traveller is None or not user.is_authenticated:
        raise Http404
    return traveller


def consents_page(person: Person) -> dict:
    """The person's consents, the study visits they may still give photo consent for, and
    whether their name is written into their digital credentials."""
    consents = list(
        Consent.objects.filter(person=person).select_related("study_visit").order_by("-given_at")
    )
    active_visits = {
        c.study_visit_id
        for c in consents
        if c.purpose == Purpose.STUDY_VISIT_PHOTOS and c.withdrawn_at is None
    }
    places = [
        t
        for t in Traveller.objects.filter(person=person).select_related("visit__activity")
        if t.visit_id not in active_visits
    ]
    name_in_credentials = any(
        c.purpose == Purpose.CREDENTIAL_NAME and c.withdrawn_at is None for c in consents
    )
    return {
        "consents": consents,
        "photo_places": places,
        "name_in_credentials": name_in_credentials,
    }


def name_in_credentials(user) -> bool:
    """Has the user agreed that their name is written into their digital credentials?"""
    if not user.is_authenticated:
        return False
    return Consent.objects.filter(
        person__user=user, purpose=Purpose.CREDENTIAL_NAME, withdrawn_at__isnull=True
    ).exists()
