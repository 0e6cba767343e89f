"""iCalendar (RFC 5545) text, written by hand: CRLF line ends, escaped text, lines folded at
75 octets. One VEVENT per session."""

from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kvalis.projects.models import Session

PRODID = "-//Kvalis//Kvalis CPD//LT"


def escape_text(text: str) -> str:
    """TEXT values: backslash, semicolon and comma escaped; newlines become \\n."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    pieces, current, limit = [], b"", 75
    for char in line:
        raw = char.encode("utf-8")
        if len(current) + len(raw) > limit:
            pieces.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with one space
        current += raw
    pieces.append(current.decode("utf-8"))
    return "\r\n ".join(pieces)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(sessions: Iterable[Session], *, name: str) -> str:
    now = _utc(timezone.now())
    my_trainings = settings.SITE_URL + reverse("enrolment:my_trainings")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for session in sessions:
        cohort = session.cohort
        venue = session.venue or cohort.venue
        summary = cohort.activity.title + (f": {session.title}" if session.title else "")
        location = ""
        if venue is not None:
            location = ", ".join(part for part in (venue.name, venue.address, venue.city) if part)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{session.public_id}@kvalis",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(session.starts_at)}",
            f"DTEND:{_utc(session.ends_at)}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(f'{cohort.name}. {cohort.activity.project.title}')}",
        ]
        if location:
            lines.append(f"LOCATION:{escape_text(location)}")
        lines += [f"URL:{my_trainings}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
