"""Every view that reads the query string, tried with junk in each parameter it reads.

Junk (a superscript digit, a number too big for any column, a negative, letters, an exponent,
an empty value) is what people paste and scripts send. It must never be a server error: the page
answers 200 with the filter ignored (and says so), or 404 for an id that does not exist or is not
visible. A new view reading `request.GET` belongs in `QUERY_PARAMETERS`.
"""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from tests import url_kwargs
from tests.test_url_roles import _walk

pytestmark = pytest.mark.django_db

JUNK = ["²", "9" * 23, "-1", "abc", "1e5", ""]

REPORT_FILTERS = ["activity", "partner", "municipality", "date_from", "date_to"]

# URL name -> the query parameters its view reads.
QUERY_PARAMETERS = {
    "enrolment:catalogue": ["activity", "municipality", "month"],
    "enrolment:roster": ["partner", "status"],
    "enrolment:roster_csv": ["partner", "status"],
    "enrolment:roster_xlsx": ["partner", "status"],
    "enrolment:import_detail": ["errors"],
    "certificates:verify_form": ["code"],
    "certificates:register": ["q", "status", "activity", "cohort", "organisation", "year", "page"],
    "certificates:register_export": [
        "q",
        "status",
        "activity",
        "cohort",
        "organisation",
        "year",
        "format",
    ],
    "attendance:hours": ["q", "activity", "cohort", "organisation", "page"],
    "attendance:hours_csv": ["q", "activity", "cohort", "organisation"],
    "attendance:hours_xlsx": ["q", "activity", "cohort", "organisation"],
    "attendance:session": ["mode"],
    "audit:log": ["action", "who", "date_from", "date_to", "page"],
    "budget:expenses": ["line"],
    "budget:expense_create": ["line"],
    "reports:dashboard": REPORT_FILTERS,
    "reports:json": REPORT_FILTERS,
    "reports:xlsx": REPORT_FILTERS,
    "people:list": ["q", "organisation", "municipality", "cohort", "page"],
    "api:project_people": ["page"],
    "api:project_indicators": REPORT_FILTERS,
    "organisations:list": ["q", "page"],
    "organisations:search": ["q", "type"],
    "organisations:create": ["type", "next", "field"],
    "projects:create": ["funder"],
    "projects:edit": ["funder"],
    "organisations:join_requests": ["page"],
}
# Not requested here, because they render PDFs (slow) and read one switch by comparing it with a
# constant, which junk cannot break: `lang` (certificates:pdf, my_certificate_pdf, my_cpd_pdf and
# the CPD record PDF: "en" or Lithuanian) and `annex` (reports:final_report: "0" or with it).


def _url(world, name: str) -> str:
    [kwarg_names] = [
        kwargs for url_name, kwargs, _route in _walk(get_resolver()) if url_name == name
    ]
    by_name = url_kwargs.URL_KWARGS_BY_NAME.get(name, {})
    kwargs = {k: (by_name.get(k) or url_kwargs.URL_KWARGS[k])(world) for k in kwarg_names}
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", sorted(QUERY_PARAMETERS))
def test_junk_in_the_query_string_is_never_a_server_error(world, name):
    client = Client(raise_request_exception=False)
    client.force_login(world.alice)
    path = _url(world, name)
    failures = []
    for parameter in QUERY_PARAMETERS[name]:
        for value in JUNK:
            response = client.get(path, {parameter: value})
            if response.status_code not in (200, 302, 404):
                failures.append(f"{parameter}={value!r}: {response.status_code}")
    assert failures == [], f"{path}: {failures}"


def test_every_view_reading_the_query_string_is_listed():
    """A new `request.GET` in a view must be added to QUERY_PARAMETERS (or said why not)."""
    import kvalis

    root = Path(kvalis.__file__).parent
    readers = {
        path.relative_to(root).parts[0]
        for path in root.rglob("views.py")
        if re.search(r"request\.GET\b", path.read_text())
    }
    listed = {name.split(":")[0] for name in QUERY_PARAMETERS}
    assert readers <= listed, readers - listed


@pytest.mark.parametrize("value", JUNK[:5])
@pytest.mark.parametrize("name", ["enrolment:roster", "enrolment:roster_csv"])
def test_a_junk_roster_filter_is_ignored(client, world, name, value):
    """`?partner=²` (or a 23-digit number…) lists everyone the caller may see, as no filter."""
    from tests.factories import EnrolmentFactory

    EnrolmentFactory(cohort=world.cohort, person=world.person_a)
    EnrolmentFactory(cohort=world.cohort, person=world.person_b, partner=world.partner_b)
    client.force_login(world.alice)
    path = reverse(name, args=[world.project.code, world.cohort.pk])
    for parameter in ("partner", "status"):
        response = client.get(path, {parameter: value})
        assert response.status_code == 200
        text = response.content.decode()
        assert world.person_a.last_name in text and world.person_b.last_name in text


def test_the_roster_says_a_filter_in_the_address_was_not_applied(client, world):
    client.force_login(world.alice)
    path = reverse("enrolment:roster", args=[world.project.code, world.cohort.pk])
    assert "nepritaikytas" not in client.get(path).content.decode()
    text = client.get(path, {"partner": "²"}).content.decode()
    assert "Filtras adrese netinkamas ir nepritaikytas" in text


def test_a_partner_of_another_project_is_not_a_roster_filter(client, world):
    """A partner id of another project (or none at all) is no filter, not an empty roster."""
    from tests.factories import EnrolmentFactory, PartnerFactory

    EnrolmentFactory(cohort=world.cohort, person=world.person_a)
    elsewhere = PartnerFactory(project=world.other_project)
    client.force_login(world.alice)
    path = reverse("enrolment:roster", args=[world.project.code, world.cohort.pk])
    for value in (elsewhere.pk, 10**9):
        text = client.get(path, {"partner": value}).content.decode()
        assert world.person_a.last_name in text


def test_a_partner_coordinator_filters_only_by_their_own_partner(client, world):
    from tests.factories import EnrolmentFactory

    EnrolmentFactory(cohort=world.cohort, person=world.person_b, partner=world.partner_b)
    client.force_login(world.bob)
    path = reverse("enrolment:roster_csv", args=[world.project.code, world.cohort.pk])
    text = client.get(path, {"partner": world.partner_b.pk}).content.decode()
    assert world.person_b.last_name in text
    text = client.get(path, {"partner": world.partner_a.pk}).content.decode()
    assert world.person_b.last_name in text  # not his: ignored, not an empty roster


@pytest.mark.parametrize("month", ["9" * 23, "0-05", "99999-01", "2014-13"])
def test_the_catalogue_ignores_a_month_no_calendar_has(client, world, month):
    response = Client(raise_request_exception=False).get(
        reverse("enrolment:catalogue"), {"month": month}
    )
    assert response.status_code == 200
    assert "MMMM-MM" in response.content.decode()
