"""Helpers shared by the plotting modules: new axes, artists found by ``gid``, colour maps.

Every plot function of :mod:`lcnn_widgets.plotting` follows one pattern: it draws on a given
Axes or on the single Axes of a new :class:`matplotlib.figure.Figure` (never pyplot), and a
second call on the same Axes finds the artists it made by their ``gid`` and moves them instead
of adding new ones. The small pieces of that pattern live here, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

__all__ = [
    "DIVERGING_CMAP",
    "SEQUENTIAL_CMAP",
    "contrast_color",
    "find",
    "new_axes",
    "new_panel_row",
    "update_line",
]

#: sequential colour map with monotone lightness (readable in grey scale, colour-blind safe)
SEQUENTIAL_CMAP = "cividis"
#: diverging colour map centred at zero, for signed entries (filters)
DIVERGING_CMAP = "RdBu_r"


def new_axes(ax: Axes | None, figsize: tuple[float, float], **subplot_kw: Any) -> Axes:
    """Return ``ax``, or the single Axes of a new non-pyplot Figure.

    Parameters
    ----------
    ax : matplotlib Axes or None
        The Axes to draw on; ``None`` makes a new Figure.
    figsize : tuple of float
        Size (inches) of the new Figure (with the ``"constrained"`` layout).
    **subplot_kw
        Passed to :meth:`matplotlib.figure.Figure.add_subplot` (e.g. ``projection="3d"``).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError
        If ``ax`` is neither None nor an Axes.

    Examples
    --------
    >>> ax = new_axes(None, (3.0, 2.0))
    >>> new_axes(ax, (1.0, 1.0)) is ax, ax.figure.get_size_inches().tolist()
    (True, [3.0, 2.0])
    """
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes or None: got {type(ax).__name__}")
        return ax
    return Figure(figsize=figsize, layout="constrained").add_subplot(**subplot_kw)


def new_panel_row(
    n: int, figsize: tuple[float, float], *, width_ratios: list[float] | None = None
) -> list[Axes]:
    """The ``n`` Axes of a new non-pyplot Figure with one row of panels.

    Parameters
    ----------
    n : int
        Number of panels.
    figsize : tuple of float
        Size (inches) of the Figure (with the ``"constrained"`` layout).
    width_ratios : list of float, optional
        Relative widths of the panels.

    Returns
    -------
    list of matplotlib.axes.Axes

    Examples
    --------
    >>> len(new_panel_row(3, (6.0, 2.0)))
    3
    """
    fig = Figure(figsize=figsize, layout="constrained")
    kw = {} if width_ratios is None else {"gridspec_kw": {"width_ratios": width_ratios}}
    return list(np.atleast_1d(fig.subplots(1, n, **kw)))


def find(items: Iterable[Any], gid: str) -> Any:
    """The first artist in ``items`` whose ``gid`` is ``gid``, or None.

    Parameters
    ----------
    items : iterable of matplotlib artists
        E.g. ``ax.get_lines()``, ``ax.texts``, ``ax.get_images()``, ``fig.texts``.
    gid : str

    Returns
    -------
    matplotlib.artist.Artist or None

    Examples
    --------
    >>> ax = new_axes(None, (2.0, 2.0))
    >>> line = ax.plot([0, 1], [0, 1], gid="a")[0]
    >>> find(ax.get_lines(), "a") is line, find(ax.get_lines(), "b")
    (True, None)
    """
    for item in items:
        if item.get_gid() == gid:
            return item
    return None


def update_line(
    ax: Axes, gid: str, x: ArrayLike, y: ArrayLike, *, relabel: bool = False, **style: Any
) -> Line2D:
    """The line with this ``gid`` on ``ax``, moved to ``(x, y)``; created on first use.

    Parameters
    ----------
    ax : matplotlib Axes
    gid : str
        Identifies the line across calls.
    x, y : array_like of shape (n,)
        The new data.
    relabel : bool, default=False
        When the line exists already and ``style`` has a ``label``, set that label too (for
        labels that show changing values); otherwise ``style`` is used only on creation.
    **style
        Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for a new line.

    Returns
    -------
    matplotlib.lines.Line2D

    Examples
    --------
    >>> ax = new_axes(None, (2.0, 2.0))
    >>> first = update_line(ax, "a", [0, 1], [0, 1], color="k", label="one")
    >>> again = update_line(ax, "a", [0, 1], [2, 3], label="two", relabel=True)
    >>> again is first, list(again.get_ydata()), again.get_label(), len(ax.get_lines())
    (True, [2, 3], 'two', 1)
    """
    line = find(ax.get_lines(), gid)
    if line is None:
        (line,) = ax.plot(x, y, gid=gid, **style)
        return line
    line.set_data(x, y)
    if relabel and "label" in style:
        line.set_label(style["label"])
    return line


def contrast_color(value: float, scale: float) -> str:
    """Text colour for a cell of a diverging image: white on strong colours, black otherwise.

    Parameters
    ----------
    value : float
        The entry of the cell.
    scale : float
        The colour limit (the image runs from ``-scale`` to ``scale``).

    Returns
    -------
    str
        ``"white"`` if ``|value| > 0.6 scale``, else ``"black"``.

    Examples
    --------
    >>> contrast_color(-0.9, 1.0), contrast_color(0.5, 1.0)
    ('white', 'black')
    """
    return "white" if abs(value) > 0.6 * scale else "black"
