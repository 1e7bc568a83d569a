"""Claims that chapters 1-3 (and the introduction) add or correct, checked with the package.

* ch. 1: the equation ``F`` of the running example (paper, Ex. 15) is a cubic, irreducible, and
  vanishes identically on ``pi`` (sympy, exact); it has real zeros outside the neuromanifold.
* ch. 2: the Jacobian built block by block from unit filters (Obs. 3) is ``net.jacobian``, and
  ``Theta = sum_l J_l J_l^T`` is ``net.ntk``; the end-to-end filter moves by
  ``w' = -Theta grad l(w)``; the two-layer rescaling by one ``brentq`` call on
  ``a_1 (a_1 + delta) = n_1 n_2`` is ``rescale(net, ...)``; the textbook closed form loses
  ``log10(delta^2 / n_1 n_2)`` digits (the condition is ``delta^2 >> n_1 n_2``, not
  ``delta >> n_1 n_2``); gradient descent drifts the invariants to first order in the step.
* ch. 3 and the introduction: swapping two interchangeable layers of a two-dimensional network
  and rescaling back to the same ``delta`` keeps ``pi`` and ``delta`` but changes the NTK unless
  the two layers have equal norms (``delta = 0`` for two layers); the NTK of the swapped point is
  ``(a/b)^2 J_1 J_1^T + (b/a)^2 J_2 J_2^T``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import mpmath
import numpy as np
import pytest
import sympy
from book_cells import cells, markdown
from scipy.optimize import brentq

from lcnn_widgets import (
    LCN,
    conv,
    is_in_neuromanifold,
    multistart_fibers,
    running_example_F,
    two_layer_rescaling,
)
from lcnn_widgets.fibers import rescale
from lcnn_widgets.flows import SquaredLoss, gradient_descent, gradient_flow

RUNNING = LCN([3, 2], [2, 1])


# --------------------------------------------------------------------------- ch. 1: the cubic F
def _symbolic_running_example():
    """pi(u, v) of the running example expanded from the product of the two binary forms."""
    x, y = sympy.symbols("x y")
    u, v = sympy.symbols("u0:3"), sympy.symbols("v0:2")
    form = sympy.Poly(
        (u[0] * x**2 + u[1] * x * y + u[2] * y**2) * (v[0] * x**2 + v[1] * y**2), x, y
    )
    return u, v, [form.coeff_monomial(x ** (4 - i) * y**i) for i in range(5)]


def _symbolic_F():
    W = sympy.symbols("w0:5")
    return W, W[0] * W[3] ** 2 - W[1] * W[2] * W[3] + W[1] ** 2 * W[4]


def test_symbolic_pi_is_end_to_end_and_symbolic_F_is_running_example_F():
    u, v, pi_sym = _symbolic_running_example()
    W, F = _symbolic_F()
    rng = np.random.default_rng(11)
    for _ in range(20):
        ints = [int(a) for a in rng.integers(-6, 7, 5)]
        exact = [int(c.subs(dict(zip(u + v, ints, strict=True)))) for c in pi_sym]
        assert exact == RUNNING.end_to_end([ints[:3], ints[3:]]).tolist()
        point = [int(a) for a in rng.integers(-6, 7, 5)]
        assert running_example_F(point) == int(F.subs(dict(zip(W, point, strict=True))))


def test_F_is_an_irreducible_cubic_vanishing_identically_on_pi():
    _u, _v, pi_sym = _symbolic_running_example()
    W, F = _symbolic_F()
    poly = sympy.Poly(F, *W)
    assert poly.total_degree() == 3 and poly.is_homogeneous
    assert all(sum(m) == 3 for m in poly.monoms())
    assert sympy.expand(F.subs(dict(zip(W, pi_sym, strict=True)))) == 0
    # linear in w_4 with coprime coefficients w_1^2 and w_3 (w_0 w_3 - w_1 w_2): irreducible
    rest = sympy.expand(F - W[1] ** 2 * W[4])
    assert sympy.Poly(F, W[4]).degree() == 1
    assert sympy.factor(rest) == sympy.factor(W[3] * (W[0] * W[3] - W[1] * W[2]))
    assert sympy.gcd(W[1] ** 2, rest) == 1
    factors = sympy.factor_list(F)[1]
    assert len(factors) == 1 and factors[0][1] == 1


def test_F_vanishes_numerically_on_random_filters_and_has_zeros_outside_M():
    rng = np.random.default_rng(12)
    for _ in range(50):
        fs = RUNNING.random_filters(rng)
        w = RUNNING.end_to_end(fs)
        scale = np.prod([np.linalg.norm(f) for f in fs]) ** 3
        assert abs(running_example_F(w)) < 1e-13 * scale
    # a real zero of F that no real filters produce (w_1 = w_3 = 0 and w_2^2 < 4 w_0 w_4)
    assert running_example_F([1, 0, 1, 0, 1]) == 0.0
    assert not is_in_neuromanifold(RUNNING, [1, 0, 1, 0, 1])
    assert running_example_F([1, 0, 0, 1, 0]) == 1.0  # the exercise's point, F != 0


# --------------------------------------------------------------------------- ch. 2: J and Theta
def _blocks_from_unit_filters(net, fs):
    """Obs. 3: column j of J_l is pi with w_l replaced by the unit filter e_j."""
    blocks = []
    for l, f in enumerate(fs):
        cols = []
        for j in range(f.size):
            e = np.zeros(f.size)
            e[j] = 1.0
            others = list(fs)
            others[l] = e.reshape(f.shape)
            cols.append(net.end_to_end(others).ravel())
        blocks.append(np.column_stack(cols))
    return blocks


@pytest.mark.parametrize(
    "sizes, strides",
    [
        ([3, 2], [2, 1]),
        ([3, 2], [1, 1]),
        ([2, 3, 2], [2, 2, 1]),
        ([4, 2, 3], [3, 1, 1]),
        ([(2, 2), (3, 2)], [(2, 1), 1]),
        ([(2, 2), (2, 2)], [(1, 1), (2, 2)]),
    ],
)
def test_jacobian_block_by_block_and_ntk_as_sum_of_blocks(sizes, strides):
    net = LCN(sizes, strides)
    rng = np.random.default_rng(13)
    fs = net.random_filters(rng)
    blocks = _blocks_from_unit_filters(net, fs)
    J = net.jacobian(fs)
    np.testing.assert_allclose(np.hstack(blocks), J, rtol=0, atol=1e-14 * np.abs(J).max())
    theta = sum(B @ B.T for B in blocks)
    np.testing.assert_allclose(theta, net.ntk(fs), rtol=0, atol=1e-13 * np.abs(theta).max())
    assert np.linalg.matrix_rank(theta) == net.dim_neuromanifold
    assert np.linalg.eigvalsh(theta)[0] > -1e-12 * np.abs(theta).max()
    # each term is homogeneous of degree 2 in the other layers' filters: scale layer m by c
    c = 1.7
    for m in range(net.n_layers):
        scaled = [c * f if l == m else f for l, f in enumerate(fs)]
        expected = sum((B @ B.T) * (1.0 if l == m else c**2) for l, B in enumerate(blocks))
        np.testing.assert_allclose(
            net.ntk(scaled), expected, rtol=1e-12, atol=1e-13 * np.abs(expected).max()
        )
        flipped = [-f if l == m else f for l, f in enumerate(fs)]
        np.testing.assert_allclose(
            net.ntk(flipped), theta, rtol=0, atol=1e-13 * np.abs(theta).max()
        )


def test_velocity_of_w_is_minus_ntk_times_gradient_exactly_for_two_layers():
    """pi is bilinear: a central difference along theta' = -J^T grad l is exactly J theta'."""
    rng = np.random.default_rng(14)
    fs = RUNNING.random_filters(rng)
    loss = SquaredLoss(np.eye(5), RUNNING.end_to_end(RUNNING.random_filters(rng)))
    w = RUNNING.end_to_end(fs)
    grad = loss.gradient(w)
    xi = RUNNING.unflatten(-RUNNING.jacobian(fs).T @ grad)
    h = 0.25
    plus = RUNNING.end_to_end([f + h * d for f, d in zip(fs, xi, strict=True)])
    minus = RUNNING.end_to_end([f - h * d for f, d in zip(fs, xi, strict=True)])
    np.testing.assert_allclose(
        (plus - minus) / (2 * h), -RUNNING.ntk(fs) @ grad, rtol=1e-12, atol=1e-14
    )


def test_velocity_along_the_integrated_flow_is_minus_ntk_times_gradient():
    rng = np.random.default_rng(15)
    fs = RUNNING.random_filters(rng)
    loss = SquaredLoss(np.eye(5), RUNNING.end_to_end(RUNNING.random_filters(rng)))
    errors = []
    for dt in (1e-2, 5e-3):
        run = gradient_flow(RUNNING, fs, loss, t_eval=[0.0, 0.5 - dt, 0.5, 0.5 + dt])
        velocity = (run.end_to_end[3] - run.end_to_end[1]) / (2 * dt)
        predicted = -RUNNING.ntk(run.filters_at(2)) @ loss.gradient(run.end_to_end[2])
        errors.append(np.linalg.norm(velocity - predicted) / np.linalg.norm(predicted))
    assert errors[1] < 1e-4
    # the error is the central difference's, of order dt^2: halving dt divides it by about 4
    assert 3.0 < errors[0] / errors[1] < 5.0


# --------------------------------------------------------------------------- ch. 2: rescaling
def _rescale_by_brentq(fs, delta):
    """The book's two-layer root-find of a_1 (a_1 + delta) = n_1 n_2 (ch. 2)."""
    n1, n2 = (float(np.sum(np.square(f))) for f in fs)
    lo = max(0.0, -delta)
    hi = lo + 2 * np.sqrt(n1 * n2)
    # the bracket: -n_1 n_2 at a_* (one factor is zero), at least 3 n_1 n_2 at the right end
    assert lo * (lo + delta) - n1 * n2 == -n1 * n2
    assert hi * (hi + delta) - n1 * n2 >= 2.999 * n1 * n2
    a1 = brentq(lambda a: a * (a + delta) - n1 * n2, lo, hi, xtol=1e-15)
    c = np.sqrt(a1 / n1)
    return [c * fs[0], fs[1] / c]


