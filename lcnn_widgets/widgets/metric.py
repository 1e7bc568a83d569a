"""The widget of the chapter on the metric: how the invariant ``delta`` changes ``g^delta``.

Left: the NTK entry ``Theta_{ij}(w; delta)`` against ``delta`` (Ex. 17). Right: a 2D chart of
``M`` through ``w`` with the unit ball of ``g^delta`` at each chart point (chart coordinates,
orthonormal at ``w``); dashed at ``w``: the unit ball of the balanced metric ``g^0``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from .._validation import as_end_to_end_vector, as_positive_int, parse_floats
from ..lcn import LCN
from ..metric import (
    COND_WARN,
    RCOND,
    MetricConditioningWarning,
    chart_metric,
    condition_number,
    fiber_point,
    ntk_at,
)
from ..plotting._common import moving_yticks
from ..plotting.metric import ellipse_outline, plot_ntk_entry, plot_unit_balls
from ._base import Explorer
from ._common import group, panel_figure, row, slider, text_box

__all__ = ["MetricChart", "MetricPicture", "explore_metric", "metric_chart", "metric_picture"]

#: number of invariants sampled for the curve of the NTK entry
N_CURVE = 121


@dataclass(frozen=True, eq=False)
class MetricChart:
    """Everything of the picture that depends on the architecture and ``w`` only (cached).

    The chart point of coordinates ``x`` is ``pi(theta + x_1 t_1 + x_2 t_2)``.
    """

    net: LCN
    w: np.ndarray  # (K,)
    theta: list  # the balanced fiber point of w
    basis: np.ndarray  # (K, 2): orthonormal e_1, e_2 of T_w M (top singular vectors of J)
    directions: np.ndarray  # (n_params, 2): t_i = J^+ e_i
    coords: np.ndarray  # (m, 2): chart coordinates x of the grid
    params: list  # the parameter point of each chart point
    center: int  # index of x = 0 (the point w)
    entry: tuple[int, int]  # the NTK entry followed
    deltas: np.ndarray  # (N_CURVE,) a grid of invariants ...
    curve: np.ndarray  # ... and Theta_entry(w; delta) on it
    scale: float  # common drawing scale of the unit balls
    balanced_gram: np.ndarray  # (2, 2): g^0 in chart coordinates at w (the dashed reference)
    blocks: _ChartBlocks  # what the metric at every chart point needs besides delta


@dataclass(frozen=True, eq=False)
class MetricPicture:
    """What the metric widget draws for one ``(w, delta)``."""

    chart: MetricChart
    delta: float  # the invariant
    value: float  # Theta_entry(w; delta), the marker
    grams: np.ndarray  # (m, 2, 2): g^delta in chart coordinates at every chart point
    outlines: np.ndarray  # (m, n + 1, 2): the scaled unit balls at the chart points
    reference: np.ndarray  # (n + 1, 2): that of g^0 at w, same scale


@dataclass(frozen=True, eq=False)
class _ChartBlocks:
    """The parts of ``g^delta`` at the chart points that do not depend on ``delta``.

    The fiber point of ``(w_1, w_2)`` is ``(c w_1, w_2 / c)``, ``a_1 = c^2 ||w_1||^2 > 0`` solving
    ``a_1 (a_1 + delta) = ||w_1||^2 ||w_2||^2`` (Prop. 2), so ``Theta = J_1 J_1^T / c^2 +
    c^2 J_2 J_2^T``: :func:`chart_metric` and :func:`ntk_at` for all chart points at once.
    """

    n1: np.ndarray  # (m,) ||w_1||^2 at each chart point
    n2: np.ndarray  # (m,) ||w_2||^2
    gram1: np.ndarray  # (m, K, K) J_1 J_1^T
    gram2: np.ndarray  # (m, K, K) J_2 J_2^T
    tangent: np.ndarray  # (m, K, 2) J(theta) t_i
    dim: int  # dim M (for the condition number)

    @classmethod
    def of(cls, net: LCN, params: list, directions: np.ndarray) -> _ChartBlocks:
        k1 = int(np.prod(net.filter_shapes[0]))
        Js = [net.jacobian(p) for p in params]
        return cls(
            np.array([float(np.sum(p[0] ** 2)) for p in params]),
            np.array([float(np.sum(p[1] ** 2)) for p in params]),
            np.array([J[:, :k1] @ J[:, :k1].T for J in Js]),
            np.array([J[:, k1:] @ J[:, k1:].T for J in Js]),
            np.array([J @ directions for J in Js]),
            int(net.dim_neuromanifold),
        )

    def ntks(self, delta: Any, index: Any = slice(None)) -> np.ndarray:
        """``Theta`` at chart point(s) ``index`` for invariant(s) ``delta``: (..., K, K)."""
        P = self.n1[index] * self.n2[index]
        root = np.sqrt(delta * delta + 4.0 * P)
        # the positive root without cancellation (cf. lcnn_widgets.fibers.rescaling_factors)
        with np.errstate(divide="ignore", invalid="ignore"):
            a1 = np.where(delta >= 0, 2.0 * P / (delta + root), 0.5 * (root - delta))
        c2 = (a1 / self.n1[index])[..., None, None]  # c^2
        return self.gram1[index] / c2 + c2 * self.gram2[index]

    def grams(self, delta: float) -> np.ndarray:
        """``g^delta`` in chart coordinates at every chart point, as :func:`chart_metric`."""
        lam, V = np.linalg.eigh(self.ntks(delta))
        # the cutoff of numpy.linalg.pinv(rtol=RCOND, hermitian=True)
        keep = np.abs(lam) > RCOND * np.max(np.abs(lam), axis=1, keepdims=True)
        inv = np.where(keep, 1.0 / np.where(keep, lam, 1.0), 0.0)
        eig = np.sort(lam, axis=1)[:, ::-1]
        top, low = eig[:, 0], eig[:, min(self.dim, eig.shape[1]) - 1]
        if np.any((top <= 0) | (low <= RCOND * top) | (top > COND_WARN * np.maximum(low, 1e-300))):
            warnings.warn(
                "the NTK is rank deficient or ill-conditioned at a chart point (condition "
                f"number above {COND_WARN:g}): the metric there is unreliable or degenerate",
                MetricConditioningWarning,
                stacklevel=3,
            )
        pinv = np.einsum("mij,mj,mkj->mik", V, inv, V)
        gram = np.einsum("mki,mkl,mlj->mij", self.tangent, pinv, self.tangent)
        return 0.5 * (gram + gram.transpose(0, 2, 1))


def _max_semi_axis(grams: np.ndarray) -> float:
    return float(np.max(1.0 / np.sqrt(np.linalg.eigvalsh(grams)[:, 0])))


@functools.lru_cache(maxsize=32)
def _cached_chart(
    net: LCN,
    w: tuple[float, ...],
    entry: tuple[int, int],
    n: int,
    radius: float,
    delta_range: tuple[float, float],
) -> MetricChart:
    wv = np.array(w)
    theta = fiber_point(net, wv, [0.0])  # ValueError off M or where the metric is ambiguous
    cond = condition_number(net, wv, [0.0], fiber=theta)
    if cond > COND_WARN:
        raise ValueError(
            f"the NTK is (nearly) rank deficient at this w (condition number {cond:.3g}): "
            "it is a critical point of pi, where the metric degenerates; pick another point"
        )
    J = net.jacobian(theta)
    basis = np.linalg.svd(J)[0][:, :2]
    directions = np.linalg.lstsq(J, basis, rcond=None)[0]
    r = radius * float(np.linalg.norm(wv))
    X, Y = np.meshgrid(np.linspace(-r, r, n), np.linspace(-r, r, n), indexing="ij")
    coords = np.column_stack([X.ravel(), Y.ravel()])
    theta_flat = net.flatten(theta)
    params = [net.unflatten(theta_flat + directions @ x) for x in coords]
    center = int(np.argmin(np.linalg.norm(coords, axis=1)))
    deltas = np.linspace(delta_range[0], delta_range[1], N_CURVE)
    i, j = entry
    blocks = _ChartBlocks.of(net, params, directions)
    if np.all(coords[center] == 0.0):  # odd n: the center is theta, all at once
        curve = blocks.ntks(deltas, center)[:, i, j]
        extent = max(_max_semi_axis(blocks.grams(d)) for d in delta_range)
        balanced = blocks.grams(0.0)[center]
    else:
        curve = np.array([ntk_at(net, wv, [d], fiber=theta)[i, j] for d in deltas])
        extent = max(
            _max_semi_axis(np.stack([chart_metric(net, p, directions, [d]) for p in params]))
            for d in delta_range
        )
        balanced = chart_metric(net, params[center], directions, [0.0])
    scale = 0.45 * (2 * r / max(n - 1, 1)) / extent  # balls fill at most 90 % of a grid cell
    return MetricChart(
        net=net,
        w=wv,
        theta=theta,
        basis=basis,
        directions=directions,
        coords=coords,
        params=params,
        center=center,
        entry=entry,
        deltas=deltas,
        curve=curve,
        scale=scale,
        balanced_gram=balanced,
        blocks=blocks,
    )


def metric_chart(
    net: LCN,
    w: ArrayLike,
    *,
    entry: tuple[int, int] = (1, 3),
    n: int = 5,
    radius: float = 0.15,
    delta_range: tuple[float, float] = (-60.0, 20.0),
) -> MetricChart:
    """Build (or fetch from the cache) the chart part of the metric picture at ``w``.

    ``net``: two-layer 1D; ``w``: shape (K,), in ``M``, where the metric is determined by
    ``(w, delta)`` and not critical (else ValueError); ``entry``: the NTK entry followed (0-based);
    ``n``: grid points per axis; ``radius``: the chart spans ``[-radius ||w||, radius ||w||]``.
    """
    if not isinstance(net, LCN):
        raise TypeError(f"net must be an LCN: got {type(net).__name__}")
    if net.n_layers != 2 or not net.is_1d:
        raise ValueError(f"explore_metric needs a two-layer 1D network: got {net!r}")
    wv = as_end_to_end_vector(w, "w", net.end_to_end_shape)
    K = net.n_outputs
    ent = tuple(int(e) for e in entry)
    if len(ent) != 2 or not all(0 <= e < K for e in ent):
        raise ValueError(f"entry must be two indices in 0..{K - 1}: got {entry!r}")
    lo, hi = (float(x) for x in delta_range)
    if not lo < hi:
        raise ValueError(f"delta_range must be increasing: got {delta_range!r}")
    return _cached_chart(
        net, tuple(float(x) for x in wv), ent, as_positive_int(n, "n"), float(radius), (lo, hi)
    )


def metric_picture(chart: MetricChart, delta: float, *, n_outline: int = 60) -> MetricPicture:
    """The metric ``g^delta`` on a chart: the marker value, Gram matrices and unit balls.

    ``chart``: from :func:`metric_chart`; ``n_outline``: points per unit-ball outline.
    """
    d = float(delta)
    if not np.isfinite(d):
        raise ValueError(f"delta must be finite: got {delta!r}")
    grams = chart.blocks.grams(d)  # all chart points at once
    if np.all(chart.coords[chart.center] == 0.0):  # the center is theta itself
        value = float(chart.blocks.ntks(d)[chart.center][chart.entry])
    else:
        value = float(ntk_at(chart.net, chart.w, [d], fiber=chart.theta)[chart.entry])
    outline = functools.partial(ellipse_outline, scale=chart.scale, n=n_outline)
    outlines = np.stack([outline(g, center=c) for g, c in zip(grams, chart.coords, strict=True)])
    reference = outline(chart.balanced_gram, center=chart.coords[chart.center])
    return MetricPicture(chart, d, value, grams, outlines, reference)


def explore_metric(
    filter_sizes: Sequence[int] = (3, 2),
    strides: Sequence[int] = (2, 1),
    *,
    w: ArrayLike = (2.0, 1.0, 3.0, -1.0, -5.0),
    delta: float = 0.0,
    delta_range: tuple[float, float] = (-60.0, 20.0),
    entry: tuple[int, int] = (1, 3),
    n: int = 5,
    radius: float = 0.15,
) -> Explorer:
    """Slide the invariant ``delta`` and watch the metric ``g^delta`` at a point change.

    ``filter_sizes, strides``: two-layer 1D (default: the running example, Ex. 15); ``w``: the
    initial point, in a text box (Ex. 17's by default); ``delta``: on a slider over
    ``delta_range``; the rest as in :func:`metric_chart`. Bad input shows a message.

    Examples
    --------
    >>> ex = explore_metric()
    >>> ex.error is None and sorted(ex.controls) == ["delta", "w"]
    True
    """
    net = LCN(list(filter_sizes), list(strides))
    kw: dict[str, Any] = dict(
        entry=tuple(entry), n=n, radius=radius, delta_range=tuple(delta_range)
    )
    metric_chart(net, w, **kw)  # fail early on a bad default
    lo, hi = (float(d) for d in delta_range)
    i, j = kw["entry"]

    def compute(w: str, delta: float) -> MetricPicture:
        return metric_picture(metric_chart(net, parse_floats(w, "w"), **kw), delta)

    w_text = ", ".join(f"{float(x):g}" for x in np.ravel(w))
    controls = {
        "w": text_box(w_text, "point w"),
        "delta": slider("float", "invariant δ", float(delta), lo, hi, 0.5, track=300),
    }
    box = group(
        "<b>Point</b> w of the neuromanifold (5 numbers; press Enter) and the "
        "<b>invariant</b> δ of the metric",
        row(controls["w"], controls["delta"]),
    )
    margins: dict[str, Any] = dict(left=0.07, right=0.98, bottom=0.12, top=0.9, wspace=0.25)
    fig, (ax_curve, ax_balls) = panel_figure((11.0, 4.6), 1, 2, width_ratios=[1.1, 1.0], **margins)
    # chart coordinates in units of ||w||: a new w moves the data, not the fixed frame
    ax_balls.set_xlabel("chart coordinate along e₁ (units of ‖w‖)")
    ax_balls.set_ylabel("chart coordinate along e₂ (units of ‖w‖)")
    lim = float(radius) * (1 + 0.5 / max(int(n) - 1, 1))  # the balls fit in their grid cells
    ax_balls.set(xlim=(-lim, lim), ylim=(-lim, lim))
    ax_balls.set_aspect("equal", adjustable="box")
    # a few ticks: every tick label is text drawn whenever the frame is
    for axis in (ax_curve.xaxis, ax_balls.xaxis, ax_balls.yaxis):
        axis.set_major_locator(MaxNLocator(nbins=5))
    # the y ticks of the curve move with the data (moving_yticks); its label stays fixed
    ax_curve.yaxis.set_label_coords(-0.13, 0.5)
    # fixed titles at y=1 (no measuring of tick labels); changing values go to the readout
    title = dict(fontsize="medium", y=1.0)
    ax_curve.set_title(f"NTK entry Θ[{i},{j}](w; δ) as a function of δ", **title)
    ax_balls.set_title(
        r"unit balls of $g^\delta$ on a chart around $w$; dashed: $g^0$ at $w$", **title
    )

    def draw(figure: Figure, r: MetricPicture) -> str:
        c = r.chart
        plot_ntk_entry(c.deltas, c.curve, delta=r.delta, value=r.value, entry=c.entry, ax=ax_curve)
        moving_yticks(ax_curve, *ax_curve.get_ylim())
        unit = float(np.linalg.norm(c.w))
        balls = [o / unit for o in r.outlines]
        ref = r.reference / unit
        plot_unit_balls(c.coords / unit, balls, reference=ref, highlight=c.center, ax=ax_balls)
        lam = np.linalg.eigvalsh(r.grams[c.center])
        return (
            f"Θ[{c.entry[0]},{c.entry[1]}](w; δ) = <b>{r.value:.4g}</b> at δ = "
            f"<b>{r.delta:.4g}</b> &nbsp;·&nbsp; at w: g<sup>δ</sup> has eigenvalues "
            f"{lam[0]:.3g}, {lam[1]:.3g} in chart coordinates (unit ball semi-axes "
            f"{1 / np.sqrt(lam[1]):.3g}, {1 / np.sqrt(lam[0]):.3g}) &nbsp;·&nbsp; balls drawn "
            f"at scale ×{c.scale:.2g} &nbsp;·&nbsp; ‖w‖ = {unit:.4g}"
        )

    return Explorer(
        controls,
        compute,
        draw,
        fig,
        layout_controls=box,
        title="<b>The invariant δ changes the metric at a fixed point w</b>",
        preview=("delta", np.linspace(lo, hi, 9).tolist()),
        alt=(
            f"Two panels: the NTK entry Θ[{i},{j}](w; δ) as a function of the invariant δ "
            "with a marker at the current δ, and a small chart of the neuromanifold around the "
            "point w with the unit ball of the metric of invariant δ at every chart point; the "
            "dashed outline at w is the unit ball of the balanced metric."
        ),
    )
