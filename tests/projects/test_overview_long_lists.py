"""The overview of a project with many partners lists the first ones and links to them all."""

from django.urls import reverse

from kvalis.projects.views import OVERVIEW_PARTNERS
from tests.factories import OrganisationFactory, PartnerFactory


def test_the_overview_lists_the_first_partners_and_links_to_all(client, world):
    for index in range(OVERVIEW_PARTNERS + 5):
        PartnerFactory(
            project=world.project, organisation=OrganisationFactory(name=f"Įstaiga {index}")
        )
    total = world.project.partners.count()
    client.force_login(world.alice)
    response = client.get(reverse("projects:detail", args=[world.project.code]))
    assert len(response.context["partners"]) == OVERVIEW_PARTNERS
    assert response.context["partners"][0] == world.partner_a  # the lead first
    assert f"<dd>{total}</dd>" in response.text  # organisations in the consortium
    assert f"Visų partnerių sąrašas ({total})" in response.text
    assert reverse("projects:partners", args=[world.project.code]) in response.text


def test_a_small_consortium_is_listed_whole_without_the_link(client, world):
    client.force_login(world.alice)
    response = client.get(reverse("projects:detail", args=[world.project.code]))
    assert list(response.context["partners"]) == [world.partner_a, world.partner_b]
    assert "Visų partnerių sąrašas" not in response.text
