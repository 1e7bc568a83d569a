"""Rescaling to prescribed invariants and the fibers of the parametrization map.

The fiber of an end-to-end filter ``w`` is the set of filter tuples ``theta`` with
``pi(theta) = w``. It always contains the scaling orbit ``(c_1 w_1, ..., c_L w_L)`` with
``prod c_l = 1``; fixing the invariants ``delta`` picks one point of each orbit up to signs
(Prop. 2, Prop. 12). ``net``, ``filters``, ``theta``, ``w``, ``delta``, ``rng``: as in
lcnn_widgets/README.md "Vocabulary".
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq, least_squares
from scipy.spatial import cKDTree

from ._validation import (
    as_complex_array,
    as_delta,
    as_finite_array,
    as_generator,
    as_moderate,
    as_network,
    as_nonzero_filters,
    as_positive_int,
    as_real,
    as_sequence,
    finite_result,
)
from .invariants import orbit_offsets
from .lcn import LCN, gauss_newton, invariant_jacobian, invariants, jacobian, join, pi, split

# fmt: off
__all__ = ["Fiber", "FiberPoint", "FilterRoots", "LayerRoots", "RescalingPrecisionWarning",
           "count_real_factorizations", "fibers", "filter_from_roots", "filter_roots",
           "is_in_neuromanifold", "multistart_fibers", "random_real_root_filters", "rescale",
           "rescaling_factors", "root_orbits", "sign_variants"]
# fmt: on


@finite_result
def rescaling_factors(norms_sq: ArrayLike, delta: ArrayLike) -> np.ndarray:
    """The positive factors ``c_l`` with ``prod c_l = 1`` that give invariants ``delta``.

    Parameters
    ----------
    norms_sq : array_like of shape (L,)
        Squared norms ``||w_l||^2 > 0`` of the filters (ValueError for a zero one).
    delta : array_like of shape (L - 1,)
        Target invariants ``||c_{l+1} w_{l+1}||^2 - ||c_l w_l||^2``.

    Returns
    -------
    ndarray of shape (L,)
        The unique positive factors (Prop. 2).

    Notes
    -----
    With ``a_l = ||c_l w_l||^2 = a_1 + sum_{j<l} delta_j``, ``prod c_l = 1`` reads ``sum_l log
    a_l = sum_l log ||w_l||^2``, increasing in ``a_1``: ``brentq`` gives ``a_1``.

    Examples
    --------
    >>> c = rescaling_factors([1.0, 4.0], [0.0])
    >>> np.round(c, 6)
    array([1.414214, 0.707107])
    """
    n2, offsets = orbit_offsets(norms_sq, delta)  # a_l = a_1 + offsets[l]
    if np.any(n2 <= 0):
        bad = int(np.flatnonzero(n2 <= 0)[0])
        raise ValueError(
            f"norms_sq[{bad}] = 0, i.e. filters[{bad}] is zero: rescaling needs every filter "
            "to be nonzero (the scaling orbit of a zero filter does not reach other invariants)"
        )
    if n2.size == 1:
        return np.ones(1)
    # write a_1 = lo + exp(z): then a_l = exp(z) + b_l with b_l >= 0 and min b_l = 0, and
    # g(z) = sum_l log(exp(z) + b_l) - sum_l log ||w_l||^2 increases from -inf to +inf
    lo = max(0.0, -float(np.min(offsets)))
    b = np.maximum(lo + offsets, 0.0)
    log_b = np.log(b, where=b > 0, out=np.full_like(b, -np.inf))
    log_target = float(np.sum(np.log(n2)))

    def g(z: float) -> float:
        return float(np.sum(np.logaddexp(z, log_b)) - log_target)

    z_hi, step = float(np.log(max(np.max(n2), np.max(b), 1e-300))), 1.0
    while g(z_hi) < 0:
        z_hi, step = z_hi + step, 2 * step
    z_lo, step = z_hi - 1.0, 1.0
    while g(z_lo) > 0:
        z_lo, step = z_lo - step, 2 * step
    z = brentq(g, z_lo, z_hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    return np.sqrt((np.exp(z) + b) / n2)


@finite_result
def rescale(net: LCN, filters: Sequence[ArrayLike], delta: ArrayLike) -> list[np.ndarray]:
    """Rescale filters within their scaling orbit to prescribed invariants (Prop. 2, Prop. 12).

    Parameters
    ----------
    net, filters, delta
        Nonzero filters; the target invariants.

    Returns
    -------
    list of ndarray
        ``(c_1 w_1, ..., c_L w_L)``, ``c_l > 0``, ``prod c_l = 1`` (same ``pi``), at ``delta``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([2, 2], [2, 1])
    >>> fs = rescale(net, [[3.0, 0.0], [1.0, 0.0]], [8.0])
    >>> np.allclose(net.invariants(fs), [8.0]), np.allclose(net.end_to_end(fs), [3, 0, 0, 0])
    (True, True)
    """
    as_network(net, "net", needs=("filter_shapes",))
    return _rescaled(net.check_filters(filters), as_delta(delta, net.n_layers))


def _rescaled(fs: list[np.ndarray], d: np.ndarray) -> list[np.ndarray]:
    """:func:`rescale` of checked filters and invariants."""
    n2 = [float(np.sum(f**2)) for f in fs]
    for i, (f, v) in enumerate(zip(fs, n2, strict=True)):
        if v == 0.0 and np.any(f):
            raise ValueError(
                f"filters[{i}] is too small to rescale: its squared norm underflows to 0 in "
                f"float64 (max |entry| = {float(np.max(np.abs(f))):.3g}); rescale it first"
            )
    out = [ci * f for ci, f in zip(rescaling_factors(n2, d), fs, strict=True)]
    tiny = float(np.finfo(float).tiny)
    small = [v for v in n2 + [float(np.sum(f**2)) for f in out] if 0.0 < v < tiny]
    if small:
        warnings.warn(
            f"a squared filter norm is subnormal in float64 ({min(small):.3g} < {tiny:.3g}): "
            "the invariants delta of the rescaled filters are accurate to a few digits at "
            "best; rescale the filters to moderate magnitudes first",
            RescalingPrecisionWarning,
            stacklevel=2,
        )
    return out


class RescalingPrecisionWarning(RuntimeWarning):
    """A squared filter norm is subnormal in float64: invariants keep only a few digits."""


# ---------------------------------------- fibers of the parametrization map (Thm 4, Sec. 2.3)
_ZERO_RTOL = 64 * np.finfo(float).eps  #: |w_i| <= this * max|w| counts as an exact zero
_MATCH_RTOL = 1e-3  #: roots closer than this (relative) may be matched into one orbit
_DEDUP_RTOL = 1e-6  #: fiber points closer than this (relative) are the same point
_MULTISTART_DEDUP_RTOL = 1e-4  #: looser: Gauss-Newton is slow at singular solutions
_POLISH_ITERS = 40  #: Gauss-Newton steps that polish a candidate factorization
_CLUSTER_K = 1e6  #: m roots within (eps K)^(1/m) (relative) of their mean form an m-fold root


@dataclass(frozen=True)
class FiberPoint:
    """One point of a fiber, up to the ``2^(L-1)`` sign flips that keep ``pi`` and ``delta``."""

    filters: tuple[np.ndarray, ...]  # layer 1 first, of shapes net.filter_shapes
    residual: float  # relative residual ||pi(theta) - w|| / ||w||

    def with_signs(self) -> list[tuple[np.ndarray, ...]]:
        """All ``2^(L-1)`` sign variants of this point (see :func:`sign_variants`)."""
        return sign_variants(self.filters)


@dataclass(frozen=True)
class Fiber:
    """The real fiber ``pi^{-1}(w)`` intersected with ``{delta(theta) = delta}``."""

    w: np.ndarray
    delta: np.ndarray  # shared by every point (zeros when none was given: balanced points)
    points: tuple[FiberPoint, ...]  # one per sign class (the sign variants: with_signs)
    method: str = "roots"  # exact root-orbit enumeration (1D), or "multistart" (numerical)

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self):
        return iter(self.points)

    def __getitem__(self, i: int) -> FiberPoint:
        return self.points[i]

    @property
    def filters(self) -> list[tuple[np.ndarray, ...]]:
        """The filter tuple of every point (one per sign class)."""
        return [p.filters for p in self.points]

    @property
    def max_residual(self) -> float:
        """The largest relative residual ``||pi(theta) - w|| / ||w||`` over the points."""
        return max((p.residual for p in self.points), default=0.0)

    def with_signs(self) -> list[tuple[np.ndarray, ...]]:
        """Every point with all its sign variants: ``len(self) * 2^(L-1)`` filter tuples."""
        return [v for p in self.points for v in sign_variants(p.filters)]


def sign_variants(filters: Sequence[ArrayLike]) -> list[tuple[np.ndarray, ...]]:
    """The ``2^(L-1)`` sign flips ``(eps_1 w_1, ..., eps_L w_L)`` with ``prod eps_l = 1``.

    Parameters
    ----------
    filters : sequence of array_like

    Returns
    -------
    list of tuple of ndarray
        The unchanged tuple first; all with the same ``pi`` and invariants.

    Notes
    -----
    Thm 4: at fixed invariants a fiber point is unique up to exactly these signs, and the NTK
    ``Theta = sum_l J_l J_l^T`` does not see them.

    Examples
    --------
    >>> len(sign_variants([[1.0, 2.0], [3.0], [4.0, 5.0]]))
    4
    """
    items = as_sequence(filters, "filters", "arrays (one per layer)")
    fs = [as_finite_array(f, f"filters[{i}]") for i, f in enumerate(items)]
    if not fs:
        raise ValueError("filters must hold at least one filter: got an empty sequence")
    return [
        tuple(e * f for e, f in zip((*eps, float(np.prod(eps))), fs, strict=True))
        for eps in itertools.product((1.0, -1.0), repeat=len(fs) - 1)
    ]


@dataclass(frozen=True)
class FilterRoots:
    """The roots of ``p_w(t) = sum_i w_i t^i`` on the Riemann sphere."""

    finite: np.ndarray  # (n,) complex: the nonzero finite roots, with repetition
    n_zero: int  # multiplicity of t = 0 (leading zeros of w)
    n_inf: int  # multiplicity of t = inf (trailing zeros of w)

    @property
    def degree(self) -> int:
        """Number of roots counted on the sphere, ``k - 1``."""
        return self.finite.size + self.n_zero + self.n_inf


@finite_result
def filter_roots(w: ArrayLike) -> FilterRoots:
    """The roots of the polynomial ``p_w(t) = sum_i w_i t^i`` of a 1D filter.

    Parameters
    ----------
    w : array_like of shape (k,)
        A nonzero filter; ``w[i]`` multiplies ``t^i`` (equivalently ``x^(k-1-i) y^i``).

    Returns
    -------
    FilterRoots

    Notes
    -----
    End entries ``|w_i| <= 64 eps max|w|`` count as zeros. ``numpy.roots`` gives simple roots
    to about machine precision, a root of multiplicity ``m`` only to about ``eps^(1/m)``.

    Examples
    --------
    >>> r = filter_roots([0.0, 1.0, 0.0, -1.0, 0.0])   # t - t^3 = -t (t - 1)(t + 1)
    >>> np.sort(r.finite.real), r.n_zero, r.n_inf
    (array([-1.,  1.]), 1, 1)
    """
    arr = as_finite_array(w, "w", ndim=1)
    if not np.any(arr):
        raise ValueError("w must be nonzero: the zero filter has no roots to speak of")
    nz = np.flatnonzero(np.abs(arr) > _ZERO_RTOL * float(np.max(np.abs(arr))))
    mid = arr[nz[0] : nz[-1] + 1]  # without the leading and trailing zeros
    finite = np.roots(mid[::-1]).astype(complex) if mid.size > 1 else np.zeros(0, complex)
    return FilterRoots(finite=finite, n_zero=int(nz[0]), n_inf=int(arr.size - 1 - nz[-1]))


@dataclass(frozen=True)
class LayerRoots:
    """The roots that one layer contributes to ``p_w``: orbits of ``S``-th roots.

    ``rho = 0`` and ``rho = inf`` (counted by ``n_zero``, ``n_inf``) each stand for ``S`` roots.
    """

    layer: int  # l, 1-based
    stride: int  # the accumulated stride S = S_{l-1} that dilates the layer
    base: np.ndarray  # (n,) complex: the nonzero finite roots rho of the layer polynomial q_l
    orbits: np.ndarray  # (n, S) complex: row j holds the S roots t of t^S = base[j]
    n_zero: int
    n_inf: int


def _orbit(rho: complex, S: int) -> np.ndarray:
    """The ``S`` solutions of ``t^S = rho``."""
    mod, arg = abs(rho) ** (1.0 / S), np.angle(rho)
    return mod * np.exp(1j * (arg + 2 * np.pi * np.arange(S)) / S)


@finite_result
def root_orbits(net: LCN, filters: Sequence[ArrayLike]) -> tuple[LayerRoots, ...]:
    """The roots of each layer's factor ``q_l(t^{S_{l-1}})`` of ``p_w``, grouped in orbits.

    Parameters
    ----------
    net, filters
        A 1D network and nonzero filters.

    Returns
    -------
    tuple of LayerRoots
        One per layer; together the roots of ``p_w`` for ``w = pi(filters)``.

    Notes
    -----
    Eq. (8): ``p_w(t) = q_1(t) q_2(t^{S_1}) ... q_L(t^{S_{L-1}})``; a root ``rho`` of ``q_l``
    gives the ``S_{l-1}`` roots ``t`` with ``t^{S_{l-1}} = rho``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> lr = root_orbits(LCN([3, 2], [2, 1]), [[1, 0, -1], [1, -4]])
    >>> np.round(np.sort(lr[1].orbits.real.ravel()), 6)
    array([-0.5,  0.5])
    """
    as_network(net, "net", needs=("filter_shapes",))
    if not net.is_1d:
        raise ValueError(f"root_orbits needs a 1D network: got {net!r}")
    fs = as_nonzero_filters(net.check_filters(filters), reason="a zero filter has no roots")
    out = []
    for l, (f, S) in enumerate(zip(fs, net.accumulated_strides, strict=True)):
        r = filter_roots(f)
        orbits = np.array([_orbit(rho, S) for rho in r.finite]).reshape(r.finite.size, S)
        out.append(LayerRoots(l + 1, int(S), r.finite, orbits, r.n_zero, r.n_inf))
    return tuple(out)


@finite_result
def filter_from_roots(
    roots: ArrayLike, *, n_zero: int = 0, n_inf: int = 0, scale: float = 1.0
) -> np.ndarray:
    """The real filter whose polynomial has the given roots (inverse of :func:`filter_roots`).

    Parameters
    ----------
    roots : array_like of complex, shape (n,)
        Finite nonzero roots, closed under complex conjugation.
    n_zero, n_inf : int, default=0
        Multiplicities of the roots ``0`` and ``inf``.
    scale : float, default=1.0
        The coefficient of ``t^(n_zero + n)`` (the highest nonzero one).

    Returns
    -------
    ndarray of shape (n_zero + n + n_inf + 1,)
        ``w`` with ``p_w(t) = scale * t^n_zero * prod (t - r)`` and ``n_inf`` trailing zeros.

    Examples
    --------
    >>> filter_from_roots([1.0, -1.0], n_inf=1)   # (t - 1)(t + 1) = -1 + t^2, degree 3
    array([-1.,  0.,  1.,  0.])
    """
    r = as_complex_array(roots, "roots")
    if not np.all(np.isfinite(r)):
        raise ValueError(f"roots must be finite: got {r}")
    for name, m in (("n_zero", n_zero), ("n_inf", n_inf)):
        if isinstance(m, (bool, np.bool_)) or not isinstance(
            m, (int, float, np.integer, np.floating)
        ):
            raise TypeError(f"{name} must be a non-negative integer: got {m!r:.60}")
        if not np.isfinite(m) or int(m) != m or m < 0:
            raise ValueError(f"{name} must be a non-negative integer: got {m}")
    scale = as_real(scale, "scale")
    coeffs = np.poly(r)[::-1] if r.size else np.ones(1, complex)
    if np.max(np.abs(coeffs.imag)) > 1e-9 * max(1.0, float(np.max(np.abs(coeffs)))):
        raise ValueError(
            "roots must be closed under complex conjugation (otherwise the filter is not "
            f"real): got {np.round(r, 6)}"
        )
    return float(scale) * np.concatenate([np.zeros(int(n_zero)), coeffs.real, np.zeros(int(n_inf))])


def random_real_root_filters(net: LCN, rng: np.random.Generator) -> list[np.ndarray]:
    """Random 1D filters whose polynomials have only real roots, with random signed scales.

    Real roots are the hardest case for unique fibers (with a stride one they can move between
    layers in every way). Roots are standard normal, ``log |scale|`` normal with sd 0.5.

    >>> from lcnn_widgets import LCN
    >>> fs = random_real_root_filters(LCN([3, 2], [1, 1]), np.random.default_rng(0))
    >>> [bool(np.all(np.isreal(np.roots(f)))) for f in fs]
    [True, True]
    """
    as_network(net, "net", needs=("filter_shapes", "is_1d"))
    as_generator(rng)
    if not net.is_1d:
        raise ValueError(f"random_real_root_filters needs a 1D network: got {net!r}")
    return [
        filter_from_roots(
            rng.standard_normal(k - 1),
            scale=float(np.exp(rng.normal(0, 0.5)) * rng.choice([-1, 1])),
        )
        for (k,) in net.filter_shapes
    ]


def _as_w(net: LCN, w: ArrayLike) -> np.ndarray:
    arr = as_moderate(as_finite_array(w, "w"), "w")
    shape = net.end_to_end_shape
    if arr.shape != shape:
        expected = shape[0] if net.is_1d else shape
        got = arr.shape[0] if (net.is_1d and arr.ndim == 1) else arr.shape
        raise ValueError(f"w must have the end-to-end shape {expected} of {net!r}: got shape {got}")
    return arr.reshape(shape)


def _as_tol(tol: float) -> float:
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating, np.integer)):
        raise TypeError(f"tol must be a positive number: got {tol!r}")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive finite number: got {tol!r}")
    return float(tol)


def _fiber_inputs(
    net: LCN, w: ArrayLike, delta: ArrayLike | None, tol: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Checked nonzero ``w``, ``delta`` (zeros for ``None``) and ``tol`` of :func:`fibers`."""
    as_network(net, "net", needs=("filter_shapes",))
    wa = _as_w(net, w)
    d = np.zeros(net.n_layers - 1) if delta is None else as_delta(delta, net.n_layers)
    tol = _as_tol(tol)
    if not np.any(wa):
        raise ValueError(
            "w = 0: its fiber is not finite up to scaling (every tuple with a zero filter "
            "maps to 0)"
        )
    return wa, d, tol


