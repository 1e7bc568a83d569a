"""Tests of rescaling to prescribed invariants (Prop. 2, Prop. 12): lcnn_widgets.fibers.rescale
and rescaling_factors.

Laws: the result has the target invariants and the same end-to-end filter, the factors are
positive with product one, and they are unique (the answer depends on the scaling orbit
only). Oracles: the closed form for two layers, the cubic for three layers, and the numbers of
MATH.md Ex. 17.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from lcn_oracles import architectures, seeds

from lcnn_widgets import LCN
from lcnn_widgets.fibers import rescale, rescaling_factors


def _sq(fs):
    return np.array([float(np.sum(np.square(f))) for f in fs])


def _check_rescaled(net, fs, delta, out):
    """The laws every rescaled tuple obeys, with tolerances relative to the natural scales."""
    fs = [np.asarray(f, dtype=float) for f in fs]
    sq_in, sq_out = _sq(fs), _sq(out)
    # invariants hit delta, relative to the largest squared filter norm
    np.testing.assert_allclose(net.invariants(out), delta, rtol=0, atol=1e-12 * sq_out.max())
    # out_l = c_l w_l with c_l > 0 and prod c_l = 1
    c = np.sqrt(sq_out / sq_in)
    for f, g, cl in zip(fs, out, c, strict=True):
        np.testing.assert_allclose(g, cl * f, rtol=1e-13, atol=0)
    assert np.all(c > 0)
    assert abs(np.sum(np.log(c))) < 1e-12
    # pi is kept, relative to prod ||w_l|| (which bounds ||pi||, pi being multilinear)
    scale = float(np.prod(np.sqrt(sq_in)))
    diff = np.max(np.abs(net.end_to_end(out) - net.end_to_end(fs)))
    assert diff <= 1e-12 * scale


@st.composite
def rescaling_cases(draw, max_layers=4):
    """Nonzero filters of magnitudes 1e-6 ... 1e6 and a target delta on the scale of the norms."""
    net = draw(architectures(min_layers=1, max_layers=max_layers))
    rng = np.random.default_rng(draw(seeds))
    mags = 10.0 ** rng.integers(-6, 7, size=net.n_layers)
    fs = [m * f for m, f in zip(mags, net.random_filters(rng), strict=True)]
    size = np.max(_sq(fs)) * 10.0 ** rng.uniform(-3, 1)
    delta = size * rng.uniform(-1, 1, size=net.n_layers - 1)
    return net, fs, delta


@given(rescaling_cases())
def test_rescale_hits_delta_keeps_pi(case):
    net, fs, delta = case
    _check_rescaled(net, fs, delta, rescale(net, fs, delta))


@given(rescaling_cases())
def test_rescaling_is_unique(case):
    net, fs, delta = case
    out = rescale(net, fs, delta)
    # rescaling an already rescaled tuple to the same delta is the identity ...
    again = rescale(net, out, delta)
    for g, h in zip(out, again, strict=True):
        np.testing.assert_allclose(h, g, rtol=1e-12, atol=0)
    # ... and every point of the scaling orbit (positive c, prod c = 1) gives the same answer
    rng = np.random.default_rng(len(fs))
    logc = rng.uniform(-2, 2, net.n_layers)
    c = np.exp(logc - logc.mean())
    moved = rescale(net, [ci * f for ci, f in zip(c, fs, strict=True)], delta)
    for g, h in zip(out, moved, strict=True):
        np.testing.assert_allclose(h, g, rtol=1e-11, atol=0)


@given(rescaling_cases(), st.data())
def test_rescale_commutes_with_sign_flips(case, data):
    net, fs, delta = case
    signs = data.draw(
        st.lists(st.sampled_from([-1.0, 1.0]), min_size=net.n_layers, max_size=net.n_layers)
    )
    out = rescale(net, fs, delta)
    flipped = rescale(net, [s * f for s, f in zip(signs, fs, strict=True)], delta)
    for s, g, h in zip(signs, out, flipped, strict=True):
        np.testing.assert_array_equal(h, s * g)


@given(st.lists(st.floats(1e-12, 1e12), min_size=2, max_size=2), st.floats(-1e6, 1e6))
def test_two_layer_factors_equal_the_closed_form(norms_sq, delta):
    # a_1 a_2 = n_1 n_2 and a_2 - a_1 = delta  =>  a_1 = (-delta + sqrt(delta^2 + 4 n_1 n_2)) / 2;
    # the larger of a_1, a_2 from the formula, the smaller as n_1 n_2 / larger (no cancellation)
    n1, n2 = norms_sq
    root = np.sqrt(delta**2 + 4 * n1 * n2)
    if delta <= 0:
        a1 = (root - delta) / 2
        a2 = n1 * n2 / a1
    else:
        a2 = (root + delta) / 2
        a1 = n1 * n2 / a2
    c = rescaling_factors(norms_sq, [delta])
    np.testing.assert_allclose(c, [np.sqrt(a1 / n1), np.sqrt(a2 / n2)], rtol=1e-12)


@settings(max_examples=25)  # sympy root finding
@given(seeds)
def test_three_layer_factors_solve_the_cubic(seed):
    rng = np.random.default_rng(seed)
    n = 10.0 ** rng.uniform(-3, 3, 3)
    d = rng.uniform(-5, 5, 2)
    # a_1 (a_1 + d_1)(a_1 + d_1 + d_2) = n_1 n_2 n_3 with all three factors positive; solved in
    # 40-digit arithmetic, because a_1 + d_1 can cancel to a tiny number
    t = sympy.Symbol("t")
    nr, d1, d2 = [sympy.Rational(float(v)) for v in n], sympy.Rational(d[0]), sympy.Rational(d[1])
    cubic = sympy.Poly(t * (t + d1) * (t + d1 + d2) - nr[0] * nr[1] * nr[2], t)
    good = []
    for r in cubic.nroots(n=40):
        if r.is_real and min(r, r + d1, r + d1 + d2) > 0:
            good.append([r, r + d1, r + d1 + d2])
    assert len(good) == 1  # Prop. 2: exactly one positive solution
    expected = [float(sympy.sqrt(a / nl).evalf(30)) for a, nl in zip(good[0], nr, strict=True)]
    np.testing.assert_allclose(rescaling_factors(n, d), expected, rtol=1e-12)


def test_ex17_numbers():
    # MATH.md Ex. 17: w = (2, 1, 3, -1, -5), u = gamma (2, 1, 5), v = (1, -1) / gamma;
    # delta = 2 / gamma^2 - 30 gamma^2, and Theta[1, 3] = w_1 w_3 / gamma^2
    net = LCN([3, 2], [2, 1])
    fs = [[2.0, 1.0, 5.0], [1.0, -1.0]]
    assert net.end_to_end(fs).tolist() == [2, 1, 3, -1, -5]
    for gamma2, theta13 in [(0.5, -2.0), (1.0, -1.0), (2.0, -0.5)]:
        delta = 2 / gamma2 - 30 * gamma2
        out = rescale(net, fs, [delta])
        np.testing.assert_allclose(out[0], np.sqrt(gamma2) * np.array(fs[0]), rtol=1e-14)
        np.testing.assert_allclose(net.ntk(out)[1, 3], theta13, rtol=1e-13)


# --------------------------------------------------------------------------- extremes


@pytest.mark.parametrize("mags", [(1e-6, 1e6), (1e6, 1e-6), (1e-6, 1e-6, 1e6), (1e6, 1.0, 1e-6)])
@pytest.mark.parametrize("kind", ["balanced", "large"])
def test_extreme_magnitudes(mags, kind):
    L = len(mags)
    net = LCN([3] * L, [2] * L)
    fs = [m * f for m, f in zip(mags, net.random_filters(np.random.default_rng(L)), strict=True)]
    delta = np.zeros(L - 1) if kind == "balanced" else np.linspace(-1e6, 1e6, L - 1) + 1e3
    _check_rescaled(net, fs, delta, rescale(net, fs, delta))


@pytest.mark.parametrize(
    "delta", [[1e6], [-1e6], [1e12], [1 - 1e-9], [-(1 - 1e-9)], [1e-300], [0.0]]
)
def test_delta_that_pushes_a_norm_close_to_zero(delta):
    net = LCN([2, 2], [2, 1])
    fs = [[0.6, 0.8], [0.8, -0.6]]  # both of norm 1
    out = rescale(net, fs, delta)
    _check_rescaled(net, fs, delta, out)
    # a_1 a_2 = 1 and a_2 - a_1 = delta: the small one is 1 / the large one, to full precision
    a1, a2 = _sq(out)
    np.testing.assert_allclose(a1 * a2, 1.0, rtol=1e-13)


def test_three_layers_with_a_middle_norm_close_to_zero():
    net = LCN([2, 3, 2], [1, 2, 1])
    fs = net.random_filters(np.random.default_rng(7))
    delta = [-1e8, 1e8]  # layer 2 is 1e8 smaller than its neighbours
    out = rescale(net, fs, delta)
    _check_rescaled(net, fs, delta, out)
    assert _sq(out)[1] < 1e-6 * _sq(out)[0]


def test_one_layer_is_unchanged():
    net = LCN([3], [2])
    out = rescale(net, [[1.0, -2.0, 3.0]], [])
    assert out[0].tolist() == [1.0, -2.0, 3.0]
    assert rescaling_factors([4.0], []).tolist() == [1.0]


def test_inputs_not_mutated_and_delegate_agrees():
    net = LCN([2, 2], [2, 1])
    fs = [np.array([3.0, 0.0]), np.array([1.0, 0.0])]
    out = rescale(net, fs, [8.0])
    assert fs[0].tolist() == [3.0, 0.0] and fs[1].tolist() == [1.0, 0.0]
    for g, h in zip(out, rescale(net, fs, [8.0]), strict=True):
        np.testing.assert_array_equal(g, h)
    np.testing.assert_allclose(rescale(net, fs, 8.0)[1], out[1], rtol=0)  # a scalar for L = 2


# --------------------------------------------------------------------------- errors


def test_zero_filter_raises():
    net = LCN([2, 2, 2], [1, 1, 1])
    with pytest.raises(ValueError, match=r"filters\[1\] is zero: rescaling needs every filter"):
        rescale(net, [[1.0, 2.0], [0.0, 0.0], [1.0, 1.0]], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"filters\[0\] is zero"):
        rescale(net, [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]], [0.0, 0.0])


@pytest.mark.parametrize("delta", [[], [1.0], [1.0, 2.0, 3.0], [[1.0, 2.0]], 1.0])
def test_wrong_length_delta_raises(delta):
    net = LCN([2, 2, 2], [1, 1, 1])
    with pytest.raises(ValueError, match="delta must have n_layers - 1 = 2 entries: got shape"):
        rescale(net, [[1.0, 2.0], [1.0, 0.0], [1.0, 1.0]], delta)


def test_bad_delta_values_and_types():
    net = LCN([2, 2], [1, 1])
    fs = [[1.0, 2.0], [1.0, 0.0]]
    with pytest.raises(ValueError, match="delta must be finite"):
        rescale(net, fs, [np.nan])
    with pytest.raises(ValueError, match="delta must be finite"):
        rescale(net, fs, [np.inf])
    with pytest.raises(TypeError, match="delta must hold real numbers"):
        rescale(net, fs, ["a"])
    with pytest.raises(TypeError, match="delta must hold real numbers, not complex"):
        rescale(net, fs, [1j])
    with pytest.raises(ValueError, match=r"filters\[1\] must have shape 2"):
        rescale(net, [[1.0, 2.0], [1.0]], [0.0])


def test_rescaling_factors_errors():
    with pytest.raises(
        ValueError, match=r"delta must have n_layers - 1 = 1 entries: got shape \(2,\)"
    ):
        rescaling_factors([1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"filters\[0\] is zero"):
        rescaling_factors([0.0, 2.0], [0.0])
    with pytest.raises(ValueError, match=r"filters\[1\] is zero"):
        rescaling_factors([1.0, -2.0], [0.0])
    with pytest.raises(ValueError, match="norms_sq must have 1 axes"):
        rescaling_factors([[1.0, 2.0]], [0.0])
