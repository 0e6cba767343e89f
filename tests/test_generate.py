"""`kvalis generate` builds benchmark data in bulk that still obeys the services' rules.

Checked on the tiny scale (the national and county scales have the same shape, only more of it):
the counts it promises, the same names from the same seed, and the invariants the services keep
(capacity, attendance only for confirmed people at their own cohort's sessions that have
started, employers with a type and a municipality, accepted partners)."""

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kvalis.attendance.models import Attendance
from kvalis.demo.scale import SCALES, generate
from kvalis.enrolment.models import CohortRegistration, Enrolment
from kvalis.organisations.models import Organisation
from kvalis.people.models import Person, name_sort_key
from kvalis.projects.models import Cohort, Project, Session
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
TINY = SCALES["tiny"]
LITHUANIAN_LETTERS = re.compile("[ąčęėįšųūžĄČĘĖĮŠŲŪŽ]")


def run(*args: str) -> str:
    out = StringIO()
    call_command("generate", *args, stdout=out)
    return out.getvalue()


def names_from(seed: int) -> list[tuple[str, str, str]]:
    """The people a seed makes, then rolled back."""
    with transaction.atomic():
        generate(scale=TINY, seed=seed)
        names = list(
            Person.objects.order_by("email").values_list("first_name", "last_name", "email")
        )
        transaction.set_rollback(True)
    return names


def test_generate_makes_the_promised_counts_and_says_so():
    output = run("--scale", "tiny")
    assert Person.objects.count() == TINY.people
    assert Organisation.objects.count() == TINY.organisations
    assert Project.objects.count() == TINY.projects
    assert Cohort.objects.count() == TINY.cohorts
    assert Enrolment.objects.count() == TINY.enrolments
    assert Attendance.objects.count() == TINY.attendance
    assert f"{TINY.attendance} attendance rows" in output
    assert "Generated the tiny scale (seed 2014) in" in output


def test_the_same_seed_gives_the_same_people_and_another_seed_others():
    first, again, other = names_from(7), names_from(7), names_from(8)
    assert first == again
    assert first != other


def test_capacity_holds_and_waiting_places_are_numbered_from_one():
    generate(scale=TINY, seed=1)
    for cohort in Cohort.objects.annotate(
        confirmed=Count("enrolments", filter=Q(enrolments__status="confirmed"))
    ):
        assert 0 < cohort.confirmed <= cohort.capacity
        places = sorted(
            cohort.enrolments.filter(status="waiting").values_list("waiting_position", flat=True)
        )
        assert places == list(range(1, len(places) + 1))
    assert Enrolment.objects.filter(status="waiting").exists()


def test_attendance_only_for_confirmed_people_at_their_own_cohorts_past_sessions():
    generate(scale=TINY, seed=1)
    attendance = Attendance.objects.all()
    assert not attendance.exclude(enrolment__status="confirmed").exists()
    assert not attendance.exclude(session__cohort=F("enrolment__cohort")).exists()
    assert not attendance.filter(session__starts_at__gt=timezone.now()).exists()
    assert not attendance.exclude(status="late").filter(minutes_attended__isnull=False).exists()
    # Some cohorts have not started: open in the catalogue, with nothing recorded.
    future = Cohort.objects.filter(start_date__gt=timezone.localdate())
    assert future.exists()
    assert not Attendance.objects.filter(session__cohort__in=future).exists()
    assert set(
        CohortRegistration.objects.filter(is_open=True).values_list("cohort", flat=True)
    ) == (set(future.values_list("pk", flat=True)))
    assert not Session.objects.filter(starts_at__gte=F("ends_at")).exists()


def test_people_and_organisations_are_complete_and_lithuanian():
    generate(scale=TINY, seed=1)
    assert not Organisation.objects.filter(Q(type="") | Q(municipality="")).exists()
    assert not Person.objects.filter(Q(organisation=None) | Q(position="")).exists()
    people = list(Person.objects.all())
    assert sum(bool(LITHUANIAN_LETTERS.search(p.full_name)) for p in people) > len(people) // 4
    assert all(bytes(p.sort_key) == name_sort_key(p.last_name, p.first_name) for p in people)
    assert len({p.email for p in people}) == len(people)


def test_each_enrolment_counts_against_its_employers_accepted_partner():
    generate(scale=TINY, seed=1)
    for enrolment in Enrolment.objects.select_related("partner", "person", "cohort__activity"):
        assert enrolment.partner.organisation_id == enrolment.person.organisation_id
        assert enrolment.partner.project_id == enrolment.cohort.activity.project_id
        assert enrolment.partner.status == "accepted"
        assert enrolment.organisation_id == enrolment.person.organisation_id
    statuses = Counter(Enrolment.objects.values_list("status", flat=True))
    assert set(statuses) <= {"confirmed", "waiting", "rejected"}


def test_generated_coordinator_sees_the_people_list_and_the_dashboard():
    generate(scale=TINY, seed=1)
    client = Client()
    assert client.login(email="koordinatorius.gen-001@generuota.kvalis.lt", password="kvalis-demo")
    for url in (
        reverse("people:list", args=["GEN-001"]),
        reverse("reports:dashboard", args=["GEN-001"]),
        reverse("api:project_indicators", args=["GEN-001"]),
    ):
        assert client.get(url).status_code == 200, url


def test_refuses_a_database_with_other_data_unless_forced():
    ProjectFactory(code="REAL-2024")
    with pytest.raises(CommandError, match="not generated"):
        run("--scale", "tiny")
    assert not Person.objects.filter(email__endswith="@generuota.kvalis.lt").exists()
    run("--scale", "tiny", "--force")
    assert Project.objects.filter(code__startswith="GEN-").count() == TINY.projects


def test_refuses_to_generate_twice():
    run("--scale", "tiny")
    with pytest.raises(CommandError, match="already holds generated data"):
        run("--scale", "tiny")
    assert Person.objects.count() == TINY.people
