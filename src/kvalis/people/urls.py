from django.urls import path

from kvalis.people import views

app_name = "people"

P = "projects/<slug:code>/people/"

urlpatterns = [
    path(P, views.person_list, name="list"),
    path(P + "add/", views.person_add, name="add"),
    path(P + "<int:person_pk>/", views.person_detail, name="detail"),
    path(P + "<int:person_pk>/edit/", views.person_edit, name="edit"),
]
