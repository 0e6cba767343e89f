from decimal import Decimal

import pytest

from tests.factories import (
    ActivityCertificateSettingsFactory,
    AttendanceFactory,
    CertificateIssuerFactory,
    EnrolmentFactory,
    PersonFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://kvalis.example.lt"


@pytest.fixture
def issuer(world):
    """The lead library issues world.activity's certificates with the prefix UVB."""
    issuer = CertificateIssuerFactory(
        project=world.project,
        organisation=world.lead,
        prefix="UVB",
        signatory_name="Dalia Žilinskienė",
        signatory_position="direktorė",
    )
    ActivityCertificateSettingsFactory(activity=world.activity, issuer=issuer)
    return issuer


def completer(world, *, first="Eglė", last="Čepulytė", user=None, status="present", minutes=None):
    """A confirmed enrolment in world.cohort with attendance at its (only) 8-hour session."""
    person = PersonFactory(first_name=first, last_name=last, user=user, organisation=world.lead)
    enrolment = EnrolmentFactory(cohort=world.cohort, person=person)
    AttendanceFactory(
        enrolment=enrolment, session=world.session, status=status, minutes_attended=minutes
    )
    return enrolment


@pytest.fixture
def participant(world, issuer):
    """A participant login who completed world.cohort."""
    user = UserFactory(email="egle@example.lt")
    return user, completer(world, user=user)


@pytest.fixture
def funder(world):
    from tests.factories import MembershipFactory

    user = UserFactory(email="ministerija@example.lt")
    MembershipFactory(project=world.project, user=user, role="funder_observer")
    return user


HOURS = Decimal("8")
