# ruff: noqa: F811 (the `setting` fixture is imported, then requested by name)
"""Staff lists as people really have them: Windows-1257 CSV, numbers for phones, formulas,
no-break spaces, cut and overlong lines, the same person twice, no category column; partial
imports, every failing row named, e-mails held and sent from the roster, the rows to fix as a
file that re-imports once corrected."""

import io
import re
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from kvalis.audit.models import AuditEntry
from kvalis.enrolment import imports
from kvalis.enrolment.models import Enrolment, HeldMail, ImportStatus
from kvalis.people.models import Person
from tests.enrolment.test_import import HEADER, check, csv_bytes, setting, upload, xlsx  # noqa: F401
from tests.factories import EnrolmentFactory, PersonFactory

NO_CATEGORY = ["Vardas", "Pavardė", "El. paštas", "Telefonas", "Įstaiga", "Pareigos"]


def _confirm(batch, capture, **kwargs):
    with capture(execute=True):
        imports.import_confirm(actor=batch.created_by, batch=batch, **kwargs)
    batch.refresh_from_db()
    return batch


def _map(batch, capture, **kwargs):
    with capture(execute=True):
        imports.import_map(actor=batch.created_by, batch=batch, **kwargs)
    batch.refresh_from_db()
    return batch, {row["number"]: row for row in batch.results}


