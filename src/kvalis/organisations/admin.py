from django.contrib import admin

from kvalis.organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "municipality", "company_code"]
    list_filter = ["type", "municipality"]
    search_fields = ["name", "short_name", "company_code"]
