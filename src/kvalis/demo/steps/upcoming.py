"""An invented follow-up project whose cohorts start after the demo is loaded.

The seed project ran in 2014, so none of its cohorts takes applications any more and the public
catalogue would be empty. This project exists only so that a visitor of the demo can find an open
cohort and apply; it says so in its description. It is created once, through the set-up
services; running the demo again leaves it as it is, whatever the date.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from kvalis.accounts.models import User
from kvalis.demo import data
from kvalis.organisations.models import Organisation
from kvalis.projects import services
from kvalis.projects.models import Project

CODE = "UTENA-KT-TESINYS"
VILNIUS = ZoneInfo("Europe/Vilnius")
MODULES = [
    (
        "Skaitmeninis pasakojimas jaunimui",
        "Bibliotekų, muziejų ir kultūros centrų specialistai, dirbantys su jaunimu",
        ["specialist"],
        "Trumpų vaizdo ir garso istorijų kūrimas kartu su jaunimu; socialiniai tinklai "
        "kultūros įstaigoje; autorių teisės.",
    ),
    (
        "Savanorių telkimas kultūros įstaigoje",
        "Kultūros įstaigų vadovai, vadybininkai ir specialistai",
        [],
        "Kaip pritraukti jaunus savanorius, juos parengti, motyvuoti ir padėkoti.",
    ),
]


def load(*, stdout=None) -> dict[str, int]:
    if Project.objects.filter(code=CODE).exists():
        return {"upcoming projects": 1}
    coordinator = User.objects.get(email="coordinator@demo.kvalis.lt")
    lead = Organisation.objects.get(name=data.LEAD[1])
    today = timezone.localdate()
    start = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    project = services.project_create(
        actor=coordinator,
        code=CODE,
        title="Kultūros darbuotojų darbo su jaunimu kompetencijų stiprinimas (tęsinys)",
        lead=lead,
        start_date=start,
        end_date=start + timedelta(days=180),
        description=(
            "Išgalvotas demonstracinis projektas: jo grupės prasideda po demonstracinių duomenų "
            "įkėlimo, kad viešajame kataloge būtų atvirų grupių. Straipsnyje jo nėra."
        ),
        planned_participants=40,
    )
    venue = services.venue_create(
        actor=coordinator,
        project=project,
        name="Utenos A. ir M. Miškinių viešoji biblioteka, konferencijų salė",
        city="Utena",
        organisation=lead,
    )
    for index, (title, audience, categories, outcomes) in enumerate(MODULES):
        activity = services.activity_create(
            actor=coordinator,
            project=project,
            kind="module",
            title=title,
            academic_hours=Decimal("16"),
            audience_description=audience,
            audience_position_categories=categories,
            audience_organisation_types=["library", "museum", "culture_centre"],
            audience_counties=["utenos"],
            learning_outcomes=outcomes,
        )
        first_day = start + timedelta(days=14 + 21 * index)
        cohort = services.cohort_create(
            actor=coordinator,
            activity=activity,
            name="1 grupė",
            start_date=first_day,
            end_date=first_day + timedelta(days=1),
            capacity=20,
            venue=venue,
        )
        for day in range(2):
            when = first_day + timedelta(days=day)
            services.session_create(
                actor=coordinator,
                cohort=cohort,
                starts_at=datetime.combine(when, time(9), tzinfo=VILNIUS),
                ends_at=datetime.combine(when, time(16), tzinfo=VILNIUS),
                academic_hours=Decimal("8"),
            )
    return {"upcoming projects": 1}
