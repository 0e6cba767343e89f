"""The API against its own OpenAPI document, as an outside client would try it.

Schemathesis takes the document the app serves at /api/schema/ and sends its requests to the
app's own WSGI handler (no network, no server). For every operation it generates the documented
examples, boundary and invalid values of every parameter, methods the document does not list and
calls without credentials, and checks every answer: no server error, a documented status,
content type and body. It runs as the coordinator with a personal token. Examples are bounded to
keep the test well under a minute on two cores.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from kvalis.api.schema import openapi_schema
from tests.factories import CertificateFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 25


def _inside_the_test_transaction(app):
    """The WSGI app, run the way Django's test client runs it.

    Django closes the database connection at the start and end of each request; inside a test
    that would end the transaction which keeps `world` and is rolled back afterwards.
    """

    def wsgi(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return wsgi


@pytest.fixture
def api_data(world, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    # The schema's examples (the README's project code, a certificate's code) become alice's
    # project, with a participant, and a certificate, so that they answer 200 with real data.
    world.project.code = "UTENA-KT-2014"
    world.project.save()
    enrolment = EnrolmentFactory(cohort=world.cohort, person=world.person_a)
    CertificateFactory(enrolment=enrolment, verification_code="MFRGGZDFMZTWQ2LK")
    return world


# The document the app serves at /api/schema/ (tests/api/test_schema.py checks that it does),
# built without a request: schemathesis reads it when the tests are collected, before there is
# a test database. Requests go to the app itself, as `from_wsgi` would send them.
schema = schemathesis.openapi.from_dict(openapi_schema("http://localhost/"))
schema.app = _inside_the_test_transaction(get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # `world` and the token are made once per operation, not per example, on purpose (read-only).
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_the_api_answers_as_its_schema_says(case, api_data, tokens):
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens['alice']}"})


def test_the_document_tried_is_the_one_the_app_serves(client, settings):
    settings.SITE_URL = "http://localhost"  # the server the schema names is SITE_URL's root
    served = client.get("/api/schema/").json()
    assert served == json.loads(json.dumps(openapi_schema("http://localhost/")))
