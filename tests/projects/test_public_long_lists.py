"""The public page of a large project stays one page long: its open cohorts a page at a time,
the first dates of each activity with how many cohorts it has, the first partners with how many
more (a national project's page listed every cohort with its sessions)."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kvalis.projects.storefront import PUBLIC_COHORT_DATES, PUBLIC_OPEN_COHORTS, PUBLIC_PARTNERS
from tests.factories import ActivityFactory, CohortFactory, OrganisationFactory, PartnerFactory

pytestmark = pytest.mark.django_db

START = date.today() + timedelta(days=30)


def open_cohorts(activity, count: int) -> list:
    return [
        CohortFactory(
            activity=activity,
            name=f"{n + 1} grupė",
            start_date=START + timedelta(days=n),
            end_date=START + timedelta(days=n),
        )
        for n in range(count)
    ]


def public_page(client, code: str, query: str = ""):
    cache.clear()
    response = client.get(reverse("projects:public", args=[code]) + query)
    assert response.status_code == 200
    return response


def apply_links(text: str) -> int:
    return text.count(">Pateikti paraišką</a>")


def test_open_cohorts_come_a_page_at_a_time(client, world):
    cohorts = open_cohorts(world.activity, PUBLIC_OPEN_COHORTS + 3)
    first = public_page(client, world.project.code)
    assert apply_links(first.text) == PUBLIC_OPEN_COHORTS
    assert f"{PUBLIC_OPEN_COHORTS + 3} grupių priima paraiškas." in first.text
    assert "1 puslapis iš 2" in first.text
    assert reverse("enrolment:apply", args=[cohorts[0].public_id]) in first.text
    second = public_page(client, world.project.code, "?page=2")
    assert apply_links(second.text) == 3
    assert reverse("enrolment:apply", args=[cohorts[-1].public_id]) in second.text
    assert reverse("enrolment:apply", args=[cohorts[0].public_id]) not in second.text


def test_a_wrong_page_number_shows_the_nearest_page(client, world):
    open_cohorts(world.activity, PUBLIC_OPEN_COHORTS + 1)
    assert apply_links(public_page(client, world.project.code, "?page=abc").text) == (
        PUBLIC_OPEN_COHORTS
    )
    assert apply_links(public_page(client, world.project.code, "?page=999").text) == 1


def test_a_few_open_cohorts_need_no_pages(client, world):
    open_cohorts(world.activity, 2)
    page = public_page(client, world.project.code).text
    assert apply_links(page) == 2
    assert "priima paraiškas." not in page
    assert "puslapis iš" not in page


def test_an_activity_shows_its_first_dates_and_how_many_cohorts_it_has(client, world):
    activity = ActivityFactory(project=world.project, title="Skaitmeninis raštingumas")
    open_cohorts(activity, PUBLIC_COHORT_DATES + 4)
    page = public_page(client, world.project.code).text
    shown = (START + timedelta(days=PUBLIC_COHORT_DATES - 1)).isoformat()
    hidden = (START + timedelta(days=PUBLIC_COHORT_DATES)).isoformat()
    assert f"{shown}; " not in page and shown in page
    assert hidden not in page.split('id="activities-h"')[1]
    assert f"(iš viso {PUBLIC_COHORT_DATES + 4} grupių)" in page


def test_the_first_partners_are_listed_with_how_many_more(client, world):
    for n in range(PUBLIC_PARTNERS + 1):
        PartnerFactory(project=world.project, organisation=OrganisationFactory(name=f"Įstaiga {n}"))
    page = public_page(client, world.project.code).text
    partners = page.split('id="partners-h"')[1].split("</section>")[0]
    assert partners.count("<li>") == PUBLIC_PARTNERS
    assert world.partner_a.organisation.name in partners  # the lead first
    total = world.project.partners.count()
    assert f"ir dar {total - PUBLIC_PARTNERS} partneriai" in partners


def test_the_page_costs_the_same_queries_with_many_cohorts_and_partners(client, world):
    def count() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("projects:public", args=[world.project.code]))
        return len(queries)

    open_cohorts(world.activity, 2)
    few = count()
    open_cohorts(ActivityFactory(project=world.project), PUBLIC_OPEN_COHORTS * 2)
    for n in range(5):
        PartnerFactory(project=world.project, organisation=OrganisationFactory(name=f"Įstaiga {n}"))
    assert count() == few


@pytest.mark.parametrize("status", ["invited", "declined", "left"])
def test_only_partners_that_accepted_are_shown_in_public(client, world, status):
    PartnerFactory(
        project=world.project,
        organisation=OrganisationFactory(name="Neprisijungęs muziejus"),
        status=status,
    )
    page = public_page(client, world.project.code).text
    partners = page.split('id="partners-h"')[1].split("</section>")[0]
    assert "Neprisijungęs muziejus" not in partners
    assert world.partner_a.organisation.name in partners
