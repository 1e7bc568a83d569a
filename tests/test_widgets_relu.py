"""The ReLU widget and the activation-region plot: what is drawn equals the mathematics."""

import numpy as np
import pytest
from matplotlib.axes import Axes
from widget_helpers import assert_clear, assert_colour_bar, assert_drawn, assert_rejected, by_gid

from lcnn_widgets.plotting.relu import kink_segment, plot_activation_regions
from lcnn_widgets.relu import ReLUMLP, activation_regions
from lcnn_widgets.widgets.relu import Q_CHOICES, explore_relu, relu_pair_picture

MLP = ReLUMLP([2, 2, 2])


def _ntk_by_hand(W1, W2, x):
    """All hidden neurons active at x: K = (x^T W1^T W1 x) I + |x|^2 W2 W2^T; otherwise use
    the masked form with relu(W1 x) and the mask D: (|relu(h)|^2) I + |x|^2 W2 D W2^T."""
    h = W1 @ x
    D = np.diag((h > 0).astype(float))
    a = np.maximum(h, 0)
    return (a @ a) * np.eye(2) + (x @ x) * W2 @ D @ W2.T


def _check_drawn(explorer, A, Q):
    """The artists show the regions and NTKs of (A, A^-1) and (AQ, Q^T A^-1)."""
    first = [A, np.linalg.inv(A)]
    second = [A @ Q, Q.T @ np.linalg.inv(A)]
    x0 = np.array([1.0, 1.0])
    ax_r1, ax_r2, ax_k1, ax_k2 = explorer.figure.axes[:4]
    for ax, ws in ((ax_r1, first), (ax_r2, second)):
        shade = np.asarray(by_gid(ax.get_images(), "regions").get_array())
        r = activation_regions(MLP, ws, extent=(-2, 2, -2, 2), resolution=121)
        assert np.array_equal(shade, r.n_active / 2)
        for u in range(2):  # kink line of neuron u: W1[u] . x = 0
            xs, ys = by_gid(ax.get_lines(), f"kink_{u}").get_data()
            assert len(xs) == 2
            assert np.allclose(
                ws[0][u, 0] * np.asarray(xs) + ws[0][u, 1] * np.asarray(ys), 0, atol=1e-9
            )
        px, py = by_gid(ax.get_lines(), "point").get_data()
        assert (px[0], py[0]) == (1.0, 1.0)
    by_hand = [_ntk_by_hand(ws[0], ws[1], x0) for ws in (first, second)]
    scale = explorer.result.ntk_scale  # the heatmaps show Theta / scale on [-1, 1]
    assert np.isclose(scale, max(np.abs(k).max() for k in by_hand))
    for ax, k in zip((ax_k1, ax_k2), by_hand, strict=True):
        image = by_gid(ax.get_images(), "ntk")
        assert np.allclose(np.asarray(image.get_array()) * scale, k)
        assert image.get_clim() == (-1.0, 1.0)
    # the readout prints both NTKs and their distance
    readout = explorer.readout.value
    for k in by_hand:
        assert (
            "[" + ", ".join("[" + ", ".join(f"{v:.2f}" for v in row) + "]" for row in k) + "]"
            in readout
        )
    assert f"‖Θ − Θ'‖ = <b>{np.linalg.norm(by_hand[0] - by_hand[1]):.3f}</b>" in readout
    for gid, axes in (("regions", (ax_r1, ax_r2)), ("ntk", (ax_k1, ax_k2))):
        images = [by_gid(ax.get_images(), gid) for ax in axes]
        assert images[0].colorbar is images[1].colorbar  # one bar per shared colour scale
        for image in images:
            assert_colour_bar(image)


@pytest.fixture(scope="module")
def explorer():
    return explore_relu()


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    assert sorted(explorer.controls) == ["a11", "a12", "a21", "a22", "q"]
    _check_drawn(explorer, np.diag([2.0, 0.5]), Q_CHOICES["swap"])


def test_default_is_ex20_with_equal_quantities_and_different_ntks(explorer):
    c = explorer.result.comparison
    assert np.allclose(c.invariants[0], [-15 / 4, 15 / 4])
    assert np.allclose(c.invariants[1], [-15 / 4, 15 / 4])
    assert c.function_gap < 1e-14
    # by hand at x0 = (1, 1): diag(4 + 1/4, 4 + 1/4) + 2 diag(1/4, 4) vs 2 diag(4, 1/4)
    assert np.allclose(c.ntks[0], np.diag([4.75, 12.25]))
    assert np.allclose(c.ntks[1], np.diag([12.25, 4.75]))
    assert explorer.result.linear_at_x0 == (True, True)
    assert "conserved quantities: (-3.75, 3.75) and (-3.75, 3.75)" in explorer.readout.value
    assert "at x₀: all active / all active" in explorer.readout.value


