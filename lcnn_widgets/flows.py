"""Gradient flows of the squared loss, in parameter space and in function space.

The squared loss on training data ``(x_i, y_i)`` depends on the filters only through
``w = pi(theta)`` and is quadratic in ``w`` (paper Sec. 7.1.5, MATH.md Sec. 8):

    l(w) = 1/(2N) sum_i ||conv(w, S_L, x_i) - y_i||^2 = 1/2 (w - u)^T Sigma (w - u) + const,

with the *data filter* ``u``. This module computes ``Sigma``, ``u``, the loss ``L = l o pi``
with its gradient and Hessian, and integrates (by :func:`scipy.integrate.solve_ivp`) the
parameter flow ``theta' = -grad L(theta) = -J^T grad l(pi(theta))``, which keeps ``delta``
constant (eq. 1), and the function-space flow ``w' = -Theta(w; delta) grad l(w)``, the
Riemannian gradient flow of ``l`` for the metric ``Theta^+`` (Cor. 6), which reproduces
``pi(theta(t))``. Names as in ``lcnn_widgets/README.md`` (Vocabulary); ``w`` is flattened in C
order (the rows of :meth:`LCN.jacobian`). Where a function takes ``X, Y``, ``X`` may instead be
a precomputed :class:`SquaredLoss` (then ``Y=None``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp
from scipy.linalg.lapack import dposv as _dposv

from ._validation import (
    as_delta,
    as_finite_array,
    as_moderate,
    as_network,
    as_positive_int,
    as_time_grid,
    as_training_data,
    finite_result,
)
from .fibers import fibers, rescale
from .lcn import LCN, correlate, gauss_newton, jacobian

__all__ = [
    "ConvergenceReport",
    "FlowResult",
    "SquaredLoss",
    "convergence_runs",
    "data_filter",
    "fiber_continuation",
    "function_space_flow",
    "gradient_descent",
    "gradient_flow",
    "hessian",
    "loss",
    "parameter_gradient",
    "squared_loss",
]


# ---------------------------------------------------------------------------------- the loss
def _stride_tuple(net: LCN) -> tuple[int, ...]:
    s = net.stride
    return (s,) if isinstance(s, int) else tuple(s)


def _moments(net: LCN, X: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray, float]:
    """``Sigma``, ``b = (1/N) sum X_i^T y_i`` and ``(1/(2N)) sum ||y_i||^2``."""
    x, y = as_training_data(X, Y, net.end_to_end_shape, _stride_tuple(net))
    as_moderate(x, "X", 1e100)  # squares and products of squares must stay finite
    as_moderate(y, "Y", 1e100)
    # the matrices X_i (N, m, K): rows are the input patches, flattened
    kshape, dim, n = net.end_to_end_shape, len(net.end_to_end_shape), x.shape[0]
    win = sliding_window_view(x, kshape, axis=tuple(range(1, dim + 1)))
    win = win[(slice(None), *tuple(slice(None, None, s) for s in _stride_tuple(net)))]
    P = win.reshape(n, int(np.prod(win.shape[1 : dim + 1])), net.n_outputs)
    ys = y.reshape(n, -1)
    sigma = np.einsum("imk,iml->kl", P, P) / n
    b = np.einsum("imk,im->k", P, ys) / n
    return sigma, b, float(np.sum(ys**2)) / (2 * n)


@finite_result
def data_filter(net: LCN, X: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The weight matrix ``Sigma`` and the data filter ``u`` of the squared loss.

    Parameters
    ----------
    net : LCN
        Only its end-to-end filter shape and total stride ``S_L`` matter.
    X : array_like of shape (N, n_1, ..., n_D)
        ``N`` input signals, at least ``end_to_end_size`` long along every axis.
    Y : array_like of shape (N, m_1, ..., m_D)
        Targets, ``m_d = (n_d - k_d) // S_d + 1``.

    Returns
    -------
    Sigma : ndarray of shape (K, K)
        ``(1/N) sum_i X_i^T X_i``, symmetric positive definite; ``K = net.n_outputs``.
    u : ndarray of shape end_to_end_shape
        The data filter ``Sigma^{-1} (1/N) sum_i X_i^T y_i``.

    Notes
    -----
    Rows of ``X_i`` are the patches ``x_i[j S_L : j S_L + k]``, so ``conv(w, S_L, x_i) = X_i w``.
    A singular ``Sigma`` (too few or degenerate samples) is a ValueError.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([2], [1])
    >>> Sigma, u = data_filter(net, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [[2.0, 0.0], [3.0, 2.0]])
    >>> u
    array([2., 3.])
    """
    sq = squared_loss(net, X, Y)
    return sq.Sigma, sq.u


def _solve(sigma: np.ndarray, b: np.ndarray) -> np.ndarray:
    rank = np.linalg.matrix_rank(sigma)
    if rank < sigma.shape[0]:
        raise ValueError(
            f"the inputs X give a singular Sigma (rank {rank} < K = {sigma.shape[0]}): use more "
            "(or more generic) samples, at least K patches in total"
        )
    return np.linalg.solve(sigma, b)


@dataclass(frozen=True, eq=False)
class SquaredLoss:
    """The squared loss ``l(w) = 1/2 (w - u)^T Sigma (w - u) + const`` (``w`` flat, C order).

    Examples
    --------
    >>> sq = SquaredLoss(np.eye(2), np.array([1.0, 2.0]))
    >>> sq.value([1.0, 0.0]), sq.gradient([1.0, 0.0])
    (2.0, array([ 0., -2.]))
    """

    Sigma: np.ndarray  # (K, K), symmetric positive definite
    u: np.ndarray  # end_to_end_shape: the data filter (the minimizer)
    const: float = 0.0  # the loss at w = u
    _u_flat: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        u = as_finite_array(self.u, "u")
        sigma = as_finite_array(self.Sigma, "Sigma", ndim=2)
        if sigma.shape != (u.size, u.size):
            raise ValueError(
                f"Sigma must have shape ({u.size}, {u.size}) to match u of size {u.size}: "
                f"got {sigma.shape}"
            )
        if not np.allclose(sigma, sigma.T, rtol=1e-12, atol=1e-12 * np.abs(sigma).max()):
            raise ValueError("Sigma must be symmetric")
        const = float(self.const)
        if not np.isfinite(const):
            raise ValueError(f"const must be finite: got {self.const!r}")
        for name, value in (("Sigma", sigma), ("u", u), ("const", const), ("_u_flat", u.ravel())):
            object.__setattr__(self, name, value)

    def _flat(self, w: ArrayLike) -> np.ndarray:
        v = as_finite_array(w, "w")
        if v.size != self._u_flat.size:
            raise ValueError(
                f"w must have {self._u_flat.size} entries (the size of u): got shape {v.shape}"
            )
        return v.ravel()

    @finite_result
    def value(self, w: ArrayLike) -> float:
        """``l(w) = 1/2 (w - u)^T Sigma (w - u) + const``."""
        r = self._flat(w) - self._u_flat
        return float(0.5 * r @ self.Sigma @ r + self.const)

    @finite_result
    def gradient(self, w: ArrayLike) -> np.ndarray:
        """``grad l(w) = Sigma (w - u)``, of the shape of ``w``."""
        v = as_finite_array(w, "w")
        return (self.Sigma @ (self._flat(v) - self._u_flat)).reshape(v.shape)


