"""QR self check-in: codes that change every minute, and the rules for accepting one.

The projector shows a QR code for `/checkin/<session public_id>/<token>/` and a six-character
code to type at `/checkin/`. Both are derived from an HMAC (keyed by SECRET_KEY) over the session's
public id and the current minute, so nothing is stored and a code photographed and sent to a
friend stops working within two minutes. The token in the link carries its minute, so an old
link is told apart from one of another session.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from kvalis import time_rules
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.projects.models import Session

# Check-in opens when attendance does (settings.ATTENDANCE_OPENS_BEFORE_MINUTES before a session
# starts, see kvalis.time_rules) and closes an hour after the start; the trainer's form stays
# open for later corrections.
WINDOW_AFTER = timedelta(minutes=60)
# A scanned link stays good this long while the participant signs in.
SCAN_GRACE = timedelta(minutes=10)
CODE_LENGTH = 6
# Base32 without the characters people confuse when typing from a screen (0/O, 1/I/L, 8/B).
ALPHABET = "ACDEFGHJKMNPQRSTUVWXYZ2345679"
_SALT = "kvalis.attendance.checkin"


def minute_of(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def _digest(session: Session, minute: int) -> str:
    raw = salted_hmac(_SALT, f"{session.public_id}:{minute}", algorithm="sha256").digest()
    number = int.from_bytes(raw[:15], "big")
    chars = []
    for _i in range(20):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def token_for(session: Session, moment: datetime | None = None) -> str:
    """The link token for the minute of `moment` (now by default): '<minute>-<signature>'."""
    minute = minute_of(moment or timezone.now())
    return f"{minute:x}-{_digest(session, minute)}"


def code_for(session: Session, moment: datetime | None = None) -> str:
    """The short code to type, the first characters of the same signature."""
    return _digest(session, minute_of(moment or timezone.now()))[:CODE_LENGTH]


def normalise_code(text: str) -> str:
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def window(session: Session) -> tuple[datetime, datetime]:
    return time_rules.attendance_opens_at(session), session.starts_at + WINDOW_AFTER


class CheckInRefused(Exception):
    """Why a check-in is refused; the message is translated and shown as it is."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _current_minutes(moment: datetime) -> tuple[int, int]:
    now = minute_of(moment)
    return now, now - 1


def verify_token(session: Session, token: str, moment: datetime) -> None:
    """Refuse a link token that is not this session's or is older than the previous minute."""
    minute_hex, _sep, signature = (token or "").partition("-")
    try:
        minute = int(minute_hex, 16)
    except ValueError:
        minute = None
    if minute is None or not constant_time_compare(signature, _digest(session, minute)):
        raise CheckInRefused(
            _("This check-in code is not for this session. Scan the code shown in your room."),
            "wrong_session",
        )
    if minute not in _current_minutes(moment):
        raise CheckInRefused(
            _("This check-in code has expired. Scan the code now shown on the screen."),
            "expired",
        )


def session_for_code(code: str, moment: datetime) -> Session:
    """The session whose current (or previous minute's) short code is `code`."""
    code = normalise_code(code)
    if len(code) == CODE_LENGTH:
        # Only sessions around today can have a live code; a handful at most.
        candidates = Session.objects.filter(
            starts_at__gte=moment - timedelta(days=1), starts_at__lte=moment + timedelta(days=1)
        ).select_related("cohort__activity__project")
        for session in candidates:
            for minute in _current_minutes(moment):
                if constant_time_compare(code, _digest(session, minute)[:CODE_LENGTH]):
                    return session
    raise CheckInRefused(
        _("This code is wrong or has expired. Type the code now shown on the screen."),
        "unknown_code",
    )


def check_window(session: Session, moment: datetime) -> None:
    opens, closes = window(session)
    if not opens <= moment <= closes:
        local_open, local_close = timezone.localtime(opens), timezone.localtime(closes)
        raise CheckInRefused(
            _(
                "Check-in for this session is open on %(date)s from %(opens)s to %(closes)s "
                "only. Ask your trainer to mark you present."
            )
            % {
                "date": local_open.strftime("%Y-%m-%d"),
                "opens": local_open.strftime("%H:%M"),
                "closes": local_close.strftime("%H:%M"),
            },
            "window",
        )


def own_enrolment(session: Session, user) -> Enrolment:
    """The signed-in user's own confirmed enrolment in the session's cohort."""
    enrolment = (
        Enrolment.objects.filter(
            cohort_id=session.cohort_id,
            person__user=user,
            status=EnrolmentStatus.CONFIRMED,
        )
        .select_related("person")
        .first()
        if user.is_authenticated
        else None
    )
    if enrolment is None:
        raise CheckInRefused(
            _(
                "You are not a confirmed participant of this session's group, so you cannot "
                "check in to it. Talk to the trainer or the coordinator."
            ),
            "not_enrolled",
        )
    return enrolment
