"""Uploads over KVALIS_MAX_UPLOAD_MB are refused before they are stored: on Content-Length
before the body is read, and while streaming before a byte reaches temporary disk; the refusal
is a translated page (413), never a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http.multipartparser import MultiPartParser
from django.urls import reverse

MB = 1024 * 1024


@pytest.fixture
def upload_url(world):
    return reverse("enrolment:import_upload", args=[world.project.code, world.cohort.pk])


@pytest.fixture
def one_mb(settings):
    settings.KVALIS_MAX_UPLOAD_MB = 1
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1 * MB + 64 * 1024


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(
    client, world, upload_url, one_mb, monkeypatch
):
    def never(self):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(MultiPartParser, "parse", never)
    client.force_login(world.alice)
    response = client.post(upload_url, {"file": SimpleUploadedFile("big.csv", b"a;b\n" * MB)})
    assert response.status_code == 413
    assert "Failas didesnis nei 1 MB" in response.text
    assert response["Content-Language"] == "lt"


def test_a_file_over_the_limit_is_stopped_while_streaming_never_written_to_disk(
    client, world, upload_url, one_mb, monkeypatch
):
    def never(self, *args, **kwargs):
        raise AssertionError("written to temporary disk")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", never)
    client.force_login(world.alice)
    # Within Content-Length's allowance for the form's other fields, but the file itself is over.
    data = b"a;b\n" * (MB // 4 + 2000)
    response = client.post(upload_url, {"file": SimpleUploadedFile("big.csv", data)})
    assert response.status_code == 413
    assert "Failas didesnis nei 1 MB" in response.text


def test_a_file_within_the_limit_is_kept_in_memory_and_accepted(
    client, world, upload_url, one_mb, monkeypatch
):
    def never(self, *args, **kwargs):
        raise AssertionError("written to temporary disk")

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", never)
    client.force_login(world.alice)
    data = "Vardas;Pavardė\n".encode() + (b"Ona;" + b"G" * 85 + b"\n") * 10_000  # 0.9 MB
    response = client.post(upload_url, {"file": SimpleUploadedFile("list.csv", data)})
    assert response.status_code == 302
