"""Build-time accessibility fixes for the site's HTML (issue 15)."""

from __future__ import annotations

from typing import Any


def setup(app: Any) -> dict[str, Any]:
    """Register the accessibility hooks with Sphinx."""
    return {"parallel_read_safe": True, "parallel_write_safe": True}
