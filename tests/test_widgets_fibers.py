"""Tests for the fiber widget (explore_fibers) and the plots of the fiber chapter."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import assert_clear, assert_drawn, assert_rejected, by_gid, lines_by_gid

from lcnn_widgets import LCN
from lcnn_widgets.fibers import fibers, filter_from_roots, filter_roots, root_orbits
from lcnn_widgets.plotting.fibers import orbit_outline, plot_factorization_counts, plot_root_orbits
from lcnn_widgets.widgets.fibers import (
    N_PANELS,
    SLIDER_MAX,
    _fmt,
    explore_fibers,
    fiber_picture,
    view_limit,
    widget_roots,
)


@pytest.fixture(scope="module")
def explorer():
    return explore_fibers()


def _complex_points(line):
    xy = line.get_xydata()
    return xy[:, 0] + 1j * xy[:, 1]


def _filled(explorer):
    """The panels that show a factorization (the others say "none")."""
    return [
        ax
        for ax in explorer.figure.axes
        if ax.get_visible() and by_gid(ax.texts, "empty-note").get_text() == ""
    ]


def _check_drawn(explorer):
    """Every visible panel shows the roots of w and the orbits of one fiber point."""
    pic = explorer.result
    vals = explorer.values()
    net = LCN([3, 2], [vals["stride"], 1])
    w = net.end_to_end(pic.fiber[0].filters)
    np.testing.assert_allclose(w, pic.w, atol=1e-12)
    fib = fibers(net, pic.w)  # recompute independently of the widget
    assert len(_filled(explorer)) == min(len(fib), N_PANELS)
    assert _filled(explorer) == explorer.figure.axes[: len(_filled(explorer))]
    assert all(ax.get_visible() for ax in explorer.figure.axes)  # a fixed frame of panels
    for ax, point in zip(_filled(explorer), list(fib)[:N_PANELS], strict=True):
        lines = lines_by_gid(ax)
        lr = root_orbits(net, point.filters)
        for l, layer in enumerate(lr, start=1):
            expected = np.concatenate([layer.orbits.ravel(), np.zeros(layer.n_zero * layer.stride)])
            np.testing.assert_allclose(
                np.sort_complex(_complex_points(lines[f"layer-{l}"])),
                np.sort_complex(expected),
                atol=1e-9,
            )
        r = filter_roots(pic.w)
        rings = np.concatenate([r.finite, np.zeros(r.n_zero)])
        np.testing.assert_allclose(
            np.sort_complex(_complex_points(lines["w-roots"])), np.sort_complex(rings), atol=1e-12
        )
        lim = ax.get_xlim()[1]  # every drawn root lies inside the fixed view
        assert np.all(np.abs(rings.real) < lim) and np.all(np.abs(rings.imag) < lim)
    for ax in explorer.figure.axes[len(fib) :]:  # empty panels: no roots drawn
        assert all(
            len(line.get_xdata()) == 0
            for gid, line in lines_by_gid(ax).items()
            if gid.startswith(("w-roots", "layer-", "orbits-"))
        )
    # the readout names the count and the filters of every factorization
    readout = explorer.readout.value
    word = "factorization" if len(fib) == 1 else "factorizations"
    assert f"<b>{len(fib)}</b> real {word}" in readout
    for i, point in enumerate(pic.fiber):
        u, v = point.filters
        assert f"<b>{i + 1}</b>: u = {_fmt(u)}, v = {_fmt(v)}" in readout


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    assert len(explorer.figure.axes) == N_PANELS
    assert len(_filled(explorer)) == 1  # stride 2: Thm 4, one factorization
    _check_drawn(explorer)


def test_stride_one_shows_three_factorizations(explorer):
    explorer.set_values(stride=1, source="roots", r1=1.2, x=-0.4, y=-0.7)
    assert explorer.error is None
    roots = widget_roots(1, 1.2, 0.0, -0.4, -0.7)
    # independent oracle: three distinct real roots -> three choices of the linear factor
    assert np.all(roots.imag == 0) and len(set(np.round(roots.real, 9))) == 3
    assert len(explorer.result.fiber) == 3
    _check_drawn(explorer)
    assert explorer.result.ntk_gap > 1e-3  # the factorizations have different NTKs
    assert f"largest NTK difference <b>{explorer.result.ntk_gap:.3g}</b>" in explorer.readout.value
    explorer.set_values(y=0.7)  # a complex pair: it must stay in layer 1
    assert len(explorer.result.fiber) == 1
    _check_drawn(explorer)


def test_moving_the_pair_keeps_the_view(explorer):
    """The view holds the roots for every y of the slider, so moving y never changes it."""
    explorer.set_values(stride=1, source="roots", r1=1.2, x=-0.4, y=0.7)
    limits = explorer.figure.axes[0].get_xlim()
    for y in np.linspace(-SLIDER_MAX, SLIDER_MAX, 9):
        explorer.set_values(y=float(y))
        assert explorer.error is None
        assert explorer.figure.axes[0].get_xlim() == limits
        _check_drawn(explorer)
    assert view_limit(1.0) == 3.0 and view_limit(3.0) == 5.0 and view_limit(500.0) == 600.0


def test_stride_two_orbits(explorer):
    explorer.set_values(stride=2, source="roots", tie=True, r1=0.8, x=0.0, y=0.5)
    # roots +-0.8 and +-0.5i: both pairs are orbits {t, -t}, layer 2 may take either
    assert explorer.error is None and len(explorer.result.fiber) == 2
    _check_drawn(explorer)
    ax = _filled(explorer)[0]
    outline = _complex_points(lines_by_gid(ax)["orbits-2"])
    lr = explorer.result.layer_roots[0][1]
    np.testing.assert_allclose(
        outline[~np.isnan(outline)], orbit_outline(lr.orbits)[~np.isnan(orbit_outline(lr.orbits))]
    )


def test_coefficients_source(explorer):
    explorer.set_values(stride=2, source="coefficients", coefficients="0, 0, 1, 0, 0")
    assert explorer.error is None and len(explorer.result.fiber) == 2  # Ex. 16
    _check_drawn(explorer)
    explorer.set_values(stride=1, coefficients="1, 0, -1, 0")  # MATH.md Sec. 9
    assert explorer.error is None and len(explorer.result.fiber) == 3
    _check_drawn(explorer)


@pytest.mark.parametrize(
    "good, bad, match",
    [
        (
            dict(stride=2, source="roots", tie=False, r1=1.0, r2=-1.0, x=0.5, y=0.6),
            dict(r2=0.3),
            "not in the neuromanifold",
        ),
        (
            dict(stride=2, source="coefficients", coefficients="0, 0, 1, 0, 0"),
            dict(coefficients="0, 0, 0, 0, 0"),
            "w = 0",
        ),
        (
            dict(stride=2, source="coefficients", coefficients="0, 0, 1, 0, 0"),
            dict(coefficients="1, 2, 3"),
            "coefficients must have 5 entries for stride 2",
        ),
        (
            dict(stride=1, source="coefficients", coefficients="1, 0, -1, 0"),
            dict(coefficients="1, a, 2, 3"),
            "coefficients must be numbers",
        ),
        (
            dict(stride=2, source="coefficients", coefficients="1, 0, 3, 0, 1"),
            dict(coefficients="1, 0, 1, 0, 1"),
            "not in the neuromanifold",
        ),
        (
            dict(stride=2, source="coefficients", coefficients="1, 0, 3, 0, 1"),
            dict(stride=1),
            "coefficients must have 4 entries for stride 1",
        ),
    ],
)
def test_bad_input_shows_message_and_keeps_picture(explorer, good, bad, match):
    explorer.set_values(**good)
    assert explorer.error is None
    image, result = bytes(explorer.image.value), explorer.result
    ((name, value),) = bad.items()
    explorer.controls[name].value = value  # one control, as a reader would change it
    assert_rejected(explorer, match, shown=match, image=image, result=result)
    explorer.controls[name].value = good.get(name, 2)
    assert_clear(explorer)


def test_pure_function_errors():
    with pytest.raises(ValueError, match="stride must be 1 or 2: got 3"):
        fiber_picture(stride=3)
    with pytest.raises(ValueError, match="source must be 'roots' or 'coefficients'"):
        fiber_picture(source="sliders")
    with pytest.raises(ValueError, match="stride must be 1 or 2"):
        widget_roots(4, 1.0, 0.0, 0.0, 1.0)


def test_widget_roots_build_the_polynomial():
    roots = widget_roots(2, 0.7, 0.0, 0.3, 0.4, tie=True)
    np.testing.assert_allclose(roots, [0.7, -0.7, 0.3 + 0.4j, 0.3 - 0.4j])
    w = filter_from_roots(roots)
    np.testing.assert_allclose(np.polynomial.polynomial.polyval(roots, w), 0, atol=1e-12)
    np.testing.assert_allclose(widget_roots(1, 0.7, 9.0, 0.3, -0.4), [0.7, -0.1, 0.7])
    # y < 0: the real pair x -+ |y|


# --------------------------------------------------------------------------- plots
def test_plot_root_orbits_updates_in_place():
    net = LCN([3, 3, 2], [2, 2, 1])
    fs = net.random_filters(np.random.default_rng(0))
    w = net.end_to_end(fs)
    lr = root_orbits(net, fs)
    ax = plot_root_orbits(lr, w_roots=filter_roots(w), title="t")
    assert isinstance(ax.figure, Figure)
    n_lines, n_texts = len(ax.get_lines()), len(ax.texts)
    plot_root_orbits(lr, w_roots=filter_roots(w), ax=ax)
    assert len(ax.get_lines()) == n_lines and len(ax.texts) == n_texts
    lines = lines_by_gid(ax)
    # the last layer (S = 4) owns one square of roots
    sq = _complex_points(lines["layer-3"])
    assert sq.size == 4
    np.testing.assert_allclose(sq**4, np.full(4, lr[2].base[0]), rtol=1e-10)
    assert _complex_points(lines["layer-4"]).size == 0  # unused layers stay empty


def test_plot_root_orbits_with_a_fixed_view():
    net = LCN([3, 2], [2, 1])
    fs = net.random_filters(np.random.default_rng(3))
    lr = root_orbits(net, fs)
    ax = plot_root_orbits(lr, w_roots=filter_roots(net.end_to_end(fs)), limit=7.5, legend=False)
    assert ax.get_xlim() == (-7.5, 7.5) and ax.get_ylim() == (-7.5, 7.5)
    assert ax.get_legend() is None
    lines = lines_by_gid(ax)
    assert lines["layer-2"].get_visible() and not lines["layer-3"].get_visible()  # no layer 3
    plot_root_orbits((), ax=ax, limit=7.5, legend=False)  # nothing to draw: the frame stays
    assert ax.get_xlim() == (-7.5, 7.5) and not lines["layer-1"].get_visible()
    with pytest.raises(ValueError, match="limit must be a positive number"):
        plot_root_orbits(lr, limit=0.0)


def test_plot_root_orbits_notes_zero_and_infinity():
    net = LCN([3, 2], [2, 1])
    fs = [np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0])]
    ax = plot_root_orbits(root_orbits(net, fs))
    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    assert "layer 1: ∞ × 2" in texts["inf-note"]
    assert "layer 2: 0 × 2" in texts["zero-note"]


def test_orbit_outline_and_counts_plot():
    out = orbit_outline([[1, 1j, -1, -1j]])
    assert out.size == 6 and np.isnan(out[-1]) and out[4] == out[0]
    assert orbit_outline(np.ones((2, 1))).size == 0
    ax = plot_factorization_counts([0, 1, 2], [3, 2, 1], xlabel="y")
    np.testing.assert_array_equal(lines_by_gid(ax)["counts"].get_ydata(), [3, 2, 1])
    with pytest.raises(ValueError, match="values and counts must have the same length"):
        plot_factorization_counts([0, 1], [1])
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_factorization_counts([0], [1], ax="axes")


def test_plot_root_orbits_layer_limit():
    net = LCN([2] * 9, [2] * 9)
    fs = net.random_filters(np.random.default_rng(1))
    with pytest.raises(ValueError, match="at most 8 layers: got 9"):
        plot_root_orbits(root_orbits(net, fs))
