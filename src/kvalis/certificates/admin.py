"""Certificates in the admin: readable, never edited here. Issue, revoke and reissue go through
the services (the back-office pages), which number, freeze and audit."""

from django.contrib import admin

from kvalis.certificates.models import (
    ActivityCertificateSettings,
    Certificate,
    CertificateBatch,
    CertificateCounter,
    CertificateIssuer,
)
from kvalis.lib.admin import ReadOnlyAdmin


@admin.register(CertificateIssuer)
class CertificateIssuerAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "organisation", "project", "signatory_name"]
    list_filter = ["project"]


@admin.register(ActivityCertificateSettings)
class ActivityCertificateSettingsAdmin(ReadOnlyAdmin):
    list_display = ["activity", "issuer", "title"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "participant_name", "status", "issued_at", "project"]
    list_filter = ["status", "year", "project"]
    search_fields = ["number", "participant_name", "verification_code"]
    list_select_related = ["project"]


@admin.register(CertificateBatch)
class CertificateBatchAdmin(ReadOnlyAdmin):
    list_display = ["cohort", "status", "done", "total", "created_at"]
    list_select_related = ["cohort__activity"]


@admin.register(CertificateCounter)
class CertificateCounterAdmin(ReadOnlyAdmin):
    list_display = ["prefix", "year", "last_number"]
    list_filter = ["year"]
