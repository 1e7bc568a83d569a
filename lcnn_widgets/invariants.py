"""Conserved quantities of gradient flow and the scaling orbit (eq. 1, Prop. 2, Prop. 12).

``pi`` is linear in each filter, so scaling the filters by ``c_1, ..., c_L`` with
``prod c_l = 1`` keeps the end-to-end filter: the *scaling orbit*. The invariants
``delta_l = ||w_{l+1}||^2 - ||w_l||^2`` are strictly monotone along it, so prescribing ``delta``
picks one point of the orbit (up to signs).

>>> from lcnn_widgets import LCN
>>> net = LCN([3, 2], [2, 1])
>>> fs = [[1.0, 2.0, 2.0], [1.0, 0.0]]
>>> orbit_invariants(net, fs, [[1.0, 1.0], [0.5, 2.0]])
array([[-8.  ],
       [ 1.75]])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_delta, as_finite_array, as_network, finite_result
from .lcn import LCN, jacobian

__all__ = [
    "layer_pairings",
    "min_first_norm",
    "orbit_invariants",
    "orbit_log_product",
    "orbit_norms",
    "scale_filters",
    "two_layer_rescaling",
]

#: relative tolerance for the condition ``prod c_l = 1`` of a point of the scaling orbit
ORBIT_RTOL = 1e-9


@finite_result
def layer_pairings(net: LCN, filters: Sequence[ArrayLike], grad: ArrayLike) -> np.ndarray:
    """The numbers ``p_l = <w_l, J_l^T grad>`` for the loss ``L = l o pi``, (L,) (eq. 1).

    ``grad``: array_like of shape end_to_end_shape, the gradient ``grad l(pi(theta))``; ``J_l`` is
    the layer-``l`` block of ``net.jacobian``. As ``J_l w_l = pi(theta)``, every ``p_l`` equals
    ``<grad, pi(theta)>``: ``d/dt ||w_l||^2 = -2 p_l`` is the same for all layers along gradient
    flow, so the ``delta_l`` are constant.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([3, 2], [2, 1])
    >>> layer_pairings(net, [[1, 2, 0], [1, -1]], [1, 0, 0, 0, 1])
    array([1., 1.])
    """
    as_network(net, "net", needs=("filter_shapes",))
    theta = net.check_theta(filters)
    g = as_finite_array(grad, "grad")
    if g.shape != net.end_to_end_shape:
        raise ValueError(
            f"grad must have the shape {net.end_to_end_shape} of the end-to-end filter: "
            f"got shape {g.shape}"
        )
    per_entry = theta * (jacobian(net, theta).T @ g.ravel())
    return np.add.reduceat(per_entry, net.offsets[:-1])


def _orbit_points(
    net: LCN, filters: Sequence[ArrayLike], factors: ArrayLike
) -> tuple[list[np.ndarray], np.ndarray]:
    """Checked filters and factors of shape (..., L) with ``prod c_l = 1``."""
    as_network(net, "net", needs=("filter_shapes",))
    fs = net.check_filters(filters)
    c = as_finite_array(factors, "factors")
    if c.ndim == 0 or c.shape[-1] != net.n_layers:
        raise ValueError(
            f"factors must have n_layers = {net.n_layers} entries along the last axis: "
            f"got shape {c.shape}"
        )
    prod = np.prod(c, axis=-1)
    if not np.allclose(prod, 1.0, rtol=0.0, atol=ORBIT_RTOL):
        worst = float(np.max(np.abs(prod - 1.0)))
        raise ValueError(
            "factors must multiply to 1 (a point of the scaling orbit keeps pi(theta)): "
            f"got a product that differs from 1 by {worst:.3g}"
        )
    return fs, c


@finite_result
def scale_filters(net: LCN, filters: Sequence[ArrayLike], factors: ArrayLike) -> list[np.ndarray]:
    """The point ``(c_1 w_1, ..., c_L w_L)`` of the scaling orbit of ``filters`` (Sec. 2).

    ``factors``: array_like of shape (L,) with ``prod c_l = 1`` (up to ``1e-9``; signs allowed).
    Returns the scaled filters: ``pi`` is multilinear, so their ``pi`` is ``pi(theta)``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([2, 2], [2, 1])
    >>> fs = scale_filters(net, [[1, 1], [1, -1]], [2.0, 0.5])
    >>> fs[0], net.end_to_end(fs)
    (array([2., 2.]), array([ 1.,  1., -1., -1.]))
    """
    fs, c = _orbit_points(net, filters, factors)
    if c.ndim != 1:
        raise ValueError(f"factors must have shape ({net.n_layers},): got shape {c.shape}")
    return [ci * f for ci, f in zip(c, fs, strict=True)]


@finite_result
def orbit_norms(net: LCN, filters: Sequence[ArrayLike], factors: ArrayLike) -> np.ndarray:
    """Squared filter norms ``c_l^2 ||w_l||^2`` at many points of the scaling orbit, (..., L).

    ``factors``: array_like of shape (..., L), each row a point of the orbit (``prod c_l = 1``).
    For two layers the rows lie on the hyperbola ``a_1 a_2 = ||w_1||^2 ||w_2||^2``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> orbit_norms(LCN([2, 2], [2, 1]), [[1, 1], [1, -1]], [[1, 1], [2, 0.5]])
    array([[2. , 2. ],
           [8. , 0.5]])
    """
    fs, c = _orbit_points(net, filters, factors)
    return c**2 * np.array([np.sum(f**2) for f in fs])


@finite_result
def orbit_invariants(net: LCN, filters: Sequence[ArrayLike], factors: ArrayLike) -> np.ndarray:
    """The invariants ``delta`` at many points of the scaling orbit, (..., L - 1).

    Arguments as in :func:`orbit_norms`. For two layers and ``(c, 1/c)``, ``c > 0``,
    ``delta = ||w_2||^2 / c^2 - c^2 ||w_1||^2`` decreases strictly from ``+inf`` to ``-inf``:
    every target is hit once (Prop. 2).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> orbit_invariants(LCN([2, 2], [2, 1]), [[1, 1], [1, -1]], [[1, 1], [2, 0.5]])
    array([[ 0. ],
           [-7.5]])
    """
    return np.diff(orbit_norms(net, filters, factors), axis=-1)


@finite_result
def min_first_norm(delta: ArrayLike) -> float:
    """Left end ``max(0, -min_l sum_{j<l} delta_j)`` of the admissible ``a_1 = ||c_1 w_1||^2``.

    All ``a_l = a_1 + sum_{j<l} delta_j`` are positive exactly when ``a_1`` exceeds it.

    Examples
    --------
    >>> min_first_norm([-3.0, 1.0])
    3.0
    """
    d = as_finite_array(delta, "delta", allow_empty=True).ravel()
    return float(max(0.0, -np.min(np.concatenate([[0.0], np.cumsum(d)]))))


def orbit_offsets(norms_sq: ArrayLike, delta: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Checked ``norms_sq`` (shape (L,)) and offsets ``a_l - a_1 = sum_{j<l} delta_j`` (Prop. 2)."""
    n2 = as_finite_array(norms_sq, "norms_sq", ndim=1)
    return n2, np.concatenate([[0.0], np.cumsum(as_delta(delta, n2.size))])


