from django.urls import path

from kvalis.organisations import views

app_name = "organisations"

urlpatterns = [
    path("organisations/", views.organisation_list, name="list"),
    path("organisations/search/", views.organisation_search, name="search"),
    path("organisations/new/", views.organisation_create, name="create"),
    path("organisations/join/", views.join, name="join"),
    path("organisations/join/sent/", views.join_sent, name="join_sent"),
    path("organisations/join-requests/", views.join_requests, name="join_requests"),
    path(
        "organisations/join-requests/<int:join_request_pk>/",
        views.join_request_detail,
        name="join_request",
    ),
    path(
        "organisations/join-requests/<int:join_request_pk>/approve/",
        views.join_request_approve,
        name="join_request_approve",
    ),
    path(
        "organisations/join-requests/<int:join_request_pk>/reject/",
        views.join_request_reject,
        name="join_request_reject",
    ),
    path("organisations/<int:organisation_pk>/", views.organisation_detail, name="detail"),
    path("organisations/<int:organisation_pk>/edit/", views.organisation_edit, name="edit"),
    path("organisations/<int:organisation_pk>/merge/", views.organisation_merge, name="merge"),
    path(
        "organisations/<int:organisation_pk>/register/",
        views.organisation_register,
        name="register",
    ),
    path(
        "organisations/<int:organisation_pk>/coordinators/invite/",
        views.coordinator_invite,
        name="coordinator_invite",
    ),
    path("organisations/partnerships/", views.partnerships, name="partnerships"),
    path(
        "organisations/partnerships/<int:partner_pk>/<slug:answer>/",
        views.partnership_answer,
        name="partnership_answer",
    ),
]
