from django.urls import path

from kvalis.projects import views

app_name = "projects"

P = "projects/<slug:code>/"

urlpatterns = [
    path("projects/", views.dashboard, name="dashboard"),
    path("projects/new/", views.project_create, name="create"),
    path("p/<slug:code>/", views.project_public, name="public"),
    path(P, views.project_detail, name="detail"),
    path(P + "edit/", views.project_edit, name="edit"),
    path(P + "partners/", views.partner_list, name="partners"),
    path(P + "partners/add/", views.partner_add, name="partner_add"),
    path(P + "partners/<int:partner_pk>/edit/", views.partner_edit, name="partner_edit"),
    path(P + "partners/<int:partner_pk>/remove/", views.partner_remove, name="partner_remove"),
    path(P + "activities/", views.activity_list, name="activities"),
    path(P + "activities/add/", views.activity_add, name="activity_add"),
    path(P + "activities/<int:activity_pk>/edit/", views.activity_edit, name="activity_edit"),
    path(P + "activities/<int:activity_pk>/cohorts/add/", views.cohort_add, name="cohort_add"),
    path(P + "cohorts/<int:cohort_pk>/", views.cohort_detail, name="cohort"),
    path(
        P + "cohorts/<int:cohort_pk>/attendance/", views.cohort_attendance, name="cohort_attendance"
    ),
    path(P + "cohorts/<int:cohort_pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path(P + "cohorts/<int:cohort_pk>/sessions/add/", views.session_add, name="session_add"),
    path(
        P + "cohorts/<int:cohort_pk>/sessions/<int:session_pk>/edit/",
        views.session_edit,
        name="session_edit",
    ),
    path(
        P + "cohorts/<int:cohort_pk>/sessions/<int:session_pk>/delete/",
        views.session_delete,
        name="session_delete",
    ),
    path(P + "venues/", views.venue_list, name="venues"),
    path(P + "venues/add/", views.venue_add, name="venue_add"),
    path(P + "venues/<int:venue_pk>/edit/", views.venue_edit, name="venue_edit"),
    path(P + "members/", views.member_list, name="members"),
    path(
        P + "members/<int:membership_pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
]
