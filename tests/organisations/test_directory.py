"""The organisation directory: finding, adding and correcting organisations, each within what
the user's organisation may change (kvalis.ownership), and the JSON search behind the selects."""

import pytest
from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.organisations.models import Organisation
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    make_coordinator,
)

pytestmark = pytest.mark.django_db


def _organisation_form(**changes) -> dict:
    data = {
        "name": "Kultūros ministerija",
        "short_name": "KM",
        "type": "funder",
        "municipality": "vilniaus-m",
        "company_code": "188683671",
        "address": "J. Basanavičiaus g. 5, Vilnius",
        "email": "",
        "website": "",
        "name_genitive": "Kultūros ministerijos",
        "name_dative": "Kultūros ministerijai",
        "name_accusative": "Kultūros ministeriją",
        "name_instrumental": "Kultūros ministerija",
        "name_locative": "Kultūros ministerijoje",
    }
    return {**data, **changes}


# --- who reaches the directory ---------------------------------------------------------------


def test_staff_search_the_directory_in_lithuanian_order(client, world):
    for name in ("Zarasų biblioteka", "Šiaulių muziejus", "Suvalkijos centras", "Čekiškės namai"):
        OrganisationFactory(name=name)
    client.force_login(world.charlie)
    text = client.get(reverse("organisations:list"), {"q": "a"}).text
    positions = [text.index(n) for n in ("Čekiškės", "Suvalkijos", "Šiaulių", "Zarasų")]
    assert positions == sorted(positions)


def test_search_by_code_and_municipality(client, world):
    OrganisationFactory(
        name="Molėtų kultūros centras", company_code="190000001", municipality="moletu-r"
    )
    OrganisationFactory(name="Alytaus teatras", municipality="alytaus-m")
    client.force_login(world.alice)
    assert (
        "Molėtų kultūros centras" in client.get(reverse("organisations:list"), {"q": "1900"}).text
    )
    text = client.get(reverse("organisations:list"), {"q": "Alytaus m"}).text
    assert "Alytaus teatras" in text and "Molėtų kultūros centras" not in text


def test_without_a_search_the_list_shows_only_what_the_user_may_correct(client, world):
    """charlie (another registered organisation) does not see world's partner by default."""
    client.force_login(world.charlie)
    text = client.get(reverse("organisations:list")).text
    assert world.other_project.lead.name in text
    assert world.partner_b.organisation.name not in text


@pytest.mark.parametrize(
    "name", ["organisations:list", "organisations:create", "organisations:search"]
)
def test_participants_and_logins_without_a_role_get_404(client, world, name):
    client.force_login(world.dana)
    assert client.get(reverse(name), {"q": "bib"}).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse(name), {"q": "bib"}).status_code == 404


def test_a_project_member_without_an_organisation_may_search(client, world):
    observer = UserFactory()
    MembershipFactory(project=world.project, user=observer, role="funder_observer")
    client.force_login(observer)
    assert client.get(reverse("organisations:list")).status_code == 200


def test_detail_three_personas(client, world):
    url = reverse("organisations:detail", args=[world.lead.pk])
    client.force_login(world.alice)
    page = client.get(url)
    assert page.status_code == 200 and "Redaguoti" in page.text
    client.force_login(world.bob)  # a partner of the project: sees it, may not edit it
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("organisations:edit", args=[world.lead.pk]) not in page.text
    client.force_login(world.charlie)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("persona", ["bob", "charlie", "dana"])
def test_others_edit_and_merge_answer_404(client, world, persona):
    client.force_login(getattr(world, persona))
    for name in ("organisations:edit", "organisations:merge", "organisations:register"):
        response = client.post(
            reverse(name, args=[world.lead.pk]), _organisation_form(name="Pakeista")
        )
        assert response.status_code == 404
    world.lead.refresh_from_db()
    assert world.lead.name != "Pakeista"


# --- adding ----------------------------------------------------------------------------------


def test_a_coordinator_adds_a_funder_and_goes_back_to_the_project_form(client, world):
    client.force_login(world.alice)
    back = reverse("projects:create")
    page = client.get(reverse("organisations:create"), {"type": "funder", "next": back})
    assert page.status_code == 200
    assert 'value="funder" selected' in page.text
    response = client.post(reverse("organisations:create"), {**_organisation_form(), "next": back})
    funder = Organisation.objects.get(company_code="188683671")
    # A new funder comes back chosen (kvalis.organisations.views._with_parameter).
    assert response.status_code == 302 and response["Location"] == f"{back}?funder={funder.pk}"
    # A funder's staff are nobody's to keep; alice's organisation may still correct it.
    assert funder.represented_by is None and funder.created_by_organisation == world.lead
    assert funder.registered_at is None and funder.name_locative == "Kultūros ministerijoje"
    assert AuditEntry.objects.filter(
        action="organisation.create", object_id=str(funder.pk)
    ).exists()
    form = client.get(back).text
    assert "Kultūros ministerija" in form


def test_a_new_culture_centre_is_represented_by_the_creators_organisation(client, world):
    client.force_login(world.alice)
    client.post(
        reverse("organisations:create"),
        _organisation_form(name="Daugailių kultūros namai", type="culture_centre", company_code=""),
    )
    centre = Organisation.objects.get(name="Daugailių kultūros namai")
    assert centre.represented_by == world.lead


