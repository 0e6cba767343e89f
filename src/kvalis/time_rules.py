"""Time is a rule: nothing is recorded before it can have happened.

The services that record what happened ask here whether it can have happened yet:

- attendance of a session from `ATTENDANCE_OPENS_BEFORE_MINUTES` (30 by default) before it
  starts; later corrections stay possible;
- completion and certificates of a cohort only after its last session has ended;
- a survey (its invitation thanks people for taking part) only after the last session of its
  cohort, or of every cohort of its activity, has ended.

The clock is read in one place (`current_time`), and every service takes an explicit `now=` so
tests can stand at a boundary. For the rare legitimate exception (dates entered wrongly, a
session moved at the last minute) a project coordinator or a site administrator may set a rule
aside with a written reason (`override_reason=`); every exception is recorded in the audit log.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalis.audit.services import audit_log

# The error code of a refusal that a coordinator may override; pages look for it to offer the
# override checkbox.
TOO_EARLY = "too_early"
OVERRIDE_ACTION = "time_rule.override"


class Rule:
    ATTENDANCE = "attendance"
    COMPLETION = "completion"
    CERTIFICATE = "certificate"
    SURVEY = "survey"


def current_time(now: datetime | None = None) -> datetime:
    """The moment a rule is checked at: `now` when a caller (a test, the demo) gives it."""
    return now or timezone.now()


def local_text(moment: datetime) -> str:
    """A moment as Lithuanians write it: 2014-05-12 09:30, in Vilnius time."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def attendance_opens_at(session) -> datetime:
    minutes = settings.ATTENDANCE_OPENS_BEFORE_MINUTES
    return session.starts_at - timedelta(minutes=minutes)


def cohort_ends_at(cohort) -> datetime | None:
    """When the cohort's last session ends; None for a cohort without sessions."""
    return cohort.sessions.aggregate(last=Max("ends_at"))["last"]


def is_too_early(error: ValidationError) -> bool:
    """Did a service refuse because of a time rule (and so may a coordinator override it)?"""
    errors = error.error_list if hasattr(error, "error_list") else []
    return any(getattr(item, "code", None) == TOO_EARLY for item in errors)


def may_override(actor, project) -> bool:
    """Only the project's coordinators and site administrators set a time rule aside."""
    from kvalis.access import project_access_for

    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    access = project_access_for(actor, project)
    return access is not None and access.is_coordinator


def clean_override_reason(override_reason: str | None) -> str | None:
    if override_reason is None:
        return None
    reason = override_reason.strip()
    if not reason:
        raise ValidationError(
            _("Write why this exception to the time rule is needed."), code="override_reason"
        )
    return reason


def enforce(
    *,
    rule: str,
    allowed_from: datetime | None,
    now: datetime,
    refusal: str,
    actor,
    project,
    obj,
    override_reason: str | None = None,
) -> str | None:
    """Refuse (ValidationError with code TOO_EARLY and the `refusal` message) a write made
    before `allowed_from` (None: never, nothing is scheduled), unless `override_reason` is
    given by someone who may override; then the exception is audited and its reason returned.
    Returns None when the rule is met. Call it inside the write's transaction."""
    if allowed_from is not None and now >= allowed_from:
        return None
    reason = clean_override_reason(override_reason)
    if reason is None:
        raise ValidationError(refusal, code=TOO_EARLY)
    if not may_override(actor, project):
        raise ValidationError(
            _(
                "Only the project's coordinators or a site administrator may make an "
                "exception to this time rule."
            ),
            code="override_denied",
        )
    audit_log(
        actor=actor,
        action=OVERRIDE_ACTION,
        obj=obj,
        project=project,
        summary=_("Time rule set aside: %(refusal)s Reason: %(reason)s")
        % {"refusal": refusal, "reason": reason},
        data={
            "rule": rule,
            "reason": reason,
            "allowed_from": allowed_from.isoformat() if allowed_from else None,
            "at": now.isoformat(),
        },
    )
    return reason


# --- the rules, each with its message ----------------------------------------------------------


def attendance_refusal(session) -> str:
    return _(
        "Attendance of this session can be recorded from %(opens)s, %(minutes)s minutes "
        "before it starts."
    ) % {
        "opens": local_text(attendance_opens_at(session)),
        "minutes": settings.ATTENDANCE_OPENS_BEFORE_MINUTES,
    }


def require_attendance_open(
    *, session, actor, now: datetime | None = None, override_reason: str | None = None
) -> str | None:
    return enforce(
        rule=Rule.ATTENDANCE,
        allowed_from=attendance_opens_at(session),
        now=current_time(now),
        refusal=attendance_refusal(session),
        actor=actor,
        project=session.cohort.activity.project,
        obj=session,
        override_reason=override_reason,
    )


def cohort_refusal(rule: str, ends_at: datetime | None) -> str:
    if ends_at is None:
        return {
            Rule.COMPLETION: _("This cohort has no sessions, so nobody can have completed it yet."),
            Rule.CERTIFICATE: _(
                "This cohort has no sessions, so no certificate can be issued for it yet."
            ),
        }[rule]
    when = local_text(ends_at)
    return {
        Rule.COMPLETION: _(
            "Completion is decided only after the cohort's last session has ended (%(ends)s)."
        ),
        Rule.CERTIFICATE: _(
            "Certificates are issued only after the cohort's last session has ended (%(ends)s)."
        ),
    }[rule] % {"ends": when}


def require_cohort_ended(
    *,
    rule: str,
    cohort,
    actor,
    now: datetime | None = None,
    override_reason: str | None = None,
    obj=None,
) -> str | None:
    ends_at = cohort_ends_at(cohort)
    return enforce(
        rule=rule,
        allowed_from=ends_at,
        now=current_time(now),
        refusal=cohort_refusal(rule, ends_at),
        actor=actor,
        project=cohort.activity.project,
        obj=obj or cohort,
        override_reason=override_reason,
    )


# --- what the pages show while a rule refuses ------------------------------------------------


def attendance_pending(session, *, now: datetime | None = None) -> str | None:
    """The refusal a write of this session's attendance would get now, or None."""
    if current_time(now) >= attendance_opens_at(session):
        return None
    return attendance_refusal(session)


def cohort_pending(rule: str, cohort, *, now: datetime | None = None) -> str | None:
    """The refusal a completion or certificate of this cohort would get now, or None."""
    ends_at = cohort_ends_at(cohort)
    if ends_at is not None and current_time(now) >= ends_at:
        return None
    return cohort_refusal(rule, ends_at)
