"""Public applications: person matching, e-mail confirmation, auto-approval, eligibility."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from kvalis.enrolment import services
from kvalis.enrolment.models import CohortRegistration
from kvalis.people.models import Person
from tests.factories import PersonFactory, UserFactory


def apply(cohort, organisation, **overrides):
    data = dict(
        cohort=cohort,
        first_name="Aistė",
        last_name="Žukauskaitė",
        email="Aiste.Zukauskaite@Example.lt",
        phone="+370 600 00000",
        organisation=organisation,
        position="bibliotekininkė",
        position_category="specialist",
        consent=True,
    )
    data.update(overrides)
    return services.application_create(**data)


def test_application_creates_a_person_and_waits_for_the_email(world, future_cohort):
    enrolment = apply(future_cohort, world.lead)
    assert enrolment.status == "unconfirmed"
    assert enrolment.person.email == "aiste.zukauskaite@example.lt"
    assert enrolment.person.user is None


def test_application_links_an_existing_person_by_email_in_any_case(world, future_cohort):
    existing = PersonFactory(email="aiste.zukauskaite@example.lt", first_name="Aistė")
    enrolment = apply(future_cohort, world.lead)
    assert enrolment.person == existing
    assert Person.objects.filter(email__iexact="aiste.zukauskaite@example.lt").count() == 1


def test_application_needs_consent(world, future_cohort):
    with pytest.raises(ValidationError):
        apply(future_cohort, world.lead, consent=False)


def test_ineligible_applicant_is_told_why(world, future_cohort):
    world.activity.audience_organisation_types = ["museum"]
    world.activity.save()
    with pytest.raises(ValidationError) as caught:
        apply(future_cohort, world.lead)
    assert "muziej" in " ".join(caught.value.messages)
    assert not Person.objects.filter(email__iexact="aiste.zukauskaite@example.lt").exists()


def test_new_employer_is_created_and_checked(world, future_cohort):
    world.activity.audience_counties = ["utenos"]
    world.activity.save()
    with pytest.raises(ValidationError):
        apply(
            future_cohort,
            None,
            new_organisation_name="Kauno menų centras",
            new_organisation_type="culture_centre",
            new_organisation_municipality="kauno-m",
        )
    enrolment = apply(
        future_cohort,
        None,
        new_organisation_name="Sudeikių kultūros namai",
        new_organisation_type="culture_centre",
        new_organisation_municipality="utenos-r",
    )
    assert enrolment.organisation.name == "Sudeikių kultūros namai"


def test_closed_or_started_cohort_takes_no_applications(world, future_cohort):
    CohortRegistration.objects.create(cohort=future_cohort, is_open=False)
    with pytest.raises(ValidationError):
        apply(future_cohort, world.lead)
    with pytest.raises(ValidationError):
        apply(world.cohort, world.lead)  # started in 2014


def test_confirming_the_email_creates_a_login_and_awaits_approval(
    world, future_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = apply(future_cohort, world.lead)
    assert len(mailoutbox) == 1 and "Patvirtinkite" in mailoutbox[0].subject
    token = enrolment.confirmation.token
    assert token in mailoutbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = services.application_confirm(token=token)
    assert enrolment.status == "applied"
    assert enrolment.person.user.email == "aiste.zukauskaite@example.lt"
    assert "/accounts/reset/" in mailoutbox[1].body  # the set-password link


def test_auto_approval_gives_a_seat_on_confirmation(world, future_cohort):
    CohortRegistration.objects.create(cohort=future_cohort, auto_approve=True)
    enrolment = apply(future_cohort, world.lead)
    enrolment = services.application_confirm(token=enrolment.confirmation.token)
    assert enrolment.status == "confirmed"


def test_confirming_twice_changes_nothing(world, future_cohort):
    enrolment = apply(future_cohort, world.lead)
    services.application_confirm(token=enrolment.confirmation.token)
    again = services.application_confirm(token=enrolment.confirmation.token)
    assert again.status == "applied"


def test_unknown_confirmation_token_is_refused(db):
    with pytest.raises(ValidationError):
        services.application_confirm(token="nope")


def test_english_applicant_gets_english_mail(
    world, future_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = apply(future_cohort, world.lead, language="en")
        services.application_confirm(token=enrolment.confirmation.token)
    assert mailoutbox[0].subject.startswith("Please confirm")
    assert mailoutbox[1].subject.startswith("Your application is awaiting approval")
    assert date.today() + timedelta(days=30)


def test_applying_twice_reveals_nothing_and_tells_the_address_by_e_mail(
    world, future_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    """A second application with a known address is answered as any other (no error to tell
    whoever typed it that the address is known); its owner gets a notice, the record stays."""
    first = apply(future_cohort, world.lead)
    first.person.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        again = apply(future_cohort, world.lead, first_name="Kazimieras", last_name="Svetimas")
    assert again.pk == first.pk and again.status == "unconfirmed"
    person = Person.objects.get(pk=first.person.pk)
    assert (person.first_name, person.last_name) == ("Aistė", "Žukauskaitė")
    (notice,) = mailoutbox
    assert notice.to == ["aiste.zukauskaite@example.lt"]
    assert notice.subject.startswith("Nauja paraiška jūsų adresu")
    assert "Svetimas" not in notice.body


def test_confirming_does_not_take_a_login_that_belongs_to_another_person(world, future_cohort):
    login = UserFactory(email="aiste.zukauskaite@example.lt")
    owner = PersonFactory(email="aiste.darbas@example.lt", user=login)
    enrolment = apply(future_cohort, world.lead)
    assert enrolment.person != owner
    enrolment = services.application_confirm(token=enrolment.confirmation.token)
    assert enrolment.status == "applied"
    enrolment.person.refresh_from_db()
    owner.refresh_from_db()
    assert enrolment.person.user is None and owner.user == login


@pytest.mark.parametrize("why", ["closed", "started"])
def test_confirming_after_applications_closed_is_refused_and_changes_nothing(
    world, future_cohort, why
):
    CohortRegistration.objects.create(cohort=future_cohort, auto_approve=True)
    enrolment = apply(future_cohort, world.lead)
    today = None
    if why == "closed":
        CohortRegistration.objects.filter(cohort=future_cohort).update(is_open=False)
    else:
        today = future_cohort.start_date + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.application_confirm(token=enrolment.confirmation.token, today=today)
    assert caught.value.messages == ["Paraiškos į šią grupę nebepriimamos."]
    enrolment.refresh_from_db()
    enrolment.confirmation.refresh_from_db()
    assert enrolment.status == "unconfirmed" and enrolment.confirmation.confirmed_at is None
    assert enrolment.person.user is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "\u202eAistė"),  # right-to-left override
        ("last_name", "Žukauskaitė\u200b"),  # zero-width space
        ("last_name", "\u200b\u200d"),  # nothing visible at all
        ("first_name", "..."),  # no letter
    ],
)
def test_a_name_with_invisible_characters_or_no_letter_is_refused(
    world, future_cohort, field, value
):
    people = Person.objects.count()
    with pytest.raises(ValidationError) as caught:
        apply(future_cohort, world.lead, **{field: value})
    assert field in caught.value.message_dict
    assert Person.objects.count() == people


def test_a_known_address_with_an_invisible_name_gets_the_same_refusal(world, future_cohort):
    """The names are checked before the address is looked up: no difference to tell by."""
    PersonFactory(email="aiste.zukauskaite@example.lt")
    with pytest.raises(ValidationError) as known:
        apply(future_cohort, world.lead, first_name="Ai\u2066stė")
    with pytest.raises(ValidationError) as new:
        apply(future_cohort, world.lead, first_name="Ai\u2066stė", email="nauja@example.lt")
    assert known.value.messages == new.value.messages


def test_a_new_employer_name_with_invisible_characters_is_refused(world, future_cohort):
    from kvalis.organisations.models import Organisation

    organisations = Organisation.objects.count()
    with pytest.raises(ValidationError) as caught:
        apply(
            future_cohort,
            None,
            new_organisation_name="Kaimo\u00ad biblioteka",
            new_organisation_type="library",
            new_organisation_municipality="utenos-r",
        )
    assert caught.value.message_dict["new_organisation_name"] == [
        "Lauke „Darbovietė“ yra nematomas arba valdymo simbolis (U+00AD): įrašykite tekstą be jo."
    ]
    assert Organisation.objects.count() == organisations


def test_an_employer_typed_by_name_is_never_reused_silently(world, future_cohort):
    """Typing an existing institution's name does not file the applicant under it unseen: the
    form says to choose it from the list, and nothing is written."""
    before = Person.objects.count()
    with pytest.raises(ValidationError) as caught:
        apply(
            future_cohort,
            None,
            new_organisation_name=world.lead.name.upper(),
            new_organisation_type="library",
            new_organisation_municipality=world.lead.municipality,
        )
    assert "jau yra darbdavių sąraše" in " ".join(caught.value.messages)
    assert Person.objects.count() == before
