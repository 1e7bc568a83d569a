"""Pictures for the chapter on conserved quantities and rescaling.

Each function draws on ``ax`` and returns it; a second call on the same Axes moves the artists
it made (found by the ``gid`` each docstring names), so the widgets reuse this code. Labels that
change with the data are plain text: re-parsing mathtext is slow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from numpy.typing import ArrayLike

from .._validation import as_finite_array
from ._common import find, new_axes, update_line

__all__ = [
    "plot_invariant_drift",
    "plot_loss",
    "plot_orbit_invariant",
    "plot_orbit_plane",
    "plot_rescaling_equation",
]

_CURRENT: dict[str, Any] = {"color": "C0", "marker": "o", "markersize": 8, "linestyle": "none"}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_TARGET: dict[str, Any] = {"color": "C3", "marker": "*", "markersize": 13, "linestyle": "none"}
_CURVE: dict[str, Any] = {"color": "0.15", "lw": 1.8}

#: lines whose labels show the current values: the label is refreshed on every call
_line = partial(update_line, relabel=True)


def _axline(ax: Axes, gid: str, at: float, *, vertical: bool = False, **style: Any) -> Line2D:
    """A horizontal (or vertical) reference line at ``at``, moved in place on reuse."""
    line = find(ax.get_lines(), gid)
    if line is None:
        return (ax.axvline if vertical else ax.axhline)(at, gid=gid, **style)
    (line.set_xdata if vertical else line.set_ydata)([at, at])
    if "label" in style:
        line.set_label(style["label"])
    return line


def _xy(value: ArrayLike, name: str, ncols: int | None = None) -> np.ndarray:
    """A checked finite array, with ``ncols`` entries along its last axis if given."""
    arr = as_finite_array(value, name)
    if ncols is not None and arr.shape[-1:] != (ncols,):
        raise ValueError(f"{name} must have {ncols} entries along its last axis: got {arr.shape}")
    return arr


def _curve(x: ArrayLike, y: ArrayLike, names: tuple[str, str], n: str) -> tuple[np.ndarray, ...]:
    """Checked 1D arrays ``x``, ``y`` of the same shape ``(n,)``."""
    xs, ys = _xy(x, names[0]), _xy(y, names[1])
    if xs.ndim != 1 or xs.shape != ys.shape:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape ({n},): got {xs.shape}, {ys.shape}"
        )
    return xs, ys


def _plain_log_ticks(axis: Axis, subs: tuple[float, ...] = (1.0, 2.0, 5.0)) -> None:
    """Log ticks at ``subs`` times powers of ten with plain-text labels (no mathtext, no minor)."""
    axis.set_major_locator(LogLocator(base=10.0, subs=subs))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _time_axis(ax: Axes, t: np.ndarray, xlim: tuple[float, float] | None) -> None:
    """The time axis: ``xlim``, or the times given (at least one unit long)."""
    default = (float(t[0]), float(t[-1]) if t[-1] > t[0] else float(t[0]) + 1.0)
    ax.set(xlim=tuple(float(v) for v in (default if xlim is None else xlim)), xlabel="time t")


def plot_orbit_plane(
    orbit: ArrayLike,
    point: ArrayLike,
    *,
    rescaled: ArrayLike | None = None,
    target: float | None = None,
    deltas: Sequence[float] = (),
    limit: float | None = None,
    ax: Axes | None = None,
    values_in_labels: bool = True,
    legend: Mapping[str, Any] | None = None,
) -> Axes:
    """The scaling orbit of a two-layer network in the plane of squared filter norms.

    Lines (by gid): ``"orbit"``, ``"point"``, ``"rescaled"``, ``"target"``, ``"current_delta"``,
    ``"delta_0"``, ``"delta_1"``, ...

    Parameters
    ----------
    orbit : array_like of shape (n, 2)
        Points ``(||c w_1||^2, ||w_2 / c||^2)`` (e.g. :func:`lcnn_widgets.orbit_norms`).
    point, rescaled : array_like of shape (2,)
        Squared norms of the current filters (a dot) and, optionally, the rescaled ones (a star).
    target : float, optional
        The line ``a_2 - a_1 = target`` in the star's colour; ``deltas`` more levels, in grey.
    deltas : sequence of float, default=()
    limit : float, optional
        Both axes run from 0 to ``limit`` (default: a little beyond the marked points).
    ax : matplotlib.axes.Axes, optional
    values_in_labels : bool, default=True
        Show the invariants in the legend; False: fixed labels, one legend (for widgets).
    legend : mapping, optional
        Keyword arguments of :meth:`~matplotlib.axes.Axes.legend`.

    Examples
    --------
    >>> ax = plot_orbit_plane([[1, 4], [2, 2], [4, 1]], [1, 4], rescaled=[2, 2], target=0.0)
    >>> tuple(float(v) for v in ax.get_xlim())
    (0.0, 5.0)
    """
    orb, p = _xy(orbit, "orbit", 2), _xy(point, "point", 2)
    ax = new_axes(ax, (4.5, 4.2))
    marked = [p] + ([_xy(rescaled, "rescaled", 2)] if rescaled is not None else [])
    top = float(limit) if limit is not None else 1.25 * max(float(np.max(marked)), 1e-12)
    _line(ax, "orbit", orb[:, 0], orb[:, 1], label="scaling orbit a₁a₂ = const", **_CURVE)

    def level(delta: float) -> tuple[list[float], list[float]]:
        # the part of a_2 = a_1 + delta inside the square [0, top]^2
        lo, hi = max(0.0, -delta), min(top, top - delta)
        return ([lo, hi], [lo + delta, hi + delta]) if hi > lo else ([], [])

    for i, d in enumerate(deltas):
        _line(ax, f"delta_{i}", *level(float(d)), color="0.75", lw=0.8, ls="-", zorder=0)
    cur = float(p[1] - p[0])
    label = f"δ = {cur:.3g} (current)" if values_in_labels else "current δ"
    _line(ax, "current_delta", *level(cur), color="C0", lw=1.0, ls=":", label=label)
    _line(ax, "point", [p[0]], [p[1]], label="current filters", **_CURRENT)
    if target is not None:
        label = f"δ = {float(target):.3g} (target)" if values_in_labels else "target δ"
        _line(ax, "target", *level(float(target)), color="C3", lw=1.2, ls="--", label=label)
    if rescaled is not None:
        _line(ax, "rescaled", [marked[1][0]], [marked[1][1]], label="rescaled filters", **_TARGET)
    ax.set(xlim=(0.0, top), ylim=(0.0, top), xlabel="a₁ = ‖w₁‖²", ylabel="a₂ = ‖w₂‖²")
    ax.set_aspect("equal", adjustable="box")
    if values_in_labels or ax.get_legend() is None:  # fixed labels: one legend, kept
        ax.legend(**{"loc": "best", "fontsize": "x-small", "framealpha": 0.85, **(legend or {})})
    return ax


def plot_orbit_invariant(
    c: ArrayLike,
    delta: ArrayLike,
    *,
    target: float | None = None,
    c_target: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The invariant along the scaling orbit ``(c w_1, w_2 / c)`` as a function of ``c``.

    Lines (by gid): ``"orbit_delta"``, ``"target"``, ``"hit"``.

    Parameters
    ----------
    c, delta : array_like of shape (n,)
        Positive scale factors (log axis) and the invariant there (``orbit_invariants``).
    target, c_target : float, optional
        A target value (a horizontal line) and where the curve meets it (a star).
    ax : matplotlib.axes.Axes, optional

    Examples
    --------
    >>> ax = plot_orbit_invariant([0.5, 1, 2], [3.0, 0.0, -3.0], target=0.0, c_target=1.0)
    >>> ax.get_xscale()
    'log'
    """
    cs, ds = _xy(c, "c"), _xy(delta, "delta")
    if cs.ndim != 1 or cs.shape != ds.shape or np.any(cs <= 0):
        raise ValueError(
            f"c must be positive and c, delta of the same shape (n,): got {cs.shape}, {ds.shape}"
        )
    ax = new_axes(ax, (4.5, 3.2))
    label = r"$\delta(c) = \|w_2\|^2/c^2 - c^2\|w_1\|^2$"
    _line(ax, "orbit_delta", cs, ds, label=label, **_CURVE)
    if target is not None:
        label = f"target δ = {float(target):.3g}"
        _line(ax, "target", [cs[0], cs[-1]], [target] * 2, color="C3", ls="--", lw=1.2, label=label)
    if c_target is not None and target is not None:
        _line(ax, "hit", [c_target], [target], label=f"c = {float(c_target):.4g}", **_TARGET)
    xlabel = r"scale factor $c$ (orbit point $(c\,w_1,\ w_2/c)$)"
    ax.set(xscale="log", xlabel=xlabel, ylabel=r"$\delta = \|w_2\|^2 - \|w_1\|^2$")
    _plain_log_ticks(ax.xaxis)  # no labels at the minor ticks (they would overlap)
    _axline(ax, "zero", 0.0, color="0.8", lw=0.8, zorder=0)
    ax.legend(fontsize="small")
    return ax


