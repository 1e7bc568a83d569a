"""Convolutions over D >= 2 axes (Sec. 3): exact factorization, layer swaps, fibers up to swaps.

A D-dimensional filter of shape ``(k_1, ..., k_D)`` is a multi-homogeneous form in the pairs
``(x_d, y_d)`` (coefficient order of :mod:`lcnn_widgets.polynomials`), and the end-to-end
filter is the product of the layer forms, layer ``l`` taken at ``x_d^{S_d}, y_d^{S_d}`` with
``S = S_{l-1}`` the accumulated stride before it (Lemma 9). Unlike binary forms, a form in two
or more pairs of variables is irreducible for generic coefficients, so the layers can be read
off from the factorization of ``P_w`` (Cor. 10):

* :func:`factor_end_to_end` factors an integer (or rational) ``w`` exactly with
  ``sympy.factor_list`` and matches the irreducible factors to layers by multi-degree and by
  the sparsity pattern of each layer;
* :func:`swap_layers` exchanges two layers whose accumulated strides agree (Obs. 11); the new
  parameters are a permutation of the old ones (:func:`swap_permutation`), so ``Theta`` does
  not change;
* :func:`swap_orbit` and :func:`count_up_to_swaps` compare fiber points up to swaps and signs
  (Thm 13); rescaling (Prop. 12) is :meth:`lcnn_widgets.LCN.rescale` in every dimension.

>>> from lcnn_widgets import LCN
>>> net = LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
>>> fs = [[[1, 2], [3, -1]], [[2, 0], [1, 1]]]
>>> fac = factor_end_to_end(net, net.end_to_end(fs))
>>> len(fac), [f.astype(int).tolist() for f in fac.filters]
(1, [[[1, 2], [3, -1]], [[2, 0], [1, 1]]])
"""

from __future__ import annotations

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
        The irreducible factors ``f_i`` over the rationals with multiplicities ``m_i``
        (``sympy.factor_list``).
    multidegrees : tuple of tuple of int
        ``multidegrees[i][d]``: degree of ``f_i`` in the pair ``(x_d, y_d)``.
    assignments : tuple of tuple of tuple of int
        ``assignments[s][l][i]``: copies of ``f_i`` that layer ``l`` receives in solution ``s``.
    solutions : tuple of tuple of ndarray
        One filter tuple per assignment, layer 1 first, with ``pi = w``; the layer filters are
        the primitive integer polynomials, and ``constant`` sits in layer 1.
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


