"""Tests for the orbit widget and the dense plots: what is drawn equals the mathematics."""

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from widget_helpers import assert_clear, assert_colour_bar, assert_drawn, assert_rejected, by_gid

from lcnn_widgets.dense import FCN
from lcnn_widgets.plotting.dense import plot_ntk_distance, plot_ntk_heatmap, vec_labels
from lcnn_widgets.widgets.dense import explore_orbit, orbit_picture


def _rot(phi):
    c, s = np.cos(phi), np.sin(phi)
    return np.array([[c, -s], [s, c]])


def _ntk_by_hand(W1, W2):
    """Eq. (7) for L = 2 on row-major vec: Theta(Z) = W2 W2^T Z + Z W1^T W1."""
    return np.kron(W2 @ W2.T, np.eye(2)) + np.kron(np.eye(2), W1.T @ W1)


@pytest.fixture(scope="module")
def explorer():
    return explore_orbit()


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    assert set(explorer.controls) == {"phi", "a"}
    assert len(explorer.figure.axes) == 3


def test_drawn_data_equal_the_mathematics(explorer):
    phi, a = 1.1, 1.7
    explorer.set_values(phi=phi, a=a)
    assert explorer.error is None
    ax_b, ax_u, ax_d = explorer.figure.axes
    R = _rot(phi)
    A = np.diag([a, 1 / a])
    theta_b = _ntk_by_hand(R, R.T)
    theta_u = _ntk_by_hand(A @ R, R.T @ np.linalg.inv(A))
    img_b = by_gid(ax_b.get_images(), "ntk")
    img_u = by_gid(ax_u.get_images(), "ntk")
    assert np.allclose(img_b.get_array(), theta_b, atol=1e-12)
    assert np.allclose(img_b.get_array(), 2 * np.eye(4), atol=1e-12)  # balanced: Theta = 2 Id
    assert np.allclose(img_u.get_array(), theta_u, atol=1e-12)
    assert img_b.get_clim() == img_u.get_clim()  # one colour scale for both
    assert img_b.colorbar is img_u.colorbar  # and one colour bar for it
    assert_colour_bar(img_b)
    # the cells carry no numbers (texts are redrawn on every update); the readout line gives
    # Theta(Z) = P Z + Z Q with the Gram matrices of eq. (7), which hold every entry
    assert len(ax_b.texts) == 0 and len(ax_u.texts) == 0
    W1, W2 = A @ R, R.T @ np.linalg.inv(A)
    P, Q = W2 @ W2.T, W1.T @ W1
    assert np.allclose(np.kron(P, np.eye(2)) + np.kron(np.eye(2), Q), theta_u, atol=1e-12)
    readout = explorer.readout.value
    assert f"φ = <b>{phi:.2f}</b>" in readout
    assert f"({P[0, 0]:.2f}, {P[0, 1]:.2f})" in readout
    assert f"({Q[1, 0]:.2f}, {Q[1, 1]:.2f})" in readout
    current_u = np.linalg.norm(theta_u - _ntk_by_hand(A, np.linalg.inv(A)))
    assert f"same invariant <b>{current_u:.3g}</b>" in readout
    # the curves: distances to Theta(0) on the grid, and the markers at phi
    pic = orbit_picture(phi, a)
    line_u = by_gid(ax_d.get_lines(), "curve_1")
    assert np.allclose(line_u.get_xdata(), pic.grid)
    theta0_u = _ntk_by_hand(A, np.linalg.inv(A))
    for k in (0, 17, 40, 90):
        t = pic.grid[k]
        expect = np.linalg.norm(_ntk_by_hand(A @ _rot(t), _rot(t).T @ np.linalg.inv(A)) - theta0_u)
        assert np.isclose(line_u.get_ydata()[k], expect, atol=1e-12)
    assert np.max(np.abs(by_gid(ax_d.get_lines(), "curve_0").get_ydata())) < 1e-12
    marker_u = by_gid(ax_d.get_lines(), "marker_1")
    assert np.allclose(marker_u.get_xydata(), [[phi, np.linalg.norm(theta_u - theta0_u)]])
    assert np.allclose(by_gid(ax_d.get_lines(), "marker_0").get_xydata(), [[phi, 0.0]], atol=1e-12)
    # artists are updated in place, not added
    explorer.set_values(phi=2.0)
    assert len(ax_u.get_images()) == 1 and len(ax_d.get_lines()) == 4
    assert len(ax_u.texts) == 0


