"""Tests for stride one (Sec. 2.3, Ex. 19): several factorizations, different NTKs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lcnn_widgets import LCN, count_real_factorizations, fibers, filter_from_roots
from lcnn_widgets.stride_one import (
    cubic_roots,
    fiber_ntks,
    ntk_spread,
    stride_one_factorization_count,
)

NET = LCN([3, 2], [1, 1])
W19 = np.array([1.0, 0.0, -1.0, 0.0])  # x^3 - x y^2 = x (x - y)(x + y)

# MATH.md Sec. 9 (Ex. 19): the three balanced factorizations and their NTKs
C = 2**-0.25
TABLE = [
    ((1, -1, 0), (1, 1), np.array([[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, 1], [0, 0, 1, 1]])),
    ((1, 1, 0), (1, -1), np.array([[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, -1], [0, 0, -1, 1]])),
    (
        (C, 0, -C),
        (1 / C, 0),
        np.sqrt(2) / 2 * np.array([[3, 0, -1, 0], [0, 3, 0, -1], [-1, 0, 3, 0], [0, -1, 0, 1]]),
    ),
]


def symbolic_ntk(u, v):
    """The symbolic NTK of sizes (3, 2), strides (1, 1) written out in MATH.md Sec. 9."""
    u0, u1, u2 = u
    v0, v1 = v
    return np.array(
        [
            [u0**2 + v0**2, u0 * u1 + v0 * v1, u0 * u2, 0.0],
            [
                u0 * u1 + v0 * v1,
                u0**2 + u1**2 + v0**2 + v1**2,
                u0 * u1 + u1 * u2 + v0 * v1,
                u0 * u2,
            ],
            [
                u0 * u2,
                u0 * u1 + u1 * u2 + v0 * v1,
                u1**2 + u2**2 + v0**2 + v1**2,
                u1 * u2 + v0 * v1,
            ],
            [0.0, u0 * u2, u1 * u2 + v0 * v1, u2**2 + v1**2],
        ]
    )


def same_up_to_sign(a, b, atol=1e-10):
    return all(np.allclose(x, y, atol=atol) for x, y in zip(a, b, strict=True)) or all(
        np.allclose(x, -np.asarray(y), atol=atol) for x, y in zip(a, b, strict=True)
    )


# ----------------------------------------------------------------------------- Ex. 19
def test_table_of_example_19_is_consistent():
    """The table itself: each pair maps to w, is balanced, and the NTK matches the formula."""
    for u, v, theta in TABLE:
        np.testing.assert_allclose(np.convolve(u, v), W19, atol=1e-14)
        assert np.isclose(np.dot(u, u), np.dot(v, v))
        np.testing.assert_allclose(symbolic_ntk(u, v), theta, atol=1e-14)
        np.testing.assert_allclose(NET.ntk([u, v]), theta, atol=1e-14)


def test_example_19_three_balanced_factorizations_and_ntks():
    fn = fiber_ntks(NET, W19)
    assert len(fn.fiber) == 3 and len(fn.ntks) == 3
    assert fn.fiber.max_residual < 1e-14
    matched = set()
    for p, ntk in zip(fn.fiber, fn.ntks, strict=True):
        hits = [k for k, (u, v, _) in enumerate(TABLE) if same_up_to_sign(p.filters, (u, v))]
        assert len(hits) == 1
        matched.add(hits[0])
        np.testing.assert_allclose(ntk, TABLE[hits[0]][2], atol=1e-12)
        np.testing.assert_allclose(NET.invariants(p.filters), [0.0], atol=1e-12)
    assert matched == {0, 1, 2}
    # spread: the largest pairwise Frobenius distance of the table's matrices
    thetas = [t for _, _, t in TABLE]
    expect = max(np.linalg.norm(a - b) for a in thetas for b in thetas)
    assert np.isclose(fn.spread, expect, rtol=1e-12)
    assert np.isclose(ntk_spread(NET, [(u, v) for u, v, _ in TABLE]), expect, rtol=1e-12)
    print("Ex. 19 spread", fn.spread)


def test_three_versus_one_real_factorizations():
    """A cubic with three distinct real roots factors 3 ways, with one real root 1 way."""
    three = filter_from_roots([-1.0, 0.5, 2.0])
    one = filter_from_roots([0.5, 1 + 2j, 1 - 2j])
    assert count_real_factorizations(NET, three) == 3
    assert count_real_factorizations(NET, one) == 1
    assert stride_one_factorization_count([-1.0, 0.5, 2.0], [2, 1]) == 3
    assert stride_one_factorization_count([0.5, 1 + 2j, 1 - 2j], [2, 1]) == 1
    assert fiber_ntks(NET, one).spread == 0.0
    assert fiber_ntks(NET, three).spread > 0.1


def test_ntks_differ_at_every_invariant():
    """Sec. 2.3: rescaled to the same delta the points of a fiber keep different NTKs."""
    for delta in (-2.0, 0.0, 1.5):
        fn = fiber_ntks(NET, W19, [delta])
        assert len(fn.fiber) == 3
        for p in fn.fiber:
            assert np.isclose(NET.invariants(p.filters)[0], delta)
        for i in range(3):
            for j in range(i):
                assert np.linalg.norm(fn.ntks[i] - fn.ntks[j]) > 0.1


def test_strides_above_one_give_one_ntk():
    """Thm 4 as a contrast: with s_1 = 2 the fiber at delta is one point, spread 0."""
    rng = np.random.default_rng(5)
    net = LCN([3, 2, 2], [2, 2, 1])
    for _ in range(3):
        w = net.end_to_end(net.random_filters(rng))
        fn = fiber_ntks(net, w, rng.normal(size=2))
        assert len(fn.ntks) == 1 and fn.spread == 0.0


# ----------------------------------------------------------------------------- cubic_roots
def test_cubic_roots_cross_from_real_to_complex():
    r, c = 0.3, -0.5
    for g, kind in ((1.44, "real"), (0.0, "double"), (-0.81, "complex")):
        roots = cubic_roots(r, c, g)
        w = filter_from_roots(roots)
        assert np.allclose(np.polynomial.polynomial.polyval(roots, w), 0, atol=1e-12)
        if kind == "real":
            np.testing.assert_allclose(np.sort(roots.real), np.sort([r, c - 1.2, c + 1.2]))
            assert np.all(roots.imag == 0)
        elif kind == "double":
            assert roots[1] == roots[2] == c
        else:
            assert np.isclose(roots[1], np.conj(roots[2])) and np.isclose(roots[1].imag, 0.9)
    with pytest.raises(ValueError, match="disc must be finite"):
        cubic_roots(0.0, 0.0, np.nan)


def test_count_along_the_discriminant():
    """Moving the pair: 3 factorizations for g > 0, 2 at the double root, 1 for g < 0."""
    r, c = 1.0, -0.2
    for g in np.linspace(-1.0, 1.0, 9):
        roots = cubic_roots(r, c, g)
        n = stride_one_factorization_count(roots, [2, 1])
        assert n == (3 if g > 0 else 2 if g == 0 else 1)
        assert count_real_factorizations(NET, filter_from_roots(roots)) == n


# ----------------------------------------------------------------------------- the count
def _random_roots(draw, n_roots, with_pairs):
    roots = []
    while len(roots) < n_roots:
        if with_pairs and n_roots - len(roots) >= 2 and draw(st.booleans()):
            re = draw(st.sampled_from([-1.5, -0.7, 0.4, 1.1]))
            im = draw(st.sampled_from([0.5, 1.3]))
            roots += [complex(re, im), complex(re, -im)]
        else:
            roots.append(complex(draw(st.sampled_from([-2.0, -0.6, 0.0, 0.9, 1.7]))))
    return roots


@st.composite
def stride_one_cases(draw):
    L = draw(st.integers(2, 3))
    sizes = [draw(st.integers(2, 4)) for _ in range(L)]
    degree = sum(sizes) - L
    n_inf = draw(st.integers(0, min(1, degree)))
    roots = _random_roots(draw, degree - n_inf, with_pairs=True)
    return sizes, roots, n_inf


@given(stride_one_cases())
def test_count_formula_equals_the_fiber_count(case):
    """The root count (a pure function) equals len(fibers) (root-orbit enumeration).

    Roots are drawn from a small set, so repeated roots, zero roots and a root at infinity
    occur often.
    """
    sizes, roots, n_inf = case
    net = LCN(sizes, [1] * len(sizes))
    w = filter_from_roots(roots, n_inf=n_inf)
    expect = stride_one_factorization_count(roots, [k - 1 for k in sizes], n_inf=n_inf)
    assert count_real_factorizations(net, w) == expect


def test_count_small_cases_by_hand():
    assert stride_one_factorization_count([1, 1, 1], [2, 1]) == 1  # (t - 1)^3
    assert stride_one_factorization_count([1, 1, 2], [2, 1]) == 2
    assert stride_one_factorization_count([1, 2, 3, 4], [2, 2]) == 6  # binom(4, 2)
    assert stride_one_factorization_count([1j, -1j, 2j, -2j], [2, 2]) == 2
    assert stride_one_factorization_count([1j, -1j], [1, 1]) == 0  # no real linear factor
    assert stride_one_factorization_count([1.0, 2.0], [2, 1], n_inf=1) == 3
    assert stride_one_factorization_count([], [0, 0], n_inf=0) == 1


def test_count_errors():
    with pytest.raises(ValueError, match="closed under complex conjugation"):
        stride_one_factorization_count([1j, 2.0], [1, 1])
    with pytest.raises(ValueError, match="must add up to the number of roots"):
        stride_one_factorization_count([1.0, 2.0], [2, 1])
    with pytest.raises(ValueError, match="n_inf must be a non-negative integer"):
        stride_one_factorization_count([1.0], [1, 1], n_inf=-1)
    with pytest.raises(ValueError, match="degrees must be non-negative"):
        stride_one_factorization_count([1.0], [2, -1])
    with pytest.raises(ValueError, match="roots must be finite"):
        stride_one_factorization_count([np.inf], [1])


# ----------------------------------------------------------------------------- spread
def test_ntk_spread_laws():
    rng = np.random.default_rng(2)
    net = LCN([(2, 2), (2, 3)], [1, 1])
    pts = [net.random_filters(rng) for _ in range(3)]
    assert ntk_spread(net, pts[:1]) == 0.0
    ntks = [net.ntk(p) for p in pts]
    expect = max(np.linalg.norm(a - b) for a in ntks for b in ntks)
    assert np.isclose(ntk_spread(net, pts), expect)
    assert np.isclose(ntk_spread(net, pts[::-1]), expect)
    # sign flips do not change the NTK
    flipped = [-pts[0][0], -pts[0][1]]
    assert ntk_spread(net, [pts[0], flipped]) < 1e-12
    with pytest.raises(ValueError, match="at least one filter tuple"):
        ntk_spread(net, [])
    with pytest.raises(ValueError, match=r"filters\[0\] must have shape"):
        ntk_spread(net, [[np.ones(3), np.ones((2, 3))]])


def test_fiber_ntks_errors_come_from_fibers():
    with pytest.raises(ValueError, match="w is not in the neuromanifold"):
        fiber_ntks(LCN([3, 2], [2, 1]), [1, 0, 1, 0, 1])
    with pytest.raises(ValueError, match="w = 0"):
        fiber_ntks(NET, [0, 0, 0, 0])


def test_fibers_agree_with_fiber_ntks():
    fn = fiber_ntks(NET, W19, [0.5])
    fib = fibers(NET, W19, [0.5])
    assert len(fib) == len(fn.fiber)
    for a, b in zip(fib, fn.fiber, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a.filters, b.filters, strict=True))
