"""Every write of attendance and completion overrides goes through here, audited."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kvalis import time_rules
from kvalis.attendance.models import (
    Attendance,
    AttendanceMethod,
    AttendanceStatus,
    CompletionOverride,
)
from kvalis.audit.services import audit_log
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.projects.models import Session
from kvalis.reports import figures


@dataclass(frozen=True)
class Mark:
    """One line of an attendance form: this enrolment had this status at the session."""

    enrolment_id: int
    status: str
    minutes_attended: int | None = None


def session_minutes(session: Session) -> int:
    return int((session.ends_at - session.starts_at).total_seconds() // 60)


def _validate_marks(*, session: Session, marks: list[Mark], names: dict[int, str]) -> None:
    errors = []
    longest = session_minutes(session)
    seen: set[int] = set()
    for mark in marks:
        name = names.get(mark.enrolment_id)
        if name is None:
            errors.append(
                ValidationError(
                    _("Enrolment %(id)s is not a confirmed enrolment of this session's cohort."),
                    code="not_in_cohort",
                    params={"id": mark.enrolment_id},
                )
            )
            continue
        if mark.enrolment_id in seen:
            errors.append(
                ValidationError(
                    _("%(name)s is marked twice."), code="duplicate", params={"name": name}
                )
            )
        seen.add(mark.enrolment_id)
        if mark.status not in AttendanceStatus.values:
            errors.append(
                ValidationError(
                    _("%(name)s: choose present, late, absent or excused."),
                    code="status",
                    params={"name": name},
                )
            )
        elif mark.status == AttendanceStatus.LATE:
            if mark.minutes_attended is None or not 1 <= mark.minutes_attended <= longest:
                errors.append(
                    ValidationError(
                        _(
                            "%(name)s: for a late arrival enter the minutes attended, "
                            "from 1 to %(max)s."
                        ),
                        code="minutes",
                        params={"name": name, "max": longest},
                    )
                )
        elif mark.minutes_attended is not None:
            errors.append(
                ValidationError(
                    _("%(name)s: minutes attended are entered only for late arrivals."),
                    code="minutes_not_late",
                    params={"name": name},
                )
            )
    if errors:
        raise ValidationError(errors)


# Off only in the control test that proves the concurrency test can fail.
LOCK_SESSION = True


def _lock(session: Session) -> None:
    """Serialise writers of one session's attendance (a trainer's form and phones checking in
    at the same moment), so that neither trips over the other's new rows."""
    if LOCK_SESSION:
        Session.objects.select_for_update().filter(pk=session.pk).first()


def _between_read_and_write() -> None:
    """A no-op; the concurrency test widens the race window here."""


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    marks: Iterable[Mark],
    actor,
    method: str = AttendanceMethod.FORM,
    now=None,
    override_reason: str | None = None,
) -> dict[str, int]:
    """Record the attendance of some or all of a session's confirmed enrolments.

    All or nothing: one invalid mark refuses the whole form. Idempotent: a row per enrolment and
    session is created or updated; unchanged rows are left as they are. Returns counts.
    Refused before attendance opens (`time_rules`), unless a coordinator overrides it with a
    reason; corrections after the session stay possible.
    """
    marks = list(marks)
    now = time_rules.current_time(now)
    time_rules.require_attendance_open(
        session=session, actor=actor, now=now, override_reason=override_reason
    )
    if method not in AttendanceMethod.values:
        raise ValidationError(_("Unknown way of recording attendance."), code="method")
    names = {
        pk: f"{first} {last}"
        for pk, first, last in Enrolment.objects.filter(
            cohort_id=session.cohort_id, status=EnrolmentStatus.CONFIRMED
        ).values_list("pk", "person__first_name", "person__last_name")
    }
    _validate_marks(session=session, marks=marks, names=names)
    _lock(session)
    existing = {
        row.enrolment_id: row
        for row in Attendance.objects.filter(
            session=session, enrolment_id__in=[m.enrolment_id for m in marks]
        )
    }
    _between_read_and_write()
    user = actor if getattr(actor, "is_authenticated", False) else None
    created, changed = [], []
    for mark in marks:
        row = existing.get(mark.enrolment_id)
        if row is None:
            row = Attendance(enrolment_id=mark.enrolment_id, session=session)
            created.append(row)
        elif row.status == mark.status and row.minutes_attended == mark.minutes_attended:
            continue
        else:
            changed.append(row)
        row.status = mark.status
        row.minutes_attended = mark.minutes_attended
        row.method = method
        row.recorded_by = user
        row.recorded_at = now
        row.full_clean(exclude=["enrolment", "session", "recorded_by"], validate_unique=False)
    Attendance.objects.bulk_create(created)
    Attendance.objects.bulk_update(
        changed, ["status", "minutes_attended", "method", "recorded_by", "recorded_at"]
    )
    figures.changed(enrolment_ids=[row.enrolment_id for row in created + changed])
    counts = {status: 0 for status in AttendanceStatus.values}
    for mark in marks:
        counts[mark.status] += 1
    result = {"created": len(created), "changed": len(changed), **counts}
    if created or changed:
        audit_log(
            actor=actor,
            action="attendance.record",
            obj=session,
            project=session.cohort.activity.project,
            summary=_("Attendance recorded for %(session)s") % {"session": session},
            data={"method": method, **result},
        )
    return result


