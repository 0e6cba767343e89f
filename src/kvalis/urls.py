"""Root URLconf. Each app owns its paths; project back-office pages live under /projects/<code>/,
public pages (catalogue, public project page, certificate verification) outside it."""

import os

from django.contrib import admin
from django.urls import include, path

from kvalis.accounts import views as account_views
from kvalis.projects import views as project_views

urlpatterns = [
    path("", project_views.home, name="home"),
    path("i18n/setlang/", account_views.language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("kvalis.accounts.urls")),
    path("account/passkeys/", include("kvalis.accounts.passkey_urls")),
    path("", include("kvalis.projects.urls")),
    path("", include("kvalis.people.urls")),
    path("", include("kvalis.organisations.urls")),
    path("", include("kvalis.audit.urls")),
    path("", include("kvalis.enrolment.urls")),
    path("", include("kvalis.attendance.urls")),
    path("", include("kvalis.certificates.urls")),
    path("", include("kvalis.credentials.urls")),
    path("", include("kvalis.credentials.urls_pages")),
    path("", include("kvalis.surveys.urls")),
    path("", include("kvalis.budget.urls")),
    path("", include("kvalis.visits.urls")),
    path("", include("kvalis.reports.urls")),
    path("", include("kvalis.homes.urls")),
    path("", include("kvalis.privacy.urls")),
    path("api/", include("kvalis.api.urls")),
]

# The load benchmark's baseline page, only when it starts the server (benchmarks/bench_load.py).
if os.environ.get("KVALIS_BENCH_BASELINE") == "1":
    from kvalis.lib.bench_views import minimal_page

    urlpatterns.append(path("_bench/minimal/", minimal_page))

# Uploaded files (expense scans, certificate PDFs) are never served from MEDIA_URL: each is
# streamed by a view of its app after the access check.
