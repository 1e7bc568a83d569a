"""Tests for the 2D widget and the filter-image plots: what is drawn equals the mathematics."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy.signal import convolve
from widget_helpers import assert_clear, assert_colour_bar, assert_drawn, assert_rejected, by_gid

from lcnn_widgets import LCN, sign_variants
from lcnn_widgets.fibers import rescale
from lcnn_widgets.plotting.higher_dim import plot_filter_grid, plot_filter_row
from lcnn_widgets.widgets.higher_dim import explore_2d, two_d_picture


def _image(ax):
    return by_gid(ax.get_images(), "filter").get_array()


def _filter(ax, shape):
    """The drawn filter of this shape: the top-left corner of the panel's fixed grid, whose
    other cells are blank (NaN, drawn grey)."""
    grid = np.asarray(np.ma.filled(_image(ax), np.nan), dtype=float)
    m, n = shape
    outside = np.ones(grid.shape, dtype=bool)
    outside[:m, :n] = False
    assert np.all(np.isnan(grid[outside])) and not np.any(np.isnan(grid[:m, :n]))
    return grid[:m, :n]


@pytest.fixture(scope="module")
def explorer():
    return explore_2d()


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    assert len(explorer.figure.axes) == 6
    assert {"a00", "b21", "tall", "s1", "s2", "delta"} <= set(explorer.controls)


@pytest.mark.parametrize(
    "s1, s2, tall, delta", [(2, 1, False, 0.0), (2, 2, True, -0.8), (1, 2, True, 1.2)]
)
def test_drawn_filters_equal_the_mathematics(explorer, s1, s2, tall, delta):
    a = np.array([[0.7, -1.2], [0.4, 1.5]])
    b = np.array([[1.1, 0.3], [-0.6, 0.9], [0.5, -1.4]])
    values = dict(
        a00=a[0, 0],
        a01=a[0, 1],
        a10=a[1, 0],
        a11=a[1, 1],
        b00=b[0, 0],
        b01=b[0, 1],
        b10=b[1, 0],
        b11=b[1, 1],
        b20=b[2, 0],
        b21=b[2, 1],
        s1=s1,
        s2=s2,
        tall=tall,
        delta=delta,
    )
    explorer.set_values(**values)
    assert explorer.error is None
    b = b if tall else b[:2]
    # independent: balance by the closed form for two layers, full convolution with dilation
    na, nb = np.sum(a**2), np.sum(b**2)
    c2 = (delta + np.sqrt(delta**2 + 4 * na * nb)) / (2 * nb)  # ||c b||^2 - ||a / c||^2 = delta
    A, B = a / np.sqrt(c2), np.sqrt(c2) * b
    assert np.isclose(np.sum(B**2) - np.sum(A**2), delta)
    dil = np.zeros(((b.shape[0] - 1) * s1 + 1, (b.shape[1] - 1) * s2 + 1))
    dil[::s1, ::s2] = B
    w = convolve(A, dil)
    ax1, ax2, axw, ax3, ax4, _ax_text = explorer.figure.axes
    wmax = np.abs(w).max()  # w is drawn divided by its largest entry
    np.testing.assert_allclose(_filter(ax1, A.shape), A, atol=1e-12)
    np.testing.assert_allclose(_filter(ax2, B.shape), B, atol=1e-12)
    np.testing.assert_allclose(_filter(axw, w.shape) * wmax, w, atol=1e-12)
    # the recovered layers: the same up to rounding (Cor. 10 / Thm 13)
    np.testing.assert_allclose(_filter(ax3, A.shape), A, atol=1e-6)
    np.testing.assert_allclose(_filter(ax4, B.shape), B, atol=1e-6)
    # fixed frames: the largest shapes over the controls, whatever the strides and shapes
    for ax, frame in zip(
        (ax1, ax2, axw, ax3, ax4), ((2, 2), (3, 2), (6, 4), (2, 2), (3, 2)), strict=True
    ):
        assert _image(ax).shape == frame
        assert ax.get_xlim() == (-0.5, frame[1] - 0.5)
        assert ax.get_ylim() == (frame[0] - 0.5, -0.5)
    for ax in (ax1, ax2, axw, ax3, ax4):  # every filter: a fixed symmetric scale and a bar
        image = by_gid(ax.get_images(), "filter")
        assert_colour_bar(image)
        assert image.get_clim() == ((-1.0, 1.0) if ax is axw else (-2.0, 2.0))
    report = explorer.readout.value
    assert "<b>1</b> fiber point up to signs" in report and "swap possible here: no" in report
    assert f"w: {w.shape[0]}×{w.shape[1]}, max |w| = {wmax:.3g}" in report


def test_stride_one_swap_and_the_invariant(explorer):
    """Equal 2 x 2 layers, stride one: the swap is a second fiber point (one class)."""
    explorer.set_values(s1=1, s2=1, tall=False, delta=0.0)
    r0 = explorer.result
    assert len(r0.fiber) == 2 and r0.classes == 1 and r0.swappable
    assert r0.spread < 1e-8  # balanced: the swap keeps Theta (Obs. 11)
    net = LCN([(2, 2), (2, 2)], [1, 1])
    swapped = (r0.filters[1], r0.filters[0])
    assert any(
        all(np.allclose(x, y, atol=1e-6) for x, y in zip(v, swapped, strict=True))
        for p in r0.fiber
        for v in sign_variants(p.filters)
    )
    explorer.set_values(delta=1.5)
    r1 = explorer.result
    assert len(r1.fiber) == 2 and r1.classes == 1
    # delta != 0: swap, rescale back to delta, and the NTK changes
    other = rescale(net, list(swapped), [1.5])
    expect = np.linalg.norm(net.ntk(r1.filters) - net.ntk(other))
    assert expect > 0.1 and np.isclose(r1.spread, expect, rtol=1e-6)
    assert f"{r1.spread:.2e}" in explorer.readout.value


def test_every_move_keeps_the_frame(explorer):
    """Fixed grids and colour scales: delta, the strides and the shape of layer 2 move data."""
    explorer.set_values(s1=2, s2=1, tall=False, delta=0.0, a00=1.0)
    for step in (
        {"delta": 1.2},
        {"delta": -0.5},
        {"s1": 1, "s2": 1},
        {"tall": True},
        {"s1": 2, "s2": 2},
        {"a00": -0.7},
        {"tall": False, "delta": 0.0},
    ):
        explorer.set_values(**step)
        assert explorer.error is None and explorer._renderer.full_reason is None, step


def test_repeated_states_come_from_the_cache(explorer):
    explorer.set_values(s1=2, s2=1, tall=False, delta=0.4, a00=1.0)
    first = explorer.result
    explorer.set_values(delta=0.5)
    explorer.set_values(delta=0.4)
    assert explorer.result is first  # the same picture, not recomputed
    fresh = two_d_picture(**explorer.values())  # and the same numbers as a fresh computation
    np.testing.assert_array_equal(first.w, fresh.w)
    assert len(first.fiber) == len(fresh.fiber) and first.spread == fresh.spread


def test_zero_layer_keeps_the_last_picture(explorer):
    explorer.set_values(a00=1.0, s1=2, s2=1, delta=0.0)
    png, result = explorer.image.value, explorer.result
    explorer.set_values(b00=0.0, b01=0.0, b10=0.0, b11=0.0, tall=False)
    assert_rejected(explorer, "layer[1] is all zero", shown="Cannot draw", image=png, result=result)
    explorer.set_values(b00=1.0)
    assert_clear(explorer)


def test_two_d_picture_matches_the_seeded_solver():
    pic = two_d_picture(s1=2, s2=2, tall=True)
    assert pic.net == LCN([(2, 2), (3, 2)], [(2, 2), (1, 1)])
    assert pic.w.shape == (2 + 2 * 2, 2 + 1 * 2) and pic.fiber.max_residual < 1e-10


# ----------------------------------------------------------------------------- plots
def test_plot_filter_grid_updates_in_place_across_shapes():
    ax = plot_filter_grid([[1.0, -2.0], [0.0, 0.5]])
    assert [t.get_text() for t in ax.texts[:4]] == ["1", "-2", "", "0.5"]
    assert ax.images[0].get_clim() == (-2.0, 2.0)
    ax = plot_filter_grid(np.arange(6.0).reshape(3, 2), ax=ax, vmax=10.0)
    assert len(ax.images) == 1
    np.testing.assert_array_equal(ax.images[0].get_array(), np.arange(6.0).reshape(3, 2))
    assert ax.images[0].get_extent() == [-0.5, 1.5, 2.5, -0.5]
    assert ax.images[0].get_clim() == (-10.0, 10.0)
    labels = [t.get_text() for t in ax.texts if t.get_text()]
    assert labels == ["1", "2", "3", "4", "5"]  # the zero is blank
    with pytest.raises(ValueError, match="must have 2 axes"):
        plot_filter_grid([1.0, 2.0])
    with pytest.raises(TypeError, match="Axes or None"):
        plot_filter_grid([[1.0]], ax=3)


def test_plot_filter_row():
    fig = plot_filter_row([np.eye(2), np.ones((3, 2))], titles=["a", "b"])
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[1].get_title() == "b"
    with pytest.raises(ValueError, match="at least one 2D filter"):
        plot_filter_row([])
    with pytest.raises(ValueError, match="at least 2 Axes"):
        plot_filter_row([np.eye(2), np.eye(2)], axes=[fig.axes[0]])


def test_plot_filter_grid_in_a_fixed_frame():
    ax = plot_filter_grid([[1.0, -2.0], [0.5, 0.0]], frame=(3, 4), annotate=False)
    grid = np.ma.filled(ax.images[0].get_array(), np.nan)
    assert grid.shape == (3, 4) and ax.get_xlim() == (-0.5, 3.5) and ax.get_ylim() == (2.5, -0.5)
    np.testing.assert_array_equal(grid[:2, :2], [[1.0, -2.0], [0.5, 0.0]])
    assert np.isnan(grid[2]).all() and np.isnan(grid[:, 2:]).all()  # drawn in the grey
    assert list(ax.get_xticks()) == [0, 1, 2, 3] and len(ax.texts) == 0
    plot_filter_grid(np.ones((3, 3)), ax=ax, frame=(3, 4))  # a new shape: the same frame
    assert ax.get_xlim() == (-0.5, 3.5) and len(ax.images) == 1
    with pytest.raises(ValueError, match="frame must hold the filter"):
        plot_filter_grid(np.ones((4, 1)), ax=ax, frame=(3, 4))
