"""The certificate register page: 50 certificates a page, filters (name or number, status,
activity, cohort, employer, year) that the page links and the exports keep, and a clear
message for a filter value that is not valid."""

import io
import re

from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import (
    ActivityFactory,
    CertificateFactory,
    CohortFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PersonFactory,
)


def _numbers(html: str) -> list[str]:
    return re.findall(r'/certificates/\d+/">([^<]+)</a>', html)


def _certificates(world, count: int, *, last="Asmuo", cohort=None, organisation=None):
    made = []
    for number in range(count):
        person = PersonFactory(
            organisation=organisation or world.lead, last_name=f"{last}{number:02}"
        )
        enrolment = EnrolmentFactory(cohort=cohort or world.cohort, person=person)
        made.append(CertificateFactory(enrolment=enrolment))
    return made


def _url(world) -> str:
    return reverse("certificates:register", args=[world.project.code])


def test_the_register_shows_50_certificates_a_page(client, world, issuer):
    _certificates(world, 61)
    client.force_login(world.alice)
    first = client.get(_url(world)).text
    assert len(_numbers(first)) == 50
    assert "61 pažymėjimas" in first
    assert len(_numbers(client.get(_url(world), {"page": 2}).text)) == 11


def test_page_links_and_exports_keep_the_filters(client, world, issuer):
    _certificates(world, 52, last="Petraitis")
    _certificates(world, 2, last="Kazlauskas")
    client.force_login(world.alice)
    page = client.get(_url(world), {"q": "Petrait"}).text
    assert "?q=Petrait&amp;page=2" in page
    second = client.get(_url(world), {"q": "Petrait", "page": 2}).text
    assert len(_numbers(second)) == 2
    export_link = reverse("certificates:register_export", args=[world.project.code])
    assert f"{export_link}?q=Petrait" in page
    # From page 2, the export link still takes every filtered certificate: no `page`.
    assert "page=2" not in re.search(r'href="([^"]*register/export[^"]*)"', second).group(1)
    export = client.get(export_link, {"q": "Petrait", "page": 2})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 1 + 52


def test_the_register_filters_by_cohort_and_employer(client, world, issuer):
    museum = OrganisationFactory(name="Zarasų krašto muziejus")
    other = CohortFactory(activity=world.activity)
    _certificates(world, 2)
    in_other = _certificates(world, 3, cohort=other, last="Kitas")
    at_museum = _certificates(world, 1, organisation=museum, last="Muziejininkė")
    client.force_login(world.alice)
    by_cohort = _numbers(client.get(_url(world), {"cohort": other.pk}).text)
    assert sorted(by_cohort) == sorted(c.number for c in in_other)
    by_employer = _numbers(client.get(_url(world), {"organisation": museum.pk}).text)
    assert by_employer == [at_museum[0].number]


def test_a_bad_filter_value_is_named_and_the_others_still_apply(client, world, issuer):
    _certificates(world, 2, last="Petraitis")
    _certificates(world, 2, last="Kazlauskas")
    foreign = CohortFactory(activity=ActivityFactory(project=world.other_project))
    client.force_login(world.alice)
    for parameter, value in [("cohort", "abc"), ("cohort", str(foreign.pk)), ("year", "²")]:
        response = client.get(_url(world), {"q": "Kazlausk", parameter: value})
        assert response.status_code == 200
        assert "Kai kurie filtrai nepritaikyti" in response.text, (parameter, value)
        assert len(_numbers(response.text)) == 2, (parameter, value)


def test_partner_and_outsider_get_404(client, world, issuer):
    _certificates(world, 1)
    for user in (world.bob, world.charlie):
        client.force_login(user)
        assert client.get(_url(world)).status_code == 404
