"""Implicit equations of the neuromanifold, found numerically and verified exactly.

``M = pi(R^{k_1} x ... x R^{k_L})`` is the image of a polynomial map and a cone, so the ideal of
its Zariski closure is homogeneous and is searched one degree ``d`` at a time: evaluate the
monomials of degree ``d`` at random points ``w = pi(theta)``, take the null space (SVD), bring it
to reduced row echelon form, round to fractions, and keep only what an *exact* substitution of
the symbolic ``pi(theta)`` (sympy over the rationals) sends to zero. A time budget and a cap on
the number of monomials may stop the search early; the result says up to which degree it is
complete. In the running example (Ex. 15) the search finds ``w_0 w_3^2 - w_1 w_2 w_3 + w_1^2 w_4``:

>>> from lcnn_widgets import LCN
>>> res = implicit_equations(LCN([3, 2], [2, 1]))
>>> res.status, [str(e) for e in res.equations]
('found', ['w0*w3**2 + w1**2*w4 - w1*w2*w3'])
"""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

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
#: why a search stopped, as :meth:`ImplicitEquations.summary` says it
_REASONS = {
    "time": "the time budget ran out",
    "monomials": "the next degree has too many monomials",
    "rank": "the numerical rank of the next degree was unclear",
    "rounding": "the next degree's null space could not be rounded and verified",
    "max_degree": "the degree cap was reached",
    "generator": "codimension one: the first equation generates all the others",
}

Terms = dict[tuple[int, ...], int]  # a polynomial: sorted variable indices of a monomial -> coeff


