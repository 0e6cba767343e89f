"""The demo's certificates come with credentials (issued through the services), and merging two
issuing organisations keeps both identities' credentials verifying."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from openbadgeslib.ob3 import OB3VerificationError

from kvalis.certificates import services as certificates
from kvalis.certificates.models import Certificate, CertificateStatus
from kvalis.credentials import services
from kvalis.credentials.models import Credential, IssuerIdentity
from kvalis.demo.steps import attendance, core, enrolment
from kvalis.demo.steps import certificates as certificates_step
from kvalis.demo.steps.core import LOGINS
from tests.certificates.conftest import completer
from tests.credentials.test_open_badges import _tamper, _verify
from tests.factories import (
    ActivityFactory,
    CertificateFactory,
    CertificateIssuerFactory,
    CohortFactory,
    OrganisationFactory,
    UserFactory,
)

User = get_user_model()


def test_demo_certificates_have_credentials(db, fetch):
    for step in (core, enrolment, attendance, certificates_step):
        step.load(stdout=StringIO())
    assert Certificate.objects.exists()
    assert not Certificate.objects.filter(credential__isnull=True).exists()
    valid = Certificate.objects.filter(status=CertificateStatus.VALID).first()
    token = services.credential_jwt(valid)
    assert services.verify_credential(token).status == "valid"
    # The issue's acceptance, on a demo certificate, by code Kvalis did not write, offline:
    # valid; a tampered copy fails; after revocation the same token verifies as revoked.
    assert _verify(token, fetch).id == Credential.objects.get(certificate=valid).urn
    with pytest.raises(OB3VerificationError, match="Invalid signature"):
        _verify(_tamper(token, name="Magistro diplomas"), fetch)
    coordinator = User.objects.get(email=LOGINS["coordinator"][0])
    certificates.certificate_revoke(
        certificate=valid, actor=coordinator, reason="Klaida", statement="issued_in_error"
    )
    with pytest.raises(OB3VerificationError, match="revocation"):
        _verify(token, fetch)
    replaced = Certificate.objects.get(status=CertificateStatus.REPLACED)
    result = services.verify_credential(services.credential_jwt(replaced))
    assert result.status == "replaced"
    assert result.replaced_by == Credential.objects.get(certificate=replaced.replaced_by).urn


@pytest.mark.parametrize("merge_into_the_issuer", [True, False])
def test_merged_issuers_keep_both_identities(world, issuer, merge_into_the_issuer):
    from kvalis.organisations.services import organisation_merge

    first = certificates.certificate_issue(enrolment=completer(world), actor=world.alice)
    other = OrganisationFactory(name="Utenos švietimo centras")
    # Another project's issuer: one project has one issuer per organisation.
    cohort = CohortFactory(activity=ActivityFactory(project=world.other_project))
    second_issuer = CertificateIssuerFactory(
        project=world.other_project, organisation=other, prefix="USC"
    )
    second = CertificateFactory(enrolment__cohort=cohort, issuer=second_issuer)
    tokens = [services.credential_jwt(first), services.credential_jwt(second)]
    admin = UserFactory(email="admin@example.lt", is_superuser=True)
    duplicate, kept = (other, world.lead) if merge_into_the_issuer else (world.lead, other)
    organisation_merge(actor=admin, duplicate=duplicate, kept=kept)
    assert IssuerIdentity.objects.filter(organisation=kept).count() == 2
    for token in tokens:
        assert services.verify_credential(token).status == "valid"
