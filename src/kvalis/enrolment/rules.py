"""Who may enrol in an activity: its audience (position categories, organisation types, counties).

An empty list means "anyone". The reasons are sentences for the applicant, in the active language
(Lithuanian by default).
"""

from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from kvalis.organisations.geo import County
from kvalis.organisations.models import Organisation, OrganisationType
from kvalis.people.models import PositionCategory
from kvalis.projects.models import Activity


def _labels(choices, values) -> str:
    known = dict(choices.choices)
    return ", ".join(str(known.get(value, value)) for value in values)


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
                "allowed": _labels(PositionCategory, categories),
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
                "allowed": _labels(OrganisationType, types),
                "organisation": organisation.name,
                "type": organisation.get_type_display(),
            }
        )
    if counties and organisation.county not in counties:
        reasons.append(
            _("This activity is for institutions in: %(allowed)s. %(organisation)s is not.")
            % {"allowed": _labels(County, counties), "organisation": organisation.name}
        )
    return reasons


def audience_summary(activity: Activity):
    """One line for the catalogue: who the activity is for."""
    parts = []
    if activity.audience_position_categories:
        parts.append(_labels(PositionCategory, activity.audience_position_categories))
    if activity.audience_organisation_types:
        parts.append(_labels(OrganisationType, activity.audience_organisation_types))
    if activity.audience_counties:
        parts.append(_labels(County, activity.audience_counties))
    return format_lazy("{}", "; ".join(parts)) if parts else _("anyone")
