from django.contrib import admin

from kvalis.people.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "organisation", "position"]
    search_fields = ["last_name", "first_name", "email"]
    list_filter = ["position_category"]
    raw_id_fields = ["organisation", "user"]
