"""Every named URL, POSTed by the two strangers who hold a login of their own making:

- charlie, the coordinator of another registered organisation, with a project of his own;
- dana, a member of the public with a confirmed application and a password.

Each POSTs to every URL twice (an empty form, and a form filled with values that aim at
`world`'s organisations and people: their ids, an attacker's e-mail, a reason), first with the
URL pointing into `world.project`, then with charlie's own project code in it and the rest
still pointing at `world`'s objects (a forged URL). Afterwards the database must hold exactly
what it held before — every row of every table but the sign-in sessions — and nobody must
have been sent an e-mail. A URL added later is covered the moment it exists.
"""

import contextlib

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import NoReverseMatch, reverse

from tests import url_kwargs
from tests.test_url_roles import URLS

IGNORED_MODELS = {Session}


def _snapshot() -> dict[str, dict]:
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model in IGNORED_MODELS or not model._meta.managed:
            continue
        rows = model._default_manager.order_by("pk").values()
        tables[model._meta.label] = {row[model._meta.pk.attname]: row for row in rows}
    return tables


def _payload(world) -> dict:
    """What a stranger would type to reach `world`'s people: every common field name, filled
    with ids and values of world's objects."""
    lead = world.lead.pk
    partner_org = world.partner_b.organisation.pk
    return {
        "organisation": partner_org,
        "covered_organisations": [lead, partner_org],
        "role": "sending",
        "person": world.person_a.pk,
        "people": [world.person_a.pk, world.person_b.pk],
        "persons": [world.person_a.pk, world.person_b.pk],
        "first_name": "Įsibrovėlis",
        "last_name": "Svetimas",
        "email": "attacker@example.org",
        "new_email": "attacker@example.org",
        "phone": "+37060000000",
        "position": "vadovas",
        "position_category": "head",
        "partner": world.partner_b.pk,
        "cohort": world.cohort.pk,
        "target": world.cohort.pk,
        "status": "cancelled",
        "reason": "tikrinimas",
        "override_reason": "tikrinimas",
        "code": "ISIBROVEJAS",
        "title": "Svetimas",
        "lead": lead,
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "currency": "EUR",
        "grant_amount": "1",
        "capacity": "1",
        "consent": "on",
        "confirm": "1",
        "action": "accept",
        "q": "",
    }


def _paths(url, world) -> list[str]:
    """The URL pointing into `world.project`, and forged: charlie's own project code with
    everything else still pointing at `world`'s objects."""
    by_name = getattr(url_kwargs, "URL_KWARGS_BY_NAME", {}).get(url.name, {})
    values = {}
    for kwarg in url.kwargs:
        make = by_name.get(kwarg) or url_kwargs.URL_KWARGS[kwarg]
        values[kwarg] = make(world)
    paths = [reverse(url.name, kwargs=values)]
    if "code" in values:
        with contextlib.suppress(NoReverseMatch):
            paths.append(reverse(url.name, kwargs={**values, "code": world.other_project.code}))
    return paths


# Rows a stranger's POST may add: the site-wide default questionnaire, seeded the first time a
# survey page needs it, and charlie's own project's records (checked below to be his own).
SEEDED = {"surveys.SurveyTemplate", "surveys.Question", "surveys.Choice"}


def _post_all(client, paths, payload, persona):
    # The full form, and a short one that a form's own checks (a partner covering itself, an
    # unknown field value) do not stop before it reaches the rule under test.
    short = {key: payload[key] for key in ("organisation", "role", "person", "email", "reason")}
    for path in paths:
        for data in ({}, payload, short):
            response = client.post(path, data)
            assert response.status_code < 500, f"{persona} POST {path} answered 500"


def _differences(before, after):
    """(table, pk) of rows changed or removed, and of rows added, by table."""
    changed, added = [], {}
    for table, rows in before.items():
        new_rows = after.get(table, {})
        changed += [(table, pk) for pk, row in rows.items() if new_rows.get(pk) != row]
        extra = sorted(set(new_rows) - set(rows))
        if extra:
            added[table] = [new_rows[pk] for pk in extra]
    return changed, added


