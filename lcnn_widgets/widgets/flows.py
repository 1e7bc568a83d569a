"""The widget of the chapter on gradient flow: a random initialization and where it flows.

Left panel: the end-to-end filter ``w(t) = pi(theta(t))`` of the parameter flow, projected to the
plane that best fits the trajectory (through ``w = 0``), with the function-space flow
``w' = -Theta(w; delta) grad l(w)`` of Cor. 6 drawn on top as markers, the data filter ``u``
and the origin. Right panel: the loss minus its value at ``u`` (the weighted distance
``1/2 ||w - u||_Sigma^2``) along both flows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from .._validation import as_finite_array, as_positive_int
from ..flows import FlowResult, SquaredLoss, function_space_flow, gradient_flow, squared_loss
from ..lcn import LCN
from ..plotting._common import find
from ..plotting.flows import plot_flow_plane, plot_loss_curves, projection_plane
from ._base import Explorer
from ._common import checkbox, group, int_box, panel_figure, row, slider

__all__ = [
    "WIDGET_ATOL",
    "WIDGET_RTOL",
    "FlowPicture",
    "default_flow_problem",
    "explore_flow",
    "flow_picture",
]

#: integrator tolerances of the widget (looser than the library's defaults, for speed; the
#: two flows still agree to about 1e-9)
WIDGET_RTOL = 1e-9
WIDGET_ATOL = 1e-11


@dataclass(frozen=True, eq=False)
class FlowPicture:
    """What :func:`explore_flow` draws for one choice of the controls.

    Attributes
    ----------
    parameter : FlowResult
        The parameter flow from the seeded initialization.
    function : FlowResult or None
        The function-space flow from the same ``(w(0), delta)`` (None when switched off).
    basis : ndarray of shape (K, 2)
        The projection plane (:func:`projection_plane` of both trajectories and ``u``).
    data_filter : ndarray of shape (K,)
        ``u``, flattened.
    offset : float
        ``SquaredLoss.const``, subtracted from the loss curves.
    gap : float
        ``max_t ||w_function(t) - w_parameter(t)||_inf`` (nan without the function flow).
    """

    parameter: FlowResult
    function: FlowResult | None
    basis: np.ndarray
    data_filter: np.ndarray
    offset: float
    gap: float


def default_flow_problem(*, n_samples: int = 12, seed: int = 2024) -> tuple[LCN, SquaredLoss]:
    """The running example ``LCN([3, 2], [2, 1])`` with seeded random training data.

    Parameters
    ----------
    n_samples : int, default=12
        Number of input signals (length 9, three outputs each).
    seed : int, default=2024
        Seed of the data.

    Returns
    -------
    net : LCN
    loss : SquaredLoss
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
) -> FlowPicture:
    """Integrate both flows from a seeded random initialization (the widget's pure function).

    Parameters
    ----------
    net : LCN
        An architecture with strides ``> 1`` (but the last) for the function-space flow.
    loss : SquaredLoss
    seed : int
        Seed of the initialization ``net.random_filters(default_rng(seed), scale=scale)``.
    scale : float
        Standard deviation of the initial entries (> 0).
    t_max : float
        Time horizon (> 0).
    function_space : bool, default=True
        Also integrate ``w' = -Theta(w; delta) grad l(w)`` (slower).
    n_times, n_function : int, default=81, 21
        Samples of the parameter and of the function-space flow. When ``n_function - 1``
        divides ``n_times - 1`` the gap is measured on the common sample times; otherwise the
        parameter flow is run again on the function flow's times.
    rtol, atol : float, default=WIDGET_RTOL, WIDGET_ATOL
        Integrator tolerances of both flows.

    Returns
    -------
    FlowPicture

    Raises
    ------
    ValueError
        For a negative seed, a non-positive scale or horizon.
    """
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
    fs = net.random_filters(np.random.default_rng(int(seed)), scale=s)
    tol = dict(rtol=rtol, atol=atol)
    par = gradient_flow(net, fs, loss, t_eval=np.linspace(0.0, T, as_positive_int(n_times,
                                                                                  "n_times")),
                        **tol)
    fun = None
    gap = float("nan")
    paths = [par.end_to_end.reshape(par.times.size, -1)]
    if function_space:
        t_fun = np.linspace(0.0, T, as_positive_int(n_function, "n_function"))
        fun = function_space_flow(net, net.end_to_end(fs), net.invariants(fs), loss,
                                  t_eval=t_fun, initial_filters=fs, **tol)
        step, rem = divmod(par.times.size - 1, t_fun.size - 1) if t_fun.size > 1 else (0, 1)
        if rem == 0:  # t_fun is a subgrid of the parameter flow's grid
            ref = par.end_to_end[::step]
        else:
            ref = gradient_flow(net, fs, loss, t_eval=t_fun, **tol).end_to_end
        gap = float(np.max(np.abs(fun.end_to_end - ref)))
        paths.append(fun.end_to_end.reshape(t_fun.size, -1))
    u = loss.u.ravel()
    return FlowPicture(par, fun, projection_plane(*paths, u), u, loss.const, gap)


