from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.certificates.conftest import completer, issuer  # noqa: F401  (fixtures)

SITE = "https://kvalis.example.lt"


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = SITE


class Fetcher:
    """openbadgeslib's `download` hook: answers its HTTPS requests for Kvalis's documents from
    the Django test client, so verification runs offline. Records what was fetched."""

    def __init__(self) -> None:
        self.client = Client()
        self.fetched: list[str] = []

    def __call__(self, url: str) -> bytes:
        from django.conf import settings

        parts, site = urlsplit(url), urlsplit(settings.SITE_URL)
        assert parts.scheme == "https" and parts.netloc == site.netloc, f"not Kvalis: {url}"
        self.fetched.append(parts.path)
        response = self.client.get(parts.path)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        return response.content


@pytest.fixture
def fetch():
    return Fetcher()
