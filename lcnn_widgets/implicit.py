"""Implicit equations of the neuromanifold, found numerically and verified exactly.

The neuromanifold ``M = pi(R^{k_1} x ... x R^{k_L})`` of a linear convolutional network is the
image of a polynomial map, so its Zariski closure is cut out by polynomial equations in the
end-to-end coefficients ``w``. ``M`` is a cone (scaling one filter scales ``w``), so the ideal of
these equations is homogeneous and can be searched one degree at a time:

1. evaluate every monomial of degree ``d`` in ``w`` at many random points ``w = pi(theta)``;
2. the polynomials of degree ``d`` that vanish on ``M`` are the null space of this matrix
   (computed with an SVD);
3. bring a basis of the null space to reduced row echelon form and round its entries to
   fractions with small denominators;
4. verify every rounded polynomial *exactly*: substitute the symbolic ``pi(theta)`` (a
   polynomial in the filter entries, computed with sympy over the rationals) and check that
   the result is the zero polynomial.

Only equations that pass step 4 are reported. The search raises ``d`` from 1 up to a cap; a time
budget and a cap on the number of monomials stop it early, and then the result says up to which
degree it searched (it never reports an equation that was not verified). In the running example
(sizes (3, 2), strides (2, 1), Ex. 15) the search finds the cubic
``w_0 w_3^2 - w_1 w_2 w_3 + w_1^2 w_4``:

>>> from lcnn_widgets import LCN
>>> res = implicit_equations(LCN([3, 2], [2, 1]))
>>> res.status, [str(e) for e in res.equations]
('found', ['w0*w3**2 + w1**2*w4 - w1*w2*w3'])
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
import scipy.linalg
import scipy.sparse
import sympy
from sympy.polys.domains import QQ
from sympy.polys.rings import ring

from ._validation import as_generator, as_int_in_range, as_network, as_real

if TYPE_CHECKING:  # pragma: no cover
    from .lcn import LCN

__all__ = [
    "DEFAULT_MAX_DEGREE",
    "DEFAULT_MAX_MONOMIALS",
    "ImplicitEquations",
    "coordinate_symbols",
    "implicit_equations",
    "symbolic_end_to_end",
    "vanishes_on_neuromanifold",
]

#: the highest degree searched by default
DEFAULT_MAX_DEGREE = 4
#: a degree is not searched when one weight class has more monomials (the SVD would be too slow)
DEFAULT_MAX_MONOMIALS = 800
#: ... or when the degree has more monomials in all (memory)
_MAX_TOTAL_MONOMIALS = 60000
#: singular values below this fraction of the largest count as zero (null space)
_NULL_RTOL = 1e-9
#: ... and the smallest nonzero one must lie above this fraction: otherwise the rank is unclear
_GAP_RTOL = 1e-6
#: largest denominator tried when rounding null-space coefficients to fractions
_MAX_DENOMINATOR = 10**4
#: rounding is accepted when the fraction is within this (relative) distance of the float
_ROUND_RTOL = 1e-7


@dataclass(frozen=True, eq=False)
class ImplicitEquations:
    """The result of :func:`implicit_equations`.

    Attributes
    ----------
    equations : tuple of sympy.Expr
        Homogeneous polynomials with integer coefficients (content one) in the variables
        :attr:`variables`, each verified to vanish identically on ``pi(theta)``. Lower degrees
        first. Every polynomial of degree at most :attr:`searched_degree` that vanishes on ``M``
        is a combination of these (with polynomial multipliers), up to the numerical rank
        decision of the search.
    variables : tuple of sympy.Symbol
        The coordinates of the end-to-end filter, in C order (``w0, w1, ...`` in 1D,
        ``w0_0, w0_1, ...`` in D dimensions).
    degrees : tuple of int
        The degree of each equation.
    searched_degree : int
        The search covered every degree up to this one (0 when nothing was searched).
    status : {"found", "not found", "none"}
        ``"found"``: equations were found (complete up to :attr:`searched_degree`; in
        codimension one the search stops at the first, which generates the ideal);
        ``"not found"``: no equation of degree at most :attr:`searched_degree` exists;
        ``"none"``: the closure of ``M`` is the whole space, there are no equations.
    stopped_by : str
        Why the search ended: ``"generator"`` (codimension one, the defining polynomial was
        found), ``"max_degree"``, ``"time"`` (budget ran out), ``"monomials"`` (the next
        degree has too many monomials), ``"rank"`` (the numerical rank was unclear),
        ``"rounding"`` (the null space could not be rounded to verified fractions) or
        ``"full"`` (codimension 0: nothing to search).
    codim : int
        ``prod(end_to_end_size) - dim M`` (the formula of :attr:`LCN.dim_neuromanifold`).
    seconds : float
        Wall-clock time of the search.
    """

    equations: tuple[sympy.Expr, ...]
    variables: tuple[sympy.Symbol, ...]
    degrees: tuple[int, ...]
    searched_degree: int
    status: str
    stopped_by: str
    codim: int
    seconds: float

    def summary(self) -> str:
        """One line saying what was found (no timings, so printed reports are reproducible)."""
        reasons = {
            "time": "the time budget ran out",
            "monomials": "the next degree has too many monomials",
            "rank": "the numerical rank of the next degree was unclear",
            "rounding": "the next degree's null space could not be rounded and verified",
            "max_degree": "the degree cap was reached",
            "generator": "codimension one: the first equation generates all the others",
        }
        if self.status == "none":
            return "none: M fills the filter space (codimension 0)"
        d = self.searched_degree
        if self.status == "not found":
            return f"not found up to degree {d} ({reasons.get(self.stopped_by, self.stopped_by)})"
        n = len(self.equations)
        plural = "s" if n != 1 else ""
        return (
            f"{n} equation{plural} of degree{plural} {_degree_list(self.degrees)}, verified "
            f"exactly; search complete up to degree {d} "
            f"({reasons.get(self.stopped_by, self.stopped_by)})"
        )


def _degree_list(degrees: Sequence[int]) -> str:
    counts: dict[int, int] = {}
    for d in degrees:
        counts[d] = counts.get(d, 0) + 1
    return ", ".join(f"{d}" if c == 1 else f"{d} (x{c})" for d, c in sorted(counts.items()))


def coordinate_symbols(net: LCN) -> tuple[sympy.Symbol, ...]:
    """The sympy symbols of the end-to-end coefficients, in C order.

    Parameters
    ----------
    net : LCN

    Returns
    -------
    tuple of sympy.Symbol, of length ``net.n_outputs``
        ``w0, ..., w{k-1}`` in 1D; ``w{i}_{j}`` (multi-index joined by ``_``) in D dimensions.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> coordinate_symbols(LCN([2, 2], [1, 1]))
    (w0, w1, w2)
    >>> coordinate_symbols(LCN([(1, 2), (1, 1)], [1, 1]))
    (w0_0, w0_1)
    """
    as_network(net, "net", needs=("end_to_end_shape",))
    shape = net.end_to_end_shape
    names = ["w" + "_".join(str(i) for i in idx) for idx in np.ndindex(*shape)]
    return tuple(sympy.Symbol(n) for n in names)


def _parameter_ring(net: LCN):
    names = []
    for l, shp in enumerate(net.filter_shapes):
        for idx in np.ndindex(*shp):
            names.append(f"t{l + 1}_" + "_".join(str(i) for i in idx))
    return ring(names, QQ)


def symbolic_end_to_end(net: LCN):
    """The end-to-end filter ``pi(theta)`` with symbolic filter entries (exact).

    Parameters
    ----------
    net : LCN

    Returns
    -------
    R : sympy.polys.rings.PolyRing
        The ring ``QQ[t1_..., t2_..., ...]`` of the filter entries (``t{l}_{i}`` is entry
        ``i`` of layer ``l``).
    w : list of PolyElement, of length ``net.n_outputs``
        ``pi(theta)`` in C order; entry ``n`` is ``sum`` over ``n = j_1 + S_1 j_2 + ...`` of the
        products of the filter entries (eq. 8, Lemma 9).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> R, w = symbolic_end_to_end(LCN([2, 2], [2, 1]))
    >>> [str(p) for p in w]
    ['t1_0*t2_0', 't1_1*t2_0', 't1_0*t2_1', 't1_1*t2_1']
    """
    as_network(net, "net", needs=("filter_shapes",))
    R, *gens = _parameter_ring(net)
    accs = [tuple(a) if not net.is_1d else (a,) for a in net.accumulated_strides]
    # running product as a dict: multi-index -> polynomial
    prod: dict[tuple[int, ...], object] = {(0,) * net.dim: R.one}
    g = 0
    for shp, acc in zip(net.filter_shapes, accs, strict=True):
        layer = {}
        for idx in np.ndindex(*shp):
            layer[tuple(i * a for i, a in zip(idx, acc, strict=True))] = gens[g]
            g += 1
        new: dict[tuple[int, ...], object] = {}
        for i, p in prod.items():
            for j, q in layer.items():
                key = tuple(a + b for a, b in zip(i, j, strict=True))
                new[key] = new[key] + p * q if key in new else p * q
        prod = new
    shape = net.end_to_end_shape
    return R, [prod.get(idx, R.zero) for idx in np.ndindex(*shape)]


def _exponents(K: int, d: int) -> list[tuple[int, ...]]:
    """Monomials of degree ``d`` in ``K`` variables, as sorted index tuples."""
    return list(itertools.combinations_with_replacement(range(K), d))


def _evaluate(points: np.ndarray, monos: list[tuple[int, ...]]) -> np.ndarray:
    idx = np.array(monos, dtype=int)  # (N, d)
    return np.prod(points[:, idx], axis=2)  # (n, N)


def _round(row: np.ndarray) -> list[Fraction] | None:
    out = []
    for x in row:
        q = Fraction(float(x)).limit_denominator(_MAX_DENOMINATOR)
        if abs(float(q) - x) > _ROUND_RTOL * max(1.0, abs(x)):
            return None
        out.append(q)
    return out


def _integer_coefficients(coeffs: list[Fraction]) -> list[int]:
    den = math.lcm(*(q.denominator for q in coeffs))
    ints = [int(q * den) for q in coeffs]
    g = math.gcd(*ints)
    ints = [v // g for v in ints]
    first = next(v for v in ints if v != 0)
    return [-v for v in ints] if first < 0 else ints


class _Verifier:
    """Exact substitution of the symbolic ``pi(theta)`` into polynomials in ``w``."""

    def __init__(self, net: LCN):
        self.R, self.w = symbolic_end_to_end(net)
        self._powers: dict[tuple[int, int], object] = {}
        self._monos: dict[tuple[int, ...], object] = {}

    def _power(self, i: int, e: int):
        key = (i, e)
        if key not in self._powers:
            self._powers[key] = self.w[i] ** e
        return self._powers[key]

    def monomial(self, mono: tuple[int, ...]):
        if mono not in self._monos:
            value = self.R.one
            for i, e in _counts(mono).items():
                value = value * self._power(i, e)
            self._monos[mono] = value
        return self._monos[mono]

    def vanishes(self, terms: dict[tuple[int, ...], int]) -> bool:
        total = self.R.zero
        for mono, c in terms.items():
            total += c * self.monomial(mono)
        return total == self.R.zero


def _counts(mono: tuple[int, ...]) -> dict[int, int]:
    out: dict[int, int] = {}
    for i in mono:
        out[i] = out.get(i, 0) + 1
    return out


def _expr(terms: dict[tuple[int, ...], int], xs: Sequence[sympy.Symbol]) -> sympy.Expr:
    return sympy.Add(
        *[c * sympy.Mul(*[xs[i] ** e for i, e in _counts(m).items()]) for m, c in terms.items()]
    )


def vanishes_on_neuromanifold(net: LCN, polynomial: sympy.Expr) -> bool:
    """Whether a polynomial in the coordinates vanishes identically on ``pi(theta)`` (exact).

    Parameters
    ----------
    net : LCN
    polynomial : sympy.Expr
        A polynomial with rational coefficients in :func:`coordinate_symbols` ``(net)``.

    Returns
    -------
    bool
        True when substituting the symbolic end-to-end filter gives the zero polynomial, i.e.
        the polynomial vanishes on ``M`` and on its Zariski closure.

    Raises
    ------
    ValueError
        If the polynomial uses other symbols or non-rational coefficients.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> w0, w1, w2, w3, w4 = coordinate_symbols(LCN([3, 2], [2, 1]))
    >>> vanishes_on_neuromanifold(LCN([3, 2], [2, 1]), w0*w3**2 - w1*w2*w3 + w1**2*w4)
    True
    """
    as_network(net, "net", needs=("filter_shapes",))
    xs = coordinate_symbols(net)
    expr = sympy.sympify(polynomial)
    extra = expr.free_symbols - set(xs)
    if extra:
        raise ValueError(
            f"polynomial must use only the coordinates {xs[0]}, ..., {xs[-1]}: got "
            f"{sorted(map(str, extra))}"
        )
    try:
        poly = sympy.Poly(expr, *xs, domain=QQ)
    except (sympy.PolynomialError, sympy.CoercionFailed) as exc:
        raise ValueError(
            f"polynomial must be a polynomial with rational coefficients: {exc}"
        ) from None
    ver = _Verifier(net)
    terms = {}
    for exps, c in poly.terms():
        mono = tuple(i for i, e in enumerate(exps) for _ in range(e))
        terms[mono] = c
    return ver.vanishes(terms)


def implicit_equations(
    net: LCN,
    *,
    max_degree: int = DEFAULT_MAX_DEGREE,
    budget_s: float = 10.0,
    max_monomials: int = DEFAULT_MAX_MONOMIALS,
    rng: np.random.Generator | None = None,
) -> ImplicitEquations:
    """Equations of the Zariski closure of the neuromanifold, up to a degree (verified exactly).

    Parameters
    ----------
    net : LCN
        The architecture (1D or D-dimensional).
    max_degree : int, default=4
        The highest degree searched (1 to 12).
    budget_s : float, default=10.0
        Time budget in seconds, checked between the weight classes of a degree; when it runs
        out, the degree in progress is dropped and the result covers the degrees before it.
    max_monomials : int, default=800
        A degree is not searched when one of its weight classes has more monomials than this.
    rng : numpy.random.Generator, optional
        Source of the random points of ``M`` (default ``numpy.random.default_rng(0)``).

    Returns
    -------
    ImplicitEquations
        The verified equations, the degree up to which the search is complete, and why it
        stopped. Nothing unverified is ever returned.

    Raises
    ------
    ValueError, TypeError
        For a non-network ``net`` or bad budgets.

    Notes
    -----
    ``M`` is invariant under ``w[i] -> c prod_d lambda_d^{i_d} w[i]`` (substitute ``y_d ->
    lambda_d y_d`` in every layer), so its ideal is spanned by polynomials whose monomials share
    the degree ``d`` and the weight ``sum`` of the multi-indices; each weight class of ``N``
    monomials is searched on its own. Its monomials are evaluated at ``2N + 10`` points
    ``pi(theta)`` with Gaussian filters (each point scaled to norm one; columns scaled to norm
    one). The right
    singular vectors of singular values below ``1e-9`` times the largest span the polynomials
    vanishing on ``M``; if the next singular value is not above ``1e-6`` times the largest the
    rank is unclear and the search stops. The basis is brought to reduced row echelon form
    (pivots from a column-pivoted QR), rounded to fractions with denominators at most ``10^4``,
    made integer and primitive, and verified by exact substitution of the symbolic
    ``pi(theta)`` (:func:`symbolic_end_to_end`). Products of the equations of lower degree with
    monomials span part of the null space; only equations outside that span are kept. The
    closure of ``M`` is irreducible (the image of an irreducible variety), so in codimension
    one the first equation found generates its ideal and the search stops there.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> implicit_equations(LCN([3, 2], [1, 1])).summary()       # M fills R^4 (Ex. 19)
    'none: M fills the filter space (codimension 0)'
    """
    as_network(net, "net", needs=("filter_shapes", "end_to_end_shape"))
    max_degree = as_int_in_range(max_degree, "max_degree", 1, 12)
    budget_s = as_real(budget_s, "budget_s", positive=True)
    max_monomials = as_int_in_range(max_monomials, "max_monomials", 1, 10**6)
    rng = np.random.default_rng(0) if rng is None else as_generator(rng)
    start = time.perf_counter()
    xs = coordinate_symbols(net)
    K = net.n_outputs
    codim = K - net.dim_neuromanifold

    def result(eqs, degs, searched, status, stopped):
        return ImplicitEquations(
            equations=tuple(eqs),
            variables=xs,
            degrees=tuple(degs),
            searched_degree=searched,
            status=status,
            stopped_by=stopped,
            codim=codim,
            seconds=time.perf_counter() - start,
        )

    if codim <= 0:
        return result([], [], 0, "none", "full")
    coord_weight = np.array(list(np.ndindex(*net.end_to_end_shape)), dtype=int)  # (K, D)
    verifier: _Verifier | None = None
    found: list[dict[tuple[int, ...], int]] = []
    degs: list[int] = []
    searched = 0
    stopped = "max_degree"
    for d in range(1, max_degree + 1):
        if math.comb(K + d - 1, d) > _MAX_TOTAL_MONOMIALS:
            stopped = "monomials"
            break
        monos = _exponents(K, d)
        groups = _weight_groups(monos, coord_weight)
        if max(len(cols) for cols in groups.values()) > max_monomials:
            stopped = "monomials"
            break
        n_pts = 2 * max(len(cols) for cols in groups.values()) + 10
        if time.perf_counter() - start > budget_s:
            stopped = "time"
            break
        pts = np.stack([net.end_to_end(net.random_filters(rng)).ravel() for _ in range(n_pts)])
        pts /= np.linalg.norm(pts, axis=1, keepdims=True)
        span = _product_span(found, degs, monos, d)
        new: list[dict[tuple[int, ...], int]] = []
        problem = None
        for cols in groups.values():
            if time.perf_counter() - start > budget_s:
                problem = "time"
                break
            group_monos = [monos[j] for j in cols]
            A = _evaluate(pts[: 2 * len(cols) + 10], group_monos)
            sub = span[:, cols].tocsr()
            sub = sub[np.diff(sub.indptr) > 0].toarray()  # the products of this weight
            rows = _group_equations(A, sub)
            if isinstance(rows, str):
                problem = rows
                break
            new += [{group_monos[j]: c for j, c in enumerate(r) if c} for r in rows]
        if problem is None and time.perf_counter() - start > budget_s:
            problem = "time"
        if problem is None and new:
            if verifier is None:
                verifier = _Verifier(net)
            for terms in new:
                if time.perf_counter() - start > budget_s:
                    problem = "time"
                    break
                if not verifier.vanishes(terms):
                    problem = "rounding"
                    break
        if problem is not None:
            stopped = problem
            break
        found.extend(new)
        degs.extend([d] * len(new))
        searched = d
        if codim == 1 and found:
            stopped = "generator"
            break
    eqs = [_expr(t, xs) for t in found]
    return result(eqs, degs, searched, "found" if found else "not found", stopped)


def _weight_groups(monos: list[tuple[int, ...]], coord_weight: np.ndarray) -> dict:
    """Monomial positions grouped by their weight (the sum of the coordinates' multi-indices).

    ``M`` is invariant under ``w[i] -> c * prod_d lambda_d^{i_d} w[i]`` (substitute
    ``y_d -> lambda_d y_d`` in every layer), so its ideal is spanned by polynomials whose
    monomials all have the same weight: each weight is searched on its own (small SVDs).
    """
    idx = np.array(monos, dtype=int)
    weights = coord_weight[idx].sum(axis=1)  # (N, D)
    groups: dict[tuple[int, ...], list[int]] = {}
    for j, wt in enumerate(map(tuple, weights)):
        groups.setdefault(wt, []).append(j)
    return {k: np.array(v) for k, v in sorted(groups.items())}


def _group_equations(A: np.ndarray, span: np.ndarray):
    """New exact equations among the monomials of one weight, or the reason for failing.

    ``A`` (points x monomials) holds the monomials at points of ``M``; ``span`` holds the
    products of the lower-degree equations (restricted to these monomials). Returns a list of
    integer coefficient lists (primitive, first nonzero positive) of null vectors outside the
    span, or ``"rank"`` / ``"rounding"``.
    """
    N = A.shape[1]
    col = np.linalg.norm(A, axis=0)
    col[col == 0] = 1.0  # a monomial that vanishes at every point (a zero coordinate)
    _, s, Vt = np.linalg.svd(A / col, full_matrices=False)
    if s[0] == 0:
        m = N
    else:
        null = s < _NULL_RTOL * s[0]
        m = int(np.sum(null)) + (N - s.size)
        if 0 < np.sum(null) and (~null).any() and s[~null][-1] < _GAP_RTOL * s[0]:
            return "rank"
    if m == 0:
        return []
    if span.shape[0] and np.linalg.matrix_rank(span) >= m:
        return []  # all come from lower degrees
    V = Vt[Vt.shape[0] - m :].T / col[:, None] if s[0] != 0 else np.eye(N)
    _, _, piv = scipy.linalg.qr(V.T, pivoting=True)
    B = np.linalg.solve(V.T[:, piv[:m]], V.T)  # (m, N), identity on the pivot columns
    out = []
    for i in _new_rows(span, B):
        r = _round(B[i])
        if r is None:
            return "rounding"
        out.append(_integer_coefficients(r))
    return out


def _product_span(found, degs, monos, d) -> scipy.sparse.csc_matrix:
    """Rows: (lower-degree equation) x (monomial), as coefficient vectors of degree ``d``."""
    index = {m: i for i, m in enumerate(monos)}
    K = max(max(m) for m in monos) + 1
    rows, cols, vals = [], [], []
    r = 0
    for terms, e in zip(found, degs, strict=True):
        for extra in _exponents(K, d - e):
            for mono, c in terms.items():
                rows.append(r)
                cols.append(index[tuple(sorted(mono + extra))])
                vals.append(float(c))
            r += 1
    return scipy.sparse.csc_matrix((vals, (rows, cols)), shape=(r, len(monos)))


def _new_rows(span: np.ndarray, B: np.ndarray) -> list[int]:
    """Indices of rows of ``B`` that are independent of ``span`` and of each other (greedy).

    Gram-Schmidt against an orthonormal basis of the span (from an SVD); a row is new when
    more than ``1e-8`` of its norm lies outside the current basis.
    """
    if span.size:
        _, s, Vt = np.linalg.svd(span, full_matrices=False)
        Q = Vt[s > 1e-10 * s[0]]
    else:
        Q = np.zeros((0, B.shape[1]))
    basis = list(Q)
    chosen = []
    for i, b in enumerate(B):
        v = b / np.linalg.norm(b)
        for _ in range(2):  # twice is enough (re-orthogonalization)
            if basis:
                M = np.array(basis)
                v = v - M.T @ (M @ v)
        r = float(np.linalg.norm(v))
        if r > 1e-8:
            basis.append(v / r)
            chosen.append(i)
    return chosen
