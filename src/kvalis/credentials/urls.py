from django.urls import path

from kvalis.credentials import views

app_name = "credentials"

urlpatterns = [
    # public: what verifiers of Kvalis's Open Badges credentials fetch
    path("issuers/<uuid:issuer_public_id>/did.json", views.did_document, name="did"),
    path("issuers/<uuid:issuer_public_id>/profile.json", views.profile, name="profile"),
    path(
        "issuers/<uuid:issuer_public_id>/status/<int:list_number>",
        views.status_list,
        name="status_list",
    ),
]
