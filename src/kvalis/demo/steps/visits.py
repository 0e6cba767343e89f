"""The Tallinn study visit (2014-11-05..07): itinerary, selection, checklists, costs, outcomes.

The article says only that the project ended with a study visit to Tallinn and the culture and
non-formal education multicentres of its region. The host organisations below are illustrative
(„iliustracinis“), as are the times, topics and outcomes. Travellers are chosen by the system's
own ranking from those who completed a module (any confirmed module participant when no
attendance has been recorded), at most four per partner; 18 travel and 3 are on the reserve list.
Each traveller's checklist is filled in and the visit's travel and accommodation expenses (from
the budget step) are shared equally among them; their attendance in Tallinn is recorded.
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from kvalis.access import project_access_for
from kvalis.accounts.models import User
from kvalis.attendance.models import Attendance, AttendanceMethod, AttendanceStatus
from kvalis.attendance.services import Mark, attendance_record
from kvalis.budget.models import Expense
from kvalis.demo import data
from kvalis.demo.steps.budget import TRAVEL_EXPENSES
from kvalis.demo.steps.core import LOGINS
from kvalis.projects.models import ActivityKind, Project
from kvalis.visits import services
from kvalis.visits.models import HostVisit, StudyVisit, TravellerCost, TravellerStatus

TALLINN = ZoneInfo("Europe/Tallinn")
TRAVELLERS = 18
RESERVES = 3
ILL = " (iliustracinis)"

# (day, hour, minute, organisation, city, topic, outcomes)
HOSTS = [
    (
        date(2014, 11, 5),
        15,
        0,
        "Talino kultūros ir jaunimo multicentras" + ILL,
        "Talinas",
        "Atviros jaunimo erdvės kultūros centre: kaip jaunimas pats kuria programą",
        "Pamatėme, kaip jaunimo taryba kartu su darbuotojais planuoja renginius. Utenos ir "
        "Molėtų kultūros centrai sutarė išbandyti jaunimo tarybos modelį 2015 m.",
    ),
    (
        date(2014, 11, 6),
        10,
        0,
        "Talino centrinės bibliotekos jaunimo skyrius" + ILL,
        "Talinas",
        "Bibliotekos paslaugos jaunimui: skaitmeninės dirbtuvės ir mokymosi erdvės",
        "Susipažinome su skaitmeninių dirbtuvių programa ir savanorių mentorių tinklu. "
        "Bibliotekos planuoja panašias dirbtuves paaugliams savo skyriuose.",
    ),
    (
        date(2014, 11, 6),
        14,
        30,
        "Nõmme jaunimo namai" + ILL,
        "Talinas",
        "Neformalusis švietimas ir savanorystė jaunimo namuose",
        "Aptarėme, kaip jaunimo namai telkia savanorius ir vertina neformaliojo švietimo "
        "rezultatus. Parsivežėme savanorių motyvavimo ir pripažinimo pavyzdžių.",
    ),
    (
        date(2014, 11, 7),
        9,
        30,
        "Keilos kultūros centras" + ILL,
        "Keila (Harju apskritis)",
        "Savivaldybės kultūros ir švietimo multicentras po vienu stogu",
        "Multicentras sujungia biblioteką, muziejų ir jaunimo centrą; matėme bendro "
        "planavimo ir biudžeto praktiką, naudingą mažesnių savivaldybių įstaigoms.",
    ),
    (
        date(2014, 11, 7),
        12,
        30,
        "Saku valsčiaus kultūros namai" + ILL,
        "Saku (Harju apskritis)",
        "Kaimo bendruomenės ir jaunimo įtrauktis į kultūrinę veiklą",
        "Sužinojome, kaip kultūros namai kartu su seniūnija įtraukia kaimo jaunimą; "
        "Zarasų ir Ignalinos dalyviai numatė bendrą projektą su vietos bendruomenėmis.",
    ),
]


def _document_expiry(index: int) -> date:
    """Deterministic, all valid well past the return date (passports and identity cards)."""
    return date(2016 + index % 7, 1 + (index * 5) % 12, 1 + (index * 11) % 28)


def load(*, stdout=None) -> dict[str, int]:
    project = Project.objects.filter(code=data.PROJECT_CODE).first()
    if project is None:
        return {}
    activity = project.activities.filter(kind=ActivityKind.STUDY_VISIT).first()
    cohort = activity.cohorts.order_by("start_date").first() if activity else None
    if cohort is None:
        return {}
    actor = User.objects.get(email=LOGINS["coordinator"][0])

    visit = StudyVisit.objects.filter(activity=activity).first()
    if visit is None:
        has_attendance = Attendance.objects.filter(
            session__cohort__activity__project=project
        ).exists()
        visit = services.study_visit_create(
            activity=activity,
            cohort=cohort,
            actor=actor,
            destination_city="Talinas",
            destination_country="Estija",
            start_date=cohort.start_date,
            end_date=cohort.end_date,
            description=(
                "Baigiamasis projekto etapas: pažintinė išvyka į Taliną ir jo regiono kultūros "
                "bei neformaliojo švietimo multicentrus. Vizitų programa iliustracinė."
            ),
            places=TRAVELLERS,
            # Completers of a module; any confirmed participant if attendance is not loaded.
            min_completed_modules=1 if has_attendance else 0,
            max_per_partner=4,
        )

    known = set(visit.hosts.values_list("organisation_name", flat=True))
    for day, hour, minute, name, city, topic, outcomes in HOSTS:
        if name in known:
            continue
        host = services.host_visit_create(
            visit=visit,
            actor=actor,
            organisation_name=name,
            city=city,
            country="Estija",
            starts_at=datetime.combine(day, time(hour, minute), tzinfo=TALLINN),
            topic=topic,
        )
        services.host_visit_outcomes_save(host=host, actor=actor, outcomes=outcomes)

    if not visit.travellers.exists():
        people = project_access_for(actor, project).people()
        services.selection_auto(
            visit=visit, actor=actor, people=people, travellers=TRAVELLERS, reserves=RESERVES
        )

    travellers = list(visit.travellers.select_related("person").order_by("status", "id"))
    for index, traveller in enumerate(travellers):
        if traveller.travel_document_expiry is None:
            services.traveller_checklist_update(
                traveller=traveller,
                actor=actor,
                travel_document_expiry=_document_expiry(index),
                insurance=traveller.status == TravellerStatus.TRAVELLER,
                consent=True,
            )

    going = [t for t in travellers if t.status == TravellerStatus.TRAVELLER]
    expenses = Expense.objects.filter(
        line__project=project, document_number__in=TRAVEL_EXPENSES.values()
    )
    linked = set(
        TravellerCost.objects.filter(traveller__visit=visit).values_list(
            "traveller_id", "expense_id"
        )
    )
    for expense in expenses:
        share = (expense.amount / TRAVELLERS).quantize(Decimal("0.01"))
        for traveller in going:
            if (traveller.pk, expense.pk) not in linked:
                services.traveller_cost_add(
                    traveller=traveller, expense=expense, actor=actor, amount=share
                )

    enrolment_ids = [t.enrolment_id for t in going if t.enrolment_id]
    for session in cohort.sessions.order_by("starts_at"):
        attendance_record(
            session=session,
            marks=[Mark(pk, AttendanceStatus.PRESENT) for pk in enrolment_ids],
            actor=actor,
            method=AttendanceMethod.SHEET,
        )

    return {
        "host visits": HostVisit.objects.filter(visit=visit).count(),
        "travellers": len(going),
        "reserves": sum(1 for t in travellers if t.status == TravellerStatus.RESERVE),
    }