def _not_in_m(net: LCN, reason: str) -> ValueError:
    return ValueError(f"w is not in the neuromanifold of {net!r}: {reason}")


def _canonical(fs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Sign representative: in layers 1..L-1 the first entry above ``1e-6 max|w_l|`` is > 0."""
    out = [f.copy() for f in fs]
    for l in range(len(out) - 1):
        flat = out[l].ravel()
        big = np.flatnonzero(np.abs(flat) > 1e-6 * np.max(np.abs(flat)))
        if big.size and flat[big[0]] < 0:
            out[l], out[-1] = -out[l], -out[-1]
    return [f + 0.0 for f in out]  # + 0.0 turns -0.0 into 0.0


def _dedup(points: list[FiberPoint], rtol: float = _DEDUP_RTOL) -> tuple[FiberPoint, ...]:
    """Merge points equal up to signs (relative distance ``rtol``); sort the rest."""
    if not points:
        return ()
    pts = sorted(points, key=lambda q: q.residual)
    reps = [_canonical(p.filters) for p in pts]
    X = np.array([join(r) for r in reps])
    X = X / max(1e-300, float(np.max(np.linalg.norm(X, axis=1))))
    keep = np.ones(len(pts), bool)
    for i, j in sorted(cKDTree(X).query_pairs(rtol)):
        if keep[i] and keep[j]:
            keep[j] = False  # j has the larger residual
    out = [FiberPoint(tuple(r), p.residual) for p, r, k in zip(pts, reps, keep, strict=True) if k]
    return tuple(sorted(out, key=lambda q: tuple(np.round(join(q.filters), 8))))


def _finish(
    net: LCN, fs: list[np.ndarray], w: np.ndarray, d: np.ndarray, tol: float
) -> list[FiberPoint]:
    """Polish a candidate (Gauss-Newton), rescale it to ``delta``: ``[point]`` if within tol."""
    if not all(np.any(f) for f in fs):
        return []
    theta = join(_rescaled(fs, np.zeros(net.n_layers - 1)))
    fs = split(net, gauss_newton(net, theta, w, steps=_POLISH_ITERS)[0])
    if not all(np.any(f) for f in fs):
        return []
    eps4 = 4 * np.finfo(float).eps
    fs = [np.where(np.abs(f) <= eps4 * np.max(np.abs(f)), 0.0, f) for f in _rescaled(fs, d)]
    res = float(np.linalg.norm(pi(net, join(fs)) - w) / np.linalg.norm(w))
    return [FiberPoint(filters=tuple(fs), residual=res)] if res <= tol else []


def _zero_inf_allocations(caps: list[int], acc: list[int], m0: int, minf: int):
    """Roots ``rho = 0``/``inf`` per layer, ``(a_l), (b_l)``: ``sum a_l S_{l-1} = m0`` etc."""
    if not caps:
        if m0 == 0 and minf == 0:
            yield (), ()
        return
    S = acc[0]
    for a in range(min(caps[0], m0 // S) + 1):
        for b in range(min(caps[0] - a, minf // S) + 1):
            for ra, rb in _zero_inf_allocations(caps[1:], acc[1:], m0 - a * S, minf - b * S):
                yield (a, *ra), (b, *rb)


def _orbit_assignments(roots: np.ndarray, caps: list[int], acc: list[int]):
    """Yield every layer's ``rho`` values for each split of the roots into conjugate orbits."""
    n, L = roots.size, len(caps)
    used = np.zeros(n, bool)
    caps = list(caps)
    rhos: list[list[complex]] = [[] for _ in range(L)]
    mags = np.abs(roots)

    def match(first: int, S: int, taken: list[int]) -> list[int] | None:
        """Indices of unused roots forming the orbit of ``roots[first]`` under S-th roots."""
        idx = [first]
        zeta = np.exp(2j * np.pi / S)
        for j in range(1, S):
            z = roots[first] * zeta**j
            d = np.abs(roots - z)
            d[used] = d[idx + taken] = np.inf
            m = int(np.argmin(d))
            if not d[m] <= _MATCH_RTOL * max(abs(z), mags[m]):
                return None
            idx.append(m)
        return idx

    def rec():
        free = np.flatnonzero(~used)
        if free.size == 0:
            yield [list(r) for r in rhos]
            return
        i = int(free[0])
        for l in range(L):
            S = acc[l]
            orb = match(i, S, []) if caps[l] else None
            if orb is None:
                continue
            rho = complex(np.mean(roots[orb] ** S))
            if abs(rho.imag) <= _MATCH_RTOL * abs(rho):  # a real rho: one orbit
                group, new = orb, [complex(rho.real)]
            else:  # its conjugate orbit must go to the same layer
                if caps[l] < 2:
                    continue
                d = np.abs(roots - np.conj(roots[i]))
                d[used] = d[orb] = np.inf
                c = int(np.argmin(d))
                corb = match(c, S, orb) if d[c] <= _MATCH_RTOL * mags[i] else None
                if corb is None:
                    continue
                group, new = orb + corb, [rho, np.conj(rho)]
            used[group] = True
            caps[l] -= len(new)
            rhos[l].extend(new)
            yield from rec()
            del rhos[l][-len(new) :]
            caps[l] += len(new)
            used[group] = False

    yield from rec()


def _cluster_roots(roots: np.ndarray) -> np.ndarray:
    """Replace each ``m``-fold root (``m`` roots within ``(eps K)^(1/m)``) by the roots' mean.

    Single linkage at the loosest radius, split recursively; the mean is accurate to ``eps K``.
    """
    out = roots.astype(complex).copy()
    eps = np.finfo(float).eps

    def radius(m: int) -> float:
        return (eps * _CLUSTER_K) ** (1.0 / m)

    def components(idx: np.ndarray, thr: float) -> list[np.ndarray]:
        r, a = roots[idx], np.abs(roots[idx])
        reach = np.abs(r[:, None] - r[None, :]) <= thr * np.maximum(a[:, None], a[None, :])
        while True:  # transitive closure of the (reflexive) adjacency by repeated squaring
            wider = (reach.astype(np.int64) @ reach.astype(np.int64)) > 0
            if np.array_equal(wider, reach):
                break
            reach = wider
        seen, out = np.zeros(idx.size, bool), []
        for i in range(idx.size):  # components in the order of their first member
            if not seen[i]:
                out.append(idx[reach[i]])
                seen |= reach[i]
        return out

    def rec(idx: np.ndarray, m_max: int) -> None:
        if m_max < 2:
            return
        for comp in components(idx, 2 * radius(m_max)):
            m = comp.size
            if m < 2:
                continue
            c = complex(np.mean(roots[comp]))
            if m <= m_max and np.max(np.abs(roots[comp] - c)) <= radius(m) * abs(c):
                out[comp] = complex(c.real) if abs(c.imag) <= radius(m) * abs(c) else c
            else:
                rec(comp, min(m, m_max) - 1)

    rec(np.arange(roots.size), roots.size)
    return out


def _layer_filter(rhos: list[complex], a: int, b: int) -> np.ndarray:
    """Monic layer filter with finite roots ``rhos``, ``a`` roots at 0 and ``b`` at inf."""
    q = np.poly(np.array(rhos, complex))[::-1].real if rhos else np.ones(1)
    return np.concatenate([np.zeros(a), q, np.zeros(b)])


def _root_fibers(net: LCN, w: np.ndarray, d: np.ndarray, tol: float) -> tuple[FiberPoint, ...]:
    """The fiber points of :func:`fibers` with ``method="roots"`` (checked inputs)."""
    r = filter_roots(w)
    finite = _cluster_roots(r.finite)
    caps = [s[0] - 1 for s in net.filter_shapes]
    acc = [int(S) for S in net.accumulated_strides]
    candidates: list[FiberPoint] = []
    seen: set[bytes] = set()  # equal roots give equal candidates: polish each only once
    for a, b in _zero_inf_allocations(caps, acc, r.n_zero, r.n_inf):
        rest = [c - ai - bi for c, ai, bi in zip(caps, a, b, strict=True)]
        if sum(c * S for c, S in zip(rest, acc, strict=True)) != finite.size:
            continue
        for rhos in _orbit_assignments(finite, rest, acc):
            fs = [_layer_filter(rh, ai, bi) for rh, ai, bi in zip(rhos, a, b, strict=True)]
            key = np.round(np.concatenate(fs), 12).tobytes()
            if key in seen:
                continue
            seen.add(key)
            prod = pi(net, join(fs))
            c = float(np.dot(prod, w) / np.dot(prod, prod))
            if c == 0.0:
                continue
            fs[0] = c * fs[0]
            candidates += _finish(net, fs, w, d, tol)
    return _dedup(candidates)


@finite_result
def fibers(
    net: LCN,
    w: ArrayLike,
    delta: ArrayLike | None = None,
    *,
    tol: float = 1e-7,
    method: str = "auto",
    rng: np.random.Generator | None = None,
    n_starts: int = 64,
) -> Fiber:
    """All real filter tuples with end-to-end filter ``w`` and invariants ``delta`` (Thm 4).

    Parameters
    ----------
    net, w
        ``w`` nonzero, of shape ``net.end_to_end_shape``.
    delta : array_like of shape (L - 1,), optional
        The invariants of the returned points; ``None`` means balanced (``delta = 0``).
    tol : float, default=1e-7
        Largest accepted relative residual ``||pi(theta) - w|| / ||w||``.
    method : {"auto", "roots", "multistart"}, default="auto"
        ``"roots"``: exact root-orbit enumeration (1D only); ``"multistart"``:
        :func:`multistart_fibers`; ``"auto"``: roots in 1D, multistart in D dimensions (for
        exact D-dim factorizations see :func:`lcnn_widgets.higher_dim.factor_end_to_end`).
    rng : numpy.random.Generator, optional
        Only for ``"multistart"`` (default ``numpy.random.default_rng(0)``), as ``n_starts``.
    n_starts : int, default=64

    Returns
    -------
    Fiber
        ``len(fiber)`` real factorizations of ``w`` up to scaling and signs; without one,
        ValueError ``"w is not in the neuromanifold of ..."``.

    Notes
    -----
    Sec. 2.3, eq. (8): ``p_w(t) = q_1(t) q_2(t^{S_1}) ... q_L(t^{S_{L-1}})``, so a root ``rho``
    of ``q_l`` claims the orbit ``{t : t^{S_{l-1}} = rho}``. Backtracking gives each layer
    ``k_l - 1`` conjugation-closed orbits; each candidate is polished and rescaled (Prop. 2).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([3, 2], [1, 1])                     # stride one: a cubic times nothing
    >>> len(fibers(net, [1, 0, -1, 0]))               # x^3 - x y^2 = x (x - y)(x + y)
    3
    >>> len(fibers(LCN([3, 2], [2, 1]), [1, 1, 3, 2, 2]))  # = pi((1, 1, 1), (1, 2))
    1
    """
    if not isinstance(method, str) or method not in ("auto", "roots", "multistart"):
        raise ValueError(f"method must be 'auto', 'roots' or 'multistart': got {method!r}")
    wa, d, tol = _fiber_inputs(net, w, delta, tol)
    if method == "multistart" or (method == "auto" and not net.is_1d):
        rng = np.random.default_rng(0) if rng is None else rng
        return multistart_fibers(net, wa, d, rng=rng, n_starts=n_starts, tol=tol)
    if not net.is_1d:
        raise ValueError(f"method='roots' needs a 1D network: got {net!r}; use method='multistart'")
    points = _root_fibers(net, wa, d, tol)
    if not points:
        r = filter_roots(wa)
        roots = [
            f"{z.real:.3g}" + (f"{z.imag:+.3g}j" if abs(z.imag) > 1e-12 else "") for z in r.finite
        ]
        roots += ["0"] * r.n_zero + ["inf"] * r.n_inf
        raise _not_in_m(
            net,
            "the roots of p_w cannot be split into layers (layer l needs k_l - 1 complete "
            "orbits {t : t^S = rho} with S = S_{l-1}, closed under complex conjugation); "
            f"roots: [{', '.join(roots)}]",
        )
    return Fiber(w=wa, delta=d, points=points, method="roots")


def count_real_factorizations(net: LCN, w: ArrayLike, *, tol: float = 1e-7) -> int:
    """The number of real factorizations of ``w`` up to scaling (0 if ``w`` is not in ``M``).

    ``net``, ``w``, ``tol`` as in :func:`fibers` (ValueError for ``w = 0`` or a wrong shape).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([3, 2], [1, 1])
    >>> count_real_factorizations(net, [1, 0, -1, 0]), count_real_factorizations(net, [1, 0, 1, 0])
    (3, 1)
    """
    try:
        return len(fibers(net, w, tol=tol))
    except ValueError as exc:
        if str(exc).startswith("w is not in the neuromanifold"):
            return 0
        raise


def is_in_neuromanifold(net: LCN, w: ArrayLike, *, tol: float = 1e-7) -> bool:
    """Whether ``w`` has a real factorization ``w = pi(theta)`` (``True`` for ``w = 0``).

    ``net``, ``w``, ``tol`` as in :func:`fibers`. Exact up to ``tol`` in 1D; in D dimensions the
    numerical test of :func:`multistart_fibers`.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([3, 2], [2, 1])
    >>> is_in_neuromanifold(net, [1, 0, 1, 0, 1]), is_in_neuromanifold(net, [1, 0, 3, 0, 1])
    (False, True)
    """
    as_network(net, "net", needs=("filter_shapes",))
    wa = _as_w(net, w)
    return not np.any(wa) or count_real_factorizations(net, wa, tol=tol) > 0


@finite_result
def multistart_fibers(
    net: LCN,
    w: ArrayLike,
    delta: ArrayLike | None = None,
    *,
    rng: np.random.Generator,
    n_starts: int = 64,
    tol: float = 1e-7,
) -> Fiber:
    """Fiber points found numerically from many random starts (any dimension).

    Parameters
    ----------
    net, w, delta, tol
        As in :func:`fibers` (``net`` 1D or D-dimensional).
    rng : numpy.random.Generator
    n_starts : int, default=64
        Number of random starts.

    Returns
    -------
    Fiber
        The distinct points found (``method="multistart"``); ValueError as in :func:`fibers`.

    Notes
    -----
    Each start solves ``pi(theta) = w``, ``delta(theta) = delta`` by Levenberg-Marquardt
    (``least_squares``, Jacobian ``[J ; D delta]``), then Gauss-Newton polish and rescaling to
    ``delta`` (Prop. 2/12). A check, not a proof; the exact 1D method is :func:`fibers`.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> fib = multistart_fibers(LCN([3, 2], [1, 1]), [1, 0, -1, 0], rng=np.random.default_rng(0))
    >>> len(fib)
    3
    """
    as_generator(rng)
    n_starts = as_positive_int(n_starts, "n_starts")
    wa, d, tol = _fiber_inputs(net, w, delta, tol)
    wflat = wa.ravel()
    wn = float(np.linalg.norm(wflat))
    L = net.n_layers
    dscale = wn ** (2.0 / L)  # the size of ||w_l||^2 at a balanced point

    def fun(theta: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [(pi(net, theta).ravel() - wflat) / wn, (invariants(net, theta) - d) / dscale]
        )

    def jac(theta: np.ndarray) -> np.ndarray:
        return np.vstack([jacobian(net, theta) / wn, invariant_jacobian(net, theta) / dscale])

    tight = {"xtol": 1e-15, "ftol": 1e-15, "gtol": 1e-15}  # stop at rounding level
    found: list[FiberPoint] = []
    for _ in range(n_starts):
        theta0 = join(net.random_filters(rng))
        p0 = np.linalg.norm(pi(net, theta0))
        if p0 == 0:
            continue
        theta0 *= (wn / p0) ** (1.0 / L)
        sol = least_squares(fun, theta0, jac=jac, method="lm", max_nfev=200 * theta0.size, **tight)
        if np.sqrt(2 * sol.cost) <= 1e-4:  # else stuck away from the fiber: skip the polish
            found += _finish(net, split(net, sol.x), wa, d, tol)
    points = _dedup(found, rtol=_MULTISTART_DEDUP_RTOL)
    if not points:
        raise _not_in_m(
            net,
            f"none of {n_starts} least-squares solves from random starts reached the "
            f"relative residual tol = {tol:g} (numerical verdict)",
        )
    return Fiber(w=wa, delta=d, points=points, method="multistart")
