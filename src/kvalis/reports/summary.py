"""The public summary: a news-style text in Lithuanian, generated from the project's data.

The seed article (shared/seed) is exactly such a text. It must be true on the day it is generated:

- the project's *state* decides the tense: PLANNED (it has not started and nothing is held yet:
  "įgyvendins", "vyks"), RUNNING (under way: "įgyvendina", "iki šiol dalyvavo") or FINISHED
  (its end date has passed: "įgyvendino", "vyko"); see `project_state`;
- an activity is said to have been attended only when attendance is recorded for it, and every
  figure comes from recorded data (the planned number of participants is said as a plan);
- institution names take the case the sentence needs through the grammar layer
  (`kvalis.lib.grammar.organisation_case`: the stored forms first, else the rules), e.g. the
  partners after "kartu su partneriais" in the instrumental;
- numbers agree with their noun the Lithuanian way (1 darbuotojas, 2 darbuotojai,
  10 darbuotojų, 21 darbuotojas), money is written in the house format (25 000,00 Lt).

Every sentence template is in `SENTENCES`, one entry per sentence and state: a test per state
(`tests/reports/test_summary_grammar.py`) checks each. The text is Lithuanian whatever the
interface language: it is published content.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from kvalis.lib.collation import lt_sorted
from kvalis.lib.grammar import join_lt, organisation_case
from kvalis.lib.money import Currency, format_amount, format_money, in_eur
from kvalis.organisations.geo import Municipality
from kvalis.projects.models import ActivityKind, Partner, PartnerRole, Project

PLANNED, RUNNING, FINISHED = "planned", "running", "finished"
STATES = (PLANNED, RUNNING, FINISHED)

# Every sentence of the summary, per state. A sentence the same in every state has one entry
# under all three. Placeholders are filled by `generate_summary`.
SENTENCES: dict[str, dict[str, str]] = {
    "opening": {
        PLANNED: "{lead}{partners} įgyvendins projektą „{title}“.",
        RUNNING: "{lead}{partners} įgyvendina projektą „{title}“.",
        FINISHED: "{lead}{partners} įgyvendino projektą „{title}“.",
    },
    "partners": {state: ", kartu su partneriais: {partners}," for state in STATES},
    "funding": {
        PLANNED: "Projektą finansuoja {source}{amount}.",
        RUNNING: "Projektą finansuoja {source}{amount}.",
        FINISHED: "Projektą finansavo {source}{amount}.",
    },
    "training": {
        PLANNED: "Įgyvendinant projektą,{where} vyks {what}.",
        RUNNING: "Įgyvendinant projektą,{where} vyksta {what}.",
        FINISHED: "Įgyvendinant projektą,{where} vyko {what}.",
    },
    # Finished, yet no session of it was held (no attendance recorded).
    "training_not_held": {state: "Projekte buvo numatyti {what}." for state in STATES},
    "activity_attended": {
        PLANNED: "Mokymuose „{title}“ jau dalyvavo {workers}{audience}.",
        RUNNING: "Mokymuose „{title}“ iki šiol dalyvavo {workers}{audience}.",
        FINISHED: "Mokymuose „{title}“ dalyvavo {workers}{audience}.",
    },
    "activity_not_attended": {
        PLANNED: "Numatyti mokymai „{title}“{audience}.",
        RUNNING: "Numatyti mokymai „{title}“{audience}.",
        FINISHED: "Buvo numatyti mokymai „{title}“{audience}.",
    },
    "audience_after_workers": {state: " – {audience}" for state in STATES},
    "audience_of_planned": {state: ", tikslinė auditorija – {audience}" for state in STATES},
    "outcomes": {state: " Mokymosi rezultatai: {outcomes}" for state in STATES},
    "planned_participants": {
        PLANNED: "Numatyta apmokyti {planned}.",
        RUNNING: "Iš viso numatyta apmokyti {planned}.",
        FINISHED: "",
    },
    "trained": {
        PLANNED: "Iki šiol {trained}.",
        RUNNING: "Iki šiol {trained}.",
        FINISHED: "Projekto vykdymo metu {trained}.",
    },
    "hours": {
        PLANNED: "Iki šiol surengta mokymų: {hours} ak. val.",
        RUNNING: "Iki šiol surengta mokymų: {hours} ak. val.",
        FINISHED: "Iš viso surengta mokymų: {hours} ak. val.",
    },
    "certificates": {state: "{issued} kvalifikacijos tobulinimo {noun}." for state in STATES},
    "municipalities": {
        state: "Mokymuose dalyvavo šių savivaldybių kultūros darbuotojai: {places}"
        for state in STATES
    },
    # "Utenos r. sav." abbreviates the singular genitive as well: "Utenos r. sav. kultūros
    # darbuotojai" reads "Utenos rajono savivaldybės kultūros darbuotojai".
    "municipality": {state: "Mokymuose dalyvavo {place} kultūros darbuotojai." for state in STATES},
    # Study visits: held (its dates have passed) or still to come, whatever the project's state.
    "final_stage": {state: "Baigiamasis projekto etapas – {name}." for state in STATES},
    "visit_held": {state: "Projekto metu vyko {name}." for state in STATES},
    "visit_to_come": {state: "Projekto metu vyks {name}." for state in STATES},
    "visit_aim": {state: " Tikslas – {aim}" for state in STATES},
    "hosts_visited": {state: " Išvykos metu {visited} {count}: {hosts}." for state in STATES},
    "hosts_to_visit": {
        state: " Išvykos metu numatyta aplankyti {count}: {hosts}." for state in STATES
    },
    "travellers_went": {state: " Išvykoje dalyvavo {workers}." for state in STATES},
    "travellers_selected": {state: " Į išvyką {selected}." for state in STATES},
    "title": {
        PLANNED: "{lead} įgyvendins kultūros darbuotojų kvalifikacijos tobulinimo projektą",
        RUNNING: "{lead} įgyvendina kultūros darbuotojų kvalifikacijos tobulinimo projektą",
        FINISHED: "{lead} įgyvendino kultūros darbuotojų kvalifikacijos tobulinimo projektą",
    },
}


def sentence(key: str, state: str, **values) -> str:
    return SENTENCES[key][state].format(**values)


# Order in which partners are named: who teaches first, then who sends their staff.
ROLE_ORDER = [
    PartnerRole.ACADEMIC,
    PartnerRole.EDUCATION_CENTRE,
    PartnerRole.TRAINING_PROVIDER,
    PartnerRole.SENDING,
]
PUBLIC_LIBRARY = "viešoji biblioteka"
# Genitive of the cardinal numbers, as in "trijų modulių mokymai".
GENITIVE_NUMBERS = {
    1: "vieno",
    2: "dviejų",
    3: "trijų",
    4: "keturių",
    5: "penkių",
    6: "šešių",
    7: "septynių",
    8: "aštuonių",
    9: "devynių",
    10: "dešimties",
}


def plural_form(count: int, one: str, few: str, many: str) -> str:
    """The noun form a Lithuanian number takes: 1, 21, 101 -> one; 2–9, 22–29 -> few;
    0, 10–20, 30, 100, 111 -> many (genitive plural)."""
    last, last_two = count % 10, count % 100
    if last == 1 and last_two != 11:
        return one
    if 2 <= last <= 9 and not 12 <= last_two <= 19:
        return few
    return many


def workers(count: int) -> str:
    return f"{count} {plural_form(count, 'darbuotojas', 'darbuotojai', 'darbuotojų')}"


def workers_accusative(count: int) -> str:
    """After a verb: 'apmokyti 1 darbuotoją', '2 darbuotojus', '160 darbuotojų'."""
    return f"{count} {plural_form(count, 'darbuotoją', 'darbuotojus', 'darbuotojų')}"


def trained_phrase(count: int) -> str:
    """'apmokytas 1 darbuotojas', 'apmokyti 2 darbuotojai', 'apmokyta 160 darbuotojų'."""
    verb = plural_form(count, "apmokytas", "apmokyti", "apmokyta")
    return f"{verb} {workers(count)}"


def modules_genitive(count: int) -> str:
    word = plural_form(count, "modulio", "modulių", "modulių")
    return f"{GENITIVE_NUMBERS.get(count, str(count))} {word}"


def amount_text(amount: Decimal, currency: str) -> str:
    """25000 Lt -> '25 000,00 Lt (7 240,50 €)': the house format, the euro beside litas."""
    result = format_money(amount, currency)
    if currency == Currency.LTL:
        result += f" ({format_money(in_eur(amount, currency), Currency.EUR)})"
    return result


def _place_genitive(organisation) -> str:
    """'Anykščių' for a library in Anykščių r. sav.: the first word of the municipality name."""
    if organisation.municipality not in Municipality.values:
        return ""
    return Municipality(organisation.municipality).label.split()[0]


def partners_instrumental(partners: list[Partner]) -> str:
    """The partners in the instrumental case, municipal public libraries grouped like the seed
    article: 'Anykščių, Ignalinos, Molėtų, Zarasų ir Visagino viešosiomis bibliotekomis'."""
    named: list[str] = []
    libraries: list[str] = []
    for partner in partners:
        organisation = partner.organisation
        place = _place_genitive(organisation)
        if (
            partner.role == PartnerRole.SENDING
            and organisation.type == "library"
            and PUBLIC_LIBRARY in organisation.name.lower()
            and place
            and organisation.name.startswith(place)
        ):
            libraries.append(place)
        else:
            named.append(organisation_case(organisation, "instrumental"))
    if len(libraries) == 1:
        named.append(f"{libraries[0]} viešąja biblioteka")
    elif libraries:
        named.append(f"{join_lt(libraries)} viešosiomis bibliotekomis")
    return join_lt(named, "bei")


def project_state(project: Project, *, sessions_held: int, today: date) -> str:
    """FINISHED once the end date has passed; RUNNING from the start date, or earlier if a
    session has already been held; PLANNED before that."""
    if project.end_date < today:
        return FINISHED
    if project.start_date <= today or sessions_held:
        return RUNNING
    return PLANNED


@dataclass
class GeneratedSummary:
    title: str
    text: str
    state: str = RUNNING


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _full_stop(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _funder_participle(source: str) -> str:
    """'skyrusi' after a feminine head (ministerija, programa, taryba), 'skyręs' after a
    masculine one (fondas)."""
    head = source.split()[-1].lower() if source.split() else ""
    return "skyręs" if head.endswith(("as", "us", "is", "ys")) else "skyrusi"


def generate_summary(
    project: Project, indicators: dict | None = None, *, today: date | None = None
) -> GeneratedSummary:
    """The news text for `project`, from its set-up and its (unscoped) indicators."""
    from kvalis.reports.indicators import project_indicators

    indicators = indicators if indicators is not None else project_indicators(project)
    today = today or timezone.localdate()
    state = project_state(project, sessions_held=indicators.get("sessions_held", 0), today=today)
    lead = project.lead
    partners = list(project.partners.exclude(role=PartnerRole.LEAD).select_related("organisation"))
    partners.sort(key=lambda p: (ROLE_ORDER.index(p.role) if p.role in ROLE_ORDER else 99, p.pk))
    paragraphs = []

    partner_text = (
        sentence("partners", state, partners=partners_instrumental(partners)) if partners else ""
    )
    paragraphs.append(
        sentence("opening", state, lead=lead.name, partners=partner_text, title=project.title)
    )

    funding = []
    if project.funder:
        if project.funding_programme:
            funder = organisation_case(project.funder, "genitive")
            source = f"{funder} {project.funding_programme}"
        else:
            source = project.funder.short_name or project.funder.name
        amount = (
            f", {_funder_participle(source)} {amount_text(project.grant_amount, project.currency)}"
            if project.grant_amount
            else ""
        )
        funding.append(sentence("funding", state, source=source, amount=amount))
    modules = list(
        project.activities.order_by("position", "pk").prefetch_related(
            "cohorts__venue__organisation"
        )
    )
    training = [a for a in modules if a.kind != ActivityKind.STUDY_VISIT]
    visits = [a for a in modules if a.kind == ActivityKind.STUDY_VISIT]
    if training:
        venues = {
            cohort.venue.organisation_id
            for activity in training
            for cohort in activity.cohorts.all()
            if cohort.venue
        }
        where = f" {organisation_case(lead, 'locative')}" if venues == {lead.pk} else ""
        kinds = {a.kind for a in training}
        if kinds == {ActivityKind.MODULE}:
            what = f"{modules_genitive(len(training))} mokymai"
        else:
            what = "mokymai"
        if state == FINISHED and not indicators.get("sessions_held"):
            funding.append(sentence("training_not_held", state, what=what))
        else:
            funding.append(sentence("training", state, where=where, what=what))
    if funding:
        paragraphs.append(" ".join(funding))

    by_activity = {row["id"]: row for row in indicators.get("activities", [])}
    for activity in training:
        trained = by_activity.get(activity.pk, {}).get("participants_trained", 0)
        audience = _lower_first(activity.audience_description.strip().rstrip("."))
        if trained:
            audience_text = (
                sentence("audience_after_workers", state, audience=audience) if audience else ""
            )
            text = sentence(
                "activity_attended",
                state,
                title=activity.title,
                workers=workers(trained),
                audience=audience_text,
            )
        else:
            audience_text = (
                sentence("audience_of_planned", state, audience=audience) if audience else ""
            )
            text = sentence(
                "activity_not_attended", state, title=activity.title, audience=audience_text
            )
        if activity.learning_outcomes:
            outcomes = _lower_first(_full_stop(activity.learning_outcomes))
            text += sentence("outcomes", state, outcomes=outcomes)
        paragraphs.append(text)

    closing = []
    planned = project.planned_participants
    if planned and state != FINISHED:
        closing.append(sentence("planned_participants", state, planned=workers_accusative(planned)))
    trained_total = indicators.get("participants_trained", 0)
    if trained_total:
        closing.append(sentence("trained", state, trained=trained_phrase(trained_total)))
    delivered = indicators.get("academic_hours_delivered")
    if delivered:
        hours = format_amount(delivered).removesuffix(",00")
        closing.append(sentence("hours", state, hours=hours))
    issued = indicators.get("certificates_issued")
    if issued:
        verb = plural_form(issued, "Išduotas", "Išduoti", "Išduota")
        noun = plural_form(issued, "pažymėjimas", "pažymėjimai", "pažymėjimų")
        closing.append(sentence("certificates", state, issued=f"{verb} {issued}", noun=noun))
    municipalities = [
        Municipality(key).label
        for key in indicators.get("participants_by_municipality", {})
        if key in Municipality.values
    ]
    if len(municipalities) > 1:
        places = join_lt(lt_sorted(municipalities))
        # The list may end in "sav.": one full stop, not two.
        closing.append(_full_stop(sentence("municipalities", state, places=places)))
    elif municipalities:
        closing.append(sentence("municipality", state, place=municipalities[0]))
    if closing:
        paragraphs.append(" ".join(closing))

    paragraphs.extend(_visit_paragraphs(visits, indicators, by_activity, state, today))
    title = sentence("title", state, lead=lead.short_name or lead.name)
    return GeneratedSummary(title=title, text="\n\n".join(paragraphs), state=state)


def _visit_paragraphs(visits, indicators, by_activity, state: str, today: date) -> list[str]:
    visit_details = {
        item.get("title"): item for item in (indicators.get("study_visit") or {}).get("visits", [])
    }

    def visit_dates(activity) -> tuple[date | None, date | None]:
        """When a visit starts and ends: its study visit's dates, else its cohorts' days."""
        details = visit_details.get(activity.title, {})
        starts = [c.start_date for c in activity.cohorts.all() if c.start_date]
        ends = [c.end_date for c in activity.cohorts.all() if c.end_date]
        start = details.get("start_date") or (min(starts) if starts else None)
        end = details.get("end_date") or (max(ends) if ends else None) or start
        return start, end

    # In the order they take place; only the last one is the project's final stage.
    dated = [(visit_dates(visit), index, visit) for index, visit in enumerate(visits)]
    ordered = sorted(
        dated, key=lambda item: (item[0][0] is not None, item[0][0] or date.min, item[1])
    )
    paragraphs = []
    for position, ((_start, end), _index, visit) in enumerate(ordered):
        held = end is not None and end < today
        name = _lower_first(visit.title.strip().rstrip("."))
        if position == len(ordered) - 1:
            text = sentence("final_stage", state, name=name)
        else:
            text = sentence("visit_held" if held else "visit_to_come", state, name=name)
        if visit.learning_outcomes:
            text += sentence(
                "visit_aim", state, aim=_lower_first(_full_stop(visit.learning_outcomes))
            )
        details = visit_details.get(visit.title, {})
        hosts = [host["host"] for host in details.get("outcomes", []) if host.get("host")]
        if hosts and held:
            visited = plural_form(len(hosts), "aplankyta", "aplankytos", "aplankyta")
            noun = plural_form(len(hosts), "įstaiga", "įstaigos", "įstaigų")
            text += sentence(
                "hosts_visited",
                state,
                visited=visited,
                count=f"{len(hosts)} {noun}",
                hosts=join_lt(hosts),
            )
        elif hosts:
            noun = plural_form(len(hosts), "įstaigą", "įstaigas", "įstaigų")
            text += sentence(
                "hosts_to_visit", state, count=f"{len(hosts)} {noun}", hosts=join_lt(hosts)
            )
        travellers = details.get("travellers") or (
            by_activity.get(visit.pk, {}).get("participants_trained", 0) if held else 0
        )
        if travellers and held:
            text += sentence("travellers_went", state, workers=workers(travellers))
        elif travellers:
            verb = plural_form(travellers, "atrinktas", "atrinkti", "atrinkta")
            text += sentence("travellers_selected", state, selected=f"{verb} {workers(travellers)}")
        paragraphs.append(text)
    return paragraphs
