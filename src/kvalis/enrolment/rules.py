"""Who may enrol in an activity: its audience (position categories, organisation types, counties).

An empty list means "anyone". The reasons are sentences for the applicant, in the active language
(Lithuanian by default). In Lithuanian the audience takes the case its sentence needs, from the
grammar layer: "Ši veikla skirta įstaigų vadovams ir specialistams", "muziejų ir bibliotekų
darbuotojams", "įstaigoms, esančioms Kauno apskrityje arba Utenos apskrityje".
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from kvalis.lib import grammar
from kvalis.organisations.geo import County
from kvalis.organisations.models import Organisation, OrganisationType
from kvalis.people.models import PositionCategory
from kvalis.projects.models import Activity


def _labels(choices, values) -> str:
    known = dict(choices.choices)
    return ", ".join(str(known.get(value, value)) for value in values)


def _categories(values, case: str) -> str:
    """Position categories in `case`, plural ("įstaigų vadovams ir specialistams")."""
    if not grammar.is_lithuanian():
        return _labels(PositionCategory, values)
    forms = [grammar.position_category_case(v, case, number="plural") for v in values]
    return grammar.join_lt(forms) if case != "nominative" else ", ".join(forms)


def _types(values, case: str) -> str:
    """Organisation types in `case`, plural ("muziejų ir bibliotekų")."""
    if not grammar.is_lithuanian():
        return _labels(OrganisationType, values)
    forms = [grammar.organisation_type_case(v, case, number="plural") for v in values]
    return grammar.join_lt(forms) if case != "nominative" else ", ".join(forms)


def _counties(values, case: str) -> str:
    """Counties in `case` ("Kauno apskrityje arba Utenos apskrityje")."""
    if not grammar.is_lithuanian():
        return _labels(County, values)
    forms = [grammar.county_case(v, case) for v in values]
    return grammar.join_lt(forms, "arba") if case != "nominative" else ", ".join(forms)


def ineligibility_reasons(
    activity: Activity, *, position_category: str, organisation: Organisation | None
) -> list[str]:
    """Why a person with this position category and employer may not take part (empty: they may)."""
    reasons: list[str] = []
    categories = activity.audience_position_categories or []
    if categories and position_category not in categories:
        reasons.append(
            _(
                "This activity is for: %(allowed)s. Your position category "
                "(%(category)s) is not among them."
            )
            % {
                "allowed": _categories(categories, "dative"),
                "category": _labels(PositionCategory, [position_category or "other"]),
            }
        )
    types = activity.audience_organisation_types or []
    counties = activity.audience_counties or []
    if (types or counties) and organisation is None:
        reasons.append(
            _("This activity is for staff of particular institutions: name your employer.")
        )
        return reasons
    if types and organisation.type not in types:
        reasons.append(
            _(
                "This activity is for staff of: %(allowed)s. %(organisation)s is of another "
                "type (%(type)s)."
            )
            % {
                "allowed": _types(types, "genitive"),
                "organisation": organisation.name,
                "type": organisation.get_type_display(),
            }
        )
    if counties and organisation.county not in counties:
        reasons.append(
            _("This activity is for institutions in: %(allowed)s. %(organisation)s is not.")
            % {"allowed": _counties(counties, "locative"), "organisation": organisation.name}
        )
    return reasons


def audience_summary(activity: Activity):
    """One line for the catalogue: who the activity is for."""
    parts = []
    if activity.audience_position_categories:
        parts.append(_categories(activity.audience_position_categories, "nominative"))
    if activity.audience_organisation_types:
        parts.append(_types(activity.audience_organisation_types, "nominative"))
    if activity.audience_counties:
        parts.append(_counties(activity.audience_counties, "nominative"))
    return format_lazy("{}", "; ".join(parts)) if parts else _("anyone")
