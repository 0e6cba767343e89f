from django import template

from kvalis.access import Perm, ProjectAccess

register = template.Library()


@register.filter
def can_view_budget(access: ProjectAccess | None) -> bool:
    """{% if access|can_view_budget %}: the budget tab only for those who may open it."""
    return access is not None and hasattr(access, "can") and access.can(Perm.VIEW_BUDGET)
