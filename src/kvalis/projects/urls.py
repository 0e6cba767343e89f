from django.urls import path

from kvalis.projects import views

app_name = "projects"

urlpatterns = [
    path("projects/", views.dashboard, name="dashboard"),
    path("projects/<slug:code>/", views.project_detail, name="detail"),
]
