"""The project's audit log, for its coordinators."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from kvalis.access import Perm, get_project_access

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[])

    def __init__(self, *args, actions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("all")), *[(a, a) for a in actions]]


@login_required
def audit_log_view(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_AUDIT)
    entries = access.project.audit_entries.select_related("actor")
    actions = sorted(set(entries.values_list("action", flat=True)))
    form = AuditFilterForm(request.GET or None, actions=actions)
    if form.is_valid() and form.cleaned_data["action"]:
        entries = entries.filter(action=form.cleaned_data["action"])
    page = Paginator(entries.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "audit/audit_log.html",
        {"access": access, "project": access.project, "tab": "audit", "form": form, "page": page},
    )
