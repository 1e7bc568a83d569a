"""Filters as (sparse) polynomials: dilation, products and binary forms.

Coefficient order
-----------------
A 1D filter ``v`` of length ``k`` is the binary form of degree ``k - 1``

    P_v(x, y) = sum_i v[i] * x**(k-1-i) * y**i,

so ``v[i]`` multiplies ``x^(k-1-i) y^i`` (equivalently, ``v[i]`` is the coefficient of ``t^i``
in the dehomogenized polynomial ``p_v(t) = P_v(1, t)``). A D-dimensional filter of shape
``(k_1, ..., k_D)`` is the multi-homogeneous form in the pairs ``(x_d, y_d)``, where
``v[i_1, ..., i_D]`` multiplies ``prod_d x_d^(k_d-1-i_d) y_d^(i_d)``.

>>> import sympy
>>> to_binary_form([1, 2, 3])
x**2 + 2*x*y + 3*y**2
>>> to_binary_form([1, 2], stride=2)
x**2 + 2*y**2

Composing layers multiplies these forms, layer ``l`` at ``x^S, y^S`` with ``S = S_{l-1}`` the
product of the earlier strides (eq. 8, Lemma 9): full convolution with dilated filters.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from functools import reduce
from typing import Any

import numpy as np
import sympy
from numpy.typing import ArrayLike

from ._validation import (
    as_coefficients,
    as_finite_array,
    as_positive_int,
    as_sequence,
    as_stride,
    finite_result,
)

__all__ = [
    "binary_form_latex",
    "binary_form_product",
    "convolution_matrix",
    "dilate",
    "from_binary_form",
    "multiply",
    "polynomial_variables",
    "to_binary_form",
]


def dilate(v: ArrayLike, stride: int | Sequence[int]) -> np.ndarray:
    """Insert ``stride - 1`` zeros between neighbouring entries of a filter (eq. 8, Lemma 9).

    ``v``: array_like of shape (k,) or (k_1, ..., k_D); ``stride``: int (every axis) or tuple of
    int. Returns ``out`` of shape ``(k_d - 1) s_d + 1`` per axis, ``out[i * s] = v[i]`` and zero
    elsewhere: the coefficients of ``P_v(x^s, y^s)``.

    Examples
    --------
    >>> dilate([1, 2, 3], 2)
    array([1., 0., 2., 0., 3.])
    """
    arr = as_coefficients(v, "v")
    return np.array(dilated(arr, as_stride(stride, arr.ndim)))


@finite_result
def multiply(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Multiply two filters as polynomials: full discrete convolution (eq. 8, Lemma 9).

    ``a, b``: array_like with the same number of axes. Returns ``P_a P_b``, of shape
    ``k_d + m_d - 1`` per axis: ``out[n] = sum_i a[i] b[n - i]`` (direct sums, exact for integers).

    Examples
    --------
    >>> multiply([1, 1], [1, -1])   # (x + y)(x - y) = x^2 - y^2
    array([ 1.,  0., -1.])
    """
    a = as_finite_array(a, "a")
    b = as_finite_array(b, "b")
    if a.ndim != b.ndim:
        raise ValueError(f"a and b must have the same number of axes: got {a.ndim} and {b.ndim}")
    return _multiply(a, b)


