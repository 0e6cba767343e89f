"""Enrolment in a real browser.

1. A new visitor finds a cohort in the public catalogue, applies, reads the confirmation e-mail
   (live_server runs in this process, so the mail is in `django.core.mail.outbox`), follows the
   link and confirms; the coordinator then sees them on the cohort's roster.
2. A partner coordinator imports a staff list with good and bad rows, sees each row's errors,
   uploads the corrected file and imports it.

The catalogue and the application form pass axe-core (WCAG 2.1 AA).
"""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from kvalis.enrolment.models import Enrolment
from tests.browser import assert_accessible, follow, login
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    CohortFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    ProjectFactory,
    QuotaFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting(settings, live_server):
    settings.SITE_URL = live_server.url
    project = ProjectFactory(code="UTENA-E", title="Kultūros darbuotojų kvalifikacija")
    PartnerFactory(project=project, organisation=project.lead, role="lead")
    library = OrganisationFactory(name="Molėtų viešoji biblioteka", municipality="moletu-r")
    partner = PartnerFactory(project=project, organisation=library)
    centre = OrganisationFactory(
        name="Alantos kultūros namai", type="culture_centre", municipality="moletu-r"
    )
    partner.covered_organisations.add(centre)
    coordinator = UserFactory(email="koordinatore@example.lt")
    MembershipFactory(project=project, user=coordinator, role="coordinator")
    partner_user = UserFactory(email="partnere@example.lt")
    MembershipFactory(
        project=project, user=partner_user, role="partner_coordinator", partner=partner
    )
    activity = ActivityFactory(
        project=project,
        title="Jaunimui atviros erdvės",
        audience_position_categories=["specialist"],
    )
    start = date.today() + timedelta(days=21)
    cohort = CohortFactory(
        activity=activity, name="1 grupė", start_date=start, end_date=start, capacity=20
    )
    SessionFactory(cohort=cohort, title="Pažinti save ir kitus")
    QuotaFactory(cohort=cohort, partner=partner, seats=5)
    return {"project": project, "cohort": cohort, "library": library, "centre": centre}


def test_visitor_applies_confirms_and_appears_on_the_roster(
    page, new_context, live_server, setting
):
    cohort = setting["cohort"]
    page.goto(f"{live_server.url}/catalogue/")
    expect(page.get_by_role("heading", name="Mokymų katalogas")).to_be_visible()
    assert_accessible(page, "the catalogue")

    follow(page, page.get_by_role("link", name="Jaunimui atviros erdvės"))
    expect(page.get_by_role("heading", name="Pateikti paraišką")).to_be_visible()
    assert_accessible(page, "the application form")

    page.get_by_label(re.compile("^Vardas")).fill("Žydrūnė")
    page.get_by_label(re.compile("^Pavardė")).fill("Čiūrlytė")
    page.get_by_label(re.compile("^El. paštas")).fill("Zydrune.Ciurlyte@example.lt")
    page.get_by_label(re.compile("^Darbovietė$")).fill("Alantos kultūros namai")
    page.get_by_label(re.compile("^Pareigos")).fill("renginių organizatorė")
    page.get_by_label(re.compile("^Pareigų kategorija")).select_option("specialist")
    page.get_by_label("Perskaičiau privatumo pranešimą").check()
    page.get_by_role("button", name="Pateikti paraišką").click()
    expect(page.get_by_role("heading", name="Patikrinkite el. paštą")).to_be_visible()

    message = next(m for m in mail.outbox if m.to == ["zydrune.ciurlyte@example.lt"])
    assert message.subject.startswith("Patvirtinkite savo paraišką")
    link = re.search(r"https?://\S+/enrolment/confirm/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Patvirtinti mano el. pašto adresą").click()
    expect(page.get_by_text("Jūsų el. pašto adresas patvirtintas")).to_be_visible()
    expect(page.get_by_role("link", name="Susikurti slaptažodį")).to_be_visible()
    assert Enrolment.objects.get(person__email="zydrune.ciurlyte@example.lt").status == "applied"

    coordinator = new_context().new_page()
    login(coordinator, live_server, "koordinatore@example.lt", PASSWORD)
    coordinator.goto(f"{live_server.url}/projects/UTENA-E/enrolment/cohorts/{cohort.pk}/")
    assert_accessible(coordinator, "the coordinator's roster")
    row = coordinator.get_by_role("row", name=re.compile("Čiūrlytė Žydrūnė"))
    expect(row).to_contain_text("laukia patvirtinimo")
    row.get_by_role("button", name="Patvirtinti").click()
    expect(coordinator.get_by_role("row", name=re.compile("Čiūrlytė"))).to_contain_text(
        "patvirtinta"
    )


