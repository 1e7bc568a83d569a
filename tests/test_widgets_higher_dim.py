"""Tests for the 2D widget and the filter-image plots: what is drawn equals the mathematics."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy.signal import convolve

from lcnn_widgets import LCN, sign_variants
from lcnn_widgets.plotting.higher_dim import plot_filter_grid, plot_filter_row
from lcnn_widgets.widgets.higher_dim import explore_2d, two_d_picture
from widget_helpers import (assert_clear, assert_colour_bar, assert_drawn, assert_rejected,
                            by_gid)


def _image(ax):
    return by_gid(ax.get_images(), "filter").get_array()


@pytest.fixture(scope="module")
def explorer():
    return explore_2d()


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    assert len(explorer.figure.axes) == 6
    assert {"a00", "b21", "tall", "s1", "s2", "delta"} <= set(explorer.controls)


@pytest.mark.parametrize("s1, s2, tall, delta", [(2, 1, False, 0.0), (2, 2, True, -0.8),
                                                 (1, 2, True, 1.2)])
def test_drawn_filters_equal_the_mathematics(explorer, s1, s2, tall, delta):
    a = np.array([[0.7, -1.2], [0.4, 1.5]])
    b = np.array([[1.1, 0.3], [-0.6, 0.9], [0.5, -1.4]])
    values = dict(a00=a[0, 0], a01=a[0, 1], a10=a[1, 0], a11=a[1, 1],
                  b00=b[0, 0], b01=b[0, 1], b10=b[1, 0], b11=b[1, 1], b20=b[2, 0], b21=b[2, 1],
                  s1=s1, s2=s2, tall=tall, delta=delta)
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
    ax1, ax2, axw, ax3, ax4, ax_text = explorer.figure.axes
    np.testing.assert_allclose(_image(ax1), A, atol=1e-12)
    np.testing.assert_allclose(_image(ax2), B, atol=1e-12)
    np.testing.assert_allclose(_image(axw), w, atol=1e-12)
    # the recovered layers: the same up to rounding (Cor. 10 / Thm 13)
    np.testing.assert_allclose(_image(ax3), A, atol=1e-6)
    np.testing.assert_allclose(_image(ax4), B, atol=1e-6)
    assert axw.get_xlim() == (-0.5, w.shape[1] - 0.5)
    for ax in (ax1, ax2, axw, ax3, ax4):  # each filter: its own symmetric scale and bar
        image = by_gid(ax.get_images(), "filter")
        assert_colour_bar(image)
        assert np.isclose(image.get_clim()[1], np.abs(image.get_array()).max())
    report = by_gid(ax_text.texts, "report").get_text()
    assert "1 fiber point up to signs" in report and "swap possible here: no" in report


def test_stride_one_swap_and_the_invariant(explorer):
    """Equal 2 x 2 layers, stride one: the swap is a second fiber point (one class)."""
    explorer.set_values(s1=1, s2=1, tall=False, delta=0.0)
    r0 = explorer.result
    assert len(r0.fiber) == 2 and r0.classes == 1 and r0.swappable
    assert r0.spread < 1e-8  # balanced: the swap keeps Theta (Obs. 11)
    net = LCN([(2, 2), (2, 2)], [1, 1])
    swapped = (r0.filters[1], r0.filters[0])
    assert any(all(np.allclose(x, y, atol=1e-6) for x, y in zip(v, swapped))
               for p in r0.fiber for v in sign_variants(p.filters))
    explorer.set_values(delta=1.5)
    r1 = explorer.result
    assert len(r1.fiber) == 2 and r1.classes == 1
    # delta != 0: swap, rescale back to delta, and the NTK changes
    other = net.rescale(list(swapped), [1.5])
    expect = np.linalg.norm(net.ntk(r1.filters) - net.ntk(other))
    assert expect > 0.1 and np.isclose(r1.spread, expect, rtol=1e-6)
    assert f"{r1.spread:.2e}" in by_gid(explorer.figure.axes[5].texts, "report").get_text()


def test_zero_layer_keeps_the_last_picture(explorer):
    explorer.set_values(a00=1.0, s1=2, s2=1, delta=0.0)
    png, result = explorer.image.value, explorer.result
    explorer.set_values(b00=0.0, b01=0.0, b10=0.0, b11=0.0, tall=False)
    assert_rejected(explorer, "layer[1] is all zero",
                    shown="Cannot draw", image=png, result=result)
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
