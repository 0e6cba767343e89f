"""The front door in a real browser (issue 10): from an empty database with one site
administrator, entirely through the pages — no admin page, no shell.

1. A visitor on `/` follows "Ask to join" and asks to join for a Kaunas museum.
2. The site administrator approves the request; the contact is e-mailed a set-password link.
3. The contact sets a password, lands on their home, starts a EUR project for 2027 with a funder
   added through "Funder not listed? Add it", two new partners, an activity, a cohort with
   sessions, and makes a colleague of their museum its trainer (who is e-mailed an invitation).
4. The trainer sets a password and sees the session on their home.
5. A visitor finds the cohort on `/`, applies and is told to check their e-mail; it arrives.

The live server runs in this process, so every e-mail is in `django.core.mail.outbox`. Each step
is photographed to /tmp/shots/front_door_*.png; the homes are also looked at on a 390 px phone.
"""

import re
from datetime import date
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from kvalis.accounts.models import User
from tests.browser import follow, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
PHONE = {"width": 390, "height": 844}
ADMIN = ("admin@kvalis.lt", "Administratorius-2027")
CONTACT = ("egle.jonaityte@muziejus.lt", "Muziejus-Kaunas-2027")
TRAINER = ("tomas.baltrus@muziejus.lt", "Lektorius-Kaunas-2027")
PROJECT = "KAUNAS-27"
# The cohort must not have started for a visitor to apply: 2027, or a later year once 2027 is past.
YEAR = max(2027, date.today().year + 1)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"front_door_{name}.png"), full_page=True)


def mail_to(address: str):
    """The latest e-mail to `address` (it must have arrived)."""
    messages = [m for m in mail.outbox if address in m.to]
    assert messages, f"no e-mail to {address}: {[(m.to, m.subject) for m in mail.outbox]}"
    return messages[-1]


def reset_link(message) -> str:
    return re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)


def set_password(page, link: str, password: str, name: str) -> None:
    page.goto(link)  # Django's reset view swaps the token for a session and redirects
    shot(page, f"{name}_set_password")
    page.fill("input[name=new_password1]", password)
    page.fill("input[name=new_password2]", password)
    follow(page, "main button[type=submit]")
    shot(page, f"{name}_password_set")


def fits_a_phone(context_maker, live_server, email: str, password: str, what: str) -> None:
    phone = context_maker(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.set_default_timeout(15000)
    login(phone, live_server, email, password)
    assert phone.url.endswith("/home/"), phone.url
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    shot(phone, f"{what}_home_390")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what}'s home is {width}px wide on a 390px phone"


