"""Real-browser fixtures: Playwright's Python package driving Debian's Chromium.

Use `page` (a fresh context per test) with pytest-django's `live_server`; mark tests
`@pytest.mark.browser`. `axe_violations(page)` runs axe-core (served from the
axe-playwright-python package, never a CDN) and returns serious or critical violations.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="lt-LT", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def new_context(browser):
    """Make further browser contexts (a second person on another device)."""
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("locale", "lt-LT")
        context = browser.new_context(**kwargs)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    import axe_playwright_python

    script = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()
    page.evaluate(script)
    result = page.evaluate(
        "async () => await axe.run(document, "
        "{runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [v for v in result["violations"] if v.get("impact") in impacts]


def login(page, live_server, email: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    follow(page, "main button[type=submit]")


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in violations
    )


def assert_accessible(page, what: str) -> None:
    """No serious or critical axe-core violation on the page, with the house stylesheet applied
    (the contrast checks mean something only then)."""
    page.wait_for_load_state("load")
    assert page.evaluate("() => getComputedStyle(document.body).display") == "flex", what
    violations = axe_violations(page)
    assert violations == [], f"axe-core on {what}:\n{describe(violations)}"


def follow(page, target) -> None:
    """Click a link or a submit button and wait until the page it loads has loaded.

    A bare click returns as soon as the click is dispatched; reading the page right after it
    races the navigation (the old page, or an empty document while the new one commits).
    `target` is a selector or a locator.
    """
    locator = page.locator(target) if isinstance(target, str) else target
    with page.expect_navigation(wait_until="load"):
        locator.click()
