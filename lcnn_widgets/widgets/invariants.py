"""The widget of the chapter on conserved quantities: rescale, then follow the gradient flow.

Names as in lcnn_widgets/README.md "Vocabulary" (``net``, ``filters``, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedFormatter, FixedLocator
from numpy.typing import ArrayLike

from .._validation import as_positive_int
from ..fibers import rescale
from ..flows import WIDGET_ATOL, WIDGET_RTOL, FlowResult, SquaredLoss, gradient_flow, squared_loss
from ..invariants import orbit_norms
from ..lcn import LCN, conv
from ..plotting._common import update_line
from ..plotting.invariants import plot_invariant_drift, plot_loss, plot_orbit_plane
from ._base import Explorer
from ._common import group, panel_figure, row, slider
from .flows import TwoLayerFlows

__all__ = ["InvariantsPicture", "explore_invariants", "invariants_picture"]

#: number of sample times of the flow drawn by the widget
N_TIMES = 50
#: grey reference levels delta = const in the orbit plane
DELTA_LEVELS = tuple(float(d) for d in np.arange(-8.0, 8.5, 1.0))


@dataclass(frozen=True, eq=False)
class InvariantsPicture:
    """Everything the invariants widget draws (the squared norms are ``(||w_1||^2, ||w_2||^2)``)."""

    filters: list  # set by the sliders
    rescaled: list  # rescale(net, filters, [target])
    target: float
    point: np.ndarray  # (2,) squared norms before rescaling
    rescaled_point: np.ndarray  # (2,) and after
    orbit: np.ndarray  # (n, 2) squared norms along the scaling orbit (c w_1, w_2 / c)
    limit: float  # both axes of the orbit plane run from 0 to limit
    flow: FlowResult  # the gradient flow from the rescaled filters


def invariants_picture(
    net: LCN,
    filters: Sequence[ArrayLike],
    target: float,
    t_max: float,
    loss: SquaredLoss,
    *,
    n_orbit: int = 200,
    limit: float | None = None,
    flows: TwoLayerFlows | None = None,
) -> InvariantsPicture:
    """Rescale a two-layer network to the invariant ``target`` and run its gradient flow.

    Parameters
    ----------
    net, filters : LCN, sequence of array_like
        Two layers; both filters nonzero.
    target, t_max : float
        The invariant ``||w_2||^2 - ||w_1||^2`` to rescale to (Prop. 2); the flow's horizon (> 0).
    loss : SquaredLoss
    n_orbit : int, default=200
        Number of points on the drawn part of the orbit.
    limit : float, optional
        Side of the drawn orbit plane (default: 1.25 times the points' largest coordinate).
    flows : TwoLayerFlows, optional
        The same flow as :func:`lcnn_widgets.gradient_flow`, fast (built once by the widget).

    Returns
    -------
    InvariantsPicture
    """
    if net.n_layers != 2:
        raise ValueError(f"the orbit plane needs a two-layer network: got {net.n_layers} layers")
    horizon = float(t_max)
    if not horizon > 0:
        raise ValueError(f"t_max must be positive: got {t_max!r}")
    fs = net.check_filters(filters)
    rescaled = rescale(net, fs, [target])  # ValueError for a zero filter
    point, new_point = (np.array([np.sum(f**2) for f in g]) for g in (fs, rescaled))
    needed = float(max(point.max(), new_point.max()))
    if limit is None:
        limit = 1.25 * needed
    elif not float(limit) >= needed:
        raise ValueError(f"limit must hold both points (at least {needed:.3g}): got {limit!r}")
    limit = float(limit)
    # the orbit (c w_1, w_2 / c) has a_1 = c^2 ||w_1||^2; draw it for a_1 in [P/limit, limit]
    a1 = np.geomspace(point[0] * point[1] / limit, limit, as_positive_int(n_orbit, "n_orbit"))
    c = np.sqrt(a1 / point[0])
    orbit = orbit_norms(net, fs, np.column_stack([c, 1.0 / c]))
    t_eval, tol = np.linspace(0.0, horizon, N_TIMES), {"rtol": WIDGET_RTOL, "atol": WIDGET_ATOL}
    if flows is None:
        flow = gradient_flow(net, rescaled, loss, t_eval=t_eval, **tol)
    else:
        flow = flows.gradient_flow(rescaled, t_eval, **tol)
    return InvariantsPicture(fs, rescaled, float(target), point, new_point, orbit, limit, flow)


def _held_ticks(axes: Sequence[Any]) -> Callable[[], None]:
    """Fixed ticks (cheaper to measure) for each axis until its limits change.

    An axis whose formatter shows an offset or common factor (such as 1e-10) keeps its own ticks.
    """
    auto = [(a, a.get_major_locator(), a.get_major_formatter()) for a in axes]
    seen: dict[int, tuple[float, ...]] = {}

    def hold() -> None:
        for axis, locator, formatter in auto:
            limits = tuple(float(v) for v in axis.get_view_interval())
            if seen.get(id(axis)) == limits:
                continue
            axis.set_major_locator(locator)
            axis.set_major_formatter(formatter)
            lo, hi = min(limits), max(limits)
            tol = 1e-9 * (hi - lo)
            locs = [float(v) for v in locator() if lo - tol <= v <= hi + tol]
            labels = formatter.format_ticks(locs)  # sets the formatter's offset
            if not getattr(formatter, "get_offset", lambda: "")():
                axis.set_major_locator(FixedLocator(locs))
                axis.set_major_formatter(FixedFormatter(labels))
            seen[id(axis)] = limits

    return hold


def _teacher_data(net: LCN, rng: np.random.Generator, n_samples: int) -> tuple[np.ndarray, ...]:
    """Inputs with ``Sigma`` close to the identity and noisy outputs of a random teacher."""
    m = 6  # outputs per sample
    size, stride = net.end_to_end_size, net.stride
    assert isinstance(size, int) and isinstance(stride, int)  # a network of 1D filters
    n = size + stride * (m - 1)
    X = rng.standard_normal((n_samples, n)) / np.sqrt(m)
    teacher = net.end_to_end(net.random_filters(rng))
    Y = np.stack([conv(teacher, stride, x) for x in X])
    return X, Y + 0.05 * rng.standard_normal(Y.shape)


def explore_invariants(
    filter_sizes: Sequence[int] = (3, 2),
    strides: Sequence[int] = (2, 1),
    *,
    filters: Sequence[ArrayLike] | None = None,
    target: float = 0.0,
    t_max: float = 4.0,
    n_samples: int = 12,
    seed: int = 0,
) -> Explorer:
    """Rescale a two-layer network to a chosen invariant and watch the invariant stay put.

    Parameters
    ----------
    filter_sizes, strides : sequence of int, default=(3, 2), (2, 1)
        A two-layer 1D architecture.
    filters : sequence of array_like, optional
        Initial slider values (default: fixed filters with invariant about 0.58).
    target, t_max : float, default=0.0, 4.0
        Initial target invariant and time horizon of the flow.
    n_samples : int, default=12
        Number of training signals (drawn once, from ``seed``).
    seed : int, default=0

    Returns
    -------
    Explorer
        Controls ``w1_0, ..., w2_{k_2 - 1}`` (filter entries), ``target`` and ``t_max``; panels:
        the orbit plane, the loss along the flow from the rescaled point, the drift of the
        invariant (eq. 1). Attributes ``net`` and ``loss``.

    Examples
    --------
    >>> ex = explore_invariants()
    >>> ex.error is None and sorted(ex.controls)[:2] == ["t_max", "target"]
    True
    """
    net = LCN(list(filter_sizes), list(strides))
    if net.n_layers != 2 or not net.is_1d:
        raise ValueError(f"explore_invariants needs a two-layer 1D network: got {net!r}")
    rng = np.random.default_rng(seed)
    X, Y = _teacher_data(net, rng, as_positive_int(n_samples, "n_samples"))
    loss = squared_loss(net, X, Y)
    sizes = net.filter_sizes
    if filters is None:
        filters = [np.resize([1.0, 0.5, -0.5], sizes[0]), np.resize([1.2, 0.8], sizes[1])]
    fs = net.check_filters(filters)

    entry_range, target_range, horizon_range = (-2.0, 2.0), (-4.0, 4.0), (0.5, 10.0)
    entry: dict[str, Any] = {"description_width": 40, "track": 150}
    controls: dict[str, W.ValueWidget] = {
        f"w{l + 1}_{j}": slider("float", f"w{'₁₂'[l]}[{j}]", float(v), *entry_range, 0.05, **entry)
        for l, f in enumerate(fs)
        for j, v in enumerate(f)
    }
    rows = [row(*(controls[f"w{l + 1}_{j}"] for j in range(k))) for l, k in enumerate(sizes)]
    controls["target"] = slider(
        "float", "target δ", float(target), *target_range, 0.1, description_width=72, track=240
    )
    controls["t_max"] = slider(
        "float", "horizon T", float(t_max), *horizon_range, 0.5, description_width=72, track=200
    )
    box = W.VBox(
        [
            group("<b>Filters</b> of layer 1 (w₁) and layer 2 (w₂): the current point", *rows),
            group(
                "<b>Rescale</b> to the invariant δ = ‖w₂‖² − ‖w₁‖² = target, then follow the "
                "gradient flow up to time T",
                row(controls["target"], controls["t_max"]),
            ),
        ]
    )
    flows = TwoLayerFlows(net, loss)

    # ---- fixed frames, from the ranges of the controls
    # orbit plane: the rescaled point for the farthest target has the larger squared norm
    # a = (|target| + sqrt(target^2 + 4 n_1 n_2)) / 2; the plane shows [0, limit]^2 with the
    # limit of the whole slider box, or half of it while that holds the filters' points
    t_far = max(abs(v) for v in target_range)
    top_entry = max(abs(v) for v in entry_range)

    def reach(n1: float, n2: float) -> float:
        return 1.25 * max(n1, n2, 0.5 * (t_far + np.sqrt(t_far**2 + 4 * n1 * n2)))

    widest = reach(*(top_entry**2 * k for k in sizes))

    def plane_limit(filters: list) -> float:
        need = reach(*(float(np.sum(np.square(f))) for f in filters))
        return 0.5 * widest if need <= 0.5 * widest else max(widest, need)

    # loss: from its infimum (the data's own misfit) to its largest value on the slider box
    # (the flow starts at the loss of the filters and decreases; rescaling keeps pi(theta));
    # l o pi is convex in each filter, so the largest value is at a corner of the box
    corners = (top_entry * (2 * np.array(c) - 1.0) for c in np.ndindex(*([2] * sum(sizes))))
    top_loss = max(loss.value(net.end_to_end(net.unflatten(c))) for c in corners)
    bottom_loss = loss.const if loss.const > 0 else 1e-4 * top_loss
    loss_limits = (bottom_loss / 1.5, 1.5 * top_loss)
    time_limits = (0.0, horizon_range[1])

    def compute(**v: Any) -> InvariantsPicture:
        fs = [np.array([v[f"w{l + 1}_{j}"] for j in range(k)]) for l, k in enumerate(sizes)]
        return invariants_picture(
            net, fs, v["target"], v["t_max"], loss, limit=plane_limit(fs), flows=flows
        )

    fig, panels = panel_figure(
        (11.2, 4.2), 1, 3, left=0.065, right=0.985, bottom=0.13, top=0.9, wspace=0.36
    )
    ax_plane, ax_loss, ax_drift = panels
    # the square plane sits at the bottom of its slot: its key goes above it, outside the data
    ax_plane.set_anchor("S")
    # titles at a fixed height (y=1): matplotlib then skips measuring tick labels for them
    ax_loss.set_title("loss along the flow from the star", fontsize="medium", y=1.0)
    # right-aligned, clear of the axis' scale factor (1e-10) at the top left
    ax_drift.set_title("drift of δ along the flow", fontsize="medium", loc="right", y=1.0)
    key = {"loc": "lower center", "bbox_to_anchor": (0.5, 1.01), "ncols": 2, "frameon": False}
    key |= {"fontsize": "x-small", "borderaxespad": 0.0, "columnspacing": 0.8, "handlelength": 1.8}
    key |= {"title": "scaling orbit in the plane of squared norms", "title_fontsize": "small"}
    plane = {"deltas": DELTA_LEVELS, "ax": ax_plane, "values_in_labels": False, "legend": key}
    held: list[Callable[[], None]] = []

    def draw(figure: Figure, r: InvariantsPicture) -> str:
        plot_orbit_plane(
            r.orbit, r.point, rescaled=r.rescaled_point, target=r.target, limit=r.limit, **plane
        )
        if held:  # the first picture makes the loss panel; later ones only move the data
            update_line(ax_loss, "loss", r.flow.times, r.flow.loss)
        else:
            plot_loss(r.flow.times, r.flow.loss, ax=ax_loss, xlim=time_limits, ylim=loss_limits)
            held.append(_held_ticks([a for ax in panels for a in (ax.xaxis, ax.yaxis)]))
        plot_invariant_drift(
            r.flow.times, r.flow.invariants, ax=ax_drift, xlim=time_limits, legend=False
        )
        ax_drift.set_ylabel("δ(t) − δ(0)")  # one invariant: the axis says which (no key)
        held[0]()
        (n1, n2), (a1, a2), flow = r.point, r.rescaled_point, r.flow
        return (
            f"current filters: ‖w₁‖² = {n1:.3g}, ‖w₂‖² = {n2:.3g}, δ = <b>{n2 - n1:.3g}"
            f"</b> &nbsp;·&nbsp; rescaled to δ = <b>{r.target:.3g}</b>: (‖w₁‖², ‖w₂‖²) = "
            f"({a1:.3g}, {a2:.3g}) &nbsp;·&nbsp; loss {flow.loss[0]:.3g} → "
            f"<b>{flow.loss[-1]:.3g}</b> at T = {flow.times[-1]:g} &nbsp;·&nbsp; largest "
            f"drift of δ: <b>{flow.invariant_drift:.1e}</b>"
        )

    explorer = Explorer(
        controls,
        compute,
        draw,
        fig,
        layout_controls=box,
        title="<b>Rescaling to a target invariant, then gradient flow</b>",
        preview=("target", np.linspace(-4.0, 4.0, 9).tolist()),
        alt=(
            "Three panels: the scaling orbit of the filters, a hyperbola in the plane of "
            "squared norms, with the current point, the point rescaled to the target invariant "
            "δ and grey lines of constant δ; the loss along the gradient flow started at the "
            "rescaled point; and the drift of the invariant along that flow, which stays "
            "inside a band of ±1e-10."
        ),
    )
    explorer.net = net
    explorer.loss = loss
    return explorer
