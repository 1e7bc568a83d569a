"""Stride one: several factorizations of one end-to-end filter, and their different NTKs.

With stride one between two layers, the roots of ``p_w`` can be shared out between the layers
in several ways (Sec. 2.3, Ex. 19). On top of :mod:`lcnn_widgets.fibers`: the count of real
factorizations from the roots alone (:func:`stride_one_factorization_count`, an independent
oracle), a cubic whose pair of roots turns complex (:func:`cubic_roots`), and the NTKs of a
fiber (:func:`fiber_ntks`, :func:`ntk_spread`). Names: lcnn_widgets/README.md "Vocabulary".

>>> from lcnn_widgets import LCN
>>> fn = fiber_ntks(LCN([3, 2], [1, 1]), [1, 0, -1, 0])     # Ex. 19: x^3 - x y^2
>>> len(fn.fiber), round(fn.spread, 6)
(3, 2.898624)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_complex_array,
    as_finite_array,
    as_network,
    as_real,
    as_sequence,
    finite_result,
)
from .fibers import Fiber, fibers
from .higher_dim import compositions
from .lcn import join, ntk, spread

if TYPE_CHECKING:  # pragma: no cover
    from .lcn import LCN

__all__ = ["FiberNTKs", "cubic_roots", "fiber_ntks", "ntk_spread", "stride_one_factorization_count"]


@finite_result
def ntk_spread(net: LCN, points: Sequence[Sequence[ArrayLike]]) -> float:
    """The largest Frobenius distance ``max_{i,j} ||Theta_i - Theta_j||_F`` between NTKs.

    Parameters
    ----------
    net : LCN
    points : sequence of filter tuples
        At least one parameter point ``theta_i`` (for example the points of a fiber).

    Returns
    -------
    float
        ``0.0`` for a single point; zero up to rounding iff all ``Theta_i = J J^T`` agree.

    Notes
    -----
    Sec. 2.3, Ex. 19: with a stride one, points of one fiber at fixed invariants can have
    different NTKs; with all strides > 1 (Thm 4) or D >= 2 (Thm 13) not on the smooth locus.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([3, 2], [1, 1])
    >>> round(ntk_spread(net, [[[1, -1, 0], [1, 1]], [[1, 1, 0], [1, -1]]]) ** 2, 9)
    8.0
    """
    as_network(net, "net", needs=("filter_shapes",))
    pts = as_sequence(points, "points", "filter tuples")
    if not pts:
        raise ValueError("points must hold at least one filter tuple: got an empty sequence")
    return spread([net.ntk(p) for p in pts])


@dataclass(frozen=True, eq=False)
class FiberNTKs:
    """The real fiber of ``(w, delta)`` with the NTK of each of its points."""

    fiber: Fiber  # from lcnn_widgets.fibers.fibers (one point per sign class)
    ntks: tuple[np.ndarray, ...]  # (K, K) each: J J^T at fiber[i] (sign flips do not change it)
    spread: float  # max_{i,j} ||ntks[i] - ntks[j]||_F, as ntk_spread


@finite_result
def fiber_ntks(
    net: LCN, w: ArrayLike, delta: ArrayLike | None = None, **fiber_kwargs: Any
) -> FiberNTKs:
    """Every real fiber point of ``(w, delta)`` with its NTK, and the largest NTK difference.

    Parameters
    ----------
    net, w, delta, **fiber_kwargs
        As in :func:`lcnn_widgets.fibers.fibers` (``delta=None``: balanced).

    Returns
    -------
    FiberNTKs

    Notes
    -----
    Ex. 19: for sizes ``(3, 2)``, strides ``(1, 1)`` and ``w = (1, 0, -1, 0)`` the three
    balanced points have three different NTKs.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> fn = fiber_ntks(LCN([3, 2], [2, 1]), [1, 1, 3, 2, 2])   # stride 2: one point
    >>> len(fn.ntks), fn.spread
    (1, 0.0)
    """
    fib = fibers(net, w, delta, **fiber_kwargs)
    ntks = tuple(ntk(net, join(p.filters)) for p in fib)
    return FiberNTKs(fiber=fib, ntks=ntks, spread=spread(ntks))


@finite_result
def cubic_roots(r: float, center: float, disc: float) -> np.ndarray:
    """The roots ``r`` and ``center +- sqrt(disc)`` of a real cubic.

    The pair is real for ``disc > 0``, double at 0, ``center +- i sqrt(-disc)`` for ``disc < 0``.

    Parameters
    ----------
    r, center, disc : float
        The real root, the midpoint of the pair and a quarter of the discriminant of
        ``t^2 - 2 center t + center^2 - disc``.

    Returns
    -------
    ndarray of complex, shape (3,)
        ``[r, center + sqrt(disc), center - sqrt(disc)]`` (principal square root).

    Examples
    --------
    >>> cubic_roots(0.0, 1.0, 4.0).real
    array([ 0.,  3., -1.])
    >>> cubic_roots(0.0, 1.0, -4.0)[1:]
    array([1.+2.j, 1.-2.j])
    """
    args = {"r": r, "center": center, "disc": disc}
    rr, c, g = (float(as_finite_array(v, n, ndim=0)) for n, v in args.items())
    s = np.sqrt(complex(g))
    return np.array([rr, c + s, c - s], dtype=complex)


def _root_groups(roots: np.ndarray, tol: float) -> tuple[list[int], list[int]]:
    """Multiplicities of the distinct real roots and of the distinct conjugate pairs."""
    scale = np.maximum(1.0, np.abs(roots))
    is_real = np.abs(roots.imag) <= tol * scale
    upper = roots[~is_real & (roots.imag > 0)]
    lower = roots[~is_real & (roots.imag < 0)]
    if upper.size != lower.size or not np.allclose(
        np.sort_complex(upper), np.sort_complex(np.conj(lower)), rtol=tol, atol=tol
    ):
        raise ValueError(
            "roots must be closed under complex conjugation (p_w has real coefficients): got "
            f"{np.round(roots, 6)}"
        )

    def multiplicities(values: np.ndarray) -> list[int]:
        counts: list[int] = []
        rep: list[complex] = []
        for v in values:
            i = next((i for i, q in enumerate(rep) if abs(v - q) <= tol * max(1.0, abs(q))), -1)
            if i < 0:
                rep.append(v)
                counts.append(0)
            counts[i] += 1
        return counts

    return multiplicities(np.sort(roots[is_real].real)), multiplicities(np.sort_complex(upper))


def stride_one_factorization_count(
    roots: ArrayLike, degrees: Sequence[int], *, n_inf: int = 0, tol: float = 1e-9
) -> int:
    """Number of real factorizations ``p_w = q_1 q_2 ... q_L`` with ``deg q_l = degrees[l]``.

    A pure function of the roots, for strides one before the last layer (one variable).

    Parameters
    ----------
    roots : array_like of complex, shape (n,)
        The finite roots of ``p_w`` with repetition, closed under complex conjugation.
    degrees : sequence of int
        ``k_l - 1`` for every layer, with ``sum(degrees) = n + n_inf``.
    n_inf : int, default=0
        Multiplicity of the (real) root at infinity: trailing zeros of ``w``.
    tol : float, default=1e-9
        Roots closer than ``tol * max(1, |root|)`` are equal; imaginary parts below it vanish.

    Returns
    -------
    int
        ``len(fibers(net, w))``: the ways to share the roots out in conjugation-closed groups.

    Notes
    -----
    Sec. 2.3 (Ex. 19): count the tables of ``a_{il}`` copies of real root ``i`` (multiplicity
    ``m_i``) and ``b_{jl}`` copies of pair ``j`` (multiplicity ``n_j``) in layer ``l`` with
    ``sum_l a_{il} = m_i``, ``sum_l b_{jl} = n_j``, ``sum_i a_{il} + 2 sum_j b_{jl} =
    degrees[l]``. For a cubic and sizes ``(3, 2)``: the number of distinct real roots.

    Examples
    --------
    >>> stride_one_factorization_count([0, 1, -1], [2, 1])      # x^3 - x y^2
    3
    >>> stride_one_factorization_count([0, 1j, -1j], [2, 1])    # x^3 + x y^2
    1
    >>> stride_one_factorization_count([1, 1, 1j, -1j], [2, 2])  # real pair or complex pair
    2
    """
    r = as_complex_array(roots, "roots")
    if not np.all(np.isfinite(r)):
        raise ValueError(f"roots must be finite (use n_inf for roots at infinity): got {r}")
    if isinstance(n_inf, (bool, np.bool_)) or not isinstance(n_inf, (int, np.integer, float)):
        raise TypeError(f"n_inf must be a non-negative integer: got {n_inf!r:.60}")
    if not np.isfinite(n_inf) or int(n_inf) != n_inf or n_inf < 0:
        raise ValueError(f"n_inf must be a non-negative integer: got {n_inf!r}")
    tol = as_real(tol, "tol", positive=True)
    degs_in = as_sequence(degrees, "degrees", "integers")
    if any(
        isinstance(d, (bool, np.bool_)) or not isinstance(d, (int, np.integer)) for d in degs_in
    ):
        raise TypeError(f"degrees must be integers, one per layer: got {degrees!r:.60}")
    degs = tuple(int(d) for d in degs_in)
    if any(d < 0 for d in degs) or not degs:
        raise ValueError(f"degrees must be non-negative integers, one per layer: got {degrees!r}")
    if sum(degs) != r.size + int(n_inf):
        raise ValueError(
            f"degrees must add up to the number of roots: got sum(degrees) = {sum(degs)} for "
            f"{r.size} finite roots and {int(n_inf)} at infinity"
        )
    real_m, pair_m = _root_groups(r, float(tol))
    real_m += [int(n_inf)] if n_inf else []
    return _count(tuple([(m, 1) for m in real_m] + [(n, 2) for n in pair_m]), degs)


@lru_cache(maxsize=4096)
def _count(groups: tuple[tuple[int, int], ...], caps: tuple[int, ...]) -> int:
    """Ways to share the copies of each group out among layers with the given capacities."""
    if not groups:
        return int(all(c == 0 for c in caps))
    (m, size), rest = groups[0], groups[1:]
    news = (
        tuple(c - size * a for c, a in zip(caps, s, strict=True))
        for s in compositions(m, len(caps))
    )
    return sum(_count(rest, new) for new in news if min(new) >= 0)
