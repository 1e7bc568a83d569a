"""Tests for D-dimensional convolutions (Sec. 3): Lemma 9, Cor. 10, Obs. 11, Prop. 12, Thm 13."""

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from lcnn_widgets import LCN, fibers, multistart_fibers, sign_variants, to_binary_form
from lcnn_widgets.fibers import rescale
from lcnn_widgets.higher_dim import (
    count_up_to_swaps,
    factor_end_to_end,
    irreducible_layers,
    random_integer_filters,
    swap_layers,
    swap_orbit,
    swap_permutation,
    swappable_pairs,
)
from lcnn_widgets.stride_one import ntk_spread

#: 2D (and one 3D) architectures, strides 1 and 2, every layer with >= 2 sizes > 1
ARCHS = [
    ([(2, 2), (2, 2)], [(1, 1), (1, 1)]),
    ([(2, 2), (3, 2)], [(1, 1), (1, 1)]),
    ([(3, 2), (2, 3)], [(2, 2), (1, 1)]),
    ([(2, 2), (2, 2)], [(2, 1), (1, 1)]),
    ([(2, 2), (2, 2), (2, 2)], [(2, 1), (1, 2), (1, 1)]),
    ([(2, 3), (3, 2), (2, 2)], [(1, 1), (2, 2), (1, 1)]),
    ([(2, 2, 2), (2, 2, 2)], [(2, 1, 1), (1, 1, 1)]),
]


def proportional(a, b, rtol=1e-9):
    """a = c b for some nonzero c (Cauchy-Schwarz with equality)."""
    a, b = np.ravel(a), np.ravel(b)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return na > 0 and nb > 0 and abs(abs(a @ b) - na * nb) <= rtol * na * nb


def layerwise_proportional(sol, fs):
    return all(proportional(x, y) for x, y in zip(sol, fs, strict=True))


