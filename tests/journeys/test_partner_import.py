"""A partner coordinator's staff list, from upload to the people's e-mails, in a real browser.

The demo's Molėtai partner coordinator opens the follow-up project's cohort where Molėtai has a
seat quota and uploads a staff list as Lithuanian Excel saves it (Windows-1257, semicolons)
WITHOUT a position category column. They derive the category from the position titles (accept
the suggestions, choose one for the title the dictionary does not know), check the rows, see the
problems first, import the valid rows holding the e-mails, download the rows to fix (XLSX),
which the test fixes with openpyxl, upload the fixed file and import those too. The roster then
has everyone, within the quota, and the held e-mails are sent from it.

At 1280 px and at 390 px: each problem's text is on screen beside its person's name, no page
scrolls sideways, and the mapping, preview and confirmation pass axe-core (WCAG 2.1 AA).
Screenshots of each step at both widths go to /tmp/shots/ (to look at, not compared).
"""

import csv
import io
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from kvalis.accounts.models import User
from kvalis.demo import data
from kvalis.demo.steps import upcoming
from kvalis.demo.steps.core import LOGINS
from kvalis.enrolment import services as enrolment_services
from kvalis.enrolment.models import Enrolment, HeldMail, Quota
from kvalis.enrolment.selectors import quota_used
from kvalis.projects.models import Cohort, Partner
from tests.browser import assert_accessible, follow, login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # The layout checked here is the templates' and the stylesheet's: SQLite is enough.
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="page layout does not depend on the database; checked on SQLite",
    ),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots")
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"

LIBRARY = "Molėtų rajono savivaldybės viešoji biblioteka"
CENTRE = "Molėtų kultūros centras"
MUSEUM = "Molėtų krašto muziejus"
HEADER = ["Vardas", "Pavardė", "El. paštas", "Telefonas", "Įstaiga", "Pareigos"]
GOOD = [
    [
        "Rūta",
        "Šimkutė",
        "ruta.simkute@example.lt",
        "+370 612 00001",
        LIBRARY,
        "vyr. bibliotekininkė",
    ],
    [
        "Vytautas",
        "Žilinskas",
        "vytautas.zilinskas@example.lt",
        "8 612 00002",
        CENTRE,
        "direktorius",
    ],
    ["Aušra", "Čepulienė", "ausra.cepuliene@example.lt", "", CENTRE, "kalvystės meistrė"],
    ["Dalia", "Ąžuolienė", "dalia.azuoliene@example.lt", "", MUSEUM, "muziejininkė"],
]
BAD = [
    [
        "Jonas",
        "Petraitis",
        "jonas.petraitis@example.lt",
        "abc",
        CENTRE,
        "kultūrinių renginių organizatorius",
    ],
    [
        '=HYPERLINK("http://example.lt","Ona")',
        "Kazlauskienė",
        "ona.kazlauskiene@example.lt",
        "",
        LIBRARY,
        "bibliotekininkė",
    ],
    ["Gintarė", "Vaitkutė", "gintare@", "", MUSEUM, "edukatorė"],
]
UNKNOWN_TITLE = "kalvystės meistrė"


def cp1257_csv(rows: list[list[str]]) -> bytes:
    """A list as Lithuanian Excel saves "CSV (kabletaškiais atskirtos reikšmės)"."""
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    return text.getvalue().encode("cp1257")


def shot(page, name: str, target=None) -> None:
    SHOTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    path = SHOTS / f"partner-import-{name}-{width}.png"
    if target is None:
        page.screenshot(path=path, full_page=True)
    else:
        page.locator(target).screenshot(path=path)


def at_both_widths(page, name: str, *, axe: bool = True, target=None) -> None:
    """At 1280 px, then 390 px, then back: no sideways scrolling, axe-core, a screenshot."""
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.evaluate(NEXT_FRAMES)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], (
            f"{name} scrolls sideways at {viewport['width']} px: {widths}"
        )
        if axe:
            assert_accessible(page, f"{name} at {viewport['width']} px")
        shot(page, name, target)
    page.set_viewport_size(DESKTOP)
    page.evaluate(NEXT_FRAMES)


