"""Report pages and downloads. Thin: parse the filters, call the indicators, render.

Who sees what (all through `kvalis.access`):
- the dashboard, JSON and XLSX: VIEW_REPORTS (coordinators, funder observers, and partner
  coordinators scoped to their own organisation's people);
- person-level exports: VIEW_REPORTS and VIEW_PEOPLE (coordinators; partners, scoped);
- the funder's final report: VIEW_REPORTS and VIEW_BUDGET (coordinators, funder observers);
- the public summary: read with VIEW_REPORTS, generated, edited and published with EDIT.

What can take more than a second (the final report, a person-level export of more than
`DIRECT_MAX_ROWS` rows) is prepared in the background: the page asks to prepare it, a job
(`ExportJob`) is queued and its page shows the progress and then the download. A job belongs
to the user who asked and to its project: anyone else gets 404.
"""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kvalis.access import Perm, ProjectAccess, get_project_access
from kvalis.lib.charts import Chart
from kvalis.lib.exports import (
    XLSX_MIME,
    content_disposition,
    csv_bytes,
    download,
    download_name,
    xlsx_bytes,
)
from kvalis.lib.kept import kept
from kvalis.reports import figures, services
from kvalis.reports.exports import available_exports, export_rows, export_size, export_title
from kvalis.reports.forms import (
    PublicSummaryForm,
    ReportFilterForm,
    filter_values,
    report_filter_form,
)
from kvalis.reports.indicators import (
    access_indicators,
    kept_indicators_json,
    report_enrolments,
)
from kvalis.reports.models import ExportJob, ExportKind, PublicSummary
from kvalis.reports.outputs import charts, indicator_rows, report_xlsx
from kvalis.reports.services import export_job_perms, report_scope

# A person-level export of at most this many rows is answered at once (well under a second);
# a larger one is prepared in the background.
DIRECT_MAX_ROWS = 2000
# A breakdown on the dashboard shows at most this many bars: as many as Lithuania has
# municipalities, so that breakdown is always whole.
CHART_ROWS = 60


def _filters(request: HttpRequest, access: ProjectAccess) -> ReportFilterForm:
    return report_filter_form(request.GET, project=access.project, is_partner=access.is_partner)


def _filtering(request: HttpRequest) -> bool:
    """Does the query give a filter? (As `report_filter_form` decides whether to bind.)"""
    return any(request.GET.get(name) for name in ReportFilterForm.base_fields)


def _file_words(stem: str) -> str:
    """What a report's file name says, in the user's language (UTENA-KT-2014-galutinė-ataskaita)."""
    return {
        "report": pgettext("file name", "report"),
        "final-report": pgettext("file name", "final report"),
        "final-report-no-annex": pgettext("file name", "final report without annex"),
        "summary": pgettext("file name", "public summary"),
        "participants": pgettext("file name", "participants"),
        "attendance": pgettext("file name", "attendance"),
        "hours": pgettext("file name", "hours"),
        "certificates": pgettext("file name", "certificates"),
    }[stem]


def _filename(access: ProjectAccess, stem: str, extension: str) -> str:
    return download_name(access.project.code, _file_words(stem), extension=extension)