def test_a_new_museum_joins_sets_up_a_cohort_and_a_visitor_applies(
    page, new_context, live_server, settings
):
    settings.SITE_URL = live_server.url  # the e-mailed links point at this server
    User.objects.create_superuser(email=ADMIN[0], password=ADMIN[1])

    # 1. A visitor asks to join for a new Kaunas museum.
    page.goto(live_server.url + "/")
    shot(page, "1_storefront")
    follow(page, page.get_by_role("link", name="Prašyti prisijungti"))
    page.fill("input[name=name]", "Kauno miesto muziejus")
    page.select_option("select[name=type]", "museum")
    page.select_option("select[name=municipality]", "kauno-m")
    page.fill("input[name=company_code]", "302 456 789")
    page.fill("input[name=address]", "M. Valančiaus g. 6, Kaunas")
    page.fill("input[name=contact_first_name]", "Eglė")
    page.fill("input[name=contact_last_name]", "Jonaitytė")
    page.fill("input[name=contact_email]", CONTACT[0])
    page.fill("input[name=contact_phone]", "+370 612 34567")
    page.fill("input[name=contact_position]", "direktoriaus pavaduotoja")
    shot(page, "1_join_form")
    follow(page, "main button[type=submit]")
    shot(page, "1_join_sent")
    assert page.url.endswith("/organisations/join/sent/"), page.url

    # 2. The site administrator approves it: the museum is registered, Eglė its coordinator.
    admin = new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin.set_default_timeout(15000)
    login(admin, live_server, *ADMIN)
    shot(admin, "2_admin_home")
    follow(admin, admin.get_by_role("link", name="Prašymai prisijungti, laukiantys peržiūros"))
    shot(admin, "2_join_requests")
    follow(admin, admin.get_by_role("link", name="Kauno miesto muziejus"))
    follow(admin, admin.get_by_role("button", name="Patvirtinti ir užregistruoti"))
    shot(admin, "2_join_approved")
    expect(admin.locator(".message.success")).to_contain_text(CONTACT[0])

    # 3. Eglė chooses a password from the e-mail, signs in and lands on her home.
    set_password(page, reset_link(mail_to(CONTACT[0])), CONTACT[1], "3_coordinator")
    login(page, live_server, *CONTACT)
    assert page.url.endswith("/home/"), page.url
    shot(page, "3_coordinator_home")
    follow(page, page.get_by_role("link", name="Naujas projektas"))

    # The funder is not in Kvalis yet: she adds it and comes back to the project form.
    follow(page, page.get_by_role("link", name=re.compile("^Pridėkite jį")))
    page.fill("input[name=name]", "Lietuvos kultūros taryba")
    expect(page.locator("select[name=type]")).to_have_value("funder")
    page.select_option("select[name=municipality]", "vilniaus-m")
    page.fill("input[name=company_code]", "304051018")
    shot(page, "3_funder_form")
    follow(page, "main button[type=submit]")
    # Back on the project form with the new funder chosen (`?funder=<pk>`).
    assert re.search(r"/projects/new/\?funder=\d+$", page.url), page.url
    expect(page.get_by_label("Finansuotojas").locator("option:checked")).to_have_text(
        "Lietuvos kultūros taryba (Vilniaus m. sav.)"
    )

    page.fill("input[name=code]", PROJECT)
    page.fill("input[name=title]", "Kauno muziejų darbuotojų skaitmeninės kompetencijos")
    page.fill("textarea[name=description]", "Kauno regiono muziejų darbuotojų mokymai.")
    # A short list stays a plain select (org-search.js enhances long ones).
    page.get_by_label("Finansuotojas").select_option(
        label="Lietuvos kultūros taryba (Vilniaus m. sav.)"
    )
    page.fill("input[name=funding_programme]", "Kultūros darbuotojų kvalifikacijos tobulinimas")
    page.fill("input[name=grant_amount]", "18500.00")
    page.select_option("select[name=currency]", "EUR")
    page.fill("input[name=start_date]", f"{YEAR}-02-01")
    page.fill("input[name=end_date]", f"{YEAR}-11-30")
    page.fill("input[name=planned_participants]", "60")
    page.fill("input[name=planned_academic_hours]", "48")
    page.fill("input[name=planned_certificates]", "50")
    page.check("input[name=is_public]")
    shot(page, "3_project_form")
    follow(page, "main button[type=submit]")
    shot(page, "3_project")
    assert page.url.endswith(f"/projects/{PROJECT}/partners/"), page.url

    # Two partners, both new to Kvalis: named in the partner form.
    for name, kind, municipality, role, contact in [
        ("Vytauto Didžiojo universitetas", "university", "kauno-m", "academic", "dekanatas@vdu.lt"),
        ("Kauno rajono muziejus", "museum", "kauno-r", "sending", "info@krmuziejus.lt"),
    ]:
        follow(page, page.get_by_role("link", name="Pridėti partnerį"))
        page.fill("input[name=new_name]", name)
        page.select_option("select[name=new_type]", kind)
        page.select_option("select[name=new_municipality]", municipality)
        page.select_option("select[name=role]", role)
        page.fill("input[name=contact_email]", contact)
        shot(page, f"3_partner_form_{kind}")
        follow(page, "main button[type=submit]")
        expect(page.get_by_role("row", name=re.compile(name))).to_be_visible()
    shot(page, "3_partners")

    follow(page, page.get_by_role("link", name="Apžvalga"))
    expect(page.locator("main")).to_contain_text("18 500,00 €")
    expect(page.locator("main")).to_contain_text("Lietuvos kultūros taryba")
    shot(page, "3_overview")

    # An activity and its cohort with two sessions.
    follow(page, page.get_by_role("link", name="Veiklos", exact=True))
    follow(page, page.get_by_role("link", name="Pridėti veiklą"))
    page.select_option("select[name=kind]", "module")
    page.fill("input[name=title]", "Skaitmeninės muziejų kolekcijos")
    page.fill("textarea[name=description]", "Kolekcijų skaitmeninimas ir sklaida internete.")
    page.fill("input[name=academic_hours]", "8")
    page.fill("textarea[name=learning_outcomes]", "Moka suskaitmeninti ir aprašyti eksponatą.")
    shot(page, "3_activity_form")
    follow(page, "main button[type=submit]")
    follow(page, page.get_by_role("link", name=re.compile("^Pridėti grupę")))
    page.fill("input[name=name]", "1 grupė")
    page.fill("input[name=start_date]", f"{YEAR}-03-15")
    page.fill("input[name=end_date]", f"{YEAR}-03-16")
    page.fill("input[name=capacity]", "20")
    shot(page, "3_cohort_form")
    follow(page, "main button[type=submit]")
    shot(page, "3_cohort_created")
    cohort_url = page.url
    for day, title in [("15", "Skaitmeninimo pagrindai"), ("16", "Kolekcijos internete")]:
        follow(page, page.get_by_role("link", name="Pridėti užsiėmimą"))
        page.fill("input[name=title]", title)
        page.fill("input[name=starts_at]", f"{YEAR}-03-{day}T10:00")
        page.fill("input[name=ends_at]", f"{YEAR}-03-{day}T13:00")
        follow(page, "main button[type=submit]")
    shot(page, "3_cohort_hub")
    expect(page.get_by_role("row", name=re.compile("Skaitmeninimo pagrindai"))).to_be_visible()

    # A colleague of the museum becomes the cohort's trainer: first a person of the museum...
    follow(page, page.get_by_role("link", name="Žmonės", exact=True))
    follow(page, page.get_by_role("link", name="Pridėti asmenį"))
    page.fill("input[name=first_name]", "Tomas")
    page.fill("input[name=last_name]", "Baltrus")
    page.fill("input[name=email]", TRAINER[0])
    page.select_option("select[name=organisation]", label="Kauno miesto muziejus (Kauno m. sav.)")
    page.fill("input[name=position]", "skaitmeninimo specialistas")
    page.select_option("select[name=position_category]", "specialist")
    shot(page, "3_person_form")
    follow(page, "main button[type=submit]")
    # ...then the cohort's trainer, which e-mails him an invitation.
    follow(page, page.get_by_role("link", name="Veiklos", exact=True))
    follow(page, page.get_by_role("link", name="1 grupė", exact=True))
    assert page.url == cohort_url, page.url
    follow(page, page.get_by_role("link", name="Redaguoti grupę"))
    page.select_option("select[name=trainers]", label="Baltrus Tomas — Kauno miesto muziejus")
    follow(page, "main button[type=submit]")
    shot(page, "3_cohort_with_trainer")
    expect(page.locator("main")).to_contain_text("Tomas Baltrus")

    # 4. Tomas chooses a password from his invitation and sees the session on his home.
    trainer = new_context(viewport={"width": 1280, "height": 900}).new_page()
    trainer.set_default_timeout(15000)
    invitation = mail_to(TRAINER[0])
    assert "Skaitmeninės muziejų kolekcijos" in invitation.body
    set_password(trainer, reset_link(invitation), TRAINER[1], "4_trainer")
    login(trainer, live_server, *TRAINER)
    assert trainer.url.endswith("/home/"), trainer.url
    shot(trainer, "4_trainer_home")
    expect(trainer.locator("main")).to_contain_text("Skaitmeninimo pagrindai")
    expect(trainer.locator("main")).to_contain_text(f"{YEAR}-03-15")

    # 5. A visitor finds the cohort on `/` and applies.
    visitor = new_context(viewport={"width": 1280, "height": 900}).new_page()
    visitor.set_default_timeout(15000)
    visitor.goto(live_server.url + "/")
    card = visitor.get_by_role("article", name="Skaitmeninės muziejų kolekcijos")
    expect(card).to_contain_text("Kauno miesto muziejus")
    shot(visitor, "5_storefront")
    follow(visitor, card.get_by_role("link", name="Pateikti paraišką"))
    shot(visitor, "5_apply_form")
    visitor.get_by_label(re.compile("^Vardas")).fill("Rūta")
    visitor.get_by_label(re.compile("^Pavardė")).fill("Žemaitytė")
    visitor.get_by_label(re.compile("^El. paštas")).fill("ruta.zemaityte@example.lt")
    visitor.get_by_label(re.compile("^Darbovietė$")).fill("Kauno rajono muziejus")
    visitor.get_by_label(re.compile("^Pareigos")).fill("muziejininkė")
    visitor.get_by_label(re.compile("^Pareigų kategorija")).select_option("specialist")
    visitor.get_by_label("Perskaičiau privatumo pranešimą").check()
    shot(visitor, "5_apply_filled")
    follow(visitor, visitor.get_by_role("button", name="Pateikti paraišką"))
    expect(visitor.get_by_role("heading", name="Patikrinkite el. paštą")).to_be_visible()
    shot(visitor, "5_applied")
    confirmation = mail_to("ruta.zemaityte@example.lt")
    assert confirmation.subject.startswith("Patvirtinkite savo paraišką"), confirmation.subject
    assert "/enrolment/confirm/" in confirmation.body

    # The homes on a 390 px phone: nothing scrolls sideways.
    fits_a_phone(new_context, live_server, *ADMIN, what="admin")
    fits_a_phone(new_context, live_server, *CONTACT, what="coordinator")
    fits_a_phone(new_context, live_server, *TRAINER, what="trainer")
