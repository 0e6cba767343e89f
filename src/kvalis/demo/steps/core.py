"""The seed case's consortium, project, activities, cohorts, sessions, people and demo logins."""

import importlib
import random
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from kvalis.accounts.models import User
from kvalis.demo import data
from kvalis.organisations.models import Organisation
from kvalis.people.models import Person
from kvalis.projects.models import (
    Activity,
    Cohort,
    Membership,
    Partner,
    Project,
    Session,
    Venue,
)
from kvalis.reports import figures

VILNIUS = ZoneInfo("Europe/Vilnius")

# Cohorts per activity (assumed): (name, first day, capacity, days, hours per day, start, end).
SCHEDULE = {
    0: [
        ("1 grupė", date(2014, 4, 7), 25, 2, 8, time(9), time(16)),
        ("2 grupė", date(2014, 4, 22), 25, 2, 8, time(9), time(16)),
        ("3 grupė", date(2014, 5, 12), 25, 2, 8, time(9), time(16)),
        ("4 grupė", date(2014, 5, 26), 25, 2, 8, time(9), time(16)),
    ],
    1: [
        ("1 grupė", date(2014, 6, 9), 25, 2, 8, time(9), time(16)),
        ("2 grupė", date(2014, 9, 15), 25, 2, 8, time(9), time(16)),
    ],
    2: [
        ("1 grupė", date(2014, 9, 29), 20, 2, 8, time(9), time(16)),
        ("2 grupė", date(2014, 10, 13), 20, 2, 8, time(9), time(16)),
    ],
    3: [("Išvykos grupė", date(2014, 11, 5), 20, 3, 6, time(10), time(14, 30))],
}
SESSION_TOPICS = {
    0: [
        "Pažinti save ir kitus. Kas svarbu šiuolaikiniam jaunimui",
        "Jaunimo motyvavimas, komandų telkimas, streso valdymas",
    ],
    1: [
        "Projektai organizacijos strategijoje. Projekto komanda ir apimtis",
        "Biudžetas ir rizikos valdymas",
    ],
    2: ["Strategijos rengimo principai", "Strategija kartu su vietos bendruomene"],
    3: [
        "Talino kultūros multicentrai",
        "Neformaliojo švietimo centrai Talino regione",
        "Gerosios patirties aptarimas",
    ],
}

# The site administrator (Django admin at /admin/): registers organisations and names their
# coordinators. A demo login like the others; a real site makes its own (`kvalis createsuperuser`).
ADMIN_LOGIN = "admin@demo.kvalis.lt"

# Demo logins: (email, first name, last name, organisation key, position, category).
LOGINS = {
    "coordinator": (
        "coordinator@demo.kvalis.lt",
        "Rasa",
        "Vaitkienė",
        "utena-vb",
        "projekto koordinatorė",
        "manager",
    ),
    "partner": (
        "partner.moletai@demo.kvalis.lt",
        "Laima",
        "Bagdonienė",
        "moletai-vb",
        "direktoriaus pavaduotoja",
        "deputy",
    ),
    "trainer": ("trainer@demo.kvalis.lt", "Gediminas", "Žemaitis", "vu-kf", "docentas", "other"),
    "participant": (
        "participant@demo.kvalis.lt",
        "Eglė",
        "Čepulytė",
        "moletai-kc",
        "jaunimo veiklos koordinatorė",
        "specialist",
    ),
    "funder": (
        "funder@demo.kvalis.lt",
        "Jonas",
        "Šukys",
        "funder",
        "vyriausiasis specialistas",
        "other",
    ),
}
# Trainers besides the demo trainer login (assumed people).
TRAINERS = [
    ("Aušra", "Ivanauskienė", "sekmes-mokykla", "lektorė", 0),
    ("Mindaugas", "Lukšys", "sekmes-mokykla", "lektorius", 0),
    ("Indrė", "Grigaitė", "vu-kf", "lektorė", 1),
    ("Vida", "Mockienė", "utena-sc", "metodininkė", 2),
]


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _organisation(key, name, short, kind, municipality, gen="", instr="", loc=""):
    org, _ = Organisation.objects.update_or_create(
        email=f"info@{key}.demo.kvalis.lt",
        defaults=dict(
            name=name,
            short_name=short,
            type=kind,
            municipality=municipality,
            name_genitive=gen,
            name_instrumental=instr,
            name_locative=loc,
        ),
    )
    return org


