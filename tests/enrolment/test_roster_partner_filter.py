"""A roster's partner filter offers the partners of that cohort (someone enrolled through them,
or a quota), not every partner of the project: a national programme has 2 000."""

from django.urls import reverse

from tests.factories import (
    EnrolmentFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
    QuotaFactory,
)


def _roster(client, world, query=""):
    client.force_login(world.alice)
    url = reverse("enrolment:roster", args=[world.project.code, world.cohort.pk])
    return client.get(url + query)


def test_the_filter_offers_the_cohorts_partners_only(client, world):
    EnrolmentFactory(person=world.person_b, cohort=world.cohort, partner=world.partner_b)
    with_quota = PartnerFactory(
        project=world.project, organisation=OrganisationFactory(name="Kvotos įstaiga")
    )
    QuotaFactory(cohort=world.cohort, partner=with_quota)
    PartnerFactory(project=world.project, organisation=OrganisationFactory(name="Kita įstaiga"))
    response = _roster(client, world)
    assert list(response.context["partners"]) == [with_quota, world.partner_b]
    assert "Kvotos įstaiga</option>" in response.text
    assert "Kita įstaiga</option>" not in response.text


def test_filtering_by_a_partner_of_the_cohort_shows_its_people(client, world):
    EnrolmentFactory(person=world.person_b, cohort=world.cohort, partner=world.partner_b)
    EnrolmentFactory(
        person=PersonFactory(organisation=world.lead), cohort=world.cohort, partner=world.partner_a
    )
    response = _roster(client, world, f"?partner={world.partner_b.pk}")
    assert not response.context["filter_form"].errors
    assert [e.partner for e in response.context["rows"]] == [world.partner_b]