@finite_result
def squared_loss(net: LCN, X: ArrayLike, Y: ArrayLike) -> SquaredLoss:
    """The squared loss of the training data ``(X, Y)`` as a :class:`SquaredLoss`.

    Parameters
    ----------
    net, X, Y
        As in :func:`data_filter`.

    Returns
    -------
    SquaredLoss
        ``Sigma``, ``u`` of :func:`data_filter`, ``const = 1/(2N) sum ||y_i||^2 - 1/2 u^T Sigma u``
        (so ``value(w)`` is ``1/(2N) sum_i ||conv(w, S_L, x_i) - y_i||^2``).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> sq = squared_loss(LCN([1], [1]), [[1.0], [1.0]], [[1.0], [3.0]])
    >>> float(sq.u[0]), sq.const
    (2.0, 0.5)
    """
    as_network(net)
    sigma, b, half_y2 = _moments(net, X, Y)
    u = _solve(sigma, b)
    const = half_y2 - 0.5 * float(u @ b)
    return SquaredLoss(sigma, u.reshape(net.end_to_end_shape), max(const, 0.0))


@finite_result
def loss(net: LCN, filters_or_w: Any, X: ArrayLike, Y: ArrayLike) -> float:
    """The squared loss ``1/(2N) sum_i ||f(x_i) - y_i||^2``, computed from its definition.

    Parameters
    ----------
    net : LCN
    filters_or_w : sequence of array_like, or array_like of shape end_to_end_shape
        The filters (applied layer by layer, :meth:`LCN.forward`) or ``w`` (one convolution
        with stride ``S_L``); an array of exactly ``end_to_end_shape`` is read as ``w``.
    X, Y : array_like
        As in :func:`data_filter`.

    Returns
    -------
    float

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> loss(LCN([1, 1], [1, 1]), [[2.0], [1.0]], [[1.0], [1.0]], [[1.0], [3.0]])
    0.5
    """
    as_network(net)
    x, y = as_training_data(X, Y, net.end_to_end_shape, _stride_tuple(net))
    if _is_end_to_end(net, filters_or_w):
        w = as_finite_array(filters_or_w, "w").reshape(net.end_to_end_shape)
        out = np.stack([correlate(w, _stride_tuple(net), xi) for xi in x])
    else:
        fs = net.check_filters(filters_or_w)
        out = np.stack([net.forward(fs, xi) for xi in x])
    return float(np.sum((out - y) ** 2) / (2 * x.shape[0]))


def _is_end_to_end(net: LCN, obj: Any) -> bool:
    try:
        arr = np.asarray(obj)
    except Exception:  # ragged lists of filters
        return False
    return arr.dtype != object and (
        arr.shape == tuple(net.end_to_end_shape) or (net.dim == 1 and arr.shape == (net.n_outputs,))
    )


def _as_loss(net: LCN, X: Any, Y: Any) -> SquaredLoss:
    """Check ``net``; accept a precomputed :class:`SquaredLoss` (with ``Y=None``) or ``X, Y``."""
    as_network(net)
    if isinstance(X, SquaredLoss):
        if Y is not None:
            raise TypeError("pass either a SquaredLoss as X (and Y=None) or data X, Y: got both")
        if X.u.size != net.n_outputs:
            raise ValueError(
                f"the loss's data filter has {X.u.size} entries but the network's end-to-end "
                f"filter has {net.n_outputs}"
            )
        return X
    if Y is None:
        raise TypeError("Y is required when X is training data (or pass a SquaredLoss as X)")
    return squared_loss(net, X, Y)


# ------------------------------------------------------------------ derivatives of l o pi
def _gradient_theta(net: LCN, sq: SquaredLoss, theta: np.ndarray) -> tuple[np.ndarray, ...]:
    """``(w, grad l(w), J, grad L(theta))`` at a flat parameter vector."""
    J = jacobian(net, theta)
    k1 = int(np.prod(net.filter_shapes[0]))
    w = J[:, :k1] @ theta[:k1]  # pi is linear in w_1: pi(theta) = J_1 w_1
    g = sq.Sigma @ (w - sq._u_flat)
    return w, g, J, J.T @ g


@finite_result
def parameter_gradient(net: LCN, filters: Sequence[ArrayLike], X: Any, Y: Any = None) -> np.ndarray:
    """Gradient of ``L = l o pi`` with respect to the flattened parameters.

    Parameters
    ----------
    net, filters, X, Y

    Returns
    -------
    ndarray of shape (n_params,)
        ``J(theta)^T Sigma (pi(theta) - u)`` (chain rule).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> sq = SquaredLoss(np.eye(1), np.array([1.0]))
    >>> parameter_gradient(LCN([1, 1], [1, 1]), [[2.0], [3.0]], sq)
    array([15., 10.])
    """
    sq = _as_loss(net, X, Y)
    return _gradient_theta(net, sq, net.flatten(filters))[3]


