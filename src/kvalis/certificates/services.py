"""Every write about certificates: issuers, issue (one or a cohort's completers), revoke, reissue.

Numbers run per prefix and year without gaps: the counter row is locked (SELECT … FOR UPDATE)
and advanced in the same transaction that inserts the certificates, so a failed issue rolls its
numbers back and two coordinators issuing at once queue on the lock.
"""

import base64
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kvalis import time_rules
from kvalis.attendance.selectors import completion_for_enrolments
from kvalis.audit.services import audit_log
from kvalis.certificates.models import (
    ACTIVE_BATCH_STATUSES,
    REVOKE_STATEMENTS,
    STALE_AFTER,
    ActivityCertificateSettings,
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateCounter,
    CertificateIssuer,
    CertificateStatus,
    HoursRule,
    RevocationStatement,
    certificate_pdf_path,
)
from kvalis.certificates.pdf import academic_hours_text, hours_text
from kvalis.certificates.selectors import mailable, other_valid_certificate
from kvalis.credentials import services as credential_services
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.lib import public_cache
from kvalis.projects.models import Activity, Cohort, Project

logger = logging.getLogger(__name__)

CHUNK = 250  # certificates per transaction and per rendering run in a bulk issue
# E-mails between two heartbeats of a batch (and two looks at who was mailed meanwhile): a
# heartbeat and a look before every message were a fifth of a batch's e-mailing.
MAIL_CHUNK = 25


def new_verification_code() -> str:
    """16 characters of base32 (80 random bits): unguessable, short enough to type."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


def normalise_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


# --- issuers and activity settings ------------------------------------------------------------


def certificate_issuer_save(
    *,
    project: Project,
    actor,
    organisation,
    prefix: str,
    signatory_name: str,
    signatory_position: str,
    issuer: CertificateIssuer | None = None,
) -> CertificateIssuer:
    creating = issuer is None
    issuer = issuer or CertificateIssuer(project=project)
    if issuer.project_id != project.pk:
        raise ValidationError(_("This issuer belongs to another project."))
    if not creating and issuer.prefix != prefix.strip().upper() and issuer.certificates.exists():
        raise ValidationError(
            {"prefix": _("Certificates were already issued with this prefix; it cannot change.")}
        )
    prefix = prefix.strip().upper()
    # Numbers run per prefix and year across projects: a prefix belongs to one organisation, so
    # two organisations never share (and interleave) one series.
    taken = (
        CertificateIssuer.objects.filter(prefix=prefix)
        .exclude(organisation=organisation)
        .exclude(pk=issuer.pk)
    )
    if prefix and taken.exists():
        raise ValidationError(
            {
                "prefix": _(
                    "Another organisation already numbers its certificates with the prefix "
                    "%(prefix)s; choose another one."
                )
                % {"prefix": prefix}
            }
        )
    issuer.organisation = organisation
    issuer.prefix = prefix
    issuer.signatory_name = signatory_name.strip()
    issuer.signatory_position = signatory_position.strip()
    issuer.full_clean()
    issuer.save()
    audit_log(
        actor=actor,
        action="certificate_issuer.create" if creating else "certificate_issuer.update",
        obj=issuer,
        project=project,
        data={"prefix": issuer.prefix, "organisation": organisation.name},
    )
    return issuer


def activity_certificate_settings_save(
    *,
    activity: Activity,
    actor,
    issuer: CertificateIssuer,
    title: str = "",
    custom_text: str = "",
    hours_rule: str = HoursRule.ATTENDED,
) -> ActivityCertificateSettings:
    if issuer.project_id != activity.project_id:
        raise ValidationError({"issuer": _("Choose an issuer of this project.")})
    settings_ = ActivityCertificateSettings.objects.filter(activity=activity).first()
    settings_ = settings_ or ActivityCertificateSettings(activity=activity)
    settings_.issuer = issuer
    settings_.title = title.strip()
    settings_.custom_text = custom_text.strip()
    settings_.hours_rule = hours_rule
    settings_.full_clean()
    settings_.save()
    audit_log(
        actor=actor,
        action="certificate_settings.update",
        obj=settings_,
        project=activity.project,
        data={
            "issuer": issuer.prefix,
            "title": settings_.title,
            "hours_rule": settings_.hours_rule,
        },
    )
    return settings_


# --- frozen data and numbers ------------------------------------------------------------------


def _place(cohort: Cohort) -> str:
    venue = cohort.venue
    if venue is None:
        return ""
    if venue.city and venue.city not in venue.name:
        return f"{venue.name}, {venue.city}"
    return venue.name


def certified_hours(*, activity: Activity, settings_, attended: Decimal) -> Decimal:
    """The hours a certificate states, by the activity's rule: those attended (the default) or
    the programme's academic hours."""
    if settings_ is not None and settings_.hours_rule == HoursRule.PROGRAMME:
        return activity.academic_hours
    return attended