def test_an_outside_next_address_is_not_followed(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("organisations:create"), {**_organisation_form(), "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/organisations/")


def test_a_duplicate_company_code_is_refused_with_its_holder(client, world):
    OrganisationFactory(name="Lietuvos Respublikos kultūros ministerija", company_code="188683671")
    client.force_login(world.alice)
    response = client.post(reverse("organisations:create"), _organisation_form())
    assert response.status_code == 200
    assert "Juridinio asmens kodas 188683671 jau priklauso organizacijai" in response.text
    assert Organisation.objects.filter(company_code="188683671").count() == 1


def test_a_malformed_company_code_is_refused(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("organisations:create"), _organisation_form(company_code="12"))
    assert "Juridinio asmens kodą sudaro 9 skaitmenys" in response.text
    assert not Organisation.objects.filter(name="Kultūros ministerija").exists()


def test_the_same_name_in_the_same_municipality_is_refused(client, world):
    OrganisationFactory(name="Kultūros ministerija", municipality="vilniaus-m")
    client.force_login(world.alice)
    response = client.post(reverse("organisations:create"), _organisation_form())
    assert response.status_code == 200
    assert Organisation.objects.filter(name="Kultūros ministerija").count() == 1


# --- editing ---------------------------------------------------------------------------------


def test_a_keeper_edits_the_case_forms(client, world):
    client.force_login(world.alice)
    data = _organisation_form(
        name=world.lead.name, type="library", company_code="", municipality="utenos-r"
    )
    data["name_locative"] = "Utenos bibliotekoje"
    response = client.post(reverse("organisations:edit", args=[world.lead.pk]), data)
    assert response.status_code == 302
    world.lead.refresh_from_db()
    assert world.lead.name_locative == "Utenos bibliotekoje"
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.data["changed"]["name_locative"] == ["", "Utenos bibliotekoje"]


def test_an_edit_to_another_organisations_code_is_refused(client, world):
    OrganisationFactory(name="Kita", company_code="190000002")
    client.force_login(world.alice)
    data = _organisation_form(name=world.lead.name, type="library", company_code="190000002")
    response = client.post(reverse("organisations:edit", args=[world.lead.pk]), data)
    assert response.status_code == 200
    assert "jau priklauso organizacijai „Kita“" in response.text
    world.lead.refresh_from_db()
    assert world.lead.company_code == ""
    assert not AuditEntry.objects.filter(action="organisation.update").exists()


def test_the_creators_organisation_edits_the_unregistered_funder_it_added(client, world):
    funder = OrganisationFactory(name="Fondas", type="funder", created_by_organisation=world.lead)
    client.force_login(world.alice)
    assert client.get(reverse("organisations:edit", args=[funder.pk])).status_code == 200
    client.force_login(world.charlie)
    assert client.get(reverse("organisations:edit", args=[funder.pk])).status_code == 404
    # Once registered, it speaks for itself: only its own coordinators edit it.
    coordinator = UserFactory()
    make_coordinator(funder, coordinator)
    client.force_login(world.alice)
    assert client.get(reverse("organisations:edit", args=[funder.pk])).status_code == 404
    client.force_login(coordinator)
    assert client.get(reverse("organisations:edit", args=[funder.pk])).status_code == 200


def test_a_forged_organisation_pk_is_404(client, world):
    client.force_login(world.alice)
    for name in ("organisations:detail", "organisations:edit", "organisations:coordinator_invite"):
        assert client.get(reverse(name, args=[987654])).status_code == 404


def test_a_site_administrator_registers_an_organisation(client, world):
    centre = OrganisationFactory(name="Kaimo centras", represented_by=world.lead)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(reverse("organisations:register", args=[centre.pk]))
    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.is_registered and centre.represented_by is None


# --- the JSON search -------------------------------------------------------------------------


def test_search_needs_two_letters_and_answers_at_most_twenty(client, world):
    for number in range(25):
        OrganisationFactory(name=f"Paieškos biblioteka {number}")
    client.force_login(world.alice)
    url = reverse("organisations:search")
    assert client.get(url, {"q": "P"}).json() == {"results": []}
    results = client.get(url, {"q": "Paieškos"}).json()["results"]
    assert len(results) == 20
    assert set(results[0]) == {"id", "label"}


def test_search_filters_by_type(client, world):
    OrganisationFactory(name="Ministerijos fondas", type="funder")
    OrganisationFactory(name="Ministerijos biblioteka", type="library")
    client.force_login(world.alice)
    results = client.get(reverse("organisations:search"), {"q": "Ministerijos", "type": "funder"})
    assert [r["label"].split(" (")[0] for r in results.json()["results"]] == ["Ministerijos fondas"]


def test_the_project_form_offers_the_search_and_the_add_funder_link(client, world):
    client.force_login(world.alice)
    text = client.get(reverse("projects:create")).text
    assert "data-org-search" in text and "org-search.js" in text
    assert reverse("organisations:create") + "?type=funder&amp;next=%2Fprojects%2Fnew%2F" in text


def test_the_search_script_is_served(client):
    from django.contrib.staticfiles import finders

    assert finders.find("kvalis/org-search.js")


def test_list_queries_do_not_grow_with_the_data(client, world, django_assert_max_num_queries):
    for number in range(30):
        OrganisationFactory(name=f"Biblioteka Nr. {number}")
    client.force_login(world.alice)
    with django_assert_max_num_queries(15):
        client.get(reverse("organisations:list"), {"q": "biblioteka"})
