from django.urls import path

from kvalis.visits import views

app_name = "visits"

V = "projects/<slug:code>/visits/<int:visit_pk>/"
T = V + "travellers/<int:traveller_pk>/"

urlpatterns = [
    path("projects/<slug:code>/visits/", views.index, name="index"),
    path(
        "projects/<slug:code>/visits/new/<int:activity_pk>/",
        views.visit_create,
        name="create",
    ),
    path(V, views.visit_detail, name="detail"),
    path(V + "edit/", views.visit_edit, name="edit"),
    path(V + "hosts/new/", views.host_create, name="host_create"),
    path(V + "hosts/<int:host_pk>/", views.host_edit, name="host_edit"),
    path(V + "hosts/<int:host_pk>/delete/", views.host_delete, name="host_delete"),
    path(V + "hosts/<int:host_pk>/outcomes/", views.host_outcomes, name="host_outcomes"),
    path(V + "selection/", views.selection, name="selection"),
    path(V + "selection/auto/", views.selection_auto, name="selection_auto"),
    path(T, views.traveller_detail, name="traveller"),
    path(T + "costs/", views.traveller_cost_add, name="cost_add"),
    path(T + "costs/<int:cost_pk>/delete/", views.traveller_cost_remove, name="cost_remove"),
    path(T + "promote/", views.traveller_promote, name="promote"),
    path(T + "remove/", views.traveller_remove, name="remove"),
]
