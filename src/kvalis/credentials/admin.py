from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from kvalis.credentials import services
from kvalis.credentials.models import Credential, IssuerIdentity, IssuerKey, StatusList


class IssuerKeyInline(admin.TabularInline):
    model = IssuerKey
    # The sealed private key is never shown, not even encrypted.
    fields = ["number", "created_at", "retired_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IssuerIdentity)
class IssuerIdentityAdmin(admin.ModelAdmin):
    list_display = ["organisation", "public_id", "created_at"]
    search_fields = ["organisation__name", "public_id"]
    readonly_fields = ["organisation", "public_id", "created_at"]
    inlines = [IssuerKeyInline]
    actions = ["rotate_key"]

    def has_add_permission(self, request) -> bool:
        return False  # created with the first credential an organisation issues

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Give a new signing key (the old one keeps verifying)"))
    def rotate_key(self, request, queryset):
        for identity in queryset.select_related("organisation"):
            key = services.issuer_key_rotate(organisation=identity.organisation, actor=request.user)
            self.message_user(
                request,
                _("%(issuer)s now signs with %(kid)s.")
                % {"issuer": identity.organisation, "kid": services.kid_for(key)},
                messages.SUCCESS,
            )


@admin.register(StatusList)
class StatusListAdmin(admin.ModelAdmin):
    list_display = ["identity", "number", "next_index", "size", "signed_at"]
    fields = ["identity", "number", "next_index", "size", "signed_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["credential_id", "certificate", "status_list", "status_index", "signed_at"]
    search_fields = ["credential_id", "certificate__number"]
    fields = [
        "credential_id",
        "certificate",
        "status_list",
        "status_index",
        "key",
        "signed_at",
        "holder_withheld",
        "replaced_by",
        "jwt",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
