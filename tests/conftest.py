"""Shared fixtures: a small world with the three personas every access test uses.

- `alice`: coordinator of `project` (led by `lead`).
- `bob`: partner coordinator of `partner_b` in the same project: sees only his organisation's
  people, never another partner's.
- `charlie`: an outsider with a login of their own making: the coordinator of another
  registered organisation, with a project of their own (`other_project`).
- `dana`: a member of the public who applied through the catalogue to `other_project`,
  confirmed the address and chose a password — a participant there, nothing here.

alice coordinates the lead organisation and bob partner B's organisation (both registered), as
the ownership migration made of existing data.
"""

from dataclasses import dataclass

import pytest

from tests.factories import (
    ActivityFactory,
    CohortFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
    ProjectFactory,
    SessionFactory,
    UserFactory,
)

pytest_plugins = ["tests.browser"]


# The longest test modules, longest first. The test processes take modules in collection order,
# one at a time (`--dist loadfile`); starting with these, the short ones fill the gaps at the end
# instead of one process running a long module alone while the other is idle.
LONGEST_FIRST = [
    "tests/journeys/test_sweep_coordinator.py",
    "tests/journeys/test_sweep_partner.py",
    "tests/journeys/test_sweep_others.py",
    "tests/test_post_matrix.py",
    "tests/journeys/test_partner_import.py",
    "tests/journeys/test_foundation.py",
    "tests/projects/test_demo_acceptance.py",
    "tests/journeys/test_front_door.py",
    "tests/test_url_roles.py",
]


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within a module and among the rest is kept


@pytest.fixture(scope="session", autouse=True)
def _test_settings_for_the_session(tmp_path_factory):
    """The same fast settings for session- and module-scoped fixtures (a demo loaded once per
    module), and uploaded or generated files in a temporary folder, never in the checkout's var/."""
    from django.conf import settings
    from django.test import override_settings

    override = override_settings(
        LANGUAGE_CODE="lt",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}},
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
    )
    override.enable()
    yield
    override.disable()


@pytest.fixture(autouse=True)
def _lithuanian_and_fast(settings):
    settings.LANGUAGE_CODE = "lt"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_attempt_counters():
    """Sign-in, application and check-in-code throttles count in the cache: every test starts
    from zero, whatever the tests before it did in the same process."""
    from django.core.cache import cache

    from kvalis.lib import kept

    cache.clear()
    kept.clear()  # kept page parts are keyed by pk and version, which repeat between tests


@dataclass
class World:
    project: object
    lead: object
    partner_a: object  # the lead's partner row
    partner_b: object  # another partner organisation's row
    other_project: object
    activity: object
    cohort: object
    session: object
    person_a: object  # works at the lead
    person_b: object  # works at partner B
    alice: object
    bob: object
    charlie: object
    dana: object


@pytest.fixture
def world(db) -> World:
    project = ProjectFactory(code="UTENA-T")
    lead = project.lead
    partner_a = PartnerFactory(project=project, organisation=lead, role="lead")
    partner_b = PartnerFactory(
        project=project, organisation=OrganisationFactory(name="Molėtų biblioteka")
    )
    other_project = ProjectFactory(code="KITAS-T")
    PartnerFactory(project=other_project, organisation=other_project.lead, role="lead")
    activity = ActivityFactory(project=project)
    cohort = CohortFactory(activity=activity)
    session = SessionFactory(cohort=cohort)
    alice = UserFactory(email="alice@example.lt")
    bob = UserFactory(email="bob@example.lt")
    charlie = UserFactory(email="charlie@example.lt")
    MembershipFactory(project=project, user=alice, role="coordinator")
    MembershipFactory(project=project, user=bob, role="partner_coordinator", partner=partner_b)
    MembershipFactory(project=other_project, user=charlie, role="coordinator")
    dana = _public_member(other_project)
    return World(
        project=project,
        lead=lead,
        partner_a=partner_a,
        partner_b=partner_b,
        other_project=other_project,
        activity=activity,
        cohort=cohort,
        session=session,
        person_a=PersonFactory(organisation=lead, last_name="Jonaitė"),
        person_b=PersonFactory(organisation=partner_b.organisation, last_name="Petraitė"),
        alice=alice,
        bob=bob,
        charlie=charlie,
        dana=dana,
    )


def _public_member(project):
    """A visitor's own login: applied to a cohort of `project`, confirmed, chose a password."""
    from kvalis.enrolment.models import Enrolment

    cohort = CohortFactory(activity=ActivityFactory(project=project))
    dana = UserFactory(email="dana@example.lt")
    person = PersonFactory(
        organisation=OrganisationFactory(name="Kaimo kultūros namai"),
        email=dana.email,
        user=dana,
        last_name="Viešoji",
    )
    Enrolment.objects.create(person=person, cohort=cohort, status="confirmed")
    return dana
