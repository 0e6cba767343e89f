from django import template

from kvalis.access import Perm, ProjectAccess

register = template.Library()


@register.filter
def can_teach(access: ProjectAccess | None) -> bool:
    """{% if access|can_teach %}: attendance of the cohorts the user trains or coordinates."""
    return access is not None and hasattr(access, "can") and access.can(Perm.TEACH)


@register.filter
def can_view_people(access: ProjectAccess | None) -> bool:
    return access is not None and hasattr(access, "can") and access.can(Perm.VIEW_PEOPLE)
