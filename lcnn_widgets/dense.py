"""Fully connected linear networks (paper Sec. 1.1 and Sec. 4).

A network with widths ``(d_0, d_1, ..., d_L)`` has one weight matrix per layer, ``W_j`` of shape
``(d_j, d_{j-1})``, layer 1 first (it sees the input). It computes the *end-to-end matrix*

    W = W_L ... W_2 W_1,        of shape (d_L, d_0).

Conventions (other names as in lcnn_widgets/README.md, "Vocabulary"):

* ``vec`` is row-major (numpy's C order): ``vec(X)[a * n + b] = X[a, b]``. With it,
  ``vec(A X B) = kron(A, B^T) vec(X)``.
* ``theta`` concatenates ``vec(W_1), ..., vec(W_L)`` (layer 1 first).
* ``A_j = W_L ... W_{j+1}`` (identity for ``j = L``) and ``B_j = W_{j-1} ... W_1`` (identity
  for ``j = 1``) are the partial products around layer ``j``, so ``W = A_j W_j B_j``.
* The loss is the squared loss ``l(W) = 1/2 ||W - Y||_F^2`` or, with inputs ``X`` of shape
  ``(d_0, N)`` (one sample per column), ``l(W) = 1/(2N) ||W X - Y||_F^2``.

>>> import numpy as np
>>> net = FCN((2, 3, 2))
>>> weights = [np.ones((3, 2)), np.ones((2, 3))]
>>> net.end_to_end(weights)
array([[3., 3.],
       [3., 3.]])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import accumulate
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp
from scipy.stats import ortho_group

from ._validation import (
    Shape,
    as_finite_array,
    as_generator,
    as_matrix_targets,
    as_moderate,
    as_orthogonal,
    as_parameter_blocks,
    as_positive_int,
    as_real,
    as_time_grid,
    as_weights,
    as_widths,
    finite_result,
)

# fmt: off
__all__ = ["FCN", "DenseFlowResult", "Example20", "balanced_factorization", "balanced_flow",
           "balanced_velocity", "dense_loss", "dense_loss_gradient", "example_20",
           "gradient_flow_dense", "identity_factorization", "invariant_jacobian", "invariants",
           "jacobian", "orthogonal_orbit", "pi", "psd_power", "random_orthogonal", "rotation",
           "split"]
# fmt: on


def _product(ws: Sequence[np.ndarray]) -> np.ndarray:
    """``W_L ... W_1`` of checked matrices ``ws = [W_1, ..., W_L]`` (no checking)."""
    return reduce(lambda out, w: w @ out, ws)


def _split(net: FCN, theta: np.ndarray) -> list[np.ndarray]:
    """The weight matrices of a checked flat ``theta`` (views, no checking)."""
    off = net._offsets
    return [theta[a:b].reshape(s) for a, b, s in zip(off[:-1], off[1:], net._shapes, strict=True)]


def _invariants(ws: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``D_j = W_{j+1}^T W_{j+1} - W_j W_j^T`` of checked weights (eq. 5)."""
    return [ws[j + 1].T @ ws[j + 1] - ws[j] @ ws[j].T for j in range(len(ws) - 1)]


def _shaped(value: ArrayLike, name: str, shape: tuple[int, ...], of: str) -> np.ndarray:
    """A finite matrix of the given ``shape`` (that ``of`` another matrix, says the message)."""
    a = as_finite_array(value, name, ndim=2)
    if a.shape != shape:
        raise ValueError(f"{name} must have the shape {shape} of {of}: got shape {a.shape}")
    return a


