"""Writes of the reports app: the public summary (generate, edit, publish, withdraw)."""

from django.db import transaction
from django.utils import timezone

from kvalis.audit.services import audit_log
from kvalis.projects.models import Project
from kvalis.reports.models import PublicSummary
from kvalis.reports.summary import generate_summary


@transaction.atomic
def public_summary_generate(*, project: Project, actor) -> PublicSummary:
    """(Re)generate the text from the data. A published summary stays published with the new
    text only when the coordinator publishes again: regenerating withdraws it."""
    generated = generate_summary(project)
    summary = PublicSummary.objects.filter(project=project).first() or PublicSummary(
        project=project
    )
    summary.title = generated.title
    summary.text = generated.text
    summary.published = False
    summary.published_at = None
    summary.edited_by = actor if getattr(actor, "is_authenticated", False) else None
    summary.edited_at = timezone.now()
    summary.full_clean()
    summary.save()
    audit_log(actor=actor, action="public_summary.generate", obj=summary, project=project)
    return summary


@transaction.atomic
def public_summary_update(*, summary: PublicSummary, actor, title: str, text: str) -> PublicSummary:
    summary.title = title.strip()
    summary.text = text.strip().replace("\r\n", "\n")
    summary.edited_by = actor
    summary.edited_at = timezone.now()
    summary.full_clean()
    summary.save()
    audit_log(actor=actor, action="public_summary.update", obj=summary, project=summary.project)
    return summary


@transaction.atomic
def public_summary_publish(*, summary: PublicSummary, actor, published: bool) -> PublicSummary:
    summary.published = published
    summary.published_at = timezone.now() if published else None
    summary.full_clean()
    summary.save(update_fields=["published", "published_at"])
    audit_log(
        actor=actor,
        action="public_summary.publish" if published else "public_summary.withdraw",
        obj=summary,
        project=summary.project,
    )
    return summary
