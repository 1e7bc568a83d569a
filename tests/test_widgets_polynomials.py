"""Tests for the chapter-1 widget, its pure function and the LaTeX formatter it uses."""

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from lcn_oracles import architectures, naive_conv, naive_end_to_end, seeds
from sympy.parsing.sympy_parser import (
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

from lcnn_widgets import LCN, binary_form_latex, polynomial_variables
from lcnn_widgets.widgets import composition_state, explore_composition
from lcnn_widgets.widgets.polynomials import polynomials_html

X, Y = polynomial_variables()
TRANSFORMS = (*standard_transformations, implicit_multiplication_application)


def _latex_to_sympy(text: str) -> sympy.Expr:
    """Read our LaTeX back: ``x^{2}`` -> ``x**(2)``, juxtaposition -> product."""
    return parse_expr(
        text.replace("^{", "**(").replace("}", ")"), {"x": X, "y": Y}, transformations=TRANSFORMS
    )


# ---------------------------------------------------------------- binary_form_latex
@given(
    st.lists(st.integers(-300, 300), min_size=1, max_size=6),
    st.integers(1, 3),
)
def test_binary_form_latex_is_the_binary_form(cents, stride):
    v = np.array(cents) / 100  # two decimals: formatting with digits=2 loses nothing
    text = binary_form_latex(v, stride)
    # oracle: the exact form sum_i v_i x^((k-1-i) s) y^(i s) with rational coefficients
    expected = sum(
        (
            sympy.Rational(c, 100) * X ** ((len(cents) - 1 - i) * stride) * Y ** (i * stride)
            for i, c in enumerate(cents)
        ),
        sympy.Integer(0),
    )
    assert sympy.expand(_latex_to_sympy(text) - expected) == 0


def test_binary_form_latex_rounds_and_drops_vanishing_terms():
    assert binary_form_latex([0.0, 0.0]) == "0"
    assert binary_form_latex([1e-9, -1.0]) == "-y"
    assert binary_form_latex([-1.0, 1.0], 3) == "-x^{3} + y^{3}"
    assert binary_form_latex([2.5]) == "2.5"  # a constant keeps its coefficient
    assert binary_form_latex([1.0]) == "1"
    assert binary_form_latex([0.125, 1.0], digits=3) == "0.125 x + y"


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([[1.0, 2.0]],), {}, ValueError, "v must have 1 axes"),
        (([1.0, 2.0], 0), {}, ValueError, "stride must be a positive integer"),
        (([1.0, 2.0],), {"digits": 0}, ValueError, "digits must be a positive integer"),
        (([1.0, 2.0],), {"digits": 1.5}, TypeError, "digits must be a positive integer"),
        ((["a"],), {}, TypeError, "v must hold real numbers"),
    ],
)
def test_binary_form_latex_rejects_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        binary_form_latex(*args, **kwargs)


# ---------------------------------------------------------------- the pure function
@settings(max_examples=40)
@given(architectures(dims=(1,), max_layers=3), seeds)
def test_composition_state_matches_independent_oracles(net, seed):
    rng = np.random.default_rng(seed)
    filters = [f + np.sign(f) + (f == 0) for f in net.random_filters(rng)]  # nonzero filters
    x = rng.standard_normal(net.end_to_end_size + 3 * net.stride)
    r = composition_state(filters, net.strides, x)
    assert np.allclose(r.end_to_end, naive_end_to_end(filters, net.strides), atol=1e-12)
    assert np.allclose(r.layer_by_layer, net.forward(filters, x), atol=1e-12)
    assert np.allclose(r.one_convolution, naive_conv(r.end_to_end, (net.stride,), x), atol=1e-12)
    assert r.max_difference < 1e-10 * (1 + np.abs(r.one_convolution).max())
    assert r.stride == net.stride and r.strides == tuple(net.strides)
    assert r.layer_polynomials == tuple(
        binary_form_latex(f, s) for f, s in zip(filters, net.accumulated_strides, strict=True)
    )


