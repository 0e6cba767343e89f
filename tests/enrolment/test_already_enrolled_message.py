"""The message that someone is already enrolled names the person, and its Lithuanian
participle agrees with the name ("Jonas … užregistruotas", "Aistė … užregistruota"); a name
whose gender is not sure keeps the "(-a)" hedge. The refused write changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from kvalis.enrolment import services
from kvalis.enrolment.models import Enrolment
from tests.factories import CohortFactory, EnrolmentFactory, PersonFactory


def _nominate(world, cohort, person):
    return services.enrolment_nominate(actor=world.alice, cohort=cohort, person=person)


@pytest.mark.parametrize(
    ("first_name", "last_name", "expected"),
    [
        ("Jonas", "Petraitis", "Jonas Petraitis jau užregistruotas į šią grupę"),
        ("Aistė", "Žukauskaitė", "Aistė Žukauskaitė jau užregistruota į šią grupę"),
        ("Kim", "Lee", "Kim Lee jau užregistruotas (-a) į šią grupę"),
    ],
)
def test_nominating_someone_enrolled_already_names_them_in_agreement(
    world, future_cohort, first_name, last_name, expected
):
    person = PersonFactory(organisation=world.lead, first_name=first_name, last_name=last_name)
    EnrolmentFactory(person=person, cohort=future_cohort, status="confirmed")
    with pytest.raises(ValidationError) as caught:
        _nominate(world, future_cohort, person)
    assert caught.value.messages[0].startswith(expected)
    assert Enrolment.objects.filter(person=person).count() == 1


@pytest.mark.parametrize(
    ("first_name", "last_name", "word"),
    [("Vytautas", "Kazlauskas", "užregistruotas"), ("Rūta", "Petraitienė", "užregistruota")],
)
def test_moving_someone_into_a_cohort_they_are_in_already_names_them_in_agreement(
    world, future_cohort, first_name, last_name, word
):
    target = CohortFactory(
        activity=world.activity,
        start_date=future_cohort.start_date,
        end_date=future_cohort.end_date,
        capacity=5,
    )
    person = PersonFactory(organisation=world.lead, first_name=first_name, last_name=last_name)
    enrolment = _nominate(world, future_cohort, person)
    EnrolmentFactory(person=person, cohort=target, status="confirmed")
    with pytest.raises(ValidationError) as caught:
        services.enrolment_move(actor=world.alice, enrolment=enrolment, to_cohort=target)
    assert caught.value.messages == [f"{first_name} {last_name} jau {word} į kitą grupę."]
    enrolment.refresh_from_db()
    assert enrolment.cohort == future_cohort and enrolment.status == "confirmed"
