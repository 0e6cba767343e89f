"""Queries compiled once (kvalis.lib.compiled) give what the ORM gives, on both databases."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q

from kvalis.access import _consortium_people, _membership, get_project_access
from kvalis.lib.compiled import CompiledQuery, Hole, Stand
from kvalis.projects.models import Membership, Project
from tests.factories import PersonFactory, ProjectFactory

PROJECT_FIELDS = ("code", "grant_amount", "start_date", "created_at", "is_public", "lead_id")


def _projects(code, at_least):
    return (
        Project.objects.filter(Q(code=code) | Q(grant_amount__gte=at_least))
        .order_by("code")
        .values_list(*PROJECT_FIELDS)
    )


PROJECTS = CompiledQuery(_projects, code=Stand(str), at_least=Stand(int))


@pytest.mark.django_db
def test_rows_are_the_orms_values_converted_as_django_converts_them():
    ProjectFactory(code="PIGUS-T", grant_amount=Decimal("7240.50"))
    ProjectFactory(code="BRANGUS-T", grant_amount=Decimal("25000.00"))
    ProjectFactory(code="VIDUTINIS-T", grant_amount=Decimal("12000.00"))
    for code, at_least in [("PIGUS-T", 20000), ("NĖRA", 10000), ("NĖRA", 10**9)]:
        expected = list(_projects(code, at_least))
        rows = PROJECTS.rows(code=code, at_least=at_least)
        assert rows == expected
    (row,) = PROJECTS.rows(code="PIGUS-T", at_least=10**9)
    code, amount, start, created, public, lead_id = row
    assert amount == Decimal("7240.50") and isinstance(amount, Decimal)
    assert created.tzinfo is not None  # aware, as the ORM gives it (SQLite stores it naive)
    assert start.isoformat()[:2] == "20" and isinstance(public, bool)


@pytest.mark.django_db
def test_a_value_used_in_several_places_is_put_in_each():
    people = CompiledQuery(
        lambda project_id: _consortium_people(project_id).values_list("pk"),
        project_id=Stand(int),
    )
    sql, params = people.sql(project_id=41)
    assert params.count(41) == 3 and sql.count("%s") == len(params)


@pytest.mark.django_db
def test_a_hole_takes_its_sql_and_its_parameters_at_its_place():
    ProjectFactory(code="A-T", grant_amount=Decimal("100.00"))
    ProjectFactory(code="B-T", grant_amount=Decimal("200.00"))
    ProjectFactory(code="C-T", grant_amount=Decimal("300.00"))
    around = CompiledQuery(
        lambda before, codes, after: (
            Project.objects.filter(
                grant_amount__gte=before, code__in=codes, grant_amount__lte=after
            )
            .order_by("code")
            .values_list("code")
        ),
        before=Stand(int),
        codes=Hole(),
        after=Stand(int),
    )
    inner = ('SELECT "code" FROM "projects_project" WHERE "code" <> %s', ["C-T"])
    assert around.rows(before=100, codes=inner, after=300) == [("A-T",), ("B-T",)]
    assert around.rows(before=150, codes=inner, after=300) == [("B-T",)]


def test_a_query_must_be_given_every_value_and_every_stand_must_reach_it():
    query = CompiledQuery(
        lambda code, unused: Project.objects.filter(code=code).values_list("pk"),
        code=Stand(str),
        unused=Stand(int),
    )
    with pytest.raises(TypeError):
        query.sql(code="X")
    with pytest.raises(ValueError, match="unused"):
        query.sql(code="X", unused=1)


def test_every_member_of_a_project_is_found_with_their_project_and_partner(world):
    for user, partner in [(world.alice, None), (world.bob, world.partner_b)]:
        found = _membership(user, world.project.code)
        stored = Membership.objects.select_related("project", "partner").get(
            user=user, project=world.project
        )
        assert (found.pk, found.role, found.user_id) == (stored.pk, stored.role, stored.user_id)
        assert found.project == world.project and found.partner == partner
        for field in Project._meta.concrete_fields:
            name = field.attname
            assert getattr(found.project, name) == getattr(stored.project, name), name
        if partner is not None:
            assert found.partner.organisation_id == partner.organisation_id
            assert found.partner.status == stored.partner.status
    assert _membership(world.alice, world.other_project.code) is None
    assert _membership(world.charlie, world.project.code) is None
    assert _membership(world.alice, "NĖRA-TOKIO") is None


def test_a_coordinators_compiled_scope_is_the_same_people_as_the_orms(world):
    outsider = PersonFactory(organisation=world.other_project.lead)
    access = get_project_access(world.alice, world.project.code)
    sql, params = access.people_sql()

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        compiled = {row[0] for row in cursor.fetchall()}
    assert compiled == set(access.people().values_list("pk", flat=True))
    assert world.person_a.pk in compiled and outsider.pk not in compiled
    assert get_project_access(world.bob, world.project.code).people_sql() is None
