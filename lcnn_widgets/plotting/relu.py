"""Pictures for the chapter on shallow ReLU networks: activation regions in a plane.

Regions are shaded by the *number* of active first-layer units (``cividis``: lightness grows, the
brightest region is the linear one); kink lines tell regions with the same count apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from ..relu import ActivationRegions
from ._common import SEQUENTIAL_CMAP, find, new_axes, update_line

__all__ = ["CMAP", "kink_segment", "plot_activation_regions"]

CMAP = SEQUENTIAL_CMAP
DASHES = ("-", "--", ":", "-.")  # of the kink lines of units 1, 2, 3, 4 (then again)
KINK: dict[str, Any] = dict(color="black", lw=1.3)
STAR: dict[str, Any] = dict(marker="*", ms=13, color="white", mec="black", ls="none")  # a point


def kink_segment(line: Sequence[float], extent: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """The part of the line ``c_0 + c_1 a + c_2 b = 0`` inside the box ``extent``.

    ``line = (c_0, c_1, c_2)``, a row of :attr:`ActivationRegions.lines`; ``extent = (a_min, a_max,
    b_min, b_max)``. Returns ``a, b``: shape (2,), or (0,) if the line misses the box or
    ``c_1 = c_2 = 0``.

    Examples
    --------
    >>> kink_segment([0.0, 1.0, -1.0], [-1, 1, -1, 1])
    (array([-1.,  1.]), array([-1.,  1.]))
    """
    c0, c1, c2 = (float(c) for c in line)
    a0, a1, b0, b1 = (float(e) for e in extent)
    pts: list[tuple[float, float]] = []
    if abs(c2) > 1e-14:  # intersections with the vertical sides a = a0, a1
        pts += [(a, -(c0 + c1 * a) / c2) for a in (a0, a1)]
    if abs(c1) > 1e-14:  # with the horizontal sides b = b0, b1
        pts += [(-(c0 + c2 * b) / c1, b) for b in (b0, b1)]
    eps = 1e-9 * max(a1 - a0, b1 - b0)
    pts = [(a, b) for a, b in pts if a0 - eps <= a <= a1 + eps and b0 - eps <= b <= b1 + eps]
    inside = sorted({(round(a, 12), round(b, 12)) for a, b in pts})
    if len(inside) < 2:
        return np.empty(0), np.empty(0)
    (pa, pb), (qa, qb) = inside[0], inside[-1]
    return np.array([pa, qa]), np.array([pb, qb])


def plot_activation_regions(
    regions: ActivationRegions,
    *,
    point: Sequence[float] | np.ndarray | None = None,
    title: str | None = None,
    labels: Sequence[str] | None = None,
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Shade a plane of inputs by how many first-layer units are active, with the kink lines.

    Returns the Axes: image gid ``"regions"``, kink lines ``"kink_u"``, marker ``"point"``; a second
    call on them moves the artists in place.

    Parameters
    ----------
    regions : ActivationRegions, from :func:`lcnn_widgets.relu.activation_regions`
    point, title : optional: ``(a, b)``, a point to mark (e.g. a test input); str
    labels : (str, str), default=("$a$", "$b$")
    legend : bool, default=True, shades ("k of n active") and up to four kinks (on a first call)

    Examples
    --------
    >>> from lcnn_widgets.relu import ReLUMLP, activation_regions
    >>> r = activation_regions(ReLUMLP([2, 2, 1]), [[[1, 0], [0, 1]], [[1, 1]]], resolution=5)
    >>> ax = plot_activation_regions(r)
    >>> ax.get_images()[0].get_array().max()
    np.float64(1.0)
    """
    if not isinstance(regions, ActivationRegions):
        raise TypeError(
            f"regions must be an ActivationRegions (from activation_regions): got "
            f"{type(regions).__name__}"
        )
    ax = new_axes(ax, (4.2, 4.0))
    n, ext = max(regions.n_units, 1), regions.extent
    shade, image = regions.n_active / n, find(ax.get_images(), "regions")
    if image is None:
        kw: dict[str, Any] = dict(cmap=CMAP, vmin=0.0, vmax=1.0, interpolation="nearest")
        image = ax.imshow(shade, origin="lower", extent=ext, aspect="auto", gid="regions", **kw)
    else:
        image.set_data(shade)
        image.set_extent(ext)
    for u in range(regions.n_units):
        a, b = kink_segment(regions.lines[u], ext)
        label = f"kink of unit {u + 1}" if u < 4 else None
        update_line(ax, f"kink_{u}", a, b, ls=DASHES[u % 4], label=label, **KINK)
    for line in list(ax.get_lines()):  # fewer units than before: drop the extra kinks
        gid = str(line.get_gid())
        if gid.startswith("kink_") and int(gid[5:]) >= regions.n_units:
            line.remove()
    if point is not None:
        update_line(ax, "point", [float(point[0])], [float(point[1])], **STAR)
    if ax.get_xlim() != (ext[0], ext[1]) or ax.get_ylim() != (ext[2], ext[3]):
        ax.set(xlim=ext[:2], ylim=ext[2:])
    la, lb = labels if labels is not None else ("$a$", "$b$")
    ax.set(xlabel=la, ylabel=lb)
    if title is not None:
        ax.set_title(title, fontsize="medium")
    if legend and ax.get_legend() is None:
        cmap = image.get_cmap()
        # every level for a few units (right while a widget redraws), else the levels that occur
        present = range(n + 1) if n <= 4 else np.unique(regions.n_active).tolist()
        shades = [Patch(fc=cmap(k / n), ec="black", label=f"{k} of {n} active") for k in present]
        kinks = [ln for ln in ax.get_lines() if str(ln.get_gid()).startswith("kink_")][:4]
        ax.legend(handles=[*shades, *kinks], loc="upper left", fontsize="x-small", framealpha=0.85)
    return ax