@transaction.atomic
def attendance_check_in(*, session: Session, enrolment: Enrolment, actor, now=None) -> bool:
    """Mark a participant present by QR check-in. Returns False if already present or late.

    The caller has checked the code, the window and that `enrolment` is the actor's own; the
    time rule is checked here again (a participant never overrides it).
    """
    if enrolment.cohort_id != session.cohort_id or enrolment.status != EnrolmentStatus.CONFIRMED:
        raise ValidationError(_("You are not enrolled in this session's group."), code="enrolled")
    time_rules.require_attendance_open(session=session, actor=actor, now=now)
    _lock(session)
    row = Attendance.objects.filter(session=session, enrolment=enrolment).first()
    _between_read_and_write()
    if row is not None and row.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
        return False
    row = row or Attendance(session=session, enrolment=enrolment)
    row.status = AttendanceStatus.PRESENT
    row.minutes_attended = None
    row.method = AttendanceMethod.QR
    row.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    row.full_clean(exclude=["enrolment", "session", "recorded_by"], validate_unique=False)
    row.save()
    figures.changed(enrolment_ids=[enrolment.pk])
    audit_log(
        actor=actor,
        action="attendance.check_in",
        obj=row,
        project=session.cohort.activity.project,
        summary=_("Checked in to %(session)s") % {"session": session},
        data={"session": session.pk, "enrolment": enrolment.pk},
    )
    return True


@transaction.atomic
def completion_override_set(
    *,
    enrolment: Enrolment,
    completed: bool,
    reason: str,
    actor,
    now=None,
    override_reason: str | None = None,
) -> CompletionOverride:
    """Decide an enrolment's completion by hand, with a written reason (audited).

    Only after the cohort's last session has ended, unless the time rule is overridden too."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Write why completion is decided by hand.")}, code="reason"
        )
    if enrolment.status != EnrolmentStatus.CONFIRMED:
        raise ValidationError(
            _("Only confirmed enrolments can be completed."), code="not_confirmed"
        )
    time_rules.require_cohort_ended(
        rule=time_rules.Rule.COMPLETION,
        cohort=enrolment.cohort,
        actor=actor,
        now=now,
        override_reason=override_reason,
        obj=enrolment,
    )
    override = CompletionOverride.objects.filter(enrolment=enrolment).first()
    previous = {"completed": override.completed, "reason": override.reason} if override else None
    override = override or CompletionOverride(enrolment=enrolment)
    override.completed = completed
    override.reason = reason
    override.set_by = actor if getattr(actor, "is_authenticated", False) else None
    override.full_clean(exclude=["enrolment", "set_by"], validate_unique=False)
    override.save()
    audit_log(
        actor=actor,
        action="attendance.completion_override_set",
        obj=enrolment,
        project=enrolment.cohort.activity.project,
        summary=(
            _("Completion set by hand: %(answer)s — %(reason)s")
            % {"answer": _("completed") if completed else _("not completed"), "reason": reason}
        ),
        data={"completed": completed, "reason": reason, "previous": previous},
    )
    return override


@transaction.atomic
def completion_override_clear(*, enrolment: Enrolment, actor) -> bool:
    """Go back to the computed completion. Returns False if there was no override."""
    override = CompletionOverride.objects.filter(enrolment=enrolment).first()
    if override is None:
        return False
    previous = {"completed": override.completed, "reason": override.reason}
    override.delete()
    audit_log(
        actor=actor,
        action="attendance.completion_override_clear",
        obj=enrolment,
        project=enrolment.cohort.activity.project,
        summary=_("Completion override removed"),
        data={"previous": previous},
    )
    return True
