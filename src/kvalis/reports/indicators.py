"""A project's indicators, planned vs actual, always computed from the data (never typed in).

`project_indicators(project, filters=..., scope=...)` is the one function every output uses: the
JSON report, the `kvalis report` command, the dashboard, the funder's final report and the
public summary. Its keys are stable (see KEYS); sections whose app has no selector yet are left
out rather than filled with a figure that was not computed.

Definitions (the shared decisions of the project):
- A person is *trained* when a confirmed enrolment of theirs in the project has at least one
  attendance row `present` or `late`. Persons are counted once however many activities they took.
- Single-valued breakdowns (municipality, organisation type, position category, partner) place
  each trained person once, by their first trained enrolment (lowest enrolment id): the employer
  and position snapshot taken at enrolment time; so each breakdown sums to `participants_trained`.
  The partner is `enrolment.partner`, else the partner whose organisation is the employer, else
  the partner that nominates for the employer (`Partner.covered_organisations`).
- `participants_by_activity` counts distinct trained persons per activity (a person who took two
  activities appears in both, so it does not sum to the total).
- *Academic hours delivered*: the sum of the academic hours of sessions held, a session being held
  when at least one (in-scope) person attended it. *Hours received*: the sum of credited hours
  (attendance's rule: present = session hours, late = minutes / 45 rounded to 0.1, capped).
- *Attendance rate*: attended (present or late) attendance rows / all attendance rows, in %.
- *Completion rate*: completed confirmed enrolments / confirmed enrolments in cohorts that have
  ended, in % (attendance's completion rule, coordinator overrides applied).

Shapes: `participants_by_municipality`, `_by_organisation_type` and `_by_position_category` map
stable codes (municipality code such as "utenos-r", organisation type, position category;
"unknown" when missing) to counts, with display names under `labels`;
`participants_by_partner` maps the partner organisation's name ("none" without a partner) and
`participants_by_activity` the activity title to counts. Sections of other apps:
`certificates_*` (certificates), `satisfaction` (surveys.selectors.project_satisfaction),
`budget_*` (budget.selectors.budget_summary; left out of a scoped report), `study_visit`
(visits.selectors.visit_summary; its `cost_total` left out of a scoped report). These two are
whole-project figures whatever the filters and scope: each carries `whole_project: True`.

Value types in the dict: counts are `int`; hours, money and percentages are `Decimal` (None when
there is nothing to divide by). `indicators_json()` writes Decimals as strings ("25000.00") so
that no amount is ever rounded through a float.

Every figure comes from a fixed number of queries whatever the number of participants. For a
project whose figures are maintained (`reports.figures`), the attendance totals are read from one
row per enrolment instead of being added up from raw attendance; a date-filtered report, or a
project without maintained figures, still counts raw attendance. Both give the same figures.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from importlib import import_module

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from kvalis.attendance.models import Attendance, AttendanceStatus
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.lib.money import in_eur
from kvalis.organisations.geo import Municipality
from kvalis.organisations.models import OrganisationType
from kvalis.people.models import PositionCategory
from kvalis.projects.models import Activity, Partner, Project, Session
from kvalis.reports import figures

SCHEMA = "kvalis.report/1"
ZERO = Decimal("0")
TENTH = Decimal("0.1")
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
UNKNOWN = "unknown"  # breakdown key for a missing municipality / type / category
NO_PARTNER = "none"

# The keys every report has (sections of apps that have not landed are absent, see module doc).
KEYS = (
    "schema",
    "project",
    "filters",
    "scoped",
    "participants_planned",
    "participants_enrolled",
    "participants_trained",
    "participants_trained_percent_of_plan",
    "participants_by_municipality",
    "participants_by_organisation_type",
    "participants_by_position_category",
    "participants_by_partner",
    "participants_by_activity",
    "labels",
    "academic_hours_planned",
    "academic_hours_delivered",
    "academic_hours_received",
    "sessions_held",
    "attendance_records",
    "attendance_rate",
    "enrolments_assessed",
    "enrolments_completed",
    "completion_rate",
    "activities",
)


# What each enrolment row of the report reads (raw and maintained paths alike).
ROW_FIELDS = (
    "pk",
    "person_id",
    "cohort_id",
    "cohort__activity_id",
    "cohort__end_date",
    "cohort__activity__completion_percent",
    "partner_id",
    "organisation_id",
    "organisation__municipality",
    "organisation__type",
    "position_category",
    "person__position_category",
)


@dataclass(frozen=True)
class ReportFilters:
    """What the dashboard's filter form narrows the report to. Empty values mean "all"."""

    activity: int | None = None  # Activity id
    partner: int | None = None  # Partner id (the effective partner, as in the breakdown)
    municipality: str = ""  # Municipality code of the employer at enrolment
    date_from: date | None = None  # sessions starting on or after
    date_to: date | None = None  # sessions starting on or before

    @property
    def is_empty(self) -> bool:
        return self == ReportFilters()

    def as_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value not in (None, "")}


def percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def optional_selector(module: str, name: str):
    """`module.name` if that app has shipped it yet, else None (its section is left out)."""
    try:
        loaded = import_module(module)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            return None
        raise
    return getattr(loaded, name, None)


def partner_organisation_ids(partner_id: int) -> QuerySet:
    """Organisations a partner speaks for: its own and those it nominates for."""
    from kvalis.organisations.models import Organisation

    return Organisation.objects.filter(
        Q(partnerships__pk=partner_id) | Q(covering_partners__pk=partner_id)
    ).values("pk")


def report_enrolments(
    project: Project, *, filters: ReportFilters | None = None, scope=None
) -> QuerySet[Enrolment]:
    """Confirmed enrolments of the project that the filters and the scope keep.

    `scope` is None (everyone) or a queryset / iterable of organisation ids: a partner
    coordinator's report keeps only people whose employer at enrolment is among them.
    """
    filters = filters or ReportFilters()
    qs = Enrolment.objects.filter(
        cohort__activity__project=project, status=EnrolmentStatus.CONFIRMED
    )
    if scope is not None:
        qs = qs.filter(organisation_id__in=scope)
    if filters.activity:
        qs = qs.filter(cohort__activity_id=filters.activity)
    if filters.municipality:
        qs = qs.filter(organisation__municipality=filters.municipality)
    if filters.partner:
        qs = qs.filter(
            Q(partner_id=filters.partner)
            | Q(partner__isnull=True, organisation_id__in=partner_organisation_ids(filters.partner))
        )
    return qs


def _period_q(filters: ReportFilters, prefix: str = "") -> Q:
    q = Q()
    if filters.date_from:
        q &= Q(**{f"{prefix}session__starts_at__date__gte": filters.date_from})
    if filters.date_to:
        q &= Q(**{f"{prefix}session__starts_at__date__lte": filters.date_to})
    return q


def _partner_resolver(project: Project):
    """(partners by id, function(enrolment partner id, employer id) -> effective partner id)."""
    partners = {
        row["pk"]: row
        for row in Partner.objects.filter(project=project)
        .order_by("pk")
        .values("pk", "organisation_id", "organisation__name", "role")
    }
    own = {}
    for pk, row in partners.items():
        own.setdefault(row["organisation_id"], pk)
    covering = {}
    for organisation_id, partner_id in (
        Partner.covered_organisations.through.objects.filter(partner__project=project)
        .order_by("partner_id")
        .values_list("organisation_id", "partner_id")
    ):
        covering.setdefault(organisation_id, partner_id)

    def resolve(partner_id, organisation_id):
        if partner_id:
            return partner_id
        return own.get(organisation_id) or covering.get(organisation_id)

    return partners, resolve


