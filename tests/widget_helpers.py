"""Helpers shared by the widget tests: artists by ``gid`` and the Explorer's state checks.

Import with ``from widget_helpers import by_gid, assert_drawn`` (pytest puts ``tests/`` on
``sys.path``, as for :mod:`lcn_oracles`).
"""

from __future__ import annotations

from typing import Any


def by_gid(items, gid: str):
    """The one artist in ``items`` with this ``gid`` (fails if there is none or several)."""
    (item,) = [x for x in items if x.get_gid() == gid]
    return item


def line_by_gid(ax, gid: str):
    """The one line of ``ax`` with this ``gid``."""
    return by_gid(ax.get_lines(), gid)


def lines_by_gid(ax) -> dict:
    """All lines of ``ax``, by ``gid``."""
    return {line.get_gid(): line for line in ax.get_lines()}


def assert_clear(explorer) -> None:
    """The last update drew: no error and no message."""
    assert explorer.error is None and explorer.message.value == ""


def assert_drawn(explorer) -> None:
    """The default state is drawn: no error, no message, and a PNG was rendered."""
    assert_clear(explorer)
    assert len(explorer.image.value) > 1000  # a PNG was rendered


def assert_rejected(explorer, match: str, *, shown: str, image: bytes, result: Any) -> None:
    """Bad input: the error contains ``match``, the message ``shown``; picture and result kept."""
    assert explorer.error is not None and match in explorer.error
    assert shown in explorer.message.value
    assert explorer.image.value == image and explorer.result is result


def assert_colour_bar(image) -> None:
    """The image has a colour bar, and the bar shows the image's colour limits."""
    bar = image.colorbar
    assert bar is not None, f"no colour bar for {image}"
    assert (bar.norm.vmin, bar.norm.vmax) == image.get_clim()
    assert bar.cmap.name == image.get_cmap().name
