"""The widget of the chapter on gradient flow: a random initialization and where it flows.

Left: ``w(t) = pi(theta(t))`` of the parameter flow in its best-fitting plane through ``w = 0``,
with the function-space flow of Cor. 6 as markers, ``u`` and the origin; right: the loss minus
its value at ``u``. Both flows are integrated once per initialization up to the largest T
(:func:`flow_trajectories`); moving T only samples them, in a frame fixed by the whole run.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, NullLocator

from .._validation import as_finite_array, as_positive_int
from ..flows import (
    WIDGET_ATOL,
    WIDGET_RTOL,
    FlowResult,
    SquaredLoss,
    TwoLayerFlows,
    function_space_flow,
    gradient_flow,
    squared_loss,
)
from ..lcn import LCN
from ..plotting._common import find, moving_yticks
from ..plotting.flows import plot_flow_plane, plot_loss_curves, projection_plane
from ._base import Explorer
from ._common import checkbox, group, int_box, panel_figure, row, slider, step_up

__all__ = [
    "WIDGET_ATOL",
    "WIDGET_RTOL",
    "FlowPicture",
    "FlowTrajectories",
    "TwoLayerFlows",
    "default_flow_problem",
    "explore_flow",
    "flow_picture",
    "flow_trajectories",
]


@dataclass(frozen=True, eq=False)
class FlowPicture:
    """What :func:`explore_flow` draws for one choice of the controls.

    ``basis`` is :func:`projection_plane` of the parameter flow up to ``horizon`` and ``u`` (the
    function-space flow is the same path, Cor. 6); the frame holds the whole run.
    """

    parameter: FlowResult  # the parameter flow from the seeded initialization on [0, t_max]
    function: FlowResult | None  # the function-space flow from (w(0), delta); None if off
    basis: np.ndarray  # (K, 2) the projection plane
    data_filter: np.ndarray  # (K,) u, flattened
    offset: float  # SquaredLoss.const, subtracted from the loss curves
    gap: float  # max_t ||w_function(t) - w_parameter(t)||_inf at the function's times (or nan)
    horizon: float = float("nan")  # the flows were integrated up to this time (>= t_max)
    plane_limits: float = float("nan")  # both plane axes run over [-plane_limits, plane_limits]
    loss_limits: tuple[float, float] = (float("nan"), float("nan"))  # whole decades of the loss


#: half-widths of the plane panel: the smallest one that holds the trajectory is used
_PLANE_LEVELS = tuple(m * 10.0**k for k in range(-3, 5) for m in (1.0, 1.5, 2.0, 3.0, 5.0, 7.5))


def _decades(values: np.ndarray) -> tuple[float, float]:
    """The smallest range of whole decades holding the positive ``values`` (20 % room on top)."""
    v = values[values > 0]
    if v.size == 0:
        return (1e-3, 1.0)
    lo = 10.0 ** np.floor(np.log10(float(v.min())))
    hi = 10.0 ** np.ceil(np.log10(1.2 * float(v.max())))
    return (float(lo), float(max(hi, 10 * lo)))


def _take(res: FlowResult, idx: np.ndarray) -> FlowResult:
    """The samples ``idx`` of a :class:`FlowResult`."""
    arrays = ("times", "end_to_end", "loss", "invariants", "gradient_norm")
    return replace(
        res, filters=tuple(f[idx] for f in res.filters), **{a: getattr(res, a)[idx] for a in arrays}
    )


@dataclass(frozen=True, eq=False)
class FlowTrajectories:
    """Both flows from one initialization, integrated once up to ``horizon``.

    Made by :func:`flow_trajectories`; a picture for ``t_max <= horizon`` only samples them.
    Horizons that are multiples of ``grid_step`` (the slider's step) take the samples computed
    in advance, on the multiples of ``grid_step / (n - 1)``.
    """

    flows: TwoLayerFlows  # the fields (network and loss)
    filters: list  # theta(0)
    horizon: float  # the end of the known [0, horizon]
    parameter: Any  # GridSolution theta(t)
    function: Any  # GridSolution w(t), or None if not integrated
    n_times: int  # samples of [0, t_max] in a picture, parameter flow
    n_function: int  # ... function-space flow
    grid_step: float | None
    parameter_grid: FlowResult | None  # samples on the grid
    function_grid: FlowResult | None
    basis: np.ndarray  # the frame of the pictures, as in FlowPicture
    plane_limits: float
    loss_limits: tuple[float, float]
    rtol: float = WIDGET_RTOL  # the integrator's tolerances
    atol: float = WIDGET_ATOL

    def _grid_index(self, t_max: float, n: int) -> np.ndarray | None:
        if self.grid_step is None:
            return None
        m = t_max / self.grid_step
        return None if abs(m - round(m)) > 1e-9 * max(m, 1.0) else np.arange(n) * round(m)

    def _parameter_at(self, t_max: float, n: int) -> FlowResult:
        idx = self._grid_index(t_max, n)
        if (
            idx is not None
            and self.parameter_grid is not None
            and (self.n_times - 1) % (n - 1) == 0
        ):
            idx = idx * ((self.n_times - 1) // (n - 1))
            if idx[-1] < self.parameter_grid.times.size:
                return _take(self.parameter_grid, idx)
        return self.flows.sample_parameter(self.parameter, np.linspace(0.0, t_max, n))

    def picture(self, t_max: float, *, function_space: bool = True) -> FlowPicture:
        """The picture for ``0 < t_max <= horizon`` (samples only; ValueError otherwise).

        ValueError also for a function-space flow asked for but not integrated.
        """
        T = float(t_max)
        if not 0 < T <= self.horizon * (1 + 1e-12):
            raise ValueError(f"t_max must lie in (0, {self.horizon:g}]: got {t_max!r}")
        par = self._parameter_at(T, self.n_times)
        fun, gap = None, float("nan")
        if function_space:
            if self.function is None:
                raise ValueError("the function-space flow was not integrated")
            idx, grid = self._grid_index(T, self.n_function), self.function_grid
            if idx is not None and grid is not None and idx[-1] < grid.times.size:
                fun = _take(grid, idx)
            else:
                t_fun = np.linspace(0.0, T, self.n_function)
                fun = self.flows.sample_function(self.function, t_fun, self.filters)
            step, rem = divmod(par.times.size - 1, max(fun.times.size - 1, 1))
            if rem == 0 and fun.times.size > 1:  # the function times are a subgrid
                ref = par.end_to_end[::step]
            else:
                ref = self._parameter_at(T, fun.times.size).end_to_end
            gap = float(np.max(np.abs(fun.end_to_end - ref[: fun.times.size])))
        loss, frame = self.flows.loss, (self.horizon, self.plane_limits, self.loss_limits)
        return FlowPicture(par, fun, self.basis, loss.u.ravel(), loss.const, gap, *frame)

    def with_function(self) -> FlowTrajectories:
        """The same trajectories with the function-space flow integrated too."""
        if self.function is not None:
            return self
        t = None if self.grid_step is None else _grid(self.horizon, self.grid_step, self.n_function)
        tol = dict(rtol=self.rtol, atol=self.atol)
        return self._adding(
            self.flows.function_trajectory(self.filters, self.horizon, times=t, **tol)
        )

    def _adding(self, sol: Any) -> FlowTrajectories:
        """These trajectories with the function-space flow ``sol`` (and its grid samples)."""
        grid = None
        if self.grid_step is not None:  # fiber points from the parameter flow (Cor. 6)
            t = sol.t
            grid = self.flows.sample_function(sol, t, self.filters, guesses=self.parameter.sol(t).T)
        return replace(self, function=sol, function_grid=grid)


def _grid(horizon: float, step: float, n: int) -> np.ndarray:
    """Multiples of ``step / (n - 1)`` up to ``horizon``."""
    h = step / max(n - 1, 1)
    return np.arange(int(np.floor(horizon / h + 1e-9)) + 1) * h


def _check_controls(seed: Any, scale: Any, t_max: Any) -> tuple[int, float, float]:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer: got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a nonnegative integer: got {seed}")
    s = float(as_finite_array(scale, "scale"))
    if s <= 0:
        raise ValueError(f"scale must be positive: got {s}")
    T = float(as_finite_array(t_max, "t_max"))
    if T <= 0:
        raise ValueError(f"t_max must be positive: got {T}")
    return int(seed), s, T


def flow_trajectories(
    flows: TwoLayerFlows,
    *,
    seed: int,
    scale: float,
    horizon: float,
    function_space: bool = True,
    n_times: int = 81,
    n_function: int = 21,
    grid_step: float | None = None,
    rtol: float = WIDGET_RTOL,
    atol: float = WIDGET_ATOL,
) -> FlowTrajectories:
    """Integrate both flows from a seeded initialization once, up to ``horizon``.

    Parameters
    ----------
    flows : TwoLayerFlows
    seed, scale : int, float
        The initialization ``net.random_filters(default_rng(seed), scale=scale)``.
    horizon : float
        Integrate up to this time (> 0).
    function_space : bool, default=True
        Also integrate the function-space flow (or later: :meth:`FlowTrajectories.with_function`).
    n_times, n_function : int, default=81, 21
        Samples of ``[0, t_max]`` in each picture.
    grid_step : float, optional
        Precompute the samples of every horizon that is a multiple of ``grid_step``.
    rtol, atol : float

    Returns
    -------
    FlowTrajectories
    """
    seed, s, T = _check_controls(seed, scale, horizon)
    fs = flows.net.random_filters(np.random.default_rng(seed), scale=s)
    nt, nf = as_positive_int(n_times, "n_times"), as_positive_int(n_function, "n_function")
    if nt < 2 or nf < 2:
        raise ValueError(f"n_times and n_function must be at least 2: got {nt}, {nf}")
    step = None if grid_step is None else float(grid_step)
    times = _grid(T, step, nt) if step is not None else np.linspace(0.0, T, 8 * (nt - 1) + 1)
    tol = dict(rtol=rtol, atol=atol)
    joint = function_space and step is not None and (nt - 1) % (nf - 1) == 0
    if joint:  # both flows in one integration; the function flow on every (nt-1)/(nf-1)-th time
        every = (nt - 1) // (nf - 1)
        par, fun = flows.both_trajectories(fs, T, times=times, every=every, **tol)
    else:
        par = flows.parameter_trajectory(fs, T, times=times, **tol)
    if par.t.size < times.size:
        raise ValueError("the parameter flow overflowed: choose a smaller scale")
    reach = float(par.t[-1])
    fine = _grid(reach, step, nt) if step is not None else np.linspace(0.0, reach, 8 * (nt - 1) + 1)
    whole = flows.sample_parameter(par, fine)
    u = flows.loss.u.ravel()
    path = whole.end_to_end.reshape(whole.times.size, -1)
    basis = projection_plane(path, u)
    extent = float(np.max(np.abs(np.vstack([path @ basis, (u @ basis)[None]]))))
    traj = FlowTrajectories(
        flows=flows,
        filters=fs,
        horizon=reach,
        parameter=par,
        function=None,
        n_times=nt,
        n_function=nf,
        grid_step=step,
        parameter_grid=whole if step is not None else None,
        function_grid=None,
        basis=basis,
        plane_limits=step_up(1.1 * extent, _PLANE_LEVELS),
        loss_limits=_decades(whole.loss - flows.loss.const),
        **tol,
    )
    if joint:
        return traj._adding(fun)
    return traj.with_function() if function_space else traj


def default_flow_problem(*, n_samples: int = 12, seed: int = 2024) -> tuple[LCN, SquaredLoss]:
    """The running example ``LCN([3, 2], [2, 1])`` with seeded random training data.

    ``n_samples`` input signals of length 9 (three outputs each), data drawn with ``seed``;
    returns ``(net, loss)``.
    """
    net = LCN([3, 2], [2, 1])
    rng = np.random.default_rng(seed)
    n = as_positive_int(n_samples, "n_samples")
    X = rng.standard_normal((n, 9))
    Y = rng.standard_normal((n, 3))
    return net, squared_loss(net, X, Y)


def flow_picture(
    net: LCN,
    loss: SquaredLoss,
    *,
    seed: int,
    scale: float,
    t_max: float,
    function_space: bool = True,
    n_times: int = 81,
    n_function: int = 21,
    rtol: float = WIDGET_RTOL,
    atol: float = WIDGET_ATOL,
    horizon: float | None = None,
) -> FlowPicture:
    """Integrate both flows from a seeded random initialization (the widget's pure function).

    Parameters
    ----------
    net : LCN
        Strides ``> 1`` (but the last) for the function-space flow; two layers are integrated
        by :class:`TwoLayerFlows`, others by :func:`gradient_flow`, :func:`function_space_flow`.
    loss : SquaredLoss
    seed, scale, t_max, function_space, n_times, n_function, rtol, atol
        As in :func:`flow_trajectories` (``t_max`` the horizon there); the gap is measured at
        the function flow's times.
    horizon : float, optional
        Integrate up to this time (at least ``t_max``, the default) and sample ``[0, t_max]``
        in the frame of the whole run.

    Returns
    -------
    FlowPicture
    """
    seed, s, T = _check_controls(seed, scale, t_max)
    H = T if horizon is None else max(T, float(as_finite_array(horizon, "horizon")))
    tol = dict(rtol=rtol, atol=atol)
    if net.n_layers == 2:
        traj = flow_trajectories(
            TwoLayerFlows(net, loss),
            seed=seed,
            scale=s,
            horizon=H,
            function_space=function_space,
            n_times=n_times,
            n_function=n_function,
            **tol,
        )
        return traj.picture(min(T, traj.horizon), function_space=function_space)
    fs = net.random_filters(np.random.default_rng(seed), scale=s)
    t_par = np.linspace(0.0, T, as_positive_int(n_times, "n_times"))
    par = gradient_flow(net, fs, loss, t_eval=t_par, **tol)
    fun, gap = None, float("nan")
    paths = [par.end_to_end.reshape(par.times.size, -1)]
    if function_space:
        t_fun = np.linspace(0.0, T, as_positive_int(n_function, "n_function"))
        w0, delta = net.end_to_end(fs), net.invariants(fs)
        fun = function_space_flow(net, w0, delta, loss, t_eval=t_fun, initial_filters=fs, **tol)
        step, rem = divmod(par.times.size - 1, t_fun.size - 1) if t_fun.size > 1 else (0, 1)
        if rem == 0:  # t_fun is a subgrid of the parameter flow's grid
            ref = par.end_to_end[::step]
        else:
            ref = gradient_flow(net, fs, loss, t_eval=t_fun, **tol).end_to_end
        gap = float(np.max(np.abs(fun.end_to_end - ref)))
        paths.append(fun.end_to_end.reshape(t_fun.size, -1))
    u = loss.u.ravel()
    basis = projection_plane(*paths, u)
    pts = np.vstack([p @ basis for p in paths] + [(u @ basis)[None]])
    box = step_up(1.1 * float(np.max(np.abs(pts))), _PLANE_LEVELS)
    decades = _decades(np.concatenate([par.loss] + ([fun.loss] if fun else [])) - loss.const)
    return FlowPicture(par, fun, basis, u, loss.const, gap, T, box, decades)


#: the T slider of the widget: from T_MIN to T_MAX in steps of T_STEP
T_MIN, T_MAX, T_STEP = 0.5, 40.0, 0.5
#: how many initializations the widget keeps integrated (seed and scale)
CACHE_SIZE = 12
#: ticks of the time axis (linear up to 1, logarithmic beyond)
_TIME_TICKS = (0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 40.0)
_LABELS = ("parameter flow π(θ(t))", "function-space flow")


def _readout(pic: FlowPicture) -> str:
    """The values of a picture that change with the controls, as one line of HTML."""
    par = pic.parameter
    delta = ", ".join(f"{d:.3g}" for d in np.ravel(par.invariants[0]))
    parts = [
        f"invariant δ = <b>{delta}</b>",
        f"relative drift of δ along the flow: <b>{par.relative_invariant_drift:.1e}</b>",
        f"ℓ(w(T)) − const = <b>{par.loss[-1] - pic.offset:.3g}</b> at T = {par.times[-1]:g}",
        f"plane box half-width L = {pic.plane_limits:g}",
    ]
    if not np.isnan(pic.gap):
        parts.insert(1, f"function-space flow vs π(θ(t)): max gap <b>{pic.gap:.1e}</b>")
    return " &nbsp;·&nbsp; ".join(parts)


def _flow_drawer(ax_plane: Any, ax_loss: Any) -> Any:
    """The widget's ``draw``: data into fixed frames, one key outside the data.

    The key lists the function-space flow also while it is switched off (no dots then).
    """
    shown = {"key": False}

    def draw(fig: Figure, pic: FlowPicture) -> str:
        flows = [f for f in (pic.parameter, pic.function) if f is not None]
        paths = [f.end_to_end.reshape(f.times.size, -1) for f in flows]
        labels = list(_LABELS[: len(flows)])
        # the plane in units of its box half-width L (in the readout): the frame stays [-1, 1]^2
        frame: dict[str, Any] = dict(
            xlim=(-1.0, 1.0), ylim=(-1.0, 1.0), labels=labels, legend=False
        )
        basis = pic.basis / pic.plane_limits
        plot_flow_plane(paths, basis, data_filter=pic.data_filter, ax=ax_plane, **frame)
        times, losses = [f.times for f in flows], [f.loss for f in flows]
        loss_frame: dict[str, Any] = dict(xlim=(0.0, T_MAX), ylim=pic.loss_limits, legend=False)
        plot_loss_curves(times, losses, labels=labels, offset=pic.offset, ax=ax_loss, **loss_frame)
        # the loss decades depend on the initialization: ticks drawn with the data, not the frame
        moving_yticks(ax_loss, *pic.loss_limits, log=True)
        # plain text instead of the plot functions' mathtext (faster whenever the frame is drawn)
        ax_plane.set(xlabel="projection on b₁ (units of L)", ylabel="projection on b₂ (units of L)")
        ax_loss.set(xlabel="time t (logarithmic beyond 1)", ylabel="ℓ(w(t)) − const")
        function_loss = find(ax_loss.get_lines(), "loss_1")
        if function_loss is not None:  # dots, as in the plane: the key there serves both
            function_loss.set(linestyle="none", marker="o", markersize=4)
        if pic.function is None:  # hide the overlay of an earlier picture
            for ax, gid in ((ax_plane, "path_1"), (ax_loss, "loss_1")):
                line = find(ax.get_lines(), gid)
                if line is not None:
                    line.set_data([], [])
        if not shown["key"]:  # one key for both panels, outside the data: drawn once
            shown["key"] = True
            keys = [
                Line2D([], [], color="C0", lw=2.0),
                Line2D([], [], color="C1", marker="o", ms=4, ls="none"),
                *(find(ax_plane.get_lines(), g) for g in ("start", "end", "origin", "data_filter")),
            ]
            ax_plane.legend(
                keys,
                [*_LABELS, "start", "end", "w = 0", "data filter u"],
                loc="upper left",
                bbox_to_anchor=(1.03, 1.0),
                borderaxespad=0.0,
                fontsize="small",
                frameon=False,
                handlelength=1.6,
            )
        return _readout(pic)

    return draw


#: decades ``10^k`` whose labels the loss axis shows (its ticks move with the data): the loss
#: minus its minimum over a run to T_MAX spans 10^-2 to 10^4 for seeds 0-7 at scales 0.01-3
_WARM_DECADES = range(-3, 6)


def _warm_decade_labels(ax_loss: Any) -> None:
    """Lay out every label ``10^k`` of :data:`_WARM_DECADES` once, at construction.

    A mathtext label costs a millisecond or more the first time (parsing), later ones hit
    matplotlib's caches: the first tick's label is set to each string, measured and restored.
    """
    txt = find(ax_loss.texts, "ytick-0")
    if txt is None:
        return
    renderer = ax_loss.figure.canvas.get_renderer()
    label = txt.get_text()
    for k in _WARM_DECADES:
        txt.set_text(f"$\\mathdefault{{10^{{{k}}}}}$")
        txt.get_window_extent(renderer)
    txt.set_text(label)


def explore_flow(
    net: LCN | None = None,
    loss: SquaredLoss | None = None,
    *,
    seed: int = 0,
    scale: float = 0.5,
    t_max: float = 5.0,
    function_space: bool = True,
) -> Explorer:
    """A widget: pick the initialization and the horizon, watch both flows.

    Parameters
    ----------
    net, loss : LCN and SquaredLoss, optional
        The problem; default :func:`default_flow_problem`.
    seed, scale, t_max, function_space : int, float, float, bool
        Initial values of the seed box, the scale slider (log, 0.01 to 3), the T slider (0.5 to
        40) and the check box of the function-space flow.

    Returns
    -------
    Explorer
        ``result`` a :class:`FlowPicture`; attributes ``net``, ``loss`` and ``trajectories``
        (two layers: ``(seed, scale) ->`` :class:`FlowTrajectories`, most recent last; else None).

    Notes
    -----
    Two layers: each initialization is integrated once up to ``T_MAX`` with every slider
    position sampled in advance (the last ``CACHE_SIZE`` kept); others: up to T on each update.
    """
    if (net is None) != (loss is None):
        raise TypeError("pass both net and loss, or neither (for the default problem)")
    if net is None or loss is None:  # neither (both or neither is checked above)
        net, loss = default_flow_problem()
    c: dict[str, Any] = {
        "seed": int_box(seed, "seed"),
        "scale": slider("log", "scale", scale, -2.0, float(np.log10(3.0)), 0.05, track=180),
        "t_max": slider("float", "horizon T", t_max, T_MIN, T_MAX, T_STEP, track=300),
        "function_space": checkbox(function_space, "function-space flow"),
    }
    titles = (
        "<b>Initialization</b>: the seed and the scale (standard deviation) of the random filters",
        "<b>Flow</b>: the time horizon T, and the function-space flow on top (slower)",
    )
    rows = (row(c["seed"], c["scale"]), row(c["t_max"], c["function_space"]))
    box = W.VBox([group(title, r) for title, r in zip(titles, rows, strict=True)])
    fig, (ax_plane, ax_loss) = panel_figure(
        (11.2, 4.2), 1, 2, left=0.075, right=0.985, bottom=0.12, top=0.9, wspace=0.22
    )
    # the plane: equal scales (a projection), the box at the left of its slot, the key beside it
    ax_plane.set_aspect("equal", adjustable="box")
    ax_plane.set_anchor("W")
    for axis in (ax_plane.xaxis, ax_plane.yaxis):  # few labels: cheaper full redraws
        axis.set_major_locator(MaxNLocator(nbins=5, symmetric=True))
    # titles at a fixed height (y=1): matplotlib then skips measuring the tick labels for them
    title: dict[str, Any] = dict(loc="left", fontsize="medium", y=1.0)
    ax_plane.set_title("end-to-end filter, projected to its best-fitting plane", **title)
    ax_loss.set_title("distance to the data filter", **title)
    # time: linear up to 1, logarithmic beyond, so that every horizon of the slider reads well
    ax_loss.set_xscale("symlog", linthresh=1.0, linscale=1.0)
    ax_loss.set_xticks(_TIME_TICKS, [f"{t:g}" for t in _TIME_TICKS])
    ax_loss.xaxis.set_minor_locator(NullLocator())
    ax_loss.yaxis.set_label_coords(-0.11, 0.5)  # left of the loss ticks (drawn with the data)

    cache: OrderedDict[tuple[int, float], FlowTrajectories] | None = None
    if net.n_layers == 2:
        flows = TwoLayerFlows(net, loss)
        cache = OrderedDict()

        def compute(seed: int, scale: float, t_max: float, function_space: bool) -> FlowPicture:
            sd, s, T = _check_controls(seed, scale, t_max)
            traj = cache.pop((sd, s), None)
            if traj is None:  # a new initialization: integrate once, up to the largest T
                grid: dict[str, Any] = dict(horizon=T_MAX, grid_step=T_STEP)
                traj = flow_trajectories(
                    flows, seed=sd, scale=s, function_space=function_space, **grid
                )
            elif function_space:
                traj = traj.with_function()
            cache[(sd, s)] = traj
            while len(cache) > CACHE_SIZE:
                cache.popitem(last=False)
            if T > traj.horizon:
                raise ValueError(f"t_max must be at most {traj.horizon:g}: got {T:g}")
            return traj.picture(T, function_space=function_space)
    else:  # another architecture: integrate up to T on every update (library flows)

        def compute(seed: int, scale: float, t_max: float, function_space: bool) -> FlowPicture:
            values: dict[str, Any] = dict(
                seed=seed, scale=scale, t_max=t_max, function_space=function_space
            )
            return flow_picture(net, loss, horizon=T_MAX, **values)

    explorer = Explorer(
        c,
        compute,
        _flow_drawer(ax_plane, ax_loss),
        fig,
        layout_controls=box,
        title="<b>Gradient flow from a random initialization</b>: the parameter flow and the "
        "Riemannian flow in function space",
        preview=("t_max", [0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0]),
        alt=(
            "Two panels: the end-to-end filter along the parameter flow from a random "
            "initialization, projected to the plane that best fits it, with the function-space "
            "flow as dots, the data filter u as a star and the origin w = 0; and the loss minus "
            "its minimum along both flows on a logarithmic axis, for the time horizon T."
        ),
    )
    _warm_decade_labels(ax_loss)
    explorer.net, explorer.loss, explorer.trajectories = net, loss, cache
    return explorer