def _dashboard_charts(data: dict) -> list[Chart]:
    """The breakdowns with their largest rows and the rest added up in one: a national
    programme's 2 000 partners were a chart and a table of 2 000 rows (240 KB of the page).
    The downloads (JSON, XLSX) give every row."""
    result = []
    for chart in charts(data):
        if len(chart.rows) > CHART_ROWS:
            shown, rest = chart.rows[: CHART_ROWS - 1], chart.rows[CHART_ROWS - 1 :]
            others = (_("%(count)s more") % {"count": len(rest)}, sum(v for _label, v in rest))
            chart = dataclasses.replace(chart, rows=[*shown, others])
        result.append(chart)
    return result


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS)
    project = access.project
    # Unfiltered, the filters and the figures are kept under the project's version (see
    # kvalis.lib.kept), and the form is not even built; filtered views are computed each time.
    form = _filters(request, access) if _filtering(request) else None
    version = None if form is not None else figures.current_version(project)

    def filters_html() -> str:
        return render_to_string(
            "reports/_dashboard_filters.html",
            {"form": form or _filters(request, access), "project": project},
        )

    def figures_html() -> str:
        data = access_indicators(access, form.filters() if form is not None else None)
        return render_to_string(
            "reports/_dashboard_figures.html",
            {
                "project": project,
                "data": data,
                "indicators": indicator_rows(data),
                "charts": _dashboard_charts(data),
            },
        )

    def downloads_html() -> str:
        exports = [
            (
                export_title(kind),
                reverse(f"reports:export_{kind}_xlsx", args=[project.code]),
                reverse(f"reports:export_{kind}_csv", args=[project.code]),
            )
            for kind in available_exports()
        ]
        return render_to_string(
            "reports/_dashboard_downloads.html",
            {
                "project": project,
                "query": request.GET.urlencode() if form is not None and form.is_valid() else "",
                "exports": exports if access.can(Perm.VIEW_PEOPLE) else [],
                "can_final_report": access.can(Perm.VIEW_BUDGET),
            },
        )

    return render(
        request,
        "reports/dashboard.html",
        {
            "access": access,
            "project": project,
            "tab": "reports",
            "filters_html": kept(project, version, ("filters", *access.viewer_key), filters_html),
            "figures_html": kept(project, version, ("figures", *access.viewer_key), figures_html),
            "downloads_html": kept(
                project, version, ("downloads", *access.viewer_key), downloads_html
            ),
            "jobs": _recent_jobs(access, 10),
        },
    )


@login_required
def report_json(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS)
    form = _filters(request, access) if _filtering(request) else None
    return download(
        kept_indicators_json(access, form),
        _filename(access, "report", "json"),
        "application/json",
        inline=True,
    )


@login_required
def report_workbook(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS)
    form = _filters(request, access)
    data = access_indicators(access, form.filters())
    return download(report_xlsx(data), _filename(access, "report", "xlsx"), XLSX_MIME)


@login_required
def final_report(request: HttpRequest, code: str) -> HttpResponse:
    """Always prepared in the background: even without the annex it takes seconds for a large
    project. GET shows what will be prepared, POST asks for it."""
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS).require(Perm.VIEW_BUDGET)
    source = request.POST if request.method == "POST" else request.GET
    include_annex = source.get("annex") != "0"
    if request.method == "POST":
        return _request_job(
            request,
            access,
            kind=ExportKind.FINAL_REPORT,
            parameters={"annex": include_annex},
            filename=_filename(
                access, "final-report" if include_annex else "final-report-no-annex", "pdf"
            ),
        )
    return _prepare_page(
        request,
        access,
        title=_("Final report to the funder (PDF)"),
        kind=ExportKind.FINAL_REPORT,
        include_annex=include_annex,
    )


@login_required
def export(request: HttpRequest, code: str, *, kind: str, fmt: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS).require(Perm.VIEW_PEOPLE)
    if kind not in available_exports():
        raise Http404
    form = _filters(request, access)
    name = _filename(access, kind, fmt)
    if request.method == "POST":
        return _request_job(
            request,
            access,
            kind=ExportKind.EXPORT,
            parameters={
                "export": kind,
                "format": fmt,
                "filters": filter_values(request.GET) if form.is_bound and form.is_valid() else {},
                "language": get_language() or "lt",
            },
            filename=name,
        )
    enrolments = report_enrolments(
        access.project, filters=form.filters(), scope=report_scope(access)
    )
    rows = export_size(kind, enrolments)
    if rows > DIRECT_MAX_ROWS:
        return _prepare_page(
            request,
            access,
            title=f"{export_title(kind)} ({fmt.upper()})",
            rows=rows,
            kind=ExportKind.EXPORT,
        )
    header, body = export_rows(kind, enrolments)
    if fmt == "csv":
        return download(csv_bytes(header, body), name, "text/csv; charset=utf-8")
    return download(xlsx_bytes({export_title(kind): (header, body)}), name, XLSX_MIME)


