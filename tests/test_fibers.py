"""Tests of the fibers of the parametrization map (Thm 4, Sec. 2.3, Ex. 15-17, 19).

Oracles: ``LCN.end_to_end`` and ``LCN.invariants`` (every fiber point must map back to ``w``
with the requested invariants), the filters we started from, the closed forms of MATH.md
Sec. 7 and 9, root counting for cubics, and the numerical multi-start solver as an
independent cross-check of the counts.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lcnn_widgets import LCN
from lcnn_widgets.fibers import (
    Fiber,
    FiberPoint,
    count_real_factorizations,
    fibers,
    filter_from_roots,
    filter_roots,
    is_in_neuromanifold,
    multistart_fibers,
    rescale,
    root_orbits,
    sign_variants,
)

RES = 1e-9  # required residual of every fiber point (relative) and of its invariants


def _check_points(net: LCN, fib: Fiber, w, delta) -> None:
    """Every point maps to w and has invariants delta (independent recomputation)."""
    w = np.asarray(w, float)
    for p in fib:
        assert len(p.filters) == net.n_layers
        assert [f.shape for f in p.filters] == net.filter_shapes
        res = np.linalg.norm(net.end_to_end(p.filters) - w) / np.linalg.norm(w)
        assert res < RES
        assert p.residual == pytest.approx(res, abs=1e-15)
        np.testing.assert_allclose(net.invariants(p.filters), delta, rtol=0, atol=RES)


def _contains_up_to_signs(fib: Fiber, filters, atol=1e-7) -> bool:
    for variant in fib.with_signs():
        if all(
            np.allclose(a, b, rtol=0, atol=atol * max(1.0, np.max(np.abs(b))))
            for a, b in zip(variant, filters, strict=True)
        ):
            return True
    return False


# --------------------------------------------------------------------------- generic points
#: architectures with every stride but the last > 1 (Thm 4): sizes 1 included, 2-4 layers
BIRATIONAL = [
    ([3, 2], [2, 1]),
    ([2, 2], [3, 1]),
    ([4, 3], [2, 5]),
    ([2, 3, 2], [2, 2, 1]),
    ([3, 1, 2], [2, 3, 1]),
    ([1, 3, 2], [3, 2, 1]),
    ([3, 2, 2], [3, 2, 1]),
    ([2, 2, 2, 2], [2, 2, 2, 1]),
    ([2, 1, 3, 2], [2, 3, 2, 4]),
    ([4, 3, 2], [2, 2, 1]),
    ([3, 4], [2, 1]),
    ([2, 2, 2], [3, 3, 2]),
    ([3, 3, 1, 2], [3, 2, 2, 1]),
]


@pytest.mark.parametrize("sizes, strides", BIRATIONAL)
def test_generic_fiber_is_one_point_up_to_signs(sizes, strides):
    net = LCN(sizes, strides)
    rng = np.random.default_rng(len(sizes) * 100 + sum(sizes) * 10 + sum(strides))
    for _ in range(3):
        fs = net.random_filters(rng)
        w = net.end_to_end(fs)
        delta = rng.normal(scale=2.0, size=net.n_layers - 1)
        fib = fibers(net, w, delta)
        assert len(fib) == 1
        _check_points(net, fib, w, delta)
        assert _contains_up_to_signs(fib, rescale(net, fs, delta))


@st.composite
def birational_architectures(draw):
    L = draw(st.integers(2, 4))
    sizes = draw(st.lists(st.integers(1, 4), min_size=L, max_size=L))
    strides = draw(st.lists(st.integers(2, 3), min_size=L - 1, max_size=L - 1))
    return sizes, [*strides, draw(st.integers(1, 3))]


@given(arch=birational_architectures(), seed=st.integers(0, 2**16))
def test_generic_fiber_property(arch, seed):
    """Thm 4 on random architectures: the rescaled start is the only point up to signs."""
    sizes, strides = arch
    net = LCN(sizes, strides)
    rng = np.random.default_rng(seed)
    fs = net.random_filters(rng)
    w = net.end_to_end(fs)
    delta = rng.normal(size=net.n_layers - 1)
    fib = fibers(net, w, delta)
    assert len(fib) == 1
    _check_points(net, fib, w, delta)
    assert _contains_up_to_signs(fib, rescale(net, fs, delta))


def test_balanced_default_and_fiber_api():
    net = LCN([3, 2, 2], [2, 2, 1])
    fs = net.random_filters(np.random.default_rng(3))
    w = net.end_to_end(fs)
    fib = fibers(net, w)
    np.testing.assert_array_equal(fib.delta, np.zeros(2))
    _check_points(net, fib, w, np.zeros(2))
    assert isinstance(fib[0], FiberPoint) and list(fib) == list(fib.points)
    assert fib.filters == [fib[0].filters]
    assert fib.max_residual == max(p.residual for p in fib)
    assert len(fib.with_signs()) == len(fib) * 2 ** (net.n_layers - 1)
    assert len(fib[0].with_signs()) == 4
    assert fib.method == "roots"


# --------------------------------------------------------------------------- sign variants
@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_sign_variants(L):
    net = LCN([3] * L, [2] * L)
    fs = net.random_filters(np.random.default_rng(L))
    variants = sign_variants(fs)
    assert len(variants) == 2 ** (L - 1)
    np.testing.assert_array_equal(np.concatenate(variants[0]), np.concatenate(fs))
    w, delta = net.end_to_end(fs), net.invariants(fs)
    flat = {tuple(np.round(np.concatenate(v), 12)) for v in variants}
    assert len(flat) == len(variants)  # all different
    for v in variants:
        np.testing.assert_allclose(net.end_to_end(v), w, atol=1e-14)
        np.testing.assert_allclose(net.invariants(v), delta, atol=1e-14)
        signs = [np.sign(a[0] / b[0]) for a, b in zip(v, fs, strict=True)]
        assert np.prod(signs) == 1


def test_sign_variants_errors():
    with pytest.raises(ValueError, match="at least one filter"):
        sign_variants([])
    with pytest.raises(ValueError, match="finite"):
        sign_variants([[1.0, np.nan]])


# --------------------------------------------------------------------------- stride one
def _three_real_factorizations_table():
    """MATH.md Sec. 9 (Ex. 19): the balanced factorizations of x^3 - x y^2 and their NTKs."""
    c = 2**-0.25
    return [
        ((1, -1, 0), (1, 1), [[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, 1], [0, 0, 1, 1]]),
        ((1, 1, 0), (1, -1), [[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, -1], [0, 0, -1, 1]]),
        (
            (c, 0, -c),
            (1 / c, 0),
            np.sqrt(2) / 2 * np.array([[3, 0, -1, 0], [0, 3, 0, -1], [-1, 0, 3, 0], [0, -1, 0, 1]]),
        ),
    ]


def test_stride_one_cubic_of_example_19():
    net = LCN([3, 2], [1, 1])
    w = [1, 0, -1, 0]
    fib = fibers(net, w)
    assert len(fib) == 3
    _check_points(net, fib, w, [0.0])
    ntks = [net.ntk(p.filters) for p in fib]
    for u, v, theta in _three_real_factorizations_table():
        assert _contains_up_to_signs(fib, (np.array(u, float), np.array(v, float)))
        assert any(np.allclose(N, theta, atol=1e-12) for N in ntks)
    assert count_real_factorizations(net, w) == 3


def test_stride_one_random_cubics_count_real_roots():
    """3 real factorizations iff three distinct real roots, else 1 (cross-checked)."""
    net = LCN([3, 2], [1, 1])
    rng = np.random.default_rng(7)
    for trial in range(6):
        scale = rng.choice([-1, 1]) * rng.uniform(0.5, 3)
        three = filter_from_roots(rng.normal(size=3), scale=scale)
        z = complex(rng.normal(), rng.uniform(0.3, 2))
        one = filter_from_roots([rng.normal(), z, z.conjugate()], scale=scale)
        delta = rng.normal(size=1)
        for w, n in ((three, 3), (one, 1)):
            fib = fibers(net, w, delta)
            assert len(fib) == n
            _check_points(net, fib, w, delta)
            if trial < 2:  # the numerical solver agrees (it is slower)
                ms = multistart_fibers(net, w, delta, rng=rng, n_starts=32)
                assert len(ms) == n
                for p in ms:
                    assert _contains_up_to_signs(fib, p.filters, atol=1e-6)


def test_stride_one_swaps_change_the_ntk():
    """Sec. 2.3: same (w, delta), several points, different NTKs."""
    net = LCN([3, 3], [1, 1])
    w = filter_from_roots([-1.5, -0.5, 0.5, 2.0])
    fib = fibers(net, w, [0.3])
    assert len(fib) == 6  # choose the 2 roots of layer 1 among 4 distinct real roots
    ntks = [net.ntk(p.filters) for p in fib]
    gaps = [np.max(np.abs(a - b)) for a, b in itertools.combinations(ntks, 2)]
    assert min(gaps) > 1e-3


# --------------------------------------------------------------------------- Ex. 15-17
def _F(w):
    w0, w1, w2, w3, w4 = w
    return w0 * w3**2 - w1 * w2 * w3 + w1**2 * w4


def _parallel(a, b) -> bool:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.linalg.matrix_rank(np.vstack([a, b]), tol=1e-9 * np.linalg.norm(b)) == 1


def test_example_15_fiber_formula():
    net = LCN([3, 2], [2, 1])
    rng = np.random.default_rng(15)
    for _ in range(10):
        w = net.end_to_end(net.random_filters(rng))
        assert abs(_F(w)) < 1e-12 * np.linalg.norm(w) ** 3
        fib = fibers(net, w, rng.normal(size=1))
        assert len(fib) == 1
        u, v = fib[0].filters
        assert _parallel(u, [w[0] / w[1], 1, w[4] / w[3]])
        assert _parallel(v, [w[1], w[3]])


@pytest.mark.parametrize(
    "w, u, v",
    [
        ((1.0, 2.0, 3.0, 0.0, 0.0), (1.0, 2.0, 3.0), (1.0, 0.0)),  # only w_3 = 0
        ((0.0, 0.0, 3.0, 2.0, 1.0), (3.0, 2.0, 1.0), (0.0, 1.0)),  # only w_1 = 0
    ],
)
def test_example_15_boundary_cases(w, u, v):
    net = LCN([3, 2], [2, 1])
    fib = fibers(net, w)
    assert len(fib) == 1
    _check_points(net, fib, w, [0.0])
    assert _parallel(fib[0].filters[0], u) and _parallel(fib[0].filters[1], v)


@pytest.mark.parametrize(
    "w, first, second, entries",
    [
        # MATH.md Sec. 7, Ex. 16: two balanced preimages with different NTKs
        ((0, 0, 1, 0, 0), ((1, 0, 0), (0, 1)), ((0, 0, 1), (1, 0)), None),
        ((1, 0, 0, 0, -1), ((1, 0, 1), (1, -1)), ((1, 0, -1), (1, 1)), (-1.0, 1.0)),
    ],
)
def test_example_16_singular_points(w, first, second, entries):
    net = LCN([3, 2], [2, 1])
    fib = fibers(net, w)
    assert len(fib) == 2
    _check_points(net, fib, w, [0.0])
    for tup in (first, second):
        assert _contains_up_to_signs(fib, [np.array(f, float) for f in tup])
    t1 = net.ntk([np.array(f, float) for f in first])
    t2 = net.ntk([np.array(f, float) for f in second])
    if entries is None:
        np.testing.assert_allclose(t1, np.diag([1, 0, 2, 1, 1]), atol=1e-14)
        np.testing.assert_allclose(t2, np.diag([1, 1, 2, 0, 1]), atol=1e-14)
    else:
        np.testing.assert_allclose(np.diag(t1), [2, 1, 4, 1, 2], atol=1e-14)
        np.testing.assert_allclose(np.diag(t2), [2, 1, 4, 1, 2], atol=1e-14)
        assert (t1[1, 3], t2[1, 3]) == pytest.approx(entries)
    computed = sorted(round(float(net.ntk(p.filters)[1, 3]), 9) for p in fib)
    expected = sorted(round(float(t[1, 3]), 9) for t in (t1, t2))
    assert computed == expected


@pytest.mark.parametrize("w2, n", [(3.0, 2), (2.0, 1), (-2.0, 1), (-2.5, 2)])
def test_singular_line_counts(w2, n):
    """On w_1 = w_3 = 0: in M iff w_2^2 >= 4 w_0 w_4; two preimages unless (a,c) ~ (d,e)."""
    net = LCN([3, 2], [2, 1])
    w = (1.0, 0.0, w2, 0.0, 1.0)
    fib = fibers(net, w)
    assert len(fib) == n
    _check_points(net, fib, w, [0.0])


def test_example_17_invariants_change_the_ntk():
    """Theta_{1,3} = w_1 w_3 / gamma^2 = -2, -1, -1/2 at gamma^2 = 1/2, 1, 2."""
    net = LCN([3, 2], [2, 1])
    w = np.array([2.0, 1.0, 3.0, -1.0, -5.0])
    A = w[1] ** 2 + w[3] ** 2
    B = w[0] ** 2 / w[1] ** 2 + 1 + w[4] ** 2 / w[3] ** 2
    for g2, entry in ((0.5, -2.0), (1.0, -1.0), (2.0, -0.5)):
        delta = A / g2 - g2 * B
        fib = fibers(net, w, [delta])
        assert len(fib) == 1
        assert net.ntk(fib[0].filters)[1, 3] == pytest.approx(entry, rel=1e-12)


# --------------------------------------------------------------------------- not in M
def test_not_in_neuromanifold_raises():
    net = LCN([3, 2], [2, 1])
    w = (1.0, 2.0, 3.0, 4.0, 5.0)
    assert _F(w) != 0
    with pytest.raises(ValueError, match=r"w is not in the neuromanifold of LCN\(.*orbits"):
        fibers(net, w)
    assert not is_in_neuromanifold(net, w)
    assert count_real_factorizations(net, w) == 0
    for w2 in (-1.9, 0.0, 1.0, 1.99):
        with pytest.raises(ValueError, match="not in the neuromanifold"):
            fibers(net, (1.0, 0.0, w2, 0.0, 1.0))
        assert not is_in_neuromanifold(net, (1.0, 0.0, w2, 0.0, 1.0))


def test_is_in_neuromanifold_matches_the_cubic():
    """Ex. 15: for w_1 w_3 != 0, w in M iff F(w) = 0."""
    net = LCN([3, 2], [2, 1])
    rng = np.random.default_rng(5)
    for _ in range(10):
        on = net.end_to_end(net.random_filters(rng))
        off = on + np.array([0, 0, 0.1, 0, 0])  # moves F by -w_1 w_3 * 0.1 != 0
        assert is_in_neuromanifold(net, on) and not is_in_neuromanifold(net, off)
    assert is_in_neuromanifold(net, np.zeros(5))  # pi of a zero filter


def test_multistart_not_in_m_and_zero():
    net = LCN([3, 2], [2, 1])
    with pytest.raises(ValueError, match=r"not in the neuromanifold.*numerical verdict"):
        multistart_fibers(net, (1.0, 2.0, 3.0, 4.0, 5.0), rng=np.random.default_rng(0), n_starts=8)
    with pytest.raises(ValueError, match="w = 0"):
        multistart_fibers(net, np.zeros(5), rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    "bad, exc, match",
    [
        (np.zeros(5), ValueError, r"w = 0: its fiber is not finite"),
        (np.ones(4), ValueError, r"w must have the end-to-end shape 5 .*got shape 4"),
        (np.ones((5, 1)), ValueError, r"w must have the end-to-end shape"),
        ([1, np.inf, 0, 0, 1], ValueError, "finite"),
        (["a"] * 5, TypeError, "real numbers"),
    ],
)
def test_fibers_input_errors(bad, exc, match):
    with pytest.raises(exc, match=match):
        fibers(LCN([3, 2], [2, 1]), bad)


def test_fibers_argument_errors():
    net = LCN([3, 2], [2, 1])
    w = net.end_to_end([[1, 2, 3], [1, -1]])
    with pytest.raises(ValueError, match="delta must have n_layers - 1 = 1 entries"):
        fibers(net, w, [0.0, 1.0])
    with pytest.raises(ValueError, match="method must be 'auto', 'roots' or 'multistart'"):
        fibers(net, w, method="exact")
    with pytest.raises(ValueError, match="tol must be a positive finite number"):
        fibers(net, w, tol=0.0)
    with pytest.raises(TypeError, match="tol must be a positive number"):
        fibers(net, w, tol="small")
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        multistart_fibers(net, w, rng=0)
    with pytest.raises(ValueError, match="n_starts must be a positive integer"):
        multistart_fibers(net, w, rng=np.random.default_rng(0), n_starts=0)
    net2 = LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
    w2 = net2.end_to_end(net2.random_filters(np.random.default_rng(0)))
    with pytest.raises(ValueError, match="method='roots' needs a 1D network"):
        fibers(net2, w2, method="roots")


# --------------------------------------------------------------------------- multiplicities
@pytest.mark.parametrize(
    "sizes, strides, roots, n_zero, n_inf, count",
    [
        # counts from counting multisets: which roots can each layer take?
        ([3, 2], [1, 1], [1, 1, 1], 0, 0, 1),  # (t-1)^3 = (t-1)^2 (t-1)
        ([3, 3], [1, 1], [1, 1, 1, 1], 0, 0, 1),
        ([3, 3], [1, 1], [1, 1, -2, -2], 0, 0, 3),  # {a,a}, {a,b}, {b,b} for layer 1
        ([3, 3, 3], [1, 1, 1], [1, 1, 1, 2, 2, 2], 0, 0, 7),
        ([3, 2], [2, 1], [1, 1, -1, -1], 0, 0, 1),  # layer 2 must take the orbit {1, -1}
        ([4, 2], [2, 1], [1, 1, 1, -1, -1], 0, 0, 1),
        ([3, 3, 2], [1, 2, 1], [1, 1, 2, 2, 3, -3], 0, 0, 3),
        ([3, 2], [2, 1], [1, -1], 2, 0, 2),  # layer 2 takes {1,-1} or the two zeros
        ([3, 2], [2, 1], [], 2, 2, 2),  # Ex. 16: (0, 0, 1, 0, 0)
        ([3, 2], [1, 1], [2.0], 1, 1, 3),  # roots 0, 2, inf: any one for layer 2
        ([2, 2, 2], [2, 2, 1], [], 0, 7, 1),  # w = (1, 0, ..., 0)
        ([3, 3], [1, 1], [1j, 1j, -1j, -1j], 0, 0, 1),  # the conjugate pairs stay together
    ],
)
def test_multiplicities(sizes, strides, roots, n_zero, n_inf, count):
    net = LCN(sizes, strides)
    w = filter_from_roots(roots, n_zero=n_zero, n_inf=n_inf, scale=1.5)
    delta = np.linspace(-0.5, 0.5, net.n_layers - 1)
    fib = fibers(net, w, delta)
    assert len(fib) == count
    _check_points(net, fib, w, delta)


def test_zero_and_infinite_roots_in_random_filters():
    """Filters with leading/trailing zeros (roots 0 and inf) are found again."""
    rng = np.random.default_rng(11)
    for sizes, strides in [([3, 2], [2, 1]), ([3, 3, 2], [2, 2, 1]), ([2, 3], [3, 1])]:
        net = LCN(sizes, strides)
        for _ in range(4):
            fs = net.random_filters(rng)
            for f in fs:
                if f.size > 1:
                    f[rng.choice([0, -1])] = 0.0
            w = net.end_to_end(fs)
            fib = fibers(net, w)
            _check_points(net, fib, w, np.zeros(net.n_layers - 1))
            assert _contains_up_to_signs(fib, rescale(net, fs, np.zeros(net.n_layers - 1)))


def test_tolerance_is_used():
    """A perturbation above tol is rejected, below tol it is accepted (relative residual)."""
    net = LCN([3, 2], [2, 1])
    w = np.array([1.0, 0.0, 0.0, 0.0, -1.0]) + np.array([0, 0, 0, 1e-6, 0])
    assert not is_in_neuromanifold(net, w, tol=1e-9)
    assert is_in_neuromanifold(net, w, tol=1e-4)


# --------------------------------------------------------------------------- D dimensions
def test_multistart_in_two_dimensions():
    rng = np.random.default_rng(2)
    net = LCN([(2, 2), (2, 3)], [(2, 2), (1, 1)])
    fs = net.random_filters(rng)
    w = net.end_to_end(fs)
    fib = fibers(net, w, [0.7], rng=rng, n_starts=16)  # auto -> multistart
    assert fib.method == "multistart" and len(fib) == 1
    _check_points(net, fib, w, [0.7])
    assert _contains_up_to_signs(fib, rescale(net, fs, [0.7]), atol=1e-6)
    # stride one, equal shapes: the two layers can be swapped (Obs. 11), same NTK
    net = LCN([(2, 2), (2, 2)], [(1, 1), (1, 1)])
    w = net.end_to_end(net.random_filters(rng))
    fib = fibers(net, w, rng=rng, n_starts=16)
    assert len(fib) == 2
    np.testing.assert_allclose(net.ntk(fib[0].filters), net.ntk(fib[1].filters), atol=1e-8)


# --------------------------------------------------------------------------- root helpers
def test_filter_roots_and_back():
    rng = np.random.default_rng(4)
    for _ in range(5):
        z = complex(rng.normal(), rng.normal())
        roots = [rng.normal(), z, z.conjugate()]
        w = filter_from_roots(roots, n_zero=1, n_inf=2, scale=-2.0)
        assert w.shape == (7,) and w[0] == 0 and w[-1] == 0 and w[-2] == 0
        r = filter_roots(w)
        assert (r.n_zero, r.n_inf, r.degree) == (1, 2, 6)
        np.testing.assert_allclose(np.sort_complex(r.finite), np.sort_complex(roots), atol=1e-10)
        np.testing.assert_allclose(np.polynomial.polynomial.polyval(r.finite, w), 0, atol=1e-10)
    with pytest.raises(ValueError, match="closed under complex conjugation"):
        filter_from_roots([1j])
    with pytest.raises(ValueError, match="n_inf must be a non-negative integer"):
        filter_from_roots([1.0], n_inf=-1)
    with pytest.raises(ValueError, match="w must be nonzero"):
        filter_roots([0.0, 0.0])


def test_root_orbits_reassemble_the_roots_of_w():
    rng = np.random.default_rng(8)
    net = LCN([3, 2, 2], [2, 3, 1])
    fs = net.random_filters(rng)
    fs[1][0] = 0.0  # a root rho = 0 in layer 2: S_1 = 2 roots t = 0
    w = net.end_to_end(fs)
    lr = root_orbits(net, fs)
    assert [x.stride for x in lr] == [1, 2, 6]
    for x in lr:
        np.testing.assert_allclose(
            x.orbits**x.stride, np.repeat(x.base[:, None], x.stride, 1), rtol=1e-10
        )
    finite = np.concatenate([x.orbits.ravel() for x in lr])
    r = filter_roots(w)
    assert r.n_zero == sum(x.n_zero * x.stride for x in lr) == 2
    assert r.n_inf == sum(x.n_inf * x.stride for x in lr)
    # every orbit point is a root of p_w, and the counts agree
    assert finite.size == r.finite.size
    scale = np.max(np.abs(w)) * np.maximum(1, np.abs(finite)) ** (w.size - 1)
    assert np.all(np.abs(np.polynomial.polynomial.polyval(finite, w)) < 1e-9 * scale)
    with pytest.raises(ValueError, match="needs a 1D network"):
        root_orbits(LCN([(2, 2)], [(1, 1)]), [np.ones((2, 2))])
    with pytest.raises(ValueError, match=r"filters\[1\] is zero"):
        root_orbits(net, [fs[0], np.zeros(2), fs[2]])


def test_count_and_membership_pass_other_errors_through():
    net = LCN([3, 2], [1, 1])
    with pytest.raises(ValueError, match="w = 0"):
        count_real_factorizations(net, np.zeros(4))
    with pytest.raises(ValueError, match="w must have the end-to-end shape 4"):
        count_real_factorizations(net, np.ones(5))
    with pytest.raises(ValueError, match="w must have the end-to-end shape 4"):
        is_in_neuromanifold(net, np.ones(3))
    with pytest.raises(ValueError, match="roots must be finite"):
        filter_from_roots([1.0, np.inf])
