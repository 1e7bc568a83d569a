"""Tests for lcnn_widgets.plotting.invariants: drawn data equal the data passed in."""

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lcnn_widgets import LCN, orbit_invariants, orbit_norms
from lcnn_widgets.invariants import min_first_norm, orbit_log_product
from lcnn_widgets.plotting.invariants import (
    plot_invariant_drift,
    plot_loss,
    plot_orbit_invariant,
    plot_orbit_plane,
    plot_rescaling_equation,
)

NET = LCN([3, 2], [2, 1])
FS = [np.array([1.0, 0.5, -0.5]), np.array([1.2, 0.8])]


def _by_gid(ax, gid):
    lines = [ln for ln in ax.get_lines() if ln.get_gid() == gid]
    assert len(lines) == 1, f"expected one line with gid {gid!r}, found {len(lines)}"
    return lines[0]


def _orbit(c):
    return orbit_norms(NET, FS, np.column_stack([c, 1 / c]))


def test_orbit_plane_draws_the_data_and_level_lines():
    orbit = _orbit(np.geomspace(0.3, 3, 50))
    point = orbit_norms(NET, FS, [1.0, 1.0])
    rescaled = np.array([1.5, 1.5])
    ax = plot_orbit_plane(
        orbit, point, rescaled=rescaled, target=0.0, deltas=[-1.0, 2.0], limit=4.0
    )
    assert isinstance(ax, Axes) and isinstance(ax.figure, Figure)
    assert np.array_equal(_by_gid(ax, "orbit").get_xydata(), orbit)
    assert np.array_equal(_by_gid(ax, "point").get_xydata(), [point])
    assert np.array_equal(_by_gid(ax, "rescaled").get_xydata(), [rescaled])
    # every level line lies on a_2 - a_1 = delta and inside the square [0, limit]^2
    levels = {"target": 0.0, "delta_0": -1.0, "delta_1": 2.0, "current_delta": point[1] - point[0]}
    for gid, d in levels.items():
        xy = _by_gid(ax, gid).get_xydata()
        assert np.allclose(xy[:, 1] - xy[:, 0], d)
        assert np.all(xy >= -1e-12) and np.all(xy <= 4.0 + 1e-12)
    assert ax.get_xlim() == (0.0, 4.0) and ax.get_ylim() == (0.0, 4.0)


def test_orbit_plane_reuse_moves_artists_in_place():
    ax = plot_orbit_plane(
        _orbit(np.geomspace(0.3, 3, 50)), [1.5, 2.08], rescaled=[1.7, 1.8], target=0.1, deltas=[0.0]
    )
    n_lines = len(ax.get_lines())
    new_orbit = _orbit(np.geomspace(0.5, 2, 30))
    plot_orbit_plane(new_orbit, [2.0, 1.0], rescaled=[1.0, 2.0], target=1.0, deltas=[0.0], ax=ax)
    assert len(ax.get_lines()) == n_lines
    assert np.array_equal(_by_gid(ax, "orbit").get_xydata(), new_orbit)
    assert np.array_equal(_by_gid(ax, "point").get_xydata(), [[2.0, 1.0]])
    # default limit: 1.25 times the largest marked coordinate
    assert np.isclose(ax.get_xlim()[1], 2.5)


def test_orbit_plane_errors():
    with pytest.raises(ValueError, match=r"orbit must have 2 entries along its last axis"):
        plot_orbit_plane(np.ones((5, 3)), [1.0, 1.0])
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes or None: got str"):
        plot_orbit_plane(np.ones((5, 2)), [1.0, 1.0], ax="left")


def test_orbit_invariant_curve_and_hit():
    c = np.geomspace(0.1, 10, 80)
    d = orbit_invariants(NET, FS, np.column_stack([c, 1 / c]))[:, 0]
    ax = plot_orbit_invariant(c, d, target=0.5, c_target=1.3)
    assert np.array_equal(_by_gid(ax, "orbit_delta").get_xydata(), np.column_stack([c, d]))
    assert np.array_equal(_by_gid(ax, "hit").get_xydata(), [[1.3, 0.5]])
    assert np.all(np.asarray(_by_gid(ax, "target").get_ydata()) == 0.5)
    with pytest.raises(ValueError, match="c must be positive"):
        plot_orbit_invariant([0.0, 1.0], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"same shape \(n,\): got \(2,\), \(3,\)"):
        plot_orbit_invariant([1.0, 2.0], [1.0, 0.0, 2.0])


def test_rescaling_equation_curve_root_and_left_end():
    n2, delta = np.array([1.0, 2.0, 0.5]), np.array([-0.5, 1.0])
    lo = min_first_norm(delta)
    a1 = lo + np.geomspace(1e-3, 5, 60)
    h = orbit_log_product(a1, n2, delta)
    ax = plot_rescaling_equation(a1, h, root=1.2, left_end=lo)
    assert np.array_equal(_by_gid(ax, "equation").get_xydata(), np.column_stack([a1, h]))
    assert np.array_equal(_by_gid(ax, "root").get_xydata(), [[1.2, 0.0]])
    assert np.all(np.asarray(_by_gid(ax, "left_end").get_xdata()) == lo)
    n_lines = len(ax.get_lines())
    plot_rescaling_equation(a1, h, root=1.0, left_end=lo + 0.1, ax=ax)
    assert len(ax.get_lines()) == n_lines
    assert np.all(np.asarray(_by_gid(ax, "left_end").get_xdata()) == lo + 0.1)
    with pytest.raises(ValueError, match="a1 and h must have the same shape"):
        plot_rescaling_equation(a1, h[:-1])


def test_loss_panel():
    t = np.linspace(0, 3, 20)
    loss = np.exp(-t) + 0.01
    ax = plot_loss(t, loss)
    assert ax.get_yscale() == "log"
    assert np.array_equal(_by_gid(ax, "loss").get_xydata(), np.column_stack([t, loss]))
    lo, hi = ax.get_ylim()
    assert lo < loss.min() and hi > loss.max()
    with pytest.raises(ValueError, match="loss must be nonnegative"):
        plot_loss([0, 1], [1.0, -1.0])
    with pytest.raises(ValueError, match="times and loss must have the same shape"):
        plot_loss([0, 1, 2], [1.0, 0.5])


def test_invariant_drift_panel():
    t = np.linspace(0, 1, 5)
    inv = np.array([[1.0, -2.0]] * 5) + 1e-11 * np.arange(5)[:, None] * [1, -1]
    ax = plot_invariant_drift(t, inv)
    for l in range(2):
        ys = _by_gid(ax, f"drift_{l}").get_ydata()
        assert np.allclose(ys, inv[:, l] - inv[0, l], rtol=0, atol=1e-25)
    assert ax.get_ylim() == (-2e-10, 2e-10)
    # a deviation outside the band widens the axis instead of being clipped
    big = inv.copy()
    big[-1, 0] += 1e-6
    plot_invariant_drift(t, big, ax=ax)
    assert ax.get_ylim()[1] >= 1e-6
    assert len([p for p in ax.patches if p.get_gid() == "band"]) == 1


def test_invariant_drift_errors():
    with pytest.raises(ValueError, match=r"invariants must have shape \(T, L - 1\) with T = "):
        plot_invariant_drift([0, 1, 2], [[1.0], [1.0]])
    with pytest.raises(ValueError, match="band must be positive: got 0"):
        plot_invariant_drift([0, 1], [[1.0], [1.0]], band=0)