def frozen_data(
    *, enrolment: Enrolment, issuer: CertificateIssuer, settings_, hours, attended=None
) -> dict:
    """What the certificate certifies, copied now so later edits of the project do not change it.
    `hours` are those stated (by the activity's rule), `attended` those the ledger counted."""
    cohort = enrolment.cohort
    activity = cohort.activity
    project = activity.project
    return {
        "participant_name": enrolment.person.full_name,
        "hours": str(hours),
        "hours_rule": settings_.hours_rule if settings_ else HoursRule.ATTENDED,
        "hours_attended": str(hours if attended is None else attended),
        "certificate_title": settings_.title if settings_ else "",
        "custom_text": settings_.custom_text if settings_ else "",
        "activity_title": activity.title,
        "activity_kind": activity.kind,
        "learning_outcomes": activity.learning_outcomes,
        "project_title": project.title,
        "project_code": project.code,
        "funder_name": project.funder.name if project.funder_id else "",
        "cohort_name": cohort.name,
        "start_date": cohort.start_date.isoformat(),
        "end_date": cohort.end_date.isoformat(),
        "place": _place(cohort),
        "issuer_name": issuer.organisation.name,
        "signatory_name": issuer.signatory_name,
        "signatory_position": issuer.signatory_position,
    }


def _allocate(prefix: str, year: int, count: int) -> int:
    """Reserve `count` consecutive numbers; returns the first. Must run inside a transaction."""
    CertificateCounter.objects.bulk_create(
        [CertificateCounter(prefix=prefix, year=year)], ignore_conflicts=True
    )
    counter = CertificateCounter.objects.select_for_update().get(prefix=prefix, year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return first


def format_number(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}-{year}-{sequence:04d}"


def _build(
    *,
    enrolment: Enrolment,
    issuer: CertificateIssuer,
    settings_,
    hours: Decimal,
    issued_at: datetime,
    actor,
    batch=None,
    replaces=None,
) -> Certificate:
    # `hours` come in as attended (the hours ledger); the certificate states them by its rule.
    attended = hours
    hours = certified_hours(
        activity=enrolment.cohort.activity, settings_=settings_, attended=attended
    )
    data = frozen_data(
        enrolment=enrolment, issuer=issuer, settings_=settings_, hours=hours, attended=attended
    )
    return Certificate(
        project_id=enrolment.cohort.activity.project_id,
        enrolment=enrolment,
        person_id=enrolment.person_id,
        issuer=issuer,
        batch=batch,
        prefix=issuer.prefix,
        year=issued_at.astimezone(timezone.get_default_timezone()).year,
        verification_code=new_verification_code(),
        issued_at=issued_at,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        participant_name=data["participant_name"],
        hours=hours,
        data=data,
        replaces=replaces,
    )


def _number_and_insert(certificates: list[Certificate]) -> list[Certificate]:
    """Number the (unsaved) certificates per prefix and year, then insert them (without PDFs:
    those are rendered after the transaction commits). Runs inside the caller's transaction."""
    by_series: dict[tuple[str, int], list[Certificate]] = {}
    for certificate in certificates:
        by_series.setdefault((certificate.prefix, certificate.year), []).append(certificate)
    for (prefix, year), series in sorted(by_series.items()):
        first = _allocate(prefix, year, len(series))
        for offset, certificate in enumerate(series):
            certificate.sequence = first + offset
            certificate.number = format_number(prefix, year, certificate.sequence)
    if len(certificates) == 1:
        certificates[0].full_clean(exclude=["pdf"])
        certificates[0].save()
    else:
        certificates = Certificate.objects.bulk_create(certificates)
    # Their Open Badges credentials, signed in the same transaction.
    credential_services.on_issued(certificates)
    return certificates


def _with_certificates(ids) -> set[int]:
    """Enrolments that hold any certificate: a valid one, or a revoked or replaced one (those are
    not issued anew with the others; the way back for them is Reissue)."""
    return set(
        Certificate.objects.filter(enrolment_id__in=ids).values_list("enrolment_id", flat=True)
    )


def _done(completion, *, early: bool) -> bool:
    """Completed; or, when the time rule was set aside (`early`), the hours already suffice."""
    if completion.completed:
        return True
    return early and not completion.ended and not completion.overridden and completion.hours_reached


def _eligible(enrolments, *, early: bool = False) -> tuple[list[Enrolment], dict]:
    """Confirmed, completed enrolments that never held a certificate; and their completion."""
    enrolments = list(enrolments)
    ids = [e.pk for e in enrolments]
    completion = completion_for_enrolments(Enrolment.objects.filter(pk__in=ids))
    holders = _with_certificates(ids)
    chosen = [
        e
        for e in enrolments
        if e.status == EnrolmentStatus.CONFIRMED
        and e.pk in completion
        and _done(completion[e.pk], early=early)
        and e.pk not in holders
    ]
    return chosen, completion


def _settings_for(activity: Activity):
    settings_ = (
        ActivityCertificateSettings.objects.filter(activity=activity)
        .select_related("issuer__organisation")
        .first()
    )
    if settings_ is None:
        raise ValidationError(
            _("Choose who issues the certificates of “%(activity)s” first.")
            % {"activity": activity.title}
        )
    return settings_


def _enrolment_qs():
    return Enrolment.objects.select_related(
        "person", "cohort__venue", "cohort__activity__project__funder"
    )


def _require_confirmed(enrolment: Enrolment) -> None:
    if enrolment.status != EnrolmentStatus.CONFIRMED:
        raise ValidationError(_("Only confirmed enrolments get certificates."))


def _require_completed(enrolment: Enrolment, *, early: bool = False) -> dict:
    """The enrolment's completion, or a ValidationError saying how far it is from completing."""
    completion = completion_for_enrolments(Enrolment.objects.filter(pk=enrolment.pk))
    current = completion[enrolment.pk]
    if not _done(current, early=early):
        raise ValidationError(
            _("%(name)s has not completed the activity (%(hours)s of %(needed)s hours).")
            % {
                "name": enrolment.person.full_name,
                "hours": hours_text(current.hours),
                "needed": hours_text(current.required_hours),
            }
        )
    return completion


def _require_issue_date(
    *, cohort: Cohort, actor, issued_at: datetime, now: datetime, override_reason, obj
) -> str | None:
    """A certificate is dated the day it is issued: never in the future, and never before the
    cohort's last session has ended (unless a coordinator sets the time rule aside)."""
    if issued_at > now:
        raise ValidationError(_("A certificate cannot be dated in the future."), code="future")
    return time_rules.require_cohort_ended(
        rule=time_rules.Rule.CERTIFICATE,
        cohort=cohort,
        actor=actor,
        now=issued_at,
        override_reason=override_reason,
        obj=obj,
    )


def certificate_issue(
    *,
    enrolment: Enrolment,
    actor,
    issued_at: datetime | None = None,
    notify: bool = True,
    now: datetime | None = None,
    override_reason: str | None = None,
) -> Certificate:
    """Issue one certificate to a confirmed enrolment that completed its activity.

    Dated now, or at `issued_at` (the demo, imports of historical certificates), which must not
    be before the cohort's last session ended. With `notify` (the default) its PDF is rendered
    and e-mailed after commit; without it the PDF is rendered when first downloaded."""
    now = time_rules.current_time(now)
    issued_at = issued_at or now
    with transaction.atomic():
        # Lock the enrolment so that two coordinators cannot both issue to it.
        enrolment = _enrolment_qs().select_for_update(of=("self",)).get(pk=enrolment.pk)
        _require_confirmed(enrolment)
        statuses = set(
            Certificate.objects.filter(enrolment=enrolment).values_list("status", flat=True)
        )
        if CertificateStatus.VALID in statuses:
            raise ValidationError(
                _("This person already holds a valid certificate for this cohort.")
            )
        if statuses:
            raise ValidationError(
                _(
                    "This person's certificate for this cohort was revoked; reissue it from the "
                    "certificate's page instead."
                )
            )
        early = _require_issue_date(
            cohort=enrolment.cohort,
            actor=actor,
            issued_at=issued_at,
            now=now,
            override_reason=override_reason,
            obj=enrolment,
        )
        completion = _require_completed(enrolment, early=early is not None)
        settings_ = _settings_for(enrolment.cohort.activity)
        certificate = _build(
            enrolment=enrolment,
            issuer=settings_.issuer,
            settings_=settings_,
            hours=completion[enrolment.pk].hours,
            issued_at=issued_at,
            actor=actor,
        )
        _number_and_insert([certificate])
        audit_log(
            actor=actor,
            action="certificate.issue",
            obj=certificate,
            project=enrolment.cohort.activity.project,
            data={
                "number": certificate.number,
                "enrolment": enrolment.pk,
                **({"override_reason": early} if early else {}),
            },
        )
        if notify:
            transaction.on_commit(lambda: _deliver([certificate.pk]))
    return certificate


def certificate_issue_bulk(
    *, cohort: Cohort, actor, now: datetime | None = None, override_reason: str | None = None
) -> CertificateBatch:
    """Start issuing certificates to all of a cohort's completers who do not hold one yet.

    Only after the cohort's last session has ended, unless a coordinator sets the time rule
    aside (then those whose hours already suffice get one). The work runs as a background task;
    the batch row shows its progress."""
    with transaction.atomic():
        return _start_batch(
            cohort=cohort,
            actor=actor,
            now=time_rules.current_time(now),
            override_reason=override_reason,
        )


def _batch_override_reason(batch: CertificateBatch) -> str | None:
    """The time rule exception the batch was started with (recorded in its audit entry)."""
    from kvalis.audit.models import AuditEntry

    entry = (
        AuditEntry.objects.filter(
            action="certificate.issue_bulk",
            object_type=batch._meta.label_lower,
            object_id=str(batch.pk),
        )
        .order_by("pk")
        .first()
    )
    return (entry.data.get("override_reason") or None) if entry else None


def _start_batch(*, cohort: Cohort, actor, now: datetime, override_reason) -> CertificateBatch:
    _settings_for(cohort.activity)
    early = time_rules.require_cohort_ended(
        rule=time_rules.Rule.CERTIFICATE,
        cohort=cohort,
        actor=actor,
        now=now,
        override_reason=override_reason,
    )
    chosen, _completion = _eligible(_enrolment_qs().filter(cohort=cohort), early=early is not None)
    if not chosen:
        raise ValidationError(_("Nobody in this cohort is waiting for a certificate."))
    batch = CertificateBatch(
        project_id=cohort.activity.project_id,
        cohort=cohort,
        total=len(chosen),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    batch.full_clean()
    batch.save()
    audit_log(
        actor=actor,
        action="certificate.issue_bulk",
        obj=batch,
        project=cohort.activity.project,
        summary=str(cohort),
        data={
            "cohort": cohort.pk,
            "total": batch.total,
            **({"override_reason": early} if early else {}),
        },
    )
    from kvalis.certificates.tasks import run_certificate_batch

    transaction.on_commit(lambda: run_certificate_batch.enqueue(batch_id=batch.pk))
    return batch


class _Displaced(Exception):
    """This run lost its batch to another (a retry after it fell silent): it stops at once."""


def _claim(batch_id: int) -> str | None:
    """Take the batch for this run: a queued one, or one whose runner fell silent. Returns the
    run's token, or None when a live run holds it or it has finished."""
    token = secrets.token_hex(8)
    now = timezone.now()
    silent = Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER)
    taken = (
        CertificateBatch.objects.filter(pk=batch_id)
        .filter(
            Q(status=BatchStatus.QUEUED, runner="") | (Q(status__in=ACTIVE_BATCH_STATUSES) & silent)
        )
        .update(
            runner=token,
            heartbeat_at=now,
            status=Case(
                When(status=BatchStatus.QUEUED, then=Value(BatchStatus.RUNNING)),
                default=F("status"),
            ),
        )
    )
    return token if taken else None


def _beat(batch_id: int, token: str, **fields) -> None:
    """Show that this run is alive (and record `fields` with it), or stop if it was displaced."""
    alive = CertificateBatch.objects.filter(pk=batch_id, runner=token).update(
        heartbeat_at=timezone.now(), **fields
    )
    if not alive:
        raise _Displaced


def certificate_batch_run(*, batch_id: int, send_mail: bool = True) -> CertificateBatch:
    """Do a batch's work: number and insert in chunks (with their PDFs), then e-mail them.

    Resumable: progress is the batch's own rows (its certificates, their `mailed_at`), so a run
    after a crash issues only to whoever is still waiting and mails only whoever was not mailed.
    A run that finds another one alive on the batch leaves it alone."""
    token = _claim(batch_id)
    batch = CertificateBatch.objects.select_related("cohort__activity", "created_by").get(
        pk=batch_id
    )
    if token is None:
        return batch
    try:
        if batch.status == BatchStatus.RUNNING:
            _issue_waiting(batch, token=token, send_mail=send_mail)
            batch.refresh_from_db()
        if batch.status == BatchStatus.MAILING:
            certificates_mail(
                certificate_ids=list(batch.certificates.values_list("pk", flat=True)),
                beat=lambda: _beat(batch.pk, token),
            )
            _beat(batch.pk, token, status=BatchStatus.DONE, finished_at=timezone.now())
    except _Displaced:
        logger.info("Certificate batch %s was taken over by another run", batch.pk)
    except Exception as error:
        # Chunks already committed stay issued (numbers without gaps) and e-mails sent stay
        # recorded; a retry from the batch's page does the rest. The coordinator sees what
        # happened, the log the details.
        logger.exception("Certificate batch %s failed", batch.pk)
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else ""
        CertificateBatch.objects.filter(pk=batch.pk, runner=token).update(
            status=BatchStatus.FAILED,
            error=message or _("An unexpected error stopped the issue; try again."),
            finished_at=timezone.now(),
        )
        raise
    batch.refresh_from_db()
    return batch


def _issue_waiting(batch: CertificateBatch, *, token: str, send_mail: bool) -> None:
    """Issue to the cohort's completers still waiting, a chunk per transaction; then move the
    batch on to e-mailing (or to done)."""
    settings_ = _settings_for(batch.cohort.activity)
    # The task checks the time rule again: a session may have been moved since the batch began.
    ends_at = time_rules.cohort_ends_at(batch.cohort)
    early = ends_at is None or timezone.now() < ends_at
    if early and _batch_override_reason(batch) is None:
        raise ValidationError(time_rules.cohort_refusal(time_rules.Rule.CERTIFICATE, ends_at))
    waiting, completion = _eligible(_enrolment_qs().filter(cohort=batch.cohort), early=early)
    enrolment_ids = [e.pk for e in waiting]
    already = batch.certificates.count()  # issued by an earlier run of this batch
    _beat(batch.pk, token, total=already + len(enrolment_ids), done=already)
    # A run after a crash first renders what an earlier run inserted but did not render.
    _render_unrendered(batch, token=token)
    for start in range(0, len(enrolment_ids), CHUNK):
        ids = enrolment_ids[start : start + CHUNK]
        # One short transaction per chunk: numbers and rows commit together or not at all. The
        # PDFs are rendered after it commits (`_render_unrendered`): rendering takes seconds a
        # chunk, and on SQLite a write transaction holds the one write lock of the database, so
        # applicants' confirmations would wait for it.
        with transaction.atomic():
            _beat(batch.pk, token)
            # Re-check under the lock: a coordinator may have issued one in the meantime.
            locked = list(_enrolment_qs().select_for_update(of=("self",)).filter(pk__in=ids))
            holders = _with_certificates(ids)
            chosen = [
                e for e in locked if e.status == EnrolmentStatus.CONFIRMED and e.pk not in holders
            ]
            now = timezone.now()
            _number_and_insert(
                [
                    _build(
                        enrolment=e,
                        issuer=settings_.issuer,
                        settings_=settings_,
                        hours=completion[e.pk].hours,
                        issued_at=now,
                        actor=batch.created_by,
                        batch=batch,
                    )
                    for e in chosen
                ]
            )
        _render_unrendered(batch, token=token)
    with transaction.atomic():
        issued = batch.certificates.count()
        to_mail = send_mail and mailable(batch.certificates.filter(mailed_at__isnull=True)).exists()
        # Those left out under the lock were issued by someone else: the total is what was issued.
        _beat(
            batch.pk,
            token,
            total=issued,
            done=issued,
            status=BatchStatus.MAILING if to_mail else BatchStatus.DONE,
            finished_at=None if to_mail else timezone.now(),
        )
        if issued == already and already:
            return  # a retry after the issuing was complete: nothing new to record
        audit_log(
            actor=batch.created_by,
            action="certificate.issue_bulk_done",
            obj=batch,
            project=batch.cohort.activity.project,
            summary=str(batch.cohort),
            data={"issued": issued},
        )


def _render_unrendered(batch: CertificateBatch, *, token: str) -> None:
    """Render and store the PDFs of the batch's certificates that have none yet, a chunk at a
    time outside any transaction, then record them (a short write). A crash in between leaves
    certificates numbered and issued without a file: the next run renders them (a file stored
    but not recorded is left unused; its name is random, so nobody finds it)."""
    while True:
        waiting = list(batch.certificates.filter(pdf="").order_by("sequence", "pk")[:CHUNK])
        if not waiting:
            break
        _store_pdfs(waiting)
        with transaction.atomic():
            _beat(batch.pk, token)
            Certificate.objects.bulk_update(waiting, ["pdf"])
            # What the page shows as issued: the batch's certificates with their PDF.
            _beat(batch.pk, token, done=batch.certificates.exclude(pdf="").count())


def certificate_mail_retry(*, certificate: Certificate, actor) -> None:
    """E-mail one certificate whose e-mail never went (its task died, or it was issued without
    one). A certificate of a batch is e-mailed by retrying the batch; one issued moments ago is
    still on its way."""
    if certificate.mailed_at is not None:
        raise ValidationError(_("This certificate was already e-mailed."))
    if not mailable(Certificate.objects.filter(pk=certificate.pk)).exists():
        raise ValidationError(
            _("Only a valid certificate of someone with an e-mail address is e-mailed.")
        )
    if certificate.issued_at > timezone.now() - STALE_AFTER:
        raise ValidationError(
            _("The e-mail is still being sent; if it has not gone in a few minutes, try again.")
        )
    audit_log(
        actor=actor,
        action="certificate.mail_retry",
        obj=certificate,
        project=certificate.project,
        data={"number": certificate.number},
    )
    from kvalis.certificates.tasks import mail_certificates

    transaction.on_commit(lambda: mail_certificates.enqueue(certificate_ids=[certificate.pk]))


def certificate_batch_retry(*, batch: CertificateBatch, actor) -> CertificateBatch:
    """Queue an interrupted (or failed) batch again; the run picks up where the last one
    stopped, so nobody gets a second certificate or a second e-mail."""
    with transaction.atomic():
        batch = CertificateBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == BatchStatus.DONE:
            raise ValidationError(_("This bulk issue has finished; there is nothing to retry."))
        if not batch.retryable:
            raise ValidationError(
                _(
                    "This bulk issue is still running; wait for it, or retry when it is shown "
                    "as interrupted."
                )
            )
        CertificateBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.QUEUED,
            runner="",
            heartbeat_at=timezone.now(),
            error="",
            finished_at=None,
        )
        audit_log(
            actor=actor,
            action="certificate.issue_bulk_retry",
            obj=batch,
            project=batch.project,
            summary=str(batch.cohort),
            data={"status": batch.status, "done": batch.done, "total": batch.total},
        )
        from kvalis.certificates.tasks import run_certificate_batch

        transaction.on_commit(lambda: run_certificate_batch.enqueue(batch_id=batch.pk))
    batch.refresh_from_db()
    return batch


