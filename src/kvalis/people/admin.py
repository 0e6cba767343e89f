from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from kvalis.lib.admin import ReadOnlyAdmin
from kvalis.people import services
from kvalis.people.models import ErasureRequest, Person


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "organisation",
            "position",
            "position_category",
            "user",
        ]

    def _post_clean(self) -> None:
        super()._post_clean()
        try:
            services.person_validate(self.instance)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ["last_name", "first_name", "email", "organisation", "position"]
    search_fields = ["last_name", "first_name", "email"]
    list_filter = ["position_category"]
    raw_id_fields = ["organisation", "user"]

    def save_model(self, request, obj, form, change) -> None:
        # Through the service, so that the change is audited like any other.
        fields = {name: getattr(obj, name) for name in PersonAdminForm.Meta.fields}
        if change:
            services.person_update(actor=request.user, person=obj, **fields)
        else:
            created = services.person_create(actor=request.user, **fields)
            obj.pk = created.pk
            obj._state.adding = False


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnlyAdmin):
    """Answered by the employer's coordinators on their pages (`people:erasure_requests`)."""

    list_display = ["person", "status", "requested_at", "reviewed_at"]
    list_filter = ["status"]
