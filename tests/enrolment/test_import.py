"""Bulk import: reading XLSX/CSV, mapping, a preview with each row's own errors, all or nothing."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from kvalis.enrolment import imports
from kvalis.enrolment.models import Enrolment, ImportStatus
from kvalis.people.models import Person
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PersonFactory,
    QuotaFactory,
    UserFactory,
)

HEADER = ["Vardas", "Pavardė", "El. paštas", "Telefonas", "Įstaiga", "Pareigos", "Kategorija"]


def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, *, delimiter=";", encoding="utf-8", bom=False, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


@pytest.fixture
def setting(world):
    """An open cohort for specialists and managers; bob's partner has 5 seats; its library
    also nominates for a culture centre."""
    start = date.today() + timedelta(days=20)
    cohort = CohortFactory(activity=world.activity, start_date=start, end_date=start, capacity=30)
    world.activity.audience_position_categories = ["specialist", "manager"]
    world.activity.save()
    centre = OrganisationFactory(
        name="Molėtų kultūros centras",
        type="culture_centre",
        represented_by=world.partner_b.organisation,
    )
    world.partner_b.covered_organisations.add(centre)
    QuotaFactory(cohort=cohort, partner=world.partner_b, seats=5)
    return cohort, centre


def upload(world, cohort, name, data, user=None, partner="bob"):
    """Upload, then read the file as the worker would; a refused file raises its message."""
    user = user or world.bob
    batch = imports.import_create(
        actor=user,
        project=world.project,
        cohort=cohort,
        partner=world.partner_b if partner == "bob" else partner,
        name=name,
        data=data,
    )
    batch = imports.import_read(batch_id=batch.pk)
    if batch.status == ImportStatus.FAILED:
        raise ValidationError(batch.message)
    return batch


def check(batch, capture):
    with capture(execute=True):
        imports.import_map(actor=batch.created_by, batch=batch, mapping=batch.mapping)
    batch.refresh_from_db()
    return batch, {row["number"]: Row(**row) for row in batch.results}


class Row:
    def __init__(self, *, number, data, errors, action, person, kinds=()):
        self.number, self.data, self.errors, self.action = number, data, errors, action
        self.kinds = list(kinds)
        self.person_id = person


def test_a_dozen_kinds_of_bad_rows_are_each_reported_and_nothing_is_written(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    moletai = world.partner_b.organisation.name
    PersonFactory(first_name="Rūta", last_name="Jau", email="ruta@example.lt", organisation=centre)
    enrolled = PersonFactory(email="enrolled@example.lt", organisation=centre)
    EnrolmentFactory(person=enrolled, cohort=cohort)
    PersonFactory(email="svetimas@example.lt", organisation=world.lead)
    rows = [
        [
            "Ona",
            "Gera",
            "ona.gera@example.lt",
            "+370 600 11111",
            moletai,
            "bibliotekininkė",
            "specialistas",
        ],  # 2 ok
        [
            "",
            "Bevardė",
            "bevarde@example.lt",
            "",
            moletai,
            "bibliotekininkė",
            "specialist",
        ],  # 3 missing
        ["Jonas", "Blogas", "jonas@", "", moletai, "bibliotekininkas", "specialist"],  # 4 e-mail
        [
            "Asta",
            "Nežinoma",
            "asta@example.lt",
            "",
            "Nežinoma įstaiga",
            "vadybininkė",
            "manager",
        ],  # 5
        [
            "Lina",
            "Svetima",
            "lina@example.lt",
            "",
            world.lead.name,
            "bibliotekininkė",
            "specialist",
        ],  # 6
        [
            "Ona",
            "Gera",
            "ONA.GERA@example.lt",
            "",
            moletai,
            "bibliotekininkė",
            "specialist",
        ],  # 7 dup
        ["Rima", "Vadovė", "rima@example.lt", "", moletai, "direktorė", "vadovas"],  # 8 ineligible
        ["Eglė", "Kosmonautė", "egle@example.lt", "", moletai, "kosmonautė", "kosmonautas"],  # 9
        ["Ieva", '=HYPERLINK("http://x")', "ieva@example.lt", "", moletai, "x", "specialist"],  # 10
        ["Aldona", "Ilga", "aldona@example.lt", "", moletai, "p" * 201, "specialist"],  # 11
        [
            "Rasa",
            "Telefonė",
            "rasa@example.lt",
            "skambinkite vakare",
            moletai,
            "x",
            "specialist",
        ],  # 12
        [
            enrolled.first_name,
            enrolled.last_name,
            "Enrolled@Example.lt",
            "",
            centre.name,
            "x",
            "specialist",
        ],  # 13
        ["Petras", "Svetimas", "svetimas@example.lt", "", moletai, "x", "specialist"],  # 14
        ["Rūta", "Jau", "RUTA@example.lt", "", centre.name, "x", "specialist"],  # 15 linked
        ["Kazys", "Antras", "kazys@example.lt", "", centre.name, "x", "specialist"],  # 16 ok
        ["Diana", "Trečia", "diana@example.lt", "", centre.name, "x", "specialist"],  # 17 ok
        ["Vida", "Ketvirta", "vida@example.lt", "", centre.name, "x", "specialist"],  # 18 ok
        ["Zita", "Penkta", "zita@example.lt", "", centre.name, "x", "specialist"],  # 19 over quota
    ]
    people_before = Person.objects.count()
    batch, by_row = check(
        upload(world, cohort, "sąrašas.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )

    assert batch.status == ImportStatus.VALIDATED
    errors = {n: " ".join(row.errors) for n, row in by_row.items()}
    assert errors[2] == "" and by_row[2].action == "new"
    assert "Trūksta lauko „Vardas“" in errors[3]
    assert "nėra teisingas el. pašto adresas" in errors[4]
    assert "Nežinoma organizacija" in errors[5]
    assert "nėra įstaiga, kurios darbuotojus teikia jūsų organizacija" in errors[6]
    assert "Tas pats asmuo kaip 2 eilutėje (tas pats el. pašto adresas)" in errors[7]
    assert "Neatitinka reikalavimų" in errors[8]
    assert "Nežinoma pareigų kategorija „kosmonautas“" in errors[9]
    assert "negali prasidėti simboliu „=“" in errors[10]
    assert "ilgesnis nei 200" in errors[11]
    assert "nėra telefono numeris" in errors[12]
    assert "jau užregistruotas į šią grupę" in errors[13]
    assert "dirba kitoje, ne jūsų, įstaigoje" in errors[14]
    assert errors[15] == "" and by_row[15].action == "link"
    assert [errors[n] for n in (16, 17, 18)] == ["", "", ""]
    assert "Viršijama kvota" in errors[19]
    assert batch.error_rows == 13
    # Nothing is written before the uploader confirms; and it cannot confirm with errors.
    assert Person.objects.count() == people_before
    assert Enrolment.objects.filter(cohort=cohort).count() == 1
    with pytest.raises(ValidationError):
        imports.import_confirm(actor=world.bob, batch=batch)


def test_person_is_matched_by_name_and_organisation_without_email(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    known = PersonFactory(first_name="Aušra", last_name="Žalė", email="", organisation=centre)
    data = csv_bytes([["aušra", "ŽALĖ", "", "", centre.name, "x", "specialist"]])
    batch, by_row = check(upload(world, cohort, "a.csv", data), django_capture_on_commit_callbacks)
    assert by_row[2].action == "link" and by_row[2].person_id == known.pk


def test_good_file_is_imported_all_at_once_after_confirmation(
    world, setting, django_capture_on_commit_callbacks, mailoutbox
):
    cohort, centre = setting
    linked = PersonFactory(email="linked@example.lt", organisation=centre)
    rows = [
        ["Kazys", "Antras", "kazys@example.lt", "", centre.name, "x", "specialist"],
        ["", "", "LINKED@example.lt", "", centre.name, "x", "specialist"],
    ]
    rows[1][:2] = [linked.first_name, linked.last_name]
    batch, _rows = check(
        upload(world, cohort, "a.xlsx", xlsx(rows)), django_capture_on_commit_callbacks
    )
    assert batch.error_rows == 0
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(actor=world.bob, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    enrolments = Enrolment.objects.filter(cohort=cohort)
    assert enrolments.count() == 2
    assert set(enrolments.values_list("partner", flat=True)) == {world.partner_b.pk}
    assert enrolments.get(person=linked).status == "confirmed"
    assert Person.objects.get(email="kazys@example.lt").organisation == centre
    assert {m.to[0] for m in mailoutbox} == {"kazys@example.lt", "linked@example.lt"}


def test_import_is_all_or_nothing_when_data_changed_after_the_preview(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    rows = [
        ["Kazys", "Antras", "kazys@example.lt", "", centre.name, "x", "specialist"],
        ["Diana", "Trečia", "diana@example.lt", "", centre.name, "x", "specialist"],
    ]
    batch, _rows = check(
        upload(world, cohort, "a.csv", csv_bytes(rows)), django_capture_on_commit_callbacks
    )
    # Meanwhile Diana was enrolled by hand: the import must not write Kazys alone.
    EnrolmentFactory(
        person=PersonFactory(email="diana@example.lt", organisation=centre), cohort=cohort
    )
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(actor=world.bob, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED and "3 eilutė" in batch.message
    assert not Person.objects.filter(email="kazys@example.lt").exists()
    assert Enrolment.objects.filter(cohort=cohort).count() == 1


@pytest.mark.parametrize(
    "name, data",
    [
        ("win.csv", "cp1257"),
        ("bom.csv", "bom"),
        ("comma.csv", "comma"),
        ("plain.txt", "utf-8"),
    ],
)
def test_csv_encodings_and_delimiters_are_detected(world, setting, name, data):
    cohort, centre = setting
    rows = [["Žydrūnė", "Čiūrlytė", "zydrune@example.lt", "", centre.name, "x", "specialistė"]]
    if data == "cp1257":
        raw = csv_bytes(rows, encoding="cp1257")
        assert raw.decode("cp1257") and b"\xde" in raw  # Ž in Windows-1257
    elif data == "bom":
        raw = csv_bytes(rows, bom=True)
    elif data == "comma":
        raw = csv_bytes(rows, delimiter=",", bom=True)
    else:
        raw = csv_bytes(rows)
    header, body, _notes = imports.read_table(name, raw)
    assert header == HEADER
    assert body == [(2, rows[0])]


def test_formula_cells_are_read_as_values_never_evaluated(world, setting):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["Ona", '=CONCATENATE("Pa","vardė")', "ona@example.lt", "", "x", "x", "x"])
    sheet.append(["Jonas", "Jonaitis", "=1+1", "", "x", "x", "x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _header, body, notes = imports.read_table("f.xlsx", buffer.getvalue())
    # openpyxl saved no cached values, so the cells read as empty and are noted by address:
    # the formula text never reaches the database and nothing computes "Pavardė" or 2.
    assert body[0][1][1] == "" and body[1][1][2] == ""
    assert notes == {2: {"formulas": [[1, "B2"]]}, 3: {"formulas": [[2, "C3"]]}}
    assert load_workbook(io.BytesIO(buffer.getvalue()))["Sheet"]["B2"].value.startswith("=")


def test_a_formula_without_a_value_is_reported_by_its_cell_not_as_a_missing_field(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    data = xlsx([["Ona", '=A1&"x"', "ona@example.lt", "", centre.name, "x", "specialist"]])
    _batch, by_row = check(
        upload(world, cohort, "f.xlsx", data), django_capture_on_commit_callbacks
    )
    assert by_row[2].errors == [
        "Langelyje B2 formulė be apskaičiuotos reikšmės — išsaugokite failą Excel programa "
        "ir įkelkite dar kartą."
    ]


def test_file_over_the_size_limit_is_refused(world, setting, settings):
    settings.KVALIS_MAX_UPLOAD_MB = 1
    cohort, _centre = setting
    big = csv_bytes([["Ona", "x" * 90, "a@b.lt", "", "x", "x", "x"]] * 12000)
    with pytest.raises(ValidationError, match="didesnis nei 1 MB"):
        upload(world, cohort, "big.csv", big)


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("scan.pdf", b"%PDF-1.4 ...", "ne skaičiuoklės failas"),
        ("fake.xlsx", b"not a zip at all", "nėra Excel darbaknygė"),
        ("broken.xlsx", b"PK\x03\x04broken", "nepavyko perskaityti"),
        ("binary.csv", b"\x00\x01\x02\x03", "nėra CSV"),
        ("old.xls", b"\xd0\xcf\x11\xe0", ".xls"),
        ("empty.csv", "Vardas;Pavardė\n".encode(), "nėra eilučių"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_clearly(world, setting, name, data, message):
    cohort, _centre = setting
    with pytest.raises(ValidationError, match=message):
        upload(world, cohort, name, data)


def test_mapping_must_name_the_required_columns(world, setting):
    cohort, _centre = setting
    batch = upload(world, cohort, "a.csv", csv_bytes([["a", "b", "", "", "x", "x", "x"]]))
    with pytest.raises(ValidationError, match="Pasirinkite stulpelį"):
        imports.import_map(actor=world.bob, batch=batch, mapping={"first_name": 0})
    with pytest.raises(ValidationError):
        imports.import_map(
            actor=world.bob,
            batch=batch,
            mapping={"first_name": 0, "last_name": 0, "organisation": 4, "position_category": 6},
        )


def test_columns_are_guessed_from_lithuanian_and_english_headers():
    assert imports.guess_mapping(["First name", "Surname", "Email", "Įstaiga", "Kategorija"]) == {
        "first_name": 0,
        "last_name": 1,
        "email": 2,
        "organisation": 3,
        "position_category": 4,
    }


def test_coordinator_import_over_capacity_puts_the_rest_on_the_waiting_list(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, centre = setting
    cohort.capacity = 1
    cohort.save()
    world.partner_b.quotas.all().delete()
    rows = [
        [f"Vardas{i}", f"Pavardė{i}", f"p{i}@example.lt", "", centre.name, "x", "specialist"]
        for i in range(3)
    ]
    batch = upload(world, cohort, "a.csv", csv_bytes(rows), user=world.alice, partner=None)
    batch, _rows = check(batch, django_capture_on_commit_callbacks)
    assert batch.error_rows == 0
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(actor=world.alice, batch=batch, notify=False)
    statuses = list(
        Enrolment.objects.filter(cohort=cohort)
        .order_by("id")
        .values_list("status", "waiting_position")
    )
    assert statuses == [("confirmed", None), ("waiting", 1), ("waiting", 2)]


def test_one_row_over_the_limit_is_refused_naming_the_limit(monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 20)
    rows = [["Ona", f"Nauja{i}", f"ona{i}@example.lt", "", "", "", ""] for i in range(21)]
    with pytest.raises(ValidationError) as caught:
        imports.read_table("sarasas.csv", csv_bytes(rows))
    assert caught.value.messages == [
        "Faile per daug eilučių: vienu kartu galima importuoti ne daugiau kaip 20; "
        "padalykite jį į kelis failus."
    ]
    rows.pop()
    assert len(imports.read_table("sarasas.csv", csv_bytes(rows))[1]) == 20


def test_an_application_nobody_confirmed_does_not_block_the_import(
    world, setting, django_capture_on_commit_callbacks
):
    """Anyone can type a colleague's address into the public form; the employer's import takes
    that unconfirmed application over instead of refusing the row."""
    cohort, centre = setting
    typed = PersonFactory(email="typed@example.lt", organisation=centre)
    EnrolmentFactory(person=typed, cohort=cohort, status="unconfirmed")
    rows = [[typed.first_name, typed.last_name, typed.email, "", centre.name, "x", "specialist"]]
    batch, checked = check(
        upload(world, cohort, "a.xlsx", xlsx(rows)), django_capture_on_commit_callbacks
    )
    assert checked[2].errors == []
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(actor=world.bob, batch=batch)
    enrolment = Enrolment.objects.get(person=typed, cohort=cohort)
    assert (enrolment.status, enrolment.partner) == ("confirmed", world.partner_b)


def test_imported_people_get_a_login_and_a_link_to_choose_a_password(
    client, world, setting, django_capture_on_commit_callbacks, mailoutbox
):
    """As with a one-by-one nomination: the confirmation e-mail's "My trainings" needs a login."""
    import re

    from kvalis.accounts.models import User

    cohort, centre = setting
    taken = UserFactory(email="kito@example.lt")  # a login another person holds
    PersonFactory(email="kitas.asmuo@example.lt", user=taken)
    free = UserFactory(email="laisvas@example.lt")  # a login nobody holds yet
    rows = [
        ["Rūta", "Naujoji", "ruta@example.lt", "", centre.name, "x", "specialist"],
        ["Laisvas", "Vartotojas", "LAISVAS@example.lt", "", centre.name, "x", "specialist"],
        ["Kitas", "Savininkas", "kito@example.lt", "", centre.name, "x", "specialist"],
    ]
    batch, _rows = check(
        upload(world, cohort, "a.xlsx", xlsx(rows)), django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(actor=world.bob, batch=batch)
    ruta = Person.objects.get(email="ruta@example.lt")
    assert ruta.user.email == "ruta@example.lt" and not ruta.user.has_usable_password()
    assert Person.objects.get(email="laisvas@example.lt").user == free
    assert User.objects.filter(email="ruta@example.lt").count() == 1
    assert Person.objects.get(email="kito@example.lt").user is None  # a login has one person
    mail = next(m for m in mailoutbox if m.to == ["ruta@example.lt"])
    link = re.search(r"https?://\S+(/accounts/reset/\S+/)", mail.body).group(1)
    assert "new_password1" in client.get(link, follow=True).text


def test_names_with_invisible_or_control_characters_are_row_errors(
    world, setting, django_capture_on_commit_callbacks
):
    cohort, _centre = setting
    moletai = world.partner_b.organisation.name
    rows = [
        ["\u202eOna", "Gera", "ona@example.lt", "", moletai, "x", "specialist"],
        ["Jonas", "Ge\u200bras", "jonas@example.lt", "", moletai, "x", "specialist"],
        ["Rita", "...", "rita@example.lt", "", moletai, "x", "specialist"],
        ["Žemaitė", "O'Brien-Šimkutė", "zemaite@example.lt", "", moletai, "x", "specialist"],
    ]
    batch, by_row = check(
        upload(world, cohort, "sąrašas.xlsx", xlsx(rows)), django_capture_on_commit_callbacks
    )
    assert by_row[2].errors == [
        "Lauke „Vardas“ yra nematomas arba valdymo simbolis (U+202E): įrašykite tekstą be jo."
    ]
    assert by_row[3].errors == [
        "Lauke „Pavardė“ yra nematomas arba valdymo simbolis (U+200B): įrašykite tekstą be jo."
    ]
    assert by_row[4].errors == [
        "Lauke „Pavardė“ turi būti bent viena raidė: „...“ nėra vardas ar pavardė."
    ]
    assert by_row[5].errors == []
    assert batch.error_rows == 3
