"""The audit log in words: every action code the code writes has a label, shown in Lithuanian;
times in Vilnius time; filters by action, who and period, checked by a form."""

import re
from datetime import UTC, datetime
from pathlib import Path

from django.urls import reverse
from django.utils import translation

import kvalis
from kvalis.audit.actions import ACTION_LABELS, action_label
from kvalis.audit.models import AuditEntry
from kvalis.audit.services import audit_log

# A string literal that looks like an action code ("enrolment.apply"), passed as `action="…"`
# (also `action="…" if … else "…"`) or kept in a constant named `…ACTION = "…"`.
CODE = re.compile(r"""["']([a-z_]+\.[a-z_]+)["']""")
CONSTANT = re.compile(r"""^[A-Z_]*ACTION\s*=\s*["']([a-z_]+\.[a-z_]+)["']""")


def _codes_written_in_the_source() -> dict[str, str]:
    root = Path(kvalis.__file__).parent
    found = {}
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            codes = CONSTANT.findall(line)
            if "action=" in line:
                passed = line.split("action=", 1)[1].split(",", 1)[0]
                codes += CODE.findall(passed)
            for code in codes:
                found.setdefault(code, f"{path.relative_to(root)}:{number}")
    return found


def test_every_action_code_written_anywhere_has_a_label():
    written = _codes_written_in_the_source()
    assert len(written) > 90  # the scan finds the codes (it would pass vacuously otherwise)
    missing = {code: where for code, where in written.items() if code not in ACTION_LABELS}
    assert missing == {}, f"add these to kvalis/audit/actions.py: {missing}"


def test_every_label_is_translated_to_lithuanian():
    untranslated = []
    for code, label in ACTION_LABELS.items():
        with translation.override("en"):
            english = str(label)
        with translation.override("lt"):
            if str(label) == english:
                untranslated.append(code)
    assert untranslated == []


def test_an_unknown_code_from_older_data_shows_as_itself():
    assert action_label("survey.answer") == "survey.answer"
    with translation.override("lt"):
        assert action_label("enrolment.apply") == "Gauta paraiška"


def _entry(world, *, action, when, actor=None, summary=""):
    entry = audit_log(
        actor=actor or world.alice, action=action, project=world.project, summary=summary
    )
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=when)
    return entry


def test_the_log_shows_labels_and_vilnius_time(client, world):
    # 21:30 UTC on 12 May is 00:30 on 13 May in Vilnius (summer time, UTC+3).
    _entry(world, action="enrolment.apply", when=datetime(2014, 5, 12, 21, 30, tzinfo=UTC))
    client.force_login(world.alice)
    response = client.get(reverse("audit:log", args=[world.project.code]))
    assert "Gauta paraiška" in response.text
    assert ">enrolment.apply<" not in response.text
    assert "2014-05-13 00:30" in response.text
    assert "Vilniaus laiku" in response.text


def test_the_log_filters_by_who_and_by_vilnius_days(client, world):
    _entry(
        world,
        action="venue.create",
        when=datetime(2014, 5, 12, 21, 30, tzinfo=UTC),
        summary="Naktinė salė",
    )
    _entry(
        world,
        action="venue.create",
        when=datetime(2014, 5, 12, 10, 0, tzinfo=UTC),
        summary="Dieninė salė",
    )
    _entry(
        world,
        action="venue.update",
        when=datetime(2014, 5, 14, 10, 0, tzinfo=UTC),
        actor=world.bob,
        summary="Bobo salė",
    )
    client.force_login(world.alice)
    url = reverse("audit:log", args=[world.project.code])

    by_bob = client.get(url, {"who": world.bob.pk}).text
    assert by_bob.count("data-action=") == 1 and "Bobo salė" in by_bob

    # the night entry happened on 13 May in Vilnius, though on 12 May in UTC
    day = client.get(url, {"date_from": "2014-05-13", "date_to": "2014-05-13"}).text
    assert "Naktinė salė" in day and "Dieninė salė" not in day and "Bobo salė" not in day

    both = client.get(url, {"action": "venue.create", "date_to": "2014-05-13"}).text
    assert both.count("data-action=") == 2


def test_only_actors_of_this_project_are_offered_and_bad_filters_are_explained(client, world):
    _entry(
        world, action="venue.create", when=datetime(2014, 5, 12, 10, 0, tzinfo=UTC), summary="Salė"
    )
    audit_log(actor=world.charlie, action="venue.create", project=world.other_project)
    client.force_login(world.alice)
    url = reverse("audit:log", args=[world.project.code])

    outsider = client.get(url, {"who": world.charlie.pk})
    assert outsider.status_code == 200
    assert "Kai kurie filtrai nesuprasti" in outsider.text
    assert "Salė" in outsider.text  # shown unfiltered

    for bad in ({"action": "no.such"}, {"date_from": "2014-13-01"}, {"who": "abc"}):
        response = client.get(url, bad)
        assert response.status_code == 200
        assert "Kai kurie filtrai nesuprasti" in response.text
        assert response.text.count("data-action=") == 1

    backwards = client.get(url, {"date_from": "2014-05-14", "date_to": "2014-05-12"})
    assert "Laikotarpio pradžia negali būti vėlesnė už pabaigą." in backwards.text


def test_a_persons_history_shows_the_actions_in_words(client, world):
    """The person page's history (for the keepers of the record) uses the same labels."""
    audit_log(actor=world.alice, action="person.update", obj=world.person_a, project=world.project)
    client.force_login(world.alice)
    page = client.get(reverse("people:detail", args=[world.project.code, world.person_a.pk]))
    assert "Pakeisti asmens duomenys" in page.text
    assert ">person.update" not in page.text
