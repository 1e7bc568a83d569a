"""Pictures for the metric chapter (data from :mod:`lcnn_widgets.metric` in, the Axes out).

Called again on its Axes, a 2D function moves the artists it made (by ``gid``): in-place redraws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from .._validation import as_finite_array
from ..running_example import CubicSlice
from ._common import new_axes, update_line

__all__ = ["ellipse_outline", "plot_neuromanifold_slice", "plot_ntk_entry", "plot_unit_balls"]

_MARKER: dict[str, Any] = dict(color="C3", marker="o", markersize=9, linestyle="none")


def ellipse_outline(
    gram: ArrayLike, *, center: ArrayLike = (0.0, 0.0), scale: float = 1.0, n: int = 60
) -> np.ndarray:
    """Closed outline of ``center + scale * {x : x^T G x = 1}`` for a 2x2 Gram matrix ``G``.

    ``gram``: shape (2, 2), positive definite (else ValueError); ``center``: shape (2,); ``scale``:
    one per picture, so sizes compare. Returns shape (n + 1, 2), the first point repeated last.

    Examples
    --------
    >>> out = ellipse_outline([[4.0, 0.0], [0.0, 1.0]], n=4)
    >>> np.round(np.abs(out).max(axis=0), 6)  # semi-axes 1/sqrt(4) and 1/sqrt(1)
    array([0.5, 1. ])
    """
    G = as_finite_array(gram, "gram")
    if G.shape != (2, 2):
        raise ValueError(f"gram must be a 2x2 matrix: got shape {G.shape}")
    lam, V = np.linalg.eigh(0.5 * (G + G.T))
    if lam[0] <= 0:
        raise ValueError(f"gram must be positive definite: got eigenvalues {lam}")
    phi = np.linspace(0.0, 2 * np.pi, n + 1)
    circle = np.stack([np.cos(phi), np.sin(phi)])
    return as_finite_array(center, "center") + scale * (V @ (circle / np.sqrt(lam)[:, None])).T


def plot_unit_balls(
    centers: ArrayLike,
    outlines: Sequence[ArrayLike],
    *,
    reference: ArrayLike | None = None,
    highlight: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the unit balls of a metric at points of a 2D chart (a Tissot-style picture).

    ``centers``: shape (m, 2); ``outlines``: one closed outline (n, 2) per center
    (:func:`ellipse_outline`); ``reference``: dashed; ``highlight``: the index drawn thicker.
    Lines have the gids ``"centers"``, ``"ball-<i>"`` and ``"reference"``.
    """
    c = as_finite_array(centers, "centers", ndim=2)
    if len(outlines) != c.shape[0]:
        raise ValueError(
            f"outlines must have one entry per center: got {len(outlines)} for {c.shape[0]}"
        )
    ax = new_axes(ax, (5.0, 5.0))
    update_line(ax, "centers", c[:, 0], c[:, 1], color="0.4", marker=".", linestyle="none")
    for i, out in enumerate(outlines):
        color, width = ("C3", 2.2) if i == highlight else ("C0", 1.2)
        update_line(ax, f"ball-{i}", *np.asarray(out, float).T, color=color, linewidth=width)
    if reference is not None:
        ref = np.asarray(reference, float).T
        update_line(ax, "reference", *ref, color="0.3", linestyle="--", linewidth=1.0)
    ax.set_aspect("equal", adjustable="box")
    return ax


def plot_ntk_entry(
    deltas: ArrayLike,
    values: ArrayLike,
    *,
    delta: float | None = None,
    value: float | None = None,
    entry: tuple[int, int] = (1, 3),
    ax: Axes | None = None,
) -> Axes:
    """Plot an NTK entry ``Theta_{ij}(w; delta)`` against ``delta`` (Ex. 17): gids curve, marker.

    ``deltas, values``: shape (n,); ``delta, value``: the marker; ``entry``: 0-based, for the label.
    """
    x = as_finite_array(deltas, "deltas", ndim=1)
    y = as_finite_array(values, "values", ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"deltas and values must have the same length: got {x.size}, {y.size}")
    ax = new_axes(ax, (5.0, 3.5))
    update_line(ax, "curve", x, y, color="C0")
    if delta is not None and value is not None:
        update_line(ax, "marker", [delta], [value], **_MARKER)
    pad = 0.05 * max(float(np.ptp(y)), 1e-12)
    ax.set_xlim(float(x.min()), float(x.max()))
    ax.set_ylim(float(y.min()) - pad, float(y.max()) + pad)
    ax.set(xlabel=r"invariant $\delta$", ylabel=rf"$\Theta_{{{entry[0]},{entry[1]}}}(w;\delta)$")
    return ax


def plot_neuromanifold_slice(
    data: CubicSlice, *, ax: Axes | None = None, elev: float = 22.0, azim: float = -58.0
) -> Axes:
    """3D picture of the slice ``{w_0, w_4 fixed}`` of the running example's neuromanifold.

    ``data``: a :class:`CubicSlice`; ``elev``, ``azim``: viewing angles. Returns the Axes3D: two
    sheets, the singular line ``w_1 = w_3 = 0`` inside ``M`` (red) and outside (grey, dashed).
    """
    if not isinstance(data, CubicSlice):
        raise TypeError(f"data must be a CubicSlice: got {type(data).__name__}")
    # an Axes3D, typed Any: mpl_toolkits publishes no type information
    ax3d: Any = new_axes(ax, (6.0, 5.2), projection="3d")
    surface = dict(alpha=0.55, linewidth=0.2, edgecolor="0.3", rstride=1, cstride=1)
    for sheet, color in zip(data.sheets, ("C0", "C1"), strict=True):
        ax3d.plot_surface(sheet[0], sheet[2], sheet[1], color=color, **surface)
    h, zeros = data.heights, np.zeros_like(data.heights)
    inside = np.where(data.in_M, h, np.nan)
    ax3d.plot(zeros, zeros, inside, color="C3", linewidth=3, label=r"singular line (in $M$)")
    if np.any(~data.in_M):
        label = r"$w_1 = w_3 = 0$, not in $M$"
        outside = np.where(data.in_M, np.nan, h)
        ax3d.plot(zeros, zeros, outside, color="0.5", linestyle="--", linewidth=2, label=label)
    title = rf"$M \cap \{{w_0 = {data.w0:g},\ w_4 = {data.w4:g}\}}$"
    ax3d.set(xlabel="$w_1$", ylabel="$w_3$", zlabel="$w_2$", title=title)
    ax3d.view_init(elev=elev, azim=azim)
    ax3d.legend(loc="upper left", fontsize="small")
    return ax3d
