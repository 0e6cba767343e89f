"""The public summary: a news-style text in Lithuanian, generated from the project's data.

The seed article (shared/seed) is exactly such a text. Institution names in the grammatical case
a sentence needs come from the organisation (`name_instrumental`, `name_genitive`,
`name_locative`); where a form is missing the nominative name is used rather than a guess.
Numbers agree with their noun the Lithuanian way (1 darbuotojas, 2 darbuotojai, 10 darbuotojų,
21 darbuotojas). The text is Lithuanian whatever the interface language: it is published content.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from kvalis.lib.collation import lt_sorted
from kvalis.lib.money import SYMBOLS, Currency, format_amount, in_eur
from kvalis.organisations.geo import Municipality
from kvalis.projects.models import ActivityKind, Partner, PartnerRole, Project

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


def trained_phrase(count: int) -> str:
    """'apmokytas 1 darbuotojas', 'apmokyti 2 darbuotojai', 'apmokyta 160 darbuotojų'."""
    verb = plural_form(count, "apmokytas", "apmokyti", "apmokyta")
    return f"{verb} {workers(count)}"


def modules_genitive(count: int) -> str:
    word = plural_form(count, "modulio", "modulių", "modulių")
    return f"{GENITIVE_NUMBERS.get(count, str(count))} {word}"


def join_lt(items: list[str], last: str = "ir") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


def amount_text(amount: Decimal, currency: str) -> str:
    """25000 Lt -> '25 000 Lt (7 240,50 €)'; cents are dropped only when there are none."""
    text = format_amount(amount)
    if text.endswith(",00"):
        text = text[:-3]
    result = f"{text} {SYMBOLS[Currency(currency)]}"
    if currency == Currency.LTL:
        result += f" ({format_amount(in_eur(amount, currency))} €)"
    return result


def _instrumental(organisation) -> str:
    return organisation.name_instrumental or organisation.name


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
            named.append(_instrumental(organisation))
    if len(libraries) == 1:
        named.append(f"{libraries[0]} viešąja biblioteka")
    elif libraries:
        named.append(f"{join_lt(libraries)} viešosiomis bibliotekomis")
    return join_lt(named, "bei")


@dataclass
class GeneratedSummary:
    title: str
    text: str


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def generate_summary(project: Project, indicators: dict | None = None) -> GeneratedSummary:
    """The news text for `project`, from its set-up and its (unscoped) indicators."""
    from kvalis.reports.indicators import project_indicators

    indicators = indicators if indicators is not None else project_indicators(project)
    finished = project.end_date < timezone.localdate()
    lead = project.lead
    partners = list(project.partners.exclude(role=PartnerRole.LEAD).select_related("organisation"))
    partners.sort(key=lambda p: (ROLE_ORDER.index(p.role) if p.role in ROLE_ORDER else 99, p.pk))
    paragraphs = []

    verb = "įgyvendino" if finished else "įgyvendina"
    opening = lead.name
    if partners:
        opening += f", kartu su partneriais: {partners_instrumental(partners)},"
    paragraphs.append(f"{opening} {verb} projektą „{project.title}“.")

    funding = []
    if project.funder:
        funder = project.funder.name_genitive if project.funding_programme else None
        if funder:
            source = f"{funder} {project.funding_programme}"
        else:
            source = project.funder.short_name or project.funder.name
        amount = (
            f", skyrusi {amount_text(project.grant_amount, project.currency)}"
            if project.grant_amount
            else ""
        )
        funding.append(f"Projektą finansavo {source}{amount}.")
    modules = [
        activity
        for activity in project.activities.order_by("position", "pk").prefetch_related(
            "cohorts__venue__organisation"
        )
    ]
    training = [a for a in modules if a.kind != ActivityKind.STUDY_VISIT]
    visits = [a for a in modules if a.kind == ActivityKind.STUDY_VISIT]
    if training:
        venues = {
            cohort.venue.organisation_id
            for activity in training
            for cohort in activity.cohorts.all()
            if cohort.venue
        }
        where = ""
        if venues == {lead.pk} and lead.name_locative:
            where = f" {lead.name_locative}"
        kinds = {a.kind for a in training}
        if kinds == {ActivityKind.MODULE}:
            what = f"{modules_genitive(len(training))} mokymai"
        else:
            what = "mokymai"
        funding.append(f"Įgyvendinant projektą,{where} vyko {what}.")
    if funding:
        paragraphs.append(" ".join(funding))

    by_activity = {row["id"]: row for row in indicators.get("activities", [])}
    for activity in training:
        trained = by_activity.get(activity.pk, {}).get("participants_trained", 0)
        audience = _lower_first(activity.audience_description.strip().rstrip("."))
        sentence = f"Mokymuose „{activity.title}“"
        if trained and audience:
            sentence += f" dalyvavo {workers(trained)} – {audience}"
        elif trained:
            sentence += f" dalyvavo {workers(trained)}"
        elif audience:
            sentence += f" dalyvavo {audience}"
        else:
            sentence = f"Vyko mokymai „{activity.title}“"
        text = _sentence(sentence)
        if activity.learning_outcomes:
            text += f" Temos: {_lower_first(_sentence(activity.learning_outcomes))}"
        paragraphs.append(text)

    closing = []
    trained_total = indicators.get("participants_trained", 0)
    if trained_total:
        closing.append(f"Projekto vykdymo metu {trained_phrase(trained_total)}.")
    delivered = indicators.get("academic_hours_delivered")
    if delivered:
        hours = format_amount(delivered).removesuffix(",00")
        closing.append(f"Iš viso surengta mokymų: {hours} ak. val.")
    issued = indicators.get("certificates_issued")
    if issued:
        verb = plural_form(issued, "Išduotas", "Išduoti", "Išduota")
        noun = plural_form(issued, "pažymėjimas", "pažymėjimai", "pažymėjimų")
        closing.append(f"{verb} {issued} kvalifikacijos tobulinimo {noun}.")
    municipalities = [
        Municipality(key).label
        for key in indicators.get("participants_by_municipality", {})
        if key in Municipality.values
    ]
    if len(municipalities) > 1:
        closing.append(
            _sentence(
                "Mokymuose dalyvavo šių savivaldybių kultūros darbuotojai: "
                + join_lt(lt_sorted(municipalities))
            )
        )
    elif municipalities:
        # "Utenos r. sav." abbreviates the singular genitive as well: "Utenos r. sav. kultūros
        # darbuotojai" reads "Utenos rajono savivaldybės kultūros darbuotojai".
        closing.append(f"Mokymuose dalyvavo {municipalities[0]} kultūros darbuotojai.")
    if closing:
        paragraphs.append(" ".join(closing))

    visit_details = {
        item.get("title"): item for item in (indicators.get("study_visit") or {}).get("visits", [])
    }

    def visit_date(activity):
        """When a visit took place: its study visit's start, else its cohorts' last day."""
        start = visit_details.get(activity.title, {}).get("start_date")
        ends = [cohort.end_date for cohort in activity.cohorts.all() if cohort.end_date]
        return start or (max(ends) if ends else None)

    # In the order they took place; only the last one is the project's final stage.
    dated = [(visit_date(visit), index, visit) for index, visit in enumerate(visits)]
    visits = [
        visit
        for _when, _index, visit in sorted(
            dated, key=lambda item: (item[0] is not None, item[0] or 0, item[1])
        )
    ]
    for position, visit in enumerate(visits):
        name = _lower_first(visit.title.strip().rstrip("."))
        if position == len(visits) - 1:
            sentence = f"Baigiamasis projekto etapas – {name}."
        else:
            sentence = f"Projekto metu vyko {name}."
        if visit.learning_outcomes:
            sentence += f" Tikslas – {_lower_first(_sentence(visit.learning_outcomes))}"
        details = visit_details.get(visit.title, {})
        hosts = [host["host"] for host in details.get("outcomes", []) if host.get("host")]
        if hosts:
            verb = plural_form(len(hosts), "aplankyta", "aplankytos", "aplankyta")
            noun = plural_form(len(hosts), "įstaiga", "įstaigos", "įstaigų")
            sentence += f" Išvykos metu {verb} {len(hosts)} {noun}: {join_lt(hosts)}."
        visited = details.get("travellers") or by_activity.get(visit.pk, {}).get(
            "participants_trained", 0
        )
        if visited:
            sentence += f" Išvykoje dalyvavo {workers(visited)}."
        paragraphs.append(sentence)

    title = (
        f"{lead.short_name or lead.name} {verb_title(finished)} kultūros darbuotojų "
        "kvalifikacijos tobulinimo projektą"
    )
    return GeneratedSummary(title=title, text="\n\n".join(paragraphs))


def verb_title(finished: bool) -> str:
    return "įgyvendino" if finished else "įgyvendina"