def _partial_products(ws: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``A_j = W_L ... W_{j+1}`` and ``B_j = W_{j-1} ... W_1`` for ``j = 1, ..., L``."""
    B = accumulate(ws[:-1], lambda b, w: w @ b, initial=np.eye(ws[0].shape[1]))
    A = accumulate(ws[:0:-1], lambda a, w: a @ w, initial=np.eye(ws[-1].shape[0]))
    return list(A)[::-1], list(B)


# The kernel on a flat, already checked ``theta`` (no checking; the names of lcn.py's kernel).
def split(net: FCN, theta: np.ndarray) -> list[np.ndarray]:
    """The weight matrices ``[W_1, ..., W_L]`` of ``theta`` (views; inverse of ``FCN.flatten``)."""
    return _split(net, theta)


def pi(net: FCN, theta: np.ndarray) -> np.ndarray:
    """The end-to-end matrix ``W_L ... W_1``, shape (d_L, d_0)."""
    return _product(_split(net, theta))


def jacobian(net: FCN, theta: np.ndarray) -> np.ndarray:
    """``d vec(W) / d theta`` of shape (d_L d_0, n_params), as :meth:`FCN.jacobian`."""
    A, B = _partial_products(_split(net, theta))
    return np.hstack([np.kron(a, b.T) for a, b in zip(A, B, strict=True)])


def invariants(net: FCN, theta: np.ndarray) -> list[np.ndarray]:
    """The matrices ``W_{j+1}^T W_{j+1} - W_j W_j^T`` of eq. (5), as :meth:`FCN.invariants`."""
    return _invariants(_split(net, theta))


def invariant_jacobian(net: FCN, theta: np.ndarray) -> np.ndarray:
    """Derivative of the invariants in ``theta``, as :meth:`FCN.invariant_jacobian`."""
    ws, off, n = _split(net, theta), net._offsets, net.n_params
    rows = [np.zeros((0, n))]
    for j in range(len(ws) - 1):
        d = ws[j].shape[0]
        sym = np.eye(d * d) + np.eye(d * d)[[b * d + a for a in range(d) for b in range(d)]]
        rows.append(np.zeros((d * d, n)))
        rows[-1][:, off[j] : off[j + 1]] = -sym @ np.kron(np.eye(d), ws[j])
        rows[-1][:, off[j + 1] : off[j + 2]] = sym @ np.kron(ws[j + 1].T, np.eye(d))
    return np.vstack(rows)


class FCN:
    """A fully connected linear network, given by its layer widths.

    Parameters
    ----------
    widths : sequence of int
        ``(d_0, d_1, ..., d_L)``; layer ``j`` has a weight matrix of shape ``(d_j, d_{j-1})``.

    Notes
    -----
    Paper Sec. 1.1: ``W = W_L ... W_1``. Gradient flow (eq. 4) conserves
    ``W_{j+1}^T W_{j+1} - W_j W_j^T`` (eq. 5); ``W' = -Theta(grad l(W))`` with the NTK of eq. (7).

    Examples
    --------
    >>> net = FCN((3, 2, 2))
    >>> net.n_layers, net.n_params, net.end_to_end_shape
    (2, 10, (2, 3))
    """

    def __init__(self, widths: Sequence[int]):
        self._widths: Shape = as_widths(widths)
        self._shapes = list(zip(self._widths[1:], self._widths[:-1], strict=True))
        self._offsets = np.cumsum([0, *(a * b for a, b in self._shapes)])

    @classmethod
    def from_weights(cls, weights: Sequence[ArrayLike]) -> FCN:
        """The network whose weight shapes are those of ``weights`` (shapes must chain)."""
        ws = as_weights(weights, None)
        return cls((ws[0].shape[1], *tuple(w.shape[0] for w in ws)))

    def __repr__(self) -> str:
        return f"FCN(widths={self._widths!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FCN) and self._widths == other._widths

    def __hash__(self) -> int:
        return hash(("FCN", self._widths))

    @property
    def widths(self) -> Shape:
        """``(d_0, d_1, ..., d_L)``."""
        return self._widths

    @property
    def n_layers(self) -> int:
        """Number of layers ``L``."""
        return len(self._shapes)

    @property
    def weight_shapes(self) -> list[tuple[int, int]]:
        """Shape ``(d_j, d_{j-1})`` of each weight matrix, layer 1 first."""
        return list(self._shapes)

    @property
    def n_params(self) -> int:
        """Number of parameters ``sum_j d_j d_{j-1}``."""
        return int(self._offsets[-1])

    @property
    def end_to_end_shape(self) -> tuple[int, int]:
        """Shape ``(d_L, d_0)`` of the end-to-end matrix."""
        return (self._widths[-1], self._widths[0])

    def check_weights(self, weights: Sequence[ArrayLike]) -> list[np.ndarray]:
        """Validate ``weights`` for this architecture and return float copies."""
        return as_weights(weights, self._shapes)

    def flatten(self, weights: Sequence[ArrayLike]) -> np.ndarray:
        """Concatenate row-major ``vec(W_1), ..., vec(W_L)`` into ``theta`` of shape (n_params,)."""
        return np.concatenate([w.ravel() for w in self.check_weights(weights)])

    def unflatten(self, theta: ArrayLike) -> list[np.ndarray]:
        """Split ``theta`` of shape (n_params,) into matrices (inverse of :meth:`flatten`)."""
        return as_parameter_blocks(theta, self._shapes)

    @finite_result
    def random_weights(self, rng: np.random.Generator, *, scale: float = 1.0) -> list[np.ndarray]:
        """Draw weight matrices with i.i.d. normal entries of standard deviation ``scale``."""
        as_generator(rng)
        scale = as_real(scale, "scale")
        return [scale * rng.standard_normal(s) for s in self._shapes]

    @finite_result
    def end_to_end(self, weights: Sequence[ArrayLike]) -> np.ndarray:
        """The end-to-end matrix ``W = W_L ... W_1`` of shape (d_L, d_0), ``W_j`` of (d_j, d_{j-1}).

        Examples
        --------
        >>> FCN((1, 1, 1)).end_to_end([[[2.0]], [[3.0]]])
        array([[6.]])
        """
        return _product(self.check_weights(weights))

    def product(self, weights: Sequence[ArrayLike]) -> np.ndarray:
        """Deprecated name of :meth:`end_to_end`."""
        return self.end_to_end(weights)

    @finite_result
    def jacobian(self, weights: Sequence[ArrayLike]) -> np.ndarray:
        """Jacobian ``J = d vec(W) / d theta``, of shape (d_L d_0, n_params) (Obs. 3).

        Rows: row-major ``vec(W)``; columns: the order of :meth:`flatten`. ``W = A_j W_j B_j``
        is linear in ``W_j``, so its block is ``J_j = kron(A_j, B_j^T)``.

        Examples
        --------
        >>> FCN((1, 1, 1)).jacobian([[[2.0]], [[3.0]]])
        array([[3., 2.]])
        """
        return jacobian(self, self.flatten(weights))

    @finite_result
    def ntk(self, weights: Sequence[ArrayLike]) -> np.ndarray:
        """The NTK ``Theta = J J^T`` on row-major ``vec(Z)``, of shape (d_L d_0, d_L d_0).

        Paper eq. (7): ``Theta = sum_j kron(A_j A_j^T, B_j^T B_j)``, symmetric PSD.

        Examples
        --------
        >>> FCN((1, 1, 1)).ntk([[[2.0]], [[3.0]]])
        array([[13.]])
        """
        A, B = _partial_products(self.check_weights(weights))
        return reduce(np.add, (np.kron(a @ a.T, b.T @ b) for a, b in zip(A, B, strict=True)))

    @finite_result
    def ntk_apply(self, weights: Sequence[ArrayLike], Z: ArrayLike) -> np.ndarray:
        """Apply the NTK to ``Z`` of shape (d_L, d_0): ``sum_j A_j A_j^T Z B_j^T B_j`` (eq. 7).

        Examples
        --------
        >>> FCN((1, 1, 1)).ntk_apply([[[2.0]], [[3.0]]], [[1.0]])
        array([[13.]])
        """
        A, B = _partial_products(self.check_weights(weights))
        z = _shaped(Z, "Z", self.end_to_end_shape, "the end-to-end matrix")
        return sum(a @ a.T @ z @ b.T @ b for a, b in zip(A, B, strict=True))

    @finite_result
    def layer_gradients(self, weights: Sequence[ArrayLike], grad: ArrayLike) -> list[np.ndarray]:
        """The parameter gradients ``A_j^T grad B_j^T`` of ``l(W_L ... W_1)``, layer 1 first.

        ``grad`` of shape (d_L, d_0) is ``grad l(W)``; gradient flow (eq. 4) is their negative.
        """
        A, B = _partial_products(self.check_weights(weights))
        g = _shaped(grad, "grad", self.end_to_end_shape, "the end-to-end matrix")
        return [a.T @ g @ b.T for a, b in zip(A, B, strict=True)]

    @finite_result
    def invariants(self, weights: Sequence[ArrayLike]) -> list[np.ndarray]:
        """The conserved matrices ``W_{j+1}^T W_{j+1} - W_j W_j^T`` of shape (d_j, d_j), j < L.

        Paper eq. (5): constant along gradient flow (eq. 4); *balanced* when all vanish.

        Examples
        --------
        >>> FCN((1, 1, 1)).invariants([[[2.0]], [[3.0]]])
        [array([[5.]])]
        """
        return _invariants(self.check_weights(weights))

    @finite_result
    def invariant_jacobian(self, weights: Sequence[ArrayLike]) -> np.ndarray:
        """Derivative of the invariants (eq. 5) in ``theta``: shape (sum_{j<L} d_j^2, n_params).

        Rows: row-major ``vec`` of each invariant, ``j = 1`` first. With ``K: vec(Z) ->
        vec(Z^T)`` the blocks are ``(I + K) kron(W_{j+1}^T, I)`` and ``-(I + K) kron(I, W_j)``.

        Examples
        --------
        >>> FCN((1, 1, 1)).invariant_jacobian([[[2.0]], [[3.0]]])
        array([[-4.,  6.]])
        """
        return invariant_jacobian(self, self.flatten(weights))

    @finite_result
    def is_balanced(self, weights: Sequence[ArrayLike], *, tol: float = 1e-9) -> bool:
        """True if ``||D_j||_F <= tol * max(1, max_j ||W_j||_F^2)`` for every invariant ``D_j``.

        Examples
        --------
        >>> net = FCN((2, 2, 2))
        >>> net.is_balanced([np.eye(2), np.eye(2)]), net.is_balanced([np.eye(2), 2 * np.eye(2)])
        (True, False)
        """
        ws = self.check_weights(weights)
        tol = as_real(tol, "tol", nonnegative=True)
        scale = max(1.0, max(float(np.sum(w**2)) for w in ws))
        return all(float(np.linalg.norm(d)) <= tol * scale for d in _invariants(ws))


def random_orthogonal(d: int, rng: np.random.Generator) -> np.ndarray:
    """A random orthogonal ``d x d`` matrix, Haar distributed on ``O(d)``.

    Examples
    --------
    >>> U = random_orthogonal(3, np.random.default_rng(0))
    >>> bool(np.allclose(U.T @ U, np.eye(3)))
    True
    """
    d = as_positive_int(d, "d")
    as_generator(rng)
    return np.asarray(ortho_group.rvs(d, random_state=rng), dtype=float).reshape(d, d)


def rotation(phi: float) -> np.ndarray:
    """The 2 x 2 rotation ``R(phi) = [[cos phi, -sin phi], [sin phi, cos phi]]``.

    Examples
    --------
    >>> rotation(0.0)
    array([[ 1., -0.],
           [ 0.,  1.]])
    """
    p = float(as_finite_array(phi, "phi", ndim=0))
    c, s = np.cos(p), np.sin(p)
    return np.array([[c, -s], [s, c]])


@finite_result
def orthogonal_orbit(
    weights: Sequence[ArrayLike], Us: Sequence[ArrayLike], *, tol: float = 1e-8
) -> list[np.ndarray]:
    """Move weights along the orthogonal orbit ``(U_1 W_1, U_2 W_2 U_1^T, ..., W_L U_{L-1}^T)``.

    Parameters
    ----------
    weights : sequence of array_like
        ``W_1, ..., W_L`` (shapes must chain).
    Us : sequence of array_like
        ``L - 1`` orthogonal matrices, ``U_j`` of shape ``(d_j, d_j)``.
    tol : float, default=1e-8
        Allowed ``max |U^T U - I|``.

    Returns
    -------
    list of ndarray
        The new weights: same product and NTK, invariants conjugated by ``U_j``. Thm 14: for
        balanced weights with a full-rank product (square layers), this orbit is every balanced
        factorization of that product.

    Examples
    --------
    >>> R = rotation(0.3)
    >>> new = orthogonal_orbit([np.eye(2), np.eye(2)], [R])
    >>> bool(np.allclose(new[1] @ new[0], np.eye(2)))
    True
    """
    ws = as_weights(weights, None)
    if not isinstance(Us, (Sequence, np.ndarray)) or isinstance(Us, (str, bytes)):
        raise TypeError(f"Us must be a sequence of {len(ws) - 1} orthogonal matrices: got {Us!r}")
    if len(Us) != len(ws) - 1:
        raise ValueError(
            f"Us must hold one orthogonal matrix per hidden layer: got {len(Us)} matrices "
            f"for {len(ws)} layers ({len(ws) - 1} hidden widths)"
        )
    tol = as_real(tol, "tol", nonnegative=True)
    us = [as_orthogonal(u, ws[j].shape[0], f"Us[{j}]", tol=tol) for j, u in enumerate(Us)]
    left = [*us, np.eye(ws[-1].shape[0])]
    right = [np.eye(ws[0].shape[1]), *us]
    return [lo @ w @ ri.T for lo, w, ri in zip(left, ws, right, strict=True)]


@finite_result
def balanced_factorization(
    W: ArrayLike, n_layers: int, *, widths: Sequence[int] | None = None
) -> list[np.ndarray]:
    """A balanced factorization ``W = W_L ... W_1`` from the singular value decomposition.

    Parameters
    ----------
    W : array_like of shape (m, n)
    n_layers : int
        The depth ``L``.
    widths : sequence of int, optional
        ``(n, d_1, ..., d_{L-1}, m)``, hidden widths at least ``rank W``; default ``min(m, n)``.

    Returns
    -------
    list of ndarray
        ``W_1, ..., W_L`` with product ``W`` and all invariants zero (eq. 5).

    Notes
    -----
    With ``W = U S V^T`` (``k`` = smallest width): ``W_1 = S^{1/L} V^T``, ``W_j = S^{1/L}``,
    ``W_L = U S^{1/L}``, zero-padded. Other balanced factorizations: :func:`orthogonal_orbit`.

    Examples
    --------
    >>> ws = balanced_factorization(np.diag([4.0, 1.0]), 2)
    >>> ws[0]
    array([[2., 0.],
           [0., 1.]])
    >>> FCN((2, 2, 2)).is_balanced(ws)
    True
    """
    w = as_finite_array(W, "W", ndim=2)
    L = as_positive_int(n_layers, "n_layers")
    m, n = w.shape
    dims = (n,) + (min(m, n),) * (L - 1) + (m,) if widths is None else as_widths(widths)
    if len(dims) != L + 1:
        raise ValueError(
            f"widths must have n_layers + 1 = {L + 1} entries: got {len(dims)} ({dims})"
        )
    if dims[0] != n or dims[-1] != m:
        raise ValueError(
            f"widths must start with d_0 = {n} (columns of W) and end with d_L = {m} (rows "
            f"of W): got {dims}"
        )
    if L == 1:
        return [w]
    rank = int(np.linalg.matrix_rank(w))
    if min(dims[1:-1]) < rank:
        raise ValueError(
            f"every hidden width must be at least rank(W) = {rank}, else no factorization "
            f"exists: got widths {dims}"
        )
    k = min(dims)
    U, s, Vt = np.linalg.svd(w, full_matrices=False)
    root = s[:k] ** (1.0 / L)
    out = [np.zeros((dims[j], dims[j - 1])) for j in range(1, L + 1)]
    out[0][:k, :] = root[:, None] * Vt[:k]
    for mat in out[1:-1]:
        mat[:k, :k] = np.diag(root)
    out[-1][:, :k] = U[:, :k] * root[None, :]
    return out


@finite_result
def identity_factorization(A: ArrayLike, Q: ArrayLike | None = None) -> list[np.ndarray]:
    """The two-layer factorization ``(W_1, W_2) = (A Q, Q^T A^{-1})`` of the identity (Ex. 20).

    Parameters
    ----------
    A : array_like of shape (d, d)
        An invertible matrix.
    Q : array_like of shape (d, d), optional
        An orthogonal matrix (default: the identity).

    Returns
    -------
    list of ndarray
        ``[A Q, Q^T A^{-1}]``: product ``I`` and invariant ``A^{-T} A^{-1} - A A^T`` for every
        ``Q``, but an NTK that depends on ``Q`` unless the invariant vanishes.

    Examples
    --------
    >>> W1, W2 = identity_factorization(np.diag([2.0, 0.5]))
    >>> W2
    array([[0.5, 0. ],
           [0. , 2. ]])
    """
    a = as_finite_array(A, "A", ndim=2)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"A must be a square matrix: got shape {a.shape}")
    cond = np.linalg.cond(a)
    if not np.isfinite(cond) or cond > 1e12:
        raise ValueError(f"A must be invertible: got a matrix with condition number {cond:.3g}")
    d = a.shape[0]
    q = np.eye(d) if Q is None else as_orthogonal(Q, d, "Q")
    return [a @ q, q.T @ np.linalg.inv(a)]


@dataclass(frozen=True)
class Example20:
    """Data of the paper's Ex. 20: two factorizations of ``I_2`` with equal invariants."""

    A: np.ndarray  # diag(2, 1/2)
    Q: np.ndarray  # the swap [[0, 1], [1, 0]]
    first: tuple[np.ndarray, np.ndarray]  # (A, A^{-1})
    second: tuple[np.ndarray, np.ndarray]  # (A Q, Q^T A^{-1}), both [[0, 2], [1/2, 0]]


def example_20() -> Example20:
    """The two factorizations of the identity of the paper's Ex. 20, as data.

    Both have product ``I_2`` and invariant ``diag(-15/4, 15/4)``, but
    ``Theta(E_12) = E_12 / 2`` for the first and ``8 E_12`` for the second
    (``E_12`` is the matrix unit with a one in row 1, column 2).

    Examples
    --------
    >>> ex = example_20()
    >>> ex.second[0]
    array([[0. , 2. ],
           [0.5, 0. ]])
    """
    A = np.diag([2.0, 0.5])
    Q = np.array([[0.0, 1.0], [1.0, 0.0]])
    (W1, W2), (V1, V2) = identity_factorization(A), identity_factorization(A, Q)
    return Example20(A=A, Q=Q, first=(W1, W2), second=(V1, V2))


@finite_result
def dense_loss(W: ArrayLike, Y: ArrayLike, *, X: ArrayLike | None = None) -> float:
    """The squared loss ``1/2 ||W - Y||_F^2``, or ``1/(2N) ||W X - Y||_F^2`` with inputs ``X``.

    Parameters
    ----------
    W : array_like of shape (m, n)
    Y : array_like of shape (m, n), or (m, N) with ``X``
    X : array_like of shape (n, N), optional

    Examples
    --------
    >>> dense_loss(np.eye(2), np.zeros((2, 2)))
    1.0
    """
    w = as_finite_array(W, "W", ndim=2)
    return _loss(w, *as_matrix_targets(Y, X, w.shape))


def _loss(w: np.ndarray, y: np.ndarray, x: np.ndarray | None) -> float:
    if x is None:
        return 0.5 * float(np.sum((w - y) ** 2))
    return float(np.sum((w @ x - y) ** 2)) / (2 * x.shape[1])


@finite_result
def dense_loss_gradient(W: ArrayLike, Y: ArrayLike, *, X: ArrayLike | None = None) -> np.ndarray:
    """Gradient of :func:`dense_loss` in ``W``: ``W - Y``, or ``(W X - Y) X^T / N``.

    Examples
    --------
    >>> dense_loss_gradient(np.eye(2), np.zeros((2, 2)))
    array([[1., 0.],
           [0., 1.]])
    """
    w = as_finite_array(W, "W", ndim=2)
    return _grad(w, *as_matrix_targets(Y, X, w.shape))


def _grad(w: np.ndarray, y: np.ndarray, x: np.ndarray | None) -> np.ndarray:
    if x is None:
        return w - y
    return (w @ x - y) @ x.T / x.shape[1]


@finite_result
def psd_power(S: ArrayLike, p: float) -> np.ndarray:
    """The power ``S^p = V diag(lambda^p) V^T`` of a symmetric PSD ``S = V diag(lambda) V^T``.

    Parameters
    ----------
    S : array_like of shape (n, n)
        Symmetric PSD; eigenvalues below ``10 n eps max|lambda|`` count as zero.
    p : float
        The exponent, ``p >= 0``; ``S^0 = I``.

    Examples
    --------
    >>> psd_power(np.diag([4.0, 9.0]), 0.5)
    array([[2., 0.],
           [0., 3.]])
    """
    s = as_finite_array(S, "S", ndim=2)
    if s.shape[0] != s.shape[1]:
        raise ValueError(f"S must be a square matrix: got shape {s.shape}")
    scale = max(1.0, float(np.max(np.abs(s))))
    if np.max(np.abs(s - s.T)) > 1e-10 * scale:
        raise ValueError(f"S must be symmetric: got max |S - S^T| = {np.max(np.abs(s - s.T)):.3g}")
    p = float(as_finite_array(p, "p", ndim=0))
    if p < 0:
        raise ValueError(f"p must be >= 0 (S may be singular): got {p}")
    return _psd_power(s, p)


def _psd_power(s: np.ndarray, p: float) -> np.ndarray:
    lam, V = np.linalg.eigh((s + s.T) / 2)
    # round-off eigenvalues are zeros: a tiny 1e-17 would become 1e-17**(1/L), far from 0
    cutoff = 10 * s.shape[0] * np.finfo(float).eps * max(float(np.max(np.abs(lam))), 0.0)
    lam = np.where(lam > cutoff, lam, 0.0)
    return (V * lam**p) @ V.T  # 0.0**0 == 1, so S^0 = I


def _balanced_rhs(w: np.ndarray, g: np.ndarray, L: int) -> np.ndarray:
    left, right = w @ w.T, w.T @ w
    return -sum(
        _psd_power(left, (L - j) / L) @ g @ _psd_power(right, (j - 1) / L) for j in range(1, L + 1)
    )


@finite_result
def balanced_velocity(W: ArrayLike, grad: ArrayLike, n_layers: int) -> np.ndarray:
    """Right-hand side of the balanced function-space flow (paper eq. 6).

    Parameters
    ----------
    W, grad : array_like of shape (m, n)
        The end-to-end matrix and ``grad l(W)``.
    n_layers : int
        The depth ``L``.

    Returns
    -------
    ndarray of shape (m, n)
        ``-sum_j (W W^T)^{(L-j)/L} grad (W^T W)^{(j-1)/L}``, ``-Theta(grad)`` when balanced.

    Examples
    --------
    >>> balanced_velocity(np.eye(2), np.eye(2), 3)
    array([[-3., -0.],
           [-0., -3.]])
    """
    w = as_finite_array(W, "W", ndim=2)
    g = _shaped(grad, "grad", w.shape, "W")
    return _balanced_rhs(w, g, as_positive_int(n_layers, "n_layers"))


@dataclass(frozen=True)
class DenseFlowResult:
    """A gradient-flow trajectory of a fully connected linear network (fields as ``FlowResult``)."""

    times: np.ndarray  # (n_t,) the times reached (fewer than asked when success is False)
    end_to_end: np.ndarray  # (n_t, d_L, d_0)
    loss: np.ndarray  # (n_t,)
    weights: tuple[np.ndarray, ...] | None = None  # W_j(t) (n_t, d_j, d_{j-1}); None: function flow
    success: bool = True
    message: str = ""  # the integrator's message

    @property
    def t(self) -> np.ndarray:
        """Deprecated name of :attr:`times`."""
        return self.times

    @property
    def W(self) -> np.ndarray:
        """Deprecated name of :attr:`end_to_end`."""
        return self.end_to_end

    def weights_at(self, index: int) -> list[np.ndarray]:
        """The weight matrices ``[W_1, ..., W_L]`` at ``t[index]`` (ValueError without weights)."""
        if self.weights is None:
            raise ValueError("this is a function-space flow: it stores W(t) but no weights")
        return [w[index].copy() for w in self.weights]


def _solve(rhs: Any, y0: np.ndarray, t: np.ndarray, rtol: float, atol: float):
    """``(path, times, success, message)``; a failed solve keeps the times it reached."""
    if t.size == 1:
        return y0[None, :], t, True, ""
    sol = solve_ivp(rhs, (0.0, float(t[-1])), y0, t_eval=t, method="DOP853", rtol=rtol, atol=atol)
    return sol.y.T, t[: sol.y.shape[1]], bool(sol.success), str(sol.message)


@finite_result
def gradient_flow_dense(
    weights0: Sequence[ArrayLike],
    X: ArrayLike | None,
    Y: ArrayLike,
    t_eval: ArrayLike,
    *,
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> DenseFlowResult:
    """Integrate the parameter gradient flow ``W_j' = -grad_{W_j} l(W_L ... W_1)`` (eq. 4).

    Parameters
    ----------
    weights0 : sequence of array_like
        The initial weights ``W_1, ..., W_L`` (shapes must chain).
    X : array_like of shape (d_0, N), or None
    Y : array_like of shape (d_L, N), or (d_L, d_0) when ``X`` is None
    t_eval, rtol, atol
        Sample times; tolerances of ``scipy.integrate.solve_ivp`` (method DOP853).

    Returns
    -------
    DenseFlowResult
        With the weights at every time; the invariants of eq. (5) stay constant along it.

    Examples
    --------
    >>> res = gradient_flow_dense([[[1.0]], [[1.0]]], None, [[4.0]], [0.0, 5.0])
    >>> round(float(res.W[-1, 0, 0]), 6)
    4.0
    """
    net = FCN.from_weights(weights0)
    theta0 = net.flatten(weights0)
    y, x = as_matrix_targets(Y, X, net.end_to_end_shape)
    for arr, name in ((theta0, "weights0"), (y, "Y"), (x, "X")):
        as_moderate(arr, name, 1e100) if arr is not None else None
    t = as_time_grid(t_eval)

    def rhs(_t: float, theta: np.ndarray) -> np.ndarray:
        cur = _split(net, theta)
        A, B = _partial_products(cur)
        g = _grad(A[0] @ cur[0], y, x)
        return -np.concatenate([(a.T @ g @ b.T).ravel() for a, b in zip(A, B, strict=True)])

    path, t, ok, msg = _solve(rhs, theta0, t, rtol, atol)
    traj = [_split(net, th) for th in path]
    weights = tuple(np.stack(layer) for layer in zip(*traj, strict=True))
    prods = np.stack([_product(tr) for tr in traj])
    loss = np.array([_loss(p, y, x) for p in prods])
    return DenseFlowResult(
        times=t, end_to_end=prods, loss=loss, weights=weights, success=ok, message=msg
    )


@finite_result
def balanced_flow(
    W0: ArrayLike,
    n_layers: int,
    X: ArrayLike | None,
    Y: ArrayLike,
    t_eval: ArrayLike,
    *,
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> DenseFlowResult:
    """Integrate the function-space flow of balanced networks (paper eq. 6).

    ``W' =`` :func:`balanced_velocity`; the product of :func:`gradient_flow_dense` solves it from
    a balanced start.

    Parameters
    ----------
    W0 : array_like of shape (m, n)
        The initial end-to-end matrix.
    n_layers : int
        The depth ``L``.
    X, Y, t_eval, rtol, atol
        As in :func:`gradient_flow_dense` (``X`` of shape ``(n, N)`` or None).

    Returns
    -------
    DenseFlowResult
        With ``weights=None``.

    Examples
    --------
    >>> res = balanced_flow([[1.0]], 2, None, [[4.0]], [0.0, 5.0])
    >>> round(float(res.W[-1, 0, 0]), 6)
    4.0
    """
    w0 = as_finite_array(W0, "W0", ndim=2)
    L = as_positive_int(n_layers, "n_layers")
    y, x = as_matrix_targets(Y, X, w0.shape)
    for arr, name in ((w0, "W0"), (y, "Y"), (x, "X")):
        as_moderate(arr, name, 1e100) if arr is not None else None
    t = as_time_grid(t_eval)

    def rhs(_t: float, vec: np.ndarray) -> np.ndarray:
        w = vec.reshape(w0.shape)
        return _balanced_rhs(w, _grad(w, y, x), L).ravel()

    path, t, ok, msg = _solve(rhs, w0.ravel(), t, rtol, atol)
    prods = path.reshape((t.size, *w0.shape))
    loss = np.array([_loss(p, y, x) for p in prods])
    return DenseFlowResult(times=t, end_to_end=prods, loss=loss, success=ok, message=msg)
