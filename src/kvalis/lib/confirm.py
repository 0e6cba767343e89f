"""Confirmation pages for destructive actions.

A destructive URL answers GET with a page that says what will happen (who is told, what is
kept) and a button that POSTs to the same URL; the lists link to that page. Works without
JavaScript, and a mistaken click changes nothing.
"""

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmation_page(
    request: HttpRequest,
    *,
    heading: str,
    points: Sequence[str],
    submit_label: str,
    cancel_url: str,
    access=None,
    tab: str = "",
    crumbs: Sequence[tuple[str, str]] = (),
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the confirmation inside the project's page (when `access` is given) or on its own."""
    context = {
        "page_heading": heading,
        "points": points,
        "submit_label": submit_label,
        "cancel_url": cancel_url,
        "crumbs": crumbs,
        "error": error,
    }
    if access is not None:
        context.update(access=access, project=access.project, tab=tab)
        return render(request, "confirm/project.html", context, status=status)
    return render(request, "confirm/page.html", context, status=status)
