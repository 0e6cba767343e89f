"""The seed project's budget: the 25 000 Lt grant in lines, and the expenses booked against them.

The article gives only the total (25 000 Lt from the Ministry of Culture). The split into lines,
every expense, every supplier and every document number are assumed for the demo; suppliers are
marked „iliustracinis“. About 97 % of the grant is spent; catering ran slightly over its line,
so the execution page has an over-spent line to flag. Travel and accommodation expenses are the
Tallinn study visit's, shared among the travellers by the visits step.
"""

from datetime import date
from decimal import Decimal

from kvalis.accounts.models import User
from kvalis.budget.models import BudgetLine, Expense
from kvalis.budget.services import budget_line_create, expense_create
from kvalis.demo import data
from kvalis.demo.steps.core import LOGINS
from kvalis.projects.models import Project

ILL = " (iliustracinis)"

# (key, category, title, planned Lt): all from the grant; they add up to exactly 25 000,00 Lt.
LINES = [
    ("fees", "trainers_fees", "Lektorių honorarai (8 mokymų grupės)", "8400.00"),
    ("venue", "venue", "Įrangos nuoma mokymams (projektorius, įgarsinimas)", "1200.00"),
    ("catering", "catering", "Kavos pertraukos ir pietūs mokymų dalyviams", "2600.00"),
    ("materials", "materials", "Mokymo medžiaga ir kanceliarinės prekės", "1300.00"),
    ("travel", "travel", "Pažintinė išvyka į Taliną: kelionė ir apgyvendinimas", "9000.00"),
    ("admin", "administration", "Projekto administravimas ir buhalterinė apskaita", "1700.00"),
    ("publicity", "publicity", "Projekto viešinimas", "800.00"),
]

# Cohort start dates of the core demo (module, group) -> the day the trainers' invoice is dated.
_COHORT_DAYS = [
    date(2014, 4, 8),
    date(2014, 4, 23),
    date(2014, 5, 13),
    date(2014, 5, 27),
    date(2014, 6, 10),
    date(2014, 9, 16),
    date(2014, 9, 30),
    date(2014, 10, 14),
]
_TRAINERS = ["VšĮ „Sėkmės mokykla“"] * 4 + ["Vilniaus universiteto Komunikacijos fakultetas"] * 4

# The study visit's expenses, shared equally among the 18 travellers (per person in brackets).
TRAVEL_EXPENSES = {
    "bus": "UA-2014/0873",  # 3 240,00 (180,00)
    "hotel": "TLN-HTL-14-2291",  # 4 860,00 (270,00)
    "insurance": "KDP-1411-0457",  # 216,00 (12,00)
    "tickets": "TLN-MC-1106-18",  # 432,00 (24,00)
}


def _expenses() -> list[tuple[str, date, str, str, str, str]]:
    """(line key, date, supplier, document number, amount, note)."""
    rows = []
    for index, day in enumerate(_COHORT_DAYS, start=1):
        prefix = "SM" if index <= 4 else "VU-KF"
        rows.append(
            (
                "fees",
                day,
                _TRAINERS[index - 1] + ILL,
                f"{prefix}-2014/{40 + index:03d}",
                "1050.00",
                f"Lektorių paslaugos, {index} mokymų grupė (2 dienos)",
            )
        )
        rows.append(
            (
                "venue",
                day,
                "UAB „Garso ir vaizdo sprendimai“" + ILL,
                f"GVS-{1400 + index * 7}",
                "150.00",
                f"Projektoriaus ir įgarsinimo nuoma, {index} grupė",
            )
        )
        rows.append(
            (
                "catering",
                day,
                "UAB „Utenos skonis“" + ILL,
                f"US-14-{300 + index * 11:04d}",
                "335.55",
                f"Kavos pertraukos ir pietūs, {index} grupė",
            )
        )
    rows += [
        (
            "materials",
            date(2014, 4, 3),
            "UAB „Utenos spaustuvė“" + ILL,
            "USP-2014-0212",
            "412.30",
            "Dalomoji medžiaga 1 moduliui",
        ),
        (
            "materials",
            date(2014, 6, 5),
            "UAB „Utenos spaustuvė“" + ILL,
            "USP-2014-0388",
            "386.90",
            "Dalomoji medžiaga 2 moduliui",
        ),
        (
            "materials",
            date(2014, 9, 25),
            "UAB „Biuro prekės“" + ILL,
            "BP-0925-114",
            "398.75",
            "Kanceliarinės prekės, aplankai, vardų kortelės",
        ),
        (
            "travel",
            date(2014, 10, 30),
            "UAB „Kelionių draudimas“" + ILL,
            TRAVEL_EXPENSES["insurance"],
            "216.00",
            "Kelionės draudimas 18 asmenų",
        ),
        (
            "travel",
            date(2014, 11, 4),
            "UAB „Utenos autobusai“" + ILL,
            TRAVEL_EXPENSES["bus"],
            "3240.00",
            "Autobuso nuoma Utena–Talinas–Utena, 3 dienos",
        ),
        (
            "travel",
            date(2014, 11, 6),
            "Talino multicentrų edukacijos" + ILL,
            TRAVEL_EXPENSES["tickets"],
            "432.00",
            "Edukacinių programų bilietai 18 asmenų",
        ),
        (
            "travel",
            date(2014, 11, 7),
            "Hotell „Vanalinn“, Talinas" + ILL,
            TRAVEL_EXPENSES["hotel"],
            "4860.00",
            "Apgyvendinimas 18 asmenų, 2 naktys",
        ),
        (
            "admin",
            date(2014, 11, 28),
            "MB „Apskaitos paslaugos“" + ILL,
            "AP-2014-11-07",
            "1520.00",
            "Projekto buhalterinė apskaita 2014 m. kovo–lapkričio mėn.",
        ),
        (
            "admin",
            date(2014, 11, 28),
            "AB bankas" + ILL,
            "BNK-2014-PR-19",
            "38.60",
            "Banko paslaugų mokesčiai",
        ),
        (
            "publicity",
            date(2014, 3, 20),
            "UAB „Utenos diena“" + ILL,
            "UD-2014-0315",
            "350.00",
            "Straipsnis apie projekto pradžią regioninėje spaudoje",
        ),
        (
            "publicity",
            date(2014, 11, 20),
            "UAB „Utenos spaustuvė“" + ILL,
            "USP-2014-0702",
            "215.50",
            "Plakatai ir skrajutės apie projekto rezultatus",
        ),
    ]
    return rows


def load(*, stdout=None) -> dict[str, int]:
    project = Project.objects.filter(code=data.PROJECT_CODE).first()
    if project is None:
        return {}
    actor = User.objects.filter(email=LOGINS["coordinator"][0]).first()
    lines: dict[str, BudgetLine] = {}
    for position, (key, category, title, planned) in enumerate(LINES, start=1):
        line = BudgetLine.objects.filter(project=project, title=title).first()
        if line is None:
            line = budget_line_create(
                project=project,
                actor=actor,
                category=category,
                source="grant",
                title=title,
                planned_amount=Decimal(planned),
                position=position,
            )
        lines[key] = line
    existing = set(
        Expense.objects.filter(line__project=project).values_list("document_number", flat=True)
    )
    for key, day, supplier, number, amount, note in _expenses():
        if number in existing:
            continue
        expense_create(
            project=project,
            actor=actor,
            line=lines[key],
            date=day,
            supplier=supplier,
            document_number=number,
            amount=Decimal(amount),
            note=note,
        )
    return {
        "budget lines": BudgetLine.objects.filter(project=project).count(),
        "expenses": Expense.objects.filter(line__project=project).count(),
    }
