"""Tests for the invariants widget: what is drawn equals the pure functions' output."""

import numpy as np
import pytest
from widget_helpers import assert_clear, assert_drawn, assert_rejected, line_by_gid

from lcnn_widgets import LCN
from lcnn_widgets.fibers import rescale
from lcnn_widgets.flows import gradient_flow
from lcnn_widgets.widgets.invariants import (
    N_TIMES,
    WIDGET_ATOL,
    WIDGET_RTOL,
    explore_invariants,
    invariants_picture,
)


@pytest.fixture(scope="module")
def explorer():
    return explore_invariants()


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    assert set(explorer.controls) == {"w1_0", "w1_1", "w1_2", "w2_0", "w2_1", "target", "t_max"}


def test_drawn_data_equal_the_mathematics(explorer):
    # defaults: w_1 = (1, 0.5, -0.5), w_2 = (1.2, 0.8), horizon 4
    fs = [[1.0, 0.5, 1.1], [1.2, -1.5]]
    explorer.set_values(w1_2=1.1, w2_1=-1.5, target=-1.2)
    assert explorer.error is None
    net, loss = explorer.net, explorer.loss
    ax_plane, ax_loss, ax_drift = explorer.figure.axes
    # the current point: squared norms of the slider filters
    assert np.allclose(
        line_by_gid(ax_plane, "point").get_xydata(),
        [[np.sum(np.square(f)) for f in fs]],
        rtol=1e-14,
    )
    # the star: squared norms after Prop. 2 rescaling, with the requested invariant
    rescaled = rescale(net, fs, [-1.2])
    star = line_by_gid(ax_plane, "rescaled").get_xydata()[0]
    assert np.allclose(star, [np.sum(f**2) for f in rescaled], rtol=1e-14)
    assert abs(star[1] - star[0] - (-1.2)) < 1e-12
    # the orbit is the hyperbola a_1 a_2 = ||w_1||^2 ||w_2||^2 through both points
    orbit = line_by_gid(ax_plane, "orbit").get_xydata()
    prod = np.sum(np.square(fs[0])) * np.sum(np.square(fs[1]))
    assert np.allclose(orbit[:, 0] * orbit[:, 1], prod, rtol=1e-12)
    target_line = line_by_gid(ax_plane, "target").get_xydata()
    assert np.allclose(target_line[:, 1] - target_line[:, 0], -1.2)
    # the flow panels: an independent run of gradient_flow from the rescaled filters
    flow = gradient_flow(
        net, rescaled, loss, t_eval=np.linspace(0, 4.0, N_TIMES), rtol=WIDGET_RTOL, atol=WIDGET_ATOL
    )
    assert np.allclose(line_by_gid(ax_loss, "loss").get_ydata(), flow.loss, rtol=1e-9)
    assert np.allclose(line_by_gid(ax_loss, "loss").get_xdata(), flow.times)
    drift = line_by_gid(ax_drift, "drift_0").get_ydata()
    assert np.allclose(drift, flow.invariants[:, 0] - flow.invariants[0, 0], atol=1e-13)
    assert np.max(np.abs(drift)) < 1e-9  # conserved (eq. 1) at the widget's tolerances
    assert flow.loss[-1] < flow.loss[0]


def test_zero_filter_shows_message_and_keeps_picture(explorer):
    explorer.set_values(w2_0=0.0, w2_1=0.8, t_max=1.0)  # one zero entry is fine
    assert explorer.error is None
    ax_plane = explorer.figure.axes[0]
    before = line_by_gid(ax_plane, "rescaled").get_xydata().copy()
    image, result = explorer.image.value, explorer.result
    explorer.set_values(w2_1=0.0)  # now w_2 = 0: it cannot be rescaled
    assert_rejected(
        explorer, "filters[1] is zero", shown="Cannot draw this", image=image, result=result
    )
    assert np.array_equal(line_by_gid(ax_plane, "rescaled").get_xydata(), before)
    explorer.set_values(w2_0=1.2)  # a nonzero filter again: the message goes away
    assert_clear(explorer)


def test_architecture_and_horizon_errors():
    with pytest.raises(ValueError, match="needs a two-layer 1D network: got LCN"):
        explore_invariants((3, 2, 2), (2, 2, 1))
    net = LCN([2, 2], [2, 1])
    with pytest.raises(ValueError, match="t_max must be positive: got 0"):
        invariants_picture(net, [[1, 1], [1, 1]], 0.0, 0, loss=None)
    with pytest.raises(ValueError, match="needs a two-layer network: got 1 layers"):
        invariants_picture(LCN([2], [1]), [[1, 1]], 0.0, 1.0, loss=None)


def test_readout_and_fixed_frame(explorer):
    """The values go to the readout; target and horizon never move the axes."""
    explorer.set_values(w1_0=1.0, w1_1=0.5, w1_2=-0.5, w2_0=1.2, w2_1=0.8, target=0.0, t_max=4.0)
    axes = explorer.figure.axes

    def frame():
        return [
            (
                ax.get_title(),
                ax.get_title(loc="right"),
                ax.get_xlim(),
                ax.get_ylim(),
                tuple(ax.get_xticks()),
                tuple(ax.get_yticks()),
            )
            for ax in axes
        ]

    before = frame()
    for values in (
        {"target": -4.0},
        {"target": 4.0},
        {"target": 1.3, "t_max": 0.5},
        {"t_max": 10.0},
        {"w1_0": 0.4},
        {"w2_1": -1.0},
    ):
        explorer.set_values(**values)
        assert explorer.error is None
        assert frame() == before, values
        r = explorer.result
        # what is drawn lies inside the frame
        assert r.limit == axes[0].get_xlim()[1] >= max(r.point.max(), r.rescaled_point.max())
        lo, hi = axes[1].get_ylim()
        assert lo < r.flow.loss.min() and r.flow.loss.max() < hi
        readout = explorer.readout.value
        n1, n2 = r.point
        assert f"δ = <b>{n2 - n1:.3g}</b>" in readout
        assert f"rescaled to δ = <b>{r.target:.3g}</b>" in readout
        assert f"<b>{r.flow.loss[-1]:.3g}</b> at T = {r.flow.times[-1]:g}" in readout
    # the widest filters of the sliders need the larger plane: the frame grows to hold them
    explorer.set_values(w1_0=2.0, w1_1=2.0, w1_2=2.0, w2_0=2.0, w2_1=2.0, target=4.0)
    r = explorer.result
    assert axes[0].get_xlim()[1] > before[0][2][1]
    assert axes[0].get_xlim()[1] >= max(r.point.max(), r.rescaled_point.max())


def test_given_limit_must_hold_the_points():
    net = LCN([2, 2], [2, 1])
    with pytest.raises(ValueError, match="limit must hold both points"):
        invariants_picture(net, [[2, 1], [1, 1]], 0.0, 1.0, loss=None, limit=1.0)
