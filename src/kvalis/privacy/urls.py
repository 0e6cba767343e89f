from django.urls import path

from kvalis.privacy import views

app_name = "privacy"

urlpatterns = [
    path("my/data/", views.my_data, name="my_data"),
    path("my/consents/", views.consents, name="consents"),
    path(
        "my/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "my/consents/study-visits/<int:traveller_pk>/photos/",
        views.photo_consent_give,
        name="photo_consent_give",
    ),
    path(
        "my/consents/credential-name/",
        views.credential_name_consent_give,
        name="credential_name_consent_give",
    ),
    path(
        "organisations/<int:organisation_pk>/people/<int:person_pk>/data-export/",
        views.person_export,
        name="person_export",
    ),
]