def _person(email, first, last, org, position, category) -> Person:
    person, _ = Person.objects.get_or_create(
        email=email,
        defaults=dict(
            first_name=first,
            last_name=last,
            organisation=org,
            position=position,
            position_category=category,
            # The staff lists come from the employers: their addresses are the employers' record.
            email_verified=True,
        ),
    )
    return person


def _login(email: str, person: Person) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, data.DEMO_PASSWORD, first_name=person.first_name, last_name=person.last_name
        )
    if person.user_id != user.pk:
        person.user = user
        person.save(update_fields=["user"])
    return user


def _register_as_migrated() -> None:
    from django.apps import apps

    migration = importlib.import_module("kvalis.projects.migrations.0003_registered_organisations")
    migration.register_existing(apps, None)


def _staff(orgs: dict[str, Organisation]) -> int:
    """About 190 cultural workers across the county's institutions, the same on every run."""
    rng = random.Random(2014)
    created = 0
    taken: set[str] = set()
    for key, org in orgs.items():
        if org.type not in data.POSITIONS_SPECIALIST:
            continue
        size = 8 if org.type == "library" else 6
        heads = [data.POSITIONS_HEAD[0], rng.choice(data.POSITIONS_HEAD[1:])]
        for index in range(size):
            woman = rng.random() < 0.8
            first = rng.choice(data.WOMEN_FIRST if woman else data.MEN_FIRST)
            forms = rng.choice(data.SURNAMES)
            last = forms[0] if not woman else forms[1 if rng.random() < 0.6 else 2]
            if index < len(heads):
                position, category = heads[index]
            else:
                position, category = rng.choice(data.POSITIONS_SPECIALIST[org.type]), "specialist"
            local = f"{ascii_fold(first)}.{ascii_fold(last)}"
            email = f"{local}@{key}.demo.kvalis.lt"
            suffix = 2
            while email in taken:
                email = f"{local}{suffix}@{key}.demo.kvalis.lt"
                suffix += 1
            taken.add(email)
            if not Person.objects.filter(email=email).exists():
                created += 1
            _person(email, first, last, org, position, category)
    return created