# --- revoke and reissue -----------------------------------------------------------------------


def certificate_revoke(
    *,
    certificate: Certificate,
    actor,
    reason: str,
    statement: str,
    when: datetime | None = None,
) -> Certificate:
    """Revoke a valid certificate. `reason` is internal (the project's coordinators read it);
    `statement`, one of REVOKE_STATEMENTS, is all the public verification page and API say."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the certificate is revoked.")
    if statement not in REVOKE_STATEMENTS:
        errors["statement"] = _("Choose what the public is told about the revocation.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status != CertificateStatus.VALID:
            raise ValidationError(_("Only a valid certificate can be revoked."))
        certificate.status = CertificateStatus.REVOKED
        certificate.revoked_at = when or timezone.now()
        certificate.revoked_reason = reason
        certificate.revocation_statement = statement
        certificate.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        certificate.full_clean(exclude=["pdf"])
        certificate.save(update_fields=[*REVOCATION_FIELDS])
        public_cache.changed(public_cache.CERTIFICATES)
        # The credential's bit in the status list, published again before this commits.
        credential_services.on_revoked(certificate)
        audit_log(
            actor=actor,
            action="certificate.revoke",
            obj=certificate,
            project=certificate.project,
            data={"number": certificate.number, "reason": reason, "statement": str(statement)},
        )
    return certificate


REVOCATION_FIELDS = (
    "status",
    "revoked_at",
    "revoked_reason",
    "revocation_statement",
    "revoked_by",
)


def certificate_reissue(
    *,
    certificate: Certificate,
    actor,
    reason: str,
    notify: bool = True,
    when: datetime | None = None,
    now: datetime | None = None,
    override_reason: str | None = None,
) -> Certificate:
    """Replace a valid or revoked certificate by a new one (new number, data frozen anew, e.g.
    after a misspelt name was corrected). The old one stays, marked replaced, linking to it.
    The new one is dated `when` (now by default), as an issue is."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is reissued.")})
    now = time_rules.current_time(now)
    when = when or now
    with transaction.atomic():
        old = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if old.status == CertificateStatus.REPLACED:
            raise ValidationError(_("This certificate was already replaced."))
        # Lock the enrolment as an issue does, then check what an issue checks.
        enrolment = _enrolment_qs().select_for_update(of=("self",)).get(pk=old.enrolment_id)
        if other_valid_certificate(old) is not None:
            raise ValidationError(
                _(
                    "This person already holds another valid certificate for this cohort; "
                    "reissue that one instead."
                )
            )
        _require_confirmed(enrolment)
        early = _require_issue_date(
            cohort=enrolment.cohort,
            actor=actor,
            issued_at=when,
            now=now,
            override_reason=override_reason,
            obj=enrolment,
        )
        completion = _require_completed(enrolment, early=early is not None)
        hours = completion[enrolment.pk].hours
        settings_ = ActivityCertificateSettings.objects.filter(
            activity_id=enrolment.cohort.activity_id
        ).first()
        issuer = settings_.issuer if settings_ else old.issuer
        if old.status == CertificateStatus.VALID:
            old.revoked_at = when
            old.revoked_reason = reason
            old.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        old.status = CertificateStatus.REPLACED
        # Publicly a replacement, whatever it was revoked for: the internal reason stays.
        old.revocation_statement = RevocationStatement.REPLACED
        old.full_clean(exclude=["pdf"])
        old.save(update_fields=[*REVOCATION_FIELDS])
        public_cache.changed(public_cache.CERTIFICATES)
        new = _build(
            enrolment=enrolment,
            issuer=issuer,
            settings_=settings_,
            hours=hours,
            issued_at=when,
            actor=actor,
            replaces=old,
        )
        _number_and_insert([new])
        credential_services.on_replaced(old, new)
        audit_log(
            actor=actor,
            action="certificate.reissue",
            obj=new,
            project=old.project,
            data={"number": new.number, "replaces": old.number, "reason": reason},
        )
        if notify:
            transaction.on_commit(lambda: _deliver([new.pk]))
    return new


