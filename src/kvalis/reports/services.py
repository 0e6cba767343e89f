"""Writes of the reports app: the public summary (generate, edit, publish, withdraw) and the
downloads prepared in the background (request, run, retry, prune)."""

import logging
import tempfile
import time
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kvalis.access import Perm, ProjectAccess, get_project_access
from kvalis.audit.services import audit_log
from kvalis.lib import public_cache
from kvalis.projects.models import Project
from kvalis.reports.models import ExportError, ExportJob, ExportKind, ExportStatus, PublicSummary
from kvalis.reports.summary import generate_summary

logger = logging.getLogger(__name__)

# A prepared file is kept this long after it is ready (or requested), then pruned.
EXPORT_KEEP = timedelta(hours=24)
# The worker records its progress (and that it is alive) at most this often.
HEARTBEAT_SECONDS = 2.0


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
    public_cache.changed(public_cache.CATALOGUE)  # the public project page shows it
    audit_log(actor=actor, action="public_summary.update", obj=summary, project=summary.project)
    return summary


@transaction.atomic
def public_summary_publish(*, summary: PublicSummary, actor, published: bool) -> PublicSummary:
    summary.published = published
    summary.published_at = timezone.now() if published else None
    summary.full_clean()
    summary.save(update_fields=["published", "published_at"])
    public_cache.changed(public_cache.CATALOGUE)  # the public project page shows it
    audit_log(
        actor=actor,
        action="public_summary.publish" if published else "public_summary.withdraw",
        obj=summary,
        project=summary.project,
    )
    return summary


# --- downloads prepared in the background ------------------------------------------------------


def report_scope(access: ProjectAccess):
    """None for the whole project; a partner coordinator's organisations for a partner."""
    return access.partner_organisation_ids() if access.is_partner else None


def export_job_perms(kind: str) -> tuple[Perm, ...]:
    """What the requester must (still) hold for a job of this kind: the same as the direct
    download would ask."""
    if kind == ExportKind.FINAL_REPORT:
        return (Perm.VIEW_REPORTS, Perm.VIEW_BUDGET)
    return (Perm.VIEW_REPORTS, Perm.VIEW_PEOPLE)


def export_job_request(
    *, actor, project: Project, kind: str, parameters: dict, filename: str
) -> ExportJob:
    """Queue a download to be prepared by the worker; the same request still waiting or being
    prepared for the same user is not queued twice (a double click, a reload)."""
    with transaction.atomic():
        waiting = (
            ExportJob.objects.filter(
                project=project,
                requested_by=actor,
                kind=kind,
                parameters=parameters,
                status__in=(ExportStatus.QUEUED, ExportStatus.RUNNING),
            )
            .order_by("-created_at")
            .first()
        )
        if waiting is not None and not waiting.stale:
            return waiting
        now = timezone.now()
        job = ExportJob(
            project=project,
            requested_by=actor,
            kind=kind,
            parameters=parameters,
            filename=filename,
            created_at=now,
            expires_at=now + EXPORT_KEEP,
        )
        job.full_clean()
        job.save()
        audit_log(
            actor=actor,
            action="report_export.request",
            obj=job,
            project=project,
            summary=filename,
            data={"kind": kind, **parameters},
        )
        _enqueue(job)
    return job


def export_job_retry(*, job: ExportJob, actor) -> ExportJob:
    """Prepare a failed, interrupted or expired download again, with the same parameters."""
    if not job.can_retry:
        raise ValidationError(_("This file is still being prepared or is ready to download."))
    with transaction.atomic():
        old_file = job.file.name
        now = timezone.now()
        job.status = ExportStatus.QUEUED
        job.progress = 0
        job.error = ""
        job.file = ""
        job.created_at = now
        job.heartbeat_at = None
        job.finished_at = None
        job.expires_at = now + EXPORT_KEEP
        job.full_clean()
        job.save()
        audit_log(
            actor=actor,
            action="report_export.retry",
            obj=job,
            project=job.project,
            summary=job.filename,
        )
        if old_file:
            storage = job.file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
        _enqueue(job)
    return job


