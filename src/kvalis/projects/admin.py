from django.contrib import admin

from kvalis.projects.models import Activity, Cohort, Membership, Partner, Project, Session, Venue


class PartnerInline(admin.TabularInline):
    model = Partner
    extra = 0
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["covered_organisations"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "lead", "start_date", "end_date"]
    search_fields = ["code", "title"]
    inlines = [PartnerInline, MembershipInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "kind", "academic_hours"]
    list_filter = ["kind", "project"]


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["__str__", "start_date", "end_date", "capacity"]
    list_filter = ["activity__project"]
    inlines = [SessionInline]
    raw_id_fields = ["trainers"]


admin.site.register(Venue)