@finite_result
def factor_end_to_end(net: LCN, w: ArrayLike) -> ExactFactorization:
    """Factor an integer or rational end-to-end filter exactly and split it into layers.

    Parameters
    ----------
    net : LCN
        The architecture (any dimension; D >= 2 is the case of Cor. 10).
    w : array_like of shape end_to_end_size
        A nonzero filter with integer entries, or ``fractions.Fraction`` / sympy Rationals.

    Returns
    -------
    ExactFactorization
        Every assignment of the irreducible factors to layers that respects the layers'
        multi-degrees and sparsity patterns. For D >= 2, generic layers (each with at least two
        sizes > 1) and no two equal-shaped layers between which all strides are one, there is
        exactly one solution: the layers up to scaling (Cor. 10).

    Raises
    ------
    ValueError
        If ``w`` has the wrong shape, is zero, has non-integer float entries, or has no
        factorization into layers with rational coefficients (then it is not in the
        neuromanifold, or only with irrational layers).
    TypeError
        For entries that are not numbers.

    Notes
    -----
    Lemma 9 and Cor. 10. ``P_w`` (from :func:`lcnn_widgets.polynomials.to_binary_form`) is
    factored over the rationals by ``sympy.factor_list``. Layer ``l`` must receive factors whose
    multi-degrees add up to ``((k_{l,d} - 1) S_{l-1,d})_d``, and their product may use only
    monomials ``prod_d x_d^{a_d S_{l-1,d}} y_d^{b_d S_{l-1,d}}``; the layer filter is read from
    the product at the lattice points (``x_d^{S_d} -> x_d``, ``y_d^{S_d} -> y_d``). Factors are
    distributed by backtracking over multi-degrees, then the sparsity is checked. In 1D this
    finds the rational factorizations only; :func:`lcnn_widgets.fibers.fibers` finds all real
    ones.

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
    dim = net.dim
    xs = polynomial_variables(dim)
    const, flist = sympy.factor_list(to_binary_form(ints, variables=xs), *xs)
    factors = tuple((sympy.sympify(f), int(m)) for f, m in flist)
    degs = tuple(_multidegree(f, xs, dim) for f, _ in factors)
    accs = [tuple(a) if not net.is_1d else (a,) for a in net.accumulated_strides]
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
        ``True`` when ``sympy.factor_list`` finds one irreducible factor of multiplicity one
        (constants do not count; a constant layer gives ``False``).

    Raises
    ------
    ValueError, TypeError
        For filters of the wrong shape or with non-integer float entries.

    Notes
    -----
    Cor. 10: a form in two or more pairs of variables with generic coefficients is irreducible,
    so this is ``True`` for almost all filters with at least two sizes > 1. When it is
    ``False`` (for a 2 x 2 filter exactly when its determinant vanishes), factors can move
    between layers and the factorization of ``w`` need not be unique.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
    >>> irreducible_layers(net, [[[1, 2], [3, 4]], [[1, 2], [2, 4]]])   # det 0: x-part * y-part
    (True, False)
    """
    as_network(net, "net", needs=("filter_shapes",))
    filters = as_sequence(filters, "filters", "arrays (one per layer)")
    if len(filters) != net.n_layers:
        raise ValueError(
            f"filters must have one filter per layer: got {len(filters)} filters for "
            f"{net.n_layers} layers"
        )
    xs = polynomial_variables(net.dim)
    out = []
    for l, (f, shp, acc) in enumerate(
        zip(filters, net.filter_shapes, net.accumulated_strides, strict=True)
    ):
        frac = as_rational_array(f, f"filters[{l}]")
        if frac.shape != shp and not (len(shp) == 1 and frac.shape == (shp[0],)):
            raise ValueError(f"filters[{l}] must have shape {shp}: got shape {frac.shape}")
        ints, _ = _integer_array(f"filters[{l}]", frac.reshape(shp))
        _, flist = sympy.factor_list(to_binary_form(ints, acc, variables=xs), *xs)
        out.append(sum(int(m) for _, m in flist) == 1)
    return tuple(out)