# ----------------------------------------------------------------------------- Lemma 9
def test_lemma_9_product_of_forms_in_2d():
    """Layer-by-layer convolution = one convolution with pi = the product of the layer forms."""
    rng = np.random.default_rng(0)
    net = LCN([(2, 3), (3, 2)], [(2, 1), (1, 1)])
    fs = random_integer_filters(net, rng)
    w = net.end_to_end(fs)
    form = sympy.expand(to_binary_form(fs[0]) * to_binary_form(fs[1], (2, 1)))
    assert sympy.expand(form - to_binary_form(w)) == 0
    x = rng.integers(-3, 4, size=(9, 10)).astype(float)
    y = x
    for f, (s1, s2) in zip(
        fs, net.strides, strict=True
    ):  # independent sliding-window loops (eq. 10)
        (k1, k2), (n1, n2) = f.shape, y.shape
        out = np.zeros(((n1 - k1) // s1 + 1, (n2 - k2) // s2 + 1))
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                out[i, j] = np.sum(f * y[i * s1 : i * s1 + k1, j * s2 : j * s2 + k2])
        y = out
    np.testing.assert_array_equal(y, net.forward(fs, x))


# ----------------------------------------------------------------------------- Cor. 10
@pytest.mark.parametrize("arch", ARCHS, ids=[str(a[1]) for a in ARCHS])
def test_factorization_recovers_the_layers(arch):
    """sympy recovers the layers up to scaling; unique up to swaps when the layers are generic."""
    net = LCN(*arch)
    rng = np.random.default_rng(ARCHS.index(arch))
    generic_seen = 0
    for _ in range(3):
        fs = random_integer_filters(net, rng)
        w = net.end_to_end(fs)
        fac = factor_end_to_end(net, w)
        assert fac.max_residual == 0.0  # integers: exact
        for sol in fac.solutions:
            np.testing.assert_array_equal(net.end_to_end(sol), w)
        # the true layers are one of the solutions, up to a scalar per layer
        assert any(layerwise_proportional(sol, fs) for sol in fac.solutions)
        orbit = swap_orbit(net, fs)
        for variant in orbit:
            assert any(layerwise_proportional(sol, variant) for sol in fac.solutions)
        if all(irreducible_layers(net, fs)):
            generic_seen += 1
            assert len(fac) == len(orbit), (fs, fac.solutions)
        else:  # non-generic: a reducible layer may share factors; at least the orbit is there
            assert len(fac) >= len(orbit)
    assert generic_seen >= 1  # the generic case was really tested


def test_irreducible_2x2_layer_iff_nonzero_determinant():
    """A 2 x 2 filter is a bilinear form (x1, y1) M (x2, y2)^T: it factors iff det M = 0."""
    net = LCN([(2, 2), (2, 2)], [(1, 1), (1, 1)])
    rng = np.random.default_rng(11)
    seen = set()
    for _ in range(25):
        fs = random_integer_filters(net, rng, high=2)
        expect = tuple(bool(round(np.linalg.det(f)) != 0) for f in fs)
        assert irreducible_layers(net, fs) == expect
        seen.update(expect)
    assert seen == {True, False}


def test_reducible_layers_can_exchange_factors():
    """Both 2 x 2 layers of rank one (stride one): factors move between layers (4 solutions)."""
    net = LCN([(2, 2), (2, 2)], [(1, 1), (1, 1)])
    a = np.outer([1, 2], [1, -1])  # (x1 + 2 y1)(x2 - y2)
    b = np.outer([1, -3], [2, 1])  # (x1 - 3 y1)(2 x2 + y2)
    fac = factor_end_to_end(net, net.end_to_end([a, b]))
    assert irreducible_layers(net, [a, b]) == (False, False)
    assert len(fac) == 4  # layer 1 takes one x-factor and one y-factor of the four
    mixed = (np.outer([1, 2], [2, 1]), np.outer([1, -3], [1, -1]))
    assert any(layerwise_proportional(s, mixed) for s in fac.solutions)
    ntks = [net.ntk(rescale(net, s, [0.0])) for s in fac.solutions]
    assert max(np.linalg.norm(n - ntks[0]) for n in ntks) > 0.1  # like 1D stride one


def test_one_dimensional_example_19_over_the_rationals():
    net = LCN([3, 2], [1, 1])
    fac = factor_end_to_end(net, [1, 0, -1, 0])  # x (x - y)(x + y): all rational
    assert len(fac) == 3 == len(fibers(net, [1, 0, -1, 0]))
    assert len(factor_end_to_end(net, [1, 0, 1, 0])) == 1  # x (x^2 + y^2)


def test_rational_entries_and_the_constant():
    net = LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
    fs = [np.array([[1, 2], [3, -1]]), np.array([[2, 0], [1, 1]])]
    w_int = net.end_to_end(fs)
    w_frac = np.array([[Fraction(int(v), 6) for v in row] for row in w_int], dtype=object)
    fac = factor_end_to_end(net, w_frac)
    assert fac.constant == Fraction(1, 6) * factor_end_to_end(net, w_int).constant
    assert len(fac) == 1 and layerwise_proportional(fac.filters, fs)
    np.testing.assert_allclose(net.end_to_end(fac.filters), w_int / 6, rtol=1e-15)
    # the exact form identity P_w = constant * prod f_i^m_i
    prod = sympy.Mul(*[f**m for f, m in fac.factors])
    assert (
        sympy.expand(
            6 * sympy.Rational(fac.constant.numerator, fac.constant.denominator) * prod
            - to_binary_form(w_int)
        )
        == 0
    )
    forms = fac.layer_forms()
    assert (
        sympy.expand(
            forms[0] * forms[1].subs({s: s**2 for s in forms[1].free_symbols}, simultaneous=True)
            - to_binary_form(w_int) / 6
        )
        == 0
    )


def test_factorization_errors():
    net = LCN([(2, 2), (2, 2)], [(1, 1), (1, 1)])
    with pytest.raises(ValueError, match="integer or rational entries"):
        factor_end_to_end(net, np.full((3, 3), 0.5))
    with pytest.raises(ValueError, match="w = 0"):
        factor_end_to_end(net, np.zeros((3, 3), int))
    with pytest.raises(ValueError, match="end-to-end shape"):
        factor_end_to_end(net, np.ones((3, 4), int))
    with pytest.raises(ValueError, match="no factorization into layers"):
        factor_end_to_end(net, [[1, 0, 0], [0, 0, 0], [0, 0, 1]])  # x1^2x2^2 + y1^2y2^2
    with pytest.raises(TypeError, match="integers or rationals"):
        factor_end_to_end(net, [["a", 0, 0], [0, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="below 2\\*\\*53"):
        factor_end_to_end(net, np.full((3, 3), 2**60, dtype=object))
    with pytest.raises(ValueError, match="must have shape"):
        irreducible_layers(net, [np.eye(3), np.eye(2)])
    with pytest.raises(ValueError, match="one filter per layer"):
        irreducible_layers(net, [np.eye(2)])


@pytest.mark.parametrize("seed", range(8))
def test_factorization_from_irreducible_layers_equals_sympy_on_w(seed):
    """With integer layers whose forms are irreducible, P_w's factors are the layer forms
    (unique factorization): the shortcut gives exactly what sympy.factor_list on P_w gives
    (same constant, factors in the same order, assignments and solutions)."""
    rng = np.random.default_rng(seed)
    swap = bool(seed % 2)
    while True:  # a random 2D architecture (with interchangeable layers for odd seeds)
        L = int(rng.integers(2, 4))
        sizes = [tuple(int(k) for k in rng.integers(2, 4, size=2)) for _ in range(L)]
        strides = [tuple(int(s) for s in rng.integers(1, 3, size=2)) for _ in range(L)]
        if swap:
            sizes[1], strides[0] = sizes[0], (1, 1)
        net = LCN(sizes, strides)
        if net.n_outputs <= 64:
            break
    ints = random_integer_filters(net, rng)
    while not all(irreducible_layers(net, ints)):
        ints = random_integer_filters(net, rng)
    w = net.end_to_end(ints)
    full, fast = factor_end_to_end(net, w), factor_end_to_end(net, w, layers=ints)
    assert fast.constant == full.constant and fast.factors == full.factors
    assert fast.assignments == full.assignments and fast.multidegrees == full.multidegrees
    assert len(fast) == len(full) >= 1
    for a, b in zip(full.solutions, fast.solutions, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_factorization_from_layers_refuses_reducible_or_wrong_layers():
    net = LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
    good = [np.array([[1, 2], [3, -1]]), np.array([[2, 0], [1, 1]])]
    w = net.end_to_end(good)
    with pytest.raises(ValueError, match="irreducible over Q: layers \\[1\\]"):
        factor_end_to_end(
            net,
            net.end_to_end([good[0], [[1, 2], [2, 4]]]),
            layers=[good[0], np.array([[1, 2], [2, 4]])],
        )
    with pytest.raises(ValueError, match="end-to-end filter is w"):
        factor_end_to_end(net, w, layers=[good[0], np.array([[1, 1], [0, 1]])])


# ----------------------------------------------------------------------------- Obs. 11
def test_swap_keeps_pi_and_theta_and_permutes_j():
    rng = np.random.default_rng(4)
    net = LCN([(2, 2), (3, 2), (2, 3)], [(1, 1), (1, 1), (2, 2)])
    fs = net.random_filters(rng)
    for i, j in [(0, 1), (1, 2), (0, 2)]:
        new_net, new_fs = swap_layers(net, fs, i, j)
        np.testing.assert_allclose(new_net.end_to_end(new_fs), net.end_to_end(fs), atol=1e-12)
        perm = swap_permutation(net, i, j)
        np.testing.assert_array_equal(new_net.flatten(new_fs), net.flatten(fs)[perm])
        np.testing.assert_allclose(new_net.jacobian(new_fs), net.jacobian(fs)[:, perm], atol=1e-12)
        np.testing.assert_allclose(new_net.ntk(new_fs), net.ntk(fs), atol=1e-12)
        assert new_net.strides == net.strides
        assert new_net.filter_sizes[i] == net.filter_sizes[j]
    assert fs[0].shape == (2, 2)  # inputs untouched


def test_swap_not_allowed_raises():
    net = LCN([(2, 2), (2, 2), (2, 2)], [(1, 1), (2, 1), (1, 1)])
    fs = net.random_filters(np.random.default_rng(0))
    with pytest.raises(ValueError, match="cannot be swapped: all strides in between"):
        swap_layers(net, fs, 1, 2)
    with pytest.raises(ValueError, match="cannot be swapped"):
        swap_layers(net, fs, 0, 2)
    with pytest.raises(ValueError, match="two different layer positions"):
        swap_layers(net, fs, 1, 1)
    with pytest.raises(ValueError, match="j must lie between 0 and 2"):
        swap_layers(net, fs, 0, 3)
    with pytest.raises(TypeError, match="i must be an integer"):
        swap_layers(net, fs, 0.0, 1)
    with pytest.raises(ValueError, match="one filter per layer"):
        swap_layers(net, fs[:2], 0, 1)
    # 1D: stride one allows the swap, a stride two does not (chapter 1, ex-swap-layers)
    new_net, _ = swap_layers(LCN([3, 2], [1, 1]), [[1, 2, 3], [1, 1]], 0, 1)
    assert new_net == LCN([2, 3], [1, 1])
    with pytest.raises(ValueError, match="cannot be swapped"):
        swap_layers(LCN([3, 2], [2, 1]), [[1, 2, 3], [1, 1]], 0, 1)


@st.composite
def architectures(draw):
    L = draw(st.integers(2, 4))
    sizes = [tuple(draw(st.integers(2, 3)) for _ in range(2)) for _ in range(L)]
    strides = [tuple(draw(st.integers(1, 2)) for _ in range(2)) for _ in range(L)]
    return sizes, strides, draw(st.integers(0, 2**31))


@settings(max_examples=30)
@given(architectures())
def test_swappable_pairs_are_exactly_the_swaps_that_keep_pi(arch):
    """Oracle: swap sizes and filters naively; pi stays iff all strides in between are one."""
    sizes, strides, seed = arch
    net = LCN(sizes, strides)
    fs = net.random_filters(np.random.default_rng(seed))
    allowed = set(swappable_pairs(net))
    for i in range(net.n_layers):
        for j in range(i + 1, net.n_layers):
            by_definition = all(s == (1, 1) for s in strides[i:j])
            assert ((i, j) in allowed) == by_definition
            naive_sizes = list(sizes)
            naive_sizes[i], naive_sizes[j] = naive_sizes[j], naive_sizes[i]
            naive = LCN(naive_sizes, strides)
            nfs = list(fs)
            nfs[i], nfs[j] = nfs[j], nfs[i]
            w_new, w_old = naive.end_to_end(nfs), net.end_to_end(fs)
            same = w_new.shape == w_old.shape and np.allclose(w_new, w_old, atol=1e-10)
            assert same == by_definition
            if by_definition:
                new_net, new_fs = swap_layers(net, fs, i, j)
                assert np.allclose(new_net.ntk(new_fs), net.ntk(fs), atol=1e-10)
            else:
                with pytest.raises(ValueError, match="cannot be swapped"):
                    swap_layers(net, fs, i, j)


def test_swap_orbit_sizes():
    rng = np.random.default_rng(1)
    cases = [
        (LCN([(2, 2)] * 3, [1, 1, 1]), 6),
        (LCN([(2, 2), (3, 2), (2, 2)], [1, 1, 1]), 2),
        (LCN([(2, 2), (2, 2), (2, 2)], [1, 2, 1]), 2),
        (LCN([(2, 2), (2, 2)], [2, 1]), 1),
    ]
    for net, n in cases:
        fs = net.random_filters(rng)
        orbit = swap_orbit(net, fs)
        assert len(orbit) == n
        assert all(np.array_equal(a, b) for a, b in zip(orbit[0], fs, strict=True))
        for variant in orbit:
            np.testing.assert_allclose(net.end_to_end(variant), net.end_to_end(fs), atol=1e-12)
            np.testing.assert_allclose(net.ntk(variant), net.ntk(fs), atol=1e-12)


# ----------------------------------------------------------------------------- Prop. 12, Thm 13
def test_rescale_in_two_dimensions():
    rng = np.random.default_rng(6)
    net = LCN([(2, 3), (3, 2), (2, 2)], [(2, 1), (1, 2), (1, 1)])
    fs = net.random_filters(rng)
    delta = np.array([0.7, -1.2])
    out = rescale(net, fs, delta)
    np.testing.assert_allclose(net.invariants(out), delta, atol=1e-12)
    np.testing.assert_allclose(net.end_to_end(out), net.end_to_end(fs), atol=1e-12)
    c = [np.linalg.norm(a) / np.linalg.norm(b) for a, b in zip(out, fs, strict=True)]
    assert np.isclose(np.prod(c), 1.0)
    for a, b, ci in zip(out, fs, c, strict=True):  # a positive multiple of the original filter
        np.testing.assert_allclose(a, ci * b, atol=1e-12)


def test_theorem_13_multistart_one_point_up_to_signs():
    """Strides 2 in 2D: the numerical fiber at delta is one point up to signs, one NTK."""
    rng = np.random.default_rng(7)
    for sizes, strides in [
        ([(2, 2), (3, 2)], [(2, 1), (1, 1)]),
        ([(2, 2), (2, 2), (2, 2)], [(2, 2), (1, 2), (1, 1)]),
    ]:
        net = LCN(sizes, strides)
        fs = net.random_filters(rng)
        delta = rng.normal(size=net.n_layers - 1)
        w = net.end_to_end(fs)
        fib = multistart_fibers(net, w, delta, rng=rng, n_starts=12)
        assert len(fib) == 1 and fib.max_residual < 1e-10
        truth = rescale(net, fs, delta)
        assert any(
            all(np.allclose(a, b, atol=1e-7) for a, b in zip(v, truth, strict=True))
            for v in sign_variants(fib[0].filters)
        )
        assert count_up_to_swaps(net, fib.filters) == 1


def test_theorem_13_with_swaps_balanced_and_unbalanced():
    """Stride one, equal shapes: two fiber points, one class up to swaps.

    Balanced: the NTKs agree (Obs. 11). With delta != 0 the swapped point has to be rescaled
    back to delta, and then the NTKs differ: the swap permutes the layer norms.
    """
    rng = np.random.default_rng(8)
    net = LCN([(2, 2), (2, 2)], [(1, 1), (1, 1)])
    fs = net.random_filters(rng)
    w = net.end_to_end(fs)
    for delta, same_ntk in ((0.0, True), (1.3, False)):
        fib = multistart_fibers(net, w, [delta], rng=rng, n_starts=12)
        assert len(fib) == 2
        assert count_up_to_swaps(net, fib.filters) == 1
        spread = ntk_spread(net, fib.filters)
        # independent construction of the second point: swap, then rescale to delta
        base = rescale(net, fs, [delta])
        _, swapped = swap_layers(net, base, 0, 1)
        other = rescale(net, swapped, [delta])
        assert np.isclose(spread, np.linalg.norm(net.ntk(base) - net.ntk(other)), atol=1e-6)
        assert (spread < 1e-8) == same_ntk


def test_count_up_to_swaps_separates_different_points():
    net = LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
    rng = np.random.default_rng(9)
    a, b = net.random_filters(rng), net.random_filters(rng)
    assert count_up_to_swaps(net, [a, b, [-a[0], -a[1]]]) == 2


def test_random_integer_filters_errors():
    net = LCN([(2, 2)], [1])
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        random_integer_filters(net, 0)
    with pytest.raises(ValueError, match="high must be a positive integer"):
        random_integer_filters(net, np.random.default_rng(0), high=0)
    fs = random_integer_filters(net, np.random.default_rng(0), high=1)
    assert np.any(fs[0]) and set(np.unique(fs[0])) <= {-1.0, 0.0, 1.0}
