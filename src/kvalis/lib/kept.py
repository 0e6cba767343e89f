"""Parts of signed-in pages kept under their project's figures version.

Why: the report dashboard and the indicators JSON rendered the same figures, the same filter
form and the same tables on every request (20 ms of CPU for the dashboard), while what they
show changes a few times an hour. A signed-in page cannot be kept whole (the navigation names
the user, forms carry their CSRF token, messages wait for them), but its heavy parts can.

How a kept part stays right: its key names everything its content depends on,
  - the project (its pk and creation time: SQLite may give a deleted project's pk to the next),
  - the project's figures version (`reports.figures.current_version`), which every audited
    change in the project moves on (every data-changing service calls `audit_log()`), and so do
    recorded attendance, session hours and survey answers; a change to an organisation or a
    person moves on every project they appear in,
  - the day (completion and "held so far" depend on today) and the language,
  - and what the caller adds: the viewer's role and partner scope, the part's name.
A key's content is never replaced by other content, so there is nothing to invalidate: after a
change the next request asks for a new key and the old one falls out (least recently used, at
most `KEPT_MAX_ENTRIES`, a day at most). So each process may keep its own copy in its own memory
(`CACHES["kept"]`, a LocMemCache whatever `CACHE_BACKEND` says), with no cross-process traffic.

The version is read before the part is rendered: a change committed in between makes the part
newer than its key says, never older, and the next reader sees the change and a new version.

Nothing is kept for a project whose figures are not maintained (version None): rendered each time.
"""

from collections.abc import Callable

from django.core.cache import caches
from django.utils import timezone, translation

from kvalis.projects.models import Project


def kept_key(project: Project, version: int | str, parts: tuple) -> str:
    return ":".join(
        str(part)
        for part in (
            "kept",
            project.pk,
            int(project.created_at.timestamp() * 1_000_000),
            version,
            timezone.localdate().isoformat(),
            translation.get_language() or "",
            *parts,
        )
    )


def kept[T](
    project: Project, version: int | str | None, parts: tuple, render: Callable[[], T]
) -> T:
    """What `render()` gives, kept for (project, version, day, language, *parts). The version
    may also be a fingerprint of what the part shows (the people list's rows)."""
    if version is None:
        return render()
    cache = caches["kept"]
    key = kept_key(project, version, parts)
    value = cache.get(key)
    if value is None:
        value = render()
        cache.set(key, value)
    return value


def clear() -> None:
    """Forget every kept part of this process (tests: pks and versions repeat between them)."""
    caches["kept"].clear()
