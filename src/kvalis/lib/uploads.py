"""Uploads are refused at KVALIS_MAX_UPLOAD_MB before they are stored anywhere.

Django checks a file's size only after the whole body has been read and written to memory or
to temporary disk, so a 300 MB upload used to fill the disk before the form said "larger than
10 MB". Here the refusal comes first:

- `UploadLimitMiddleware` answers a request whose Content-Length is over the limit (plus a
  little for the form's other fields) with a translated 413 page without reading its body;
- `LimitedUploadHandler`, first in FILE_UPLOAD_HANDLERS, stops a file at the limit while it
  streams in (Content-Length may understate), and the middleware answers with the same page.

In production nginx's `client_max_body_size` refuses the same bodies before they reach the app
(README, "Deploying").
"""

import contextlib

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

# Room in a multipart body for the boundaries, the CSRF token and the form's other fields.
FORM_ALLOWANCE = 64 * 1024
REFUSED = "_kvalis_upload_refused"


def max_upload_bytes() -> int:
    return settings.KVALIS_MAX_UPLOAD_MB * 1024 * 1024


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


class LimitedUploadHandler(FileUploadHandler):
    """Passes chunks on to the next handler until a file is over the limit, then stops the
    upload; the rest of the (Content-Length-bounded) body is read and discarded, so the client
    gets the answer instead of a reset connection."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > max_upload_bytes() + FORM_ALLOWANCE:
            setattr(self.request, REFUSED, True)
            raise StopUpload(connection_reset=True)
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > max_upload_bytes():
            setattr(self.request, REFUSED, True)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def upload_too_large(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "upload_too_large.html",
        {"limit": settings.KVALIS_MAX_UPLOAD_MB, "back": request.get_full_path()},
        status=413,
    )


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH"):
            if _content_length(request) > max_upload_bytes() + FORM_ALLOWANCE:
                return upload_too_large(request)
            if request.content_type == "multipart/form-data":
                # Parse now, through LimitedUploadHandler; a malformed body reads as an empty
                # form, as Django leaves it.
                with contextlib.suppress(MultiPartParserError):
                    request.POST  # noqa: B018
                if getattr(request, REFUSED, False):
                    return upload_too_large(request)
        return self.get_response(request)