def orbit_log_product(a1: ArrayLike, norms_sq: ArrayLike, delta: ArrayLike) -> np.ndarray:
    """The monotone equation ``h(a_1) = 0`` solved by the rescaling (Prop. 2; Prop. 12).

    ``a1``: candidate values of ``a_1 = ||c_1 w_1||^2`` (any shape); ``norms_sq``: shape (L,), the
    ``||w_l||^2 > 0``; ``delta``: the target invariants. Returns, of the shape of ``a1``,
    ``h = sum_l log a_l - sum_l log ||w_l||^2 = log (prod c_l)^2`` with ``a_l = a_1 + sum_{j<l}
    delta_j``: ``-inf`` at :func:`min_first_norm`, NaN to its left, strictly increasing to ``+inf``
    (so the rescaled point is unique; ``fibers.rescaling_factors`` finds it with ``brentq``).

    Examples
    --------
    >>> np.round(orbit_log_product([1.0, 2.0], [1.0, 4.0], [0.0]), 6)
    array([-1.386294,  0.      ])
    """
    n2, offsets = orbit_offsets(norms_sq, delta)
    if np.any(n2 <= 0):
        raise ValueError(f"norms_sq must be positive (nonzero filters): got {n2}")
    al = as_finite_array(a1, "a1")[..., None] + offsets
    with np.errstate(divide="ignore", invalid="ignore"):
        h = np.sum(np.log(al), axis=-1) - np.sum(np.log(n2))
    return np.where(np.any(al < 0, axis=-1), np.nan, h)


@finite_result
def two_layer_rescaling(norms_sq: ArrayLike, delta: float) -> np.ndarray:
    """Closed-form rescaling factors ``(c, 1/c)``, ``c > 0``, of a two-layer network, (2,).

    ``norms_sq``: ``(||w_1||^2, ||w_2||^2)``, both positive; ``delta``: the target invariant.
    ``a_1 = c^2 ||w_1||^2`` and ``a_1 + delta`` multiply to ``P = ||w_1||^2 ||w_2||^2``, so
    ``a_1 = (-delta + sqrt(delta^2 + 4 P)) / 2`` (Prop. 2 in closed form; Ex. 17).

    Examples
    --------
    >>> two_layer_rescaling([1.0, 4.0], 0.0)
    array([1.41421356, 0.70710678])
    """
    n2 = as_finite_array(norms_sq, "norms_sq", ndim=1)
    if n2.size != 2:
        raise ValueError(f"norms_sq must have 2 entries (two layers): got {n2.size}")
    if np.any(n2 <= 0):
        raise ValueError(f"norms_sq must be positive (nonzero filters): got {n2}")
    d_arr = as_finite_array(delta, "delta")
    if d_arr.size != 1:
        raise ValueError(f"delta must be a single number for two layers: got shape {d_arr.shape}")
    d = float(d_arr.ravel()[0])
    p = n2[0] * n2[1]
    root = np.sqrt(d * d + 4.0 * p)
    a1 = 2.0 * p / (d + root) if d > 0 else (root - d) / 2.0
    c = np.sqrt(a1 / n2[0])
    return np.array([c, 1.0 / c])
