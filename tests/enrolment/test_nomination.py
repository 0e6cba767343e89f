"""A partner coordinator nominates a new employee from the nominate page: the person is added to
their employer's staff and enrolled in one transaction, audited; a person already on the staff
is pointed to, never recorded twice; bad input (a forged person or employer, a duplicate, a full
quota, an ineligible person) gets its own Lithuanian message and changes nothing.

bob is the partner coordinator of `partner_b` (Molėtų biblioteka); alice the project's
coordinator; charlie an outsider with a project of his own.
"""

from html import escape

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.enrolment import services
from kvalis.enrolment.models import Enrolment
from kvalis.people import rules
from kvalis.people.models import Person
from tests.factories import OrganisationFactory, PersonFactory, QuotaFactory


@pytest.fixture
def cohort(future_cohort):
    """The future cohort with 10 seats, 2 of them partner B's quota (reserved, no release)."""
    future_cohort.capacity = 10
    future_cohort.save()
    return future_cohort


@pytest.fixture
def quota(world, cohort):
    return QuotaFactory(cohort=cohort, partner=world.partner_b, seats=2, release_on=None)


def url(world, cohort) -> str:
    return reverse("enrolment:nominate", args=[world.project.code, cohort.pk])


def new_employee(world, **overrides) -> dict:
    data = {
        "form": "new",
        "new-first_name": "Aušra",
        "new-last_name": "Naujokė",
        "new-email": "ausra.naujoke@moletai.example.lt",
        "new-phone": "8 612 00005",
        "new-organisation": world.partner_b.organisation.pk,
        "new-position": "vyr. bibliotekininkė",
        "new-position_category": "specialist",
    }
    data.update({f"new-{key}" if key != "form" else key: value for key, value in overrides.items()})
    return data


def shared_message(rule, value) -> str:
    """The message `kvalis.people.rules` gives for this value: the one every form shows."""
    with pytest.raises(ValidationError) as caught:
        rule(value)
    return caught.value.messages[0]


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Enrolment.objects.count(), AuditEntry.objects.count()


def errors(response) -> str:
    return response.content.decode()


def test_partner_adds_a_new_employee_and_enrols_her_in_one_step(
    client, world, cohort, quota, django_capture_on_commit_callbacks
):
    client.force_login(world.bob)
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(world, cohort), new_employee(world))

    assert response.status_code == 302
    person = Person.objects.get(last_name="Naujokė")
    assert person.organisation == world.partner_b.organisation
    assert person.phone == "+37061200005"  # the shared rules normalise the phone
    assert person.position == "vyr. bibliotekininkė"
    enrolment = Enrolment.objects.get(person=person, cohort=cohort)
    assert enrolment.status == "confirmed"
    assert enrolment.partner == world.partner_b
    assert enrolment.enrolled_by == world.bob
    actions = set(AuditEntry.objects.filter(actor=world.bob).values_list("action", flat=True))
    assert {"person.create", "enrolment.nominate"} <= actions
    assert [message.to for message in mail.outbox] == [[person.email]]
    page = client.get(response["Location"])
    assert "Aušra Naujokė: patvirtinta." in page.content.decode()


def test_the_nominate_page_offers_both_ways_to_the_partner(client, world, cohort, quota):
    client.force_login(world.bob)
    text = client.get(url(world, cohort)).content.decode()
    assert "Pasirinkti esamą darbuotoją" in text
    assert "Pridėti naują darbuotoją" in text
    # The employer list holds only the partner's own organisation.
    assert world.partner_b.organisation.name in text
    assert world.lead.name not in text


def test_a_name_that_looks_like_a_formula_is_refused_with_the_shared_message(
    client, world, cohort, quota
):
    client.force_login(world.bob)
    before = counts()
    response = client.post(url(world, cohort), new_employee(world, first_name='=HYPERLINK("x")'))

    assert response.status_code == 200
    assert escape(shared_message(rules.clean_name, '=HYPERLINK("x")')) in errors(response)
    assert "negali prasidėti simboliu „=“" in errors(response)
    assert counts() == before


def test_a_phone_that_is_no_number_is_refused_with_an_example(client, world, cohort, quota):
    client.force_login(world.bob)
    before = counts()
    response = client.post(url(world, cohort), new_employee(world, phone="abc"))

    assert escape(shared_message(rules.clean_phone, "abc")) in errors(response)
    assert "+370 612 34567" in errors(response)
    assert counts() == before


def test_an_employee_already_recorded_is_pointed_to_not_added_again(client, world, cohort, quota):
    """The same address in another case: the existing person is named and preselected in
    "choose an existing employee"; nobody new is recorded."""
    existing = world.person_b
    client.force_login(world.bob)
    before = counts()
    response = client.post(
        url(world, cohort),
        new_employee(
            world,
            first_name="Kita",
            last_name="Pavardė",
            email=existing.email.upper(),
        ),
    )

    text = errors(response)
    assert response.status_code == 200
    assert f"{existing.full_name} jau yra „Molėtų biblioteka“ darbuotojų sąraše" in text
    assert f'<option value="{existing.pk}" selected>' in text
    assert counts() == before


def test_the_same_name_without_an_address_is_the_same_person(client, world, cohort, quota):
    existing = PersonFactory(
        organisation=world.partner_b.organisation,
        first_name="Aušra",
        last_name="Naujokė",
        email="",
    )
    client.force_login(world.bob)
    before = counts()
    response = client.post(
        url(world, cohort), new_employee(world, first_name="AUŠRA", last_name="naujokė")
    )

    assert "jau yra „Molėtų biblioteka“ darbuotojų sąraše" in errors(response)
    assert f'<option value="{existing.pk}" selected>' in errors(response)
    assert counts() == before


