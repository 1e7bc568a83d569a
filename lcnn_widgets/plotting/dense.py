"""Pictures for the chapter on fully connected networks (data from :mod:`lcnn_widgets.dense`).

Each function takes data (and ``ax=None``), returns the Axes, and on a second call updates the
artists it made (found by ``gid``) in place. Heatmaps use ``cividis`` (readable in grey scale).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.image import AxesImage
from numpy.typing import ArrayLike

from .._validation import as_finite_array
from ._common import SEQUENTIAL_CMAP, find, new_axes, update_line

__all__ = ["plot_ntk_distance", "plot_ntk_heatmap", "vec_labels"]

_MARKERS = ("o", "s", "^", "D")


def vec_labels(shape: tuple[int, int]) -> list[str]:
    """Labels ``Z11, Z12, ...`` of the entries of row-major ``vec(Z)`` for ``Z`` of ``shape``.

    Examples
    --------
    >>> vec_labels((2, 2))
    ['Z11', 'Z12', 'Z21', 'Z22']
    """
    return [f"Z{a + 1}{b + 1}" for a in range(shape[0]) for b in range(shape[1])]


def plot_ntk_heatmap(
    theta: ArrayLike,
    *,
    shape: tuple[int, int] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    title: str | None = None,
    annotate: bool = True,
    norm: Normalize | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw an NTK matrix (on row-major ``vec(Z)``) as a heatmap, optionally with its entries.

    Parameters
    ----------
    theta : array_like of shape (K, K)
        The NTK matrix, e.g. :meth:`lcnn_widgets.FCN.ntk`.
    shape : tuple of int, optional
        Shape ``(d_L, d_0)`` of ``Z``; gives the tick labels ``Z11, Z12, ...``.
    vmin, vmax : float, optional
        Colour limits (default: the range of ``theta``).
    annotate : bool, default=True
        Write each entry (two decimals) into its cell.
    norm : matplotlib.colors.Normalize, optional
        A colour normalization with ``vmin``, ``vmax`` set, used instead of ``vmin``/``vmax``.

    Returns
    -------
    matplotlib.axes.Axes
        The image has gid ``"ntk"``; the entry texts have gids ``"ntk_i_j"``.
    """
    t = as_finite_array(theta, "theta", ndim=2)
    if t.shape[0] != t.shape[1]:
        raise ValueError(f"theta must be a square matrix: got shape {t.shape}")
    ax = new_axes(ax, (4.0, 3.6))
    lo = float(t.min()) if vmin is None else float(vmin)
    hi = float(t.max()) if vmax is None else float(vmax)
    hi = hi if hi > lo else lo + 1.0
    if norm is not None and (norm.vmin is None or norm.vmax is None):
        raise ValueError(f"norm must have vmin and vmax set: got {norm.vmin}, {norm.vmax}")
    image = find(ax.get_images(), "ntk")
    if image is None or image.get_array().shape != t.shape:
        if image is not None:
            image.remove()
            for txt in [x for x in ax.texts if str(x.get_gid()).startswith("ntk_")]:
                txt.remove()
        clim = {"norm": norm} if norm is not None else {"vmin": lo, "vmax": hi}
        image = ax.imshow(t, cmap=SEQUENTIAL_CMAP, gid="ntk", interpolation="nearest", **clim)
        k = t.shape[0]
        ax.set_xticks(range(k))
        ax.set_yticks(range(k))
        if shape is not None and shape[0] * shape[1] == k:
            ax.set_xticks(range(k), vec_labels(shape), fontsize="small", rotation=90)
            ax.set_yticks(range(k), vec_labels(shape), fontsize="small")
    else:
        image.set_data(t)
        if norm is None:
            image.set_clim(lo, hi)
        elif image.norm is not norm:
            image.set_norm(norm)
    if annotate:
        _annotate(ax, image, t)
    if title is not None:
        ax.set_title(title, fontsize="medium")
    return ax


def _annotate(ax: Axes, image: AxesImage, t: np.ndarray) -> None:
    """Write the entries of ``t`` into the cells, dark on light cells and light on dark ones."""
    norm, cmap = image.norm, image.get_cmap()
    for (i, j), value in np.ndenumerate(t):
        r, g, b, _ = cmap(norm(value))
        colour = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
        gid = f"ntk_{i}_{j}"
        txt = find(ax.texts, gid) or ax.text(j, i, "", ha="center", va="center", gid=gid)
        txt.set(text=f"{value:.2f}", color=colour, fontsize="small")


def plot_ntk_distance(
    phis: ArrayLike,
    curves: Mapping[str, ArrayLike],
    *,
    phi: float | None = None,
    current: Mapping[str, float] | None = None,
    ax: Axes | None = None,
    ylim: tuple[float, float] | None = None,
    legend: Mapping[str, Any] | None = None,
) -> Axes:
    """Draw ``||Theta(phi) - Theta(0)||_F`` along one-parameter families, with moving markers.

    Parameters
    ----------
    phis : array_like of shape (n,)
        The angles (radians).
    curves : mapping of str to array_like of shape (n,)
        One distance curve per family, by legend label (at most four).
    phi, current : float and mapping of str to float, optional
        The current angle and each family's distance there (keys of ``curves``): the markers.
    ylim : tuple of float, optional
        Fixed limits of the distance axis (default: from the curves, with room for the legend).
    legend : mapping, optional
        Keyword arguments of :meth:`~matplotlib.axes.Axes.legend` (on the first call).

    Returns
    -------
    matplotlib.axes.Axes
        Lines have gids ``"curve_k"`` and markers ``"marker_k"`` (``k`` = position in ``curves``).
    """
    x = as_finite_array(phis, "phis", ndim=1)
    if len(curves) > len(_MARKERS):
        raise ValueError(f"curves must hold at most {len(_MARKERS)} families: got {len(curves)}")
    ax = new_axes(ax, (4.5, 3.4))
    first = not any(str(ln.get_gid()).startswith("curve_") for ln in ax.get_lines())
    top = 1.0
    for k, (label, ys) in enumerate(curves.items()):
        y = as_finite_array(ys, f"curves[{label!r}]", ndim=1)
        if y.shape != x.shape:
            raise ValueError(
                f"curves[{label!r}] must have one value per angle ({x.size}): got {y.size}"
            )
        top = max(top, float(y.max()))
        update_line(ax, f"curve_{k}", x, y, relabel=True, color=f"C{k}", lw=1.8, label=label)
        if phi is not None and current is not None:
            xy = [float(phi)], [float(current[label])]
            style: dict[str, Any] = dict(marker=_MARKERS[k], markersize=8, markeredgecolor="black")
            update_line(ax, f"marker_{k}", *xy, linestyle="none", color=f"C{k}", **style)
    ax.set_xlim(float(x.min()), float(x.max()))
    lo, hi = (-0.05 * top, 1.45 * top) if ylim is None else ylim  # room for the legend
    ax.set_ylim(float(lo), float(hi))
    if first:
        ticks = np.arange(0.0, float(x.max()) + 1e-9, np.pi / 2)
        names = ["0", "π/2", "π", "3π/2", "2π", "5π/2", "3π"]
        if ticks.size <= len(names):
            ax.set_xticks(ticks, names[: ticks.size])
        ax.set(xlabel="rotation angle φ", ylabel="‖Θ(φ) − Θ(0)‖ (Frobenius)")
        ax.grid(alpha=0.3)
        ax.legend(**{"loc": "upper center", "fontsize": "small", **(legend or {})})
    return ax
