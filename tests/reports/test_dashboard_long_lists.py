"""The dashboard of a national programme stays small: partners are typed, not listed in a
`<select>`, and a long breakdown shows its largest rows with the rest added up in one."""

import pytest
from django.urls import reverse

from kvalis.reports.views import CHART_ROWS, _dashboard_charts
from tests.factories import AttendanceFactory, EnrolmentFactory


@pytest.fixture
def attended(world):
    for person, partner in ((world.person_a, world.partner_a), (world.person_b, world.partner_b)):
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=person, cohort=world.cohort, partner=partner),
            session=world.session,
        )
    return world


def _dashboard(client, world, query=""):
    client.force_login(world.alice)
    return client.get(reverse("reports:dashboard", args=[world.project.code]) + query)


def test_the_partner_filter_is_a_text_box_not_a_list_of_every_partner(client, attended):
    response = _dashboard(client, attended)
    assert 'name="partner"' in response.text
    assert '<select name="partner"' not in response.text
    assert "Molėtų biblioteka</option>" not in response.text


def test_a_partner_typed_by_name_filters_the_figures(client, attended):
    response = _dashboard(client, attended, "?partner=Molėtų")
    assert response.context["form"].is_valid(), response.context["form"].errors
    assert response.context["data"]["participants_trained"] == 1
    assert 'value="Molėtų"' in response.text  # what was typed stays in the box


def test_a_partners_id_still_filters_as_links_and_stored_jobs_give_it(client, attended):
    response = _dashboard(client, attended, f"?partner={attended.partner_b.pk}")
    assert response.context["data"]["participants_trained"] == 1


def test_another_projects_partner_is_refused_and_nothing_is_filtered(client, attended):
    other = attended.other_project.partners.get()
    response = _dashboard(client, attended, f"?partner={other.pk}")
    assert response.context["form"].errors["partner"]
    assert response.context["data"]["participants_trained"] == 2


def test_a_long_breakdown_shows_its_largest_rows_and_the_rest_in_one():
    counts = {f"Įstaiga {index:04}": 5000 - index for index in range(2000)}
    (chart,) = _dashboard_charts({"participants_by_partner": counts})
    assert len(chart.rows) == CHART_ROWS
    assert chart.rows[0] == ("Įstaiga 0000", 5000)
    shown = CHART_ROWS - 1
    assert chart.rows[-1] == (f"dar {2000 - shown}", sum(list(counts.values())[shown:]))


def test_a_breakdown_by_every_municipality_is_shown_whole():
    counts = {f"savivaldybė {index}": 100 - index for index in range(60)}
    (chart,) = _dashboard_charts({"participants_by_municipality": counts})
    assert len(chart.rows) == 60
