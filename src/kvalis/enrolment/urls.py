from django.urls import path

from kvalis.enrolment import import_views, message_views, views

app_name = "enrolment"

urlpatterns = [
    # Public pages.
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<uuid:cohort_public_id>/", views.apply, name="apply"),
    path("catalogue/<uuid:cohort_public_id>/applied/", views.applied, name="applied"),
    path("catalogue/<uuid:cohort_public_id>/calendar.ics", views.cohort_ics, name="cohort_ics"),
    path("enrolment/confirm/<str:token>/", views.confirm, name="confirm"),
    path("privacy/", views.privacy, name="privacy"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    # A participant's own page.
    path("my/", views.my_trainings, name="my_trainings"),
    path("my/enrolments/<int:enrolment_pk>/cancel/", views.my_cancel, name="my_cancel"),
    path("my/calendar/reset/", views.my_calendar_reset, name="my_calendar_reset"),
    # The project's back office.
    path("projects/<slug:code>/enrolment/", views.cohorts, name="cohorts"),
    path(
        "projects/<slug:code>/enrolment/cohorts/<int:cohort_pk>/",
        views.roster_view,
        name="roster",
    ),
    path(
        "projects/<slug:code>/enrolment/cohorts/<int:cohort_pk>/roster.xlsx",
        views.roster_export,
        {"fmt": "xlsx"},
        name="roster_xlsx",
    ),
    path(
        "projects/<slug:code>/enrolment/cohorts/<int:cohort_pk>/roster.csv",
        views.roster_export,
        {"fmt": "csv"},
        name="roster_csv",
    ),
    path(
        "projects/<slug:code>/enrolment/cohorts/<int:cohort_pk>/settings/",
        views.cohort_settings,
        name="cohort_settings",
    ),
    path(
        "projects/<slug:code>/enrolment/cohorts/<int:cohort_pk>/message/",
        message_views.cohort_message,
        name="cohort_message",
    ),
    path(
        "projects/<slug:code>/enrolment/cohorts/<int:cohort_pk>/nominate/",
        views.nominate,
        name="nominate",
    ),
    path(
        "projects/<slug:code>/enrolment/cohorts/<int:cohort_pk>/import/",
        import_views.import_upload,
        name="import_upload",
    ),
    path(
        "projects/<slug:code>/enrolment/enrolments/<int:enrolment_pk>/approve/",
        views.enrolment_action,
        {"action": "approve"},
        name="approve",
    ),
    path(
        "projects/<slug:code>/enrolment/enrolments/<int:enrolment_pk>/reject/",
        views.enrolment_action,
        {"action": "reject"},
        name="reject",
    ),
    path(
        "projects/<slug:code>/enrolment/enrolments/<int:enrolment_pk>/cancel/",
        views.enrolment_cancel,
        name="cancel",
    ),
    path(
        "projects/<slug:code>/enrolment/enrolments/<int:enrolment_pk>/move/",
        views.enrolment_move,
        name="move",
    ),
    path(
        "projects/<slug:code>/enrolment/enrolments/<int:enrolment_pk>/into-quota/",
        views.enrolment_into_quota,
        name="into_quota",
    ),
    path(
        "projects/<slug:code>/enrolment/imports/<int:import_pk>/",
        import_views.import_detail,
        name="import_detail",
    ),
    path(
        "projects/<slug:code>/enrolment/imports/<int:import_pk>/progress/",
        import_views.import_progress,
        name="import_progress",
    ),
    path(
        "projects/<slug:code>/enrolment/imports/<int:import_pk>/confirm/",
        import_views.import_confirm,
        name="import_confirm",
    ),
    path(
        "projects/<slug:code>/enrolment/imports/<int:import_pk>/retry/",
        import_views.import_retry,
        name="import_retry",
    ),
    path(
        "projects/<slug:code>/enrolment/imports/<int:import_pk>/rows-to-fix.xlsx",
        import_views.import_rows_to_fix,
        name="import_rows_to_fix",
    ),
    path(
        "projects/<slug:code>/enrolment/import-template.xlsx",
        import_views.import_template,
        {"fmt": "xlsx"},
        name="import_template_xlsx",
    ),
    path(
        "projects/<slug:code>/enrolment/import-template.csv",
        import_views.import_template,
        {"fmt": "csv"},
        name="import_template_csv",
    ),
    path(
        "projects/<slug:code>/enrolment/cohorts/<int:cohort_pk>/held-mail/send/",
        import_views.held_mail_send,
        name="held_mail_send",
    ),
]