def random_integer_filters(
    net: LCN, rng: np.random.Generator, *, high: int = 3
) -> list[np.ndarray]:
    """Filters with i.i.d. integer entries uniform in ``{-high, ..., high}``, none all zero.

    Parameters
    ----------
    net : LCN
    rng : numpy.random.Generator
    high : int, default=3
        The largest absolute value of an entry.

    Returns
    -------
    list of ndarray
        Integer-valued float arrays of shapes ``net.filter_shapes``; a filter that comes out all
        zero is drawn again.

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator`` or ``high`` is not an int.
    ValueError
        If ``high < 1``.

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
        while not np.any(f):
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

    Parameters
    ----------
    net : LCN

    Returns
    -------
    list of tuple of int
        0-based positions in ``filters`` (0 is layer 1) with equal accumulated strides
        ``S_{i} = S_{j}`` before them, i.e. all strides of the layers ``i, ..., j - 1`` are one.

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
        0-based positions in ``filters`` (0 is layer 1), different.

    Returns
    -------
    new_net : LCN
        The same strides, with the filter sizes at ``i`` and ``j`` exchanged (the same network
        when the two layers have equal sizes).
    new_filters : list of ndarray
        Copies of the filters with ``i`` and ``j`` exchanged; ``new_net.end_to_end(new_filters)
        == net.end_to_end(filters)``.

    Raises
    ------
    ValueError
        If the swap is not allowed: some stride of the layers ``min(i,j), ..., max(i,j) - 1``
        is not one along some axis (then the two layers are forms in different variables
        ``x^S``); if ``i == j`` or a position is out of range; for bad filters.
    TypeError
        If a position is not an int.

    Notes
    -----
    Obs. 11. Layer ``l`` enters ``P_w`` as ``P_{w_l}(x^{S_{l-1}}, y^{S_{l-1}})``. If all strides
    from layer ``i`` up to layer ``j - 1`` are one, then ``S_{i-1} = S_{j-1}``: both factors are
    forms in the same variables and multiplication commutes. The strides, hence every
    accumulated stride, stay as they are. The parameters are permuted
    (:func:`swap_permutation`), so ``J`` gets its blocks permuted and ``Theta = J J^T`` is
    unchanged.

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

    Parameters
    ----------
    net : LCN
    i, j : int
        As in :func:`swap_layers` (no stride condition is checked here).

    Returns
    -------
    ndarray of int, shape (n_params,)
        ``perm`` with ``new_net.flatten(new_filters) == net.flatten(filters)[perm]`` and
        ``new_net.jacobian(new_filters) == net.jacobian(filters)[:, perm]``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> swap_permutation(LCN([2, 3], [1, 1]), 0, 1)
    array([2, 3, 4, 0, 1])
    """
    as_network(net, "net", needs=("filter_shapes",))
    a, b = _positions(net, i, j)
    counts = [int(np.prod(s)) for s in net.filter_shapes]
    offs = np.concatenate([[0], np.cumsum(counts)]).astype(int)
    order = list(range(net.n_layers))
    order[a], order[b] = order[b], order[a]
    return np.concatenate([np.arange(offs[l], offs[l + 1]) for l in order])


def swap_orbit(net: LCN, filters: Sequence[ArrayLike]) -> list[tuple[np.ndarray, ...]]:
    """Every rearrangement of the layers that keeps both the architecture and ``pi``.

    Parameters
    ----------
    net : LCN
    filters : sequence of array_like
        One filter per layer.

    Returns
    -------
    list of tuple of ndarray
        The original tuple first, then every distinct permutation of layers of equal shape
        inside each run of layers with equal accumulated strides (repeated swaps of Obs. 11).
        All have the same end-to-end filter; their layer norms are permuted, so the invariants
        change unless the exchanged layers have equal norms (use :meth:`LCN.rescale` to move
        them to a given ``delta``).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (2, 2)], [1, 1])
    >>> len(swap_orbit(net, [np.eye(2), np.ones((2, 2))]))
    2
    """
    as_network(net, "net", needs=("filter_shapes",))
    fs = net.check_filters(filters)
    shapes = net.filter_shapes
    runs = net.stride_runs
    per_run = []
    for run in runs:
        perms = [
            p
            for p in itertools.permutations(run)
            if all(shapes[a] == shapes[b] for a, b in zip(run, p, strict=True))
        ]
        per_run.append(perms)
    out = []
    for combo in itertools.product(*per_run):
        order = [l for part in combo for l in part]
        out.append(tuple(fs[l].copy() for l in order))
    return out


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
        Two tuples are equal when their flattened difference is at most ``rtol`` times the
        larger norm.

    Returns
    -------
    int
        The number of classes. Each point ``p`` is compared with every element of
        :func:`swap_orbit` of the earlier representatives, rescaled to the invariants of ``p``
        (Prop. 12), and with their sign variants. Cor. 10 predicts one class for a fiber in
        D >= 2 (every layer with at least two sizes > 1, ``w`` generic).

    Notes
    -----
    A swap keeps ``Theta`` (Obs. 11) but permutes the layer norms, so it changes ``delta``
    unless the swapped layers have equal norms. Rescaling the swapped point back to ``delta``
    then changes ``Theta``: one class does not mean one NTK when ``delta != 0`` on the swapped
    layers (compare with :func:`lcnn_widgets.stride_one.ntk_spread`).

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
