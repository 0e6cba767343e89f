"""{% project_tabs %}: the project's tabs, kept per project, role and current tab.

The tabs are the same for everyone of one role in one project, tab and language, and every
project page renders them (fifteen links, half a millisecond): they are kept in the process's
memory (kvalis.lib.kept). What they depend on is all in the key: the project (and its code,
which the links carry), the viewer's role and the current tab; the day and the language are
in every kept key."""

from django import template
from django.template.loader import render_to_string

from kvalis.access import ProjectAccess
from kvalis.lib.kept import kept

register = template.Library()


@register.simple_tag(takes_context=True)
def project_tabs(context) -> str:
    access, project, tab = context.get("access"), context["project"], context.get("tab") or ""

    def render() -> str:
        return render_to_string(
            "projects/_tabs.html", {"access": access, "project": project, "tab": tab}
        )

    if not isinstance(access, ProjectAccess) or access.project.pk != project.pk:
        return render()
    return kept(project, "tabs", (project.code, access.role, tab or "-"), render)
