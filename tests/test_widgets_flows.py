"""Tests for the gradient-flow widget and plots: what is drawn equals the pure functions."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import assert_clear, assert_drawn, assert_rejected, line_by_gid

from lcnn_widgets import LCN, function_space_flow, gradient_flow
from lcnn_widgets.plotting.flows import (
    plot_convergence,
    plot_flow_plane,
    plot_loss_curves,
    projection_plane,
)
from lcnn_widgets.widgets.flows import (
    WIDGET_ATOL,
    WIDGET_RTOL,
    TwoLayerFlows,
    default_flow_problem,
    explore_flow,
    flow_picture,
)


@pytest.fixture(scope="module")
def explorer():
    return explore_flow(t_max=2.0)


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    assert set(explorer.controls) == {"seed", "scale", "t_max", "function_space"}
    assert explorer.result.gap < 1e-7  # Cor. 6 at the widget's tolerances


#: the widget integrates once up to the slider's largest horizon and samples [0, T] from that
#: solution; a direct run to T takes other steps, so the two agree to the integrator's error
#: (tolerances 1e-9 / 1e-11 per step), not to rounding
CACHED_ATOL = 1e-8


def test_drawn_data_equal_the_mathematics(explorer):
    explorer.set_values(seed=5, scale=0.8, t_max=3.0, function_space=True)
    assert explorer.error is None
    net, loss = explorer.net, explorer.loss
    fs = net.random_filters(np.random.default_rng(5), scale=0.8)
    par = gradient_flow(
        net, fs, loss, t_eval=np.linspace(0, 3.0, 81), rtol=WIDGET_RTOL, atol=WIDGET_ATOL
    )
    fun = function_space_flow(
        net,
        net.end_to_end(fs),
        net.invariants(fs),
        loss,
        t_eval=np.linspace(0, 3.0, 21),
        initial_filters=fs,
        rtol=WIDGET_RTOL,
        atol=WIDGET_ATOL,
    )
    ax_plane, ax_loss = explorer.figure.axes
    B = explorer.result.basis
    L = explorer.result.plane_limits  # the plane is drawn in units of its box half-width
    assert np.allclose(B.T @ B, np.eye(2), atol=1e-12)
    assert ax_plane.get_xlim() == ax_plane.get_ylim() == (-1.0, 1.0)
    assert np.abs(line_by_gid(ax_plane, "path_0").get_xydata()).max() <= 1.0
    assert np.allclose(
        line_by_gid(ax_plane, "path_0").get_xydata() * L, par.end_to_end @ B, atol=CACHED_ATOL
    )
    assert np.allclose(
        line_by_gid(ax_plane, "path_1").get_xydata() * L, fun.end_to_end @ B, atol=CACHED_ATOL
    )
    assert np.allclose(line_by_gid(ax_plane, "data_filter").get_xydata() * L, [loss.u @ B])
    assert f"L = {L:g}" in explorer.readout.value
    assert np.allclose(line_by_gid(ax_plane, "origin").get_xydata(), [[0.0, 0.0]])
    assert np.allclose(line_by_gid(ax_loss, "loss_0").get_ydata(), par.loss - loss.const, rtol=1e-7)
    assert np.allclose(line_by_gid(ax_loss, "loss_0").get_xdata(), par.times, atol=1e-12)
    assert np.allclose(line_by_gid(ax_loss, "loss_1").get_xdata(), fun.times, atol=1e-12)
    # the picture's gap is the function-space flow against the parameter flow (Cor. 6), both
    # as drawn, at the function flow's sample times
    res = explorer.result
    assert res.gap == pytest.approx(
        np.max(np.abs(res.function.end_to_end - res.parameter.end_to_end[::4])), rel=1e-12
    )
    assert res.gap < 1e-7
    assert np.max(np.abs(fun.end_to_end - par.end_to_end[::4])) < 1e-7  # and directly
    # the values that change are in the readout line, not in the figure
    delta = float(net.invariants(fs)[0])
    assert f"invariant δ = <b>{delta:.3g}</b>" in explorer.readout.value
    assert f"max gap <b>{res.gap:.1e}</b>" in explorer.readout.value
    # switching the overlay off hides it
    explorer.set_values(function_space=False)
    assert explorer.result.function is None and np.isnan(explorer.result.gap)
    assert line_by_gid(ax_plane, "path_1").get_xydata().size == 0
    assert line_by_gid(ax_loss, "loss_1").get_xydata().size == 0
    assert "max gap" not in explorer.readout.value


def test_the_horizon_slider_samples_one_integration(explorer, monkeypatch):
    """Moving T only indexes the stored solution: no integration, and the state at T is that of
    a fresh solve_ivp up to T (within the integrator's tolerance)."""
    from scipy.integrate import solve_ivp

    import lcnn_widgets.flows as flows_module  # the integrators the widget calls live here

    explorer.set_values(seed=4, scale=0.5, t_max=2.0, function_space=True)
    assert explorer.error is None
    traj = next(reversed(explorer.trajectories.values()))
    assert traj.horizon == pytest.approx(40.0)  # integrated once, up to the slider's end
    calls = []
    monkeypatch.setattr(
        flows_module, "solve_ivp", lambda *a, **k: calls.append(a) or solve_ivp(*a, **k)
    )
    lsoda = flows_module._lsoda
    monkeypatch.setattr(flows_module, "_lsoda", lambda *a, **k: calls.append(a) or lsoda(*a, **k))
    net, loss = explorer.net, explorer.loss
    flows = flows_module.TwoLayerFlows(net, loss)
    fs = net.random_filters(np.random.default_rng(4), scale=0.5)
    theta0 = net.flatten(fs)
    for T in (0.5, 3.0, 12.5, 40.0, 7.5):
        explorer.set_values(t_max=T)
        assert explorer.error is None and not calls, f"T = {T} integrated again"
        par = explorer.result.parameter
        assert par.times[-1] == pytest.approx(T) and par.times.size == 81
        fresh = solve_ivp(
            flows.gradient, (0.0, T), theta0, method="DOP853", rtol=WIDGET_RTOL, atol=WIDGET_ATOL
        )
        theta_T = np.concatenate([f[-1].ravel() for f in par.filters])
        tol = 1e-7 * max(1.0, np.linalg.norm(fresh.y[:, -1]))
        assert np.linalg.norm(theta_T - fresh.y[:, -1]) < tol, T
        # the drawn data are the samples: the path ends at pi(theta(T))
        path = line_by_gid(explorer.figure.axes[0], "path_0").get_xydata()
        assert np.allclose(
            path[-1] * explorer.result.plane_limits, par.end_to_end[-1] @ explorer.result.basis
        )
    # off the slider's grid the stored solution is evaluated (still no integration)
    explorer.set_values(t_max=2.3)
    assert explorer.error is None and not calls
    assert explorer.result.parameter.times[-1] == pytest.approx(2.3)


def test_two_layer_flows_are_the_library_flows():
    net, loss = default_flow_problem()
    flows = TwoLayerFlows(net, loss)
    rng = np.random.default_rng(3)
    fs = net.random_filters(rng, scale=0.7)
    theta = net.flatten(fs)
    assert np.allclose(flows.jacobian(theta), net.jacobian(fs), atol=1e-14)
    t = np.linspace(0.0, 2.0, 41)
    fast = flows.gradient_flow(fs, t)
    slow = gradient_flow(net, fs, loss, t_eval=t, rtol=WIDGET_RTOL, atol=WIDGET_ATOL)
    for name in ("end_to_end", "loss", "invariants", "gradient_norm"):
        assert np.allclose(getattr(fast, name), getattr(slow, name), rtol=1e-10, atol=1e-12), name
    # the function-space flow: the same field and continuation, stored densely
    sol = flows.function_trajectory(fs, 2.0)
    fun = flows.sample_function(sol, np.linspace(0.0, 2.0, 11), fs)
    lib = function_space_flow(
        net,
        net.end_to_end(fs),
        net.invariants(fs),
        loss,
        t_eval=np.linspace(0.0, 2.0, 11),
        initial_filters=fs,
        rtol=WIDGET_RTOL,
        atol=WIDGET_ATOL,
    )
    assert np.allclose(fun.end_to_end, lib.end_to_end, atol=1e-9)
    assert np.allclose(fun.invariants, lib.invariants, atol=1e-9)
    with pytest.raises(ValueError, match="two-layer"):
        TwoLayerFlows(LCN([2, 2, 2], [2, 2, 1]), loss)


def test_bad_seed_shows_message_and_keeps_picture(explorer):
    explorer.set_values(seed=1, t_max=1.0, function_space=False)
    assert explorer.error is None
    image, result = explorer.image.value, explorer.result
    before = line_by_gid(explorer.figure.axes[0], "path_0").get_xydata().copy()
    explorer.set_values(seed=-3)
    assert_rejected(
        explorer,
        "seed must be a nonnegative integer",
        shown="Cannot draw this",
        image=image,
        result=result,
    )
    assert np.array_equal(line_by_gid(explorer.figure.axes[0], "path_0").get_xydata(), before)
    explorer.set_values(seed=2)
    assert_clear(explorer)


def test_flow_picture_errors():
    net, loss = default_flow_problem()
    with pytest.raises(ValueError, match="scale must be positive"):
        flow_picture(net, loss, seed=0, scale=0.0, t_max=1.0)
    with pytest.raises(ValueError, match="t_max must be positive"):
        flow_picture(net, loss, seed=0, scale=1.0, t_max=-1.0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        flow_picture(net, loss, seed=1.5, scale=1.0, t_max=1.0)
    with pytest.raises(TypeError, match="pass both net and loss"):
        explore_flow(LCN([3, 2], [2, 1]))


def test_flow_picture_on_another_architecture_measures_the_gap_on_its_own_grid():
    net = LCN([2, 2], [3, 1])
    rng = np.random.default_rng(0)
    from lcnn_widgets import squared_loss

    loss = squared_loss(net, rng.standard_normal((10, 8)), rng.standard_normal((10, 2)))
    pic = flow_picture(net, loss, seed=0, scale=1.0, t_max=1.0, n_times=10, n_function=4)
    assert pic.parameter.times.size == 10 and pic.function.times.size == 4
    assert pic.gap < 1e-7


# ------------------------------------------------------------------ plots
def test_projection_plane_is_orthonormal_and_contains_planar_paths():
    rng = np.random.default_rng(1)
    plane = np.linalg.qr(rng.standard_normal((5, 2)))[0]
    path = rng.standard_normal((20, 2)) @ plane.T  # points in a 2D subspace
    B = projection_plane(path)
    assert np.allclose(B.T @ B, np.eye(2))
    assert np.allclose(path @ B @ B.T, path)  # projecting loses nothing
    with pytest.raises(ValueError, match="at least one path"):
        projection_plane()
    with pytest.raises(ValueError, match="at least 2 entries"):
        projection_plane([[1.0], [2.0]])


def test_plot_flow_plane_redraws_in_place():
    B = np.eye(3)[:, :2]
    ax = plot_flow_plane([[[1, 0, 0], [0, 1, 0]]], B, labels=["a"], data_filter=[2, 2, 0])
    n_lines = len(ax.get_lines())
    plot_flow_plane([[[3, 0, 0], [0, 3, 0]]], B, labels=["a"], data_filter=[1, 1, 0], ax=ax)
    assert len(ax.get_lines()) == n_lines
    assert np.allclose(line_by_gid(ax, "path_0").get_xydata(), [[3, 0], [0, 3]])
    assert np.allclose(line_by_gid(ax, "data_filter").get_xydata(), [[1, 1]])
    with pytest.raises(ValueError, match="basis must have shape"):
        plot_flow_plane([[[1, 0, 0]]], np.eye(3))
    with pytest.raises(ValueError, match="one entry per path"):
        plot_flow_plane([[[1, 0, 0]]], B, labels=["a", "b"])
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_flow_plane([[[1, 0, 0]]], B, ax="no")


def test_plot_loss_curves_and_convergence():
    ax = plot_loss_curves([[0, 1], [0, 1]], [[3.0, 2.0], [3.0, 2.5]], labels=["a", "b"], offset=1.0)
    assert np.allclose(line_by_gid(ax, "loss_1").get_ydata(), [2.0, 1.5])
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="must be positive for a logarithmic axis"):
        plot_loss_curves([[0, 1]], [[1.0, 0.5]], offset=1.0)
    with pytest.raises(ValueError, match="one entry per curve"):
        plot_loss_curves([[0, 1]], [])
    fig = plot_convergence([1.0, 1.2, 0.9], [1e-9, 1e-10, 1e-8], reference_norm=1.5)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert np.allclose(heights, [1.0, 1.2, 0.9])
    assert np.allclose(fig.axes[1].get_lines()[0].get_ydata(), [1e-9, 1e-10, 1e-8])
    with pytest.raises(ValueError, match="same shape"):
        plot_convergence([1.0], [1e-9, 1e-9])


@pytest.mark.parametrize("seed, scale", [(0, 0.5), (3, 1.0)])
def test_stored_trajectories_are_as_accurate_as_dop853_at_the_widget_tolerances(seed, scale):
    """The widget's trajectories (LSODA, analytic Jacobian, tolerances / LSODA_TIGHTER) on the
    whole slider range [0, 40], against DOP853 at rtol 1e-13: the parameter flow is as close to
    it as DOP853 at the widget's own tolerances (the integrator used before; at most twice its
    error; observed 0.003 and 1.1 times for these seeds) and within 1e-8; the function-space
    flow stays within 1e-8 of pi(theta(t)) (Cor. 6)."""
    from scipy.integrate import solve_ivp

    from lcnn_widgets.widgets.flows import T_MAX, T_STEP, flow_trajectories

    net, loss = default_flow_problem()
    flows = TwoLayerFlows(net, loss)
    traj = flow_trajectories(flows, seed=seed, scale=scale, horizon=T_MAX, grid_step=T_STEP)
    t = traj.parameter.t
    theta0 = net.flatten(traj.filters)
    ref = solve_ivp(
        flows.gradient, (0.0, T_MAX), theta0, method="DOP853", t_eval=t, rtol=1e-13, atol=1e-15
    ).y
    old = solve_ivp(
        flows.gradient,
        (0.0, T_MAX),
        theta0,
        method="DOP853",
        dense_output=True,
        rtol=WIDGET_RTOL,
        atol=WIDGET_ATOL,
    ).sol(t)
    err = np.abs(traj.parameter.y - ref).max()
    assert err <= 2 * max(np.abs(old - ref).max(), 1e-12) and err < 1e-8
    # the function-space flow, on its own grid, against pi of the reference parameter flow
    tf = traj.function.t
    idx = np.searchsorted(t, tf - 1e-12)
    assert np.allclose(t[idx], tf, atol=1e-12)
    w_ref = np.array([net.end_to_end(net.unflatten(th)).ravel() for th in ref.T[idx]])
    assert np.abs(traj.function.y.T - w_ref).max() < 1e-8
    # the fiber points of the function-space samples: on the fiber of (w(t), delta)
    fun = traj.function_grid
    assert np.allclose(fun.invariants, fun.invariants[0], atol=1e-9)
    w_lift = np.array(
        [net.end_to_end([f[i] for f in fun.filters]).ravel() for i in range(fun.times.size)]
    )
    assert np.allclose(w_lift, fun.end_to_end.reshape(fun.times.size, -1), atol=1e-9)


def test_joint_integration_equals_the_separate_flows():
    """``both_trajectories`` integrates (theta, w) as one system and lifts w to its fiber by
    Gauss-Newton from the parameter flow's theta instead of from the previous lift: the same two
    vector fields, so both flows agree with their separate integrations to the integrators'
    tolerance, and w(t) = pi(theta(t)) (Cor. 6)."""
    net, loss = default_flow_problem()
    flows = TwoLayerFlows(net, loss)
    fs = net.random_filters(np.random.default_rng(2), scale=0.8)
    t = np.linspace(0.0, 10.0, 401)
    par, fun = flows.both_trajectories(fs, 10.0, times=t, every=4)
    assert par.success and fun.success
    assert np.array_equal(par.t, t) and np.array_equal(fun.t, t[::4])
    par_alone = flows.parameter_trajectory(fs, 10.0, times=t)
    fun_alone = flows.function_trajectory(fs, 10.0, times=t[::4])
    assert np.abs(par.y - par_alone.y).max() < 1e-8
    assert np.abs(fun.y - fun_alone.y).max() < 1e-8
    w_par = np.array([net.end_to_end(net.unflatten(th)).ravel() for th in par.y.T[::4]])
    assert np.abs(fun.y.T - w_par).max() < 1e-8