# --- downloads prepared in the background ------------------------------------------------------


def _visible_kinds(access: ProjectAccess) -> set[str]:
    """The kinds of prepared download this user may still open."""
    return {
        kind
        for kind in ExportKind.values
        if all(access.can(perm) for perm in export_job_perms(kind))
    }


def _visible_jobs(access: ProjectAccess):
    """The user's own prepared downloads in this project, of the kinds they may still open."""
    return ExportJob.objects.filter(
        project=access.project, requested_by=access.user, kind__in=_visible_kinds(access)
    ).order_by("-created_at", "-pk")


def _recent_jobs(access: ProjectAccess, count: int) -> list[ExportJob]:
    """The user's latest `count` visible jobs: the dashboard asks on every view, and the kinds
    are sorted out here, not in the query (a user has a handful of jobs, kept a day)."""
    kinds = _visible_kinds(access)
    recent = ExportJob.objects.raw(
        _recent_jobs_sql(), [access.project.pk, access.user.pk, count * 5]
    )
    return [job for job in recent if job.kind in kinds][:count]


def _recent_jobs_sql() -> str:
    """Written out (`Manager.raw`): the ORM took longer to compile it than the database to
    answer, on every view of the dashboard."""
    meta = ExportJob._meta
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        return quote(meta.get_field(name).column)

    return (
        f"SELECT * FROM {quote(meta.db_table)}"
        f" WHERE {column('project')} = %s AND {column('requested_by')} = %s"
        f" ORDER BY {column('created_at')} DESC, {column('id')} DESC LIMIT %s"
    )


def _get_job(request: HttpRequest, code: str, job_pk: int) -> tuple[ProjectAccess, ExportJob]:
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS)
    return access, get_object_or_404(_visible_jobs(access), pk=job_pk)


def _request_job(request, access, *, kind, parameters, filename) -> HttpResponse:
    job = services.export_job_request(
        actor=request.user,
        project=access.project,
        kind=kind,
        parameters=parameters,
        filename=filename,
    )
    return redirect("reports:job", code=access.project.code, job_pk=job.pk)


def _prepare_page(request, access, *, title, kind, rows=None, include_annex=True) -> HttpResponse:
    return render(
        request,
        "reports/prepare.html",
        {
            "access": access,
            "project": access.project,
            "tab": "reports",
            "title": title,
            "kind": kind,
            "rows": rows,
            "include_annex": include_annex,
            "query": request.GET.urlencode(),
            "jobs": [job for job in _visible_jobs(access)[:20] if job.kind == kind],
        },
    )


@login_required
def job(request: HttpRequest, code: str, job_pk: int) -> HttpResponse:
    access, found = _get_job(request, code, job_pk)
    return render(
        request,
        "reports/job.html",
        {"access": access, "project": access.project, "tab": "reports", "job": found},
    )


@login_required
def job_progress(request: HttpRequest, code: str, job_pk: int) -> HttpResponse:
    access, found = _get_job(request, code, job_pk)
    response = render(
        request, "reports/_job_progress.html", {"job": found, "project": access.project}
    )
    if not found.in_progress and request.htmx:
        # Ready, failed or interrupted: reload the whole page for the link or the retry button.
        response["HX-Refresh"] = "true"
    return response


@login_required
def job_download(request: HttpRequest, code: str, job_pk: int) -> HttpResponse:
    _access, found = _get_job(request, code, job_pk)
    if not found.ready:
        raise Http404
    response = FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)
    response["Content-Disposition"] = content_disposition(found.filename)
    return response


@login_required
@require_POST
def job_retry(request: HttpRequest, code: str, job_pk: int) -> HttpResponse:
    access, found = _get_job(request, code, job_pk)
    try:
        services.export_job_retry(job=found, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reports:job", code=access.project.code, job_pk=found.pk)


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
    return download(
        f"{stored.title}\n\n{stored.text}\n".encode(),
        _filename(access, "summary", "txt"),
        "text/plain; charset=utf-8",
        inline=True,
    )


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