HEADER = "Vardas;Pavardė;El. paštas;Įstaiga;Pareigos;Kategorija\n"


def test_partner_imports_a_staff_list_fixes_the_errors_and_imports(page, live_server, setting):
    cohort, centre = setting["cohort"], setting["centre"]
    good = f"Rūta;Šimkutė;ruta.simkute@example.lt;{centre.name};bibliotekininkė;specialistė\n"
    bad = (
        f"Jonas;Blogas;jonas@;{centre.name};bibliotekininkas;specialist\n"
        f"Asta;Svetima;asta@example.lt;Nežinoma įstaiga;vadybininkė;specialist\n"
        f"Ona;Vadovė;ona@example.lt;{centre.name};direktorė;vadovas\n"
    )
    fixed = (
        f"Jonas;Geras;jonas.geras@example.lt;{centre.name};bibliotekininkas;specialist\n"
        f"Asta;Sava;asta@example.lt;{centre.name};renginių organizatorė;specialist\n"
    )
    login(page, live_server, "partnere@example.lt", PASSWORD)
    page.goto(f"{live_server.url}/projects/UTENA-E/enrolment/cohorts/{cohort.pk}/import/")

    def upload(text: str, name: str) -> None:
        page.get_by_label(re.compile("^Skaičiuoklės failas")).set_input_files(
            {"name": name, "mimeType": "text/csv", "buffer": text.encode("cp1257")}
        )
        page.get_by_role("button", name="Įkelti").click()
        expect(page.get_by_role("heading", name="Kuriame stulpelyje kas yra?")).to_be_visible()
        page.get_by_role("button", name="Tikrinti eilutes").click()
        expect(page.get_by_role("heading", name="Peržiūra")).to_be_visible()

    upload(HEADER + good + bad, "darbuotojai.csv")
    expect(page.get_by_role("alert")).to_contain_text("3 eilutėse yra problemų")
    expect(page.get_by_text("„jonas@“ nėra teisingas el. pašto adresas")).to_be_visible()
    expect(page.get_by_text("Nežinoma organizacija „Nežinoma įstaiga“")).to_be_visible()
    expect(page.get_by_text(re.compile("Neatitinka reikalavimų"))).to_be_visible()
    assert_accessible(page, "the import preview with errors")
    assert not Enrolment.objects.filter(cohort=cohort).exists()

    follow(page, page.get_by_role("link", name="Įkelti pataisytą failą"))
    upload(HEADER + good + fixed, "darbuotojai-pataisyta.csv")
    expect(page.get_by_text("Visos eilutės teisingos")).to_be_visible()
    page.get_by_role("button", name="Importuoti 3 asmenis").click()
    expect(page.get_by_text("Patvirtinta: 3, laukiančiųjų sąraše: 0.")).to_be_visible()
    follow(page, page.get_by_role("link", name="Žiūrėti dalyvių sąrašą"))
    for name in ("Šimkutė Rūta", "Geras Jonas", "Sava Asta"):
        expect(page.get_by_role("row", name=re.compile(name))).to_contain_text("patvirtinta")
    assert_accessible(page, "the roster")
