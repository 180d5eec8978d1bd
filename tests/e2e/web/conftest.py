"""Headless Chromium (Debian's, installed by `make setup-test`) driving the web client.

Playwright cannot download browsers here, so it launches /usr/bin/chromium.
Screenshots go to a temporary folder unless WEB_SCREENSHOTS names
one (`WEB_SCREENSHOTS=docs/screenshots` refreshes the README's).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)

from chalicelib.config import PROJECT_ROOT
from classreel.local.stack import LocalStack
from tests.support import media_corpus

CHROMIUM = os.environ.get("CLASSREEL_CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 30_000
# Waiting for what a page shows (not a timed assertion): a shared 2-core machine
# under load can take longer than Playwright's 5 s default to answer a click.
expect.set_options(timeout=20_000)

# axe-core from npm (package-lock.json): the rules a page must pass for every role.
AXE_SOURCE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
# Words a person should never read on a page: placeholders leaking, field names.
LEAKED_WORDS = re.compile(r"\b(null|undefined|NaN|\[object Object\])\b|\b[a-z]+_[a-z_]+\b")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make setup-test` installs Debian's chromium")
    if not (PROJECT_ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("web/dist/app.js is missing: `make setup` builds the web client")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def screenshot_dir(session_dir: Path) -> Path:
    configured = os.environ.get("WEB_SCREENSHOTS")
    directory = Path(configured) if configured else session_dir / "screenshots"
    if not directory.is_absolute():
        directory = PROJECT_ROOT / directory
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture(scope="session")
def lesson_video(corpus_dir: Path) -> Path:
    """A 12-second, web-ready 720p lesson: long enough for a 5-second clip."""
    path = corpus_dir / "lesson-12s.mp4"
    if not path.exists():
        corpus_dir.mkdir(parents=True, exist_ok=True)
        partial = media_corpus.partial_path(path)
        subprocess.run(
            [
                *("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"),
                *("-f", "lavfi", "-i", media_corpus.VIDEO.format(w=1280, h=720, fps=30, d=12)),
                *("-f", "lavfi", "-i", media_corpus.TONE.format(d=12)),
                *("-c:v", "libx264", "-preset", "ultrafast", "-crf", "32", "-pix_fmt", "yuv420p"),
                *("-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", str(partial)),
            ],
            check=True,
        )
        partial.rename(path)
    return path


@pytest.fixture
def new_page(browser: Browser, local_stack: LocalStack) -> Iterator[Callable[..., Page]]:
    """``new_page(width=1280)`` → a page in a fresh context (its own signed-in user).

    The local server sends the Content-Security-Policy CloudFront sends in AWS; any
    violation the browser reports fails the test.
    """
    contexts: list[BrowserContext] = []
    violations: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    def make(
        width: int = 1280, height: int = 900, *, bypass_csp: bool = False, touch: bool = False
    ) -> Page:
        """``touch``: a phone's touch screen (coarse pointer, no hover)."""
        context = browser.new_context(
            base_url=local_stack.api_url,
            viewport={"width": width, "height": height},
            bypass_csp=bypass_csp,
            has_touch=touch,
            is_mobile=touch,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", watch)
        return page

    yield make
    for context in contexts:
        context.close()
    assert violations == [], "the web client broke its Content-Security-Policy"


def sign_in(page: Page, user_id: str) -> None:
    page.goto("/#/sign-in")
    page.click(f'button[data-user="{user_id}"]')
    page.wait_for_selector("#who .who-name")


def screenshot(page: Page, path: Path, *, full_page: bool = False) -> None:
    """A picture of the page once its images (posters, sprites) have loaded."""
    # A function, not an expression: polling an expression needs eval, which the CSP forbids.
    page.wait_for_function(
        "() => [...document.images].every((image) => image.complete && image.naturalWidth > 0)"
        " && getComputedStyle(document.getElementById('toast')).opacity === '0'"
    )
    page.screenshot(path=path, full_page=full_page)


def check_page(page: Page, where: str) -> None:
    """What every page must be for everyone: no serious or critical axe-core violation,
    and no "null", "undefined" or internal field name in its visible text.

    axe-core is evaluated through the DevTools protocol, which the page's
    Content-Security-Policy does not govern, so the page runs under its real policy.
    """
    page.wait_for_function(
        "() => document.getElementById('main').getAttribute('aria-busy') === 'false'"
    )
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE_SOURCE.read_text())
    results = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, { resultTypes: ['violations'] });
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
            }));
        }"""
    )
    blocking = [v for v in results if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], f"accessibility on {where}: {blocking}"
    text = page.evaluate("() => document.body.innerText")
    leaked = sorted({match.group(0) for match in LEAKED_WORDS.finditer(text)})
    assert leaked == [], f"{where} shows {leaked}"


def visit(page: Page, path: str) -> None:
    """Go to ``path`` (a ``/#/…`` page of the client) and wait until it has rendered anew."""
    if page.url.split("#", 1)[-1] == path.split("#", 1)[-1]:
        page.reload()
        return
    page.evaluate(
        "() => { const first = document.querySelector('#main > *');"
        " if (first) first.dataset.stale = '1'; }"
    )
    page.goto(path)
    page.wait_for_function(
        "() => !document.querySelector('#main > [data-stale]')"
        " && document.getElementById('main').getAttribute('aria-busy') === 'false'"
    )