def plot_rescaling_equation(
    a1: ArrayLike,
    h: ArrayLike,
    *,
    root: float | None = None,
    left_end: float | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The monotone function whose zero gives the rescaled filters.

    Parameters
    ----------
    a1, h : array_like of shape (n,)
        ``a_1 = ||c_1 w_1||^2`` and finite ``h(a_1) = log (prod c_l)^2`` (``orbit_log_product``).
    root, left_end : float, optional
        The zero of ``h`` (a star); the left end of the domain, ``h -> -inf`` (a dotted line).
    ax : matplotlib.axes.Axes, optional

    Examples
    --------
    >>> ax = plot_rescaling_equation([1.0, 2.0, 3.0], [-1.0, 0.0, 0.5], root=2.0, left_end=0.5)
    >>> ax.get_lines()[0].get_gid()
    'equation'
    """
    xs, ys = _curve(a1, h, ("a1", "h"), "n")
    ax = new_axes(ax, (4.5, 3.2))
    label = r"$h(a_1) = \sum_l \log a_l - \sum_l \log\|w_l\|^2$"
    _line(ax, "equation", xs, ys, label=label, **_CURVE)
    _axline(ax, "zero", 0.0, color="0.6", lw=0.8)
    if left_end is not None:
        label = f"left end a₁ = {float(left_end):.3g}"
        _axline(
            ax, "left_end", float(left_end), vertical=True, color="C0", ls=":", lw=1.2, label=label
        )
    if root is not None:
        _line(ax, "root", [root], [0.0], label=f"root a₁ = {float(root):.6g}", **_TARGET)
    ax.set(xlabel=r"$a_1 = \|c_1 w_1\|^2$", ylabel=r"$h(a_1) = \log\,(\prod_l c_l)^2$")
    ax.legend(fontsize="small")
    return ax


def plot_loss(
    times: ArrayLike,
    loss: ArrayLike,
    *,
    ax: Axes | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
) -> Axes:
    """The loss along a gradient flow (a line with gid ``"loss"``), on a logarithmic axis.

    Parameters
    ----------
    times, loss : array_like of shape (T,)
        Times and nonnegative loss values (e.g. of a ``FlowResult``).
    ax : matplotlib.axes.Axes, optional
    xlim, ylim : tuple of float, optional
        Fixed axis limits (``ylim`` positive); default: the range of the data.

    Examples
    --------
    >>> ax = plot_loss([0, 1, 2], [1.0, 0.5, 0.3])
    >>> ax.get_yscale()
    'log'
    """
    t, y = _curve(times, loss, ("times", "loss"), "T")
    if np.any(y < 0):
        raise ValueError("loss must be nonnegative for a logarithmic axis")
    ax = new_axes(ax, (4.5, 3.2))
    _line(ax, "loss", t, y, color="C2", lw=1.8)
    ax.set(yscale="log", ylabel="loss ℓ(π(θ(t)))")
    positive = y[y > 0]
    if ylim is None and positive.size:
        ylim = (float(positive.min()) / 1.5, float(positive.max()) * 1.5)
    if ylim is not None:
        lo, hi = (float(v) for v in ylim)
        if not 0 < lo < hi:
            raise ValueError(f"ylim must be increasing and positive (log axis): got {ylim!r}")
        ax.set_ylim(lo, hi)
    else:
        lo, hi = ax.get_ylim()
    _time_axis(ax, t, xlim)
    # over more than three decades only the powers of ten are labelled
    _plain_log_ticks(ax.yaxis, (1.0, 2.0, 5.0) if hi <= 1e3 * lo else (1.0,))
    return ax


def plot_invariant_drift(
    times: ArrayLike,
    invariants: ArrayLike,
    *,
    band: float = 1e-10,
    ax: Axes | None = None,
    xlim: tuple[float, float] | None = None,
    legend: bool = True,
) -> Axes:
    """How far each invariant moved from its starting value along a flow.

    Lines ``"drift_0"``, ``"drift_1"``, ... show ``delta_l(t) - delta_l(0)``.

    Parameters
    ----------
    times : array_like of shape (T,)
    invariants : array_like of shape (T, L - 1)
        ``delta(theta(t))`` (e.g. ``FlowResult.invariants``).
    band : float, default=1e-10
        Shaded; the vertical axis shows at least ``[-2 band, 2 band]``.
    ax : matplotlib.axes.Axes, optional
    xlim : tuple of float, optional
        Fixed time range (default: the times given).
    legend : bool, default=True

    Examples
    --------
    >>> ax = plot_invariant_drift([0, 1], [[2.0], [2.0 + 1e-12]])
    >>> tuple(float(v) for v in ax.get_ylim())
    (-2e-10, 2e-10)
    """
    t, inv = _xy(times, "times"), _xy(invariants, "invariants")
    inv = inv[:, None] if inv.ndim == 1 else inv
    if t.ndim != 1 or inv.ndim != 2 or inv.shape[0] != t.size:
        raise ValueError(
            f"invariants must have shape (T, L - 1) with T = len(times) = {t.size}: got {inv.shape}"
        )
    if not band > 0:
        raise ValueError(f"band must be positive: got {band}")
    ax = new_axes(ax, (4.5, 3.2))
    dev = inv - inv[:1]
    for l in range(dev.shape[1]):
        sub = str(l + 1).translate(_SUBSCRIPTS)
        label, ls = f"δ{sub}(t) − δ{sub}(0)", ["-", "--", "-.", ":"][l % 4]
        _line(ax, f"drift_{l}", t, dev[:, l], label=label, color=f"C{4 + l}", lw=1.6, ls=ls)
    if not any(p.get_gid() == "band" for p in ax.patches):
        ax.axhspan(-band, band, color="0.92", zorder=0, gid="band")
    top = max(2.0 * band, 1.1 * float(np.max(np.abs(dev))))  # dev is never empty
    ax.set(ylim=(-top, top), ylabel="drift of the invariants")
    _time_axis(ax, t, xlim)
    if legend:
        ax.legend(fontsize="small", loc="upper left")
    return ax