PROBLEMS_BESIDE_NAMES = """() => {
  const width = document.documentElement.clientWidth;
  const inside = box => box.width > 0 && box.left >= 0 && box.right <= width;
  return [...document.querySelectorAll('#preview-table tr.has-problem')].map(row => {
    const name = row.querySelector('th').getBoundingClientRect();
    const problems = [...row.querySelectorAll('.errorlist li')];
    return {
      name: row.querySelector('th').textContent.trim(),
      text: problems.map(li => li.textContent.trim()).join(' '),
      onScreen: inside(name) && problems.length > 0
        && problems.every(li => inside(li.getBoundingClientRect())),
      // Beside the name: on the same line (a table row) or right under it (a card).
      near: problems.length > 0
        && problems[0].getBoundingClientRect().top - name.bottom < 120,
    };
  });
}"""


def problems_are_on_screen(page, expected: dict[str, str]) -> None:
    """At both widths each problem row shows its problem beside the person's name."""
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.evaluate(NEXT_FRAMES)
        rows = page.evaluate(PROBLEMS_BESIDE_NAMES)
        assert len(rows) == len(expected), rows
        for name, problem in expected.items():
            row = next((r for r in rows if name in r["name"]), None)
            assert row is not None, f"no problem row for {name}: {rows}"
            assert problem in row["text"], row
            assert row["onScreen"] and row["near"], f"at {viewport['width']} px: {row}"
    page.set_viewport_size(DESKTOP)
    page.evaluate(NEXT_FRAMES)


def upload_and_map(
    page, *, content: bytes, name: str, mime: str, sample: str, choose: dict[str, str]
) -> None:
    """Upload a list, derive the category from the titles, choose it for the unknown titles
    (`choose`: title -> category label), and check the rows."""
    page.get_by_label(re.compile("^Skaičiuoklės failas")).set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )
    follow(page, page.get_by_role("button", name="Įkelti"))
    expect(page.get_by_role("heading", name="Kuriame stulpelyje kas yra?")).to_be_visible()
    columns = page.locator("#import-columns")
    expect(columns).to_contain_text(sample)  # sample values under the columns
    # The list has no category column: it is derived from the position titles, each shown
    # with the dictionary's suggestion.
    category = page.get_by_label("Pareigų kategorija", exact=True)
    expect(category).to_have_value("title")
    titles = page.locator("#title-categories")
    expect(titles).to_be_visible()
    for title, label in choose.items():
        expect(titles.get_by_role("row", name=re.compile(title))).to_contain_text(
            "žodyne nėra: pasirinkite"
        )
        titles.get_by_label(title, exact=True).select_option(label=label)


