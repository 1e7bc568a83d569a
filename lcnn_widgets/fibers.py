"""Rescaling to prescribed invariants and the fibers of the parametrization map.

The fiber of an end-to-end filter ``w`` is the set of filter tuples ``theta`` with
``pi(theta) = w``. It always contains the scaling orbit ``(c_1 w_1, ..., c_L w_L)`` with
``prod c_l = 1``; fixing the invariants ``delta`` picks one point of each orbit up to signs
(Prop. 2, Prop. 12).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import brentq

from ._validation import as_finite_array

if TYPE_CHECKING:  # pragma: no cover
    from .lcn import LCN

__all__ = ["rescale", "rescaling_factors"]


def _as_delta(net: "LCN", delta: ArrayLike) -> np.ndarray:
    d = as_finite_array(delta, "delta", allow_empty=True)
    d = d.reshape(1) if d.ndim == 0 else d
    if d.ndim != 1 or d.size != net.n_layers - 1:
        raise ValueError(
            f"delta must have n_layers - 1 = {net.n_layers - 1} entries: got shape {d.shape}"
        )
    return d


def rescaling_factors(norms_sq: ArrayLike, delta: ArrayLike) -> np.ndarray:
    """The positive factors ``c_l`` with ``prod c_l = 1`` that give invariants ``delta``.

    Parameters
    ----------
    norms_sq : array_like of shape (L,)
        Squared norms ``||w_l||^2 > 0`` of the filters.
    delta : array_like of shape (L - 1,)
        Target invariants ``||c_{l+1} w_{l+1}||^2 - ||c_l w_l||^2``.

    Returns
    -------
    ndarray of shape (L,)
        The unique positive factors (Prop. 2).

    Raises
    ------
    ValueError
        If a squared norm is not positive (a zero filter cannot be rescaled).

    Notes
    -----
    With ``a_l = ||c_l w_l||^2 = a_1 + sum_{j<l} delta_j`` the condition ``prod c_l = 1``
    reads ``sum_l log a_l = sum_l log ||w_l||^2``. The left side is strictly increasing in
    ``a_1`` on ``a_1 > max(0, -min_l sum_{j<l} delta_j)``, from ``-inf`` to ``+inf``, so one
    bracketing root search (``scipy.optimize.brentq``) finds ``a_1``; ``c_l = sqrt(a_l /
    ||w_l||^2)``.

    Examples
    --------
    >>> c = rescaling_factors([1.0, 4.0], [0.0])
    >>> np.round(c, 6)
    array([1.414214, 0.707107])
    """
    n2 = as_finite_array(norms_sq, "norms_sq", ndim=1)
    d = as_finite_array(delta, "delta", allow_empty=True).ravel()
    if d.size != n2.size - 1:
        raise ValueError(
            f"delta must have {n2.size - 1} entries for {n2.size} layers: got {d.size}"
        )
    if np.any(n2 <= 0):
        bad = int(np.flatnonzero(n2 <= 0)[0])
        raise ValueError(
            f"filters[{bad}] is zero: rescaling needs every filter to be nonzero "
            "(the scaling orbit of a zero filter does not reach other invariants)"
        )
    if n2.size == 1:
        return np.ones(1)
    offsets = np.concatenate([[0.0], np.cumsum(d)])  # a_l = a_1 + offsets[l]
    # write a_1 = lo + exp(z): then a_l = exp(z) + b_l with b_l >= 0 and min b_l = 0, and
    # g(z) = sum_l log(exp(z) + b_l) - sum_l log ||w_l||^2 increases from -inf to +inf
    lo = max(0.0, -float(np.min(offsets)))
    b = np.maximum(lo + offsets, 0.0)
    log_target = float(np.sum(np.log(n2)))

    def g(z: float) -> float:
        return float(np.sum(np.logaddexp(z, np.log(b, where=b > 0, out=np.full_like(b, -np.inf))))
                     - log_target)

    z_hi = float(np.log(max(np.max(n2), np.max(b), 1e-300)))
    step = 1.0
    while g(z_hi) < 0:
        z_hi += step
        step *= 2
    z_lo, step = z_hi - 1.0, 1.0
    while g(z_lo) > 0:
        z_lo -= step
        step *= 2
    z = brentq(g, z_lo, z_hi, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500)
    a = np.exp(z) + b
    return np.sqrt(a / n2)


def rescale(net: "LCN", filters: Sequence[ArrayLike], delta: ArrayLike) -> list[np.ndarray]:
    """Rescale filters within their scaling orbit to prescribed invariants.

    Parameters
    ----------
    net : LCN
        The architecture.
    filters : sequence of array_like
        Nonzero filters, layer 1 first.
    delta : array_like of shape (L - 1,)
        The target invariants.

    Returns
    -------
    list of ndarray
        ``(c_1 w_1, ..., c_L w_L)`` with ``c_l > 0``, ``prod c_l = 1`` (so the end-to-end
        filter is unchanged) and ``net.invariants(result) == delta``.

    Raises
    ------
    ValueError
        If some filter is zero, or ``delta`` has the wrong length or non-finite entries.

    Notes
    -----
    Paper Prop. 2 (1D) and Prop. 12 (D dimensions): the positive factors are unique.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([2, 2], [2, 1])
    >>> fs = net.rescale([[3.0, 0.0], [1.0, 0.0]], [8.0])
    >>> np.allclose(net.invariants(fs), [8.0]), np.allclose(net.end_to_end(fs), [3, 0, 0, 0])
    (True, True)
    """
    fs = net.check_filters(filters)
    d = _as_delta(net, delta)
    c = rescaling_factors([np.sum(f**2) for f in fs], d)
    return [ci * f for ci, f in zip(c, fs)]