@finite_result
def hessian(net: LCN, filters: Sequence[ArrayLike], X: Any, Y: Any = None) -> np.ndarray:
    """Hessian of ``L = l o pi`` with respect to the flattened parameters (symmetric).

    Parameters
    ----------
    net, filters, X, Y
        As in :func:`parameter_gradient`.

    Returns
    -------
    ndarray of shape (n_params, n_params)

    Notes
    -----
    ``H = J^T Sigma J + B``, ``B[(l,i), (m,j)] = <g, pi(w_l = e_i, w_m = e_j)>`` for ``l != m``
    (``pi`` multilinear), ``g = Sigma (pi(theta) - u)``. Prop. 8: zero filters give ``H`` a
    negative eigenvalue.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> sq = SquaredLoss(np.eye(1), np.array([1.0]))
    >>> hessian(LCN([1, 1], [1, 1]), [[0.0], [0.0]], sq)
    array([[ 0., -1.],
           [-1.,  0.]])
    """
    sq = _as_loss(net, X, Y)
    fs = net.check_filters(filters)
    _, g, J, _ = _gradient_theta(net, sq, net.flatten(fs))
    H = J.T @ sq.Sigma @ J
    off = net.offsets
    B = np.zeros_like(H)
    for l, f in enumerate(fs):  # row (l, i) of B: g^T J at the filters with w_l = e_i
        for i in range(f.size):
            others = list(fs)
            others[l] = np.eye(f.size)[i].reshape(f.shape)
            row = g @ net.jacobian(others)
            row[off[l] : off[l + 1]] = 0.0  # pi is linear in w_l: no (l, l) block
            B[off[l] + i] = row
    H = H + B
    return 0.5 * (H + H.T)


# ---------------------------------------------------------------------------------- flows
@dataclass(frozen=True, eq=False)
class FlowResult:
    """A trajectory of a gradient flow sampled at the times ``times`` (``T`` samples)."""

    times: np.ndarray  # (T,), times[0] = 0 (the initialization)
    filters: tuple[np.ndarray, ...]  # (T, *k_l) per layer (function_space_flow: fiber points)
    end_to_end: np.ndarray  # (T, *end_to_end_shape): w(t)
    loss: np.ndarray  # (T,): l(w(t))
    invariants: np.ndarray  # (T, L - 1): delta(theta(t))
    gradient_norm: np.ndarray  # (T,): ||grad_theta L(theta(t))|| = ||J^T grad l(w)||
    success: bool = True  # the integrator reached the last time
    message: str = ""  # the integrator's message
    nfev: int = 0  # field evaluations

    @property
    def theta(self) -> np.ndarray:
        """Flattened parameters along the flow, shape (T, n_params)."""
        T = self.times.size
        return np.hstack([f.reshape(T, -1) for f in self.filters])

    def filters_at(self, index: int) -> list[np.ndarray]:
        """The filters at sample ``index`` (negative indices count from the end)."""
        return [f[index].copy() for f in self.filters]

    @property
    def invariant_drift(self) -> float:
        """Largest absolute change of the invariants, ``max_{t,l} |delta_l(t) - delta_l(0)|``."""
        return float(np.max(np.abs(self.invariants - self.invariants[0]), initial=0.0))

    @property
    def relative_invariant_drift(self) -> float:
        """``max_{t,l} |delta_l(t) - delta_l(0)| / max_t ||theta(t)||^2`` (0 for one layer)."""
        scale = float(np.max(np.sum(self.theta**2, axis=1)))
        return self.invariant_drift / scale if scale > 0 else self.invariant_drift


def _result(
    net: LCN, sq: SquaredLoss, times: np.ndarray, thetas: np.ndarray, **info: Any
) -> FlowResult:
    """The :class:`FlowResult` of the parameters ``thetas`` (T, n_params) at ``times``."""
    T = times.size
    filters = [net.unflatten(th) for th in thetas]
    ws, grads = zip(*(_gradient_theta(net, sq, th)[::3] for th in thetas), strict=True)
    return FlowResult(
        times=times,
        filters=tuple(np.stack(layer) for layer in zip(*filters, strict=True)),
        end_to_end=np.stack(ws).reshape((T, *tuple(net.end_to_end_shape))),
        loss=np.array([sq.value(w) for w in ws]),
        invariants=np.stack([net.invariants(fs) for fs in filters]).reshape(T, net.n_layers - 1),
        gradient_norm=np.array([np.linalg.norm(g) for g in grads]),
        **info,
    )


@finite_result
def gradient_flow(
    net: LCN,
    filters: Sequence[ArrayLike],
    X: Any,
    Y: Any = None,
    t_eval: ArrayLike | None = None,
    *,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    method: str = "DOP853",
) -> FlowResult:
    """Integrate the gradient flow ``theta' = -grad L(theta)`` of the squared loss.

    Parameters
    ----------
    net, filters, X, Y
        ``filters`` the initialization ``theta(0)``; ``X`` a :class:`SquaredLoss` or inputs.
    t_eval : array_like of shape (T,)
        Required (TypeError without; by keyword after a :class:`SquaredLoss`).
    rtol, atol : float, default=1e-10, 1e-12
    method : str, default="DOP853"
        Any method of :func:`scipy.integrate.solve_ivp`.

    Returns
    -------
    FlowResult

    Notes
    -----
    ``theta' = -J^T Sigma (pi(theta) - u)`` keeps ``delta_l = ||w_{l+1}||^2 - ||w_l||^2``
    (eq. 1); ``w = pi(theta)`` moves by ``w' = -Theta grad l(w)``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> sq = SquaredLoss(np.eye(1), np.array([1.0]))
    >>> res = gradient_flow(LCN([1, 1], [1, 1]), [[0.5], [0.5]], sq, t_eval=[0.0, 20.0])
    >>> np.round(res.end_to_end[-1], 6), np.round(res.invariants[:, 0], 12)
    (array([1.]), array([0., 0.]))
    """
    sq = _as_loss(net, X, Y)
    t = _t_eval(t_eval)

    def rhs(_t: float, theta: np.ndarray) -> np.ndarray:
        return -_gradient_theta(net, sq, theta)[3]

    t, thetas, info = _integrate(rhs, net.flatten(filters), t, method, rtol, atol)
    return _result(net, sq, t, thetas, **info)


def _t_eval(t_eval: ArrayLike | None) -> np.ndarray:
    if t_eval is None:
        raise TypeError("t_eval is required: the sample times, starting at 0")
    return as_time_grid(t_eval)


def _info(sol: Any) -> dict[str, Any]:
    """``success``, ``message`` and ``nfev`` of a ``solve_ivp`` result."""
    return dict(success=bool(sol.success), message=str(sol.message), nfev=int(sol.nfev))


