from django.urls import path

from kvalis.people import erasure_views, views

app_name = "people"

P = "projects/<slug:code>/people/"

urlpatterns = [
    path(P, views.person_list, name="list"),
    path(P + "add/", views.person_add, name="add"),
    path(P + "<int:person_pk>/", views.person_detail, name="detail"),
    path(P + "<int:person_pk>/edit/", views.person_edit, name="edit"),
    path(P + "<int:person_pk>/invite/", views.person_invite, name="invite"),
    # Erasure of personal data: the person asks, their employer's coordinators review.
    path("my/erasure/", erasure_views.my_erasure, name="erasure_request"),
    path("erasure-requests/", erasure_views.erasure_list, name="erasure_requests"),
    path(
        "erasure-requests/<int:erasure_pk>/",
        erasure_views.erasure_review,
        name="erasure_review",
    ),
    path(
        "erasure-requests/people/<int:person_pk>/",
        erasure_views.erasure_on_behalf,
        name="erasure_on_behalf",
    ),
]
