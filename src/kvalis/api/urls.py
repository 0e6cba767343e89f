from django.urls import path, re_path

from kvalis.api import views

app_name = "api"

urlpatterns = [
    path("schema/", views.schema, name="schema"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<slug:code>/", views.project_detail, name="project_detail"),
    path(
        "projects/<slug:code>/indicators/",
        views.project_indicators_view,
        name="project_indicators",
    ),
    path("projects/<slug:code>/people/", views.project_people, name="project_people"),
    path(
        "certificates/<str:verification_code>/",
        views.certificate_detail,
        name="certificate_detail",
    ),
    # Browser pages (HTML, session only): not API endpoints, so not in the schema.
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
    # Last: anything else under /api/ answers a JSON 404.
    re_path(r"", views.not_found, name="not_found"),
]
