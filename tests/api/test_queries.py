"""A fixed number of queries per endpoint, whatever the size of the project."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ActivityFactory,
    CertificateFactory,
    CohortFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def _grow(world, n: int) -> None:
    for i in range(n):
        partner = PartnerFactory(
            project=world.project, organisation=OrganisationFactory(name=f"Įstaiga {i}")
        )
        activity = ActivityFactory(project=world.project, title=f"Modulis {i}")
        cohort = CohortFactory(activity=activity)
        SessionFactory(cohort=cohort)
        SessionFactory(cohort=cohort)
        person = PersonFactory(organisation=partner.organisation)
        PersonFactory(organisation=world.partner_b.organisation)
        EnrolmentFactory(cohort=cohort, person=person, status="confirmed")


def _count(call, path: str, who: str, how: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = call(path, who, how)
    assert response.status_code == 200, (path, response.content[:200])
    return len(context.captured_queries)


@pytest.mark.parametrize("how", ["token", "session"])
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_queries_do_not_grow_with_the_project(call, world, how, who):
    certificate = CertificateFactory(
        enrolment__cohort=world.cohort, enrolment__person=world.person_a
    )
    code = world.project.code
    paths = [
        "/api/projects/",
        reverse("api:project_detail", args=[code]),
        reverse("api:project_people", args=[code]),
        reverse("api:project_indicators", args=[code]),
        reverse("api:certificate_detail", args=[certificate.verification_code]),
    ]
    _grow(world, 2)
    call(paths[0], who, how)  # warm the session / caches
    small = {path: _count(call, path, who, how) for path in paths}
    _grow(world, 12)
    large = {path: _count(call, path, who, how) for path in paths}
    assert large == small
