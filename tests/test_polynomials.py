"""Tests of lcnn_widgets.polynomials: the polynomial view of composition (eq. 8, Lemma 9).

The exact oracle is sympy: the expanded product of the layer forms, read back as a coefficient
array, must equal ``end_to_end`` exactly for integer filters. Dilation, products and the
coefficient order are checked against their definitions with explicit loops.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from lcn_oracles import architectures, integer_filters, seeds

from lcnn_widgets import (
    LCN,
    binary_form_product,
    dilate,
    from_binary_form,
    multiply,
    polynomial_variables,
    to_binary_form,
)

# --------------------------------------------------------------------------- exact products


@given(architectures(max_outputs=150), st.data())
def test_sympy_product_equals_end_to_end_exactly(net, data):
    fs = data.draw(integer_filters(net))
    expanded = sympy.expand(binary_form_product(fs, net.strides))
    w = from_binary_form(expanded, net.end_to_end_shape)
    # the product has the size of the formula k_1 + sum (k_l - 1) S_{l-1} and the entries of pi
    assert w.shape == net.end_to_end_shape
    assert np.array_equal(w, net.end_to_end(fs))


def test_sympy_product_equals_end_to_end_in_3d():
    net = LCN([(2, 1, 3), (2, 2, 1), (1, 2, 2)], [(2, 1, 3), (1, 3, 1), (2, 2, 2)])
    rng = np.random.default_rng(3)
    fs = [rng.integers(-5, 6, size=s) for s in net.filter_shapes]
    expanded = sympy.expand(binary_form_product(fs, net.strides))
    w = from_binary_form(expanded, net.end_to_end_shape)
    assert net.end_to_end_shape == (2 + 1 * 2 + 0, 1 + 1 * 1 + 1 * 3, 3 + 0 + 1 * 3)
    assert np.array_equal(w, net.end_to_end(fs))


def test_sympy_product_of_the_running_example():
    # MATH.md §7: (u0 x^2 + u1 x y + u2 y^2)(v0 x^2 + v1 y^2)
    x, y = polynomial_variables()
    u0, u1, u2, v0, v1 = sympy.symbols("u0 u1 u2 v0 v1")
    expected = sympy.expand((u0 * x**2 + u1 * x * y + u2 * y**2) * (v0 * x**2 + v1 * y**2))
    rng = np.random.default_rng(4)
    u, v = rng.integers(-9, 10, 3), rng.integers(-9, 10, 2)
    values = dict(zip((u0, u1, u2, v0, v1), [int(t) for t in (*u, *v)], strict=True))
    got = sympy.expand(binary_form_product([u, v], [2, 1]))
    assert sympy.expand(got - expected.subs(values)) == 0


@settings(max_examples=30)  # sympy is slow; the law is simple
@given(architectures(max_layers=3, max_outputs=60), seeds, st.integers(1, 3))
def test_binary_form_product_ignores_the_last_stride(net, seed, last):
    rng = np.random.default_rng(seed)
    fs = [rng.integers(-3, 4, size=s) for s in net.filter_shapes]
    strides = list(net.strides)
    strides[-1] = last
    a = sympy.expand(binary_form_product(fs, net.strides))
    b = sympy.expand(binary_form_product(fs, strides))
    assert sympy.expand(a - b) == 0


# --------------------------------------------------------------------------- binary forms


@st.composite
def arrays_1_to_3d(draw, integer: bool = False):
    dim = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, 4)) for _ in range(dim))
    rng = np.random.default_rng(draw(seeds))
    if integer:
        return rng.integers(-4, 5, size=shape)
    return rng.standard_normal(shape) * 10.0 ** rng.integers(-5, 6, size=shape)


@given(arrays_1_to_3d(integer=True))
def test_binary_form_round_trip_integer(v):
    assert np.array_equal(from_binary_form(to_binary_form(v), v.shape), v)


@settings(max_examples=30)  # sympy is slow; the law is simple
@given(arrays_1_to_3d())
def test_binary_form_round_trip_float_is_exact(v):
    assert np.array_equal(from_binary_form(to_binary_form(v), v.shape), v)


@settings(max_examples=30)  # sympy is slow; the law is simple
@given(arrays_1_to_3d(integer=True))
def test_form_to_array_to_form(v):
    expr = to_binary_form(v)
    assert sympy.expand(to_binary_form(from_binary_form(expr, v.shape)) - expr) == 0


@settings(max_examples=30)  # sympy is slow; the law is simple
@given(arrays_1_to_3d(integer=True))
def test_coefficient_order(v):
    # v[i_1, ..., i_D] multiplies prod_d x_d^(k_d - 1 - i_d) y_d^(i_d)
    xs = polynomial_variables(v.ndim)
    poly = sympy.Poly(to_binary_form(v), *xs)
    for idx in np.ndindex(v.shape):
        monom = []
        for d, i in enumerate(idx):
            monom += [v.shape[d] - 1 - i, i]
        assert poly.coeff_monomial(tuple(monom)) == int(v[idx])


def test_coefficient_order_1d_by_hand():
    x, y = polynomial_variables()
    assert sympy.expand(to_binary_form([5, -2, 7]) - (5 * x**2 - 2 * x * y + 7 * y**2)) == 0


@settings(max_examples=30)  # sympy is slow; the law is simple
@given(arrays_1_to_3d(integer=True), st.integers(1, 3))
def test_stride_substitutes_powers(v, s):
    xs = polynomial_variables(v.ndim)
    substituted = to_binary_form(v).subs({t: t**s for t in xs}, simultaneous=True)
    assert sympy.expand(to_binary_form(v, s) - substituted) == 0
    # and the substituted form is the form of the dilated filter
    assert sympy.expand(to_binary_form(dilate(v, s)) - substituted) == 0


def test_custom_variables():
    a, b = sympy.symbols("a b")
    expr = to_binary_form([1, 2], variables=(a, b))
    assert sympy.expand(expr - (a + 2 * b)) == 0
    assert from_binary_form(expr, 2, variables=(a, b)).tolist() == [1.0, 2.0]


def test_zero_form_round_trip():
    assert to_binary_form([0, 0, 0]) == 0
    assert from_binary_form(sympy.Integer(0), 3).tolist() == [0.0, 0.0, 0.0]
    assert from_binary_form(to_binary_form(np.zeros((2, 3))), (2, 3)).shape == (2, 3)


def test_from_binary_form_accepts_array_shape():
    v = np.arange(6).reshape(2, 3)
    assert np.array_equal(from_binary_form(to_binary_form(v), np.array([2, 3])), v)


def test_polynomial_variables():
    assert [str(s) for s in polynomial_variables()] == ["x", "y"]
    assert [str(s) for s in polynomial_variables(3)] == ["x_1", "y_1", "x_2", "y_2", "x_3", "y_3"]


# --------------------------------------------------------------------------- dilate, multiply


@given(arrays_1_to_3d(), st.data())
def test_dilate_matches_definition(v, data):
    s = tuple(data.draw(st.integers(1, 3)) for _ in range(v.ndim))
    out = dilate(v, s if v.ndim > 1 else s[0])
    assert out.shape == tuple((k - 1) * sd + 1 for k, sd in zip(v.shape, s, strict=True))
    for idx in np.ndindex(out.shape):
        if all(i % sd == 0 for i, sd in zip(idx, s, strict=True)):
            assert out[idx] == v[tuple(i // sd for i, sd in zip(idx, s, strict=True))]
        else:
            assert out[idx] == 0


def test_dilate_by_one_is_a_copy():
    v = np.array([1.0, 2.0])
    out = dilate(v, 1)
    out[0] = 9.0
    assert v.tolist() == [1.0, 2.0]


@settings(max_examples=30)  # sympy is slow; the law is simple
@given(arrays_1_to_3d(integer=True), seeds)
def test_multiply_matches_double_loop(a, seed):
    rng = np.random.default_rng(seed)
    b = rng.integers(-4, 5, size=tuple(int(k) for k in rng.integers(1, 4, size=a.ndim)))
    out = multiply(a, b)
    expected = np.zeros(tuple(p + q - 1 for p, q in zip(a.shape, b.shape, strict=True)))
    for i, j in itertools.product(np.ndindex(a.shape), np.ndindex(b.shape)):
        expected[tuple(p + q for p, q in zip(i, j, strict=True))] += a[i] * b[j]
    assert np.array_equal(out, expected)
    # the product of forms
    prod = sympy.expand(to_binary_form(a) * to_binary_form(b))
    assert np.array_equal(from_binary_form(prod, expected.shape), expected)


def test_multiply_example_difference_of_squares():
    assert multiply([1, 1], [1, -1]).tolist() == [1.0, 0.0, -1.0]


# --------------------------------------------------------------------------- errors


def test_from_binary_form_rejects_forms_of_other_shapes():
    x, y = polynomial_variables()
    with pytest.raises(ValueError, match=r"expr is not a form of shape \(3,\)"):
        from_binary_form(x**3 + y**3, 3)
    with pytest.raises(ValueError, match="expr is not a form of shape"):
        from_binary_form(x**2 + y, 3)  # not homogeneous


def test_to_binary_form_rejects_wrong_variable_count():
    with pytest.raises(ValueError, match="variables must hold 4 symbols"):
        to_binary_form([[1, 2]], variables=sympy.symbols("a b"))


def test_binary_form_product_errors():
    with pytest.raises(ValueError, match="filters must hold at least one filter"):
        binary_form_product([], [])
    with pytest.raises(ValueError, match="strides must have one entry per layer: got 1 strides"):
        binary_form_product([[1, 2], [1, 2]], [1])
    with pytest.raises(ValueError, match=r"filters\[1\] must have 1 axes like filters\[0\]"):
        binary_form_product([[1, 2], [[1, 2]]], [1, 1])
    with pytest.raises(TypeError, match="strides must be a sequence"):
        binary_form_product([[1, 2]], 2)
    with pytest.raises(ValueError, match=r"strides\[0\] must be a positive integer"):
        binary_form_product([[1, 2]], [0])


def test_multiply_rejects_different_axes():
    with pytest.raises(ValueError, match="a and b must have the same number of axes: got 1 and 2"):
        multiply([1, 2], [[1, 2]])
