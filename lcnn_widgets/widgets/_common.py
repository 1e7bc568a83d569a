"""Pieces shared by several widget factories: the panel figure and the "w from" controls.

The widgets redraw on every slider move, so their figures use fixed margins rather than a
layout engine (a layout pass roughly doubles the render time); :func:`panel_figure` makes such
a figure. Two widgets let the reader give the end-to-end filter either by its roots or by its
coefficients; :func:`source_controls` builds that pair of controls and :func:`check_source`
checks the choice.
"""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

__all__ = ["SOURCES", "check_source", "panel_figure", "source_controls"]

#: the ways of giving the end-to-end filter ``w``
SOURCES = ("roots", "coefficients")


def panel_figure(
    figsize: tuple[float, float],
    nrows: int,
    ncols: int,
    *,
    width_ratios: list[float] | None = None,
    sharex: bool = False,
    sharey: bool = False,
    left: float | None = None,
    right: float | None = None,
    bottom: float | None = None,
    top: float | None = None,
    wspace: float | None = None,
    hspace: float | None = None,
) -> tuple[Figure, np.ndarray]:
    """A non-pyplot Figure with a grid of panels and fixed margins (no layout engine).

    Parameters
    ----------
    figsize : tuple of float
        Size in inches.
    nrows, ncols : int
        The grid of panels.
    width_ratios : list of float, optional
        Relative widths of the columns.
    sharex, sharey : bool, default=False
        Share the x / y axis between the panels.
    left, right, bottom, top, wspace, hspace : float, optional
        Margins and gaps, as in :meth:`matplotlib.figure.Figure.subplots_adjust` (``None``
        keeps matplotlib's default).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : ndarray of matplotlib Axes, shape (ncols,) for one row, else (nrows, ncols)

    Examples
    --------
    >>> fig, axes = panel_figure((6.0, 2.0), 1, 3, width_ratios=[1, 1, 2], left=0.1)
    >>> axes.shape, fig.get_layout_engine() is None, fig.subplotpars.left
    ((3,), True, 0.1)
    """
    fig = Figure(figsize=figsize)
    gridspec_kw = {} if width_ratios is None else {"width_ratios": width_ratios}
    axes = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, gridspec_kw=gridspec_kw)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top, wspace=wspace,
                        hspace=hspace)
    return fig, axes


def check_source(source: str) -> None:
    """Raise ValueError unless ``source`` is ``"roots"`` or ``"coefficients"``.

    Examples
    --------
    >>> check_source("roots")
    >>> check_source("poles")
    Traceback (most recent call last):
    ...
    ValueError: source must be 'roots' or 'coefficients': got 'poles'
    """
    if source not in SOURCES:
        raise ValueError(f"source must be 'roots' or 'coefficients': got {source!r}")


def source_controls(source: str, coefficients: str, description: str) -> dict[str, W.Widget]:
    """The controls ``source`` (roots or coefficients) and ``coefficients`` (a text box).

    Parameters
    ----------
    source : {"roots", "coefficients"}
        Initial choice.
    coefficients : str
        Initial text of the coefficient box (comma separated numbers).
    description : str
        Label of the coefficient box.

    Returns
    -------
    dict
        ``{"source": ToggleButtons, "coefficients": Text}``; the text box reports its value
        only when the reader presses Enter or leaves it.

    Examples
    --------
    >>> c = source_controls("roots", "1, 0, -1, 0", "coefficients w")
    >>> c["source"].value, c["coefficients"].continuous_update
    ('roots', False)
    """
    return {
        "source": W.ToggleButtons(options=list(SOURCES), value=source, description="w from",
                                  style={"button_width": "90px"}),
        "coefficients": W.Text(value=coefficients, description=description,
                               continuous_update=False, style={"description_width": "initial"}),
    }
