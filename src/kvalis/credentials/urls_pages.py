"""Where people get a certificate's credential (kvalis.credentials.pages). The public machine
documents (DID, issuer profile, status lists) are in `urls.py`."""

from django.urls import path

from kvalis.credentials import pages

app_name = "credential_pages"

MINE = "my/certificates/<int:certificate_pk>/"
PROJECT = "projects/<slug:code>/certificates/<int:certificate_pk>/"
PUBLIC = "verify/<str:verification_code>/"

urlpatterns = [
    path(MINE + "credential/", pages.my_credential, name="my_credential"),
    path(MINE + "credential.json", pages.my_download, {"kind": "json"}, name="my_json"),
    path(MINE + "credential.jwt", pages.my_download, {"kind": "jwt"}, name="my_jwt"),
    path(MINE + "badge.png", pages.my_download, {"kind": "png"}, name="my_png"),
    path(PROJECT + "credential.json", pages.project_download, {"kind": "json"}, name="json"),
    path(PROJECT + "credential.jwt", pages.project_download, {"kind": "jwt"}, name="jwt"),
    path(PROJECT + "badge.png", pages.project_download, {"kind": "png"}, name="png"),
    path(PUBLIC + "credential.json", pages.public_download, {"kind": "json"}, name="public_json"),
    path(PUBLIC + "credential.jwt", pages.public_download, {"kind": "jwt"}, name="public_jwt"),
    path(PUBLIC + "badge.png", pages.public_download, {"kind": "png"}, name="public_png"),
]
