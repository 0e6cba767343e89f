"""A URLconf for tests/test_error_pages.py only: the real one plus views that fail on purpose,
so the 500, 403 and 400 pages can be seen without adding a failing URL to the app."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.urls import path

from kvalis.urls import urlpatterns as real_urlpatterns


def server_error(request):
    raise RuntimeError("a bug, on purpose")


def permission_denied(request):
    raise PermissionDenied


def bad_request(request):
    raise BadRequest


urlpatterns = [
    path("test-errors/500/", server_error),
    path("test-errors/403/", permission_denied),
    path("test-errors/400/", bad_request),
    *real_urlpatterns,
]
