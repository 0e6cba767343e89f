"""The sweep: every page each demo login can reach by following links, in a real browser.

For each demo login (coordinator, partner coordinator, funder observer, trainer, participant)
the test signs in and crawls, breadth-first from the page after sign-in (the demo project's
pages first), every same-origin page reachable by GET links: each URL once, and one page of
each shape (the same path with other ids or filter values shares its template); no downloads,
no sign-out, no `?page=` beyond 2; at most `MAX_PAGES` pages a login. At 390 px each page must
be no wider than the screen (`document.documentElement.scrollWidth`; a failure names the widest
element) and have no serious or critical axe-core violation; the same page is then checked with
axe-core at 1280 px. Pages other helpers add join the sweep as soon as a link leads to them.

The logins are swept by three test modules (`test_sweep_*.py`), so that the two test processes
share the work; each loads the demo once. Run them alone:
`.venv/bin/pytest -p no:xdist -q tests/journeys/test_sweep_*.py` (a few minutes).
"""

import heapq
import os
import re
from urllib.parse import parse_qs, urldefrag, urlparse

import pytest
from django.core.management import call_command

from kvalis.demo import data
from kvalis.demo.steps.core import LOGINS
from tests.browser import axe_violations, describe, login

# What each test module of the sweep marks itself with.
MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # Widths and accessibility are the templates' and the stylesheet's, the same on either
    # database: the sweep (several minutes) runs in the SQLite half of CI only.
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="page layout does not depend on the database; swept on SQLite",
    ),
    pytest.mark.timeout(900),
]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Enough for every page of each role's navigation and the project's tabs beneath it; the cap
# keeps the run to a few minutes as the demo grows.
MAX_PAGES = 110
# One page of each shape: the same path with other ids (`/certificates/17/`, another project's
# code) or other query values (filters) renders the same template. `?page=2` is a shape of its own.
MAX_PER_SHAPE = 1
ID_SEGMENT = re.compile(
    r"^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Z][A-Z0-9-]+)$"
)
# The demo project (the seed case, with the most data) is crawled before anything else.
FIRST = f"/projects/{data.PROJECT_CODE}/"

DOWNLOADS = re.compile(r"\.(pdf|xlsx|csv|ics|json|jwt|svg|png|jpe?g|zip|txt|xml)$", re.IGNORECASE)
SKIPPED_PATHS = re.compile(
    r"^/(accounts/logout|admin/|static/|media/|i18n/|api/(?!tokens/$))"
    r"|/(download|export|schema)/?$"
)

WIDEST_ELEMENT = """() => {
  const limit = document.documentElement.clientWidth;
  let widest = null, right = limit;
  for (const element of document.querySelectorAll('body *')) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > right) { right = box.right; widest = element; }
  }
  if (!widest) return null;
  let name = widest.tagName.toLowerCase();
  if (widest.id) name += '#' + widest.id;
  if (widest.classList.length) name += '.' + [...widest.classList].join('.');
  const parents = [];
  let p = widest.parentElement;
  while (p && p !== document.body && parents.length < 3) {
    const classes = p.className ? '.' + String(p.className).split(' ').join('.') : '';
    parents.unshift(p.tagName.toLowerCase() + classes);
    p = p.parentElement;
  }
  return `${parents.join(' > ')} > ${name} (right edge ${Math.round(right)} px): `
    + JSON.stringify((widest.textContent || '').trim().slice(0, 60));
}"""

# Layout, resize observers and the page's own scripts have run once two frames have passed.
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
LINKS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"


def _worth_visiting(url: str, origin: str) -> bool:
    parsed = urlparse(url)
    if f"{parsed.scheme}://{parsed.netloc}" != origin:
        return False
    if DOWNLOADS.search(parsed.path) or SKIPPED_PATHS.search(parsed.path):
        return False
    pages = parse_qs(parsed.query).get("page", [])
    return not any(not p.isdigit() or int(p) > 2 for p in pages)


def shape(url: str) -> str:
    """The URL with its ids and query values left out: pages of one shape share a template."""
    parsed = urlparse(url)
    path = "/".join("*" if ID_SEGMENT.match(part) else part for part in parsed.path.split("/"))
    return path + "?" + "&".join(sorted(parse_qs(parsed.query)))


def crawl(page, origin: str, start: str, check) -> list[str]:
    """From `start`, the same-origin pages reachable by links, each URL once and each shape
    once: breadth-first, the demo project's pages first. `check(url)` runs on each page while
    it is open."""
    seen = {start}
    shapes: set[str] = set()
    queue = [(0, 0, start)]
    order = 0
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        _first, _order, url = heapq.heappop(queue)
        if shape(url) in shapes:
            continue
        response = page.goto(url, wait_until="load")
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        shapes.add(shape(url))
        visited.append(url)
        check(url)
        for link in page.evaluate(LINKS):
            link, _fragment = urldefrag(link)
            if link in seen or not _worth_visiting(link, origin):
                continue
            seen.add(link)
            order += 1
            heapq.heappush(queue, (0 if urlparse(link).path.startswith(FIRST) else 1, order, link))
    return visited


def _relative(url: str, origin: str) -> str:
    return url.removeprefix(origin)


def check_page(page, origin: str, url: str) -> list[str]:
    """What is wrong with `url` (open in `page`) on a 390 px phone, and at 1280 px for axe."""
    problems = []
    where = _relative(url, origin)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        widest = page.evaluate(WIDEST_ELEMENT)
        problems.append(f"{where}: {width} px wide at 390 px; widest: {widest}")
    violations = axe_violations(page)
    if violations:
        problems.append(f"{where} at 390 px:\n{describe(violations)}")
    # The same page at 1280 px, without reloading it; then back to the phone for the next one.
    page.set_viewport_size(DESKTOP)
    page.evaluate(NEXT_FRAMES)
    violations = axe_violations(page)
    if violations:
        problems.append(f"{where} at 1280 px:\n{describe(violations)}")
    page.set_viewport_size(PHONE)
    page.evaluate(NEXT_FRAMES)
    return problems


def sweep_role(new_context, live_server, role: str) -> tuple[list[str], list[str]]:
    """(pages visited, problems found) for one demo login."""
    email = LOGINS[role][0]
    origin = live_server.url
    # A 390 px viewport measures what a phone shows: content wider than it makes the page
    # scroll sideways (a mobile browser would zoom out to fit it instead).
    page = new_context(viewport=PHONE).new_page()
    page.set_default_timeout(20000)
    server_errors: list[str] = []
    page.on(
        "response",
        lambda response: (
            response.status >= 500 and server_errors.append(f"{response.status} {response.url}")
        ),
    )
    login(page, live_server, email, data.DEMO_PASSWORD)
    assert "/accounts/login/" not in page.url, f"{role} ({email}) could not sign in"
    problems: list[str] = []
    visited = crawl(
        page, origin, page.url, lambda url: problems.extend(check_page(page, origin, url))
    )
    problems += [f"server error: {error}" for error in server_errors]
    return visited, problems


def sweep(transactional_db, new_context, live_server, roles: list[str]) -> None:
    """Load the demo once, sweep each of `roles` and fail with every problem found."""
    call_command("demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    report = []
    counts = {}
    for role in roles:
        visited, problems = sweep_role(new_context, live_server, role)
        counts[role] = len(visited)
        print(f"[{role}] {len(visited)} pages:", *(_relative(u, live_server.url) for u in visited))
        report += [f"[{role}] {problem}" for problem in problems]
    assert all(count > 1 for count in counts.values()), f"pages reached per login: {counts}"
    assert report == [], f"pages reached per login: {counts}\n" + "\n".join(report)
