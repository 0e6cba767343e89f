from django.urls import path

from kvalis.attendance import views

app_name = "attendance"

urlpatterns = [
    path("projects/<slug:code>/attendance/", views.index, name="index"),
    path(
        "projects/<slug:code>/attendance/sessions/<int:session_pk>/",
        views.session_attendance,
        name="session",
    ),
    path(
        "projects/<slug:code>/attendance/sessions/<int:session_pk>/check-in/",
        views.checkin_screen,
        name="checkin_screen",
    ),
    path(
        "projects/<slug:code>/attendance/sessions/<int:session_pk>/sign-in-sheet.pdf",
        views.signin_sheet,
        name="signin_sheet",
    ),
    path(
        "projects/<slug:code>/attendance/cohorts/<int:cohort_pk>/completion/",
        views.completion,
        name="completion",
    ),
    path("projects/<slug:code>/hours/", views.hours, name="hours"),
    path("projects/<slug:code>/hours/ledger.xlsx", views.hours_xlsx, name="hours_xlsx"),
    path("projects/<slug:code>/hours/ledger.csv", views.hours_csv, name="hours_csv"),
    path("projects/<slug:code>/hours/<int:person_pk>/", views.person_hours, name="person_hours"),
    path("my/hours/", views.my_hours, name="my_hours"),
    path("checkin/", views.checkin_code, name="checkin"),
    path("checkin/<uuid:public_id>/<str:token>/", views.checkin_link, name="checkin_link"),
]
