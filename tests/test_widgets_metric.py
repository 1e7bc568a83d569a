"""Tests for the metric widget (explore_metric) and the plots of the metric chapter."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import assert_clear, assert_drawn, assert_rejected, lines_by_gid

from lcnn_widgets import LCN, inner_product, ntk_at, running_example_slice, running_example_theta13
from lcnn_widgets.plotting.metric import (
    ellipse_outline,
    plot_neuromanifold_slice,
    plot_ntk_entry,
    plot_unit_balls,
)
from lcnn_widgets.widgets.metric import explore_metric, metric_chart, metric_picture

W17 = np.array([2.0, 1.0, 3.0, -1.0, -5.0])


@pytest.fixture(scope="module")
def explorer():
    return explore_metric()


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    ax_curve, ax_balls = explorer.figure.axes
    assert {"curve", "marker"} <= set(lines_by_gid(ax_curve))
    assert {"centers", "reference", "ball-0", "ball-24"} <= set(lines_by_gid(ax_balls))


def test_drawn_data_equals_the_pure_function(explorer):
    explorer.set_values(delta=-28.0)
    assert explorer.error is None
    chart = metric_chart(explorer.result.chart.net, W17)
    pic = metric_picture(chart, -28.0)
    ax_curve, ax_balls = explorer.figure.axes
    lines_c, lines_b = lines_by_gid(ax_curve), lines_by_gid(ax_balls)
    assert np.allclose(lines_c["marker"].get_xydata(), [[-28.0, pic.value]])
    assert np.allclose(lines_c["curve"].get_xydata(), np.column_stack([chart.deltas, chart.curve]))
    unit = np.linalg.norm(W17)  # the chart is drawn in units of ||w||
    for i, outline in enumerate(pic.outlines):
        assert np.allclose(lines_b[f"ball-{i}"].get_xydata() * unit, outline)
    assert np.allclose(lines_b["reference"].get_xydata() * unit, pic.reference)
    assert np.allclose(lines_b["centers"].get_xydata() * unit, chart.coords)
    # independent oracles: Ex. 17's closed form for the marker and the whole curve
    assert pic.value == pytest.approx(-1.0)
    assert np.allclose(chart.curve, [running_example_theta13(W17, d) for d in chart.deltas])


def test_grams_are_the_metric_on_the_chart_directions(explorer):
    explorer.set_values(delta=5.0)
    pic = explorer.result
    chart = pic.chart
    net = chart.net
    i = 7
    fs = chart.params[i]
    A = net.jacobian(fs) @ chart.directions
    w = net.end_to_end(fs)
    for a, b in ((0, 0), (0, 1), (1, 1)):
        g = inner_product(net, A[:, a], A[:, b], w, [5.0], fiber=fs)
        assert pic.grams[i, a, b] == pytest.approx(g, rel=1e-8, abs=1e-12)
    # at w the chart vectors are orthonormal in R^K and their lifts lie in the tangent space (9)
    assert np.allclose(chart.basis.T @ chart.basis, np.eye(2))
    assert np.allclose(net.jacobian(chart.theta) @ chart.directions, chart.basis)


def test_updates_in_place_and_delta_changes_the_balls(explorer):
    ax_curve, ax_balls = explorer.figure.axes
    before = {gid: id(line) for gid, line in lines_by_gid(ax_balls).items()}
    n_lines = len(ax_balls.get_lines()) + len(ax_curve.get_lines())
    explorer.set_values(delta=-50.0)
    first = explorer.result.outlines.copy()
    explorer.set_values(delta=15.0)
    assert {gid: id(line) for gid, line in lines_by_gid(ax_balls).items()} == before
    assert len(ax_balls.get_lines()) + len(ax_curve.get_lines()) == n_lines
    assert np.abs(explorer.result.outlines - first).max() > 1e-3
    explorer.controls["delta"].value = 2.0  # through the slider's observer
    assert explorer.result.delta == 2.0
    assert explorer.result.value == pytest.approx(
        ntk_at(explorer.result.chart.net, W17, [2.0])[1, 3]
    )


def test_delta_moves_only_the_data_and_the_readout(explorer):
    explorer.set_values(w="2, 1, 3, -1, -5", delta=0.0)
    axes = explorer.figure.axes

    def frame():
        return [
            (
                ax.get_title(),
                ax.get_xlim(),
                ax.get_ylim(),
                tuple(ax.get_xticks()),
                tuple(ax.get_yticks()),
            )
            for ax in axes
        ]

    before = frame()
    for delta in (-60.0, -28.0, 7.5, 20.0):
        explorer.set_values(delta=delta)
        assert frame() == before
        r = explorer.result
        assert f"= <b>{r.value:.4g}</b> at δ = <b>{delta:.4g}</b>" in explorer.readout.value
        assert f"×{r.chart.scale:.2g}" in explorer.readout.value


def test_fast_grams_equal_chart_metric():
    from lcnn_widgets import chart_metric

    chart = metric_chart(LCN([3, 2], [2, 1]), W17)
    for delta in (-60.0, -3.0, 0.0, 12.5):
        pic = metric_picture(chart, delta)
        slow = np.stack(
            [chart_metric(chart.net, p, chart.directions, [delta]) for p in chart.params]
        )
        assert np.allclose(pic.grams, slow, rtol=1e-9, atol=1e-14)
        assert pic.value == pytest.approx(ntk_at(chart.net, W17, [delta])[1, 3], rel=1e-10)


W_OTHER = np.array([1.0, 1.0, 2.0, 1.0, 1.0])  # another point of M (pi((1, 1, 1), (1, 1)))


def test_chart_curve_and_scale_equal_the_pointwise_metric():
    """The chart's curve, balanced Gram matrix and ball scale (computed for all invariants at
    once) equal ntk_at / chart_metric evaluated one invariant and one chart point at a time."""
    from lcnn_widgets import chart_metric

    net = LCN([3, 2], [2, 1])
    assert np.allclose(net.end_to_end([np.ones(3), np.ones(2)]).ravel(), W_OTHER)
    for w in (W17, W_OTHER):
        chart = metric_chart(net, w)
        slow = [ntk_at(net, w, [d], fiber=chart.theta)[1, 3] for d in chart.deltas]
        assert np.allclose(chart.curve, slow, rtol=1e-10, atol=1e-12)
        assert np.allclose(
            chart.balanced_gram, chart_metric(net, chart.theta, chart.directions, [0.0]), rtol=1e-9
        )
        extent = max(
            float(
                np.max(
                    1
                    / np.sqrt(
                        np.linalg.eigvalsh(
                            np.stack(
                                [chart_metric(net, p, chart.directions, [d]) for p in chart.params]
                            )
                        )[:, 0]
                    )
                )
            )
            for d in (-60.0, 20.0)
        )
        spacing = 2 * 0.15 * np.linalg.norm(w) / 4
        assert chart.scale == pytest.approx(0.45 * spacing / extent, rel=1e-8)


def test_a_new_point_keeps_the_frame_and_moves_the_ticks_with_the_data(explorer):
    """Typing a new w moves the data (and the curve's own y ticks) but not the frame."""
    explorer.set_values(w="2, 1, 3, -1, -5", delta=0.0)
    ax_curve, ax_balls = explorer.figure.axes
    limits = ax_balls.get_xlim(), ax_balls.get_ylim(), ax_curve.get_xlim()
    explorer.set_values(w="1, 1, 2, 1, 1", delta=4.0)
    assert explorer.error is None
    assert explorer._renderer.full_reason is None  # a fast update
    assert (ax_balls.get_xlim(), ax_balls.get_ylim(), ax_curve.get_xlim()) == limits
    curve = explorer.result.chart.curve
    lo, hi = ax_curve.get_ylim()
    assert lo < curve.min() and curve.max() < hi  # the y range follows the curve
    labels = {t.get_gid(): t for t in ax_curve.texts if t.get_visible()}
    values = [float(t.get_text().replace("\N{MINUS SIGN}", "-")) for t in labels.values()]
    assert len(values) >= 3 and all(lo <= v <= hi for v in values)
    marks = lines_by_gid(ax_curve)["ytick-marks"]
    assert np.allclose(sorted(marks.get_ydata()), sorted(values))
    assert len(ax_curve.get_yticks()) == 0  # no ticks of the (static) frame


@pytest.mark.parametrize(
    "text, match",
    [
        ("1, 2", "end-to-end filter of size 5"),
        ("a, b", "numbers separated by commas"),
        ("1, 1, 0, 1, 0", "not in the neuromanifold"),
        ("0, 0, 1, 0, 0", "not determined by"),
        ("1, 0, 2, 0, 1", "rank deficient"),
    ],
)
def test_bad_input_shows_a_message_and_keeps_the_picture(explorer, text, match):
    explorer.set_values(w="2, 1, 3, -1, -5", delta=0.0)
    image, result = explorer.image.value, explorer.result
    balls = lines_by_gid(explorer.figure.axes[1])["ball-0"].get_xydata().copy()
    explorer.set_values(w=text)
    assert_rejected(explorer, match, shown="Cannot draw", image=image, result=result)
    assert np.array_equal(lines_by_gid(explorer.figure.axes[1])["ball-0"].get_xydata(), balls)
    explorer.set_values(w="2, 1, 3, -1, -5")
    assert_clear(explorer)


def test_another_point_of_M():
    ex = explore_metric(w=(1.0, 1.0, 2.0, 1.0, 1.0), delta=1.0, delta_range=(-5.0, 5.0))
    assert ex.error is None
    assert ex.result.value == pytest.approx(running_example_theta13([1, 1, 2, 1, 1], 1.0))


def test_factory_errors():
    with pytest.raises(ValueError, match="two-layer 1D network"):
        explore_metric((2, 2, 2), (2, 2, 1))
    with pytest.raises(ValueError, match="entry must be two indices"):
        explore_metric(entry=(1, 7))
    with pytest.raises(ValueError, match="delta_range must be increasing"):
        explore_metric(delta_range=(3.0, -3.0))
    with pytest.raises(TypeError, match="net must be an LCN"):
        metric_chart("net", W17)


# ----------------------------------------------------------------------------- plots
def test_ellipse_outline_lies_on_the_unit_sphere_of_the_gram_matrix():
    rng = np.random.default_rng(0)
    B = rng.standard_normal((2, 2))
    G = B @ B.T + 0.1 * np.eye(2)
    out = ellipse_outline(G, center=(1.0, -2.0), scale=0.5, n=40)
    xi = (out - [1.0, -2.0]) / 0.5
    assert np.allclose(np.einsum("ni,ij,nj->n", xi, G, xi), 1.0)
    assert np.allclose(out[0], out[-1])
    with pytest.raises(ValueError, match="positive definite"):
        ellipse_outline([[1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match="2x2"):
        ellipse_outline(np.eye(3))


def test_plot_functions_return_axes_and_check_input():
    ax = plot_neuromanifold_slice(running_example_slice(1.0, 1.0, n=7))
    assert isinstance(ax.figure, Figure) and len(ax.collections) >= 2
    with pytest.raises(TypeError, match="CubicSlice"):
        plot_neuromanifold_slice(np.zeros(3))
    ax2 = plot_ntk_entry([0.0, 1.0], [2.0, 3.0], delta=0.5, value=2.5)
    assert np.allclose(lines_by_gid(ax2)["marker"].get_xydata(), [[0.5, 2.5]])
    with pytest.raises(ValueError, match="same length"):
        plot_ntk_entry([0.0, 1.0], [2.0])
    with pytest.raises(ValueError, match="one entry per center"):
        plot_unit_balls(np.zeros((2, 2)), [np.zeros((3, 2))])
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_unit_balls(np.zeros((1, 2)), [np.zeros((3, 2))], ax="axes")


def test_three_layer_network_is_rejected_by_the_chart():
    with pytest.raises(ValueError, match="two-layer"):
        metric_chart(LCN([2, 2, 2], [2, 2, 1]), np.ones(7))
