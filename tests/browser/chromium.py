"""Where the browser suites find Chromium (Debian's, never a downloaded one)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any


def chromium_path() -> str | None:
    """``$LCNN_CHROMIUM``, ``/usr/bin/chromium`` or a ``chromium`` on the PATH (None if none)."""
    for candidate in (
        os.environ.get("LCNN_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@contextlib.contextmanager
def launched_chromium(missing: Callable[[str], None], args: Sequence[str]) -> Iterator[Any]:
    """Debian's Chromium launched by Playwright (no ``playwright install``), closed at the end.

    ``missing(reason)`` is called (it skips or fails the test) when Playwright or Chromium is
    not there.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright is not installed (pip install -r requirements.txt)")
    executable = chromium_path()
    if executable is None:
        missing("no Chromium found (apt-get install chromium, or set LCNN_CHROMIUM)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=list(args))
        try:
            yield browser
        finally:
            browser.close()
