from django.urls import path

from kvalis.audit import views

app_name = "audit"

urlpatterns = [
    path("projects/<slug:code>/audit/", views.audit_log_view, name="log"),
]
