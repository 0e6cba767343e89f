"""Report pages and downloads. Thin: parse the filters, call the indicators, render.

Who sees what (all through `kvalis.access`):
- the dashboard, JSON and XLSX: VIEW_REPORTS (coordinators, funder observers, and partner
  coordinators scoped to their own organisation's people);
- person-level exports: VIEW_REPORTS and VIEW_PEOPLE (coordinators; partners, scoped);
- the funder's final report: VIEW_REPORTS and VIEW_BUDGET (coordinators, funder observers);
- the public summary: read with VIEW_REPORTS, generated, edited and published with EDIT.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kvalis.access import Perm, ProjectAccess, get_project_access
from kvalis.lib.exports import XLSX_MIME, csv_bytes, download, xlsx_bytes
from kvalis.reports import services
from kvalis.reports.exports import available_exports, export_rows, export_title
from kvalis.reports.forms import PublicSummaryForm, ReportFilterForm
from kvalis.reports.indicators import indicators_json, project_indicators, report_enrolments
from kvalis.reports.models import PublicSummary
from kvalis.reports.outputs import charts, final_report_pdf, indicator_rows, report_xlsx


def report_scope(access: ProjectAccess):
    """None for the whole project; a partner coordinator's organisations for a partner."""
    return access.partner_organisation_ids() if access.is_partner else None


def _filters(request: HttpRequest, access: ProjectAccess) -> ReportFilterForm:
    fields = set(ReportFilterForm.base_fields)
    bound = any(request.GET.get(name) for name in fields)
    return ReportFilterForm(
        request.GET if bound else None,
        project=access.project,
        show_partner=not access.is_partner,
    )


def _filename(access: ProjectAccess, stem: str, extension: str) -> str:
    return f"{access.project.code}-{stem}.{extension}"


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS)
    form = _filters(request, access)
    data = project_indicators(access.project, filters=form.filters(), scope=report_scope(access))
    return render(
        request,
        "reports/dashboard.html",
        {
            "access": access,
            "project": access.project,
            "tab": "reports",
            "form": form,
            "data": data,
            "indicators": indicator_rows(data),
            "charts": charts(data),
            "query": request.GET.urlencode() if form.is_bound and form.is_valid() else "",
            "exports": [
                (
                    export_title(kind),
                    reverse(f"reports:export_{kind}_xlsx", args=[access.project.code]),
                    reverse(f"reports:export_{kind}_csv", args=[access.project.code]),
                )
                for kind in available_exports()
            ]
            if access.can(Perm.VIEW_PEOPLE)
            else [],
            "can_final_report": access.can(Perm.VIEW_BUDGET),
            "can_edit": access.can(Perm.EDIT),
        },
    )


@login_required
def report_json(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS)
    form = _filters(request, access)
    data = project_indicators(access.project, filters=form.filters(), scope=report_scope(access))
    response = HttpResponse(indicators_json(data), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="{_filename(access, "report", "json")}"'
    return response


@login_required
def report_workbook(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS)
    form = _filters(request, access)
    data = project_indicators(access.project, filters=form.filters(), scope=report_scope(access))
    return download(report_xlsx(data), _filename(access, "report", "xlsx"), XLSX_MIME)


@login_required
def final_report(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS).require(Perm.VIEW_BUDGET)
    include_annex = request.GET.get("annex") != "0"
    content = final_report_pdf(access.project, include_annex=include_annex)
    return download(content, _filename(access, "final-report", "pdf"), "application/pdf")


@login_required
def export(request: HttpRequest, code: str, *, kind: str, fmt: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS).require(Perm.VIEW_PEOPLE)
    if kind not in available_exports():
        raise Http404
    form = _filters(request, access)
    enrolments = report_enrolments(
        access.project, filters=form.filters(), scope=report_scope(access)
    )
    header, rows = export_rows(kind, enrolments)
    name = _filename(access, kind, fmt)
    if fmt == "csv":
        return download(csv_bytes(header, rows), name, "text/csv; charset=utf-8")
    return download(xlsx_bytes({export_title(kind): (header, rows)}), name, XLSX_MIME)


@login_required
def summary(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS)
    stored = PublicSummary.objects.filter(project=access.project).first()
    form = None
    if access.can(Perm.EDIT) and stored is not None:
        form = PublicSummaryForm(request.POST or None, instance=stored)
        if request.method == "POST":
            if form.is_valid():
                services.public_summary_update(
                    summary=stored,
                    actor=request.user,
                    title=form.cleaned_data["title"],
                    text=form.cleaned_data["text"],
                )
                messages.success(request, _("The summary has been saved."))
                return redirect("reports:summary", code=access.project.code)
            stored.refresh_from_db()
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "reports/summary.html",
        {
            "access": access,
            "project": access.project,
            "tab": "reports",
            "summary": stored,
            "form": form,
            "can_edit": access.can(Perm.EDIT),
        },
    )


@login_required
def summary_text(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS)
    stored = PublicSummary.objects.filter(project=access.project).first()
    if stored is None:
        from kvalis.reports.summary import generate_summary

        stored = generate_summary(access.project)
    response = HttpResponse(
        f"{stored.title}\n\n{stored.text}\n", content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{_filename(access, "summary", "txt")}"'
    return response


@login_required
@require_POST
def summary_generate(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    services.public_summary_generate(project=access.project, actor=request.user)
    messages.success(request, _("The summary has been generated from the project's data."))
    return redirect("reports:summary", code=access.project.code)


@login_required
@require_POST
def summary_publish(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    stored = PublicSummary.objects.filter(project=access.project).first()
    if stored is None:
        raise Http404
    publish = request.POST.get("published") == "1"
    services.public_summary_publish(summary=stored, actor=request.user, published=publish)
    messages.success(
        request,
        _("The summary is published on the public project page.")
        if publish
        else _("The summary has been withdrawn from the public project page."),
    )
    return redirect("reports:summary", code=access.project.code)
