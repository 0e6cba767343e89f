"""Issue 2 is done when the demo coordinator sees the seed case's figures and the Molėtai
partner coordinator sees only Molėtai staff."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from kvalis.accounts.models import User
from kvalis.demo.data import PROJECT_CODE
from kvalis.organisations.models import Organisation
from kvalis.projects.models import Partner


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module's tests (each runs in its own rolled-back
    transaction on top of it)."""
    with django_db_blocker.unblock():
        try:
            call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _figure(html: str, label: str) -> str:
    return re.search(rf"<dt>{label}</dt><dd>([^<]*)</dd>", html).group(1)


def test_demo_coordinator_sees_the_seed_case(client, demo, db):
    client.force_login(User.objects.get(email="coordinator@demo.kvalis.lt"))
    response = client.get(reverse("projects:detail", args=[PROJECT_CODE]))
    assert response.status_code == 200
    assert "25 000,00 Lt" in response.text
    assert "7 240,50 €" in response.text
    assert _figure(response.text, "Organizacijų konsorciume") == "9"
    assert _figure(response.text, "Mokymo moduliai") == "3"
    assert _figure(response.text, "Pažintinės išvykos") == "1"


def test_demo_moletai_partner_sees_only_moletai_staff(client, demo, db):
    client.force_login(User.objects.get(email="partner.moletai@demo.kvalis.lt"))
    partner = Partner.objects.get(
        project__code=PROJECT_CODE, memberships__user__email__startswith="partner.moletai"
    )
    own = {partner.organisation_id, *partner.covered_organisations.values_list("pk", flat=True)}
    assert Organisation.objects.filter(pk__in=own).exclude(municipality="moletu-r").count() == 0

    url = reverse("people:list", args=[PROJECT_CODE])
    employers = set()
    page = 1
    while True:
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        rows = re.findall(
            r"<tr>\s*<td><a href=\"/projects/[^\"]+/people/\d+/\">.*?</tr>", response.text, re.S
        )
        employers |= {re.findall(r"<td>([^<]*)</td>", row)[1] for row in rows}
        if 'rel="next"' not in response.text:
            break
        page += 1
    expected = set(Organisation.objects.filter(pk__in=own).values_list("name", flat=True))
    assert employers and employers <= expected
    assert partner.organisation.name in employers
    assert all(name for name in employers)