def test_moving_controls_redraws_the_pure_result(explorer):
    explorer.set_values(a12=0.7, a21=-0.4, q="rotation by 90°")
    assert explorer.error is None
    A = np.array([[2.0, 0.7], [-0.4, 0.5]])
    _check_drawn(explorer, A, Q_CHOICES["rotation by 90°"])
    pic = relu_pair_picture(2.0, 0.7, -0.4, 0.5, "rotation by 90°")
    assert np.allclose(explorer.result.comparison.ntks[1], pic.comparison.ntks[1])
    # every (A, Q) of the family shares the per-neuron conserved quantities
    assert pic.comparison.invariant_gap < 1e-12
    explorer.controls["q"].value = "identity"  # one control at a time also redraws
    assert explorer.error is None and explorer.result.comparison.ntk_gap < 1e-12
    _check_drawn(explorer, A, np.eye(2))


def test_singular_A_shows_a_message_and_keeps_the_picture(explorer):
    explorer.set_values(a11=2.0, a12=0.0, a21=0.0, a22=0.5, q="swap")
    png, result = explorer.image.value, explorer.result
    explorer.set_values(a11=1.0, a12=2.0, a21=0.5, a22=1.0)  # det = 0
    assert_rejected(explorer, "invertible", shown="invertible", image=png, result=result)
    _check_drawn(explorer, np.diag([2.0, 0.5]), Q_CHOICES["swap"])
    explorer.set_values(a12=0.0, a21=0.0, a11=2.0, a22=0.5)
    assert_clear(explorer)


def test_pure_function_errors():
    with pytest.raises(ValueError, match="q must be one of"):
        relu_pair_picture(1.0, 0.0, 0.0, 1.0, "shear")
    with pytest.raises(ValueError, match="extent must be positive"):
        relu_pair_picture(1.0, 0.0, 0.0, 1.0, extent=0.0)
    with pytest.raises(ValueError, match="x0 must be a point of the plane"):
        relu_pair_picture(1.0, 0.0, 0.0, 1.0, x0=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="four entries of A"):
        explore_relu(a=(1.0, 2.0))


# ------------------------------------------------------------------------------ the plot
def test_kink_segment_lies_on_the_line_and_the_box():
    rng = np.random.default_rng(0)
    box = (-2.0, 3.0, -1.0, 1.5)
    for _ in range(50):
        c = rng.standard_normal(3)
        a, b = kink_segment(c, box)
        if a.size == 0:  # the line misses the box: both corners' signs agree
            corners = [c[0] + c[1] * x + c[2] * y for x in box[:2] for y in box[2:]]
            assert min(corners) > 0 or max(corners) < 0
            continue
        assert np.allclose(c[0] + c[1] * a + c[2] * b, 0, atol=1e-9)
        on_side = (
            np.isclose(a, box[0])
            | np.isclose(a, box[1])
            | np.isclose(b, box[2])
            | np.isclose(b, box[3])
        )
        assert on_side.all()
    assert kink_segment([1.0, 0.0, 0.0], box)[0].size == 0


def test_plot_updates_in_place_and_checks_its_input():
    ws = [np.eye(2), np.eye(2)]
    r1 = activation_regions(MLP, ws, resolution=11)
    ax = plot_activation_regions(r1, point=(0.5, 0.5), title="first")
    assert isinstance(ax, Axes) and ax.get_title() == "first"
    n_artists = len(ax.get_images()) + len(ax.get_lines())
    r2 = activation_regions(MLP, [np.array([[1.0, 1.0], [0.0, -1.0]]), np.eye(2)], resolution=11)
    plot_activation_regions(r2, point=(-0.5, 1.0), ax=ax)
    assert len(ax.get_images()) + len(ax.get_lines()) == n_artists
    assert np.array_equal(np.asarray(ax.get_images()[0].get_array()), r2.n_active / 2)
    assert by_gid(ax.get_lines(), "point").get_data()[0][0] == -0.5
    with pytest.raises(TypeError, match="ActivationRegions"):
        plot_activation_regions(np.zeros((3, 3)))
    with pytest.raises(TypeError, match="matplotlib Axes"):
        plot_activation_regions(r1, ax="not an axes")
