"""Tests of lcnn_widgets.lcn against independent oracles and the worked examples of MATH.md.

Oracles: a naive double loop for one convolution (eq. 2 / eq. 10), the definition of ``pi`` as
a sum over one entry per filter (eq. 8), symbolic Jacobians built with sympy from the formula
of MATH.md §7 and §9, and the numbers of MATH.md's worked examples (Ex. 16, Ex. 19).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from lcn_oracles import architectures, naive_conv, naive_end_to_end, seeds

from lcnn_widgets import LCN, conv

# --------------------------------------------------------------------------- one convolution


@st.composite
def conv_cases(draw):
    """A filter, a stride and an input of random valid size, in 1 to 3 dimensions."""
    dim = draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 4)) for _ in range(dim))
    s = tuple(draw(st.integers(1, 3)) for _ in range(dim))
    n = tuple(kd + draw(st.integers(0, 7)) for kd in k)
    rng = np.random.default_rng(draw(seeds))
    return rng.standard_normal(k), s, rng.standard_normal(n)


@given(conv_cases())
def test_conv_equals_naive_double_loop(case):
    w, s, x = case
    stride = s[0] if len(s) == 1 else s
    y = conv(w, stride, x)
    expected = naive_conv(w, s, x)
    assert y.shape == expected.shape
    assert y.shape == tuple((n - k) // sd + 1 for n, k, sd in zip(x.shape, w.shape, s, strict=True))
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


def test_conv_int_stride_applies_to_every_axis():
    rng = np.random.default_rng(1)
    w, x = rng.standard_normal((2, 3)), rng.standard_normal((7, 8))
    np.testing.assert_array_equal(conv(w, 2, x), conv(w, (2, 2), x))


def test_conv_does_not_flip_the_filter():
    # eq. 2 is a cross-correlation: the first output is sum_j w_j x_j
    assert conv([1.0, 10.0, 100.0], 1, [1.0, 2.0, 3.0]).tolist() == [321.0]


def test_conv_does_not_mutate_inputs():
    w, x = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    conv(w, 1, x)
    assert w.tolist() == [1.0, 2.0] and x.tolist() == [3.0, 4.0, 5.0]


# --------------------------------------------------------------------------- architecture


@given(architectures(max_outputs=10**6))
def test_architecture_attributes_follow_their_formulas(net):
    L, D = net.n_layers, net.dim
    shapes = [(k,) if net.is_1d else k for k in net.filter_sizes]
    strides = [(s,) * D if net.is_1d else s for s in net.strides]
    assert net.filter_shapes == shapes
    acc = [(1,) * D]
    for s in strides:
        acc.append(tuple(a * b for a, b in zip(acc[-1], s, strict=True)))
    expected_acc = acc[:-1]
    if net.is_1d:
        assert net.accumulated_strides == [a[0] for a in expected_acc]
        assert net.stride == math.prod(s[0] for s in strides)
    else:
        assert net.accumulated_strides == expected_acc
        assert net.stride == tuple(math.prod(s[d] for s in strides) for d in range(D))
    # k = k_1 + sum_{l>=2} (k_l - 1) S_{l-1}, per axis
    size = tuple(
        shapes[0][d] + sum((shapes[l][d] - 1) * acc[l][d] for l in range(1, L)) for d in range(D)
    )
    assert net.end_to_end_shape == size
    assert net.end_to_end_size == (size[0] if net.is_1d else size)
    assert net.n_outputs == math.prod(size)
    assert net.n_params == sum(math.prod(s) for s in shapes)
    assert net.dim_neuromanifold == sum(math.prod(s) for s in shapes) - (L - 1)


@given(architectures(max_outputs=10**6))
def test_repr_round_trips_and_equality_and_hash(net):
    again = eval(repr(net), {"LCN": LCN})
    assert again == net and hash(again) == hash(net)
    other_strides = [s for s in net.strides]
    other_strides[0] = 4 if net.is_1d else (4,) * net.dim  # strides drawn from 1..3
    assert LCN(net.filter_sizes, other_strides) != net
    assert net != "not a network"


def test_int_and_tuple_strides_describe_the_same_2d_network():
    assert LCN([(2, 3), (2, 2)], [2, 1]) == LCN([(2, 3), (2, 2)], [(2, 2), (1, 1)])


def test_the_1d_interface_returns_ints_and_1d_arrays():
    net = LCN([3, 2], [2, 3])
    assert net.is_1d and net.dim == 1
    assert net.end_to_end_size == 5 and net.stride == 6 and net.accumulated_strides == [1, 2]
    assert net.end_to_end([[1, 0, 0], [1, 0]]).shape == (5,)


# --------------------------------------------------------------------------- the map pi


@given(architectures(max_layers=3, max_size=3, max_outputs=40), seeds)
def test_end_to_end_equals_its_definition(net, seed):
    fs = net.random_filters(np.random.default_rng(seed))
    w = net.end_to_end(fs)
    expected = naive_end_to_end(fs, net.strides)
    assert w.shape == expected.shape
    np.testing.assert_allclose(w, expected, rtol=1e-12, atol=1e-12)


@given(architectures(), seeds)
def test_forward_equals_naive_layers(net, seed):
    rng = np.random.default_rng(seed)
    fs = net.random_filters(rng)
    n = tuple(k + int(rng.integers(0, 5)) for k in net.end_to_end_shape)
    x = rng.standard_normal(n)
    sig = x
    for f, s in zip(fs, net.strides, strict=True):
        sig = naive_conv(f, s if isinstance(s, tuple) else (s,), sig)
    np.testing.assert_allclose(net.forward(fs, x), sig, rtol=1e-10, atol=1e-10)


def test_filters_are_not_mutated():
    net = LCN([3, 2], [2, 1])
    fs = [np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0])]
    copies = [f.copy() for f in fs]
    for method in (net.end_to_end, net.jacobian, net.ntk, net.invariants, net.flatten):
        method(fs)
    net.forward(fs, np.arange(9.0))
    for f, c in zip(fs, copies, strict=True):
        np.testing.assert_array_equal(f, c)


# --------------------------------------------------------------------------- parameters


@given(architectures(max_outputs=10**6), seeds)
def test_flatten_unflatten_round_trip(net, seed):
    rng = np.random.default_rng(seed)
    fs = net.random_filters(rng)
    theta = net.flatten(fs)
    assert theta.shape == (net.n_params,)
    for f, g in zip(fs, net.unflatten(theta), strict=True):
        np.testing.assert_array_equal(f, g)
    th = rng.standard_normal(net.n_params)
    np.testing.assert_array_equal(net.flatten(net.unflatten(th)), th)


@given(architectures(dims=(2,), max_outputs=10**6), seeds)
def test_flatten_is_layer_first_then_c_order(net, seed):
    fs = net.random_filters(np.random.default_rng(seed))
    theta = net.flatten(fs)
    start = 0
    for f in fs:
        for idx in np.ndindex(f.shape):
            assert theta[start + np.ravel_multi_index(idx, f.shape, order="C")] == f[idx]
        start += f.size


def test_random_filters_shapes_seed_and_scale():
    net = LCN([(2, 3), (1, 2)], [2, 1])
    a = net.random_filters(np.random.default_rng(5))
    b = net.random_filters(np.random.default_rng(5), scale=3.0)
    assert [f.shape for f in a] == [(2, 3), (1, 2)]
    for f, g in zip(a, b, strict=True):
        np.testing.assert_allclose(g, 3.0 * f, rtol=1e-15)
    c = net.random_filters(np.random.default_rng(6))
    assert not np.allclose(net.flatten(a), net.flatten(c))


def test_check_filters_accepts_lists_and_returns_float_copies():
    net = LCN([(1, 2), (2, 1)], [1, 1])
    fs = net.check_filters([[[1, 2]], [[3], [4]]])
    assert [f.dtype for f in fs] == [np.float64, np.float64]
    assert [f.shape for f in fs] == [(1, 2), (2, 1)]


# --------------------------------------------------------------------------- MATH.md §7


u0, u1, u2, v0, v1 = sympy.symbols("u0 u1 u2 v0 v1", real=True)
UV = (u0, u1, u2, v0, v1)

# MATH.md §7, typed in from the text
PI_EX15 = sympy.Matrix([u0 * v0, u1 * v0, u2 * v0 + u0 * v1, u1 * v1, u2 * v1])
NTK_EX15 = sympy.Matrix(
    [
        [u0**2 + v0**2, u0 * u1, u0 * u2 + v0 * v1, 0, 0],
        [u0 * u1, u1**2 + v0**2, u1 * u2, v0 * v1, 0],
        [u0 * u2 + v0 * v1, u1 * u2, u0**2 + u2**2 + v0**2 + v1**2, u0 * u1, u0 * u2 + v0 * v1],
        [0, v0 * v1, u0 * u1, u1**2 + v1**2, u1 * u2],
        [0, 0, u0 * u2 + v0 * v1, u1 * u2, u2**2 + v1**2],
    ]
)


def test_running_example_pi_is_the_formula_of_math_md():
    net = LCN([3, 2], [2, 1])
    f = sympy.lambdify(UV, PI_EX15, "numpy")
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = rng.standard_normal(5)
        expected = np.asarray(f(*p), dtype=float).ravel()
        np.testing.assert_allclose(net.end_to_end([p[:3], p[3:]]), expected, rtol=1e-13)


def test_running_example_symbolic_ntk_matches_math_md():
    # the printed matrix is J J^T of the symbolic Jacobian of the printed formula
    J = PI_EX15.jacobian(UV)
    assert sympy.simplify(J * J.T - NTK_EX15) == sympy.zeros(5, 5)
    net = LCN([3, 2], [2, 1])
    f_ntk = sympy.lambdify(UV, NTK_EX15, "numpy")
    f_jac = sympy.lambdify(UV, J, "numpy")
    rng = np.random.default_rng(1)
    for _ in range(20):
        p = rng.standard_normal(5)
        fs = [p[:3], p[3:]]
        np.testing.assert_allclose(net.ntk(fs), np.asarray(f_ntk(*p), float), atol=1e-12)
        np.testing.assert_allclose(net.jacobian(fs), np.asarray(f_jac(*p), float), atol=1e-13)


@pytest.mark.parametrize(
    ("u", "v", "w", "diag", "theta_13"),
    [
        ((1, 0, 0), (0, 1), (0, 0, 1, 0, 0), (1, 0, 2, 1, 1), 0),
        ((0, 0, 1), (1, 0), (0, 0, 1, 0, 0), (1, 1, 2, 0, 1), 0),
        ((1, 0, 1), (1, -1), (1, 0, 0, 0, -1), (2, 1, 4, 1, 2), -1),
        ((1, 0, -1), (1, 1), (1, 0, 0, 0, -1), (2, 1, 4, 1, 2), 1),
    ],
)
def test_ex16_swapped_factorizations(u, v, w, diag, theta_13):
    net = LCN([3, 2], [2, 1])
    assert net.end_to_end([u, v]).tolist() == list(w)
    assert net.invariants([u, v]).tolist() == [0.0]
    ntk = net.ntk([u, v])
    assert np.diag(ntk).tolist() == list(diag)
    assert ntk[1, 3] == theta_13
    assert np.linalg.matrix_rank(net.jacobian([u, v])) == 4  # full rank, yet the NTKs differ


# --------------------------------------------------------------------------- MATH.md §9


def test_stride_one_symbolic_ntk_rows_match_math_md():
    t = sympy.symbols("u0 u1 u2 v0 v1", real=True)
    a0, a1, a2, b0, b1 = t
    rows = sympy.Matrix(
        [
            [a0**2 + b0**2, a0 * a1 + b0 * b1, a0 * a2, 0],
            [0, a0**2 + a1**2 + b0**2 + b1**2, a0 * a1 + a1 * a2 + b0 * b1, a0 * a2],
            [0, 0, a1**2 + a2**2 + b0**2 + b1**2, a1 * a2 + b0 * b1],
            [0, 0, 0, a2**2 + b1**2],
        ]
    )
    ntk_sym = rows + rows.T - sympy.diag(*[rows[i, i] for i in range(4)])
    f = sympy.lambdify(t, ntk_sym, "numpy")
    net = LCN([3, 2], [1, 1])
    rng = np.random.default_rng(2)
    for _ in range(20):
        p = rng.standard_normal(5)
        np.testing.assert_allclose(net.ntk([p[:3], p[3:]]), np.asarray(f(*p), float), atol=1e-12)


R = 2.0**0.25
EX19 = [
    ((1, -1, 0), (1, 1), [[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, 1], [0, 0, 1, 1]]),
    ((1, 1, 0), (1, -1), [[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, -1], [0, 0, -1, 1]]),
    (
        (1 / R, 0, -1 / R),
        (R, 0),
        (np.sqrt(2) / 2) * np.array([[3, 0, -1, 0], [0, 3, 0, -1], [-1, 0, 3, 0], [0, -1, 0, 1]]),
    ),
]


@pytest.mark.parametrize(("w1", "w2", "ntk"), EX19)
def test_ex19_three_balanced_factorizations_of_one_cubic(w1, w2, ntk):
    net = LCN([3, 2], [1, 1])
    np.testing.assert_allclose(net.end_to_end([w1, w2]), [1, 0, -1, 0], atol=1e-15)
    np.testing.assert_allclose(net.invariants([w1, w2]), [0.0], atol=1e-15)
    np.testing.assert_allclose(net.ntk([w1, w2]), ntk, atol=1e-14)


def test_ex19_ntks_differ_at_the_same_w_and_delta():
    net = LCN([3, 2], [1, 1])
    ntks = [net.ntk([w1, w2]) for w1, w2, _ in EX19]
    for i in range(3):
        for j in range(i):
            assert np.max(np.abs(ntks[i] - ntks[j])) > 0.5