# --- PDFs and e-mail ----------------------------------------------------------------------------


def _store_pdfs(certificates: Sequence[Certificate]) -> None:
    """Render the Lithuanian PDFs (one WeasyPrint run at most) and store them; sets `pdf`."""
    from kvalis.certificates.pdf import render_certificates

    pdfs = render_certificates(certificates, language="lt")
    for certificate in certificates:
        if certificate.pdf:
            default_storage.delete(certificate.pdf.name)  # a re-render replaces the file
        content = ContentFile(pdfs[certificate.verification_code])
        certificate.pdf.name = default_storage.save(certificate_pdf_path(certificate, ""), content)


def certificate_render_pdfs(*, certificates: Sequence[Certificate]) -> None:
    """Render and store the PDFs of saved certificates (rendered lazily or re-rendered)."""
    if not certificates:
        return
    _store_pdfs(certificates)
    Certificate.objects.bulk_update(certificates, ["pdf"])


def certificate_pdf_bytes(certificate: Certificate, *, language: str = "lt") -> bytes:
    """The stored PDF (rendered now and stored if missing); other languages on the fly."""
    from kvalis.certificates.pdf import render_certificate

    if language != "lt":
        return render_certificate(certificate, language=language)
    if certificate.pdf and default_storage.exists(certificate.pdf.name):
        with default_storage.open(certificate.pdf.name, "rb") as handle:
            return handle.read()
    certificate_render_pdfs(certificates=[certificate])
    with default_storage.open(certificate.pdf.name, "rb") as handle:
        return handle.read()


