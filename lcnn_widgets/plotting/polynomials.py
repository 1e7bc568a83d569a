"""Pictures for chapter 1: filters as stems, convolution matrices, signals, 2D filter images.

Each function draws data on ``ax`` (default: a new non-pyplot Figure, shown once when a cell
ends with ``ax.figure``) and returns the Axes. Grey-scale safe: layers differ by marker and line
style too; images use a diverging map centred at zero *and* print their entries.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import StemContainer
from matplotlib.typing import LineStyleType
from numpy.typing import ArrayLike

from .._validation import as_finite_array
from ..polynomials import convolution_matrix
from ._common import DIVERGING_CMAP, contrast_color, new_axes

__all__ = [
    "plot_conv_matrix",
    "plot_end_to_end",
    "plot_filter_image",
    "plot_filters",
    "plot_signals",
    "set_stem_data",
]

#: marker / line style per layer, readable without colour
_MARKERS = "os^DvP"
_LINESTYLES: tuple[LineStyleType, ...] = ("-", "--", "-.", ":", "-", "--")


def set_stem_data(stem: StemContainer, x: ArrayLike, y: ArrayLike) -> StemContainer:
    """Move the stems to positions ``x``, heights ``y`` in place (no new artists); return ``stem``.

    Parameters
    ----------
    stem : matplotlib.container.StemContainer
    x, y : array_like of shape (n,)

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> stem = set_stem_data(ax.stem([0, 1], [1, 1]), [0, 1, 2], [3, -1, 2])
    >>> stem.markerline.get_ydata().tolist(), len(stem.stemlines.get_segments())
    ([3.0, -1.0, 2.0], 3)
    """
    xs, ys = as_finite_array(x, "x", ndim=1), as_finite_array(y, "y", ndim=1)
    if xs.shape != ys.shape:
        raise ValueError(f"x and y must have the same length: got {xs.size} and {ys.size}")
    stem.markerline.set_data(xs, ys)
    stem.stemlines.set_segments([np.array([[a, 0.0], [a, b]]) for a, b in zip(xs, ys, strict=True)])
    stem.baseline.set_data([xs.min() - 0.5, xs.max() + 0.5], [0.0, 0.0])
    return stem


def _stem(
    ax: Axes, x: np.ndarray, y: np.ndarray, layer: int, label: str | None = None, color: str = ""
) -> StemContainer:
    marker, linestyle = _MARKERS[layer % len(_MARKERS)], _LINESTYLES[layer % len(_MARKERS)]
    color = color or f"C{layer % 10}"
    stem = ax.stem(x, y, linefmt=color, markerfmt=color + marker, basefmt="k-", label=label)
    stem.stemlines.set(linestyle=linestyle, linewidth=2)
    stem.baseline.set_linewidth(0.8)
    return stem


def _title(ax: Axes, title: str | None, default: str) -> None:
    """Set ``title`` (``default`` for None); an empty title is left out."""
    title = default if title is None else title
    if title:
        ax.set_title(title)


def _image(ax: Axes, values: np.ndarray, vmax: float, fmt: str, annotate: bool, bar: bool) -> None:
    """``values`` on the diverging map over ``[-vmax, vmax]``, nonzero entries printed."""
    im = ax.imshow(values, cmap=DIVERGING_CMAP, vmin=-vmax, vmax=vmax)
    for (i, j), v in np.ndenumerate(values):
        if annotate and v != 0:
            color = contrast_color(v, vmax)
            ax.text(j, i, format(v, fmt), ha="center", va="center", color=color, fontsize="small")
    ax.set(xticks=np.arange(values.shape[1]), yticks=np.arange(values.shape[0]))
    if bar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8)


def plot_filters(
    filters: Sequence[ArrayLike], *, ax: Axes | None = None, title: str | None = "layer filters"
) -> Axes:
    """Stem plots of the 1D layer filters, side by side; ``ax.containers[l]`` shows layer ``l + 1``.

    Parameters
    ----------
    filters : sequence of array_like, each of shape (k_l,)
    ax : matplotlib.axes.Axes, optional
    title : str or None, default="layer filters"

    Examples
    --------
    >>> ax = plot_filters([[1, -1, 2], [0.5, 1]])
    >>> [c.markerline.get_ydata().tolist() for c in ax.containers]
    [[1.0, -1.0, 2.0], [0.5, 1.0]]
    """
    if isinstance(filters, (str, bytes)) or not isinstance(filters, (Sequence, np.ndarray)):
        raise TypeError(f"filters must be a sequence of 1D filters: got {type(filters).__name__}")
    arrays = [as_finite_array(f, f"filters[{i}]", ndim=1) for i, f in enumerate(filters)]
    if not arrays:
        raise ValueError("filters must hold at least one filter: got an empty sequence")
    starts = [0, *np.cumsum([a.size + 1 for a in arrays]).tolist()]  # layer l + 1 from starts[l]
    ax = new_axes(ax, (1.2 + 0.45 * starts[-1], 3.0))
    for l, arr in enumerate(arrays):
        _stem(ax, starts[l] + np.arange(arr.size), arr, l, f"$w_{{{l + 1}}}$ (size {arr.size})")
        if l:
            ax.axvline(starts[l] - 1, color="0.6", linestyle=":", linewidth=1)
    ticks = [s + i for s, a in zip(starts, arrays, strict=False) for i in range(a.size)]
    ax.set_xticks(ticks, [str(i) for a in arrays for i in range(a.size)])
    ax.set(xlim=(-0.7, starts[-1] - 1.3), xlabel="entry index $i$ within each layer")
    ax.set_ylabel("filter entry")
    ax.legend(loc="best", fontsize="small")
    _title(ax, title, "")
    return ax


def plot_end_to_end(
    w: ArrayLike, *, stride: int | None = None, ax: Axes | None = None, title: str | None = None
) -> Axes:
    """Stem plot (``ax.containers[0]``) of an end-to-end filter ``w = pi(theta)``.

    Parameters
    ----------
    w : array_like of shape (k,)
    stride : int, optional
        The total stride ``S_L``, shown in the default title.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Default: the size (and stride).

    Examples
    --------
    >>> ax = plot_end_to_end([1, 1, 3, 2, 2], stride=2)
    >>> ax.containers[0].markerline.get_ydata().tolist()
    [1.0, 1.0, 3.0, 2.0, 2.0]
    """
    arr = as_finite_array(w, "w", ndim=1)
    ax = new_axes(ax, (max(4.0, 0.5 * arr.size + 1.5), 3.0))
    _stem(ax, np.arange(arr.size), arr, layer=0, color="k")
    ax.set(xticks=np.arange(arr.size), xlim=(-0.7, arr.size - 0.3), ylabel="entry of $w$")
    ax.set_xlabel(r"index $i$ (coefficient of $x^{k-1-i}\,y^{i}$)")
    default = r"end-to-end filter $w=\pi(\theta)$" + f"\nsize {arr.size}"
    _title(ax, title, default + ("" if stride is None else f", stride {stride}"))
    return ax


def plot_conv_matrix(
    w: ArrayLike,
    stride: int,
    n: int,
    *,
    ax: Axes | None = None,
    annotate: bool | None = None,
    colorbar: bool = True,
) -> Axes:
    """Picture of the banded ("Toeplitz with stride") matrix of ``conv(w, stride, .)`` on R^n.

    ``ax.images[0].get_array()`` is :func:`lcnn_widgets.convolution_matrix`.

    Parameters
    ----------
    w : array_like of shape (k,)
    stride, n : int
        Stride and input length ``n >= k``; the matrix has shape ``((n - k) // stride + 1, n)``.
    ax : matplotlib.axes.Axes, optional
    annotate : bool, optional
        Print the nonzero entries; default: when the matrix has at most 300 entries.
    colorbar : bool, default=True

    Examples
    --------
    >>> ax = plot_conv_matrix([1, 2], 2, 5)
    >>> ax.images[0].get_array().shape
    (2, 5)
    """
    mat = convolution_matrix(w, stride, n)
    ax = new_axes(ax, (min(12.0, 1.5 + 0.45 * n), min(8.0, 1.2 + 0.45 * mat.shape[0])))
    annotate = mat.size <= 300 if annotate is None else annotate
    _image(ax, mat, float(np.abs(mat).max()) or 1.0, ".3g", annotate, colorbar)
    ax.set(xlabel="input index $j$", ylabel="output index $i$")
    ax.set_title(f"matrix of the convolution: stride {stride}, input length {n}")
    return ax


def plot_signals(
    layer_by_layer: ArrayLike,
    one_convolution: ArrayLike,
    *,
    positions: ArrayLike | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """The network output computed layer by layer next to one convolution with ``pi(theta)``.

    ``ax.lines[0]`` shows ``layer_by_layer`` and ``ax.lines[1]`` ``one_convolution``.

    Parameters
    ----------
    layer_by_layer, one_convolution : array_like of shape (m,)
        ``LCN.forward(filters, x)`` and ``conv(pi(theta), S_L, x)``.
    positions : array_like of shape (m,), optional
        Horizontal positions, e.g. ``S_L * arange(m)``; default: the output index.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Default: the largest absolute difference.

    Examples
    --------
    >>> ax = plot_signals([1.0, 2.0], [1.0, 2.0])
    >>> ax.lines[1].get_ydata().tolist()
    [1.0, 2.0]
    """
    a = as_finite_array(layer_by_layer, "layer_by_layer", ndim=1)
    b = as_finite_array(one_convolution, "one_convolution", ndim=1)
    if a.shape != b.shape:
        raise ValueError(
            "layer_by_layer and one_convolution must have the same length: got "
            f"{a.size} and {b.size}"
        )
    if positions is None:
        idx, xlabel = np.arange(a.size), "output index $i$"
    else:
        idx = as_finite_array(positions, "positions", ndim=1)
        if idx.shape != a.shape:
            raise ValueError(
                f"positions must have one entry per output: got {idx.size} for {a.size} outputs"
            )
        xlabel = "input position $i\\,S$ where output $i$ starts reading"
    ax = new_axes(ax, (6.0, 3.0))
    ax.plot(idx, a, "o-", color="C0", markersize=7, linewidth=1, label="layer by layer")
    label = r"one convolution with $\pi(\theta)$"
    ax.plot(idx, b, "x", color="k", markersize=9, markeredgewidth=2, label=label)
    ax.axhline(0, color="0.7", linewidth=0.8)
    ax.set(xlabel=xlabel, ylabel="output value")
    ax.legend(loc="best", fontsize="small")
    _title(ax, title, f"network output: max |difference| = {np.max(np.abs(a - b)):.1e}")
    return ax


def plot_filter_image(
    w2d: ArrayLike,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    vmax: float | None = None,
    annotate: bool = True,
    colorbar: bool = True,
) -> Axes:
    """A 2D filter as an image, entry ``[i_1, i_2]`` in row ``i_1`` and column ``i_2``.

    Parameters
    ----------
    w2d : array_like of shape (k_1, k_2)
        ``w2d[i_1, i_2]`` multiplies ``x_1^(k_1-1-i_1) y_1^(i_1) x_2^(k_2-1-i_2) y_2^(i_2)``.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Default: the shape; ``""`` for none.
    vmax : float, optional
        Colour scale ``[-vmax, vmax]``; default: the largest absolute entry.
    annotate, colorbar : bool, default=True
        Print the nonzero entries; draw a colour bar.

    Examples
    --------
    >>> ax = plot_filter_image([[1, 0], [0, -1]])
    >>> ax.images[0].get_array().tolist()
    [[1.0, 0.0], [0.0, -1.0]]
    """
    arr = as_finite_array(w2d, "w2d", ndim=2)
    ax = new_axes(ax, (1.5 + 0.5 * arr.shape[1], 1.0 + 0.5 * arr.shape[0]))
    scale = float(vmax) if vmax is not None else float(np.abs(arr).max())
    if not np.isfinite(scale) or scale < 0:
        raise ValueError(f"vmax must be a finite nonnegative number: got {vmax!r}")
    _image(ax, arr, scale or 1.0, ".2g", annotate, colorbar)
    ax.set(xlabel="$i_2$ (power of $y_2$)", ylabel="$i_1$ (power of $y_1$)")
    _title(ax, title, f"2D filter of shape {arr.shape}")
    return ax
