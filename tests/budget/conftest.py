import pytest

from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dora(world):
    """A funder observer of world.project: may read the budget, never change it."""
    user = UserFactory(email="dora@example.lt")
    MembershipFactory(project=world.project, user=user, role="funder_observer")
    return user


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