@pytest.mark.parametrize(
    ("filters", "strides", "n", "kwargs", "error", "match"),
    [
        ([[0, 0, 0], [1, 2]], [2, 1], 9, {}, ValueError, r"filters\[0\] is all zero"),
        ([[1, 0, 0], [0, 0]], [2, 1], 9, {}, ValueError, r"filters\[1\] is all zero"),
        (
            [[1, 2, 3], [1, 2]],
            [4, 1],
            9,
            {"max_stride": 3},
            ValueError,
            r"strides\[0\] must lie between 1 and 3: got 4",
        ),
        ([[1, 2, 3], [1, 2]], [2, 1], 4, {}, ValueError, "at least as long as the end-to-end"),
        ([[1, 2, 3], [1, 2]], [2], 9, {}, ValueError, "one entry per layer"),
        ([[1, 2, 3], [[1, 2]]], [2, 1], 9, {}, ValueError, r"filters\[1\] must have 1 axes"),
        ("ab", [2, 1], 9, {}, TypeError, "sequence of 1D filters"),
    ],
)
def test_composition_state_rejects_bad_input(filters, strides, n, kwargs, error, match):
    with pytest.raises(error, match=match):
        composition_state(filters, strides, np.ones(n), **kwargs)


# ---------------------------------------------------------------- the widget
def _check_drawn(ex):
    """Everything drawn equals LCN.end_to_end / LCN.forward for the current slider values."""
    v = ex.values()
    filters = [[v["u0"], v["u1"], v["u2"]], [v["v0"], v["v1"]]]
    net = LCN([3, 2], [v["s1"], 1])
    w = net.end_to_end(filters)
    x = ex.result.signal
    a = ex.artists
    for stem, f in zip((a["w1"], a["w2"]), filters, strict=True):
        assert np.array_equal(stem.markerline.get_ydata(), f)
        assert [seg[1][1] for seg in stem.stemlines.get_segments()] == pytest.approx(f)
    e2e = a["end_to_end"]
    assert np.array_equal(e2e.markerline.get_xdata(), np.arange(net.end_to_end_size))
    assert np.allclose(e2e.markerline.get_ydata(), w, rtol=0, atol=1e-15)
    assert len(e2e.stemlines.get_segments()) == net.end_to_end_size
    layered = net.forward(filters, x)
    assert np.allclose(a["layer_by_layer"].get_ydata(), layered, rtol=0, atol=1e-14)
    assert np.allclose(
        a["one_convolution"].get_ydata(), naive_conv(w, (net.stride,), x), rtol=0, atol=1e-12
    )
    assert np.array_equal(a["layer_by_layer"].get_xdata(), net.stride * np.arange(layered.size))
    assert binary_form_latex(w) in a["polynomials"].value
    assert f"x^{{{v['s1']}}}" in a["polynomials"].value or v["s1"] == 1
    # the values that change are in the readout line (size, stride, largest difference)
    diff = np.max(np.abs(layered - naive_conv(w, (net.stride,), x)))
    assert f"<b>size {net.end_to_end_size}</b>" in ex.readout.value
    assert f"total stride <b>{net.stride}</b>" in ex.readout.value
    assert f"= <b>{ex.result.max_difference:.1e}</b>" in ex.readout.value
    assert ex.result.max_difference == pytest.approx(diff, abs=1e-14)
    # every drawn value lies inside the (fixed) axes
    ax_w, ax_s = a["end_to_end"].markerline.axes, a["layer_by_layer"].axes
    assert np.max(np.abs(w)) <= ax_w.get_ylim()[1]
    assert np.max(np.abs(layered)) <= ax_s.get_ylim()[1]
    return w


def test_the_frame_is_fixed_while_the_sliders_move():
    """Titles, ticks and limits do not follow the sliders: only the data move."""
    ex = explore_composition()
    ax_f, ax_w, ax_s = ex.figure.axes

    def frame():
        return [
            (
                ax.get_title(loc="left"),
                ax.get_title(),
                ax.get_xlim(),
                ax.get_ylim(),
                tuple(ax.get_xticks()),
            )
            for ax in (ax_f, ax_w, ax_s)
        ]

    before = frame()
    for values in (
        {"u1": -2.0},
        {"u1": 2.0},
        {"s1": 1},
        {"s1": 3, "v0": -1.4},
        {"u0": 1.5, "v1": 1.5, "s1": 2},
    ):
        ex.set_values(**values)
        assert ex.error is None
        _check_drawn(ex)
        assert frame() == before, values
    # every slider at an end of its range (an extreme product): the axes widen to hold it
    ex.set_values(u0=2.0, u1=2.0, u2=2.0, v0=2.0, v1=2.0, s1=1)
    _check_drawn(ex)
    assert ax_w.get_ylim()[1] > before[1][3][1]


