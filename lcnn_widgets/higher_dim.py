"""Convolutions over D >= 2 axes (Sec. 3): exact factorization, layer swaps, fibers up to swaps.

A filter of shape ``(k_1, ..., k_D)`` is a form in the pairs ``(x_d, y_d)``; ``P_w`` is the
product of the layer forms at ``x_d^{S_d}, y_d^{S_d}``, ``S = S_{l-1}`` (Lemma 9). For D >= 2
generic forms are irreducible, so the layers can be read off the factorization (Cor. 10):

* :func:`factor_end_to_end`: exact factorization (``sympy.factor_list``), factors to layers;
* :func:`swap_layers`, :func:`swap_permutation`: layers with equal accumulated strides commute
  (Obs. 11) and ``Theta`` does not change;
* :func:`swap_orbit`, :func:`count_up_to_swaps`: fiber points up to swaps and signs (Thm 13);
  rescaling (Prop. 12) is :meth:`lcnn_widgets.LCN.rescale`.

>>> from lcnn_widgets import LCN
>>> net = LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
>>> fs = [[[1, 2], [3, -1]], [[2, 0], [1, 1]]]
>>> fac = factor_end_to_end(net, net.end_to_end(fs))
>>> len(fac), [f.astype(int).tolist() for f in fac.filters]
(1, [[[1, 2], [3, -1]], [[2, 0], [1, 1]]])
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy
from numpy.typing import ArrayLike

from ._validation import (
    as_generator,
    as_int_in_range,
    as_network,
    as_positive_int,
    as_rational_array,
    as_real,
    as_sequence,
    finite_result,
)
from .fibers import rescale, sign_variants
from .lcn import LCN, invariants, join, pi, split
from .polynomials import from_binary_form, polynomial_variables, to_binary_form

__all__ = [
    "ExactFactorization",
    "count_up_to_swaps",
    "factor_end_to_end",
    "irreducible_layers",
    "random_integer_filters",
    "swap_layers",
    "swap_orbit",
    "swap_permutation",
    "swappable_pairs",
]

#: integers above this are not exactly representable as floats (to_binary_form uses floats)
_EXACT_INT = 2**53


# ----------------------------------------------------------------------------- exact factoring
@dataclass(frozen=True, eq=False)
class ExactFactorization:
    """The exact factorization of an end-to-end filter and every way to split it into layers.

    Attributes
    ----------
    w : ndarray of shape end_to_end_shape
        The end-to-end filter (as floats).
    constant : fractions.Fraction
        The content: ``P_w = constant * prod_i f_i^{m_i}`` with primitive integer ``f_i``.
    factors : tuple of (sympy.Expr, int)
        The irreducible factors ``f_i`` over Q with multiplicities ``m_i``.
    multidegrees : tuple of tuple of int
        ``multidegrees[i][d]``: degree of ``f_i`` in the pair ``(x_d, y_d)``.
    assignments : tuple of tuple of tuple of int
        ``assignments[s][l][i]``: copies of ``f_i`` that layer ``l`` receives in solution ``s``.
    solutions : tuple of tuple of ndarray
        One filter tuple per assignment with ``pi = w``; ``constant`` sits in layer 1.
    residuals : tuple of float
        ``||pi(solution) - w|| / ||w||`` for every solution (rounding only).
    """

    w: np.ndarray
    constant: Fraction
    factors: tuple[tuple[sympy.Expr, int], ...]
    multidegrees: tuple[tuple[int, ...], ...]
    assignments: tuple[tuple[tuple[int, ...], ...], ...]
    solutions: tuple[tuple[np.ndarray, ...], ...]
    residuals: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.solutions)

    @property
    def filters(self) -> tuple[np.ndarray, ...]:
        """The first solution (the only one when the factorization is unique)."""
        return self.solutions[0]

    @property
    def max_residual(self) -> float:
        """The largest relative residual over the solutions."""
        return max(self.residuals)

    def layer_forms(self, *, solution: int = 0) -> tuple[sympy.Expr, ...]:
        """The layer forms ``P_{w_l}`` (before substituting the strides) of one solution."""
        return tuple(to_binary_form(f) for f in self.solutions[solution])


def _multidegree(f: sympy.Expr, xs: Sequence[sympy.Symbol], dim: int) -> tuple[int, ...]:
    monom = sympy.Poly(f, *xs).monoms()[0]
    return tuple(monom[2 * d] + monom[2 * d + 1] for d in range(dim))


def _integer_array(name: str, frac: np.ndarray) -> tuple[np.ndarray, int]:
    """Clear denominators: ``frac = ints / den`` with ``ints`` exact as floats."""
    den = math.lcm(*(int(q.denominator) for q in frac.ravel()))
    ints = np.array([int(q * den) for q in frac.ravel()], dtype=object).reshape(frac.shape)
    if max(abs(int(v)) for v in ints.ravel()) >= _EXACT_INT:
        raise ValueError(
            f"{name} is too large for exact factorization: after clearing denominators its "
            f"entries must stay below 2**53 in absolute value"
        )
    return ints.astype(float), den


def compositions(m: int, parts: int):
    """All tuples of ``parts`` non-negative integers with sum ``m``."""
    if parts == 1:
        yield (m,)
        return
    for first in range(m + 1):
        for tail in compositions(m - first, parts - 1):
            yield (first, *tail)


@functools.lru_cache(maxsize=512)
def _form_factors(ints: bytes, shape: tuple[int, ...], acc: tuple[int, ...]) -> tuple:
    """``sympy.factor_list`` of the form of the integer filter ``ints`` at ``x^acc, y^acc``."""
    xs = polynomial_variables(len(shape))
    form = to_binary_form(np.frombuffer(ints).reshape(shape), acc, variables=xs)
    const, flist = sympy.factor_list(form, *xs)
    return const, tuple((sympy.sympify(f), int(m)) for f, m in flist)


def _layer_factors(net: LCN, filters: Sequence[ArrayLike], name: str = "filters") -> list[tuple]:
    """Per layer: the integer filter and the factor list of ``P_{w_l}(x^S, y^S)``, S = S_{l-1}."""
    filters = as_sequence(filters, name, "arrays (one per layer)")
    if len(filters) != net.n_layers:
        raise ValueError(
            f"{name} must have one filter per layer: got {len(filters)} filters for "
            f"{net.n_layers} layers"
        )
    out = []
    for l, (f, shp, acc) in enumerate(zip(filters, net.filter_shapes, _acc(net), strict=True)):
        frac = as_rational_array(f, f"{name}[{l}]")
        if frac.shape != shp and not (len(shp) == 1 and frac.shape == (shp[0],)):
            raise ValueError(f"{name}[{l}] must have shape {shp}: got shape {frac.shape}")
        ints, _ = _integer_array(f"{name}[{l}]", frac.reshape(shp))
        out.append((ints, _form_factors(ints.tobytes(), shp, acc)))
    return out


def _factors_from_layers(net: LCN, layers: Sequence[ArrayLike], ints: np.ndarray) -> tuple:
    """``factor_list`` of ``P_w`` from integer layers with irreducible forms and product ``w``.

    By unique factorization the irreducible factors of ``P_w`` are the layer forms; they are
    merged and ordered as ``sympy.factor_list`` orders them, so the result is the same.
    """
    per_layer = _layer_factors(net, layers, "layers")
    bad = [l for l, (_, (_, fl)) in enumerate(per_layer) if sum(m for _, m in fl) != 1]
    if bad:
        raise ValueError(f"layers must have forms irreducible over Q: layers {bad} factor")
    if not np.array_equal(pi(net, join([f for f, _ in per_layer])).ravel(), ints.ravel()):
        raise ValueError("layers must be integer filters whose end-to-end filter is w")
    const, merged = sympy.Integer(1), dict[sympy.Expr, int]()
    for _, (c, ((f, _),)) in per_layer:
        const *= c
        merged[f] = merged.get(f, 0) + 1
    xs = polynomial_variables(net.dim)

    def key(item: tuple) -> tuple:  # the order of sympy.factor_list (sympy's _sorted_factors)
        poly = sympy.Poly(item[0], *xs)
        rep = poly.rep.to_list()
        return (len(rep), len(poly.gens), item[1], str(poly.domain), rep)

    return const, sorted(merged.items(), key=key)


@finite_result
def factor_end_to_end(
    net: LCN, w: ArrayLike, *, layers: Sequence[ArrayLike] | None = None
) -> ExactFactorization:
    """Factor an integer or rational end-to-end filter exactly and split it into layers.

    Parameters
    ----------
    net : LCN
        The architecture (any dimension; D >= 2 is the case of Cor. 10).
    w : array_like of shape end_to_end_size
        A nonzero filter with integer entries, or ``fractions.Fraction`` / sympy Rationals.
    layers : sequence of array_like, optional
        Integer filters with ``pi(layers) = w`` whose forms are irreducible over Q (see
        :func:`irreducible_layers`). Then the factors of ``P_w`` are the layer forms (unique
        factorization), and only these small forms are factored: the same result, faster.

    Returns
    -------
    ExactFactorization
        Every assignment of the irreducible factors to layers that respects the layers'
        multi-degrees and sparsity patterns: one for generic layers in D >= 2 (Cor. 10).

    Raises
    ------
    ValueError
        Also when ``w`` has no factorization into layers with rational coefficients.

    Notes
    -----
    Lemma 9, Cor. 10: ``sympy.factor_list`` factors ``P_w``; layer ``l`` receives factors of total
    multi-degree ``((k_{l,d} - 1) S_{l-1,d})_d`` whose product is a polynomial in ``x^S, y^S``.
    In 1D this finds the rational factorizations only (:func:`lcnn_widgets.fibers.fibers`: all).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (2, 2)], [(1, 1), (1, 1)])     # stride one: the layers may swap
    >>> len(factor_end_to_end(net, net.end_to_end([[[1, 2], [3, -1]], [[2, 0], [1, 1]]])))
    2
    """
    as_network(net, "net", needs=("filter_shapes",))
    frac = as_rational_array(w, "w")
    shape = net.end_to_end_shape
    if frac.shape != shape:
        expected = shape[0] if net.is_1d else shape
        got = frac.shape[0] if (net.is_1d and frac.ndim == 1) else frac.shape
        raise ValueError(f"w must have the end-to-end shape {expected} of {net!r}: got {got}")
    if all(q == 0 for q in frac.ravel()):
        raise ValueError("w = 0: every tuple with a zero filter maps to 0, nothing to factor")
    ints, den = _integer_array("w", frac)
    xs = polynomial_variables(net.dim)
    if layers is None:
        const, flist = sympy.factor_list(to_binary_form(ints, variables=xs), *xs)
    else:
        const, flist = _factors_from_layers(net, layers, ints)
    factors = tuple((sympy.sympify(f), int(m)) for f, m in flist)
    degs = tuple(_multidegree(f, xs, net.dim) for f, _ in factors)
    accs = _acc(net)
    targets = [
        tuple((k - 1) * s for k, s in zip(shp, acc, strict=True))
        for shp, acc in zip(net.filter_shapes, accs, strict=True)
    ]
    L = net.n_layers
    c_total = Fraction(int(sympy.Rational(const).p), int(sympy.Rational(const).q)) / den
    solutions, assignments = [], []

    def finish(counts: list[list[int]]) -> None:
        layers = []
        for l in range(L):
            prod = sympy.Mul(*[factors[i][0] ** c for i, c in enumerate(counts[l]) if c])
            acc, shp = accs[l], net.filter_shapes[l]
            dil_shape = tuple((k - 1) * s + 1 for k, s in zip(shp, acc, strict=True))
            arr = from_binary_form(prod, dil_shape, variables=xs)
            lattice = tuple(slice(None, None, s) for s in acc)
            layer = arr[lattice].copy()
            arr[lattice] = 0.0
            if np.any(arr):  # a monomial off the lattice: not a polynomial in x^S, y^S
                return
            layers.append(layer)
        layers[0] = float(c_total) * layers[0]
        solutions.append(tuple(layers))
        assignments.append(tuple(tuple(row) for row in counts))

    def rec(i: int, caps: list[tuple[int, ...]], counts: list[list[int]]) -> None:
        if i == len(factors):
            if all(not any(cap) for cap in caps):
                finish(counts)
            return
        m, g = factors[i][1], degs[i]
        for parts in compositions(m, L):
            new = [
                tuple(c - a * gd for c, gd in zip(cap, g, strict=True))
                for cap, a in zip(caps, parts, strict=True)
            ]
            if all(min(cap) >= 0 for cap in new):
                rec(i + 1, new, [[*row, a] for row, a in zip(counts, parts, strict=True)])

    rec(0, targets, [[] for _ in range(L)])
    if not solutions:
        raise ValueError(
            f"w has no factorization into layers of {net!r} with rational coefficients: its "
            f"irreducible factors over Q have multi-degrees {list(degs)}, the layers need "
            f"{targets} with monomials in x^S, y^S for S = {accs}"
        )
    wf = ints / den
    norm = float(np.linalg.norm(wf))
    residuals = tuple(float(np.linalg.norm(pi(net, join(s)) - wf)) / norm for s in solutions)
    return ExactFactorization(
        w=wf.reshape(shape),
        constant=c_total,
        factors=factors,
        multidegrees=degs,
        assignments=tuple(assignments),
        solutions=tuple(solutions),
        residuals=residuals,
    )


def irreducible_layers(net: LCN, filters: Sequence[ArrayLike]) -> tuple[bool, ...]:
    """Whether each layer's form ``P_{w_l}(x^{S_{l-1}}, y^{S_{l-1}})`` is irreducible over Q.

    Parameters
    ----------
    net : LCN
    filters : sequence of array_like
        Integer or rational filters (see :func:`factor_end_to_end`), layer 1 first.

    Returns
    -------
    tuple of bool
        ``True`` when ``sympy.factor_list`` finds one irreducible factor of multiplicity one.

    Notes
    -----
    Cor. 10: true for generic filters with at least two sizes > 1; when false (a 2 x 2 filter
    with determinant 0), factors can move between layers and ``w`` may factor in several ways.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
    >>> irreducible_layers(net, [[[1, 2], [3, 4]], [[1, 2], [2, 4]]])   # det 0: x-part * y-part
    (True, False)
    """
    as_network(net, "net", needs=("filter_shapes",))
    return tuple(sum(m for _, m in fl) == 1 for _, (_, fl) in _layer_factors(net, filters))


def random_integer_filters(
    net: LCN, rng: np.random.Generator, *, high: int = 3
) -> list[np.ndarray]:
    """Filters with i.i.d. integer entries uniform in ``{-high, ..., high}``, none all zero.

    Returns integer-valued float arrays of shapes ``net.filter_shapes``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> fs = random_integer_filters(LCN([(2, 2), (3, 2)], [2, 1]), np.random.default_rng(0))
    >>> [f.shape for f in fs], all(np.all(f == np.round(f)) for f in fs)
    ([(2, 2), (3, 2)], True)
    """
    as_network(net, "net", needs=("filter_shapes",))
    as_generator(rng)
    high = as_positive_int(high, "high")
    out = []
    for shp in net.filter_shapes:
        f = np.zeros(shp)
        while not np.any(f):  # redraw an all-zero filter
            f = rng.integers(-high, high + 1, size=shp).astype(float)
        out.append(f)
    return out


# ----------------------------------------------------------------------------- swaps
def _positions(net: LCN, i: int, j: int) -> tuple[int, int]:
    L = net.n_layers
    a = as_int_in_range(i, "i", 0, L - 1)
    b = as_int_in_range(j, "j", 0, L - 1)
    if a == b:
        raise ValueError(f"i and j must be two different layer positions: got i = j = {a}")
    return min(a, b), max(a, b)


def _acc(net: LCN) -> list[tuple[int, ...]]:
    return [tuple(a) if not net.is_1d else (a,) for a in net.accumulated_strides]


def swappable_pairs(net: LCN) -> list[tuple[int, int]]:
    """All position pairs ``(i, j)``, ``i < j``, whose layers may be swapped (Obs. 11).

    Positions are 0-based in ``filters``; the pairs have equal accumulated strides ``S_i = S_j``
    (all strides of the layers ``i, ..., j - 1`` are one).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> swappable_pairs(LCN([(2, 2), (2, 3), (3, 2)], [(1, 1), (2, 1), (1, 1)]))
    [(0, 1)]
    """
    as_network(net, "net", needs=("filter_shapes",))
    acc = _acc(net)
    return [(i, j) for i, j in itertools.combinations(range(net.n_layers), 2) if acc[i] == acc[j]]


def swap_layers(
    net: LCN, filters: Sequence[ArrayLike], i: int, j: int
) -> tuple[LCN, list[np.ndarray]]:
    """Exchange the layers at positions ``i`` and ``j`` without changing the end-to-end filter.

    Parameters
    ----------
    net : LCN
    filters : sequence of array_like
        One filter per layer, layer 1 first.
    i, j : int
        Different 0-based positions in ``filters``; all strides of the layers between them must
        be one (ValueError otherwise).

    Returns
    -------
    new_net : LCN
        The same strides, with the filter sizes at ``i`` and ``j`` exchanged.
    new_filters : list of ndarray
        Copies of the filters with ``i`` and ``j`` exchanged (same end-to-end filter).

    Notes
    -----
    Obs. 11: with ``S_{i-1} = S_{j-1}`` both layer forms are in the same variables and commute.
    The parameters are permuted (:func:`swap_permutation`), so ``Theta = J J^T`` is unchanged.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (3, 2)], [(1, 1), (2, 2)])
    >>> new_net, new_fs = swap_layers(net, net.random_filters(np.random.default_rng(0)), 0, 1)
    >>> new_net
    LCN(filter_sizes=[(3, 2), (2, 2)], strides=[(1, 1), (2, 2)])
    """
    as_network(net, "net", needs=("filter_shapes",))
    a, b = _positions(net, i, j)
    fs = net.check_filters(filters)
    acc = _acc(net)
    if acc[a] != acc[b]:
        between = net.strides[a:b]
        raise ValueError(
            f"layers at positions {a} and {b} cannot be swapped: all strides in between "
            f"(of the layers at positions {a}..{b - 1}) must be one, got {between}; the "
            f"accumulated strides {acc[a]} and {acc[b]} differ, so the two layer forms are in "
            "different variables"
        )
    sizes = list(net.filter_sizes)
    sizes[a], sizes[b] = sizes[b], sizes[a]
    new = [f.copy() for f in fs]
    new[a], new[b] = new[b], new[a]
    return LCN(sizes, net.strides), new


def swap_permutation(net: LCN, i: int, j: int) -> np.ndarray:
    """The index permutation of ``theta`` performed by :func:`swap_layers`.

    ``i, j`` as in :func:`swap_layers` (no stride condition is checked here). Returns ``perm``,
    ndarray of int of shape (n_params,), with ``new_net.flatten(new_filters) ==
    net.flatten(filters)[perm]``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> swap_permutation(LCN([2, 3], [1, 1]), 0, 1)
    array([2, 3, 4, 0, 1])
    """
    as_network(net, "net", needs=("filter_shapes",))
    a, b = _positions(net, i, j)
    offs = np.cumsum([0, *(int(np.prod(s)) for s in net.filter_shapes)])
    order = list(range(net.n_layers))
    order[a], order[b] = order[b], order[a]
    return np.concatenate([np.arange(offs[l], offs[l + 1]) for l in order])


def swap_orbit(net: LCN, filters: Sequence[ArrayLike]) -> list[tuple[np.ndarray, ...]]:
    """Every rearrangement of the layers that keeps both the architecture and ``pi``.

    Returns the original tuple first, then every distinct permutation of equal-shaped layers
    inside each run of equal accumulated strides (repeated swaps of Obs. 11). The layer norms
    are permuted, so the invariants may change (:meth:`LCN.rescale` moves them back).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (2, 2)], [1, 1])
    >>> len(swap_orbit(net, [np.eye(2), np.ones((2, 2))]))
    2
    """
    as_network(net, "net", needs=("filter_shapes",))
    fs, sh = net.check_filters(filters), net.filter_shapes
    per_run = [  # the permutations of each run that map every layer to one of the same shape
        [p for p in itertools.permutations(run) if [sh[a] for a in p] == [sh[a] for a in run]]
        for run in net.stride_runs
    ]
    return [tuple(fs[l].copy() for part in c for l in part) for c in itertools.product(*per_run)]


def count_up_to_swaps(
    net: LCN, points: Sequence[Sequence[ArrayLike]], *, rtol: float = 1e-6
) -> int:
    """The number of distinct points up to layer swaps (Obs. 11), rescaling and sign flips.

    Parameters
    ----------
    net : LCN
    points : sequence of filter tuples
        Nonzero filters, for example ``fiber.filters`` of a :class:`~lcnn_widgets.fibers.Fiber`.
    rtol : float, default=1e-6
        Two tuples are equal when their difference is at most ``rtol`` times the larger norm.

    Returns
    -------
    int
        The number of classes: each point is compared with the :func:`swap_orbit` of earlier
        representatives, rescaled to its invariants (Prop. 12), and their sign variants.

    Notes
    -----
    Cor. 10 predicts one class for a generic fiber in D >= 2. A swap keeps ``Theta`` but rescaling
    back to ``delta`` does not: one class need not mean one NTK when ``delta != 0``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (2, 2)], [1, 1])
    >>> a, b = np.eye(2), np.ones((2, 2)) / np.sqrt(2)   # equal norms: balanced
    >>> count_up_to_swaps(net, [(a, b), (-b, -a), (a, 2 * b)])
    2
    """
    as_network(net, "net", needs=("filter_shapes",))
    rtol = as_real(rtol, "rtol", positive=True)
    reps: list[list[np.ndarray]] = []
    for p in as_sequence(points, "points", "filter tuples"):
        v0 = net.check_theta(p)
        delta = invariants(net, v0)
        if not any(
            np.linalg.norm(join(v) - v0) <= rtol * max(np.linalg.norm(join(v)), np.linalg.norm(v0))
            for r in reps
            for s in swap_orbit(net, r)
            for v in sign_variants(rescale(net, s, delta))
        ):
            reps.append(split(net, v0))
    return len(reps)