def test_a_windows_1257_semicolon_list_without_bom_reads_lithuanian_letters(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [["Žydrūnė", "Čiūrlytė-Šimkienė", "zydrune@example.lt", "", centre.name, "x", "spec."]]
    rows[0][6] = "specialistė"
    raw = csv_bytes(rows, encoding="cp1257")
    assert not raw.startswith(b"\xef\xbb\xbf") and b";" in raw
    batch, by_row = check(
        upload(world, cohort, "sąrašas.csv", raw), django_capture_on_commit_callbacks
    )
    assert by_row[2].errors == []
    assert by_row[2].data["first_name"] == "Žydrūnė"
    assert by_row[2].data["last_name"] == "Čiūrlytė-Šimkienė"


def test_a_phone_stored_as_a_number_keeps_its_plus_370(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [
        ["Ona", "Gera", "ona@example.lt", 37061200005, centre.name, "x", "specialist"],
        ["Rita", "Gera", "rita@example.lt", 861200006, centre.name, "x", "specialist"],
        ["Asta", "Gera", "asta@example.lt", 61200007.0, centre.name, "x", "specialist"],
    ]
    _batch, by_row = check(
        upload(world, cohort, "a.xlsx", xlsx(rows)), django_capture_on_commit_callbacks
    )
    assert [by_row[n].data["phone"] for n in (2, 3, 4)] == [
        "+37061200005",
        "+37061200006",
        "+37061200007",
    ]
    assert all(by_row[n].errors == [] for n in (2, 3, 4))


def _with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """The workbook as Excel saves it: each formula cell (openpyxl writes `<c r="B2"><f>…</f>
    <v></v></c>`, no value) given the text value it computed (`t="str"`, `<v>text</v>`).
    openpyxl cannot write cached values, so the sheet's XML is edited in the zip."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for cell, value in values.items():
                    text, n = re.subn(
                        rf'<c r="{cell}"([^>]*)><f>(.*?)</f><v\s*/?>(</v>)?',
                        rf'<c r="{cell}"\1 t="str"><f>\2</f><v>{value}</v>',
                        text,
                    )
                    assert n == 1, text
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def test_a_formula_with_a_saved_value_uses_the_value_and_one_without_is_named_by_cell(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [
        ["Ona", '=CONCATENATE("Ge","ra")', "ona@example.lt", "", centre.name, "x", "specialist"],
        ["Rita", '=CONCATENATE("Ju","ra")', "rita@example.lt", "", centre.name, "x", "specialist"],
    ]
    data = _with_cached_values(xlsx(rows), {"B2": "Gera"})  # B3 stays without a value
    assert load_workbook(io.BytesIO(data), data_only=True).active["B2"].value == "Gera"
    _batch, by_row = check(
        upload(world, cohort, "f.xlsx", data), django_capture_on_commit_callbacks
    )
    assert by_row[2].errors == [] and by_row[2].data["last_name"] == "Gera"
    assert by_row[3].errors == [
        "Langelyje B3 formulė be apskaičiuotos reikšmės — išsaugokite failą Excel programa "
        "ir įkelkite dar kartą."
    ]


def test_no_break_spaces_and_letter_case_do_not_hide_the_same_person(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [
        ["Ona\u00a0Marija", "Gera", "", "", centre.name, "x", "specialist"],
        ["ONA MARIJA", "gera", "", "", centre.name, "x", "specialist"],
        ["Jonas", "Jonaitis", "Jonas@Example.lt", "", centre.name, "x", "specialist"],
        ["Jonas", "Jonaitis", "jonas@example.LT", "", centre.name, "x", "specialist"],
    ]
    _batch, by_row = check(
        upload(world, cohort, "a.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )
    assert by_row[2].errors == [] and by_row[2].data["first_name"] == "Ona Marija"
    assert by_row[3].errors == [
        "Tas pats asmuo kaip 2 eilutėje (tas pats vardas, pavardė ir darbovietė)."
    ]
    assert by_row[5].errors == ["Tas pats asmuo kaip 4 eilutėje (tas pats el. pašto adresas)."]


def test_short_and_long_rows_are_named_as_such(world, setting, django_capture_on_commit_callbacks):
    cohort, centre = setting
    text = "\n".join(
        [
            ";".join(HEADER),
            f"Ona;Gera;ona@example.lt;;{centre.name};x;specialist",
            "Rita;Trumpa;rita@example.lt",  # 3 cells of 7
            f"Asta;Ilga;asta@example.lt;;{centre.name};x;specialist;;pastaba;dar",  # I, J
        ]
    )
    batch, by_row = check(
        upload(world, cohort, "a.csv", text.encode()), django_capture_on_commit_callbacks
    )
    assert by_row[2].errors == []
    assert by_row[3].errors == [
        "Eilutėje 3 langeliai, antraštėje 7: trūksta reikšmės arba ji ne tame stulpelyje "
        "(patikrinkite šios eilutės skirtukus)."
    ]
    assert by_row[4].errors == [
        "Eilutėje perteklinių stulpelių su duomenimis: I, J. Jie neimportuojami: perkelkite "
        "reikšmes į tinkamus stulpelius arba suteikite tiems stulpeliams antraštes."
    ]
    assert imports.columns_beyond_header(batch) == (["I", "J"], 1)
    assert (by_row[3].kinds, by_row[4].kinds) == (["short_row"], ["long_row"])


def test_an_unknown_organisation_is_named_with_the_ones_allowed(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [["Ona", "Gera", "ona@example.lt", "", "Nežinoma biblioteka", "x", "specialist"]]
    _batch, by_row = check(
        upload(world, cohort, "a.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )
    allowed = ", ".join(sorted([centre.name, world.partner_b.organisation.name]))
    assert by_row[2].errors == [
        "Nežinoma organizacija „Nežinoma biblioteka“: patikrinkite pavadinimą. Galima "
        f"importuoti šių įstaigų darbuotojus: {allowed}."
    ]


def test_a_list_without_a_category_column_imports_with_one_category_for_all(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [["Ona", "Gera", "ona@example.lt", "", "", "bibliotekininkė"]]
    batch = upload(world, cohort, "a.csv", csv_bytes(rows, header=NO_CATEGORY))
    assert batch.derive_category  # suggested: the list names positions, not categories
    with pytest.raises(ValidationError, match="Pasirinkite stulpelį arba vieną reikšmę"):
        imports.import_map(actor=world.bob, batch=batch, mapping=batch.mapping)
    mapping = {**batch.mapping, "organisation": None}
    batch, by_row = _map(
        batch,
        django_capture_on_commit_callbacks,
        mapping=mapping,
        constants={"position_category": "specialist", "organisation": centre.pk},
    )
    assert by_row[2]["errors"] == []
    assert by_row[2]["data"]["position_category"] == "specialist"
    batch = _confirm(batch, django_capture_on_commit_callbacks)
    person = Person.objects.get(email="ona@example.lt")
    assert (person.organisation, person.position_category) == (centre, "specialist")
    assert person.position == "bibliotekininkė"


def test_an_employer_for_all_rows_must_be_in_scope(world, setting):
    cohort, centre = setting
    batch = upload(world, cohort, "a.csv", csv_bytes([["Ona", "Gera", "", "", "", "x"]]))
    with pytest.raises(ValidationError, match="Pasirinkite darbovietę"):
        imports.import_map(
            actor=world.bob,
            batch=batch,
            mapping={"first_name": 0, "last_name": 1},
            constants={"organisation": world.lead.pk, "position_category": "specialist"},
        )
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MAPPING and batch.constants == {}


def test_a_category_derived_from_the_title_with_an_unknown_title_chosen_by_the_user(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [
        ["Ona", "Gera", "ona@example.lt", "", centre.name, "Vyr. bibliotekininkė"],
        ["Rita", "Kita", "rita@example.lt", "", centre.name, "kultūrinių renginių organizatorė"],
        ["Eglė", "Nauja", "egle@example.lt", "", centre.name, "Lėlininkė"],
    ]
    batch = upload(world, cohort, "a.csv", csv_bytes(rows, header=NO_CATEGORY))
    titles = {t.key: t.suggestion for t in imports.distinct_titles(batch, 5)}
    assert titles == {
        "bibliotekininkė": "specialist",
        "kultūrinių renginių organizatorė": "specialist",
        "lėlininkė": "",
    }
    batch, by_row = _map(
        batch, django_capture_on_commit_callbacks, mapping=batch.mapping, derive_category=True
    )
    assert by_row[2]["errors"] == [] and by_row[3]["errors"] == []
    assert by_row[4]["errors"] == [
        "Pareigoms „Lėlininkė“ pareigų kategorija nežinoma: pasirinkite ją stulpelių "
        "susiejimo puslapyje."
    ]
    batch, by_row = _map(
        batch,
        django_capture_on_commit_callbacks,
        mapping=batch.mapping,
        derive_category=True,
        title_categories={"lėlininkė": "specialist"},
    )
    assert batch.error_rows == 0
    _confirm(batch, django_capture_on_commit_callbacks)
    assert Person.objects.get(email="egle@example.lt").position_category == "specialist"
    assert Enrolment.objects.filter(cohort=cohort).count() == 3


def test_the_valid_rows_are_imported_on_purpose_and_the_rest_wait(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [
        ["Ona", "Gera", "ona@example.lt", "", centre.name, "x", "specialist"],
        ["", "Bevardė", "bevarde@example.lt", "", centre.name, "x", "specialist"],
        ["Rita", "Gera", "rita@example.lt", "", centre.name, "x", "specialist"],
    ]
    batch, _rows = check(
        upload(world, cohort, "a.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )
    assert (batch.error_rows, imports.valid_rows(batch)) == (1, 2)
    with pytest.raises(ValidationError, match="importuokite tik tinkamas eilutes"):
        imports.import_confirm(actor=world.bob, batch=batch)
    batch = _confirm(batch, django_capture_on_commit_callbacks, only_valid=True)
    assert batch.status == ImportStatus.DONE and batch.selected == [2, 4]
    emails = set(Enrolment.objects.filter(cohort=cohort).values_list("person__email", flat=True))
    assert emails == {"ona@example.lt", "rita@example.lt"}


def test_a_confirmation_that_fails_names_every_failing_row(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [
        [f"Vardas{i}", f"Pavardė{i}", f"p{i}@example.lt", "", centre.name, "x", "specialist"]
        for i in range(5)
    ]
    batch, _rows = check(
        upload(world, cohort, "a.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )
    assert batch.error_rows == 0
    # Meanwhile the partner's quota shrank from 5 seats to 2.
    world.partner_b.quotas.filter(cohort=cohort).update(seats=2)
    batch = _confirm(batch, django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.FAILED
    lines = batch.message.split("\n")
    assert lines[0].startswith("Niekas neimportuota: 3 eilutės nebeatitinka patikrinimo")
    assert [line.split(":")[0] for line in lines[1:]] == ["4 eilutė", "5 eilutė", "6 eilutė"]
    assert "Viršijama kvota" in lines[1]
    assert not Enrolment.objects.filter(cohort=cohort).exists()


def test_held_e_mails_are_recorded_and_sent_later_from_the_roster(
    client, world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [
        ["Ona", "Gera", "ona@example.lt", "", centre.name, "x", "specialist"],
        ["Rita", "Gera", "rita@example.lt", "", centre.name, "x", "specialist"],
    ]
    batch, _rows = check(
        upload(world, cohort, "a.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )
    forecast = imports.mail_forecast(batch)
    assert (forecast.invitations, forecast.confirmations, forecast.waiting) == (2, 0, 0)
    mail.outbox.clear()
    _confirm(batch, django_capture_on_commit_callbacks, notify=False)
    assert mail.outbox == []
    assert HeldMail.objects.filter(batch=batch, sent_at=None).count() == 2
    client.force_login(world.bob)
    roster = client.get(f"/projects/{world.project.code}/enrolment/cohorts/{cohort.pk}/")
    assert "Siųsti 2 sulaikytus laiškus" in roster.text
    url = f"/projects/{world.project.code}/enrolment/cohorts/{cohort.pk}/held-mail/send/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert "Siunčiami 2 laiškai." in response.text
    assert sorted(m.to[0] for m in mail.outbox) == ["ona@example.lt", "rita@example.lt"]
    assert "/accounts/reset/" in mail.outbox[0].body  # a new login: choose a password
    assert not HeldMail.objects.filter(sent_at=None).exists()
    assert AuditEntry.objects.filter(action="enrolment.import_mail_send").count() == 1
    # Nothing is sent twice.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    assert mail.outbox == [] and "Sulaikytų laiškų" in response.text


def test_held_e_mails_of_a_cancelled_enrolment_are_not_sent(
    world, setting, django_capture_on_commit_callbacks
):
    from kvalis.access import project_access_for

    cohort, centre = setting
    rows = [["Ona", "Gera", "ona@example.lt", "", centre.name, "x", "specialist"]]
    batch, _rows = check(
        upload(world, cohort, "a.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )
    _confirm(batch, django_capture_on_commit_callbacks, notify=False)
    Enrolment.objects.filter(cohort=cohort).update(status="cancelled")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = imports.held_mail_send(
            actor=world.bob, access=project_access_for(world.bob, world.project), cohort=cohort
        )
    assert sent == 0 and mail.outbox == []


def test_the_rows_to_fix_re_import_once_corrected(
    client, world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [
        ["Ona", "Gera", "ona@example.lt", "+370 612 00005", centre.name, "x", "specialist"],
        ["Rita", "", "rita@example.lt", "", centre.name, "x", "specialist"],
        ["Asta", "Kita", "asta@", "", centre.name, "x", "specialist"],
    ]
    batch, _rows = check(
        upload(world, cohort, "sąrašas.xlsx", xlsx(rows)), django_capture_on_commit_callbacks
    )
    client.force_login(world.bob)
    url = f"/projects/{world.project.code}/enrolment/imports/{batch.pk}/rows-to-fix.xlsx"
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Ką pataisyti", *HEADER]
    assert [v[1:3] for v in values[1:]] == [["Rita", None], ["Asta", "Kita"]]
    assert "Trūksta lauko „Pavardė“" in values[1][0]
    # Whoever made the list fixes the two rows and sends the sheet back.
    sheet["C2"] = "Gerutė"
    sheet["D3"] = "asta@example.lt"
    fixed = io.BytesIO()
    sheet.parent.save(fixed)
    again = upload(world, cohort, "pataisyta.xlsx", fixed.getvalue())
    assert again.mapping == {
        "first_name": 1,
        "last_name": 2,
        "email": 3,
        "phone": 4,
        "organisation": 5,
        "position": 6,
        "position_category": 7,
    }
    again, by_row = check(again, django_capture_on_commit_callbacks)
    assert again.error_rows == 0, [r.errors for r in by_row.values()]
    _confirm(again, django_capture_on_commit_callbacks)
    assert Person.objects.filter(email__in=["rita@example.lt", "asta@example.lt"]).count() == 2


def test_the_template_is_recognised_by_the_import(client, world, setting):
    cohort, _centre = setting
    client.force_login(world.bob)
    response = client.get(f"/projects/{world.project.code}/enrolment/import-template.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    header = [c.value for c in workbook.worksheets[0][1]]
    assert header == [
        "Vardas",
        "Pavardė",
        "El. paštas",
        "Telefonas",
        "Darbovietė",
        "Pareigos",
        "Pareigų kategorija",
    ]
    assert len(imports.guess_mapping(header)) == 7
    organisations = [c.value for c in workbook.worksheets[2]["A"]][1:]
    assert world.lead.name not in organisations  # only the partner's own institutions
    csv_response = client.get(f"/projects/{world.project.code}/enrolment/import-template.csv")
    assert csv_response.content.decode("utf-8-sig").startswith("Vardas;Pavardė;")


def test_the_preview_lists_problems_first_counts_them_by_kind_and_pages_by_50(
    client, world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    world.partner_b.quotas.all().delete()
    rows = [
        [f"Vardas{i}", f"Pavardė{i}", f"p{i}@example.lt", "", centre.name, "x", "specialist"]
        for i in range(60)
    ]
    rows[55][0] = ""  # row 57: no first name
    rows[58][2] = "ne adresas"  # row 60
    batch = upload(world, cohort, "a.csv", csv_bytes(rows), user=world.alice, partner=None)
    batch, _rows = check(batch, django_capture_on_commit_callbacks)
    client.force_login(world.alice)
    url = f"/projects/{world.project.code}/enrolment/imports/{batch.pk}/"
    page = client.get(url).text
    first = page.index('id="row-57"')
    assert first < page.index('id="row-60"') < page.index('id="row-2"')
    assert "1 eilutė be vardo" in page and "1 eilutė su netinkamu el. pašto adresu" in page
    assert "1 puslapis iš 2" in page
    assert page.count('<tr class="has-problem"') == 2
    only = client.get(url, {"kind": "missing:first_name"}).text
    assert 'id="row-57"' in only and 'id="row-60"' not in only
    assert "Importuoti 58 tinkamas eilutes" in page
    # Capacity 30: 30 confirmations (alice keeps no records of the centre: no logins made),
    # the other 28 on the waiting list.
    assert "30 asmenų gaus patvirtinimą</li>" in page
    assert "28 asmenys gaus pranešimą apie vietą laukiančiųjų sąraše" in page


def test_the_mapping_page_shows_samples_titles_and_columns_not_imported(
    client, world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    header = [*NO_CATEGORY, "Pastabos"]
    rows = [["Ona", "Gera", "", "", centre.name, "Vyr. bibliotekininkė", "atostogos"]]
    batch = upload(world, cohort, "a.csv", csv_bytes(rows, header=header))
    client.force_login(world.bob)
    url = f"/projects/{world.project.code}/enrolment/imports/{batch.pk}/"
    page = client.get(url).text
    assert "atostogos" in page and "neimportuojama" in page
    assert "Vyr. bibliotekininkė" in page and 'id="title-categories"' in page
    data = {
        "first_name": "0",
        "last_name": "1",
        "organisation": "4",
        "position": "5",
        "position_category": "title",
        "titles_column": "5",
        "title_0": "specialist",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED and batch.error_rows == 0
    assert batch.title_categories == {"bibliotekininkė": "specialist"}


def test_choosing_the_title_first_shows_the_titles_before_checking(world, setting, client):
    cohort, centre = setting
    rows = [["Ona", "Gera", "", "", centre.name, "Direktorė", "specialist"]]
    batch = upload(world, cohort, "a.csv", csv_bytes(rows))
    client.force_login(world.bob)
    url = f"/projects/{world.project.code}/enrolment/imports/{batch.pk}/"
    data = {"first_name": "0", "last_name": "1", "organisation": "4", "position": "5"}
    page = client.post(url, {**data, "position_category": "title"}).text
    assert "peržiūrėkite kiekvienam pareigų pavadinimui" in page and "Direktorė" in page
    batch.refresh_from_db()
    assert batch.status == ImportStatus.MAPPING


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("enrolment:import_rows_to_fix", "import"),
        ("enrolment:import_template_xlsx", ""),
        ("enrolment:import_template_csv", ""),
        ("enrolment:held_mail_send", "cohort"),
    ],
)
def test_the_new_pages_answer_their_coordinators_and_404_to_others(
    client, world, setting, django_capture_on_commit_callbacks, name, kwargs
):
    from django.urls import reverse

    cohort, centre = setting
    rows = [
        ["Ona", "Gera", "ona@example.lt", "", centre.name, "x", "specialist"],
        ["", "Bevardė", "", "", centre.name, "x", "specialist"],
    ]
    batch, _rows = check(
        upload(world, cohort, "a.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )
    _confirm(batch, django_capture_on_commit_callbacks, notify=False, only_valid=True)
    other, _rows = check(
        upload(world, cohort, "b.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )
    args = {"code": world.project.code}
    if kwargs == "import":
        args["import_pk"] = other.pk
    elif kwargs == "cohort":
        args["cohort_pk"] = cohort.pk
    url = reverse(name, kwargs=args)
    method = "post" if name == "enrolment:held_mail_send" else "get"
    for user, expected in ((world.charlie, 404), (world.dana, 404)):
        client.force_login(user)
        assert getattr(client, method)(url).status_code == expected, user
    client.force_login(world.bob)  # the partner coordinator: their own import
    assert getattr(client, method)(url).status_code in (200, 302)
    if name == "enrolment:held_mail_send":
        # The partner's held e-mails are sent; none are left for anyone.
        assert not HeldMail.objects.filter(sent_at=None).exists()
    elif kwargs == "import":
        # The lead's coordinator sees every import; a partner only their own.
        alice_batch, _rows = check(
            upload(world, cohort, "c.csv", csv_bytes(rows), user=world.alice, partner=None),
            django_capture_on_commit_callbacks,
        )
        url = reverse(name, kwargs={**args, "import_pk": alice_batch.pk})
        assert client.get(url).status_code == 404
        client.force_login(world.alice)
        assert client.get(url).status_code == 200


def test_a_partner_coordinator_cannot_send_another_partners_held_mail(
    client, world, setting, django_capture_on_commit_callbacks
):
    """The lead's coordinator's held e-mails are not the partner's to send."""
    cohort, centre = setting
    world.partner_b.quotas.all().delete()
    rows = [["Ona", "Gera", "ona@example.lt", "", centre.name, "x", "specialist"]]
    batch = upload(world, cohort, "a.csv", csv_bytes(rows), user=world.alice, partner=None)
    batch, _rows = check(batch, django_capture_on_commit_callbacks)
    _confirm(batch, django_capture_on_commit_callbacks, notify=False)
    client.force_login(world.bob)
    url = f"/projects/{world.project.code}/enrolment/cohorts/{cohort.pk}/held-mail/send/"
    mail.outbox.clear()
    response = client.post(url, follow=True)
    assert "Sulaikytų laiškų" in response.text and mail.outbox == []
    assert HeldMail.objects.filter(sent_at=None).count() == 1


def test_an_enrolled_person_stays_enrolled_once(world, setting, django_capture_on_commit_callbacks):
    cohort, centre = setting
    enrolled = PersonFactory(email="jau@example.lt", organisation=centre)
    EnrolmentFactory(person=enrolled, cohort=cohort)
    rows = [
        [
            enrolled.first_name,
            enrolled.last_name,
            "JAU@example.lt",
            "",
            centre.name,
            "x",
            "specialist",
        ]
    ]
    _batch, by_row = check(
        upload(world, cohort, "a.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )
    assert by_row[2].errors == ["Šis asmuo jau užregistruotas į šią grupę."]


def test_a_workbook_is_read_in_one_pass_with_inline_strings(world):
    """Programs write inline strings (openpyxl's write-only mode does): read from the text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    sheet.append(["Ąžuolas", "Šimkus", "a@example.lt", "", "x", "x", "x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    header, body, notes = imports.read_table("a.xlsx", buffer.getvalue())
    assert header == HEADER and body == [
        (2, ["Ąžuolas", "Šimkus", "a@example.lt", "", "x", "x", "x"])
    ]
    assert notes == {}