def test_widget_draws_its_default_state_when_created():
    ex = explore_composition()
    assert ex.error is None and ex.message.value == ""
    assert ex.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert ex.values() == {"u0": 1.0, "u1": -1.2, "u2": 0.6, "v0": 0.8, "v1": 1.5, "s1": 2}
    w = _check_drawn(ex)
    # MATH.md §7: w = (u0 v0, u1 v0, u2 v0 + u0 v1, u1 v1, u2 v1) for sizes (3, 2), stride 2
    u0, u1, u2, v0, v1 = 1.0, -1.2, 0.6, 0.8, 1.5
    assert np.allclose(w, [u0 * v0, u1 * v0, u2 * v0 + u0 * v1, u1 * v1, u2 * v1])


def test_widget_follows_the_sliders_for_every_stride():
    ex = explore_composition()
    axes_positions = [ax.get_position().bounds for ax in ex.figure.axes]
    for values in (
        {"s1": 1, "u0": -0.5},
        {"s1": 3, "v1": -2.0, "u2": 0.0},
        {"s1": 2, "u1": 1.9, "v0": 0.1},
    ):
        ex.set_values(**values)
        assert ex.error is None
        _check_drawn(ex)
    # fixed layout: artists were updated in place, the axes never moved or multiplied
    assert [ax.get_position().bounds for ax in ex.figure.axes] == axes_positions


def test_widget_single_slider_change_redraws():
    ex = explore_composition()
    ex.controls["v0"].value = -1.3
    assert ex.error is None
    _check_drawn(ex)


def test_zero_filter_shows_a_message_and_keeps_the_last_picture():
    ex = explore_composition()
    ex.set_values(u0=0.0, u1=0.0)  # still valid: w_1 = (0, 0, 0.6)
    assert ex.error is None
    png = ex.image.value
    drawn = ex.artists["end_to_end"].markerline.get_ydata().copy()
    ex.controls["u2"].value = 0.0  # now w_1 = 0
    assert ex.error is not None and "filters[0] is all zero" in ex.error
    assert "all zero" in ex.message.value
    assert ex.image.value == png
    assert np.array_equal(ex.artists["end_to_end"].markerline.get_ydata(), drawn)
    ex.set_values(u2=0.4)  # a valid state again clears the message
    assert ex.error is None and ex.message.value == ""
    _check_drawn(ex)


def test_polynomials_html_names_the_substituted_stride():
    r = composition_state([[1, 2, 3], [1, -1]], [3, 1], np.ones(9))
    html = polynomials_html(r)
    assert "P_{w_2}(x^{3}, y^{3}) = x^{3} - y^{3}" in html
    assert "P_w(x, y) = " + binary_form_latex(r.end_to_end) in html


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"stride": 4}, ValueError, "stride must lie between 1 and 3: got 4"),
        ({"stride": 5, "max_stride": 4}, ValueError, "stride must lie between 1 and 4"),
        ({"filters": [[1, 2], [1, 2]]}, ValueError, r"filters\[0\] must have shape 3"),
        ({"filters": [[0, 0, 0], [1, 2]]}, ValueError, r"filters\[0\] is all zero"),
        ({"n_signal": 5}, ValueError, "n_signal must lie between 6"),
        ({"rng": 0}, TypeError, "rng must be a numpy.random.Generator"),
        ({"max_stride": 0}, ValueError, "max_stride must be a positive integer"),
    ],
)
def test_factory_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        explore_composition(**kwargs)


def test_factory_uses_the_given_generator_and_range():
    ex = explore_composition(
        filters=[[3.0, 0.0, 1.0], [1.0, 1.0]],
        rng=np.random.default_rng(7),
        n_signal=10,
        max_stride=2,
        stride=1,
    )
    assert np.array_equal(ex.result.signal, np.random.default_rng(7).standard_normal(10))
    assert ex.controls["u0"].max == 3.0 and ex.controls["s1"].max == 2
    _check_drawn(ex)
