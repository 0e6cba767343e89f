from django.urls import path

from kvalis.budget import views

app_name = "budget"

urlpatterns = [
    path("projects/<slug:code>/budget/", views.overview, name="overview"),
    path("projects/<slug:code>/budget/lines/new/", views.line_create, name="line_create"),
    path("projects/<slug:code>/budget/lines/<int:line_pk>/", views.line_edit, name="line_edit"),
    path(
        "projects/<slug:code>/budget/lines/<int:line_pk>/delete/",
        views.line_delete,
        name="line_delete",
    ),
    path("projects/<slug:code>/budget/expenses/", views.expense_list, name="expenses"),
    path("projects/<slug:code>/budget/expenses/new/", views.expense_create, name="expense_create"),
    path(
        "projects/<slug:code>/budget/expenses/<int:expense_pk>/",
        views.expense_edit,
        name="expense_edit",
    ),
    path(
        "projects/<slug:code>/budget/expenses/<int:expense_pk>/delete/",
        views.expense_delete,
        name="expense_delete",
    ),
    path(
        "projects/<slug:code>/budget/expenses/<int:expense_pk>/document/",
        views.expense_scan,
        name="expense_scan",
    ),
    path(
        "projects/<slug:code>/budget/export/budget.xlsx",
        views.export,
        {"what": "budget", "fmt": "xlsx"},
        name="export_xlsx",
    ),
    path(
        "projects/<slug:code>/budget/export/lines.csv",
        views.export,
        {"what": "lines", "fmt": "csv"},
        name="export_lines_csv",
    ),
    path(
        "projects/<slug:code>/budget/export/expenses.csv",
        views.export,
        {"what": "expenses", "fmt": "csv"},
        name="export_expenses_csv",
    ),
]
