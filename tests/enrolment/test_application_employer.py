"""The public application's employer is typed and found by the server, not chosen from a list
of every organisation in Kvalis (2 000 nationally): the page lists none of them, works without
JavaScript, and says what to do when the name matches none or several."""

from django.urls import reverse

from kvalis.enrolment.models import Enrolment
from tests.factories import OrganisationFactory


def _post(client, cohort, employer: str, **extra):
    return client.post(
        reverse("enrolment:apply", args=[cohort.public_id]),
        {
            "first_name": "Aistė",
            "last_name": "Žukauskaitė",
            "email": "aiste@example.lt",
            "organisation": employer,
            "position": "bibliotekininkė",
            "position_category": "specialist",
            "consent": "on",
            **extra,
        },
    )


def test_the_form_lists_no_organisations(client, future_cohort):
    for index in range(30):
        OrganisationFactory(name=f"Kaimo biblioteka {index}", type="library")
    page = client.get(reverse("enrolment:apply", args=[future_cohort.public_id])).text
    assert "Kaimo biblioteka" not in page
    assert '<input type="text" name="organisation"' in page


def test_an_employer_found_by_part_of_its_name_is_the_one_applied_with(client, future_cohort):
    library = OrganisationFactory(name="Zarasų viešoji biblioteka", type="library")
    OrganisationFactory(name="Zarasų kultūros centras", type="culture_centre")
    response = _post(client, future_cohort, "zarasų bibliot")
    assert response.status_code == 302
    assert Enrolment.objects.get(person__email="aiste@example.lt").person.organisation == library


def test_a_name_matching_several_employers_is_refused_with_examples(client, future_cohort):
    OrganisationFactory(name="Zarasų viešoji biblioteka", type="library")
    OrganisationFactory(name="Zarasų kultūros centras", type="culture_centre")
    response = _post(client, future_cohort, "Zarasų")
    assert response.status_code == 200
    assert "Kelios organizacijos atitinka „Zarasų“" in response.text
    assert "Zarasų kultūros centras" in response.text
    assert not Enrolment.objects.filter(person__email="aiste@example.lt").exists()


def test_a_name_matching_nothing_is_refused(client, future_cohort):
    response = _post(client, future_cohort, "Nėra tokios įstaigos")
    assert "Jokia organizacija neatitinka „Nėra tokios įstaigos“" in response.text
    assert not Enrolment.objects.filter(person__email="aiste@example.lt").exists()


def test_a_funder_is_not_an_employer_to_apply_with(client, future_cohort):
    funder = OrganisationFactory(name="Kultūros ministerija", type="funder")
    _post(client, future_cohort, str(funder.pk))
    assert not Enrolment.objects.filter(person__email="aiste@example.lt").exists()
    _post(client, future_cohort, "Kultūros ministerija")
    assert not Enrolment.objects.filter(person__email="aiste@example.lt").exists()


def test_an_employer_not_found_is_added_by_name_below(client, future_cohort):
    response = _post(
        client,
        future_cohort,
        "Dusetų kultūros namai",
        new_organisation_name="Dusetų kultūros namai",
        new_organisation_type="culture_centre",
        new_organisation_municipality="zarasu-r",
    )
    assert response.status_code == 302
    person = Enrolment.objects.get(person__email="aiste@example.lt").person
    assert person.organisation.name == "Dusetų kultūros namai"