@dataclass(frozen=True, eq=False)
class ImplicitEquations:
    """The result of :func:`implicit_equations`.

    Attributes
    ----------
    equations : tuple of sympy.Expr
        Homogeneous, integer (content one), each verified to vanish on ``pi(theta)``; lower
        degrees first. They generate every equation of degree <= :attr:`searched_degree` (up to
        the numerical rank decision).
    variables : tuple of sympy.Symbol
        The end-to-end coordinates in C order (``w0, w1, ...``; ``w0_0, w0_1, ...`` in D dims).
    degrees : tuple of int
        The degree of each equation.
    searched_degree : int
        The search covered every degree up to this one (0 when nothing was searched).
    status : {"found", "not found", "none"}
        ``"not found"``: none up to :attr:`searched_degree`; ``"none"``: codimension 0.
    stopped_by : {"generator", "max_degree", "time", "monomials", "rank", "rounding", "full"}
        Why the search ended (``"generator"``: codimension one, the first equation generates
        the ideal; ``"full"``: codimension 0).
    codim : int
        ``prod(end_to_end_size) - dim M`` (:attr:`LCN.dim_neuromanifold`).
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
        if self.status == "none":
            return "none: M fills the filter space (codimension 0)"
        d, why = self.searched_degree, _REASONS.get(self.stopped_by, self.stopped_by)
        if self.status == "not found":
            return f"not found up to degree {d} ({why})"
        n = len(self.equations)
        s = "s" if n != 1 else ""
        degrees = ", ".join(
            f"{k}" if c == 1 else f"{k} (x{c})" for k, c in sorted(Counter(self.degrees).items())
        )
        return (
            f"{n} equation{s} of degree{s} {degrees}, verified exactly; search complete up to "
            f"degree {d} ({why})"
        )


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
    return _symbols(as_network(net, "net", needs=("end_to_end_shape",)))


def _symbols(net: LCN) -> tuple[sympy.Symbol, ...]:
    shape = net.end_to_end_shape
    return tuple(sympy.Symbol("w" + "_".join(map(str, idx))) for idx in np.ndindex(*shape))


def symbolic_end_to_end(net: LCN):
    """The end-to-end filter ``pi(theta)`` with symbolic filter entries (exact).

    Parameters
    ----------
    net : LCN

    Returns
    -------
    R : sympy.polys.rings.PolyRing
        The ring ``QQ[t1_..., t2_..., ...]``; ``t{l}_{i}`` is entry ``i`` of layer ``l``.
    w : list of PolyElement, of length ``net.n_outputs``
        ``pi(theta)`` in C order: ``w[n]`` sums the products of filter entries over
        ``n = j_1 + S_1 j_2 + ...`` (eq. 8, Lemma 9).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> R, w = symbolic_end_to_end(LCN([2, 2], [2, 1]))
    >>> [str(p) for p in w]
    ['t1_0*t2_0', 't1_1*t2_0', 't1_0*t2_1', 't1_1*t2_1']
    """
    return _symbolic_end_to_end(as_network(net, "net", needs=("filter_shapes",)))


def _symbolic_end_to_end(net: LCN):
    names = [
        f"t{l + 1}_" + "_".join(map(str, idx))
        for l, shape in enumerate(net.filter_shapes)
        for idx in np.ndindex(*shape)
    ]
    R, *gens = ring(names, QQ)
    entries = iter(gens)
    prod: dict[tuple[int, ...], Any] = {(0,) * net.dim: R.one}  # multi-index -> polynomial
    for shape, acc in zip(net.filter_shapes, net.accumulated_strides, strict=True):
        acc = (acc,) if net.is_1d else tuple(acc)
        layer = [
            (tuple(i * a for i, a in zip(idx, acc, strict=True)), next(entries))
            for idx in np.ndindex(*shape)
        ]
        new: dict[tuple[int, ...], Any] = {}
        for i, p in prod.items():
            for j, q in layer:
                key = tuple(a + b for a, b in zip(i, j, strict=True))
                new[key] = new[key] + p * q if key in new else p * q
        prod = new
    return R, [prod.get(idx, R.zero) for idx in np.ndindex(*net.end_to_end_shape)]


def _exponents(K: int, d: int) -> list[tuple[int, ...]]:
    """Monomials of degree ``d`` in ``K`` variables, as sorted index tuples."""
    return list(itertools.combinations_with_replacement(range(K), d))


def _round(row: np.ndarray) -> list[Fraction] | None:
    """The entries as fractions with small denominators, or None if one is not close."""
    out = [Fraction(float(x)).limit_denominator(_MAX_DENOMINATOR) for x in row]
    close = all(
        abs(float(q) - x) <= _ROUND_RTOL * max(1.0, abs(x)) for q, x in zip(out, row, strict=True)
    )
    return out if close else None


def _integer_coefficients(coeffs: list[Fraction]) -> list[int]:
    """The smallest integer multiple of ``coeffs`` (content one, first nonzero positive)."""
    ints = [int(q * math.lcm(*(q.denominator for q in coeffs))) for q in coeffs]
    g = math.gcd(*ints) * (1 if next(v for v in ints if v != 0) > 0 else -1)
    return [v // g for v in ints]


class _Verifier:
    """Exact substitution of the symbolic ``pi(theta)`` into polynomials in ``w`` (cached)."""

    def __init__(self, net: LCN):
        self.R, self.w = _symbolic_end_to_end(net)
        self._monos: dict[tuple[int, ...], Any] = {(): self.R.one}

    def monomial(self, mono: tuple[int, ...]):
        if mono not in self._monos:
            self._monos[mono] = self.monomial(mono[:-1]) * self.w[mono[-1]]
        return self._monos[mono]

    def vanishes(self, terms: Terms) -> bool:
        return sum((c * self.monomial(m) for m, c in terms.items()), self.R.zero) == self.R.zero


def _expr(terms: Terms, xs: Sequence[sympy.Symbol]) -> sympy.Expr:
    return sympy.Add(
        *[c * sympy.Mul(*[xs[i] ** e for i, e in Counter(m).items()]) for m, c in terms.items()]
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
        True when substituting the symbolic end-to-end filter gives the zero polynomial: the
        polynomial vanishes on ``M`` and on its Zariski closure.

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
    xs = _symbols(as_network(net, "net", needs=("filter_shapes", "end_to_end_shape")))
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
    terms = {tuple(i for i, e in enumerate(exps) for _ in range(e)): c for exps, c in poly.terms()}
    return _Verifier(net).vanishes(terms)


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
        Time budget in seconds; when it runs out, the degree in progress is dropped.
    max_monomials : int, default=800
        A degree is not searched when one of its weight classes has more monomials than this.
    rng : numpy.random.Generator, optional
        Source of the random points of ``M`` (default ``numpy.random.default_rng(0)``).

    Returns
    -------
    ImplicitEquations
        The verified equations (nothing unverified), the degree up to which the search is
        complete, and why it stopped.

    Notes
    -----
    ``M`` is invariant under ``w[i] -> c prod_d lambda_d^{i_d} w[i]``, so each weight class of
    ``N`` monomials is searched alone, at ``2N + 10`` points. Singular values below ``1e-9`` of the
    largest give the null space (unclear rank if the next is below ``1e-6``); fractions have
    denominators <= ``10^4``. Products of lower-degree equations are not repeated. The closure is
    irreducible, so in codimension one the first equation generates the ideal.

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

    def late() -> bool:
        return time.perf_counter() - start > budget_s

    K, codim = net.n_outputs, net.n_outputs - net.dim_neuromanifold
    coord_weight = np.array(list(np.ndindex(*net.end_to_end_shape)), dtype=int)  # (K, D)
    verifier = _Verifier(net) if codim > 0 else None
    found: list[Terms] = []
    degs: list[int] = []
    searched, stopped = 0, "max_degree" if codim > 0 else "full"
    for d in range(1, max_degree + 1 if codim > 0 else 1):
        few = math.comb(K + d - 1, d) <= _MAX_TOTAL_MONOMIALS  # else the matrices fill memory
        monos = _exponents(K, d) if few else []
        groups = _weight_groups(monos, coord_weight) if few else {}
        if not few or max(len(cols) for cols in groups.values()) > max_monomials:
            stopped = "monomials"
            break
        span = _product_span(found, degs, monos, d)
        new = _degree_equations(net, monos, groups, span, rng, verifier, late)
        if isinstance(new, str):
            stopped = new
            break
        found += new
        degs += [d] * len(new)
        searched = d
        if codim == 1 and found:
            stopped = "generator"
            break
    status = "none" if codim <= 0 else "found" if found else "not found"
    xs = _symbols(net)
    eqs = tuple(_expr(t, xs) for t in found)
    seconds = time.perf_counter() - start
    return ImplicitEquations(eqs, xs, tuple(degs), searched, status, stopped, codim, seconds)


def _degree_equations(net, monos, groups, span, rng, verifier, late: Callable[[], bool]):
    """The new verified equations of one degree, or why the degree failed (``"time"``, ...)."""
    if late():
        return "time"
    n_pts = 2 * max(len(cols) for cols in groups.values()) + 10
    pts = np.stack([net.end_to_end(net.random_filters(rng)).ravel() for _ in range(n_pts)])
    pts /= np.linalg.norm(pts, axis=1, keepdims=True)
    new: list[Terms] = []
    for cols in groups.values():
        if late():
            return "time"
        group_monos = [monos[j] for j in cols]
        sub = span[:, cols].tocsr()
        sub = sub[np.diff(sub.indptr) > 0].toarray()  # the products of this weight
        A = np.prod(pts[: 2 * len(cols) + 10, np.array(group_monos)], axis=2)  # (points, monos)
        rows = _group_equations(A, sub)
        if isinstance(rows, str):
            return rows
        new += [{group_monos[j]: c for j, c in enumerate(r) if c} for r in rows]
    if not new and late():
        return "time"
    for terms in new:
        if late():
            return "time"
        if not verifier.vanishes(terms):
            return "rounding"
    return new


def _weight_groups(monos: list[tuple[int, ...]], coord_weight: np.ndarray) -> dict:
    """Monomial positions grouped by weight (the sum of their coordinates' multi-indices)."""
    weights = coord_weight[np.array(monos, dtype=int)].sum(axis=1)  # (N, D)
    groups: dict[tuple[int, ...], list[int]] = {}
    for j, wt in enumerate(map(tuple, weights)):
        groups.setdefault(wt, []).append(j)
    return {k: np.array(v) for k, v in sorted(groups.items())}


def _group_equations(A: np.ndarray, span: np.ndarray):
    """Integer null vectors of ``A`` (points x monomials) outside ``span``, or why none.

    ``span`` holds the lower-degree equations times monomials; failures: ``"rank"``, ``"rounding"``.
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
    if m == 0 or (span.shape[0] and np.linalg.matrix_rank(span) >= m):
        return []  # none, or all come from lower degrees
    V = Vt[Vt.shape[0] - m :].T / col[:, None] if s[0] != 0 else np.eye(N)
    _, _, piv = scipy.linalg.qr(V.T, pivoting=True)
    B = np.linalg.solve(V.T[:, piv[:m]], V.T)  # (m, N), identity on the pivot columns
    rounded = [_round(B[i]) for i in _new_rows(span, B)]
    if any(r is None for r in rounded):
        return "rounding"
    return [_integer_coefficients(r) for r in rounded if r is not None]


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
    """Rows of ``B`` independent of ``span`` and of each other (greedy Gram-Schmidt, 1e-8)."""
    basis = []
    if span.size:
        _, s, Vt = np.linalg.svd(span, full_matrices=False)
        basis = list(Vt[s > 1e-10 * s[0]])
    chosen = []
    for i, b in enumerate(B):
        v = b / np.linalg.norm(b)
        for _ in range(2 if basis else 0):  # twice is enough (re-orthogonalization)
            M = np.array(basis)
            v = v - M.T @ (M @ v)
        r = float(np.linalg.norm(v))
        if r > 1e-8:
            basis.append(v / r)
            chosen.append(i)
    return chosen
