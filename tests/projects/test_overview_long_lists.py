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


def _partners_url(world) -> str:
    return reverse("projects:partners", args=[world.project.code])


def _many_partners(world, count: int) -> None:
    for index in range(count):
        PartnerFactory(
            project=world.project,
            organisation=OrganisationFactory(name=f"Įstaiga {index:03}", municipality="utena"),
        )


def test_the_partner_list_shows_50_a_page_and_keeps_the_search_in_its_links(client, world):
    """A national programme has 2 000 partners: 50 a page, the lead first, and a search."""
    from kvalis.projects.views import PARTNERS_PAGE_SIZE

    _many_partners(world, 60)
    client.force_login(world.alice)
    first = client.get(_partners_url(world))
    assert len(first.context["partners"]) == PARTNERS_PAGE_SIZE
    assert first.context["partners"][0] == world.partner_a  # the lead first
    assert "62 partneriai" in first.text and "1 puslapis iš 2" in first.text
    second = client.get(_partners_url(world), {"page": 2})
    assert len(second.context["partners"]) == 12
    assert not {p.pk for p in first.context["partners"]} & {
        p.pk for p in second.context["partners"]
    }
    found = client.get(_partners_url(world), {"q": "Įstaiga 00"})
    names = [p.organisation.name for p in found.context["partners"]]
    assert names == [f"Įstaiga 00{index}" for index in range(10)]
    assert "10 partnerių" in found.text
    wide = client.get(_partners_url(world), {"q": "Įstaiga"})
    assert "?q=%C4%AEstaiga&amp;page=2" in wide.text


def test_a_search_nobody_matches_says_so(client, world):
    client.force_login(world.alice)
    response = client.get(_partners_url(world), {"q": "Niekur nėra"})
    assert response.status_code == 200
    assert "Nė vienas partneris neatitinka." in response.text
    assert "0 partnerių" in response.text


def test_a_partner_coordinator_pages_the_same_list_and_an_outsider_gets_404(client, world):
    _many_partners(world, 55)
    client.force_login(world.bob)
    response = client.get(_partners_url(world), {"page": 2})
    assert response.status_code == 200 and len(response.context["partners"]) == 7
    client.force_login(world.charlie)
    assert client.get(_partners_url(world)).status_code == 404