def certificate_pdf_name(certificate: Certificate, *, language: str = "lt") -> str:
    """'pažymėjimas-UVB-2014-0001.pdf' (in English 'certificate-UVB-2014-0001.pdf')."""
    from kvalis.lib.exports import download_name

    with translation.override(language):
        return download_name(
            pgettext("file name", "certificate"), certificate.number, extension="pdf"
        )


def _deliver(ids: list[int]) -> None:
    from kvalis.certificates.tasks import deliver_certificates

    deliver_certificates.enqueue(certificate_ids=ids)


def _certificate_message(certificate: Certificate):
    from django.urls import reverse

    from kvalis.lib.mail import Message, render_mail

    user = certificate.person.user
    # The participant's language, for the message and for the certificate attached to it.
    language = (user.language if user else "") or "lt"
    with translation.override(language):
        hours = academic_hours_text(certificate.hours)
    context = {
        "name": certificate.participant_name,
        "first_name": certificate.person.first_name,  # the greeting: "Sveiki, Vytautai,"
        "number": certificate.number,
        "activity": certificate.data.get("activity_title", ""),
        "hours": hours,
        "my_url": reverse("certificates:my_certificates"),
        "verify_url": reverse("certificates:verify", args=[certificate.verification_code]),
    }
    subject, text, html = render_mail(
        template="certificates/emails/issued", context=context, language=language
    )
    message = Message(subject=subject, body=text, to=[certificate.person.email])
    message.attach_alternative(html, "text/html")
    message.attach(
        certificate_pdf_name(certificate, language=language),
        certificate_pdf_bytes(certificate, language=language),
        "application/pdf",
    )
    return message


