"""The cohort hub's tab bar: which of a cohort's pages the viewer may use, and which is open."""

from dataclasses import dataclass

from django import template
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from kvalis.access import Perm, ProjectAccess, Role

register = template.Library()


@dataclass(frozen=True)
class CohortTab:
    label: str
    url: str  # empty: nothing to open yet (the label says so)
    current: bool


def _cohort_has_survey(cohort) -> bool:
    from kvalis.surveys.models import Survey

    return Survey.objects.filter(
        Q(cohort=cohort) | Q(activity_id=cohort.activity_id, cohort__isnull=True)
    ).exists()


def cohort_tabs_for(access: ProjectAccess, cohort, view_name: str) -> list[CohortTab]:
    """The tabs `access` may use, in the order of the cohort's life. A tab is shown only when
    its page would answer; the pages check the same permissions themselves."""
    code = access.project.code
    args = [code, cohort.pk]
    tabs = [
        (_("Sessions"), reverse("projects:cohort", args=args), {"projects:cohort"}),
    ]
    if access.can(Perm.VIEW_PEOPLE):
        tabs.append((_("Roster"), reverse("enrolment:roster", args=args), {"enrolment:roster"}))
    if access.can(Perm.TEACH):
        tabs.append(
            (
                _("Attendance"),
                reverse("projects:cohort_attendance", args=args),
                {"projects:cohort_attendance", "attendance:session"},
            )
        )
        tabs.append(
            (
                _("Completion"),
                reverse("attendance:completion", args=args),
                {"attendance:completion"},
            )
        )
    if access.can(Perm.EDIT):
        tabs.append(
            (_("Certificates"), reverse("certificates:cohort", args=args), {"certificates:cohort"})
        )
    if access.is_coordinator or access.role == Role.TRAINER:
        if _cohort_has_survey(cohort):
            url = reverse("surveys:cohort_results", args=args)
            tabs.append((_("Survey"), url, {"surveys:cohort_results"}))
        else:
            tabs.append((_("Survey: none yet"), "", set()))
    if access.can(Perm.TEACH):
        tabs.append(
            (
                _("Write to the cohort"),
                reverse("enrolment:cohort_message", args=args),
                {"enrolment:cohort_message"},
            )
        )
    return [
        CohortTab(label=label, url=url, current=view_name in names) for label, url, names in tabs
    ]


@register.simple_tag(takes_context=True)
def cohort_tabs(context, cohort) -> list[CohortTab]:
    """{% cohort_tabs cohort as tabs %}: the tab bar of `cohort` for this page's viewer."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return cohort_tabs_for(context["access"], cohort, match.view_name if match else "")