def _enqueue(job: ExportJob) -> None:
    from kvalis.reports.tasks import run_export_job

    transaction.on_commit(lambda: run_export_job.enqueue(job_id=job.pk))


class _Heartbeat:
    """Progress and a sign of life, written to the job's row at most every few seconds."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.percent = 0
        self.written = 0.0

    def __call__(self, percent: int) -> None:
        percent = max(0, min(int(percent), 100))
        now = time.monotonic()
        if percent == self.percent and now - self.written < HEARTBEAT_SECONDS:
            return
        self.percent = percent
        self.written = now
        ExportJob.objects.filter(pk=self.job_id, status=ExportStatus.RUNNING).update(
            progress=percent, heartbeat_at=timezone.now()
        )


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Prepare the file (the worker's part). A job is claimed once: run again, or after it
    was pruned, this does nothing. The requester's rights are checked again as they are now,
    and a partner coordinator's file holds only their own people, as on the page."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, progress=0, heartbeat_at=timezone.now()
    )
    if not claimed:
        return ExportJob.objects.filter(pk=job_id).first()
    job = ExportJob.objects.select_related("project", "requested_by").get(pk=job_id)
    beat = _Heartbeat(job.pk)
    try:
        access = get_project_access(job.requested_by, job.project.code, Perm.VIEW_REPORTS)
        for perm in export_job_perms(job.kind):
            access.require(perm)
        field = job.file.field
        with tempfile.TemporaryFile() as content:
            _write(job, access, content, beat)
            content.seek(0)
            name = field.storage.save(field.generate_filename(job, job.filename), File(content))
    except Http404:
        _fail(job, ExportError.ACCESS)
    except Exception:
        # The requester sees that it failed and may try again; the log has the details.
        logger.exception("Report export %s failed", job.pk)
        _fail(job, ExportError.UNEXPECTED)
    else:
        now = timezone.now()
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.DONE,
            progress=100,
            file=name,
            heartbeat_at=now,
            finished_at=now,
            expires_at=now + EXPORT_KEEP,
        )
    job.refresh_from_db()
    return job


def _fail(job: ExportJob, error: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, error=error, finished_at=timezone.now()
    )


def _counted(rows, total: int, progress):
    for number, row in enumerate(rows, start=1):
        if number % 500 == 0:
            progress(min(99, 100 * number // max(total, 1)))
        yield row


def _write(job: ExportJob, access: ProjectAccess, target, progress) -> None:
    from kvalis.reports.outputs import write_csv, write_final_report_pdf, write_xlsx

    parameters = job.parameters
    if job.kind == ExportKind.FINAL_REPORT:
        write_final_report_pdf(
            target, job.project, include_annex=parameters.get("annex", True), progress=progress
        )
        return
    from kvalis.reports.exports import available_exports, export_size, export_stream, export_title
    from kvalis.reports.forms import report_filter_form
    from kvalis.reports.indicators import report_enrolments

    kind = parameters["export"]
    if kind not in available_exports():
        raise ValueError(f"unknown export {kind!r}")
    form = report_filter_form(
        parameters.get("filters", {}), project=job.project, is_partner=access.is_partner
    )
    enrolments = report_enrolments(job.project, filters=form.filters(), scope=report_scope(access))
    with translation.override(parameters.get("language") or "lt"):
        total = export_size(kind, enrolments)
        header, rows = export_stream(kind, enrolments)
        rows = _counted(rows, total, progress)
        if parameters.get("format") == "csv":
            write_csv(target, header, rows)
        else:
            write_xlsx(target, str(export_title(kind)), header, rows)


def export_jobs_prune(*, now=None) -> int:
    """Delete the prepared downloads (rows and files) whose time is up. Idempotent."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(expires_at__lte=now).iterator():
        if job.file.name:
            job.file.storage.delete(job.file.name)
        job.delete()
        count += 1
    return count
