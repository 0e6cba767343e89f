from django.contrib import admin

from kvalis.visits.models import HostVisit, StudyVisit, Traveller, TravellerCost


class HostVisitInline(admin.TabularInline):
    model = HostVisit
    extra = 0


@admin.register(StudyVisit)
class StudyVisitAdmin(admin.ModelAdmin):
    list_display = ["activity", "destination_city", "start_date", "end_date", "places"]
    inlines = [HostVisitInline]


@admin.register(Traveller)
class TravellerAdmin(admin.ModelAdmin):
    list_display = ["person", "visit", "status", "reserve_rank", "met_criteria"]
    list_filter = ["status", "met_criteria"]
    raw_id_fields = ["person", "enrolment"]


@admin.register(TravellerCost)
class TravellerCostAdmin(admin.ModelAdmin):
    list_display = ["traveller", "expense", "amount"]
    raw_id_fields = ["traveller", "expense"]
