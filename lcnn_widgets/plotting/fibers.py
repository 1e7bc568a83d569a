"""Pictures for the chapter on fibers: the roots of ``p_w`` and who owns them.

Layer ``l`` of a factorization ``p_w(t) = q_1(t) q_2(t^{S_1}) ... q_L(t^{S_{L-1}})`` owns whole
orbits ``{t : t^{S_{l-1}} = rho}`` (regular ``S_{l-1}``-gons). Functions take data (and
``ax=None``), return the Axes and, called again on it, move their artists (found by ``gid``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from .._validation import as_finite_array
from ..fibers import FilterRoots, LayerRoots
from ._common import find, new_axes, update_line

# fmt: off
__all__ = ["LAYER_COLORS", "layer_color", "orbit_outline", "plot_factorization_counts",
           "plot_root_orbits"]
# fmt: on

#: colour of layer ``l`` is ``LAYER_COLORS[(l - 1) % len(LAYER_COLORS)]``
LAYER_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
_MAX_LAYERS = 8
_DOT: dict[str, Any] = dict(ls="none", marker="o", ms=7, relabel=True)  # a layer's roots
_DASH: dict[str, Any] = dict(lw=1.2, ls="--", alpha=0.8)  # its orbits' outlines


def _text(ax: Axes, gid: str, text: str, xy: tuple[float, float], **style: Any) -> Text:
    """The text with this ``gid`` (axes coordinates), updated; created on first use."""
    t = find(ax.texts, gid) or ax.text(*xy, "", gid=gid, transform=ax.transAxes, **style)
    t.set_text(text)
    return t


def layer_color(layer: int) -> str:
    """The colour of layer ``layer`` (1-based) in every picture of the chapter."""
    return LAYER_COLORS[(layer - 1) % len(LAYER_COLORS)]


def orbit_outline(orbits: ArrayLike) -> np.ndarray:
    """The closed polygons through the orbits, as one NaN-separated complex path.

    Parameters
    ----------
    orbits : array_like of complex, shape (n, S)
        Row ``j``: the ``S`` roots of ``t^S = rho_j`` in angular order (as in
        :class:`~lcnn_widgets.fibers.LayerRoots`).

    Returns
    -------
    ndarray of complex, shape (n * (S + 2),)
        Each orbit closed and followed by ``nan``; empty when ``S = 1``.

    Examples
    --------
    >>> np.round(orbit_outline([[1, -1]]), 6)
    array([ 1.+0.j, -1.+0.j,  1.+0.j, nan+0.j])
    """
    orb = np.atleast_2d(np.asarray(orbits, dtype=complex))
    if orb.size == 0 or orb.shape[1] < 2:
        return np.zeros(0, complex)
    return np.concatenate([orb, orb[:, :1], np.full((orb.shape[0], 1), np.nan)], axis=1).ravel()


def plot_root_orbits(
    layer_roots: Sequence[LayerRoots],
    *,
    w_roots: FilterRoots | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    legend: bool = True,
    limit: float | None = None,
) -> Axes:
    """Draw the roots of ``p_w`` coloured by the layer that owns them, orbits joined.

    Parameters
    ----------
    layer_roots : sequence of LayerRoots
        From :func:`lcnn_widgets.fibers.root_orbits` for one fiber point (at most 8 layers).
    w_roots : FilterRoots, optional
        The roots of ``p_w`` (:func:`lcnn_widgets.fibers.filter_roots`), drawn as open rings.
    ax : matplotlib Axes, optional
    title : str, optional
    legend : bool, default=True
    limit : float, optional
        Half-width of the square view (default: fits the roots); fixed in a widget.

    Returns
    -------
    matplotlib.axes.Axes
        Roots at ``0`` are at the origin; roots at ``inf`` are listed in a corner, per layer.
    """
    if len(layer_roots) > _MAX_LAYERS:
        raise ValueError(
            f"layer_roots can have at most {_MAX_LAYERS} layers: got {len(layer_roots)}"
        )
    ax = new_axes(ax, (4.2, 4.2))
    phi = np.linspace(0, 2 * np.pi, 121)
    update_line(ax, "unit-circle", np.cos(phi), np.sin(phi), color="0.75", lw=0.8, ls=":")
    rings = np.zeros(0, complex)
    if w_roots is not None:
        rings = np.concatenate([w_roots.finite, np.zeros(w_roots.n_zero, complex)])
    label = "roots of $p_w$" if w_roots is not None else None
    ring: dict[str, Any] = dict(ls="none", marker="o", ms=13, mfc="none", mec="k", mew=1.2)
    update_line(ax, "w-roots", rings.real, rings.imag, label=label, **ring)
    pts_all, inf_notes, zero_notes = [rings], [], []
    for l in range(_MAX_LAYERS):
        used = l < len(layer_roots)
        pts = path = np.zeros(0, complex)
        label = "_nolegend_"
        if used:
            lr = layer_roots[l]
            pts = np.concatenate([lr.orbits.ravel(), np.zeros(lr.n_zero * lr.stride, complex)])
            path, label = orbit_outline(lr.orbits), f"layer {lr.layer} ($S$ = {lr.stride})"
            inf_notes += [f"layer {lr.layer}: ∞ × {lr.n_inf * lr.stride}"] if lr.n_inf else []
            zero_notes += [f"layer {lr.layer}: 0 × {lr.n_zero * lr.stride}"] if lr.n_zero else []
            pts_all.append(pts)
        n, color = l + 1, layer_color(l + 1)
        outline = update_line(ax, f"orbits-{n}", path.real, path.imag, color=color, **_DASH)
        dots = update_line(ax, f"layer-{n}", pts.real, pts.imag, color=color, label=label, **_DOT)
        for line in (outline, dots):  # the lines of absent layers are empty: skip them when drawing
            line.set_visible(used)
    _text(ax, "inf-note", "\n".join(inf_notes), (0.98, 0.98), ha="right", va="top", fontsize=8)
    _text(ax, "zero-note", "\n".join(zero_notes), (0.02, 0.02), ha="left", va="bottom", fontsize=8)
    if limit is not None:
        R = float(limit)
        if not (np.isfinite(R) and R > 0):
            raise ValueError(f"limit must be a positive number: got {limit!r}")
    else:
        R = 1.25 * max(1.0, float(np.max(np.abs(np.concatenate(pts_all)), initial=0.0)))
    if ax.get_xlim() != (-R, R) or ax.get_ylim() != (-R, R):  # (setting them costs time)
        ax.set(xlim=(-R, R), ylim=(-R, R))
    if find(ax.get_lines(), "axis-x") is None:  # the frame: set on the first call only
        ax.set_aspect("equal")
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.axhline(0, color="0.85", lw=0.6, gid="axis-x", zorder=0)
        ax.axvline(0, color="0.85", lw=0.6, gid="axis-y", zorder=0)
        ax.set(xlabel="Re $t$", ylabel="Im $t$")
    if title is not None:
        ax.set_title(title, fontsize=9)
    if legend:
        ax.legend(loc="upper left", fontsize=7, framealpha=0.8)
    return ax


def plot_factorization_counts(
    values: ArrayLike,
    counts: ArrayLike,
    *,
    xlabel: str = "parameter",
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Number of real factorizations along a one-parameter family of end-to-end filters.

    Parameters
    ----------
    values, counts : array_like of shape (n,)
        The family's parameter; ``count_real_factorizations`` there (0 where ``w`` is not in ``M``).
    xlabel : str, default="parameter"
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    x = as_finite_array(values, "values", ndim=1)
    c = as_finite_array(counts, "counts", ndim=1)
    if x.size != c.size:
        raise ValueError(f"values and counts must have the same length: got {x.size} and {c.size}")
    ax = new_axes(ax, (6.0, 2.6))
    update_line(ax, "counts", x, c, marker=".", ms=4, lw=1.0, color="k", drawstyle="steps-mid")
    ax.set(xlim=(float(x.min()), float(x.max())), ylim=(-0.3, max(1.0, float(c.max())) + 0.5))
    ax.set(yticks=range(int(max(1.0, c.max())) + 1), xlabel=xlabel, ylabel="real factorizations")
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax
