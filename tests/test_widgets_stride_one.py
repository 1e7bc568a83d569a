"""Tests for the stride-one widget and plots: what is drawn equals the mathematics."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import assert_clear, assert_drawn, assert_rejected, by_gid

from lcnn_widgets import LCN, fibers, filter_from_roots
from lcnn_widgets.plotting.stride_one import plot_ntk_panels, plot_pair_roots, plot_spread_and_count
from lcnn_widgets.stride_one import cubic_roots
from lcnn_widgets.widgets.stride_one import explore_stride_one, stride_one_picture

NET = LCN([3, 2], [1, 1])


@pytest.fixture(scope="module")
def explorer():
    return explore_stride_one()


def _heat(explorer):
    return explorer.figure.axes[1:4]


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    assert set(explorer.controls) == {"r", "center", "disc", "delta", "source", "coefficients"}
    panels = [ax for ax in explorer.figure.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == 4 and len(explorer.figure.axes) == 5  # and one shared colour bar


@pytest.mark.parametrize("disc, n", [(0.81, 3), (0.0, 2), (-0.49, 1)])
def test_drawn_ntks_equal_the_fiber(explorer, disc, n):
    r, c, delta = 1.1, -0.4, 0.7
    explorer.set_values(source="roots", r=r, center=c, disc=disc, delta=delta)
    assert explorer.error is None
    roots = cubic_roots(r, c, disc)
    # independent: the fiber from the root-orbit algorithm, NTK = J J^T from LCN
    fib = fibers(NET, filter_from_roots(roots), [delta])
    assert len(fib) == n
    heat = _heat(explorer)
    assert all(ax.get_visible() for ax in heat)  # a fixed frame: empty panels say so
    assert [by_gid(ax.get_images(), "ntk").get_visible() for ax in heat] == [
        i < n for i in range(3)
    ]
    assert [by_gid(ax.texts, "empty-note").get_text() for ax in heat] == [
        "" if i < n else "none" for i in range(3)
    ]
    scale = explorer.result.ntk_scale  # the heatmaps show Theta / scale on [-1, 1]
    assert np.isclose(scale, max(np.abs(NET.ntk(p.filters)).max() for p in fib))
    clims = set()
    for p, ax in zip(fib, heat[:n], strict=True):  # the first n panels show the fiber
        img = by_gid(ax.get_images(), "ntk")
        np.testing.assert_allclose(img.get_array() * scale, NET.ntk(p.filters), atol=1e-10)
        clims.add(img.get_clim())
        assert np.isclose(NET.invariants(p.filters)[0], delta)
        bar = img.colorbar  # one colour bar, showing that scale
        assert bar is not None and (bar.norm.vmin, bar.norm.vmax) == img.get_clim()
    assert clims == {(-1.0, 1.0)}  # one fixed colour scale for all panels
    ax_roots = explorer.figure.axes[0]
    line = by_gid(ax_roots.get_lines(), "roots")
    np.testing.assert_allclose(line.get_xdata(), roots.real)
    np.testing.assert_allclose(line.get_ydata(), roots.imag)
    for i, p in enumerate(fib):  # the ring sits on the root of layer 2's factor v0 + v1 t
        v0, v1 = p.filters[1]
        ring = by_gid(ax_roots.get_lines(), f"owner_{i}")
        np.testing.assert_allclose(ring.get_xydata(), [[-v0 / v1, 0.0]], atol=1e-7)
    for i in range(n, 3):
        assert len(by_gid(ax_roots.get_lines(), f"owner_{i}").get_xdata()) == 0
    readout = explorer.readout.value
    assert f"<b>{n}</b> fiber point" in readout and f"count from the roots: {n}" in readout
    assert f"{explorer.result.result.spread:.3f}" in readout


def test_example_19_typed_in(explorer):
    explorer.set_values(source="coefficients", coefficients="1, 0, -1, 0", delta=0.0)
    assert explorer.error is None
    table = [  # MATH.md Sec. 9
        np.array([[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, 1], [0, 0, 1, 1]]),
        np.array([[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, -1], [0, 0, -1, 1]]),
        np.sqrt(2) / 2 * np.array([[3, 0, -1, 0], [0, 3, 0, -1], [-1, 0, 3, 0], [0, -1, 0, 1]]),
    ]
    scale = explorer.result.ntk_scale
    drawn = [by_gid(ax.get_images(), "ntk").get_array() * scale for ax in _heat(explorer)]
    for theta in table:
        assert sum(np.allclose(d, theta, atol=1e-12) for d in drawn) == 1
    assert explorer.result.n_inf == 1 and None in explorer.result.owners  # layer 2 = x


def test_bad_input_keeps_the_last_picture(explorer):
    explorer.set_values(source="coefficients", coefficients="1, 0, -1, 0")
    png, result = explorer.image.value, explorer.result
    for text, match in (
        ("1, 2", "must be 4 numbers"),
        ("a, b, c, d", "numbers separated"),
        ("0, 0, 0, 0", "must not all be zero"),
    ):
        explorer.set_values(coefficients=text)
        assert_rejected(explorer, match, shown="Cannot draw", image=png, result=result)
    explorer.set_values(coefficients="1, 0, 1, 0")
    assert_clear(explorer)


def test_artists_are_updated_in_place(explorer):
    for disc in (0.5, -0.5, 0.3, 0.0):
        explorer.set_values(source="roots", disc=disc)
    for ax in _heat(explorer):
        assert len(ax.get_images()) == 1
        assert len(ax.texts) == 1  # no numbers in the cells, only the note of an empty panel
    assert len(explorer.figure.axes[0].get_lines()) == 1 + 3 + 2  # roots, rings, axis lines


def test_moving_g_keeps_the_frame(explorer):
    """The view of the roots and the colour scale do not depend on g: only the data move."""
    explorer.set_values(source="roots", r=1.0, center=-0.5, disc=0.64, delta=0.0)
    ax_roots = explorer.figure.axes[0]
    limits = ax_roots.get_xlim()
    for disc in np.linspace(-2.0, 2.0, 9):
        explorer.set_values(disc=float(disc))
        assert explorer.error is None and explorer._renderer.full_reason is None
        assert ax_roots.get_xlim() == limits
        roots = explorer.result.roots
        assert np.all(np.abs(roots.real) < limits[1]) and np.all(np.abs(roots.imag) < limits[1])


def test_picture_errors():
    with pytest.raises(ValueError, match="source must be"):
        stride_one_picture(source="polynomial")


# ----------------------------------------------------------------------------- plots
def test_plot_ntk_panels_hides_unused_and_shares_the_scale():
    fig = Figure()
    axes = fig.subplots(1, 3)
    a, b = np.eye(2), np.array([[3.0, 1.0], [1.0, 0.0]])
    plot_ntk_panels([a, b], axes=axes, titles=["A", "B"])
    assert [ax.get_visible() for ax in axes] == [True, True, False]
    assert axes[0].images[0].get_clim() == axes[1].images[0].get_clim() == (0.0, 3.0)
    plot_ntk_panels([b, a, a], axes=axes)
    assert all(ax.get_visible() for ax in axes)
    np.testing.assert_array_equal(axes[0].images[0].get_array(), b)
    assert len(axes[0].images) == 1
    new = plot_ntk_panels([a, b])
    assert isinstance(new, Figure) and len(new.axes) == 2
    with pytest.raises(ValueError, match="more matrices than panels"):
        plot_ntk_panels([a, a, a, a], axes=axes)
    with pytest.raises(ValueError, match="one shape"):
        plot_ntk_panels([a, np.eye(3)])
    with pytest.raises(ValueError, match="at least one matrix"):
        plot_ntk_panels([])


def test_plot_pair_roots_and_spread_curve():
    ax = plot_pair_roots([1.0, 2j, -2j], owners=[0, None])
    assert np.allclose(by_gid(ax.get_lines(), "owner_0").get_xydata(), [[1.0, 0.0]])
    assert len(by_gid(ax.get_lines(), "owner_1").get_xdata()) == 0
    assert by_gid(ax.texts, "owner_label_0").get_text() == "1"
    with pytest.raises(ValueError, match="at most 3"):
        plot_pair_roots([1.0], owners=[0, 0, 0, 0])
    with pytest.raises(ValueError, match="roots must be finite"):
        plot_pair_roots([np.nan])
    ax2 = plot_spread_and_count([0, 1, 2], [0.0, 1.0, 2.0], [1, 3, 3])
    np.testing.assert_array_equal(ax2.get_lines()[0].get_ydata(), [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="one entry each"):
        plot_spread_and_count([0, 1], [0.0], [1, 1])
    with pytest.raises(TypeError, match="Axes or None"):
        plot_pair_roots([1.0], ax="left")


def test_plot_ntk_panels_can_keep_empty_panels():
    fig = Figure()
    axes = fig.subplots(1, 3)
    a = np.array([[2.0, -1.0], [-1.0, 1.0]])
    plot_ntk_panels([a, a, a], axes=axes, vmin=-1.0, vmax=3.0, annotate=False, empty_text="none")
    plot_ntk_panels([a], axes=axes, vmin=-1.0, vmax=3.0, annotate=False, empty_text="none")
    assert all(ax.get_visible() for ax in axes)  # the frame stays
    assert [ax.images[0].get_visible() for ax in axes] == [True, False, False]
    assert [by_gid(ax.texts, "empty-note").get_text() for ax in axes] == ["", "none", "none"]
    assert axes[0].images[0].get_clim() == (-1.0, 3.0)