def _integrate(
    field: Callable, y0: np.ndarray, t: np.ndarray, method: str, rtol: float, atol: float
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """``solve_ivp`` of ``y' = field(t, y)``: the times reached, states (m, n), :func:`_info`."""
    if t.size == 1:
        return t, y0[None], dict(success=True, message="", nfev=0)
    sol = solve_ivp(field, (0.0, float(t[-1])), y0, method=method, t_eval=t, rtol=rtol, atol=atol)
    return t[: sol.y.shape[1]], sol.y.T, _info(sol)  # fewer times if the integrator stopped


@finite_result
def gradient_descent(
    net: LCN,
    filters: Sequence[ArrayLike],
    X: Any,
    Y: Any = None,
    *,
    step: float,
    n_steps: int,
) -> FlowResult:
    """Plain gradient descent ``theta_{k+1} = theta_k - step * grad L(theta_k)``.

    Parameters
    ----------
    net, filters, X, Y
        As in :func:`gradient_flow`.
    step : float
        The fixed step size (> 0).
    n_steps : int
        Number of steps (>= 1).

    Returns
    -------
    FlowResult
        At ``times = step * k``, ``k = 0, ..., n_steps``.

    Notes
    -----
    Explicit Euler: a step changes ``||w_l||^2`` by ``step^2 ||grad_{w_l} L||^2`` beyond the
    common first-order term, so ``delta`` drifts by ``O(step^2)`` per step.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> sq = SquaredLoss(np.eye(1), np.array([1.0]))
    >>> res = gradient_descent(LCN([1, 1], [1, 1]), [[1.0], [0.5]], sq, step=0.1, n_steps=3)
    >>> res.times
    array([0. , 0.1, 0.2, 0.3])
    """
    sq = _as_loss(net, X, Y)
    h = float(as_finite_array(step, "step"))
    if h <= 0:
        raise ValueError(f"step must be positive: got {h}")
    n = as_positive_int(n_steps, "n_steps")
    thetas = [net.flatten(filters)]
    for _ in range(n):
        thetas.append(thetas[-1] - h * _gradient_theta(net, sq, thetas[-1])[3])
    info = dict(success=True, message="fixed-step gradient descent", nfev=n)
    return _result(net, sq, h * np.arange(n + 1), np.stack(thetas), **info)


FiberLift = Callable[[np.ndarray, np.ndarray, "list[np.ndarray] | None"], Sequence[ArrayLike]]

_GN_STEPS = 8  #: at most this many Gauss-Newton steps per call of the follower
_GN_RTOL = 1e-10  #: stop when a step is below this times ||theta||


def _continue(
    net: LCN, w: np.ndarray, delta: np.ndarray, theta: np.ndarray, J: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Follow a fiber point: :func:`lcnn_widgets.lcn.gauss_newton` on ``pi = w``, ``delta``."""
    w, delta = np.ravel(w), np.ravel(delta)
    return gauss_newton(net, theta, w, delta, steps=_GN_STEPS, rtol=_GN_RTOL, J=J)


def fiber_continuation(net: LCN) -> FiberLift:
    """A follower ``(w, delta, previous) -> filters`` that follows one branch of the fiber.

    Parameters
    ----------
    net : LCN

    Returns
    -------
    callable
        ``follow(w, delta, previous)``: Gauss-Newton (least squares) on ``pi(theta) = w``,
        ``delta(theta) = delta`` from the filters ``previous`` to a step below ``1e-10
        ||theta||``; with ``previous=None`` the first point of :func:`fibers`.

    Notes
    -----
    Off the neuromanifold (a trial point of the integrator): the least-squares point. Strides
    ``> 1``: the fiber point is unique up to signs (Thm 4), so ``Theta(theta) = Theta(w; delta)``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([2, 2], [2, 1])
    >>> follow = fiber_continuation(net)
    >>> fs = follow(np.array([1.0, 2.0, 1.1, 2.2]), np.array([0.0]), [[1.0, 2.0], [1.0, 1.0]])
    >>> np.round(net.end_to_end(fs), 6)
    array([1. , 2. , 1.1, 2.2])
    """
    as_network(net)

    def follow(w: np.ndarray, delta: np.ndarray, previous: list | None) -> list[np.ndarray]:
        if previous is None:
            return list(fibers(net, w, delta).points[0].filters)
        theta = np.concatenate([np.ravel(f) for f in previous])
        return net.unflatten(_continue(net, w, delta, theta)[0])

    return follow


@finite_result
def function_space_flow(
    net: LCN,
    w0: ArrayLike,
    delta: ArrayLike,
    X: Any,
    Y: Any = None,
    t_eval: ArrayLike | None = None,
    *,
    fiber_point: FiberLift | None = None,
    initial_filters: Sequence[ArrayLike] | None = None,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    method: str = "DOP853",
) -> FlowResult:
    """Integrate the Riemannian gradient flow ``w' = -Theta(w; delta) grad l(w)`` on ``M``.

    Parameters
    ----------
    net : LCN
        Cor. 6 needs strides ``s_1, ..., s_{L-1} > 1`` in 1D (``Theta`` a function of ``w``,
        ``delta``).
    w0 : array_like of shape end_to_end_shape
        A smooth point of the neuromanifold (ValueError off it).
    delta : array_like of shape (L - 1,)
        The invariants that select the metric.
    X, Y, t_eval, rtol, atol, method
        As in :func:`gradient_flow`.
    fiber_point : callable, optional
        ``fiber_point(w, delta, previous_filters) -> filters`` (``previous_filters``: the point
        returned last, or ``initial_filters``/None at first); default :func:`fiber_continuation`.
    initial_filters : sequence of array_like, optional
        A point mapping to ``w0``, rescaled to ``delta``; default the first point of
        ``fibers(net, w0, delta)``.

    Returns
    -------
    FlowResult
        ``end_to_end`` and ``loss`` of the integrated ``w(t)``; ``filters`` the fiber points
        (so ``invariants`` equals ``delta``).

    Notes
    -----
    The field is ``-Theta grad l(w)`` with ``Theta = J J^T`` at a fiber point of ``w``: by
    Cor. 6 the Riemannian gradient flow for ``g = Theta(w; delta)^+``, equal to ``pi(theta(t))``.

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> net = LCN([1, 1], [2, 1])
    >>> sq = SquaredLoss(np.eye(1), np.array([1.0]))
    >>> res = function_space_flow(net, [0.25], [0.0], sq, t_eval=[0, 20],
    ...                           initial_filters=[[0.5], [0.5]])
    >>> np.round(res.end_to_end[-1], 6), np.round(res.invariants[-1], 12)
    (array([1.]), array([0.]))
    """
    sq = _as_loss(net, X, Y)
    t = _t_eval(t_eval)
    w_start = as_finite_array(w0, "w0")
    if w_start.size != net.n_outputs:
        raise ValueError(
            f"w0 must have shape {net.end_to_end_size} (the end-to-end filter): got shape "
            f"{w_start.shape}"
        )
    d = as_delta(delta, net.n_layers)
    w_flat = w_start.ravel()
    start = None
    if initial_filters is not None:
        fs0 = net.check_filters(initial_filters)
        gap = np.linalg.norm(net.end_to_end(fs0).ravel() - w_flat)
        if gap > 1e-8 * max(float(np.linalg.norm(w_flat)), 1e-300):
            raise ValueError(
                f"initial_filters must map to w0: got ||pi(initial_filters) - w0|| = {gap:.3g}"
            )
        start = rescale(net, fs0, d)
    shape = tuple(net.end_to_end_shape)
    state: dict[str, Any] = {"prev": start, "theta": None, "J": None}
    cont = fiber_point is None
    follow = fiber_point or fiber_continuation(net)

    def point(w: np.ndarray) -> list[np.ndarray]:
        if cont and state["theta"] is not None:  # fast path: continue, reuse J
            state["theta"], state["J"] = _continue(net, w, d, state["theta"], state["J"])
            fs = net.unflatten(state["theta"])
        else:
            fs = net.check_filters(follow(w.reshape(shape), d, state["prev"]))
            state["theta"] = net.flatten(fs) if cont else None
            state["J"] = None
        state["prev"] = fs
        return fs

    def rhs(_t: float, w: np.ndarray) -> np.ndarray:
        fs = point(w)
        J = state["J"] if state["J"] is not None else jacobian(net, net.flatten(fs))
        return -J @ (J.T @ (sq.Sigma @ (w - sq._u_flat)))

    state["prev"] = start = point(w_flat)  # the fiber point at t = 0 (fails off M)
    t, ws, info = _integrate(rhs, w_flat, t, method, rtol, atol)
    state.update(prev=start, theta=None, J=None)
    thetas = np.stack([net.flatten(point(w)) for w in ws])
    # report the integrated w(t) (pi of the fiber point agrees with it to the follower's accuracy)
    return replace(
        _result(net, sq, t, thetas, **info),
        end_to_end=ws.reshape((t.size, *shape)),
        loss=np.array([sq.value(w) for w in ws]),
    )


# ---------------------------------------------------------------------- convergence runs
@dataclass(frozen=True, eq=False)
class ConvergenceReport:
    """Summary of many gradient flows from random initializations (Thm 7, Prop. 8).

    Arrays of shape (n_runs,) unless noted; ``T = t_max``.
    """

    initial_filters: tuple  # theta(0) of each run (list of ndarray)
    final_filters: tuple  # theta(T) of each run
    end_to_end_norm: np.ndarray  # ||pi(theta(T))||
    gradient_norm: np.ndarray  # ||grad L(theta(T))||
    final_loss: np.ndarray  # L(theta(T))
    relative_invariant_drift: np.ndarray  # FlowResult.relative_invariant_drift of each run
    min_hessian_eigenvalue: np.ndarray  # smallest eigenvalue of Hess L at theta(T)
    min_filter_norm: np.ndarray  # min_l ||w_l(T)||
    t_max: float  # the time horizon


@finite_result
def convergence_runs(
    net: LCN,
    X: Any,
    Y: Any = None,
    *,
    rng: np.random.Generator,
    n_runs: int = 20,
    t_max: float = 50.0,
    scale: float = 1.0,
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> ConvergenceReport:
    """Run the gradient flow from ``n_runs`` random initializations up to time ``t_max``.

    Parameters
    ----------
    net, X, Y, rtol, atol
        As in :func:`gradient_flow`.
    rng : numpy.random.Generator
    n_runs : int, default=20
    t_max : float, default=50.0
    scale : float, default=1.0
        Standard deviation of the initial filter entries (:meth:`LCN.random_filters`).

    Returns
    -------
    ConvergenceReport

    Notes
    -----
    Thm 7, Prop. 8: for generic data and initialization the flow converges to a critical point
    with ``pi(theta) != 0`` and no clearly negative Hessian eigenvalue (``L - 1`` zeros).

    Examples
    --------
    >>> from lcnn_widgets import LCN
    >>> sq = SquaredLoss(np.eye(1), np.array([1.0]))
    >>> rep = convergence_runs(LCN([1, 1], [1, 1]), sq, rng=np.random.default_rng(0), n_runs=2)
    >>> np.round(rep.end_to_end_norm, 6)
    array([1., 1.])
    """
    sq = _as_loss(net, X, Y)
    n = as_positive_int(n_runs, "n_runs")
    T = float(as_finite_array(t_max, "t_max"))
    if T <= 0:
        raise ValueError(f"t_max must be positive: got {T}")
    inits = tuple(net.random_filters(rng, scale=scale) for _ in range(n))
    runs = [gradient_flow(net, fs, sq, t_eval=[0.0, T], rtol=rtol, atol=atol) for fs in inits]
    finals = tuple(res.filters_at(-1) for res in runs)
    return ConvergenceReport(
        initial_filters=inits,
        final_filters=finals,
        end_to_end_norm=np.array([np.linalg.norm(res.end_to_end[-1]) for res in runs]),
        gradient_norm=np.array([res.gradient_norm[-1] for res in runs]),
        final_loss=np.array([res.loss[-1] for res in runs]),
        relative_invariant_drift=np.array([res.relative_invariant_drift for res in runs]),
        min_hessian_eigenvalue=np.array(
            [np.linalg.eigvalsh(hessian(net, end, sq))[0] for end in finals]
        ),
        min_filter_norm=np.array([min(np.linalg.norm(f) for f in end) for end in finals]),
        t_max=T,
    )


# ------------------------------------------------------------------ two layers, fast (widgets)
# The closed-form fields of two-layer networks that the flow widget integrates; not in __all__.
#: the widget's tolerances (looser than the library's, for speed; the flows agree to ~1e-9)
WIDGET_RTOL, WIDGET_ATOL = 1e-9, 1e-11
#: LSODA (``odeint``: compiled, analytic Jacobian) runs this much tighter than the given
#: tolerances, so its error is below DOP853's at them (tests/test_widgets_flows.py checks)
LSODA_TIGHTER = 10.0


class GridSolution:
    """A trajectory stored on a time grid, with cubic Hermite interpolation between the samples.

    Shaped as :func:`scipy.integrate.solve_ivp`'s result: ``t`` (m,), ``y`` (n, m), ``sol(t)``,
    ``success``, ``message``, ``nfev``. ``sol`` returns stored samples exactly and interpolates
    between them with the field at the samples (``fields``: (m, n) -> (m, n), on first use).
    """

    def __init__(
        self, t: np.ndarray, y: np.ndarray, fields: Any, *, success: bool, message: str, nfev: int
    ):
        self.t, self.y = t, y
        self.success, self.message, self.nfev = success, message, nfev
        self._fields = fields
        self._spline: Any = None

    def sol(self, t: ArrayLike) -> np.ndarray:
        """The state at the times ``t`` (scalar: shape (n,); array: shape (n, len(t)))."""
        tt = np.asarray(t, dtype=float)
        flat = np.atleast_1d(tt)
        idx = np.clip(np.searchsorted(self.t, flat), 0, self.t.size - 1)
        if np.all(self.t[idx] == flat):  # stored samples: no interpolation
            out = self.y[:, idx]
        else:
            if self._spline is None:
                from scipy.interpolate import CubicHermiteSpline

                Y = self.y.T
                self._spline = CubicHermiteSpline(self.t, Y, self._fields(Y), axis=0)
            out = self._spline(flat).T
        return out[:, 0] if tt.ndim == 0 else out


def _solution_times(t_end: float, times: ArrayLike | None) -> np.ndarray:
    if times is None:
        return np.linspace(0.0, float(t_end), 641)
    t = np.asarray(times, dtype=float)
    if t.ndim != 1 or t.size < 2 or t[0] != 0.0 or np.any(np.diff(t) <= 0):
        raise ValueError("times must be increasing from 0, with at least two entries")
    return t


def _sampled(sol: Any, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The times ``t`` up to the end of ``sol``, and the states there, shape (len(t), n)."""
    t = t[t <= sol.t[-1]]
    return t, (np.atleast_2d(sol.sol(t).T) if t.size > 1 else sol.y[:, :1].T)


def _lsoda(
    field: Any, jac: Any, y0: np.ndarray, t: np.ndarray, rtol: float, atol: float, fields: Any
) -> GridSolution:
    """Integrate ``y' = field(y, t)`` by LSODA on the times ``t`` (tolerances / LSODA_TIGHTER).

    The result stops at the first non-finite sample.
    """
    from scipy.integrate import odeint

    tol = dict(rtol=rtol / LSODA_TIGHTER, atol=atol / LSODA_TIGHTER)
    with np.errstate(over="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an overflow is reported through success and message
        Y, info = odeint(field, y0, t, Dfun=jac, full_output=True, mxstep=20000, **tol)
    finite = np.all(np.isfinite(Y), axis=1)
    n = max(int(np.argmin(finite)) if not finite.all() else t.size, 1)
    msg = str(info["message"])
    ok = bool(msg == "Integration successful." and finite.all())
    return GridSolution(
        t[:n], Y[:n].T.copy(), fields, success=ok, message=msg, nfev=int(info["nfe"][-1])
    )


class TwoLayerFlows:
    """Both gradient flows of a squared loss for a *two-layer* ``net``, fast enough for a widget.

    The fields and Gauss-Newton continuation of :func:`gradient_flow` and
    :func:`function_space_flow`, in closed form: ``pi`` is bilinear, ``pi_k = sum_ij T[i, j, k]
    w_1[i] w_2[j]``, so ``d pi / d w_1 = T . w_2`` and ``d pi / d w_2 = T . w_1``; values along a
    trajectory are computed for all sample times at once. ``n = k_1 + k_2``, ``K = net.n_outputs``.
    """

    def __init__(self, net: LCN, loss: SquaredLoss):
        if not isinstance(net, LCN) or net.n_layers != 2:
            raise ValueError(f"TwoLayerFlows needs a two-layer LCN: got {net!r}")
        if not isinstance(loss, SquaredLoss):
            raise TypeError(f"loss must be a SquaredLoss: got {type(loss).__name__}")
        self.net, self.loss = net, loss
        self.k1, self.k2 = k1, k2 = [int(np.prod(s)) for s in net.filter_shapes]
        self.K = K = net.n_outputs
        if loss.u.size != K:
            raise ValueError(
                f"the loss's data filter has {loss.u.size} entries, the network's "
                f"end-to-end filter {K}"
            )
        eye = np.eye(k1 + k2)  # T[i, j] = pi(e_i, e_j)
        units = [[net.unflatten(eye[i] + eye[k1 + j]) for j in range(k2)] for i in range(k1)]
        self.T = T = np.array([[net.end_to_end(fs).ravel() for fs in row] for row in units])
        self._T1 = T.reshape(k1, k2 * K)  # contract with w_1
        self._T2 = np.ascontiguousarray(T.transpose(1, 0, 2)).reshape(k2, k1 * K)
        self.Sigma = loss.Sigma
        self.u = loss.u.ravel()
        self._sign = np.concatenate([-2.0 * np.ones(k1), 2.0 * np.ones(k2)])
        # J(theta) is linear in theta (pi is bilinear): J(theta).ravel() = G @ theta, G (K n, n)
        self._G = np.stack([self.jacobian(e) for e in eye], axis=2).reshape(K * (k1 + k2), -1)
        self._Su = self.Sigma @ self.u

    # ---------------------------------------------------------------- pieces of the fields
    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """``J(theta)`` of shape (K, k_1 + k_2), the columns of :meth:`LCN.jacobian`."""
        w1, w2 = theta[: self.k1], theta[self.k1 :]
        J1 = (w2 @ self._T2).reshape(self.k1, self.K).T
        J2 = (w1 @ self._T1).reshape(self.k2, self.K).T
        return np.hstack([J1, J2])

    def gradient(self, _t: float, theta: np.ndarray) -> np.ndarray:
        """The parameter field ``-grad L(theta) = -J^T Sigma (pi(theta) - u)``."""
        w1, w2 = theta[: self.k1], theta[self.k1 :]
        A = (w1 @ self._T1).reshape(self.k2, self.K)  # rows: d pi / d w_2[j]
        g = self.Sigma @ (w2 @ A - self.u)
        return -np.concatenate([(self.T @ g) @ w2, A @ g])

    def hessian_field(self, theta: np.ndarray) -> np.ndarray:
        """The Jacobian of :meth:`gradient`, ``-Hess L = -J^T Sigma J - (blocks T . g)``, (n, n)."""
        k1 = self.k1
        w1, w2 = theta[:k1], theta[k1:]
        J = self.jacobian(theta)
        A = (w1 @ self._T1).reshape(self.k2, self.K)
        Tg = self.T @ (self.Sigma @ (w2 @ A - self.u))
        H = J.T @ self.Sigma @ J
        H[:k1, k1:] += Tg
        H[k1:, :k1] += Tg.T
        return -H

    def _w_field(self, w: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """The function-space field ``-J J^T Sigma (w - u)`` with ``J`` at ``theta``."""
        J = self.jacobian(theta)
        return -J @ (J.T @ (self.Sigma @ (w - self.u)))

    def _rows(self, thetas: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``pi``, ``Sigma (pi - u)`` and ``grad L`` at the rows of ``thetas`` (m, n)."""
        k1, k2, m = self.k1, self.k2, thetas.shape[0]
        W1, W2 = thetas[:, :k1], thetas[:, k1:]
        A = (W1 @ self._T1).reshape(m, k2, self.K)  # rows: d pi / d w_2[j]
        ws = np.einsum("tj,tjk->tk", W2, A)
        g = (ws - self.u) @ self.Sigma  # Sigma is symmetric
        Tg = (g @ self.T.reshape(k1 * k2, self.K).T).reshape(m, k1, k2)
        return ws, g, np.hstack([np.einsum("tij,tj->ti", Tg, W2), np.einsum("tjk,tk->tj", A, g)])

    def _start(self, filters: Sequence[ArrayLike]) -> tuple[np.ndarray, float, np.ndarray]:
        """``theta(0)``, its invariant ``delta`` and ``w(0) = pi(theta(0))``."""
        theta0 = self.net.flatten(filters)
        w0 = self.jacobian(theta0)[:, : self.k1] @ theta0[: self.k1]
        return theta0, float(self.net.invariants(filters)[0]), w0

    def _lift(
        self, w: np.ndarray, delta: float, theta: np.ndarray, rtol: float = 1e-6
    ) -> np.ndarray:
        """The fiber point of ``(w, delta)`` near ``theta`` (Gauss-Newton, Cholesky).

        Stops once a step is below ``rtol ||theta||`` (the error is then ``O(rtol^2)``); the
        one-row :meth:`_lifts`, written out for speed (it runs inside the fields).
        """
        k1, K = self.k1, self.K
        M = np.empty((K + 1, k1 + self.k2))
        F = np.empty(K + 1)
        for _ in range(_GN_STEPS):
            w1, w2 = theta[:k1], theta[k1:]
            J2 = (w1 @ self._T1).reshape(self.k2, K)
            M[:K, :k1] = (w2 @ self._T2).reshape(k1, K).T
            M[:K, k1:] = J2.T
            M[K] = self._sign * theta
            F[:K] = w2 @ J2 - w
            F[K] = w2 @ w2 - w1 @ w1 - delta
            step = _dposv(M.T @ M, M.T @ F)[1]  # LAPACK's Cholesky solver (M has full rank n)
            theta = theta - step
            if step @ step <= rtol * rtol * (theta @ theta):
                break
        return theta

    def _lifts(self, ws: np.ndarray, delta: float, thetas: np.ndarray) -> np.ndarray:
        """:meth:`_lift` (``rtol = 1e-10``) of all rows of ``ws`` (m, K) at once from ``thetas``."""
        k1, K, m = self.k1, self.K, ws.shape[0]
        theta = thetas
        M = np.empty((m, K + 1, theta.shape[1]))
        F = np.empty((m, K + 1, 1))
        for _ in range(_GN_STEPS):
            W1, W2 = theta[:, :k1], theta[:, k1:]
            A = (W1 @ self._T1).reshape(m, self.k2, K)  # rows: d pi / d w_2[j]
            M[:, :K, :k1] = (W2 @ self._T2).reshape(m, k1, K).transpose(0, 2, 1)
            M[:, :K, k1:] = A.transpose(0, 2, 1)
            M[:, K] = self._sign * theta
            F[:, :K, 0] = np.einsum("tj,tjk->tk", W2, A) - ws
            F[:, K, 0] = np.sum(W2**2, axis=1) - np.sum(W1**2, axis=1) - delta
            Mt = M.transpose(0, 2, 1)
            step = np.linalg.solve(Mt @ M, Mt @ F)[:, :, 0]
            theta = theta - step
            if np.all(np.sum(step**2, axis=1) <= _GN_RTOL**2 * np.sum(theta**2, axis=1)):
                break
        return theta

    def _continued(self, ws: np.ndarray, delta: float, theta: np.ndarray) -> np.ndarray:
        """Fiber points (m, n) of the rows of ``ws`` (m, K), continued row by row from ``theta``."""
        out = np.empty((len(ws), theta.size))
        for i, w in enumerate(ws):
            theta = out[i] = self._lift(w, delta, theta, rtol=_GN_RTOL)
        return out

    def _function_fields(self, filters: Sequence[ArrayLike]) -> Any:
        """``W (m, K) ->`` the function-space field at the rows of ``W`` (lifts continued)."""
        theta0, delta, _ = self._start(filters)

        def fields(W: np.ndarray) -> np.ndarray:
            thetas = self._continued(W, delta, theta0)
            return np.array([self._w_field(w, th) for w, th in zip(W, thetas, strict=True)])

        return fields

    # ---------------------------------------------------------------- trajectories
    def _values(self, times: np.ndarray, thetas: np.ndarray, **info: Any) -> FlowResult:
        """The :class:`FlowResult` of sampled parameters (all sample times at once)."""
        net, k1, n = self.net, self.k1, times.size
        ws, g, grad = self._rows(thetas)
        W1, W2 = thetas[:, :k1], thetas[:, k1:]
        k1_shape, k2_shape = net.filter_shapes
        return FlowResult(
            times=times,
            filters=(W1.reshape((n, *k1_shape)), W2.reshape((n, *k2_shape))),
            end_to_end=ws.reshape((n, *tuple(net.end_to_end_shape))),
            loss=0.5 * np.einsum("tk,tk->t", g, ws - self.u) + self.loss.const,
            invariants=(np.sum(W2**2, axis=1) - np.sum(W1**2, axis=1))[:, None],
            gradient_norm=np.linalg.norm(grad, axis=1),
            **info,
        )

    @finite_result
    def gradient_flow(
        self,
        filters: Sequence[ArrayLike],
        t_eval: ArrayLike,
        *,
        rtol: float = WIDGET_RTOL,
        atol: float = WIDGET_ATOL,
    ) -> FlowResult:
        """:func:`lcnn_widgets.gradient_flow` (``method="DOP853"``), evaluated faster."""
        t = as_time_grid(t_eval)
        t, thetas, info = _integrate(
            self.gradient, self.net.flatten(filters), t, "DOP853", rtol, atol
        )
        return self._values(t, thetas, **info)

    def parameter_trajectory(
        self,
        filters: Sequence[ArrayLike],
        t_end: float,
        *,
        rtol: float = WIDGET_RTOL,
        atol: float = WIDGET_ATOL,
        times: ArrayLike | None = None,
    ) -> GridSolution:
        """The parameter flow to ``t_end`` by LSODA (Jacobian :meth:`hessian_field`).

        Stored at ``times`` (from 0 to ``t_end``; default 641 equal steps); ``sol(t) = theta(t)``
        on ``[0, t[-1]]`` (``t[-1] < t_end`` after an overflow).
        """
        return _lsoda(
            lambda y, _t: self.gradient(_t, y),
            lambda y, _t: self.hessian_field(y),
            self.net.flatten(filters),
            _solution_times(t_end, times),
            rtol,
            atol,
            lambda Y: -self._rows(Y)[2],
        )

    def function_trajectory(
        self,
        filters: Sequence[ArrayLike],
        t_end: float,
        *,
        rtol: float = WIDGET_RTOL,
        atol: float = WIDGET_ATOL,
        times: ArrayLike | None = None,
    ) -> GridSolution:
        """The function-space flow ``w' = -Theta(w; delta) grad l(w)`` from ``pi(filters)``.

        Fiber points followed by :meth:`_lift`; as :meth:`parameter_trajectory` (Jacobian
        ``-Theta Sigma``), ``sol(t) = w(t)`` flattened.
        """
        theta0, delta, w0 = self._start(filters)
        state = {"theta": theta0}

        def field(w: np.ndarray, _t: float) -> np.ndarray:
            state["theta"] = self._lift(w, delta, state["theta"])
            return self._w_field(w, state["theta"])

        def jac(_w: np.ndarray, _t: float) -> np.ndarray:
            J = self.jacobian(state["theta"])
            return -(J @ J.T) @ self.Sigma

        t = _solution_times(t_end, times)
        return _lsoda(field, jac, w0, t, rtol, atol, self._function_fields(filters))

    def both_trajectories(
        self,
        filters: Sequence[ArrayLike],
        t_end: float,
        *,
        rtol: float = WIDGET_RTOL,
        atol: float = WIDGET_ATOL,
        times: ArrayLike | None = None,
        every: int = 1,
    ) -> tuple[GridSolution, GridSolution]:
        """Both flows as one LSODA system ``(theta, w)``; ``w`` stored at ``times[::every]``.

        ``J`` at the fiber point of ``w`` is one Gauss-Newton step from the parameter flow's
        ``theta`` (the same fiber by Cor. 6; :meth:`_lift` iterates on if the step is larger
        than ``1e-6 ||theta||``). Both :class:`GridSolution` carry the joint ``nfev``.
        """
        k1, K = self.k1, self.K
        n = k1 + self.k2
        theta0, delta, w0 = self._start(filters)
        G, Sigma, Su, sign = self._G, self.Sigma, self._Su, self._sign
        # the Gauss-Newton system [J(theta), pi(theta) - w; grad delta(theta), delta(theta) -
        # delta] as one (K + 1) x (n + 1) matrix A: A^T A holds the normal equations
        A = np.empty((K + 1, n + 1))
        Jt, grad_delta = A[:K, :n], A[K, :n]
        J_flat, L_flat = np.empty(K * n), np.empty(K * n)
        J, L = J_flat.reshape(K, n), L_flat.reshape(K, n)  # J(theta) and J at the fiber point
        J2 = J[:, k1:]  # d pi / d w_2
        out = np.empty(n + K)

        def field(y: np.ndarray, _t: float) -> np.ndarray:
            theta, w = y[:n], y[n:]
            np.dot(G, theta, out=J_flat)
            Jt[...] = J
            np.multiply(sign, theta, out=grad_delta)
            wp = J2 @ theta[k1:]  # pi(theta) = (d pi / d w_2) w_2
            out[:n] = J.T @ (Su - Sigma @ wp)  # -grad L(theta)
            # the fiber point of (w, delta): Gauss-Newton from theta (normal equations, Cholesky)
            np.subtract(wp, w, out=A[:K, n])
            A[K, n] = 0.5 * (theta @ grad_delta) - delta  # delta(theta) - delta
            P = A.T @ A
            step = _dposv(P[:n, :n], P[:n, n])[1]
            lifted = theta - step
            if step @ step > 1e-12 * (lifted @ lifted):  # far from the fiber: iterate on
                lifted = self._lift(w, delta, lifted)
            np.dot(G, lifted, out=L_flat)
            out[n:] = L @ (L.T @ (Su - Sigma @ w))  # -Theta(w; delta) grad l(w)
            return out

        def jac(y: np.ndarray, _t: float) -> np.ndarray:
            D = np.zeros((n + K, n + K))
            D[:n, :n] = self.hessian_field(y[:n])
            J = (G @ y[:n]).reshape(K, n)  # Theta at theta: the function block's Jacobian
            D[n:, n:] = -(J @ J.T) @ Sigma  # up to the derivative of Theta
            return D

        t = _solution_times(t_end, times)
        every = as_positive_int(every, "every")
        joint = _lsoda(field, jac, np.concatenate([theta0, w0]), t, rtol, atol, None)
        info = _info(joint)
        par = GridSolution(joint.t, joint.y[:n].copy(), lambda Y: -self._rows(Y)[2], **info)
        fun = GridSolution(
            joint.t[::every], joint.y[n:, ::every].copy(), self._function_fields(filters), **info
        )
        return par, fun

    def sample_parameter(self, sol: Any, t: np.ndarray) -> FlowResult:
        """The parameter flow of :meth:`parameter_trajectory` at the times ``t`` (from 0)."""
        t, thetas = _sampled(sol, t)
        return self._values(t, thetas, **_info(sol))

    def sample_function(
        self,
        sol: Any,
        t: np.ndarray,
        filters: Sequence[ArrayLike],
        guesses: np.ndarray | None = None,
    ) -> FlowResult:
        """The function-space flow of :meth:`function_trajectory` at the times ``t``.

        As :func:`function_space_flow`; fiber points continued from ``filters``, or lifted from
        the rows of ``guesses`` (len(t), n), e.g. the parameter flow (same fibers by Cor. 6).
        """
        t, ws = _sampled(sol, t)
        theta0, delta, _ = self._start(filters)
        if guesses is None:
            thetas = self._continued(ws, delta, theta0)
        else:
            thetas = self._lifts(ws, delta, np.asarray(guesses, float)[: t.size])
        r = ws - self.u
        return replace(
            self._values(t, thetas, **_info(sol)),
            end_to_end=ws.reshape((t.size, *tuple(self.net.end_to_end_shape))),
            loss=0.5 * np.einsum("tk,tk->t", r @ self.Sigma, r) + self.loss.const,
        )
