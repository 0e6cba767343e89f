"""Certificates in the admin: readable, never edited here. Issue, revoke and reissue go through
the services (the back-office pages), which number, freeze and audit."""

from django.contrib import admin

from kvalis.certificates.models import (
    ActivityCertificateSettings,
    Certificate,
    CertificateBatch,
    CertificateIssuer,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