def certificates_mail(*, certificate_ids: Sequence[int], beat=None) -> int:
    """E-mail participants their certificates (PDF attached), one message at a time over one
    connection. Each certificate's `mailed_at` is set right after the backend took its message,
    so a run that dies midway is finished by running it again, and whoever was e-mailed is not
    e-mailed again. `beat` is called before each MAIL_CHUNK messages (a batch's heartbeat).
    Returns how many were sent now."""
    from django.core.mail import mailers

    pending = list(
        mailable(Certificate.objects.filter(pk__in=certificate_ids, mailed_at__isnull=True))
        .select_related("person__user")
        .order_by("pk")
    )
    sent = 0
    if not pending:
        return sent
    with mailers.default as connection:
        for start in range(0, len(pending), MAIL_CHUNK):
            chunk = pending[start : start + MAIL_CHUNK]
            if beat is not None:
                beat()
            # Another run (the single-issue task, a duplicate) may have mailed some meanwhile.
            waiting = set(
                Certificate.objects.filter(
                    pk__in=[c.pk for c in chunk], mailed_at__isnull=True
                ).values_list("pk", flat=True)
            )
            for certificate in chunk:
                if certificate.pk not in waiting:
                    continue
                connection.send_messages([_certificate_message(certificate)])
                Certificate.objects.filter(pk=certificate.pk, mailed_at__isnull=True).update(
                    mailed_at=timezone.now()
                )
                sent += 1
    return sent
