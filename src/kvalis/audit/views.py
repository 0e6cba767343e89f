"""The project's audit log, for its coordinators: each action in words, in Vilnius time, 50 a
page, filtered by action, who and a period."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kvalis.access import Perm, get_project_access
from kvalis.audit.forms import AuditFilterForm

PAGE_SIZE = 50


@login_required
def audit_log_view(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_AUDIT)
    entries = access.project.audit_entries.all()
    filters = {key: value for key, value in request.GET.items() if key != "page"}
    form = AuditFilterForm(filters or None, entries=entries)
    if form.is_bound and not form.is_valid():
        messages.warning(request, _("Some filters were not understood and are not applied."))
    page = Paginator(
        form.filter(entries).select_related("actor").order_by("-created_at", "-id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/audit_log.html",
        {
            "access": access,
            "project": access.project,
            "tab": "audit",
            "form": form,
            "page": page,
            "time_zone": settings.TIME_ZONE,
        },
    )
