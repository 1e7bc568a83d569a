"""The neural tangent kernel as a Riemannian metric on the neuromanifold (Sec. 2.1).

At nonzero filters the level set ``{delta(theta) = delta}`` has the tangent space (9)
``{u : <w_1, u_1> = ... = <w_L, u_L>}``, orthogonal to the *vertical space*
``{(lambda_l w_l) : sum lambda_l = 0}`` in ``ker J``; ``J`` maps (9) onto ``T_w M = range J``
(Lemma 5), and the pushforward metric is ``g_w^delta(a, b) = a^T Theta(theta)^+ b`` at a fiber
point of ``(w, delta)`` (Cor. 6). Function-space vectors are flat, of length ``K = n_outputs``
(the end-to-end shape is accepted too); pseudo-inverses cut singular values below ``RCOND``
times the largest.

>>> net = running_example_net()
>>> w = [2.0, 1.0, 3.0, -1.0, -5.0]                  # a smooth point (Ex. 17)
>>> G, T = metric_matrix(net, w, [0.0]), ntk_at(net, w, [0.0])
>>> bool(np.allclose(G @ T @ G, G)), round(condition_number(net, w, [0.0]), 3)
(True, 3.332)
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike

from ._validation import (
    as_delta,
    as_end_to_end_vector,
    as_finite_array,
    as_network,
    as_nonzero_filters,
    as_real,
    finite_result,
)
from .fibers import fibers, rescale
from .lcn import LCN, invariant_jacobian, jacobian, join, ntk, pi, split, spread
from .running_example import on_running_cubic, running_example_net

# fmt: off
__all__ = ["COND_WARN", "FIBER_RTOL", "RCOND", "MetricConditioningWarning", "chart_metric",
           "condition_number", "fiber_point", "inner_product", "is_smooth_point", "is_tangent",
           "lift", "metric_matrix", "norm", "ntk_at", "riemannian_gradient", "tangent_space",
           "vertical_space"]
# fmt: on

#: relative cutoff for singular values in ``pinv``/``lstsq`` (smaller ones count as zero)
RCOND = 1e-10
#: :func:`metric_matrix` warns when ``condition_number`` exceeds this value
COND_WARN = 1e8
#: NTKs of two fiber points count as different when they differ by more than this (relative)
FIBER_RTOL = 1e-6
#: default relative tolerance for "a lies in range J" and "pi(fiber) = w"
_TANGENT_RTOL = 1e-8


class MetricConditioningWarning(RuntimeWarning):
    """The NTK is (nearly) rank deficient on ``T_w M``: the metric is unreliable or degenerate."""


def _nonzero_filters(net: LCN, filters: Sequence[ArrayLike]) -> list[np.ndarray]:
    reason = "the tangent space (9) and the metric need every filter to be nonzero"
    return as_nonzero_filters(net.check_filters(filters), reason=reason)


def _constraints(net: LCN, filters: Sequence[ArrayLike]) -> np.ndarray:
    """``D delta`` at nonzero ``filters``: (9) is its kernel, its row span the vertical space."""
    as_network(net)
    return invariant_jacobian(net, join(_nonzero_filters(net, filters)))


@finite_result
def tangent_space(net: LCN, filters: Sequence[ArrayLike]) -> np.ndarray:
    """Orthonormal basis of the tangent space (9), (n_params, dim M); ``filters`` nonzero.

    The columns span ``{u : <w_1, u_1> = ... = <w_L, u_L>}``, the orthogonal complement of
    :func:`vertical_space`; the row space of ``J`` at smooth points (Lemma 5).

    Examples
    --------
    >>> net = LCN([2, 2], [2, 1])
    >>> T = tangent_space(net, [[1.0, 0.0], [0.0, 2.0]])
    >>> T.shape, bool(np.allclose(T.T @ T, np.eye(3)))
    ((4, 3), True)
    """
    D = _constraints(net, filters)
    return np.eye(net.n_params) if net.n_layers == 1 else scipy.linalg.null_space(D)


@finite_result
def vertical_space(net: LCN, filters: Sequence[ArrayLike]) -> np.ndarray:
    """Orthonormal basis of the vertical space ``{(lambda_l w_l) : sum_l lambda_l = 0}``.

    ``filters`` nonzero; shape (n_params, L - 1). The tangent directions of the scaling orbit
    (Prop. 2), in ``ker J`` as ``J (lambda_l w_l)_l = (sum_l lambda_l) pi(theta)``; all of
    ``ker J`` at smooth points (Lemma 5).

    Examples
    --------
    >>> V = vertical_space(LCN([1, 1], [2, 1]), [[1.0], [1.0]])
    >>> np.round(np.abs(V.ravel()), 6)
    array([0.707107, 0.707107])
    """
    D = _constraints(net, filters)
    return np.zeros((net.n_params, 0)) if net.n_layers == 1 else scipy.linalg.orth(D.T)


def _relative_residual(J: np.ndarray, a: np.ndarray, rcond: float) -> tuple[np.ndarray, float]:
    u = np.linalg.lstsq(J, a, rcond=rcond)[0]
    scale = max(float(np.linalg.norm(a)), np.finfo(float).tiny)
    return u, float(np.linalg.norm(J @ u - a)) / scale


def _lift(net: LCN, a: Any, filters: Any, rtol: Any) -> tuple[np.ndarray, float, float]:
    """``u = J^+ a``, the relative residual ``||J u - a|| / ||a||`` and the checked ``rtol``."""
    as_network(net)
    theta = net.check_theta(filters)
    av = as_end_to_end_vector(a, "a", net.end_to_end_shape)
    rtol = as_real(rtol, "rtol", positive=True)
    return (*_relative_residual(jacobian(net, theta), av, RCOND), rtol)


def is_tangent(
    net: LCN, a: ArrayLike, filters: Sequence[ArrayLike], *, rtol: float = _TANGENT_RTOL
) -> bool:
    """Whether ``a`` lies in ``range J(theta)``, which is ``T_w M`` at smooth points (Lemma 5).

    ``a``: shape (K,) or end_to_end_size; accepted when ``||J J^+ a - a|| <= rtol ||a||``.

    Examples
    --------
    >>> net = LCN([2, 2], [2, 1])
    >>> is_tangent(net, [0, 0, 0, 1], [[1.0, 0.0], [1.0, 0.0]])
    False
    """
    _, res, rtol = _lift(net, a, filters, rtol)
    return res <= rtol


@finite_result
def lift(
    net: LCN, a: ArrayLike, filters: Sequence[ArrayLike], *, rtol: float = _TANGENT_RTOL
) -> list[np.ndarray]:
    """The least-norm parameter direction ``u = J^+ a`` that ``J`` maps to ``a`` (Lemma 5).

    As :func:`is_tangent` (ValueError unless ``a in range J``). Returns ``u`` split into filters, in
    (9); at a smooth point the unique vector of (9) over ``a``, and ``g(a, a) = ||u||^2`` (Cor. 6).

    Examples
    --------
    >>> net = LCN([2, 2], [2, 1])
    >>> u = lift(net, [1.0, 0.0, 0.0, 0.0], [[1.0, 0.0], [1.0, 0.0]])
    >>> [np.round(x, 6) for x in u]
    [array([0.5, 0. ]), array([0.5, 0. ])]
    """
    u, res, rtol = _lift(net, a, filters, rtol)
    if res > rtol:
        raise ValueError(
            "a must be tangent to the neuromanifold at pi(filters), i.e. lie in the range of "
            f"the Jacobian: got relative residual ||J J^+ a - a|| / ||a|| = {res:.3g} > {rtol:g}"
        )
    return [f.copy() for f in split(net, u)]


def _fiber_filters(net: LCN, w: np.ndarray, d: np.ndarray) -> list[list[np.ndarray]]:
    """One filter list per real fiber point of ``(w, delta)`` up to signs (:func:`fibers`)."""
    fiber = fibers(net, w.reshape(net.end_to_end_shape), d)
    return [[np.asarray(f, dtype=float) for f in p.filters] for p in fiber.points]


@finite_result
def fiber_point(net: LCN, w: ArrayLike, delta: ArrayLike, *, fiber: Any = None) -> list[np.ndarray]:
    """The parameter point ``theta`` with ``pi(theta) = w`` and invariants ``delta`` used for ``g``.

    ``w``: shape (K,) or end_to_end_size. ``fiber=None``: the point of :func:`fibers`, whose NTKs
    must agree (smooth points, strides > 1, Thm 4; else ValueError: singular points, Ex. 16, or
    stride one, Ex. 19); an int: that index of ``fibers(net, w, delta).points``; filters (or an
    object with ``.filters``) with ``pi(filters) = w``: rescaled to ``delta``, no fiber computed.
    ValueError also if ``w`` is not in ``M`` or a filter is zero.

    Examples
    --------
    >>> net = running_example_net()
    >>> fs = fiber_point(net, [1, 0, 0, 0, -1], [0.0], fiber=[[1, 0, 1], [1, -1]])
    >>> [np.round(f, 6) for f in fs]
    [array([1., 0., 1.]), array([ 1., -1.])]
    """
    as_network(net)
    wv = as_end_to_end_vector(w, "w", net.end_to_end_shape)
    d = as_delta(delta, net.n_layers)
    if fiber is None:
        points = _fiber_filters(net, wv, d)
        if not points:
            raise ValueError("w is not in the neuromanifold: its fiber has no real point")
        ntks = [ntk(net, join(p)) for p in points]
        gap = spread(ntks) / max(max(float(np.linalg.norm(t)) for t in ntks), np.finfo(float).tiny)
        if gap > FIBER_RTOL:
            raise ValueError(
                f"the metric is not determined by (w, delta) here: the fiber has {len(points)} "
                f"points whose NTKs differ (relative difference {gap:.3g}); w is a singular "
                "point or a stride is one. Pass fiber=<index or filters> to choose a point"
            )
        return points[0]
    if isinstance(fiber, (int, np.integer)) and not isinstance(fiber, bool):
        points = _fiber_filters(net, wv, d)
        if not -len(points) <= int(fiber) < len(points):
            raise ValueError(
                f"fiber index must be below the number of fiber points ({len(points)}): "
                f"got {int(fiber)}"
            )
        return points[int(fiber)]
    fs = _nonzero_filters(net, getattr(fiber, "filters", fiber))
    image = pi(net, join(fs)).ravel()
    res = float(np.linalg.norm(image - wv)) / max(float(np.linalg.norm(wv)), 1e-300)
    if res > _TANGENT_RTOL:
        raise ValueError(
            f"fiber must map to w: got ||pi(fiber) - w|| / ||w|| = {res:.3g} "
            f"(tolerance {_TANGENT_RTOL:g})"
        )
    return rescale(net, fs, d)


@finite_result
def ntk_at(net: LCN, w: ArrayLike, delta: ArrayLike, *, fiber: Any = None) -> np.ndarray:
    """The NTK ``Theta(w; delta) = J J^T``, (K, K), at the fiber point of ``(w, delta)`` (Thm 4).

    ``w, delta, fiber`` as in :func:`fiber_point`.

    Examples
    --------
    >>> net = running_example_net()
    >>> float(np.round(ntk_at(net, [2, 1, 3, -1, -5], [-28.0])[1, 3], 6))
    -1.0
    """
    return ntk(net, join(fiber_point(net, w, delta, fiber=fiber)))


def _spectrum_condition(net: LCN, theta_ntk: np.ndarray) -> float:
    eig = np.sort(np.linalg.eigvalsh(theta_ntk))[::-1]
    top, low = float(eig[0]), float(eig[min(net.dim_neuromanifold, eig.size) - 1])
    return top / low if top > 0 and low > RCOND * top else np.inf


def condition_number(net: LCN, w: ArrayLike, delta: ArrayLike, *, fiber: Any = None) -> float:
    """Condition number ``lambda_1 / lambda_d`` (``d = dim M``) of the NTK on ``T_w M``.

    As :func:`fiber_point`; ``inf`` where ``rank Theta < dim M`` (critical points of ``pi``).

    Examples
    --------
    >>> net = running_example_net()
    >>> condition_number(net, [1, 0, 2, 0, 1], [0.0])  # Ex. 16, dependent factors
    inf
    """
    return _spectrum_condition(net, ntk_at(net, w, delta, fiber=fiber))


def _metric(net: LCN, w: Any, delta: Any, fiber: Any, rcond: float) -> tuple[np.ndarray, ...]:
    J = jacobian(net, join(fiber_point(net, w, delta, fiber=fiber)))
    theta_ntk = J @ J.T
    cond = _spectrum_condition(net, theta_ntk)
    if cond > COND_WARN:
        warnings.warn(
            f"the NTK is {'rank deficient' if np.isinf(cond) else 'ill-conditioned'} on T_w M "
            f"(condition number {cond:.3g} > {COND_WARN:g}): w is at or near a singular point "
            "and the metric there is unreliable or degenerate",
            MetricConditioningWarning,
            stacklevel=3,
        )
    return J, np.linalg.pinv(theta_ntk, rtol=rcond, hermitian=True)


@finite_result
def metric_matrix(
    net: LCN, w: ArrayLike, delta: ArrayLike, *, fiber: Any = None, rcond: float = RCOND
) -> np.ndarray:
    """The metric ``g_w^delta`` as a matrix ``G = Theta(theta)^+`` at a fiber point (Cor. 6).

    ``w, delta, fiber`` as in :func:`fiber_point`; ``rcond``: the cutoff of ``numpy.linalg.pinv``.
    ``G`` is (K, K), ``g(a, b) = a^T G b`` on ``T_w M = range Theta`` (the same at every fiber
    point for strides > 1, Thm 4). Warns (:class:`MetricConditioningWarning`) above ``COND_WARN``.

    Examples
    --------
    >>> net = running_example_net()
    >>> G = metric_matrix(net, [2, 1, 3, -1, -5], [0.0])
    >>> T = ntk_at(net, [2, 1, 3, -1, -5], [0.0])
    >>> bool(np.allclose(T @ G @ T, T))
    True
    """
    as_network(net)
    rcond = as_real(rcond, "rcond", nonnegative=True)
    return _metric(net, w, delta, fiber, rcond)[1]


def _tangent_vector(net: LCN, J: np.ndarray, a: Any, name: str) -> np.ndarray:
    av = as_end_to_end_vector(a, name, net.end_to_end_shape)
    if np.any(av):
        _, res = _relative_residual(J, av, RCOND)
        if res > _TANGENT_RTOL:
            raise ValueError(
                f"{name} must be a tangent vector of the neuromanifold at w (in the range of "
                f"the Jacobian): got relative residual {res:.3g}"
            )
    return av


@finite_result
def inner_product(
    net: LCN, a: ArrayLike, b: ArrayLike, w: ArrayLike, delta: ArrayLike, *, fiber: Any = None
) -> float:
    """The metric ``g_w^delta(a, b) = a^T Theta^+ b = <J^+ a, J^+ b>`` (Lemma 5, Cor. 6).

    ``a, b``: tangent vectors at ``w`` (in ``range J``, else ValueError), shape (K,) or
    end_to_end_size; ``w, delta, fiber`` as in :func:`fiber_point`.

    Examples
    --------
    >>> net = running_example_net()
    >>> w = [2.0, 1.0, 3.0, -1.0, -5.0]
    >>> a = net.jacobian(fiber_point(net, w, [0.0])) @ np.ones(5)
    >>> bool(inner_product(net, a, a, w, 0.0) > 0)
    True
    """
    J, G = _metric(net, w, delta, fiber, RCOND)
    return float(_tangent_vector(net, J, a, "a") @ G @ _tangent_vector(net, J, b, "b"))


def norm(net: LCN, a: ArrayLike, w: ArrayLike, delta: ArrayLike, *, fiber: Any = None) -> float:
    """The length ``sqrt(g_w^delta(a, a))`` of a tangent vector (Cor. 6).

    Examples
    --------
    >>> net = LCN([1, 1], [2, 1])
    >>> round(norm(net, [3.0], [1.0], [0.0]), 6)  # Theta = 2 at balance: 3 / sqrt(2)
    2.12132
    """
    return float(np.sqrt(max(inner_product(net, a, a, w, delta, fiber=fiber), 0.0)))


@finite_result
def riemannian_gradient(
    net: LCN, grad: ArrayLike, w: ArrayLike, delta: ArrayLike, *, fiber: Any = None
) -> np.ndarray:
    """The gradient of a loss for the metric ``g^delta``: ``Theta(w; delta) grad l(w)``, (K,).

    ``grad``: the Euclidean gradient in function space; ``w, delta, fiber`` as in
    :func:`fiber_point`. Cor. 6: ``w' = -Theta grad l(w)`` is a Riemannian gradient flow.

    Examples
    --------
    >>> net = LCN([1, 1], [2, 1])
    >>> riemannian_gradient(net, [1.0], [1.0], [0.0])
    array([2.])
    """
    as_network(net)
    gv = as_end_to_end_vector(grad, "grad", net.end_to_end_shape)
    return ntk_at(net, w, delta, fiber=fiber) @ gv


@finite_result
def chart_metric(
    net: LCN, filters: Sequence[ArrayLike], directions: ArrayLike, delta: ArrayLike
) -> np.ndarray:
    """Gram matrix ``(J t_i)^T Theta(rescale(theta, delta))^+ (J t_j)``, (m, m), ``J = J(theta)``.

    ``filters``: a point ``theta`` (any invariants); ``directions``: (n_params, m), the ``t_i``. The
    metric in the chart ``x -> pi(theta + sum_i x_i t_i)`` at 0 (Lemma 5, Cor. 6).

    Examples
    --------
    >>> net = LCN([1, 1], [2, 1])
    >>> chart_metric(net, [[1.0], [1.0]], [[1.0], [1.0]], [0.0])
    array([[2.]])
    """
    as_network(net)
    theta = net.check_theta(filters)
    T = as_finite_array(directions, "directions", ndim=2)
    if T.shape[0] != net.n_params:
        raise ValueError(
            f"directions must have n_params = {net.n_params} rows: got shape {T.shape}"
        )
    A = jacobian(net, theta) @ T
    gram = A.T @ metric_matrix(net, pi(net, theta), delta, fiber=split(net, theta)) @ A
    return 0.5 * (gram + gram.T)


def is_smooth_point(net: LCN, w: ArrayLike, *, tol: float = 1e-8, method: str = "auto") -> bool:
    """Whether ``w`` is a smooth point of the neuromanifold (1D, strides > 1; Sec. 2.1).

    ``net``: 1D with ``s_1, ..., s_{L-1} > 1`` (else ValueError); ``w``: shape (K,), in ``M``;
    ``tol``: relative tolerance for ranks, fiber points and ``w_1 = w_3 = 0``. ``method="fiber"``:
    smooth iff the fiber is one point up to signs and scaling, with ``rank J = dim M`` (after
    Cor. 6); ``"equation"`` (running example only, the default there): iff ``grad F(w) != 0``,
    i.e. not ``w_1 = w_3 = 0`` (Ex. 15).

    Examples
    --------
    >>> net = running_example_net()
    >>> is_smooth_point(net, [2, 1, 3, -1, -5]), is_smooth_point(net, [0, 0, 1, 0, 0])
    (True, False)
    """
    as_network(net)
    tol = as_real(tol, "tol", positive=True)
    if not isinstance(method, str) or method not in ("auto", "fiber", "equation"):
        raise ValueError(f'method must be "auto", "fiber" or "equation": got {method!r}')
    if not net.is_1d or any(s < 2 for s in net.strides[:-1]):
        raise ValueError(
            "is_smooth_point needs a 1D network whose strides (except the last) are > 1: "
            f"got {net!r}"
        )
    wv = as_end_to_end_vector(w, "w", net.end_to_end_shape)
    example = net == running_example_net()
    if method == "equation" or (method == "auto" and example):
        if not example:
            raise ValueError(
                "method='equation' is only available for the running example LCN([3, 2], [2, 1])"
            )
        on_running_cubic(wv)
        scale = max(float(np.linalg.norm(wv)), 1e-300)
        return bool(max(abs(wv[1]), abs(wv[3])) > tol * scale)
    if net.dim_neuromanifold == net.n_outputs:
        return True  # later layers are scalars: M = R^K
    if not np.any(wv):
        return False  # the cone point
    points = _fiber_filters(net, wv, np.zeros(net.n_layers - 1))
    if not points:
        raise ValueError("w is not in the neuromanifold: its fiber has no real point")
    if len(points) > 1:  # several factorizations up to scaling and signs
        return False
    sv = np.linalg.svd(jacobian(net, join(points[0])), compute_uv=False)
    return int(np.sum(sv > tol * sv[0])) == net.dim_neuromanifold