def test_neither_the_angle_nor_the_scale_moves_the_frame(explorer):
    """The colour scale and the distance axis are fixed for every a of the slider (and every
    phi), and they hold every value: the NTKs and distances grow with m = max(a, 1/a), largest
    at the slider's smallest positive a."""
    from lcnn_widgets.widgets.dense import A_SMALLEST

    explorer.set_values(a=2.0, phi=0.5)
    ax_b, ax_u, ax_d = explorer.figure.axes
    clim, ylim = by_gid(ax_u.get_images(), "ntk").get_clim(), ax_d.get_ylim()
    assert by_gid(ax_b.get_images(), "ntk").get_clim() == clim
    for phi in (0.1, 1.3, 2.9, 5.5):
        explorer.set_values(phi=phi)
        assert by_gid(ax_u.get_images(), "ntk").get_clim() == clim
        assert ax_d.get_ylim() == ylim
    for a in (1.8, 2.5, 0.45, 3.0, 4.0, 1.0, A_SMALLEST, 0.3):
        explorer.set_values(a=a)
        pic = explorer.result
        assert explorer._renderer.full_reason is None  # the frame stayed: a fast update
        lo, hi = by_gid(ax_u.get_images(), "ntk").get_clim()
        assert (lo, hi) == clim and ax_d.get_ylim() == ylim
        assert lo <= pic.ntk_unbalanced.min() and pic.ntk_unbalanced.max() <= hi
        assert lo <= pic.vmin + 1e-12 and pic.vmax <= hi + 1e-12
        assert ax_d.get_ylim()[1] >= pic.distance_unbalanced.max()
        if a == A_SMALLEST:  # the frame is that of the extreme scale: its range is used there
            assert (pic.vmin, pic.vmax) == pytest.approx((lo, hi))


def test_a_equal_one_makes_the_family_balanced(explorer):
    explorer.set_values(a=1.0, phi=0.8)
    assert explorer.error is None
    ax_u, ax_d = explorer.figure.axes[1:]
    assert np.allclose(by_gid(ax_u.get_images(), "ntk").get_array(), 2 * np.eye(4))
    assert np.max(np.abs(by_gid(ax_d.get_lines(), "curve_1").get_ydata())) < 1e-12
    (inv,) = FCN((2, 2, 2)).invariants(explorer.result.unbalanced)
    assert np.allclose(inv, 0.0)


def test_bad_input_shows_message_and_keeps_picture(explorer):
    explorer.set_values(a=2.0, phi=0.5)
    assert explorer.error is None
    ax_u = explorer.figure.axes[1]
    before = by_gid(ax_u.get_images(), "ntk").get_array().copy()
    image, result = explorer.image.value, explorer.result
    explorer.controls["a"].value = 0.0  # A = diag(0, inf) is not a matrix
    assert_rejected(
        explorer, "a must be positive", shown="Cannot draw this", image=image, result=result
    )
    assert np.array_equal(by_gid(ax_u.get_images(), "ntk").get_array(), before)
    explorer.controls["a"].value = 0.5
    assert_clear(explorer)


def test_orbit_picture_errors_and_period():
    with pytest.raises(ValueError, match="a must be positive"):
        orbit_picture(0.1, -1.0)
    with pytest.raises(ValueError, match="phi must be finite"):
        orbit_picture(np.nan, 2.0)
    with pytest.raises(ValueError, match="n_grid must be a positive integer"):
        orbit_picture(0.1, 2.0, n_grid=0)
    # R(phi + pi) = -R(phi) and Theta is quadratic in each layer: period pi
    assert np.allclose(
        orbit_picture(0.4, 2.0).ntk_unbalanced, orbit_picture(0.4 + np.pi, 2.0).ntk_unbalanced
    )


def test_plot_functions_standalone_and_errors():
    theta = np.arange(16.0).reshape(4, 4)
    ax = plot_ntk_heatmap(theta, shape=(2, 2), title="t")
    assert isinstance(ax, Axes) and isinstance(ax.figure, Figure)
    assert [t.get_text() for t in ax.get_xticklabels()] == vec_labels((2, 2))
    assert by_gid(ax.get_images(), "ntk").get_clim() == (0.0, 15.0)
    plot_ntk_heatmap(np.eye(2), ax=ax)  # a new size replaces image and texts
    assert len(ax.get_images()) == 1 and len(ax.texts) == 4
    ax2 = plot_ntk_distance(
        np.linspace(0, np.pi, 5), {"x": np.ones(5)}, phi=1.0, current={"x": 1.0}
    )
    assert np.allclose(by_gid(ax2.get_lines(), "marker_0").get_xydata(), [[1.0, 1.0]])
    with pytest.raises(ValueError, match="theta must be a square matrix"):
        plot_ntk_heatmap(np.ones((2, 3)))
    with pytest.raises(ValueError, match="must have one value per angle"):
        plot_ntk_distance(np.linspace(0, 1, 5), {"x": np.ones(4)})
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_ntk_heatmap(np.eye(2), ax="here")


@pytest.mark.parametrize("a", [0.05, 0.7, 1.0, 2.35, 4.0])
def test_distance_curves_are_the_library_ntks_on_the_grid(a):
    """The curves are built for all angles at once: they equal FCN.ntk of each factorization."""
    from lcnn_widgets.widgets.dense import NET, _curves, _families

    grid, dist, base, vmin, vmax = _curves(a, 37)
    ntks = np.array([[NET.ntk(ws) for ws in _families(t, a)] for t in grid])
    assert np.allclose(base, ntks[0], rtol=1e-13, atol=1e-13)
    assert np.allclose(dist, np.linalg.norm(ntks - ntks[:1], axis=(2, 3)), rtol=1e-12, atol=1e-12)
    assert (vmin, vmax) == pytest.approx((ntks.min(), ntks.max()), rel=1e-13)
    assert np.allclose(dist[:, 0], 0.0, atol=1e-12)  # the balanced orbit keeps Theta = 2 I
