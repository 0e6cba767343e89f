from django.urls import path

from kvalis.reports import views
from kvalis.reports.exports import EXPORTS

app_name = "reports"

BASE = "projects/<slug:code>/reports/"

urlpatterns = [
    path(BASE, views.dashboard, name="dashboard"),
    path(f"{BASE}report.json", views.report_json, name="json"),
    path(f"{BASE}report.xlsx", views.report_workbook, name="xlsx"),
    path(f"{BASE}final-report.pdf", views.final_report, name="final_report"),
    path(f"{BASE}summary/", views.summary, name="summary"),
    path(f"{BASE}summary.txt", views.summary_text, name="summary_text"),
    path(f"{BASE}summary/generate/", views.summary_generate, name="summary_generate"),
    path(f"{BASE}summary/publish/", views.summary_publish, name="summary_publish"),
    path(f"{BASE}files/<int:job_pk>/", views.job, name="job"),
    path(f"{BASE}files/<int:job_pk>/progress/", views.job_progress, name="job_progress"),
    path(f"{BASE}files/<int:job_pk>/download/", views.job_download, name="job_download"),
    path(f"{BASE}files/<int:job_pk>/retry/", views.job_retry, name="job_retry"),
] + [
    path(
        f"{BASE}exports/{kind}.{fmt}",
        views.export,
        {"kind": kind, "fmt": fmt},
        name=f"export_{kind}_{fmt}",
    )
    for kind in EXPORTS
    for fmt in ("xlsx", "csv")
]