def test_an_address_of_someone_elsewhere_is_refused_without_naming_them(
    client, world, cohort, quota
):
    client.force_login(world.bob)
    before = counts()
    response = client.post(url(world, cohort), new_employee(world, email=world.person_a.email))

    text = errors(response)
    assert "Šis el. pašto adresas jau priklauso kitam asmeniui." in text
    assert world.person_a.last_name not in text
    assert counts() == before


def test_a_full_quota_leaves_no_person_behind(client, world, cohort):
    QuotaFactory(cohort=cohort, partner=world.partner_b, seats=1, release_on=None)
    services.enrolment_nominate(
        actor=world.bob,
        cohort=cohort,
        person=world.person_b,
        partner=world.partner_b,
        enforce_quota=True,
    )
    client.force_login(world.bob)
    before = counts()
    response = client.post(url(world, cohort), new_employee(world))

    assert "Viršijama kvota: „Molėtų biblioteka“ kvota šioje grupėje – 1 vieta" in errors(response)
    assert counts() == before
    assert not Person.objects.filter(last_name="Naujokė").exists()


def test_an_ineligible_new_employee_leaves_no_person_behind(client, world, cohort, quota):
    world.activity.audience_position_categories = ["head"]
    world.activity.save()
    client.force_login(world.bob)
    before = counts()
    response = client.post(url(world, cohort), new_employee(world))

    assert "Ši veikla skirta" in errors(response)
    assert counts() == before


def test_a_forged_employer_of_another_organisation_is_refused(client, world, cohort, quota):
    client.force_login(world.bob)
    before = counts()
    response = client.post(url(world, cohort), new_employee(world, organisation=world.lead.pk))

    assert "Pasirinkite darbovietę iš sąrašo" in errors(response)
    assert counts() == before


def test_the_service_itself_refuses_an_employer_the_partner_does_not_speak_for(world, cohort):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.enrolment_nominate_new_person(
            actor=world.bob,
            cohort=cohort,
            organisation=OrganisationFactory(name="Svetima įstaiga"),
            first_name="Ona",
            last_name="Svetimoji",
            position="bibliotekininkė",
            position_category="specialist",
            partner=world.partner_b,
            enforce_quota=True,
        )
    assert "Pasirinkite darbovietę iš sąrašo" in " ".join(caught.value.messages)
    assert counts() == before


def test_a_forged_person_of_another_organisation_is_refused(client, world, cohort, quota):
    """The existing-employee form lists only the partner's own staff: another organisation's
    person id gets a clear message and no enrolment."""
    client.force_login(world.bob)
    before = counts()
    response = client.post(url(world, cohort), {"form": "existing", "person": world.person_a.pk})

    assert response.status_code == 200
    assert "Pasirinkite asmenį iš sąrašo" in errors(response)
    assert counts() == before


def test_the_nomination_service_refuses_a_partner_nominating_someone_elses_person(
    world, cohort, quota
):
    with pytest.raises(ValidationError) as caught:
        services.enrolment_nominate(
            actor=world.bob,
            cohort=cohort,
            person=world.person_a,
            partner=world.partner_b,
            enforce_quota=True,
        )
    assert "partneris teikia tik savo darbuotojus" in " ".join(caught.value.messages)
    assert not Enrolment.objects.filter(person=world.person_a).exists()


def test_the_coordinator_adds_a_new_employee_of_the_lead(client, world, cohort):
    client.force_login(world.alice)
    response = client.post(
        url(world, cohort),
        new_employee(world, organisation=world.lead.pk, email="naujas@utena.example.lt"),
    )

    assert response.status_code == 302
    person = Person.objects.get(email="naujas@utena.example.lt")
    assert person.organisation == world.lead
    enrolment = Enrolment.objects.get(person=person, cohort=cohort)
    assert enrolment.partner is None and enrolment.status == "confirmed"


def test_an_existing_employee_is_still_nominated_as_before(client, world, cohort, quota):
    client.force_login(world.bob)
    response = client.post(url(world, cohort), {"person": world.person_b.pk})

    assert response.status_code == 302
    enrolment = Enrolment.objects.get(person=world.person_b, cohort=cohort)
    assert enrolment.partner == world.partner_b


@pytest.mark.parametrize("persona", ["charlie", "dana"])
def test_outsiders_get_404_and_add_nobody(client, world, cohort, quota, persona):
    client.force_login(getattr(world, persona))
    before = counts()
    assert client.get(url(world, cohort)).status_code == 404
    assert client.post(url(world, cohort), new_employee(world)).status_code == 404
    assert counts() == before


def test_a_partner_cannot_nominate_into_another_projects_cohort(client, world):
    from tests.factories import ActivityFactory, CohortFactory

    other = CohortFactory(activity=ActivityFactory(project=world.other_project))
    client.force_login(world.bob)
    before = counts()
    path = reverse("enrolment:nominate", args=[world.other_project.code, other.pk])
    assert client.post(path, new_employee(world)).status_code == 404
    path = reverse("enrolment:nominate", args=[world.project.code, other.pk])
    assert client.post(path, new_employee(world)).status_code == 404
    assert counts() == before
