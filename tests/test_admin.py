"""The admin pages that only read: they open for a superuser, offer no add, change or delete,
and the one action (revoking API tokens) goes through the service, which audits it."""

import pytest
from django.contrib import admin
from django.urls import reverse

from kvalis.api.models import ApiToken
from kvalis.api.services import api_token_create
from kvalis.attendance.models import Attendance, CompletionOverride
from kvalis.audit.models import AuditEntry
from kvalis.certificates.models import CertificateCounter
from kvalis.lib.admin import ReadOnlyAdmin
from tests.factories import UserFactory

READ_ONLY = [Attendance, CompletionOverride, ApiToken, AuditEntry, CertificateCounter]


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m.__name__)
def test_list_opens_and_nothing_can_be_added(superuser_client, model):
    opts = model._meta
    assert isinstance(admin.site._registry[model], ReadOnlyAdmin)
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert superuser_client.get(changelist).status_code == 200
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert superuser_client.get(add).status_code == 403


def test_an_audit_entry_cannot_be_deleted(superuser_client, world):
    entry = AuditEntry.objects.create(action="test.entry", summary="x")
    url = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_revoking_tokens_in_the_admin_goes_through_the_service(superuser_client, world):
    token, _raw = api_token_create(user=world.alice, name="Ataskaitų scenarijus")
    response = superuser_client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Atšauktas 1 raktas." in response.text
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="api.token_revoke", object_id=str(token.pk)).exists()


def test_the_token_hash_is_not_shown(superuser_client, world):
    token, _raw = api_token_create(user=world.alice, name="Scenarijus")
    page = superuser_client.get(reverse("admin:api_apitoken_change", args=[token.pk]))
    assert page.status_code == 200
    assert token.token_hash not in page.text
