"""Read the chapters' cells (for the tests that check the book's text and structure)."""

from __future__ import annotations

import json
from pathlib import Path

BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(p.stem for p in BOOK.glob("[0-9][0-9]_*.ipynb"))


def cells(name: str) -> list[dict]:
    """The cells of chapter ``name`` (e.g. ``"04_metric"``)."""
    return json.loads((BOOK / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def markdown(name: str) -> str:
    """All markdown of chapter ``name``, cells joined by newlines."""
    return "\n".join("".join(c["source"]) for c in cells(name) if c["cell_type"] == "markdown")


def words(name: str) -> int:
    """Words in the markdown cells of chapter ``name`` (solutions included)."""
    return len(markdown(name).split())
