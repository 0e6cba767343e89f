"""An invented follow-up project whose cohorts start after the demo is loaded.

The seed project ran in 2014, so none of its cohorts takes applications any more and the public
catalogue would be empty. This project exists only so that a visitor of the demo can find an open
cohort and apply; it says so in its description. It is created once, through the set-up
services; running the demo again leaves it as it is, whatever the date.

The Molėtai library (the seed case's partner whose coordinator is a demo login) takes part here
too, with seat quotas in both cohorts (assumed: 6 and 4 seats, released a week before each
cohort starts) and two of its people nominated into the second cohort by its coordinator, so a
partner's nominations, imports and quota show in the demo. The quota and nominations are added
to a follow-up project loaded before they existed, and never twice.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from kvalis.accounts.models import User
from kvalis.demo import data
from kvalis.demo.steps.core import LOGINS
from kvalis.enrolment import services as enrolment_services
from kvalis.enrolment.models import Enrolment, Quota
from kvalis.organisations.models import Organisation
from kvalis.people.models import Person
from kvalis.projects import services
from kvalis.projects.models import Cohort, Partner, PartnerRole, Project

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


# Molėtai's reserved seats in the follow-up project's cohorts, in their order (assumed).
MOLETAI_QUOTAS = [6, 4]
MOLETAI_NOMINEES = 2  # nominated into the second cohort by the partner coordinator login


def load(*, stdout=None) -> dict[str, int]:
    project = Project.objects.filter(code=CODE).first() or _create()
    partner = _moletai_partner(project)
    _moletai_quotas_and_nominees(project, partner)
    return {"upcoming projects": 1}


def _create() -> Project:
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
    return project


def _moletai() -> Organisation:
    # The core step keys the demo's organisations by their e-mail address.
    return Organisation.objects.get(email="info@moletai-vb.demo.kvalis.lt")


def _moletai_partner(project: Project) -> Partner:
    """The coordinator offers the partnership (for the institutions Molėtai nominates for in the
    seed project too) and Molėtai's coordinator accepts it, becoming its partner coordinator."""
    moletai = _moletai()
    partner = Partner.objects.filter(project=project, organisation=moletai).first()
    if partner is not None:
        return partner
    coordinator = User.objects.get(email=LOGINS["coordinator"][0])
    partner_user = User.objects.get(email=LOGINS["partner"][0])
    seed = Partner.objects.get(project__code=data.PROJECT_CODE, organisation=moletai)
    partner = services.partner_add(
        actor=coordinator,
        project=project,
        organisation=moletai,
        role=PartnerRole.SENDING,
        contact_name=seed.contact_name,
        contact_email=seed.contact_email,
        covered_organisations=list(seed.covered_organisations.all()),
        notify=False,
    )
    return services.partnership_accept(actor=partner_user, partner=partner)


def _moletai_quotas_and_nominees(project: Project, partner: Partner) -> None:
    coordinator = User.objects.get(email=LOGINS["coordinator"][0])
    partner_user = User.objects.get(email=LOGINS["partner"][0])
    # By dates and names, never by ids: the same cohorts on SQLite and PostgreSQL.
    cohorts = list(Cohort.objects.filter(activity__project=project).order_by("start_date", "name"))
    for cohort, seats in zip(cohorts, MOLETAI_QUOTAS, strict=False):
        if not Quota.objects.filter(cohort=cohort, partner=partner).exists():
            enrolment_services.quota_set(
                actor=coordinator,
                cohort=cohort,
                partner=partner,
                seats=seats,
                release_on=cohort.start_date - timedelta(days=7),
                notify=False,
            )
    if len(cohorts) < 2 or Enrolment.objects.filter(cohort=cohorts[1], partner=partner).exists():
        return
    if cohorts[1].start_date <= timezone.localdate():
        return  # a follow-up project loaded long ago: nobody is nominated into what began
    logins = [email for email, *_rest in LOGINS.values()]
    staff = Person.objects.filter(
        organisation__in=enrolment_services.nomination_employers(project=project, partner=partner),
        position_category="specialist",
        erased_at__isnull=True,
    ).exclude(email__in=logins)
    # Sorted here, not by the database: its collation orders "." and letters differently on
    # SQLite and PostgreSQL, and the demo must pick the same people on both.
    for person in sorted(staff, key=lambda person: person.email)[:MOLETAI_NOMINEES]:
        enrolment_services.enrolment_nominate(
            actor=partner_user,
            cohort=cohorts[1],
            person=person,
            partner=partner,
            enforce_quota=True,
            notify=False,
        )