def _multiply(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unchecked full convolution (exact direct sums, no FFT)."""
    if a.ndim == 1:
        return np.convolve(a, b)
    from scipy import signal  # imported here: scipy.signal takes longer to load than the rest

    return signal.convolve(a, b, mode="full", method="direct")


def dilated(v: np.ndarray, st: tuple[int, ...]) -> np.ndarray:
    """Kernel of :func:`dilate` (no checking): ``v`` a float array, ``st`` one stride per axis."""
    if all(s == 1 for s in st):
        return v
    shape = tuple((k - 1) * s + 1 for k, s in zip(v.shape, st, strict=True))
    out = np.zeros(shape)
    out[tuple(slice(None, None, s) for s in st)] = v
    return out


def product(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Kernel of :func:`multiply` (no checking): the product of several float arrays."""
    return reduce(_multiply, arrays)


def polynomial_variables(dim: int = 1) -> tuple[sympy.Symbol, ...]:
    """The sympy variables of the forms: ``(x, y)`` if ``dim == 1``, else ``(x_1, y_1, ..., y_D)``.

    Examples
    --------
    >>> polynomial_variables(2)
    (x_1, y_1, x_2, y_2)
    """
    dim = as_positive_int(dim, "dim")
    return sympy.symbols("x y" if dim == 1 else " ".join(f"x_{d} y_{d}" for d in range(1, dim + 1)))


def _sympy_number(value: Any) -> sympy.Expr:
    """Integers stay exact; other numbers become sympy Floats."""
    fval = float(value)
    return sympy.Integer(int(fval)) if fval.is_integer() else sympy.Float(fval)


def to_binary_form(
    v: ArrayLike,
    stride: int | Sequence[int] = 1,
    *,
    variables: Sequence[sympy.Symbol] | None = None,
) -> sympy.Expr:
    """The binary form of a filter at ``x^stride, y^stride``: a factor of eq. (8) / Lemma 9.

    ``v``: array_like of shape (k,) or (k_1, ..., k_D) (integer entries stay exact);
    ``stride``: the accumulated stride ``S_{l-1}`` substituted into the form; ``variables``: ``2 D``
    symbols, default :func:`polynomial_variables`. Returns ``sum_i v[i] x^((k-1-i) s) y^(i s)``
    (and its multi-homogeneous analogue).

    Examples
    --------
    >>> to_binary_form([[1, 2], [3, 4]])
    x_1*x_2 + 2*x_1*y_2 + 3*x_2*y_1 + 4*y_1*y_2
    """
    arr = as_coefficients(v, "v")
    st = as_stride(stride, arr.ndim)
    xs = polynomial_variables(arr.ndim) if variables is None else tuple(variables)
    if len(xs) != 2 * arr.ndim:
        raise ValueError(
            f"variables must hold {2 * arr.ndim} symbols for a {arr.ndim}-dim filter: got {len(xs)}"
        )
    terms = []
    for idx, c in np.ndenumerate(arr):
        if c != 0:
            mono = sympy.Integer(1)
            for d, (i, k, s) in enumerate(zip(idx, arr.shape, st, strict=True)):
                mono *= xs[2 * d] ** ((k - 1 - i) * s) * xs[2 * d + 1] ** (i * s)
            terms.append(_sympy_number(c) * mono)
    return sympy.Add(*terms)


@finite_result
def from_binary_form(
    expr: sympy.Expr, shape: int | Sequence[int], *, variables: Sequence[sympy.Symbol] | None = None
) -> np.ndarray:
    """Read the coefficient array of a (multi-)homogeneous form: inverse of :func:`to_binary_form`.

    ``expr``: a form of degree ``k_d - 1`` in each pair ``(x_d, y_d)``; ``shape``: the filter shape,
    int or tuple; ``variables`` as in :func:`to_binary_form`. Returns an ndarray of shape ``shape``,
    the coefficient of ``x^(k-1-i) y^i`` in ``out[i]`` (ValueError for a monomial off the shape).

    Examples
    --------
    >>> x, y = polynomial_variables()
    >>> from_binary_form((x + y) * (x - 2 * y), 3)
    array([ 1., -1., -2.])
    """
    seq = isinstance(shape, (Sequence, np.ndarray)) and not isinstance(shape, (str, bytes))
    shp = as_stride(shape, len(shape) if seq and not isinstance(shape, int) else 1, "shape")
    dim = len(shp)
    xs = polynomial_variables(dim) if variables is None else tuple(variables)
    if isinstance(expr, (bool, np.bool_)) or not isinstance(expr, (sympy.Basic, numbers.Number)):
        raise TypeError(f"expr must be a sympy expression (a binary form): got {expr!r:.60}")
    expr = sympy.sympify(expr)
    if expr.has(sympy.nan, sympy.oo, -sympy.oo, sympy.zoo):
        raise ValueError(f"expr must have finite coefficients: got {expr}")
    poly = sympy.Poly(sympy.expand(expr), *xs)
    out = np.zeros(shp)
    for monom, coeff in poly.terms():
        if coeff == 0:  # the zero form has the single term 0 * 1, whatever the shape
            continue
        for d in range(dim):
            if monom[2 * d] + monom[2 * d + 1] != shp[d] - 1:
                raise ValueError(
                    f"expr is not a form of shape {shp}: monomial exponents {monom} do not "
                    f"have degree {shp[d] - 1} in axis {d + 1}"
                )
        out[monom[1::2]] = float(coeff)  # the powers of y_1, ..., y_D
    return out


def binary_form_product(
    filters: Sequence[ArrayLike], strides: Sequence[int | Sequence[int]]
) -> sympy.Expr:
    """The product of the layer forms, layer ``l`` at ``x^{S_{l-1}}, y^{S_{l-1}}`` (eq. 8; Lemma 9).

    ``filters``: layer 1 first, all with the same number of axes; ``strides``: one per layer (int
    or tuple; only the accumulated ``S_{l-1}`` enter). Returns the unexpanded product
    ``P_{w_1}(x, y) P_{w_2}(x^{S_1}, y^{S_1}) ...``; expanded, its coefficients are ``pi(theta)``.

    Examples
    --------
    >>> sympy.expand(binary_form_product([[1, 1, 1], [1, 2]], [2, 1]))
    x**4 + x**3*y + 3*x**2*y**2 + 2*x*y**3 + 2*y**4
    """
    arrays = [
        as_finite_array(f, f"filters[{i}]")
        for i, f in enumerate(as_sequence(filters, "filters", "filters (one per layer)"))
    ]
    if not arrays:
        raise ValueError("filters must hold at least one filter: got an empty sequence")
    dim = arrays[0].ndim
    if isinstance(strides, (str, bytes)) or not isinstance(strides, (Sequence, np.ndarray)):
        raise TypeError(f"strides must be a sequence with one entry per layer: got {strides!r}")
    if len(strides) != len(arrays):
        raise ValueError(
            f"strides must have one entry per layer: got {len(strides)} strides "
            f"for {len(arrays)} layers"
        )
    acc = (1,) * dim
    factors = []
    for i, (arr, s) in enumerate(zip(arrays, strides, strict=True)):
        if arr.ndim != dim:
            raise ValueError(
                f"filters[{i}] must have {dim} axes like filters[0]: got shape {arr.shape}"
            )
        factors.append(to_binary_form(arr, acc))
        st = as_stride(s, dim, f"strides[{i}]")
        acc = tuple(a * b for a, b in zip(acc, st, strict=True))
    return sympy.Mul(*factors, evaluate=False)


def binary_form_latex(v: ArrayLike, stride: int = 1, *, digits: int = 2) -> str:
    """The LaTeX text of the binary form ``P_v(x^s, y^s)`` of a 1D filter, fast (no sympy).

    ``v``: array_like of shape (k,); ``stride``: the accumulated stride ``s = S_{l-1}`` (eq. 8);
    ``digits``: decimals kept (trailing zeros dropped, terms that round to zero left out). Returns
    LaTeX without dollars, as :func:`to_binary_form` prints it; ``"0"`` if all terms vanish.

    Examples
    --------
    >>> binary_form_latex([1, -0.5, 2])
    'x^{2} - 0.5 x y + 2 y^{2}'
    >>> binary_form_latex([1, 0.004, -1], stride=2)
    'x^{4} - y^{4}'
    """
    arr = as_finite_array(v, "v", ndim=1)
    (s,) = as_stride(stride, 1)
    digits = as_positive_int(digits, "digits")
    out = ""
    for i, c in enumerate(arr):
        mag = f"{abs(c):.{digits}f}".rstrip("0").rstrip(".")
        if mag != "0":
            powers = (("x", (arr.size - 1 - i) * s), ("y", i * s))
            mono = " ".join(x if e == 1 else f"{x}^{{{e}}}" for x, e in powers if e > 0)
            body = mono if (mag == "1" and mono) else f"{mag} {mono}".rstrip()
            sign = ("-", " - ") if c < 0 else ("", " + ")
            out += sign[bool(out)] + body
    return out or "0"


@finite_result
def convolution_matrix(w: ArrayLike, stride: int, n: int) -> np.ndarray:
    """The matrix of the 1D convolution with filter ``w`` and stride ``stride`` on ``R^n`` (eq. 2).

    ``w``: array_like of shape (k,); ``n >= k``: the input length. Returns an ndarray of shape
    ``((n - k) // stride + 1, n)``; row ``i`` holds ``w`` in the columns ``i s, ..., i s + k - 1``:
    ``y_i = sum_j w_j x_{i s + j}`` (no flip).

    Examples
    --------
    >>> convolution_matrix([1, 2], 2, 5)
    array([[1., 2., 0., 0., 0.],
           [0., 0., 1., 2., 0.]])
    """
    arr = as_finite_array(w, "w", ndim=1)
    (s,) = as_stride(stride, 1)
    n = as_positive_int(n, "n")
    k = arr.size
    if n < k:
        raise ValueError(f"n must be at least the filter length {k}: got n = {n}")
    out = np.zeros(((n - k) // s + 1, n))
    for i in range(out.shape[0]):
        out[i, i * s : i * s + k] = arr
    return out
