"""Pictures for the chapter on higher-dimensional convolutions: 2D filters as images.

``w[i_1, i_2]`` is drawn with ``i_1`` down the rows, on a diverging colour map centred at zero,
with the entries in the cells; a picture updates in place, even when the shape changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from numpy.typing import ArrayLike

from .._validation import as_finite_array
from ._common import DIVERGING_CMAP, contrast_color, find, new_axes, new_panel_row

__all__ = ["plot_filter_grid", "plot_filter_row"]

#: the colour map with light grey for the cells outside a filter drawn into a larger ``frame``
_CMAP = colormaps[DIVERGING_CMAP].with_extremes(bad="0.88")
#: text artists kept per axes (enough for a 7 x 7 end-to-end filter)
_MAX_CELLS = 49


def plot_filter_grid(
    w2d: ArrayLike,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    vmax: float | None = None,
    annotate: bool = True,
    digits: int = 2,
    fontsize: str | float = "x-small",
    frame: tuple[int, int] | None = None,
) -> Axes:
    """Draw a 2D filter as an image; a second call on the same axes updates it in place.

    Parameters
    ----------
    w2d : array_like of shape (k_1, k_2)
        ``w2d[i_1, i_2]`` multiplies ``x_1^(k_1-1-i_1) y_1^i_1 x_2^(k_2-1-i_2) y_2^i_2``.
    ax : matplotlib Axes, optional
    title : str, optional
    vmax : float, optional
        Colour scale ``[-vmax, vmax]`` (default: the largest absolute entry).
    annotate : bool, default=True
        Write the entries (``digits`` decimals, zeros blank) into the cells, up to 49 entries.
    digits : int, default=2
    fontsize : str or float, default="x-small"
        Size of the entries (used when the texts are created).
    frame : (int, int), optional
        A fixed grid (at least the filter's shape) with the filter top left, other cells grey.

    Returns
    -------
    matplotlib.axes.Axes
        The image has gid ``"filter"``, the cell texts ``"cell_n"``.

    Examples
    --------
    >>> ax = plot_filter_grid([[1, 0], [0, -1]])
    >>> ax = plot_filter_grid([[1, 2, 3]], ax=ax)      # new shape, same artists
    >>> ax.images[0].get_array().shape, len(ax.images)
    ((1, 3), 1)
    """
    arr = as_finite_array(w2d, "w2d", ndim=2)
    ax = new_axes(ax, (1.4 + 0.5 * arr.shape[1], 1.0 + 0.5 * arr.shape[0]))
    scale = float(np.abs(arr).max()) if vmax is None else float(vmax)
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0
    m, n = arr.shape
    m_box, n_box = arr.shape if frame is None else (int(v) for v in frame)
    if m_box < m or n_box < n:
        raise ValueError(f"frame must hold the filter of shape {arr.shape}: got {frame}")
    shown = np.full((m_box, n_box), np.nan)  # cells outside the filter: the "bad" colour
    shown[:m, :n] = arr
    extent = (-0.5, n_box - 0.5, m_box - 0.5, -0.5)
    image = find(ax.get_images(), "filter")
    new = image is None
    if new:
        style: dict[str, Any] = {"cmap": _CMAP, "interpolation": "nearest", "gid": "filter"}
        image = ax.imshow(shown, vmin=-scale, vmax=scale, extent=extent, **style)
    else:
        image.set_data(shown)
        if tuple(image.get_extent()) != extent:
            image.set_extent(extent)
        if image.get_clim() != (-scale, scale):
            image.set_clim(-scale, scale)
    if new or ax.get_xlim() != (-0.5, n_box - 0.5) or ax.get_ylim() != (m_box - 0.5, -0.5):
        ax.set_xlim(-0.5, n_box - 0.5)
        ax.set_ylim(m_box - 0.5, -0.5)
        ax.set_xticks(range(n_box))
        ax.set_yticks(range(m_box))
    cells = list(np.ndindex(arr.shape)) if annotate and arr.size <= _MAX_CELLS else []
    for c in range(_MAX_CELLS):
        txt = find(ax.texts, f"cell_{c}")
        if c < len(cells):
            i, j = cells[c]
            v = float(arr[i, j])
            label = "" if round(v, digits) == 0 else f"{v:.{digits}f}".rstrip("0").rstrip(".")
            if txt is None:
                txt = ax.text(
                    j, i, "", ha="center", va="center", fontsize=fontsize, gid=f"cell_{c}"
                )
            txt.update({"text": label, "position": (j, i), "color": contrast_color(v, scale)})
        elif txt is not None:
            txt.set_text("")
    if title is not None:
        ax.set_title(title, fontsize="medium")
    return ax


def plot_filter_row(
    filters: Sequence[ArrayLike],
    *,
    titles: Sequence[str] | None = None,
    axes: Sequence[Axes] | None = None,
    annotate: bool = True,
) -> Figure | SubFigure:
    """Several 2D filters side by side (e.g. the layers and the end-to-end filter).

    ``filters`` of shapes (k_1, k_2), one optional title each; ``axes``: at least
    ``len(filters)`` Axes, else a new Figure with one row; ``annotate`` as in
    :func:`plot_filter_grid`. Returns the Figure (or SubFigure), each panel on its own scale.
    """
    arrays = [as_finite_array(f, f"filters[{i}]", ndim=2) for i, f in enumerate(filters)]
    if not arrays:
        raise ValueError("filters must hold at least one 2D filter: got an empty sequence")
    if axes is None:
        widths = [a.shape[1] + 1.0 for a in arrays]
        axes = new_panel_row(
            len(arrays),
            (0.55 * sum(widths) + 0.6 * len(arrays), 0.55 * max(a.shape[0] for a in arrays) + 1.3),
            width_ratios=widths,
        )
    axes = list(axes)
    if len(axes) < len(arrays):
        raise ValueError(f"axes must hold at least {len(arrays)} Axes: got {len(axes)}")
    for i, (a, ax) in enumerate(zip(arrays, axes, strict=False)):  # spare axes stay empty
        plot_filter_grid(a, ax=ax, title=None if titles is None else titles[i], annotate=annotate)
    return axes[0].figure