def test_moletai_partner_imports_a_list_without_categories_fixes_the_rest_and_sends_mail(
    transactional_db, new_context, live_server, settings
):
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.SITE_URL = live_server.url
    cohort = Cohort.objects.filter(activity__project__code=upcoming.CODE).order_by(
        "start_date", "name"
    )[1]  # the module open to every position category
    partner = Partner.objects.get(project=cohort.activity.project, organisation__name=LIBRARY)
    quota = Quota.objects.get(cohort=cohort, partner=partner)
    # The coordinator gives Molėtai room for the whole list (the demo's quota is smaller).
    seats = quota_used(cohort, partner.pk) + len(GOOD) + len(BAD)
    enrolment_services.quota_set(
        actor=User.objects.get(email=LOGINS["coordinator"][0]),
        cohort=cohort,
        partner=partner,
        seats=seats,
        release_on=quota.release_on,
        notify=False,
    )
    mail.outbox.clear()

    page = new_context(viewport=DESKTOP).new_page()
    page.set_default_timeout(20000)
    server_errors: list[str] = []
    page.on(
        "response",
        lambda r: r.status >= 500 and server_errors.append(f"{r.status} {r.url}"),
    )
    login(page, live_server, LOGINS["partner"][0], data.DEMO_PASSWORD)

    # The cohort with Molėtai's quota, through the project's enrolment page.
    page.goto(f"{live_server.url}/projects/{upcoming.CODE}/enrolment/")
    follow(page, page.locator(f"a[href$='/enrolment/cohorts/{cohort.pk}/']").first)
    expect(page.get_by_role("heading", level=2)).to_contain_text(cohort.activity.title)
    follow(page, page.get_by_role("link", name="Registruoti asmenį"))
    expect(page.get_by_role("heading", name="Mūsų kvota šioje grupėje")).to_be_visible()
    at_both_widths(page, "nominate")
    page.go_back()
    follow(page, page.get_by_role("link", name="Importuoti iš skaičiuoklės"))
    at_both_widths(page, "upload")

    # The staff list as the municipality sent it: no category column, three bad rows.
    upload_and_map(
        page,
        content=cp1257_csv(GOOD[:2] + BAD[:1] + GOOD[2:] + BAD[1:]),
        name="darbuotojai.csv",
        mime="text/csv",
        sample="Rūta",
        choose={UNKNOWN_TITLE: "specialistas"},
    )
    at_both_widths(page, "mapping")
    follow(page, page.get_by_role("button", name="Tikrinti eilutes"))
    expect(page.get_by_role("heading", name="Peržiūra")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("3 eilutėse yra problemų")
    # Problems first: the three bad rows lead the table.
    first_rows = page.locator("#preview-table tbody tr").all()[:3]
    assert all("has-problem" in (r.get_attribute("class") or "") for r in first_rows)
    problems_are_on_screen(
        page,
        {
            "Petraitis": "„abc“",
            "Kazlauskienė": "formul",
            "Vaitkutė": "„gintare@“",
        },
    )
    at_both_widths(page, "preview")
    assert not Enrolment.objects.filter(cohort=cohort, person__email__endswith="@example.lt")

    # Import the four valid rows now, holding the e-mails; fix the rest later.
    confirm = page.locator("#confirm-form")
    expect(confirm).to_contain_text("Kas gaus kokį laišką")
    confirm.get_by_label("sulaikyti: išsiųsiu vėliau iš dalyvių sąrašo").check()
    at_both_widths(page, "confirm", target="#confirm-form")
    follow(page, confirm.get_by_role("button", name="Importuoti 4 tinkamas eilutes"))
    expect(page.locator("#import-message")).to_contain_text("Patvirtinta: 4")
    expect(page.locator("#rows-left")).to_contain_text("3 failo eilutės neimportuotos")
    expect(page.locator("#mail-held")).to_be_visible()
    at_both_widths(page, "done")
    assert HeldMail.objects.filter(sent_at=None).count() == 4 and not mail.outbox

    # The rows to fix, as a file to send back to whoever made the list.
    with page.expect_download() as download:
        page.locator("#rows-to-fix").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "Ką pataisyti" and header[1:] == HEADER
    body = {row[2].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(body) == {"Petraitis", "Kazlauskienė", "Vaitkutė"}
    assert "„abc“" in body["Petraitis"][0].value
    body["Petraitis"][4].value = 37061200005  # a number, as Excel keeps a phone typed in
    body["Kazlauskienė"][1].value = "Ona"
    body["Vaitkutė"][3].value = "gintare.vaitkute@example.lt"
    fixed = io.BytesIO()
    workbook.save(fixed)

    follow(page, page.get_by_role("link", name="Įkelti pataisytą failą"))
    upload_and_map(
        page,
        content=fixed.getvalue(),
        name="darbuotojai-taisytinos.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        sample="Gintarė",
        choose={},
    )
    expect(page.locator("#import-columns")).to_contain_text("neimportuojama")  # the notes column
    follow(page, page.get_by_role("button", name="Tikrinti eilutes"))
    expect(page.get_by_text("Visos eilutės teisingos")).to_be_visible()
    page.get_by_label("sulaikyti: išsiųsiu vėliau iš dalyvių sąrašo").check()
    follow(page, page.get_by_role("button", name="Importuoti 3 asmenis"))
    expect(page.locator("#import-message")).to_contain_text("Patvirtinta: 3")

    # Everyone is on the roster, within the quota; the held e-mails go from there.
    follow(page, page.get_by_role("link", name="Žiūrėti dalyvių sąrašą"))
    for first, last, *_rest in GOOD + BAD:
        first = "Ona" if last == "Kazlauskienė" else first
        expect(page.get_by_role("row", name=re.compile(f"{last} {first}"))).to_contain_text(
            "patvirtinta"
        )
    assert quota_used(cohort, partner.pk) == seats
    at_both_widths(page, "roster")
    follow(page, page.get_by_role("button", name="Siųsti 7 sulaikytus laiškus"))
    expect(page.get_by_text("Siunčiami 7 laiškai.")).to_be_visible()
    addresses = {row[2] for row in GOOD + BAD} - {"gintare@"} | {"gintare.vaitkute@example.lt"}
    assert {m.to[0] for m in mail.outbox} == addresses
    assert not HeldMail.objects.filter(sent_at=None).exists()
    assert server_errors == []