@pytest.mark.parametrize("delta", [-7.5, -1.0, -1e-3, 0.0, 1e-3, 1.0, 4.0, 30.0])
def test_two_layer_brentq_rescaling_is_the_package_rescaling(delta):
    rng = np.random.default_rng(16)
    for net in (RUNNING, LCN([(2, 2), (3, 2)], [(2, 2), 1])):
        for _ in range(5):
            fs = net.random_filters(rng)
            by_hand = _rescale_by_brentq(fs, delta)
            package = rescale(net, fs, [delta])
            scale = max(float(np.sum(np.square(f))) for f in by_hand)
            assert abs(net.invariants(by_hand)[0] - delta) < 1e-12 * max(1.0, scale)
            for a, b in zip(by_hand, package, strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def _exact_a1(n1n2, delta):
    with mpmath.workdps(60):
        d, p = mpmath.mpf(delta), mpmath.mpf(n1n2)
        return (-d + mpmath.sqrt(d * d + 4 * p)) / 2


def _textbook_a1(n1n2, delta):
    return 0.5 * (-delta + np.sqrt(delta**2 + 4 * n1n2))


def _relative_error(value, exact):
    return float(abs((mpmath.mpf(value) - exact) / exact))


def test_cancellation_is_governed_by_delta_squared_over_n1n2():
    # delta >> n1 n2 but delta^2 ~ n1 n2: no cancellation, the textbook formula is accurate
    assert _relative_error(_textbook_a1(1e-6, 1e-3), _exact_a1(1e-6, 1e-3)) < 1e-14
    # delta < n1 n2 but delta^2 / n1 n2 = 1e6: about six digits are lost
    err = _relative_error(_textbook_a1(1e10, 1e8), _exact_a1(1e10, 1e8))
    assert 1e-13 < err < 1e-8
    # the book's example, n1 n2 = 1e-12, delta = 1e3: every digit is lost
    assert _textbook_a1(1e-12, 1e3) == 0.0
    # the quotient form (two_layer_rescaling) is accurate in all three cases
    for n1, n2, delta in [(1e-3, 1e-3, 1e-3), (1e5, 1e5, 1e8), (1e-6, 1e-6, 1e3)]:
        c = two_layer_rescaling([n1, n2], delta)[0]
        assert _relative_error(c**2 * n1, _exact_a1(n1 * n2, delta)) < 1e-14


def test_gradient_descent_drift_is_first_order_in_the_step():
    net = LCN([2, 3, 2], [2, 2, 1])
    rng = np.random.default_rng(17)
    m = 6
    n = net.end_to_end_size + net.stride * (m - 1)
    X = rng.standard_normal((20, n)) / np.sqrt(m)
    teacher = net.end_to_end(net.random_filters(rng))
    Y = np.stack([conv(teacher, net.stride, x) for x in X])
    fs = net.random_filters(rng)
    drifts = [
        gradient_descent(net, fs, X, Y, step=h, n_steps=round(2 / h)).invariant_drift
        for h in (0.01, 0.005, 0.0025)
    ]
    flow = gradient_flow(net, fs, X, Y, t_eval=np.linspace(0.0, 2.0, 5))
    assert flow.invariant_drift < 1e-10 < drifts[-1]
    for coarse, fine in itertools.pairwise(drifts):
        assert 1.7 < coarse / fine < 2.3


# --------------------------------------------------------------------------- ch. 3 and intro: swaps
def _swapped_rescaled(fs):
    a, b = (float(np.linalg.norm(f)) for f in fs)
    return [(a / b) * fs[1], (b / a) * fs[0]], a, b


@pytest.mark.parametrize("strides", [[(1, 1), (1, 1)], [(1, 1), (2, 2)]])
def test_layer_swap_keeps_w_and_delta_and_changes_the_ntk_unless_balanced(strides):
    net = LCN([(2, 2), (2, 2)], strides)
    rng = np.random.default_rng(18)
    differences = []
    for _ in range(10):
        fs = net.random_filters(rng)
        swapped, a, b = _swapped_rescaled(fs)
        w = net.end_to_end(fs)
        np.testing.assert_allclose(net.end_to_end(swapped), w, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(net.invariants(swapped), net.invariants(fs), atol=1e-12)
        J1, J2 = np.hsplit(net.jacobian(fs), 2)
        theta, theta_sw = net.ntk(fs), net.ntk(swapped)
        np.testing.assert_allclose(
            theta_sw, (a / b) ** 2 * J1 @ J1.T + (b / a) ** 2 * J2 @ J2.T, rtol=1e-12, atol=1e-13
        )
        differences.append(np.linalg.norm(theta_sw - theta) / np.linalg.norm(theta))
        # balanced: the plain swap is the second fiber point and keeps the NTK
        bal = rescale(net, fs, [0.0])
        bal_sw, _, _ = _swapped_rescaled(bal)
        np.testing.assert_allclose(net.ntk(bal_sw), net.ntk(bal), rtol=1e-12, atol=1e-13)
    assert min(differences) > 1e-6 and max(differences) > 0.1


def test_multistart_fiber_of_interchangeable_layers_at_zero_and_nonzero_delta():
    net = LCN([(2, 2), (2, 2)], [(1, 1), (1, 1)])
    rng = np.random.default_rng(19)
    w = net.end_to_end(net.random_filters(rng))
    for delta, differs in ((0.0, False), (2.0, True)):
        fib = multistart_fibers(net, w, [delta], rng=rng, n_starts=16)
        assert len(fib) == 2 and fib.max_residual < 1e-10
        N0, N1 = (net.ntk(p.filters) for p in fib)
        relative = np.abs(N0 - N1).max() / np.abs(N0).max()
        assert (relative > 1e-3) if differs else (relative < 1e-10)
    # without delta, multistart_fibers computes the balanced fiber (the exercise's default)
    fib = multistart_fibers(net, w, rng=rng, n_starts=16)
    assert all(abs(net.invariants(p.filters)[0]) < 1e-10 for p in fib)


# --------------------------------------------------------------------------- the chapters' text
BOOK = Path(__file__).resolve().parents[1] / "book"
CHAPTERS = ["01_polynomials", "02_invariants", "03_fibers"]


def test_canonical_statements_and_corrections_in_the_text():
    ch1, ch2, ch3 = (markdown(n) for n in CHAPTERS)
    # Lemma 9 lives in chapter 7; chapter 1 only points there
    assert "lem-multi-axis" not in ch1 and "{prf:ref}`lem-hd-product`" in ch1
    assert "eq-poly-running-cubic" in ch1 and "**cubic**" in ch1
    # chapter 2: no drift plot, the drift argument is referenced, not restated
    code2 = "\n".join(
        "".join(c["source"]) for c in cells("02_invariants") if c["cell_type"] == "code"
    )
    assert "plot_invariant_drift" not in code2 and "brentq(" in code2
    descent = ch2[ch2.index("::::{solution} ex-inv-descent") :]
    descent = descent[: descent.index("::::\n")]
    assert "05_convergence.ipynb" in descent and "h^2" not in descent
    assert "\\delta^2 \\gg n_1 n_2" in ch2 and "\\delta \\gg n_1 n_2" not in ch2
    assert ":label: obs-inv-jacobian-blocks" in ch2 and "eq-inv-function-velocity" in ch2
    # chapter 3: Thm 4 in full (both parts), the swap answer holds at delta = 0 only
    theorem = ch3[ch3.index(":label: thm-fib-unique") :]
    theorem = theorem[: theorem.index(":::")]
    assert "2^{L-1}" in theorem and "\\Theta(w; \\delta)" in theorem
    swap = ch3[ch3.index("::::{solution} ex-fib-2d") :]
    assert "only because $\\delta = 0$" in swap and "thm-hd-ntk" in swap
    assert ch3.count("obs-inv-jacobian-blocks") >= 2
    intro = (BOOK / "intro.md").read_text(encoding="utf-8")
    assert "in every case for" not in intro and "Theorem 13" in intro