def _draw(fig: Figure, pic: FlowPicture) -> None:
    ax_plane, ax_loss = fig.axes
    par = pic.parameter
    paths = [par.end_to_end.reshape(par.times.size, -1)]
    times, losses = [par.times], [par.loss]
    labels = ["parameter flow $\\pi(\\theta(t))$"]
    if pic.function is not None:
        paths.append(pic.function.end_to_end.reshape(pic.function.times.size, -1))
        times.append(pic.function.times)
        losses.append(pic.function.loss)
        labels.append("function-space flow")
    plot_flow_plane(paths, pic.basis, labels=labels, data_filter=pic.data_filter, ax=ax_plane)
    plot_loss_curves(times, losses, labels=labels, offset=pic.offset, ax=ax_loss)
    if pic.function is None:  # hide the overlay of an earlier picture
        for ax, gid in ((ax_plane, "path_1"), (ax_loss, "loss_1")):
            line = find(ax.get_lines(), gid)
            if line is not None:
                line.set_data([], [])
                line.set_label("_hidden")
        ax_plane.legend(loc="best", fontsize="small")
        ax_loss.legend(loc="best", fontsize="small")
    gap = "" if np.isnan(pic.gap) else f", max gap {pic.gap:.1e}"
    delta = ", ".join(f"{d:.3g}" for d in np.ravel(par.invariants[0]))
    ax_plane.set_title(f"invariant δ = {delta}{gap}", fontsize="medium")
    ax_loss.set_title(f"relative drift of δ along the flow: {par.relative_invariant_drift:.1e}",
                      fontsize="medium")


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
        The problem; default :func:`default_flow_problem` (running example, seeded data).
    seed : int, default=0
        Initial seed of the random filters (a text box: negative values show a message).
    scale : float, default=0.5
        Initial standard deviation of the filter entries (a log slider from 0.01 to 3).
    t_max : float, default=5.0
        Initial time horizon (a slider from 0.5 to 40).
    function_space : bool, default=True
        Initial state of the check box that overlays the function-space flow.

    Returns
    -------
    Explorer
        Controls ``seed``, ``scale``, ``t_max``, ``function_space``; ``result`` is a
        :class:`FlowPicture`; the attributes ``net`` and ``loss`` hold the problem.
    """
    if (net is None) != (loss is None):
        raise TypeError("pass both net and loss, or neither (for the default problem)")
    if net is None:
        net, loss = default_flow_problem()
    controls: dict[str, Any] = {
        "seed": int_box(seed, "seed"),
        "scale": slider("log", "scale", scale, -2.0, float(np.log10(3.0)), 0.05, track=180),
        "t_max": slider("float", "horizon T", t_max, 0.5, 40.0, 0.5, track=300),
        "function_space": checkbox(function_space, "function-space flow"),
    }
    c = controls
    box = W.VBox([
        group("<b>Initialization</b>: the seed and the scale (standard deviation) of the random "
              "filters", row(c["seed"], c["scale"])),
        group("<b>Flow</b>: the time horizon T, and the function-space flow on top (slower)",
              row(c["t_max"], c["function_space"])),
    ])
    fig, _ = panel_figure((11.2, 4.2), 1, 2, left=0.085, right=0.985, bottom=0.12, top=0.91,
                          wspace=0.25)

    def compute(**values: Any) -> FlowPicture:
        return flow_picture(net, loss, **values)

    explorer = Explorer(
        controls, compute, _draw, fig, layout_controls=box,
        title="<b>Gradient flow from a random initialization</b>: the parameter flow and the "
              "Riemannian flow in function space",
        preview=("t_max", [0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0]),
        alt=("Two panels: the end-to-end filter along the parameter flow from a random "
             "initialization, projected to the plane that best fits it, with the function-space "
             "flow as dots, the data filter u as a star and the origin w = 0; and the loss minus "
             "its minimum along both flows on a logarithmic axis, for the time horizon T."),
    )
    explorer.net, explorer.loss = net, loss
    return explorer