def _sorted_counts(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _raw_rows(enrolments: QuerySet, filters: ReportFilters, attendance_rules):
    """The enrolments' rows with their attendance totals, counted from raw attendance.

    Returns (rows, late credit in the period, late credit overall) per enrolment id."""
    period = _period_q(filters)
    # Two plain reads joined in Python: the enrolments' attributes, and their attendance totals
    # grouped by one integer column (much cheaper than grouping by every attribute).
    rows = list(enrolments.values(*ROW_FIELDS).order_by("pk"))
    totals = {
        row["enrolment_id"]: row
        for row in Attendance.objects.filter(enrolment__in=enrolments)
        .values("enrolment_id")
        .annotate(
            attended=Count("pk", filter=Q(status__in=ATTENDED) & period),
            records=Count("pk", filter=period or None),
            present_hours=Sum(
                "session__academic_hours", filter=Q(status=AttendanceStatus.PRESENT) & period
            ),
            present_hours_all=Sum(
                "session__academic_hours", filter=Q(status=AttendanceStatus.PRESENT)
            ),
        )
        .order_by()
    }
    empty = {"attended": 0, "records": 0, "present_hours": None, "present_hours_all": None}
    for row in rows:
        row.update({key: value for key, value in totals.get(row["pk"], empty).items()})

    # Late arrivals earn part of a session: the attendance app's rule, row by row.
    late_credit: dict[int, Decimal] = defaultdict(Decimal)
    late_credit_all: dict[int, Decimal] = defaultdict(Decimal)
    if attendance_rules is not None:
        late_rows = Attendance.objects.filter(
            enrolment__in=enrolments, status=AttendanceStatus.LATE
        ).values_list(
            "enrolment_id", "minutes_attended", "session__academic_hours", "session__starts_at"
        )
        for enrolment_id, minutes, session_hours, starts_at in late_rows:
            hours = attendance_rules(
                status=AttendanceStatus.LATE, minutes_attended=minutes, session_hours=session_hours
            )
            late_credit_all[enrolment_id] += hours
            day = timezone.localtime(starts_at).date()
            if (not filters.date_from or day >= filters.date_from) and (
                not filters.date_to or day <= filters.date_to
            ):
                late_credit[enrolment_id] += hours

    return rows, late_credit, late_credit_all


def project_indicators(
    project: Project,
    *,
    filters: ReportFilters | None = None,
    scope=None,
    source: str = "auto",
    today: date | None = None,
) -> dict:
    """Every indicator of `project` (see the module docstring for definitions and types).

    `source="raw"` counts raw attendance even where maintained figures exist (the rebuild
    tests and the benchmark compare both). `today` decides which cohorts have ended."""
    filters = filters or ReportFilters()
    today = today or timezone.localdate()
    enrolments = report_enrolments(project, filters=filters, scope=scope)
    attendance_rules = optional_selector("kvalis.attendance.selectors", "credited_hours")
    use_stored = (
        source != "raw"
        and attendance_rules is not None
        and not (filters.date_from or filters.date_to)
        and figures.is_maintained(project)
    )
    if use_stored:
        # The maintained per-enrolment totals (reports.figures), read with the enrolments.
        rows, late_credit = figures.stored_rows(enrolments, ROW_FIELDS)
        late_credit_all = late_credit
    else:
        rows, late_credit, late_credit_all = _raw_rows(enrolments, filters, attendance_rules)
    partners, resolve_partner = _partner_resolver(project)
    activities = list(
        Activity.objects.filter(project=project)
        .order_by("position", "pk")
        .values("pk", "title", "kind", "academic_hours")
        .annotate(cohort_count=Count("cohorts"))
    )

    # Held sessions: those at least one in-scope person attended, per activity.
    held = {
        row["cohort__activity_id"]: row
        for row in Session.objects.filter(
            pk__in=Attendance.objects.filter(enrolment__in=enrolments, status__in=ATTENDED)
            .filter(_period_q(filters))
            .values("session_id")
        )
        .values("cohort__activity_id")
        .annotate(hours=Sum("academic_hours"), sessions=Count("pk"))
        .order_by()
    }

    completion = _completion_inputs(rows, today, enrolments, project)

    trained_people: dict[int, dict] = {}  # person id -> first trained enrolment row
    enrolled_people: set[int] = set()
    by_activity_people: dict[int, set[int]] = defaultdict(set)
    by_activity_enrolled: dict[int, set[int]] = defaultdict(set)
    by_activity_completed: dict[int, int] = defaultdict(int)
    hours_received = ZERO
    records = attended_records = 0
    assessed = completed = 0
    for row in rows:
        enrolled_people.add(row["person_id"])
        by_activity_enrolled[row["cohort__activity_id"]].add(row["person_id"])
        records += row["records"]
        attended_records += row["attended"]
        credited = Decimal(row["present_hours"] or 0) + late_credit[row["pk"]]
        hours_received += credited
        if row["attended"]:
            trained_people.setdefault(row["person_id"], row)
            by_activity_people[row["cohort__activity_id"]].add(row["person_id"])
        is_complete = completion(row, late_credit_all[row["pk"]])
        if is_complete is not None:
            assessed += 1
            if is_complete:
                completed += 1
                by_activity_completed[row["cohort__activity_id"]] += 1

    by_municipality: dict[str, int] = defaultdict(int)
    by_type: dict[str, int] = defaultdict(int)
    by_category: dict[str, int] = defaultdict(int)
    by_partner: dict[str, int] = defaultdict(int)
    for row in trained_people.values():
        by_municipality[row["organisation__municipality"] or UNKNOWN] += 1
        by_type[row["organisation__type"] or UNKNOWN] += 1
        by_category[row["position_category"] or row["person__position_category"] or UNKNOWN] += 1
        partner_id = resolve_partner(row["partner_id"], row["organisation_id"])
        name = partners[partner_id]["organisation__name"] if partner_id else NO_PARTNER
        by_partner[name] += 1

    trained = len(trained_people)
    delivered = sum((Decimal(row["hours"] or 0) for row in held.values()), ZERO)
    activity_rows = [
        {
            "id": activity["pk"],
            "title": activity["title"],
            "kind": activity["kind"],
            "academic_hours": activity["academic_hours"],
            "cohorts": activity["cohort_count"],
            "sessions_held": held.get(activity["pk"], {}).get("sessions", 0),
            "academic_hours_delivered": Decimal(
                held.get(activity["pk"], {}).get("hours") or 0
            ).quantize(TENTH),
            "participants_enrolled": len(by_activity_enrolled[activity["pk"]]),
            "participants_trained": len(by_activity_people[activity["pk"]]),
            "enrolments_completed": by_activity_completed[activity["pk"]],
        }
        for activity in activities
        if not filters.activity or activity["pk"] == filters.activity
    ]

    result = {
        "schema": SCHEMA,
        "project": {
            "code": project.code,
            "title": project.title,
            "lead": project.lead.name,
            "funder": project.funder.name if project.funder else "",
            "funding_programme": project.funding_programme,
            "currency": project.currency,
            "grant_amount": project.grant_amount,
            "grant_amount_eur": in_eur(project.grant_amount, project.currency),
            "start_date": project.start_date,
            "end_date": project.end_date,
        },
        "filters": filters.as_dict(),
        "scoped": scope is not None,
        "participants_planned": project.planned_participants,
        "participants_enrolled": len(enrolled_people),
        "participants_trained": trained,
        "participants_trained_percent_of_plan": percent(trained, project.planned_participants),
        "participants_by_municipality": _sorted_counts(by_municipality),
        "participants_by_organisation_type": _sorted_counts(by_type),
        "participants_by_position_category": _sorted_counts(by_category),
        "participants_by_partner": _sorted_counts(by_partner),
        "participants_by_activity": {
            row["title"]: row["participants_trained"] for row in activity_rows
        },
        "labels": _labels(by_municipality, by_type, by_category),
        "academic_hours_planned": Decimal(project.planned_academic_hours),
        # One form for hours (SQLite keeps a decimal as written: "8" beside "8.0").
        "academic_hours_delivered": Decimal(delivered).quantize(TENTH),
        "academic_hours_received": Decimal(hours_received).quantize(TENTH),
        "sessions_held": sum(row["sessions"] for row in held.values()),
        "attendance_records": records,
        "attendance_rate": percent(attended_records, records),
        "enrolments_assessed": assessed,
        "enrolments_completed": completed,
        "completion_rate": percent(completed, assessed),
        "activities": activity_rows,
    }
    if attendance_rules is None:
        # Without the attendance app's rule, credited hours and completion cannot be computed.
        for key in ("academic_hours_received", "enrolments_assessed", "enrolments_completed"):
            result.pop(key)
        result.pop("completion_rate")
    result.update(_certificates_section(project, enrolments, filters))
    result.update(_surveys_section(project, filters, scope))
    result.update(_budget_section(project, scope))
    result.update(_visits_section(project, filters, scope))
    return result


def _labels(municipalities, types, categories) -> dict:
    """Display names of the breakdowns' codes, in the active language."""
    return {
        "municipality": {
            key: Municipality(key).label if key in Municipality.values else key
            for key in municipalities
        },
        "organisation_type": {
            key: str(OrganisationType(key).label) if key in OrganisationType.values else key
            for key in types
        },
        "position_category": {
            key: str(PositionCategory(key).label) if key in PositionCategory.values else key
            for key in categories
        },
    }


def _completion_inputs(rows: list[dict], today: date, enrolments: QuerySet, project: Project):
    """A function(row, late hours) -> True/False (completed?) or None (not assessed yet).

    The attendance app's rule (`required_hours`, overrides), fed by two set-based reads."""
    required_hours = optional_selector("kvalis.attendance.selectors", "required_hours")
    if required_hours is None:
        return lambda row, late: None
    from kvalis.attendance.models import CompletionOverride

    cohort_hours = dict(
        Session.objects.filter(cohort__activity__project=project)
        .values("cohort_id")
        .annotate(total=Sum("academic_hours"))
        .values_list("cohort_id", "total")
        .order_by()
    )
    overrides = dict(
        CompletionOverride.objects.filter(
            enrolment__in=enrolments, enrolment__cohort__end_date__lt=today
        ).values_list("enrolment_id", "completed")
    )

    def is_complete(row: dict, late_hours: Decimal) -> bool | None:
        if row["cohort__end_date"] >= today:
            return None
        if row["pk"] in overrides:
            return overrides[row["pk"]]
        total = Decimal(cohort_hours.get(row["cohort_id"]) or 0)
        needed = required_hours(
            cohort_hours=total, completion_percent=row["cohort__activity__completion_percent"]
        )
        hours = Decimal(row["present_hours_all"] or 0) + late_hours
        return total > 0 and hours >= needed

    return is_complete


def certificate_model():
    """The certificates app's model, once it has landed (None before)."""
    from django.apps import apps

    try:
        return apps.get_model("certificates", "Certificate")
    except LookupError:
        return None


def _certificates_section(project, enrolments, filters) -> dict:
    certificate = certificate_model()
    if certificate is None:
        return {}
    issued = certificate.objects.filter(project=project, status="valid", enrolment__in=enrolments)
    if filters.date_from:
        issued = issued.filter(issued_at__date__gte=filters.date_from)
    if filters.date_to:
        issued = issued.filter(issued_at__date__lte=filters.date_to)
    count = issued.count()
    return {
        "certificates_planned": project.planned_certificates,
        "certificates_issued": count,
        "certificates_issued_percent_of_plan": percent(count, project.planned_certificates),
    }


def _surveys_section(project, filters, scope) -> dict:
    selector = optional_selector("kvalis.surveys.selectors", "project_satisfaction")
    if selector is None:
        return {}
    # Answers are anonymous and counted per survey, not per person: the dashboard's filters and a
    # partner's scope do not narrow them; `whole_project` says so to every reader of the report.
    return {"satisfaction": {**selector(project), "whole_project": True}}


def _budget_section(project, scope) -> dict:
    # The budget is the project's, not a partner's: a scoped (partner) report leaves it out, as
    # partner coordinators hold no VIEW_BUDGET permission.
    selector = optional_selector("kvalis.budget.selectors", "budget_summary")
    if selector is None or scope is not None:
        return {}
    summary = selector(project)
    return {
        "budget_currency": summary["currency"],
        "budget_planned": summary["planned"],
        "budget_spent": summary["spent"],
        "budget_remaining": summary["remaining"],
        "budget_execution_percent": summary["execution_percent"],
        "budget_planned_eur": summary["planned_eur"],
        "budget_spent_eur": summary["spent_eur"],
        "budget_lines": [
            {
                "title": line["title"],
                "category": line["category"],
                "source": line["source"],
                "partner": line["partner"],
                "planned": line["planned"],
                "spent": line["spent"],
                "execution_percent": line["execution_percent"],
            }
            for line in summary["lines"]
        ],
    }


def _visits_section(project, filters, scope) -> dict:
    selector = optional_selector("kvalis.visits.selectors", "visit_summary")
    if selector is None:
        return {}
    summary = selector(project)
    if scope is not None:
        # Travellers' costs are budget money: a partner coordinator (no VIEW_BUDGET) never sees
        # them.
        summary = {key: value for key, value in summary.items() if key != "cost_total"}
        summary["visits"] = [
            {key: value for key, value in item.items() if key != "cost_total"}
            for item in summary.get("visits", [])
        ]
    # The visit is reported as a whole (dashboard filters and scope do not narrow it).
    return {"study_visit": {**summary, "whole_project": True}}


class ReportEncoder(DjangoJSONEncoder):
    """Decimals as exact strings ("25000.00"), dates as ISO 8601."""

    def default(self, o):
        if isinstance(o, Decimal):
            return str(o)
        if hasattr(o, "pk") and hasattr(o, "_meta"):
            return str(o)
        return super().default(o)


def indicators_json(data: dict) -> str:
    import json

    return json.dumps(data, cls=ReportEncoder, ensure_ascii=False, indent=2)


# --- the stored row: unfiltered indicators computed once per change --------------------------


def stored_json(data: dict) -> str:
    """`data` as JSON that `from_stored_json` turns back into the very same dict: Decimals and
    dates are tagged ({"$decimal": "25000.00"}), so no amount is rounded or turned into text.
    The labels are left out: they are in the reader's language, rebuilt on reading."""
    import json

    def tagged(value):
        if isinstance(value, Decimal):
            return {"$decimal": str(value)}
        if isinstance(value, datetime):
            return {"$datetime": value.isoformat()}
        if isinstance(value, date):
            return {"$date": value.isoformat()}
        if isinstance(value, dict):
            return {str(key): tagged(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [tagged(item) for item in value]
        if value is None or isinstance(value, bool | int | float | str):
            return value
        raise TypeError(f"{type(value).__name__} cannot be stored exactly")

    return json.dumps(
        tagged({key: value for key, value in data.items() if key != "labels"}),
        ensure_ascii=False,
        separators=(",", ":"),
    )


def from_stored_json(text: str) -> dict:
    import json

    def untagged(obj: dict):
        if len(obj) == 1:
            if "$decimal" in obj:
                return Decimal(obj["$decimal"])
            if "$date" in obj:
                return date.fromisoformat(obj["$date"])
            if "$datetime" in obj:
                return datetime.fromisoformat(obj["$datetime"])
        return obj

    data = json.loads(text, object_hook=untagged)
    data["labels"] = _labels(
        data["participants_by_municipality"],
        data["participants_by_organisation_type"],
        data["participants_by_position_category"],
    )
    # Same key order as project_indicators() gives (the JSON download is compared as text).
    order = {key: index for index, key in enumerate(KEYS)}
    return dict(sorted(data.items(), key=lambda item: order.get(item[0], len(order))))


def stored_indicators(project: Project, *, partner=None, scope=None, today: date | None = None):
    """`project_indicators(project, scope=scope)` of a maintained project, from its stored row.

    `partner` names the scope (None: the whole project, `scope` None). The row is recomputed
    when its version is behind the project's (something changed, see `reports.figures`) or it
    was computed on another day; otherwise this is one indexed query. A project whose figures
    are not maintained is computed as before."""
    from django.db import IntegrityError, transaction
    from django.db.models import Exists, F

    from kvalis.reports.models import StoredIndicators

    today = today or timezone.localdate()
    rows = StoredIndicators.objects.filter(project=project, partner=partner)
    fresh = (
        rows.filter(computed_on=today, version=F("project__figures__version"))
        .exclude(Exists(figures.has_changes(project)))
        .values_list("data", flat=True)
        .first()
    )
    if fresh is not None:
        return from_stored_json(fresh)
    version = figures.current_version(project)
    if version is None:
        return project_indicators(project, scope=scope, today=today)
    # The version is read before the figures: a change committed meanwhile makes them newer
    # than the version they are stored under, never older, so the worst case is one more
    # recompute. Two readers storing at once: the row only ever moves forward (compare and set).
    data = project_indicators(project, scope=scope, today=today)
    text = stored_json(data)
    values = {"version": version, "computed_on": today, "data": text}
    if not rows.filter(version__lte=version).update(**values) and not rows.exists():
        try:
            with transaction.atomic():
                StoredIndicators.objects.create(project=project, partner=partner, **values)
        except IntegrityError:
            pass  # another reader stored it first: its figures are as recent as these
    return from_stored_json(text)


def access_indicators(access, filters: ReportFilters | None = None, *, today=None) -> dict:
    """The indicators a user sees in the project of `access` (a partner coordinator: their
    people). Without filters, from the stored row; filtered views are computed each time."""
    scope = access.partner_organisation_ids() if access.is_partner else None
    if filters is not None and not filters.is_empty:
        return project_indicators(access.project, filters=filters, scope=scope, today=today)
    partner = access.partner if access.is_partner else None
    return stored_indicators(access.project, partner=partner, scope=scope, today=today)


def kept_indicators_json(access, form=None) -> str:
    """`indicators_json()` of what the user of `access` sees, filtered by `form` (the bound
    filter form, or None: no filter); unfiltered, kept under the project's figures version
    (see `kvalis.lib.kept`)."""
    from kvalis.lib.kept import kept

    if form is not None and form.is_bound:
        return indicators_json(access_indicators(access, form.filters()))
    version = figures.current_version(access.project)
    parts = ("json", *access.viewer_key)
    return kept(access.project, version, parts, lambda: indicators_json(access_indicators(access)))
