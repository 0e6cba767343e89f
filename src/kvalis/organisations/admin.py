from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kvalis.organisations import services
from kvalis.organisations.models import Organisation, OrganisationCoordinator, RetentionPolicy


class CoordinatorInline(admin.TabularInline):
    model = OrganisationCoordinator
    extra = 1
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "type",
        "municipality",
        "company_code",
        "registered_at",
        "represented_by",
    ]
    list_filter = ["type", "municipality", ("registered_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "short_name", "company_code"]
    raw_id_fields = ["represented_by"]
    readonly_fields = ["registered_at"]
    inlines = [CoordinatorInline]
    actions = ["register"]

    @admin.action(description=_("Register the selected organisations"))
    def register(self, request, queryset) -> None:
        for organisation in queryset:
            services.organisation_register(actor=request.user, organisation=organisation)
        messages.success(request, _("The organisations are registered."))

    def save_formset(self, request, form, formset, change) -> None:
        # New coordinators through the service (audited, and only for a registered one).
        if formset.model is not OrganisationCoordinator:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for removed in formset.deleted_objects:
            removed.delete()
        for coordinator in instances:
            try:
                services.organisation_coordinator_add(
                    actor=request.user, organisation=form.instance, user=coordinator.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """An organisation's own retention periods; without one the defaults apply
    (`kvalis.people.retention`). Changes are audited."""

    list_display = [
        "organisation",
        "contact_data_years",
        "unconfirmed_application_days",
        "survey_participation_years",
        "audit_log_years",
    ]
    raw_id_fields = ["organisation"]

    def save_model(self, request, obj, form, change) -> None:
        from kvalis.audit.services import audit_log

        super().save_model(request, obj, form, change)
        audit_log(
            actor=request.user,
            action="retention.policy_set",
            obj=obj,
            organisation=obj.organisation,
            data={
                "contact_data_years": obj.contact_data_years,
                "unconfirmed_application_days": obj.unconfirmed_application_days,
                "survey_participation_years": obj.survey_participation_years,
                "audit_log_years": obj.audit_log_years,
            },
        )
