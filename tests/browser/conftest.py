"""Real Chromium through Playwright, against pytest-django's live server.

Every page a test visits is watched for console errors (a Content-Security-Policy
violation shows up there) and can be checked with axe-core.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, require

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("POP_SCREENSHOTS", "var/screenshots"))


def pytest_collection_modifyitems(items):
    """Mark this folder's tests ``browser`` (pytest calls this hook with every test of the
    run, whichever conftest defines it: so only the ones in this folder)."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    require(os.access(CHROMIUM, os.X_OK), "Chromium (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


class BrowserSession:
    """One person's browser context; collects console errors."""

    def __init__(self, browser, base_url: str, **options) -> None:
        # Reduced motion switches off Bootstrap's colour transitions, so axe-core never
        # measures contrast halfway through a button's hover or focus fade.
        self.context = browser.new_context(
            base_url=base_url, locale="nl-NL", reduced_motion="reduce", **options
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def sign_in(self, email: str, password: str) -> None:
        page = self.page
        page.goto("/accounts/login/")
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_role("button", name="Volgende").click()  # the e-mail step first
        page.get_by_label("Wachtwoord").fill(password)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_url("**/")

    def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def assert_no_console_errors(self) -> None:
        assert self.errors == [], self.errors


@pytest.fixture
def open_session(browser, live_server) -> Iterator[Callable[..., BrowserSession]]:
    sessions: list[BrowserSession] = []

    def make(**options) -> BrowserSession:
        """A new browser context; ``options`` for Playwright's ``new_context``."""
        session = BrowserSession(browser, live_server.url, **options)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.context.close()


SERIOUS = {"serious", "critical"}
# Moderate and minor findings, and what axe could not decide, do not fail a test; they are
# listed in this file for review.
LESSER_REPORT = SCREENSHOTS / (
    f"axe-moderate-minor-{os.environ['PYTEST_XDIST_WORKER']}.txt"
    if os.environ.get("PYTEST_XDIST_WORKER")
    else "axe-moderate-minor.txt"
)
_lesser: dict[str, set[str]] = {}
_checks: list[str] = []


def axe_serious(page, *, where: str = "", context: str | None = None) -> list[str]:
    """axe-core on the page as it is now (or on the elements ``context`` selects): its
    serious and critical violations, one line each (the lesser ones go to
    ``LESSER_REPORT``). axe is injected once per page load, not once per check."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate(
        "context => axe.run(context || document, {resultTypes: ['violations']})",
        context,
    )
    _checks.append(where or page.url)
    found = []
    for kind in ("violations", "incomplete"):
        for violation in results[kind]:
            targets = "; ".join(str(node["target"][0]) for node in violation["nodes"][:5])
            line = f"{violation['id']} ({violation['impact']}): {violation['help']} - {targets}"
            if kind == "incomplete":  # axe could not decide: for a person to look at
                _lesser.setdefault(f"needs review: {line}", set()).add(where or page.url)
            elif violation["impact"] in SERIOUS:
                found.append(f"{where or page.url}: {line}")
            else:
                _lesser.setdefault(line, set()).add(where or page.url)
    return found


def assert_accessible(page, *, context: str | None = None) -> None:
    """axe-core: no serious or critical violations on the page as it is now."""
    bad = axe_serious(page, context=context)
    assert bad == [], "\n".join(bad)


def pytest_sessionfinish(session):
    if not _checks:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    lines = [
        f"{line}\n    on: {', '.join(sorted(places))}\n" for line, places in sorted(_lesser.items())
    ]
    header = (
        f"axe-core, {len(_checks)} checks: moderate and minor violations, and what needs review\n"
    )
    LESSER_REPORT.write_text(header + ("".join(lines) or "none\n"))
