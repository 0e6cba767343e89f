from django.contrib import admin

from kvalis.lib.admin import ReadOnlyAdmin
from kvalis.privacy.models import Consent


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    """Consent records are evidence: read here, given and withdrawn only by the person."""

    list_display = ["person", "purpose", "text_version", "given_at", "withdrawn_at", "source"]
    list_filter = ["purpose", "source"]
    raw_id_fields = ["person", "enrolment", "study_visit"]
