"""Real-browser tests of the offline site: prerequisites, one Chromium, one load per page.

The tests need the offline build (``python tests/browser/build_offline.py``), Playwright (from
PyPI, no ``playwright install``) and a Chromium binary (Debian's ``/usr/bin/chromium``, or
``$LCNN_CHROMIUM``). When one is missing they are *skipped*, so the plain test command passes on
any machine. ``.ci/run`` sets ``LCNN_BROWSER_TESTS=required``: then a missing prerequisite is a
failure.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_offline import HTML, offline_pages
from chromium import launched_chromium

#: Generous upper bound for MathJax and the widget manager to finish on a slow, shared machine.
RENDER_TIMEOUT_MS = 30_000

_REMOTE = re.compile(r"^(?!file:|data:|blob:|about:)[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _required() -> bool:
    return os.environ.get("LCNN_BROWSER_TESTS", "").lower() == "required"


def _missing(reason: str):
    if _required():
        pytest.fail(f"{reason} (LCNN_BROWSER_TESTS=required)", pytrace=False)
    pytest.skip(reason)


def pytest_generate_tests(metafunc):
    if "page" in metafunc.fixturenames:
        pages = offline_pages()
        ids = [p.relative_to(HTML).as_posix() for p in pages]
        # Without a build, one placeholder that skips (or fails in CI) in the `page` fixture.
        metafunc.parametrize(
            "page", pages or [None], ids=ids or ["no-offline-build"], indirect=True, scope="session"
        )


@pytest.fixture(scope="session")
def offline_html() -> Path:
    """The offline build's HTML folder (skip, or fail under LCNN_BROWSER_TESTS=required)."""
    if not offline_pages():
        _missing(f"no offline build in {HTML} (run: python tests/browser/build_offline.py)")
    return HTML


@pytest.fixture(scope="session")
def browser():
    with launched_chromium(_missing, ["--no-sandbox", "--disable-gpu"]) as browser:
        yield browser


@dataclass
class LoadedPage:
    """A page opened in Chromium and left open, with everything it did while loading."""

    path: Path
    page: object  # playwright.sync_api.Page
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    timeouts: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.relative_to(HTML).as_posix()


def _wait(loaded: LoadedPage, what: str, condition: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        loaded.page.wait_for_function(condition, timeout=RENDER_TIMEOUT_MS)
    except PlaywrightTimeout:
        loaded.timeouts.append(f"waited {RENDER_TIMEOUT_MS / 1000:.0f} s for {what}")


@pytest.fixture(scope="session")
def page(request, offline_html, browser):
    """The page, loaded once for all tests that look at it: math typeset, widgets rendered."""
    path = request.param
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    pw_page = context.new_page()
    loaded = LoadedPage(path, pw_page)
    pw_page.on("pageerror", lambda err: loaded.page_errors.append(str(err)))
    pw_page.on("request", lambda req: loaded.requests.append(req.url))
    pw_page.on("requestfailed", lambda req: loaded.failed.append(f"{req.url}: {req.failure}"))
    # Never let a request leave the machine, whatever the page asks for (they are still recorded).
    pw_page.route(_REMOTE, lambda route: route.abort())
    pw_page.goto(path.as_uri(), wait_until="load")
    # MathJax 3 (a deferred script) resolves startup.promise once its first typeset is done; the
    # widget manager renders each view next to its script tag, after the load event. A page that
    # never gets there is not an error here: the tests then report what is missing.
    _wait(
        loaded,
        "MathJax to typeset",
        "() => !document.querySelector('.math') || (window.MathJax && MathJax.startup"
        " && MathJax.startup.promise && MathJax.startup.promise.then(() => true))",
    )
    _wait(
        loaded,
        "the widget manager to render every widget",
        """() => [...document.querySelectorAll(
                     'script[type="application/vnd.jupyter.widget-view+json"]')]
                   .every(s => s.previousElementSibling
                               && s.previousElementSibling.classList.contains('widget-subarea')
                               && s.previousElementSibling.childElementCount > 0)""",
    )
    # Images (figures, widget images, static-twin frames) finish decoding.
    pw_page.evaluate(
        "() => Promise.all([...document.images].map(i => i.decode().catch(() => null)))"
    )
    yield loaded
    context.close()
