"""What the front-door journey found (tests/journeys/test_front_door.py), each fixed in place:
the partners page's status column, the new funder chosen on return to the project form, the
join approval's message without a gendered noun, and the storefront's month filter."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from kvalis import ownership
from kvalis.access import project_access_for
from kvalis.organisations.models import Organisation, OrganisationType
from kvalis.projects.models import Partner
from tests.factories import (
    ActivityFactory,
    CohortFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
    UserFactory,
    make_coordinator,
)

pytestmark = pytest.mark.django_db

NOBODY = "Kol kas niekas negali už ją atsakyti"


# --- 1. the partners page says each partner's status ------------------------------------------


@pytest.fixture
def invited(world):
    """Two invited partners: one nobody can answer (unregistered, represented by nobody) and
    one whose representing organisation has a coordinator."""
    orphan = OrganisationFactory(name="Dusetų kultūros centras", type="culture_centre")
    keeper = OrganisationFactory(name="Zarasų biblioteka")
    make_coordinator(keeper, UserFactory(email="zarasai@example.lt"))
    represented = OrganisationFactory(name="Salako biblioteka", represented_by=keeper)
    return {
        "orphan": PartnerFactory(project=world.project, organisation=orphan, status="invited"),
        "represented": PartnerFactory(
            project=world.project, organisation=represented, status="invited"
        ),
    }


def _row(text: str, name: str) -> str:
    start = text.index(name)
    return text[start : text.index("</tr>", start)]


def test_coordinator_sees_every_partners_status_and_who_cannot_answer(client, world, invited):
    client.force_login(world.alice)
    text = client.get(reverse("projects:partners", args=[world.project.code])).text
    assert '<th scope="col">Būsena</th>' in text
    assert "priimta" in _row(text, "Molėtų biblioteka")
    orphan = _row(text, "Dusetų kultūros centras")
    assert "laukia patvirtinimo" in orphan and NOBODY in orphan
    assert f'href="{reverse("organisations:join")}"' in orphan
    represented = _row(text, "Salako biblioteka")
    assert "laukia patvirtinimo" in represented and NOBODY not in represented


def test_a_registered_partner_without_coordinators_asks_for_an_administrator(client, world):
    from django.utils import timezone

    silent = OrganisationFactory(name="Rokiškio muziejus", registered_at=timezone.now())
    PartnerFactory(project=world.project, organisation=silent, status="invited")
    client.force_login(world.alice)
    text = client.get(reverse("projects:partners", args=[world.project.code])).text
    row = _row(text, "Rokiškio muziejus")
    assert NOBODY in row and "svetainės administratoriaus" in row


def test_partner_coordinator_sees_statuses_but_not_the_advice_and_outsider_gets_404(
    client, world, invited
):
    client.force_login(world.bob)
    text = client.get(reverse("projects:partners", args=[world.project.code])).text
    assert "laukia patvirtinimo" in _row(text, "Dusetų kultūros centras")
    assert NOBODY not in text
    client.force_login(world.charlie)
    assert client.get(reverse("projects:partners", args=[world.project.code])).status_code == 404


def test_nobody_answers_until_the_organisation_has_a_coordinator(world, invited):
    """The project sees none of an unanswered partner's people; once the organisation joins
    (registered, with a coordinator) it can be accepted, and then it sees them."""
    orphan = invited["orphan"]
    person = PersonFactory(organisation=orphan.organisation, last_name="Dusetiškė")
    access = project_access_for(world.alice, world.project)
    assert not access.people().filter(pk=person.pk).exists()
    partners = world.project.partners.all()
    assert set(ownership.partnerships_nobody_answers(partners)) == {orphan}

    coordinator = UserFactory(email="dusetos@example.lt")
    make_coordinator(orphan.organisation, coordinator)
    assert not ownership.partnerships_nobody_answers(partners).exists()
    from kvalis.projects.services import partnership_accept

    partnership_accept(actor=coordinator, partner=orphan)
    assert access.people().filter(pk=person.pk).exists()


def test_answered_partnerships_are_not_listed_as_unanswerable(world, invited):
    Partner.objects.filter(pk=invited["orphan"].pk).update(status="declined")
    assert not ownership.partnerships_nobody_answers(world.project.partners.all()).exists()


# --- 2. back from "Funder not listed? Add it", the new funder is chosen --------------------------


def _funder_form() -> dict:
    return {
        "name": "Lietuvos kultūros taryba",
        "type": "funder",
        "municipality": "vilniaus-m",
        "company_code": "304051018",
        "address": "",
        "email": "",
        "website": "",
    }


def _funder_select(text: str) -> str:
    select = text[text.index('name="funder"') :]
    return select[: select.index("</select>")]


def _selected(text: str, pk) -> bool:
    return f'<option value="{pk}" selected>' in _funder_select(text)


def test_the_new_funder_is_chosen_in_the_project_form(client, world):
    client.force_login(world.alice)
    create = client.get(reverse("projects:create")).text
    assert "field=funder" in create
    back = reverse("projects:create")
    page = client.get(
        reverse("organisations:create"), {"type": "funder", "next": back, "field": "funder"}
    )
    assert 'name="field" value="funder"' in page.text
    response = client.post(
        reverse("organisations:create"), {**_funder_form(), "next": back, "field": "funder"}
    )
    funder = Organisation.objects.get(company_code="304051018")
    assert response.status_code == 302
    assert response["Location"] == f"{back}?funder={funder.pk}"
    form = client.get(response["Location"]).text
    assert _selected(form, funder.pk)
    assert "Organizacija „Lietuvos kultūros taryba“ pridėta ir pasirinkta formoje." in form


def test_the_project_edit_form_also_reads_the_new_funder(client, world):
    funder = OrganisationFactory(name="Kultūros ministerija", type=OrganisationType.FUNDER)
    client.force_login(world.alice)
    url = reverse("projects:edit", args=[world.project.code])
    assert _selected(client.get(url, {"funder": funder.pk}).text, funder.pk)
    # The edit form's link comes back to the edit form.
    assert "next=%2Fprojects%2F" + world.project.code in client.get(url).text


@pytest.mark.parametrize("value", ["²", "9" * 23, "-1", "abc", ""])
def test_a_junk_funder_in_the_address_chooses_nothing(client, world, value):
    client.force_login(world.alice)
    response = client.get(reverse("projects:create"), {"funder": value})
    assert response.status_code == 200
    assert '<option value="" selected>' in _funder_select(response.text)


def test_a_non_funder_in_the_address_is_not_chosen(client, world):
    client.force_login(world.alice)
    text = client.get(reverse("projects:create"), {"funder": world.lead.pk}).text
    assert f'value="{world.lead.pk}"' not in _funder_select(text)


def test_a_junk_field_name_falls_back_and_the_next_query_is_kept(client, world):
    client.force_login(world.alice)
    back = reverse("projects:create") + "?a=1&funder=7"
    response = client.post(
        reverse("organisations:create"),
        {**_funder_form(), "next": back, "field": 'x"><script>'},
    )
    funder = Organisation.objects.get(company_code="304051018")
    assert response["Location"] == f"{reverse('projects:create')}?a=1&funder={funder.pk}"


def test_a_culture_centre_with_a_field_name_goes_back_with_it(client, world):
    client.force_login(world.alice)
    back = reverse("projects:partner_add", args=[world.project.code])
    response = client.post(
        reverse("organisations:create"),
        {
            **_funder_form(),
            "name": "Daugailių kultūros namai",
            "type": "culture_centre",
            "company_code": "",
            "next": back,
            "field": "organisation",
        },
    )
    centre = Organisation.objects.get(name="Daugailių kultūros namai")
    assert response["Location"] == f"{back}?organisation={centre.pk}"


# --- 3. the join approval's message has no gendered noun ----------------------------------------


def test_approving_a_womans_request_says_the_letter_is_sent_without_jam(client):
    from kvalis.organisations.models import JoinRequest

    admin = UserFactory(email="admin@kvalis.lt", is_superuser=True, is_staff=True)
    join_request = JoinRequest.objects.create(
        name="Kauno miesto muziejus",
        type="museum",
        municipality="kauno-m",
        company_code="302456789",
        address="Rotušės a. 1, Kaunas",
        contact_first_name="Eglė",
        contact_last_name="Jonaitytė",
        contact_email="egle@muziejus.lt",
        contact_phone="+37060012345",
        contact_position="direktorė",
    )
    client.force_login(admin)
    response = client.post(
        reverse("organisations:join_request_approve", args=[join_request.pk]), follow=True
    )
    text = response.text
    assert (
        "Organizacija „Kauno miesto muziejus“ užregistruota; Eglė Jonaitytė gavo jos "
        "koordinatoriaus teises. Laiškas išsiųstas adresu egle@muziejus.lt." in text
    )
    assert "jam išsiųstas" not in text


# --- 4. the storefront's month filter ----------------------------------------------------------


def test_the_storefront_month_is_a_choice_of_open_months_with_any_month_first(client, world):
    start = date.today() + timedelta(days=40)
    CohortFactory(
        activity=ActivityFactory(project=world.project),
        start_date=start,
        end_date=start + timedelta(days=1),
    )
    text = client.get(reverse("home")).text
    month = text[text.index('name="month"') :]
    month = month[: month.index("</select>")]
    assert '<option value="" selected>Bet kuris mėnuo</option>' in month
    assert f'value="{start:%Y-%m}"' in month and f"{start.year} m. " in month
    assert 'type="month"' not in text and "Pavyzdžiui, 2014-05." not in text
    # The catalogue still takes the value.
    catalogue = client.get(reverse("enrolment:catalogue"), {"month": f"{start:%Y-%m}"})
    assert catalogue.status_code == 200
