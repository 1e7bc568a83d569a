"""Where the browser suites find Chromium (Debian's, never a downloaded one)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def chromium_path() -> str | None:
    """``$LCNN_CHROMIUM``, ``/usr/bin/chromium`` or a ``chromium`` on the PATH (None if none)."""
    for candidate in (os.environ.get("LCNN_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None
