"""Tests for the gradient-flow widget and plots: what is drawn equals the pure functions."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

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
    default_flow_problem,
    explore_flow,
    flow_picture,
)
from widget_helpers import assert_clear, assert_drawn, assert_rejected, line_by_gid


@pytest.fixture(scope="module")
def explorer():
    return explore_flow(t_max=2.0)


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    assert set(explorer.controls) == {"seed", "scale", "t_max", "function_space"}
    assert explorer.result.gap < 1e-7  # Cor. 6 at the widget's tolerances


def test_drawn_data_equal_the_mathematics(explorer):
    explorer.set_values(seed=5, scale=0.8, t_max=3.0, function_space=True)
    assert explorer.error is None
    net, loss = explorer.net, explorer.loss
    fs = net.random_filters(np.random.default_rng(5), scale=0.8)
    par = gradient_flow(net, fs, loss, t_eval=np.linspace(0, 3.0, 81), rtol=WIDGET_RTOL,
                        atol=WIDGET_ATOL)
    fun = function_space_flow(net, net.end_to_end(fs), net.invariants(fs), loss,
                              t_eval=np.linspace(0, 3.0, 21), initial_filters=fs,
                              rtol=WIDGET_RTOL, atol=WIDGET_ATOL)
    ax_plane, ax_loss = explorer.figure.axes
    B = explorer.result.basis
    assert np.allclose(B.T @ B, np.eye(2), atol=1e-12)
    assert np.allclose(line_by_gid(ax_plane, "path_0").get_xydata(), par.end_to_end @ B, atol=1e-12)
    assert np.allclose(line_by_gid(ax_plane, "path_1").get_xydata(), fun.end_to_end @ B, atol=1e-12)
    assert np.allclose(line_by_gid(ax_plane, "data_filter").get_xydata(), [loss.u @ B])
    assert np.allclose(line_by_gid(ax_plane, "origin").get_xydata(), [[0.0, 0.0]])
    assert np.allclose(line_by_gid(ax_loss, "loss_0").get_ydata(), par.loss - loss.const, rtol=1e-9)
    assert np.allclose(line_by_gid(ax_loss, "loss_1").get_xdata(), fun.times)
    # the picture's gap is the function-space flow against the parameter flow (Cor. 6)
    assert explorer.result.gap == pytest.approx(
        np.max(np.abs(fun.end_to_end - par.end_to_end[::4])), rel=1e-3, abs=1e-12)
    assert explorer.result.gap < 1e-7
    # switching the overlay off hides it
    explorer.set_values(function_space=False)
    assert explorer.result.function is None and np.isnan(explorer.result.gap)
    assert line_by_gid(ax_plane, "path_1").get_xydata().size == 0
    assert line_by_gid(ax_loss, "loss_1").get_xydata().size == 0


def test_bad_seed_shows_message_and_keeps_picture(explorer):
    explorer.set_values(seed=1, t_max=1.0, function_space=False)
    assert explorer.error is None
    image, result = explorer.image.value, explorer.result
    before = line_by_gid(explorer.figure.axes[0], "path_0").get_xydata().copy()
    explorer.set_values(seed=-3)
    assert_rejected(explorer, "seed must be a nonnegative integer",
                    shown="Cannot draw this", image=image, result=result)
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
    ax = plot_loss_curves([[0, 1], [0, 1]], [[3.0, 2.0], [3.0, 2.5]], labels=["a", "b"],
                          offset=1.0)
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
