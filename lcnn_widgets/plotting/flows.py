"""Pictures for the chapter on gradient flow and convergence (flows of :mod:`lcnn_widgets.flows`).

Each function takes data and ``ax`` and returns the Axes it drew on; called again on the same
Axes it moves its artists (found by ``gid``), so the widget redraws in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from numpy.typing import ArrayLike

from .._validation import as_finite_array
from ._common import new_axes, update_line

__all__ = [
    "plot_convergence",
    "plot_drift_curves",
    "plot_flow_plane",
    "plot_loss_curves",
    "projection_plane",
]


def _limits(values: np.ndarray, pad: float = 0.08) -> tuple[float, float]:
    lo, hi = float(np.min(values)), float(np.max(values))
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    return lo - pad * span, hi + pad * span


def _legend(ax: Axes, legend: Mapping[str, Any] | bool) -> None:
    keywords = legend if isinstance(legend, Mapping) else {}
    ax.legend(**{"loc": "best", "fontsize": "small", **keywords})


def projection_plane(*paths: ArrayLike) -> np.ndarray:
    """An orthonormal basis of the plane through 0 that best fits the given points.

    Parameters
    ----------
    *paths : array_like of shape (T_i, K) (or (T_i, *end_to_end_shape), or (K,))
        Trajectories or single points ``w``.

    Returns
    -------
    ndarray of shape (K, 2)
        The two leading right singular vectors of the stacked points (not centred), each with
        its largest entry positive.

    Examples
    --------
    >>> projection_plane([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0]]).round(6)
    array([[0., 1.],
           [1., 0.],
           [0., 0.]])
    """
    pts = [as_finite_array(p, "paths") for p in paths]
    if not pts:
        raise ValueError("projection_plane needs at least one path")
    K = pts[0].size if pts[0].ndim == 1 else int(np.prod(pts[0].shape[1:]))
    stacked = np.vstack([p.reshape(-1, K) for p in pts])
    if K < 2:
        raise ValueError(f"end-to-end filters must have at least 2 entries: got {K}")
    # the full V only for fewer than two points (its first two rows are then needed)
    basis = np.linalg.svd(stacked, full_matrices=stacked.shape[0] < 2)[2][:2].T
    signs = np.sign(basis[np.argmax(np.abs(basis), axis=0), [0, 1]])
    return basis * np.where(signs == 0, 1.0, signs)


def plot_flow_plane(
    paths: Sequence[ArrayLike],
    basis: ArrayLike,
    *,
    labels: Sequence[str] | None = None,
    data_filter: ArrayLike | None = None,
    ax: Axes | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    legend: Mapping[str, Any] | bool = True,
) -> Axes:
    """Trajectories of end-to-end filters projected to a plane.

    Parameters
    ----------
    paths : sequence of array_like of shape (T_i, K)
        ``w(t)`` of each flow: the first a solid line, the second markers, the rest dashed.
    basis : array_like of shape (K, 2)
        Orthonormal basis of the plane (e.g. :func:`projection_plane`).
    labels : sequence of str, optional
        One legend entry per path.
    data_filter : array_like of shape (K,), optional
        ``u``, a star (the origin ``w = 0`` is always a cross).
    ax : matplotlib.axes.Axes, optional
    xlim, ylim : tuple of float, optional
        Fixed axis limits (default: a little beyond the drawn points).
    legend : bool or mapping, default=True
        Whether to (re)make the legend, or keywords of :meth:`~matplotlib.axes.Axes.legend`.

    Returns
    -------
    matplotlib.axes.Axes
        Lines with gids ``"path_<i>"``, ``"start"``, ``"end"``, ``"origin"``, ``"data_filter"``.

    Examples
    --------
    >>> ax = plot_flow_plane([[[1, 0, 0], [0.5, 0.5, 0]]], np.eye(3)[:, :2])
    >>> ax.get_lines()[0].get_gid()
    'path_0'
    """
    B = as_finite_array(basis, "basis", ndim=2)
    if B.shape[1] != 2:
        raise ValueError(f"basis must have shape (K, 2): got {B.shape}")
    K = B.shape[0]
    proj = [as_finite_array(p, f"paths[{i}]").reshape(-1, K) @ B for i, p in enumerate(paths)]
    if not proj:
        raise ValueError("plot_flow_plane needs at least one path")
    if labels is not None and len(labels) != len(proj):
        raise ValueError(
            f"labels must have one entry per path: got {len(labels)} for {len(proj)} paths"
        )
    ax = new_axes(ax, (4.6, 4.0))
    styles: list[dict[str, Any]] = [
        dict(color="C0", lw=2.0),
        dict(color="C1", marker="o", ms=4, ls="none"),
        dict(color="C2", lw=1.2, ls="--"),
    ]
    for i, xy in enumerate(proj):
        label = {} if labels is None else {"label": labels[i]}
        update_line(ax, f"path_{i}", xy[:, 0], xy[:, 1], relabel=True, **styles[min(i, 2)], **label)
    dot: dict[str, Any] = dict(ms=6, ls="none")
    update_line(ax, "start", *proj[0][:1].T, color="k", marker="o", label="start", **dot)
    update_line(ax, "end", *proj[0][-1:].T, color="k", marker="s", label="end", **dot)
    origin: dict[str, Any] = dict(color="0.4", marker="x", ms=8, ls="none", label="$w = 0$")
    update_line(ax, "origin", [0.0], [0.0], **origin)
    pts = np.vstack([*proj, np.zeros((1, 2))])
    if data_filter is not None:
        u = as_finite_array(data_filter, "data_filter").reshape(K) @ B
        star: dict[str, Any] = dict(color="C3", marker="*", ms=13, label="data filter $u$")
        update_line(ax, "data_filter", [u[0]], [u[1]], ls="none", **star)
        pts = np.vstack([pts, u[None]])
    ax.set_xlim(*(_limits(pts[:, 0]) if xlim is None else xlim))
    ax.set_ylim(*(_limits(pts[:, 1]) if ylim is None else ylim))
    ax.set(xlabel="projection on $b_1$", ylabel="projection on $b_2$")
    if legend and (labels is not None or data_filter is not None):
        _legend(ax, legend)
    return ax


def plot_loss_curves(
    times: Sequence[ArrayLike],
    losses: Sequence[ArrayLike],
    *,
    labels: Sequence[str] | None = None,
    offset: float = 0.0,
    ax: Axes | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    legend: Mapping[str, Any] | bool = True,
) -> Axes:
    """Loss curves ``l(w(t)) - offset`` on a logarithmic axis.

    Parameters
    ----------
    times, losses : sequence of array_like of shape (T_i,)
        One time grid and one loss array per curve.
    labels : sequence of str, optional
    offset : float, default=0.0
        Subtracted (e.g. ``SquaredLoss.const``: then ``1/2 ||w - u||_Sigma^2``); must leave
        positive values.
    ax : matplotlib.axes.Axes, optional
    xlim, ylim : tuple of float, optional
        Fixed axis limits (default: the data's range); a fixed ``ylim`` gets plain tick labels
        at 1, 2 and 5 times powers of ten.
    legend : bool or mapping, default=True
        As in :func:`plot_flow_plane` (with ``labels``).

    Returns
    -------
    matplotlib.axes.Axes
        Lines with gids ``"loss_<i>"``.

    Examples
    --------
    >>> ax = plot_loss_curves([[0, 1, 2]], [[3.0, 2.0, 1.5]], offset=1.0)
    >>> ax.get_lines()[0].get_ydata().tolist()
    [2.0, 1.0, 0.5]
    """
    if len(times) != len(losses):
        raise ValueError(
            f"times and losses must have one entry per curve: got {len(times)} and {len(losses)}"
        )
    ax = new_axes(ax, (4.6, 3.2))
    curves = []
    for i, (t, y) in enumerate(zip(times, losses, strict=True)):
        tt = as_finite_array(t, f"times[{i}]", ndim=1)
        yy = as_finite_array(y, f"losses[{i}]", ndim=1) - float(offset)
        if tt.shape != yy.shape:
            raise ValueError(
                f"times[{i}] and losses[{i}] must have the same shape: got "
                f"{tt.shape} and {yy.shape}"
            )
        if np.any(yy <= 0):
            raise ValueError(f"losses[{i}] - offset must be positive for a logarithmic axis")
        style: dict[str, Any] = dict(color=f"C{i}", lw=1.2 if i else 2.0, ls="--" if i else "-")
        label = {} if labels is None else {"label": labels[i]}
        update_line(ax, f"loss_{i}", tt, yy, relabel=True, **style, **label)
        curves.append((tt, yy))
    ax.set_yscale("log")
    t_all, y_all = (np.concatenate(c) for c in zip(*curves, strict=True))
    if ylim is None:
        ax.set_ylim(y_all.min() / 1.5, y_all.max() * 1.5)
    else:
        lo, hi = (float(v) for v in ylim)
        if not 0 < lo < hi:
            raise ValueError(f"ylim must be increasing and positive (log axis): got {ylim!r}")
        ax.set_ylim(lo, hi)
        subs = (1.0, 2.0, 5.0) if hi <= 1e3 * lo else (1.0,)
        ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=subs))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    if xlim is None:
        ax.set_xlim(float(t_all.min()), float(t_all.max()) if t_all.max() > t_all.min() else 1.0)
    else:
        ax.set_xlim(*(float(v) for v in xlim))
    ax.set(xlabel="time $t$", ylabel=r"$\ell(w(t))$" + (" $-$ const" if offset else ""))
    if legend and labels is not None:
        _legend(ax, legend)
    return ax


def plot_convergence(
    end_to_end_norm: ArrayLike,
    gradient_norm: ArrayLike,
    *,
    reference_norm: float | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Where many random flows ended: ``||pi(theta(T))||`` and the final gradient norm.

    Parameters
    ----------
    end_to_end_norm, gradient_norm : array_like of shape (n_runs,)
        E.g. the fields of :class:`~lcnn_widgets.flows.ConvergenceReport`.
    reference_norm : float, optional
        A horizontal line in the left panel (e.g. ``||u||``).
    fig : matplotlib.figure.Figure, optional
        An empty figure to draw on.

    Returns
    -------
    matplotlib.figure.Figure
        Left: a bar per run (0 would be the saddle ``w = 0``); right: the gradient norms (log).

    Examples
    --------
    >>> fig = plot_convergence([1.0, 1.1], [1e-9, 1e-8])
    >>> len(fig.axes)
    2
    """
    e = as_finite_array(end_to_end_norm, "end_to_end_norm", ndim=1)
    g = as_finite_array(gradient_norm, "gradient_norm", ndim=1)
    if e.shape != g.shape:
        raise ValueError(
            f"end_to_end_norm and gradient_norm must have the same shape: got "
            f"{e.shape} and {g.shape}"
        )
    if np.any(g <= 0):
        raise ValueError("gradient_norm must be positive for a logarithmic axis")
    fig = fig or Figure(figsize=(8.0, 3.0), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    runs = np.arange(e.size)
    ax1.bar(runs, e, color="C0")
    if reference_norm is not None:
        ax1.axhline(float(reference_norm), color="C3", ls="--", label=r"$\|u\|$")
        ax1.legend(loc="lower right", fontsize="small")
    ax1.set(xlabel="run", ylabel=r"$\|\pi(\theta(T))\|$")
    ax1.set_ylim(0, 1.15 * max(float(e.max()), float(reference_norm or 0)))
    ax2.semilogy(runs, g, "o", color="C1")
    ax2.set(xlabel="run", ylabel=r"$\|\nabla_\theta L(\theta(T))\|$")
    return fig


def plot_drift_curves(
    times: Sequence[ArrayLike],
    invariants: Sequence[ArrayLike],
    *,
    labels: Sequence[str] | None = None,
    floor: float = 1e-16,
    ax: Axes | None = None,
) -> Axes:
    """How far the invariants moved, ``max_l |delta_l(t) - delta_l(0)|``, on a log axis.

    Parameters
    ----------
    times : sequence of array_like of shape (T_i,)
    invariants : sequence of array_like of shape (T_i, L - 1)
        E.g. ``FlowResult.invariants`` of flows and gradient descent runs.
    labels : sequence of str, optional
    floor : float, default=1e-16
        Smaller values (exact conservation, e.g. at ``t = 0``) are drawn at ``floor``.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Lines with gids ``"drift_<i>"``.

    Examples
    --------
    >>> ax = plot_drift_curves([[0, 1]], [[[1.0], [1.5]]])
    >>> ax.get_lines()[0].get_ydata().tolist()
    [1e-16, 0.5]
    """
    if len(times) != len(invariants):
        raise ValueError(
            f"times and invariants must have one entry per curve: got "
            f"{len(times)} and {len(invariants)}"
        )
    ax = new_axes(ax, (4.6, 3.2))
    for i, (t, d) in enumerate(zip(times, invariants, strict=True)):
        tt = as_finite_array(t, f"times[{i}]", ndim=1)
        dd = as_finite_array(d, f"invariants[{i}]")
        dd = dd.reshape(tt.size, -1) if dd.size else np.zeros((tt.size, 1))
        drift = np.maximum(np.max(np.abs(dd - dd[0]), axis=1), floor)
        label = {} if labels is None else {"label": labels[i]}
        update_line(ax, f"drift_{i}", tt, drift, color=f"C{i}", lw=1.6, relabel=True, **label)
    ax.set(yscale="log", xlabel="time $t$", ylabel=r"$\max_l |\delta_l(t) - \delta_l(0)|$")
    if labels is not None:
        ax.legend(loc="best", fontsize="small")
    return ax