def load(*, stdout=None) -> dict[str, int]:
    funder = _organisation(*data.FUNDER)
    lead = _organisation(*data.LEAD)
    orgs: dict[str, Organisation] = {data.LEAD[0]: lead}
    partner_orgs = []
    for org_data, role in data.PARTNERS:
        org = _organisation(*org_data)
        orgs[org_data[0]] = org
        partner_orgs.append((org, role))
    for key, name, kind, municipality in data.INSTITUTIONS:
        orgs[key] = _organisation(key, name, name, kind, municipality)
    orgs["funder"] = funder

    project, created = Project.objects.update_or_create(
        code=data.PROJECT_CODE,
        defaults=dict(
            title=data.PROJECT_TITLE,
            description=(
                "Kultūros centrų, muziejų ir bibliotekų vadovų bei specialistų, organizuojančių "
                "paslaugas jaunimui ir vykdančių kultūrines bei edukacines veiklas, kvalifikacijos "
                "tobulinimas. " + data.ASSUMED
            ),
            lead=lead,
            funder=funder,
            funding_programme=data.FUNDING_PROGRAMME,
            grant_amount=data.GRANT,
            currency="LTL",
            start_date=data.PROJECT_START,
            end_date=data.PROJECT_END,
            planned_participants=160,
            planned_academic_hours=160,
            planned_certificates=150,
        ),
    )
    # Made here rather than by `project_create` (whose checks the past dates would refuse): its
    # figures are kept from the start, as that service would keep them (reports.figures); a demo
    # loaded before they were kept has them rebuilt once.
    if created:
        figures.project_created(project=project)
    elif not figures.is_maintained(project):
        figures.rebuild(project)

    partners: dict[str, Partner] = {}
    for org, role in [(lead, "lead"), *partner_orgs]:
        partner, _ = Partner.objects.get_or_create(
            project=project, organisation=org, defaults={"role": role, "status": "accepted"}
        )
        partners[org.email.split("@")[1].split(".")[0]] = partner
    # Municipal libraries nominate the institutions of their district.
    library_of = {
        "utenos-r": "utena-vb",
        "anyksciu-r": "anyksciai-vb",
        "ignalinos-r": "ignalina-vb",
        "moletu-r": "moletai-vb",
        "zarasu-r": "zarasai-vb",
        "visagino": "visaginas-vb",
    }
    for key, _name, _kind, municipality in data.INSTITUTIONS:
        partners[library_of[municipality]].covered_organisations.add(orgs[key])
    partners["utena-vb"].covered_organisations.add(orgs["utena-sc"])

    people_created = _staff(orgs)

    logins = {}
    for role, (email, first, last, org_key, position, category) in LOGINS.items():
        person = _person(email, first, last, orgs[org_key], position, category)
        logins[role] = _login(email, person)
    for email_role, role, partner_key in [
        ("coordinator", "coordinator", None),
        ("partner", "partner_coordinator", "moletai-vb"),
        ("funder", "funder_observer", None),
    ]:
        Membership.objects.get_or_create(
            project=project,
            user=logins[email_role],
            defaults={"role": role, "partner": partners[partner_key] if partner_key else None},
        )
    # Who owns what, the way the ownership migration settles existing data: the libraries
    # whose coordinators run the project are registered, with them as coordinators; district
    # institutions are represented by the library that nominates for them.
    _register_as_migrated()
    if not User.objects.filter(email=ADMIN_LOGIN).exists():
        User.objects.create_superuser(
            ADMIN_LOGIN, data.DEMO_PASSWORD, first_name="Administratorius"
        )
    for role, partner_key in [("coordinator", "utena-vb"), ("partner", "moletai-vb")]:
        partner = partners[partner_key]
        if not partner.contact_email:
            person = logins[role].person
            partner.contact_name = person.full_name
            partner.contact_email = person.email
            partner.save(update_fields=["contact_name", "contact_email"])

    trainer_people = {0: [], 1: [logins["trainer"].person], 2: [logins["trainer"].person], 3: []}
    for first, last, org_key, position, module in TRAINERS:
        email = f"{ascii_fold(first)}.{ascii_fold(last)}@{org_key}.demo.kvalis.lt"
        trainer_people[module].append(_person(email, first, last, orgs[org_key], position, "other"))

    hall, _ = Venue.objects.get_or_create(
        project=project,
        name="Utenos A. ir M. Miškinių viešoji biblioteka, konferencijų salė",
        defaults={"city": "Utena", "organisation": lead},
    )
    tallinn, _ = Venue.objects.get_or_create(
        project=project,
        name="Talino ir jo regiono kultūros ir neformaliojo švietimo multicentrai",
        defaults={"city": "Talinas", "country": "Estija"},
    )

    sessions = 0
    for index, (kind, title, audience, categories, topics) in enumerate(
        [*data.MODULES, data.STUDY_VISIT]
    ):
        schedule = SCHEDULE[index]
        hours_per_cohort = sum(days * per_day for *_x, days, per_day, _s, _e in schedule[:1])
        activity, _ = Activity.objects.update_or_create(
            project=project,
            title=title,
            defaults=dict(
                kind=kind,
                audience_description=audience,
                audience_position_categories=categories,
                audience_organisation_types=["library", "museum", "culture_centre"],
                audience_counties=["utenos"],
                learning_outcomes=topics,
                description=data.ASSUMED,
                academic_hours=Decimal(hours_per_cohort),
                position=index + 1,
            ),
        )
        for name, first_day, capacity, days, per_day, start, end in schedule:
            cohort, _ = Cohort.objects.get_or_create(
                activity=activity,
                name=name,
                defaults=dict(
                    venue=tallinn if kind == "study_visit" else hall,
                    start_date=first_day,
                    end_date=first_day + timedelta(days=days - 1),
                    capacity=capacity,
                    notes=data.ASSUMED,
                ),
            )
            cohort.trainers.add(*trainer_people[index])
            for day in range(days):
                when = first_day + timedelta(days=day)
                Session.objects.get_or_create(
                    cohort=cohort,
                    starts_at=datetime.combine(when, start, tzinfo=VILNIUS),
                    defaults=dict(
                        ends_at=datetime.combine(when, end, tzinfo=VILNIUS),
                        academic_hours=Decimal(per_day),
                        title=SESSION_TOPICS[index][day % len(SESSION_TOPICS[index])],
                    ),
                )
                sessions += 1

    return {
        "organisations": Organisation.objects.count(),
        "partners": project.partners.count(),
        "people": Person.objects.count(),
        "people created": people_created,
        "activities": project.activities.count(),
        "cohorts": Cohort.objects.filter(activity__project=project).count(),
        "sessions": Session.objects.filter(cohort__activity__project=project).count(),
    }
