"""Pictures for the chapter on conserved quantities and rescaling.

Every function takes data (and ``ax=None``) and returns the :class:`matplotlib.axes.Axes` it
drew on; without ``ax`` it makes a new :class:`matplotlib.figure.Figure` (not pyplot). Calling
a function again on the same Axes moves the artists it created (found by their ``gid``)
instead of adding new ones, so the widgets update their pictures in place with the very same
code. The mathematics (orbit points, invariants, flows) comes from :mod:`lcnn_widgets`; the
only computation here is what a picture needs (line end points, axis limits). Labels that
change with the data are plain text rather than mathtext: parsing new mathtext on every widget
update would dominate the render time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np
from matplotlib.axes import Axes
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


#: lines whose labels show the current values: the label is refreshed on every call
_line = partial(update_line, relabel=True)


def _axline(
    ax: Axes, gid: str, *, x: float | None = None, y: float | None = None, **style: Any
) -> Line2D:
    """A full-height (``x``) or full-width (``y``) reference line, moved in place on reuse."""
    line = find(ax.get_lines(), gid)
    if line is not None:
        if x is not None:
            line.set_xdata([x, x])
        else:
            line.set_ydata([y, y])
        if "label" in style:
            line.set_label(style["label"])
        return line
    if x is not None:
        return ax.axvline(x, gid=gid, **style)
    if y is None:
        raise ValueError("_axline needs x or y")
    return ax.axhline(y, gid=gid, **style)


def _xy(value: ArrayLike, name: str, ncols: int | None = None) -> np.ndarray:
    arr = as_finite_array(value, name)
    if ncols is not None and arr.shape[-1:] != (ncols,):
        raise ValueError(f"{name} must have {ncols} entries along its last axis: got {arr.shape}")
    return arr


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

    Parameters
    ----------
    orbit : array_like of shape (n, 2)
        Points ``(||c w_1||^2, ||w_2 / c||^2)`` of the orbit, e.g. from
        :func:`lcnn_widgets.orbit_norms`; they lie on a hyperbola ``a_1 a_2 = const``.
    point : array_like of shape (2,)
        The squared norms of the current filters (a round marker).
    rescaled : array_like of shape (2,), optional
        The squared norms after rescaling (a star).
    target : float, optional
        The target invariant: the line ``a_2 - a_1 = target`` is drawn in the star's colour.
    deltas : sequence of float, default=()
        Further levels ``delta`` whose lines ``a_2 = a_1 + delta`` are drawn in grey.
    limit : float, optional
        Both axes run from 0 to ``limit`` (default: a little beyond the marked points).
    ax : matplotlib.axes.Axes, optional
    values_in_labels : bool, default=True
        Write the current and the target invariant into the legend. With False the legend
        has fixed labels ("current δ", "target δ"; show the values elsewhere): it is then
        made once and kept on reuse, which is what a widget redrawing on every slider move
        wants.
    legend : mapping, optional
        Keyword arguments of :meth:`~matplotlib.axes.Axes.legend` (default: ``loc="best"``,
        small print).

    Returns
    -------
    matplotlib.axes.Axes
        Lines with gids ``"orbit"``, ``"point"``, ``"rescaled"``, ``"target"``,
        ``"current_delta"`` and ``"delta_0"``, ``"delta_1"``, ... (moved in place on reuse).

    Examples
    --------
    >>> ax = plot_orbit_plane([[1, 4], [2, 2], [4, 1]], [1, 4], rescaled=[2, 2], target=0.0)
    >>> tuple(float(v) for v in ax.get_xlim())
    (0.0, 5.0)
    """
    orb = _xy(orbit, "orbit", 2)
    p = _xy(point, "point", 2)
    ax = new_axes(ax, (4.5, 4.2))
    marked = [p] + ([_xy(rescaled, "rescaled", 2)] if rescaled is not None else [])
    top = float(limit) if limit is not None else 1.25 * max(float(np.max(marked)), 1e-12)
    _line(
        ax, "orbit", orb[:, 0], orb[:, 1], color="0.15", lw=1.8, label="scaling orbit a₁a₂ = const"
    )

    def level(delta: float) -> tuple[list[float], list[float]]:
        # the part of a_2 = a_1 + delta inside the square [0, top]^2
        lo = max(0.0, -delta)
        hi = min(top, top - delta)
        return ([lo, hi], [lo + delta, hi + delta]) if hi > lo else ([], [])

    for i, d in enumerate(deltas):
        _line(ax, f"delta_{i}", *level(float(d)), color="0.75", lw=0.8, ls="-", zorder=0)
    cur = float(p[1] - p[0])
    _line(
        ax,
        "current_delta",
        *level(cur),
        color="C0",
        lw=1.0,
        ls=":",
        label=f"δ = {cur:.3g} (current)" if values_in_labels else "current δ",
    )
    _line(ax, "point", [p[0]], [p[1]], label="current filters", **_CURRENT)
    if target is not None:
        _line(
            ax,
            "target",
            *level(float(target)),
            color="C3",
            lw=1.2,
            ls="--",
            label=f"δ = {float(target):.3g} (target)" if values_in_labels else "target δ",
        )
    if rescaled is not None:
        r = marked[1]
        _line(ax, "rescaled", [r[0]], [r[1]], label="rescaled filters", **_TARGET)
    ax.set_xlim(0.0, top)
    ax.set_ylim(0.0, top)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("a₁ = ‖w₁‖²")
    ax.set_ylabel("a₂ = ‖w₂‖²")
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

    Parameters
    ----------
    c : array_like of shape (n,)
        Positive scale factors (drawn on a logarithmic axis).
    delta : array_like of shape (n,)
        The invariant at each ``c``, e.g. ``orbit_invariants(...)[:, 0]``.
    target : float, optional
        A target value, drawn as a horizontal line.
    c_target : float, optional
        The factor where the curve meets the target (a star).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Lines with gids ``"orbit_delta"``, ``"target"``, ``"hit"``.

    Examples
    --------
    >>> ax = plot_orbit_invariant([0.5, 1, 2], [3.0, 0.0, -3.0], target=0.0, c_target=1.0)
    >>> ax.get_xscale()
    'log'
    """
    cs = _xy(c, "c")
    ds = _xy(delta, "delta")
    if cs.ndim != 1 or cs.shape != ds.shape or np.any(cs <= 0):
        raise ValueError(
            f"c must be positive and c, delta of the same shape (n,): got {cs.shape}, {ds.shape}"
        )
    ax = new_axes(ax, (4.5, 3.2))
    _line(
        ax,
        "orbit_delta",
        cs,
        ds,
        color="0.15",
        lw=1.8,
        label=r"$\delta(c) = \|w_2\|^2/c^2 - c^2\|w_1\|^2$",
    )
    if target is not None:
        _line(
            ax,
            "target",
            [cs[0], cs[-1]],
            [target, target],
            color="C3",
            ls="--",
            lw=1.2,
            label=f"target δ = {float(target):.3g}",
        )
    if c_target is not None and target is not None:
        _line(ax, "hit", [c_target], [target], label=f"c = {float(c_target):.4g}", **_TARGET)
    ax.set_xscale("log")
    # labels at 1, 2, 5 times powers of ten, none at the minor ticks (they would overlap)
    ax.xaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"scale factor $c$ (orbit point $(c\,w_1,\ w_2/c)$)")
    ax.set_ylabel(r"$\delta = \|w_2\|^2 - \|w_1\|^2$")
    _axline(ax, "zero", y=0.0, color="0.8", lw=0.8, zorder=0)
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
    a1 : array_like of shape (n,)
        Values of ``a_1 = ||c_1 w_1||^2``.
    h : array_like of shape (n,)
        ``h(a_1) = log (prod c_l)^2`` from :func:`lcnn_widgets.invariants.orbit_log_product`
        (finite values only).
    root : float, optional
        The zero of ``h`` (a star on the horizontal axis).
    left_end : float, optional
        The left end of the domain (a dotted vertical line, where ``h -> -inf``).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_rescaling_equation([1.0, 2.0, 3.0], [-1.0, 0.0, 0.5], root=2.0, left_end=0.5)
    >>> ax.get_lines()[0].get_gid()
    'equation'
    """
    xs = _xy(a1, "a1")
    ys = _xy(h, "h")
    if xs.ndim != 1 or xs.shape != ys.shape:
        raise ValueError(f"a1 and h must have the same shape (n,): got {xs.shape}, {ys.shape}")
    ax = new_axes(ax, (4.5, 3.2))
    _line(
        ax,
        "equation",
        xs,
        ys,
        color="0.15",
        lw=1.8,
        label=r"$h(a_1) = \sum_l \log a_l - \sum_l \log\|w_l\|^2$",
    )
    _axline(ax, "zero", y=0.0, color="0.6", lw=0.8)
    if left_end is not None:
        _axline(
            ax,
            "left_end",
            x=float(left_end),
            color="C0",
            ls=":",
            lw=1.2,
            label=f"left end a₁ = {float(left_end):.3g}",
        )
    if root is not None:
        _line(ax, "root", [root], [0.0], label=f"root a₁ = {float(root):.6g}", **_TARGET)
    ax.set_xlabel(r"$a_1 = \|c_1 w_1\|^2$")
    ax.set_ylabel(r"$h(a_1) = \log\,(\prod_l c_l)^2$")
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
    """The loss along a gradient flow, on a logarithmic axis.

    Parameters
    ----------
    times : array_like of shape (T,)
    loss : array_like of shape (T,)
        Nonnegative loss values (e.g. ``FlowResult.loss``).
    ax : matplotlib.axes.Axes, optional
    xlim, ylim : tuple of float, optional
        Fixed axis limits (``ylim`` positive), e.g. from the ranges of a widget's controls, so
        that the axes stay put while the data move; default: the range of the data.

    Returns
    -------
    matplotlib.axes.Axes
        A line with gid ``"loss"``.

    Examples
    --------
    >>> ax = plot_loss([0, 1, 2], [1.0, 0.5, 0.3])
    >>> ax.get_yscale()
    'log'
    """
    t = _xy(times, "times")
    y = _xy(loss, "loss")
    if t.ndim != 1 or t.shape != y.shape:
        raise ValueError(f"times and loss must have the same shape (T,): got {t.shape}, {y.shape}")
    if np.any(y < 0):
        raise ValueError("loss must be nonnegative for a logarithmic axis")
    ax = new_axes(ax, (4.5, 3.2))
    _line(ax, "loss", t, y, color="C2", lw=1.8)
    ax.set_yscale("log")
    positive = y[y > 0]
    if ylim is not None:
        lo, hi = (float(v) for v in ylim)
        if not 0 < lo < hi:
            raise ValueError(f"ylim must be increasing and positive (log axis): got {ylim!r}")
        ax.set_ylim(lo, hi)
    elif positive.size:
        lo, hi = float(positive.min()) / 1.5, float(positive.max()) * 1.5
        ax.set_ylim(lo, hi)
    else:
        lo, hi = ax.get_ylim()
    if xlim is not None:
        ax.set_xlim(*(float(v) for v in xlim))
    else:
        ax.set_xlim(float(t[0]), float(t[-1]) if t[-1] > t[0] else float(t[0]) + 1.0)
    # plain-text tick labels (the default ones are mathtext, slow to re-parse in widgets);
    # over more than three decades only the powers of ten are labelled
    subs = (1.0, 2.0, 5.0) if hi <= 1e3 * lo else (1.0,)
    ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=subs))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("time t")
    ax.set_ylabel("loss ℓ(π(θ(t)))")
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

    Parameters
    ----------
    times : array_like of shape (T,)
    invariants : array_like of shape (T, L - 1)
        ``delta(theta(t))`` (e.g. ``FlowResult.invariants``).
    band : float, default=1e-10
        The band ``[-band, band]`` is shaded and the vertical axis shows at least
        ``[-2 band, 2 band]``; it grows only if a deviation leaves that range, so a line
        inside the shading means "conserved to ``band``".
    ax : matplotlib.axes.Axes, optional
    xlim : tuple of float, optional
        Fixed time range (default: the times given).
    legend : bool, default=True
        Label the lines in a legend (with one invariant the axis label can say it instead).

    Returns
    -------
    matplotlib.axes.Axes
        Lines with gids ``"drift_0"``, ``"drift_1"``, ... showing ``delta_l(t) - delta_l(0)``.

    Examples
    --------
    >>> ax = plot_invariant_drift([0, 1], [[2.0], [2.0 + 1e-12]])
    >>> tuple(float(v) for v in ax.get_ylim())
    (-2e-10, 2e-10)
    """
    t = _xy(times, "times")
    inv = _xy(invariants, "invariants")
    if inv.ndim == 1:
        inv = inv[:, None]
    if t.ndim != 1 or inv.ndim != 2 or inv.shape[0] != t.size:
        raise ValueError(
            f"invariants must have shape (T, L - 1) with T = len(times) = {t.size}: got {inv.shape}"
        )
    if not band > 0:
        raise ValueError(f"band must be positive: got {band}")
    ax = new_axes(ax, (4.5, 3.2))
    dev = inv - inv[:1]
    styles = ["-", "--", "-.", ":"]
    for l in range(dev.shape[1]):
        sub = str(l + 1).translate(_SUBSCRIPTS)
        _line(
            ax,
            f"drift_{l}",
            t,
            dev[:, l],
            color=f"C{4 + l}",
            lw=1.6,
            ls=styles[l % len(styles)],
            label=f"δ{sub}(t) − δ{sub}(0)",
        )
    if not any(p.get_gid() == "band" for p in ax.patches):
        ax.axhspan(-band, band, color="0.92", zorder=0, gid="band")
    top = max(2.0 * band, 1.1 * float(np.max(np.abs(dev))) if dev.size else 2.0 * band)
    ax.set_ylim(-top, top)
    if xlim is not None:
        ax.set_xlim(*(float(v) for v in xlim))
    else:
        ax.set_xlim(float(t[0]), float(t[-1]) if t[-1] > t[0] else float(t[0]) + 1.0)
    ax.set_xlabel("time t")
    ax.set_ylabel("drift of the invariants")
    if legend:
        ax.legend(fontsize="small", loc="upper left")
    return ax