@pytest.mark.parametrize("persona", ["charlie", "dana"])
def test_strangers_posts_change_nothing_of_another_organisation(
    client, world, persona, mailoutbox, django_capture_on_commit_callbacks
):
    inside, forged = [], []
    for url in URLS:
        if url.name in url_kwargs.PUBLIC_URLS or not url.kwargs:
            continue
        paths = _paths(url, world)
        inside.append(paths[0])
        forged.extend(paths[1:])
    assert len(inside) > 100  # the walk found the URLconf
    client.force_login(getattr(world, persona))
    payload = _payload(world)

    before = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):  # e-mails are sent after commit
        _post_all(client, inside, payload, persona)
    changed, added = _differences(before, _snapshot())
    assert changed == [], f"{persona}'s POSTs into {world.project.code} changed {changed[:10]}"
    assert set(added) <= SEEDED, f"{persona}'s POSTs into {world.project.code} added {added}"
    assert [m.to for m in mailoutbox] == []

    # Forged: charlie's own project in the URL, world's objects in the rest and in the form.
    before = _snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        _post_all(client, forged, payload, persona)
    changed, added = _differences(before, _snapshot())
    assert changed == [], f"{persona}'s forged POSTs changed {changed[:10]}"
    own = str(world.other_project.pk)
    for table, rows in added.items():
        if table in SEEDED:
            continue
        assert persona == "charlie", f"dana's forged POSTs added {table} {rows}"
        assert table in OWN_PROJECT_ROWS, f"charlie's forged POSTs added {table} {rows}"
        for row in rows:
            assert OWN_PROJECT_ROWS[table](row, world), f"{table} row {row} is not charlie's own"
    # Whatever he added, charlie's own project still shows none of world's people.
    people = client.get(reverse("people:list", args=[world.other_project.code])).content.decode()
    api = client.get(reverse("api:project_people", args=[world.other_project.code]))
    for text in (people, api.content.decode()):
        assert world.person_a.email not in text and world.person_b.email not in text
    # The only mail: the invitation to partner B's organisation, to its own coordinator.
    assert own  # charlie's project exists
    assert all(m.to == [world.bob.email] for m in mailoutbox), [m.to for m in mailoutbox]


def _audit_of_own_project(row, world) -> bool:
    seeded = row["action"] == "survey_template.default_create" and row["project_id"] is None
    return seeded or row["project_id"] == world.other_project.pk


def _own_project(row, world) -> bool:
    return row["project_id"] == world.other_project.pk


def _invitation_only(row, world) -> bool:
    """A partnership charlie offers another organisation waits for its answer."""
    mine = world.other_project.lead_id
    return row["project_id"] == world.other_project.pk and (
        row["status"] == "invited" or row["organisation_id"] == mine
    )


def _invitation_mail(row, world) -> bool:
    """The one e-mail: partner B's coordinator is told of charlie's invitation."""
    return row["to"] == [world.bob.email] and row["template"].endswith("partnership_invitation")


OWN_PROJECT_ROWS = {
    "outbox.OutboxMessage": _invitation_mail,
    "audit.AuditEntry": _audit_of_own_project,
    "reports.PublicSummary": _own_project,
    "reports.ExportJob": _own_project,
    "projects.Partner": _invitation_only,
}


def test_the_matrix_would_catch_a_write(client, world):
    """The snapshot sees a change made through a page: alice, who may, edits a person."""
    before = _snapshot()
    client.force_login(world.alice)
    response = client.post(
        reverse("people:edit", args=[world.project.code, world.person_a.pk]),
        {
            "first_name": "Ona",
            "last_name": "Pakeista",
            "email": world.person_a.email,
            "organisation": world.lead.pk,
            "position": "vadovė",
            "position_category": "head",
        },
    )
    assert response.status_code == 302
    assert _snapshot() != before
