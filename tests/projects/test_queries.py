"""List pages run a fixed number of queries whatever the data size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    CohortFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(world, n: int) -> None:
    for _ in range(n):
        partner = PartnerFactory(project=world.project)
        partner.covered_organisations.add(OrganisationFactory())
        MembershipFactory(
            project=world.project, user=UserFactory(), role="partner_coordinator", partner=partner
        )
        cohort = CohortFactory(activity=world.activity)
        cohort.trainers.add(PersonFactory(organisation=world.lead))
        SessionFactory(cohort=cohort)


def test_list_pages_do_not_grow_queries_with_data(client, world):
    client.force_login(world.alice)
    code = world.project.code
    urls = [
        reverse("projects:detail", args=[code]),
        reverse("projects:partners", args=[code]),
        reverse("projects:activities", args=[code]),
        reverse("projects:members", args=[code]),
        reverse("projects:cohort", args=[code, world.cohort.pk]),
        reverse("projects:public", args=[code]),
    ]
    _grow(world, 2)
    small = {url: _count(client, url) for url in urls}
    _grow(world, 10)
    large = {url: _count(client, url) for url in urls}
    assert large == small
