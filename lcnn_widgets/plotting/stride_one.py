"""Pictures for the stride-one chapter: several NTKs at one point, and the roots they come from.

Functions take data (and ``ax=None`` / ``axes=None``), return what they drew on and, called
again on the same axes, update their artists (found by ``gid``) in place. NTK heatmaps use
:func:`lcnn_widgets.plotting.dense.plot_ntk_heatmap` with one colour scale for all panels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from numpy.typing import ArrayLike

from .._validation import as_finite_array
from ._common import find, new_axes, new_panel_row, update_line
from .dense import plot_ntk_heatmap

__all__ = ["PANEL_COLORS", "plot_ntk_panels", "plot_pair_roots", "plot_spread_and_count"]

#: one colour per factorization / NTK panel (colour-blind safe, distinct in grey scale)
PANEL_COLORS = ("#0072B2", "#D55E00", "#009E73")
_RING: dict[str, Any] = dict(ls="none", marker="o", mfc="none", mew=2.0, zorder=2)  # an owner


def plot_ntk_panels(
    ntks: Sequence[ArrayLike],
    *,
    titles: Sequence[str] | None = None,
    axes: Sequence[Axes] | None = None,
    n_panels: int | None = None,
    annotate: bool = True,
    vmin: float | None = None,
    vmax: float | None = None,
    empty_text: str | None = None,
) -> Figure | SubFigure:
    """Several NTK matrices side by side as heatmaps with one shared colour scale.

    Parameters
    ----------
    ntks : sequence of array_like of shape (K, K)
        At least one matrix, e.g. :attr:`lcnn_widgets.stride_one.FiberNTKs.ntks`.
    titles : sequence of str, optional
    axes : sequence of matplotlib Axes, optional
        Draw here (at least ``len(ntks)`` axes; the rest are hidden). Updated in place.
    n_panels : int, optional
        Without ``axes``: the number of panels of the new figure (default ``len(ntks)``).
    annotate : bool, default=True
        Write the entries into the cells (two decimals).
    vmin, vmax : float, optional
        The shared colour limits (default: the range of all matrices).
    empty_text : str, optional
        Keep the panels beyond ``len(ntks)`` (without image) and write this text in them.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (or SubFigure) of the panels; each image has gid ``"ntk"``. Ex. 19: the
        three balanced points of one fiber of ``LCN([3, 2], [1, 1])`` give three kernels.
    """
    mats = [as_finite_array(t, f"ntks[{i}]", ndim=2) for i, t in enumerate(ntks)]
    if not mats:
        raise ValueError("ntks must hold at least one matrix: got an empty sequence")
    if len({m.shape for m in mats}) != 1:
        raise ValueError(f"ntks must all have one shape: got {[m.shape for m in mats]}")
    if axes is None:
        n = len(mats) if n_panels is None else int(n_panels)
        side = min(4.0, 1.2 + 0.55 * mats[0].shape[0])
        axes = new_panel_row(n, (side * n, side + 0.4))
    axes = list(axes)
    if len(mats) > len(axes):
        raise ValueError(
            f"ntks must not hold more matrices than panels: got {len(mats)} for {len(axes)}"
        )
    lo = min(float(m.min()) for m in mats) if vmin is None else float(vmin)
    hi = max(float(m.max()) for m in mats) if vmax is None else float(vmax)
    note: dict[str, Any] = dict(ha="center", va="center", color="0.45", style="italic")
    for i, ax in enumerate(axes):
        used = i < len(mats)
        if used:
            title = None if titles is None else titles[i]
            plot_ntk_heatmap(mats[i], vmin=lo, vmax=hi, title=title, annotate=annotate, ax=ax)
        if empty_text is None:
            ax.set_visible(used)
            continue
        for image in ax.get_images():
            image.set_visible(used)
        text = find(ax.texts, "empty-note") or ax.text(
            0.5, 0.5, "", transform=ax.transAxes, gid="empty-note", **note
        )
        text.set_text("" if used else empty_text)
    return axes[0].figure


def plot_pair_roots(
    roots: ArrayLike,
    *,
    owners: Sequence[int | None] = (),
    ax: Axes | None = None,
    title: str | None = None,
    limit: float | None = None,
) -> Axes:
    """The roots of a polynomial in the complex plane, with the roots owned by layer 2 marked.

    Parameters
    ----------
    roots : array_like of complex, shape (n,)
        The roots of ``p_w`` (e.g. from :func:`lcnn_widgets.stride_one.cubic_roots`).
    owners : sequence of (int or None), optional
        At most three: ``owners[i]`` is the index of the root of layer 2 in factorization
        ``i``, drawn as a coloured ring labelled ``i + 1`` (``None``: nothing drawn).
    ax : matplotlib Axes, optional
    title : str, optional
    limit : float, optional
        Half-width of the square view (default: fits the roots).

    Returns
    -------
    matplotlib.axes.Axes
        Roots: line with gid ``"roots"``; owner rings ``"owner_i"``; labels ``"owner_label_i"``.
    """
    r = np.atleast_1d(np.asarray(roots, dtype=complex)).ravel()
    if not np.all(np.isfinite(r)):
        raise ValueError(f"roots must be finite: got {r}")
    if len(owners) > len(PANEL_COLORS):
        raise ValueError(f"owners must have at most {len(PANEL_COLORS)} entries: got {len(owners)}")
    ax = new_axes(ax, (3.6, 3.6))
    if find(ax.get_lines(), "roots") is None:
        ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
        ax.axvline(0.0, color="0.85", lw=0.6, zorder=0)
        ax.set(xlabel="Re $t$", ylabel="Im $t$", aspect="equal")
    update_line(ax, "roots", r.real, r.imag, ls="none", marker="o", color="k", ms=7, zorder=3)
    for i, color in enumerate(PANEL_COLORS):
        owner = owners[i] if i < len(owners) else None
        xy: tuple[list[float], list[float]] = ([], [])
        text, pos = "", (0.0, 0.0)
        if owner is not None:
            z = r[int(owner)]
            xy, text, pos = ([z.real], [z.imag]), str(i + 1), (z.real, z.imag + 0.12 + 0.12 * i)
        update_line(ax, f"owner_{i}", *xy, ms=13 + 5 * i, mec=color, **_RING)
        label = find(ax.texts, f"owner_label_{i}")
        if label is None:
            bold: dict[str, Any] = dict(ha="center", va="bottom", fontsize=9, fontweight="bold")
            label = ax.text(0.0, 0.0, "", color=color, gid=f"owner_label_{i}", **bold)
        label.set(text=text, position=pos)
    R = float(limit) if limit is not None else 1.3 * max(1.0, float(np.max(np.abs(r))))
    ax.set(xlim=(-R, R), ylim=(-R, R))
    if title is not None:
        ax.set_title(title, fontsize="medium")
    return ax


def plot_spread_and_count(
    values: ArrayLike,
    spreads: ArrayLike,
    counts: ArrayLike,
    *,
    xlabel: str = "parameter",
    ax: Axes | None = None,
) -> Axes:
    """The NTK spread of a fiber (line) and its number of points (steps) along a family.

    Parameters
    ----------
    values, spreads, counts : array_like of shape (n,)
        The family's parameter; at each value :attr:`lcnn_widgets.stride_one.FiberNTKs.spread`
        and the number of fiber points.
    xlabel : str, default="parameter"
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The axes of the spread; the counts are on a twin axis on the right.
    """
    x = as_finite_array(values, "values", ndim=1)
    s = as_finite_array(spreads, "spreads", ndim=1)
    c = as_finite_array(counts, "counts", ndim=1)
    if not x.size == s.size == c.size:
        raise ValueError(
            f"values, spreads and counts must have one entry each: got {x.size}, {s.size}, {c.size}"
        )
    ax = new_axes(ax, (6.4, 3.0))
    ax.plot(x, s, color=PANEL_COLORS[0], lw=1.8, label="NTK spread")
    ax.set(xlabel=xlabel, xlim=(float(x.min()), float(x.max())))
    ax.set_ylabel("max ‖Θᵢ − Θⱼ‖ (Frobenius)", color=PANEL_COLORS[0])
    ax.set_ylim(bottom=-0.05 * max(1.0, float(s.max())))
    twin = ax.twinx()
    twin.plot(x, c, color=PANEL_COLORS[1], lw=1.2, ls="--", drawstyle="steps-mid")
    twin.set_ylabel("fiber points", color=PANEL_COLORS[1])
    twin.set(ylim=(0, float(c.max()) + 0.5), yticks=range(int(c.max()) + 1))
    ax.grid(alpha=0.3)
    return ax
