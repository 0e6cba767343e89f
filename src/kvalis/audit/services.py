"""The one helper every data-changing service calls."""

from typing import Any

from django.db import models

from kvalis.audit.models import AuditEntry
from kvalis.reports import figures


def audit_log(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    project=None,
    organisation=None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record that `actor` did `action` (e.g. "enrolment.create") to `obj` in `project`.

    `organisation` names the owner of a changed record (a person's employer) when the change is
    made from a project the owner may not be part of.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    figures.audited(project=project, obj=obj)  # the project's stored indicators are now stale
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        project=project,
        organisation=organisation,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=(summary or (str(obj) if obj is not None else ""))[:500],
        data=data or {},
    )
