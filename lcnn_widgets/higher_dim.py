"""Convolutions over D >= 2 axes (Sec. 3): exact factorization, layer swaps, fibers up to swaps.

A filter of shape ``(k_1, ..., k_D)`` is a form in the pairs ``(x_d, y_d)``; ``P_w`` is the
product of the layer forms at ``x_d^{S_d}, y_d^{S_d}``, ``S = S_{l-1}`` (Lemma 9). For D >= 2
generic forms are irreducible, so the layers can be read off the factorization (Cor. 10):
:func:`factor_end_to_end`. Layers with equal accumulated strides commute without changing
``Theta`` (Obs. 11): :func:`swap_layers`, :func:`swap_permutation`; fiber points up to swaps
and signs (Thm 13): :func:`swap_orbit`, :func:`count_up_to_swaps` (rescaling, Prop. 12:
:meth:`lcnn_widgets.LCN.rescale`).

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
from collections import Counter
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


@dataclass(frozen=True, eq=False)
class ExactFactorization:
    """The exact factorization of an end-to-end filter and every way to split it into layers.

    ``P_w = constant * prod_i f_i^{m_i}`` with primitive integer ``f_i``, irreducible over Q;
    ``assignments[s][l][i]`` copies of ``f_i`` go to layer ``l`` in solution ``s``.
    """

    w: np.ndarray  # the end-to-end filter as floats, shape end_to_end_shape
    constant: Fraction  # the content of P_w
    factors: tuple[tuple[sympy.Expr, int], ...]  # the (f_i, m_i)
    multidegrees: tuple[tuple[int, ...], ...]  # [i][d]: the degree of f_i in (x_d, y_d)
    assignments: tuple[tuple[tuple[int, ...], ...], ...]
    solutions: tuple[tuple[np.ndarray, ...], ...]  # filters with pi = w; constant in layer 1
    residuals: tuple[float, ...]  # ||pi(solution) - w|| / ||w|| per solution (rounding only)

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


def _integer_array(name: str, frac: np.ndarray) -> tuple[np.ndarray, int]:
    """Clear denominators: ``frac = ints / den`` with ``ints`` exact as floats."""
    den = math.lcm(*(int(q.denominator) for q in frac.ravel()))
    ints = np.array([int(q * den) for q in frac.ravel()], dtype=object).reshape(frac.shape)
    if max(abs(int(v)) for v in ints.ravel()) >= 2**53:  # not exact as floats (to_binary_form)
        raise ValueError(
            f"{name} is too large for exact factorization: after clearing denominators its "
            f"entries must stay below 2**53 in absolute value"
        )
    return ints.astype(float), den


def compositions(m: int, parts: int):
    """All tuples of ``parts`` non-negative integers with sum ``m``, in lexicographic order."""
    for bars in itertools.combinations(range(m + parts - 1), parts - 1):  # stars and bars
        yield tuple(b - a - 1 for a, b in itertools.pairwise((-1, *bars, m + parts - 1)))


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
        if frac.shape != shp:
            raise ValueError(f"{name}[{l}] must have shape {shp}: got shape {frac.shape}")
        ints, _ = _integer_array(f"{name}[{l}]", frac)
        out.append((ints, _form_factors(ints.tobytes(), shp, acc)))
    return out


def _factors_from_layers(net: LCN, layers: Sequence[ArrayLike], ints: np.ndarray) -> tuple:
    """``factor_list`` of ``P_w``: the irreducible forms of integer layers with ``pi = w``."""
    per_layer = _layer_factors(net, layers, "layers")
    bad = [l for l, (_, (_, fl)) in enumerate(per_layer) if sum(m for _, m in fl) != 1]
    if bad:
        raise ValueError(f"layers must have forms irreducible over Q: layers {bad} factor")
    if not np.array_equal(pi(net, join([f for f, _ in per_layer])).ravel(), ints.ravel()):
        raise ValueError("layers must be integer filters whose end-to-end filter is w")
    const = sympy.Mul(*(c for _, (c, _) in per_layer))
    merged = Counter(fl[0][0] for _, (_, fl) in per_layer)
    xs = polynomial_variables(net.dim)

    def key(item: tuple) -> tuple:  # the order of sympy.factor_list (sympy's _sorted_factors)
        poly = sympy.Poly(item[0], *xs)
        rep = poly.rep.to_list()
        return (len(rep), len(poly.gens), item[1], str(poly.domain), rep)

    return const, sorted(merged.items(), key=key)


def _on_lattice(f: sympy.Expr, shape: tuple[int, ...], acc: tuple[int, ...]) -> np.ndarray | None:
    """The filter of shape ``shape`` whose form at ``x^acc, y^acc`` is ``f``; None if none."""
    dilated = tuple((k - 1) * s + 1 for k, s in zip(shape, acc, strict=True))
    arr = from_binary_form(f, dilated)
    lattice = tuple(slice(None, None, s) for s in acc)
    layer = arr[lattice].copy()
    arr[lattice] = 0.0
    return None if np.any(arr) else layer  # a monomial off the lattice: not in x^S, y^S


@finite_result
def factor_end_to_end(
    net: LCN, w: ArrayLike, *, layers: Sequence[ArrayLike] | None = None
) -> ExactFactorization:
    """Factor an integer or rational end-to-end filter exactly and split it into layers.

    Parameters
    ----------
    net : LCN
    w : array_like of shape end_to_end_size
        Nonzero, with integer, ``fractions.Fraction`` or sympy Rational entries.
    layers : sequence of array_like, optional
        Integer filters with ``pi(layers) = w`` and forms irreducible over Q: then the factors of
        ``P_w`` are the layer forms (unique factorization): the same result, faster.

    Returns
    -------
    ExactFactorization
        Every assignment of the factors to layers that fits the layers' multi-degrees and
        sparsity; one for generic layers in D >= 2 (Cor. 10). ValueError when there is none.

    Notes
    -----
    Lemma 9, Cor. 10: layer ``l`` receives factors of ``P_w`` of total multi-degree
    ``((k_{l,d} - 1) S_{l-1,d})_d`` whose product is a polynomial in ``x^S, y^S``. In 1D only
    the rational factorizations are found (:func:`lcnn_widgets.fibers.fibers` finds all).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (2, 2)], [(1, 1), (1, 1)])     # stride one: the layers may swap
    >>> len(factor_end_to_end(net, net.end_to_end([[[1, 2], [3, -1]], [[2, 0], [1, 1]]])))
    2
    """
    as_network(net)
    frac = as_rational_array(w, "w")
    shape = net.end_to_end_shape
    if frac.shape != shape:
        got = frac.shape[0] if (net.is_1d and frac.ndim == 1) else frac.shape
        raise ValueError(
            f"w must have the end-to-end shape {net.end_to_end_size} of {net!r}: got {got}"
        )
    if all(q == 0 for q in frac.ravel()):
        raise ValueError("w = 0: every tuple with a zero filter maps to 0, nothing to factor")
    ints, den = _integer_array("w", frac)
    xs = polynomial_variables(net.dim)
    if layers is None:
        const, flist = sympy.factor_list(to_binary_form(ints, variables=xs), *xs)
    else:
        const, flist = _factors_from_layers(net, layers, ints)
    factors = tuple((sympy.sympify(f), int(m)) for f, m in flist)
    monoms = [sympy.Poly(f, *xs).monoms()[0] for f, _ in factors]  # forms: any monomial will do
    degs = tuple(tuple(m[2 * d] + m[2 * d + 1] for d in range(net.dim)) for m in monoms)
    accs = _acc(net)
    targets = [
        tuple((k - 1) * s for k, s in zip(shp, acc, strict=True))
        for shp, acc in zip(net.filter_shapes, accs, strict=True)
    ]
    c_total = Fraction(int(sympy.Rational(const).p), int(sympy.Rational(const).q)) / den
    solutions: list[tuple[np.ndarray, ...]] = []
    assignments: list[tuple[tuple[int, ...], ...]] = []

    def rec(i: int, caps: list[tuple[int, ...]], counts: list[list[int]]) -> None:
        """Give the copies of factors ``i, ...`` to layers with multi-degrees ``caps`` left."""
        if i < len(factors):
            for parts in compositions(factors[i][1], net.n_layers):
                new = [
                    tuple(c - a * g for c, g in zip(cap, degs[i], strict=True))
                    for cap, a in zip(caps, parts, strict=True)
                ]
                if all(min(cap) >= 0 for cap in new):
                    rec(i + 1, new, [[*row, a] for row, a in zip(counts, parts, strict=True)])
        elif not any(map(any, caps)):  # every layer has its multi-degree
            forms = [sympy.Mul(*[factors[j][0] ** c for j, c in enumerate(r) if c]) for r in counts]
            found = [_on_lattice(*a) for a in zip(forms, net.filter_shapes, accs, strict=True)]
            ok = [f for f in found if f is not None]  # None: a layer off its lattice
            if len(ok) == len(found):
                solutions.append((float(c_total) * ok[0], *ok[1:]))
                assignments.append(tuple(tuple(row) for row in counts))

    rec(0, targets, [[] for _ in targets])
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
        wf.reshape(shape), c_total, factors, degs, tuple(assignments), tuple(solutions), residuals
    )


def irreducible_layers(net: LCN, filters: Sequence[ArrayLike]) -> tuple[bool, ...]:
    """Whether each layer's form ``P_{w_l}(x^{S_{l-1}}, y^{S_{l-1}})`` is irreducible over Q.

    ``filters`` are integer or rational (as ``w`` in :func:`factor_end_to_end`). Cor. 10: true
    for generic filters with at least two sizes > 1; when false (a 2 x 2 filter with determinant
    0), factors can move between layers and ``w`` may factor in several ways.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
    >>> irreducible_layers(net, [[[1, 2], [3, 4]], [[1, 2], [2, 4]]])   # det 0: x-part * y-part
    (True, False)
    """
    as_network(net)
    return tuple(sum(m for _, m in fl) == 1 for _, (_, fl) in _layer_factors(net, filters))


def random_integer_filters(
    net: LCN, rng: np.random.Generator, *, high: int = 3
) -> list[np.ndarray]:
    """Integer-valued float filters, entries i.i.d. uniform in ``{-high, ..., high}``, none 0.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> fs = random_integer_filters(LCN([(2, 2), (3, 2)], [2, 1]), np.random.default_rng(0))
    >>> [f.shape for f in fs], all(np.all(f == np.round(f)) for f in fs)
    ([(2, 2), (3, 2)], True)
    """
    as_network(net)
    as_generator(rng)
    high = as_positive_int(high, "high")
    out = []
    for shp in net.filter_shapes:
        f = np.zeros(shp)
        while not np.any(f):  # redraw an all-zero filter
            f = rng.integers(-high, high + 1, size=shp).astype(float)
        out.append(f)
    return out


def _positions(net: LCN, i: int, j: int) -> tuple[int, int]:
    """The checked positions ``i, j`` in increasing order."""
    a = as_int_in_range(i, "i", 0, net.n_layers - 1)
    b = as_int_in_range(j, "j", 0, net.n_layers - 1)
    if a == b:
        raise ValueError(f"i and j must be two different layer positions: got i = j = {a}")
    return min(a, b), max(a, b)


def _swapped(n: int, a: int, b: int) -> list[int]:
    """``0, ..., n - 1`` with ``a`` and ``b`` exchanged."""
    return [b if l == a else a if l == b else l for l in range(n)]


def _acc(net: LCN) -> list[tuple[int, ...]]:
    """``[S_0, ..., S_{L-1}]`` as tuples."""
    return [tuple(a) if not net.is_1d else (a,) for a in net.accumulated_strides]


def swappable_pairs(net: LCN) -> list[tuple[int, int]]:
    """All 0-based pairs ``i < j`` of layers that may be swapped: ``S_i = S_j`` (Obs. 11).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> swappable_pairs(LCN([(2, 2), (2, 3), (3, 2)], [(1, 1), (2, 1), (1, 1)]))
    [(0, 1)]
    """
    as_network(net)
    acc = _acc(net)
    return [(i, j) for i, j in itertools.combinations(range(net.n_layers), 2) if acc[i] == acc[j]]


def swap_layers(
    net: LCN, filters: Sequence[ArrayLike], i: int, j: int
) -> tuple[LCN, list[np.ndarray]]:
    """Exchange the layers at positions ``i`` and ``j`` without changing the end-to-end filter.

    Parameters
    ----------
    net, filters
    i, j : int
        Different 0-based positions with only strides one between them (ValueError otherwise).

    Returns
    -------
    (new_net, new_filters) : (LCN, list of ndarray)
        The filter sizes and (copies of) the filters at ``i`` and ``j`` exchanged; same strides.

    Notes
    -----
    Obs. 11: with ``S_{i-1} = S_{j-1}`` both layer forms are in the same variables and commute;
    ``theta`` is permuted (:func:`swap_permutation`), so ``Theta = J J^T`` is unchanged.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (3, 2)], [(1, 1), (2, 2)])
    >>> new_net, new_fs = swap_layers(net, net.random_filters(np.random.default_rng(0)), 0, 1)
    >>> new_net
    LCN(filter_sizes=[(3, 2), (2, 2)], strides=[(1, 1), (2, 2)])
    """
    as_network(net)
    a, b = _positions(net, i, j)
    fs = net.check_filters(filters)
    acc = _acc(net)
    if acc[a] != acc[b]:
        raise ValueError(
            f"layers at positions {a} and {b} cannot be swapped: all strides in between "
            f"(of the layers at positions {a}..{b - 1}) must be one, got {net.strides[a:b]}; the "
            f"accumulated strides {acc[a]} and {acc[b]} differ, so the two layer forms are in "
            "different variables"
        )
    order = _swapped(net.n_layers, a, b)
    return LCN([net.filter_sizes[l] for l in order], net.strides), [fs[l].copy() for l in order]


def swap_permutation(net: LCN, i: int, j: int) -> np.ndarray:
    """The index permutation of ``theta`` performed by :func:`swap_layers`.

    ``i, j`` as in :func:`swap_layers` (strides unchecked); ``perm`` of shape (n_params,) has
    ``new_net.flatten(new_filters) == net.flatten(filters)[perm]``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> swap_permutation(LCN([2, 3], [1, 1]), 0, 1)
    array([2, 3, 4, 0, 1])
    """
    as_network(net)
    a, b = _positions(net, i, j)
    offs = net.offsets
    return np.concatenate([np.arange(offs[l], offs[l + 1]) for l in _swapped(net.n_layers, a, b)])


def swap_orbit(net: LCN, filters: Sequence[ArrayLike]) -> list[tuple[np.ndarray, ...]]:
    """Every rearrangement of the layers that keeps both the architecture and ``pi``.

    The original tuple first, then every permutation of equal-shaped layers inside each run of
    equal accumulated strides (Obs. 11). The invariants may change (:meth:`LCN.rescale`).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (2, 2)], [1, 1])
    >>> len(swap_orbit(net, [np.eye(2), np.ones((2, 2))]))
    2
    """
    as_network(net)
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

    Notes
    -----
    Each point is compared with the swap orbits (:func:`swap_orbit`) of earlier ones, rescaled
    to its invariants (Prop. 12), and their sign variants. Cor. 10: one class for a generic fiber in
    D >= 2, but one class need not mean one NTK when ``delta != 0`` (rescaling changes Theta).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([(2, 2), (2, 2)], [1, 1])
    >>> a, b = np.eye(2), np.ones((2, 2)) / np.sqrt(2)   # equal norms: balanced
    >>> count_up_to_swaps(net, [(a, b), (-b, -a), (a, 2 * b)])
    2
    """
    as_network(net)
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
