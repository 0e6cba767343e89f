from django.urls import path

from kvalis.organisations import views

app_name = "organisations"

urlpatterns = [
    path("organisations/partnerships/", views.partnerships, name="partnerships"),
    path(
        "organisations/partnerships/<int:partner_pk>/<slug:answer>/",
        views.partnership_answer,
        name="partnership_answer",
    ),
]
