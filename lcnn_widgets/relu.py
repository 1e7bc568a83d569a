"""Shallow ReLU networks: a two-layer ReLU CNN and a two-layer ReLU MLP (paper Sec. 5).

The CNN is ``f(x) = conv(w_2, s_2, relu(conv(w_1, s_1, x)))``, the MLP ``f(x) = W_2 relu(W_1 x)``;
no biases, ``relu'(0) = 0``. Three facts drive the section: gradient flow keeps per-layer (CNN)
or per-neuron (MLP) norm differences; where every first-layer unit is active the network is the
linear one; and ``f(x) - f(-x)`` is the linear network for every ``x``. Names as in the package
README's "Vocabulary": ``filters = (w_1, w_2)`` (CNN) or ``weights = (W_1, W_2)`` (MLP), layer 1
first; ``X`` a batch, one input per row. Jacobians are by ``theta``, stacked over the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp

from ._validation import (
    Shape,
    as_batch,
    as_finite_array,
    as_generator,
    as_moderate,
    as_network,
    as_parameter_blocks,
    as_positive_int,
    as_real,
    as_time_grid,
    as_weights,
    as_widths,
    finite_result,
)
from .fibers import fibers
from .lcn import LCN, correlate, invariants, join, pi

#: the two filters ``(w_1, w_2)`` of a CNN or weights ``(W_1, W_2)`` of an MLP, layer 1 first
Params = Sequence[ArrayLike]

# fmt: off
__all__ = ["ActivationRegions", "FunctionFiber", "ParameterComparison", "ReLUCNN", "ReLUFlowResult",
           "ReLUMLP", "activation_regions", "compare_parametrizations", "relu"]
# fmt: on


def relu(h: ArrayLike) -> np.ndarray:
    """The rectified linear unit ``max(h, 0)``, entrywise, of a real array ``h``.

    Examples
    --------
    >>> relu([-1.0, 0.0, 2.5])
    array([0. , 0. , 2.5])
    """
    return np.maximum(as_finite_array(h, "h", allow_empty=True), 0.0)


def _batched_conv(w: np.ndarray, st: Shape, X: np.ndarray, *, trailing: int = 0) -> np.ndarray:
    """``conv(w, st, x)`` of each ``x`` in ``X`` ``(N, *n, *t)``, ``t`` carried: ``(N, *m, *t)``."""
    wb = w.reshape((1,) + w.shape + (1,) * trailing)
    return correlate(wb, (1,) + tuple(st) + (1,) * trailing, X)


def _windows(X: np.ndarray, shape: Shape, st: Shape) -> np.ndarray:
    """The patches ``x[i s : i s + k]`` of every sample: shape ``(N, *m, *k)``."""
    win = sliding_window_view(X, (1, *tuple(shape)))
    win = win[(slice(None), *tuple(slice(None, None, s) for s in st))]
    return win.reshape(win.shape[: X.ndim] + tuple(shape))


class ReLUCNN:
    """A shallow ReLU convolutional network ``f(x) = conv(w_2, s_2, relu(conv(w_1, s_1, x)))``.

    Paper Sec. 5. ``filter_sizes = (k_1, k_2)`` and ``strides = (s_1, s_2)`` are as in :class:`LCN`.
    Without the ReLU the same filters form the linear network ``self.linear``, with end-to-end
    filter ``pi(theta) = w_1 * dil(w_2, s_1)`` and total stride ``S = s_1 s_2``.

    Examples
    --------
    >>> net = ReLUCNN([2, 2], [2, 1])
    >>> net.forward([[1, -1], [1, 1]], [[3, 1, 0, 2, 5]])
    array([[2.]])
    """

    def __init__(self, filter_sizes: Sequence[Any], strides: Sequence[Any]):
        linear = LCN(filter_sizes, strides)
        if linear.n_layers != 2:
            raise ValueError(
                "ReLUCNN is a shallow network: filter_sizes must have exactly 2 layers: got "
                f"{linear.n_layers} layers"
            )
        self._linear = linear
        self._st = linear.stride_shapes  # per-layer strides as tuples
        self._S = tuple(a * b for a, b in zip(*self._st, strict=True))  # total stride S = s_1 s_2
        self._two_outputs = tuple(np.add(linear.end_to_end_shape, self._S).tolist())  # input size

    def __repr__(self) -> str:
        return f"ReLUCNN(filter_sizes={self.filter_sizes!r}, strides={self.strides!r})"

    @property
    def linear(self) -> LCN:
        """The linear network of the same filters (the sizes below are its own)."""
        return self._linear

    @property
    def filter_sizes(self) -> list:
        """``[k_1, k_2]`` (ints in 1D, tuples in D dimensions)."""
        return self._linear.filter_sizes

    @property
    def strides(self) -> list:
        """``[s_1, s_2]`` (ints in 1D, tuples in D dimensions)."""
        return self._linear.strides

    @property
    def dim(self) -> int:
        """Dimension ``D`` of the inputs."""
        return self._linear.dim

    @property
    def n_params(self) -> int:
        """``prod(k_1) + prod(k_2)``."""
        return self._linear.n_params

    @property
    def end_to_end_size(self) -> int | Shape:
        """Size of ``pi`` (an int in 1D)."""
        return self._linear.end_to_end_size

    @property
    def stride(self) -> int | Shape:
        """Total stride ``S = s_1 s_2`` (an int in 1D)."""
        return self._linear.stride

    def check_filters(self, filters: Params) -> list[np.ndarray]:
        """Validate ``filters`` and return float copies (see :meth:`LCN.check_filters`)."""
        return self._linear.check_filters(filters)

    def flatten(self, filters: Params) -> np.ndarray:
        """Concatenate the filters into ``theta`` of shape (n_params,), layer 1 first."""
        return self._linear.flatten(filters)

    def unflatten(self, theta: ArrayLike) -> list[np.ndarray]:
        """Split ``theta`` of shape (n_params,) into the two filters."""
        return self._linear.unflatten(theta)

    def check_inputs(self, X: ArrayLike) -> np.ndarray:
        """Validate a batch ``(N, n)`` or ``(N, *n)``; inputs at least ``end_to_end_size``."""
        arr = as_batch(X, "X", self.dim)
        if any(n < k for n, k in zip(arr.shape[1:], self._linear.end_to_end_shape, strict=True)):
            size = arr.shape[1] if self.dim == 1 else arr.shape[1:]
            raise ValueError(
                "every input in X must be at least as long as the end-to-end filter along every "
                f"axis: got inputs of size {size} and end_to_end_size {self.end_to_end_size}"
            )
        return arr

    @finite_result
    def preactivations(self, filters: Params, X: ArrayLike) -> np.ndarray:
        """First-layer outputs ``h = conv(w_1, s_1, x)``, shape (N, m_1) or (N, *m_1)."""
        return _batched_conv(self.check_filters(filters)[0], self._st[0], self.check_inputs(X))

    @finite_result
    def activation_pattern(self, filters: Params, X: ArrayLike) -> np.ndarray:
        """Which first-layer units are active (``h > 0``): bool, shape of :meth:`preactivations`."""
        return self.preactivations(filters, X) > 0

    @finite_result
    def forward(self, filters: Params, X: ArrayLike) -> np.ndarray:
        """The outputs ``conv(w_2, s_2, relu(conv(w_1, s_1, x)))`` of a batch.

        ``X`` of shape (N, n) or (N, *n) as :meth:`check_inputs`; the outputs have shape (N, M) or
        (N, *M), that of ``conv(pi(theta), S, x)`` for each input.

        Examples
        --------
        >>> ReLUCNN([1, 1], [1, 1]).forward([[1.0], [2.0]], [[-1.0, 3.0]])
        array([[0., 6.]])
        """
        return self._forward(self.check_filters(filters), self.check_inputs(X))

    def _forward(self, fs: Sequence[np.ndarray], Xb: np.ndarray) -> np.ndarray:
        H = _batched_conv(fs[0], self._st[0], Xb)
        return _batched_conv(fs[1], self._st[1], np.maximum(H, 0.0))

    def output_size(self, X: ArrayLike) -> int:
        """Number of outputs ``M`` (all axes) of one input of the batch ``X``."""
        n, k = self.check_inputs(X).shape[1:], self._linear.end_to_end_shape
        return int(np.prod([(a - b) // s + 1 for a, b, s in zip(n, k, self._S, strict=True)]))

    @finite_result
    def jacobian(self, filters: Params, X: ArrayLike) -> np.ndarray:
        """Jacobian of the stacked outputs with respect to ``theta``, shape (N * M, n_params).

        Row ``i * M + r``: output ``r`` (C order) of input ``i``. With ``h = conv(w_1, s_1, x)``,
        ``df/dw_2`` is the patch matrix of ``relu(h)``, ``df/dw_1 = conv(w_2, s_2, [h > 0] P_1(x))``
        (``P_1``: first-layer patches).

        Examples
        --------
        >>> ReLUCNN([1, 1], [1, 1]).jacobian([[1.0], [2.0]], [[-1.0, 3.0]])
        array([[0., 0.],
               [6., 3.]])
        """
        w1, w2 = self.check_filters(filters)
        Xb, D = self.check_inputs(X), self.dim
        H = _batched_conv(w1, self._st[0], Xb)
        J2 = _windows(np.maximum(H, 0.0), w2.shape, self._st[1])  # patches of the hidden layer
        # d f / d w_1: convolve (mask * first-layer patches) with w_2, carrying the k_1 axes
        G = (H > 0).reshape(H.shape + (1,) * D) * _windows(Xb, w1.shape, self._st[0])
        J1 = _batched_conv(w2, self._st[1], G, trailing=D)
        return np.hstack([J1.reshape(-1, w1.size), J2.reshape(-1, w2.size)])

    @finite_result
    def ntk(self, filters: Params, X: ArrayLike) -> np.ndarray:
        """The empirical NTK ``J J^T`` on the stacked outputs, shape (N * M, N * M).

        With every first-layer unit active on the batch it is ``P Theta P^T``: ``Theta`` of
        :meth:`LCN.ntk`, ``P`` the patch matrix of the batch for the end-to-end filter and ``S``.
        """
        J = self.jacobian(filters, X)
        return J @ J.T

    def invariants(self, filters: Params) -> np.ndarray:
        """The conserved quantity ``||w_2||^2 - ||w_1||^2`` of gradient flow, shape (1,).

        Paper Sec. 5: ``relu'(h) h = relu(h)`` gives ``<w_1, df/dw_1> = f = <w_2, df/dw_2>``.

        Examples
        --------
        >>> ReLUCNN([2, 1], [2, 1]).invariants([[1.0, 1.0], [3.0]])
        array([7.])
        """
        return self._linear.invariants(filters)

    def invariant(self, filters: Params) -> float:
        """Deprecated alias: ``float(invariants(filters)[0])``."""
        return float(self.invariants(filters)[0])

    @finite_result
    def first_layer_matrix(self, filters: Params, input_size: Any) -> np.ndarray:
        """The matrix of ``x -> conv(w_1, s_1, x)``, shape (prod(m_1), prod(n)), C order.

        ``input_size = n`` (int or tuple) is at least ``end_to_end_size``; ``w_2`` is not used.
        """
        n = self._input_shape(input_size)
        basis = np.eye(int(np.prod(n))).reshape((-1, *n))
        w1, _ = self.check_filters(filters)
        return _batched_conv(w1, self._st[0], basis).reshape(basis.shape[0], -1).T

    def _input_shape(self, input_size: Any) -> Shape:
        if isinstance(input_size, (Sequence, np.ndarray)) and not isinstance(input_size, str):
            n = tuple(as_positive_int(v, f"input_size[{i}]") for i, v in enumerate(input_size))
        else:
            n = (as_positive_int(input_size, "input_size"),) * self.dim
        if len(n) != self.dim:
            raise ValueError(f"input_size must have {self.dim} entries: got {len(n)}")
        if any(a < b for a, b in zip(n, self._linear.end_to_end_shape, strict=True)):
            raise ValueError(
                f"input_size must be at least end_to_end_size = {self.end_to_end_size} along "
                f"every axis: got {input_size}"
            )
        return n

    @finite_result
    def positive_inputs(
        self,
        filters: Params,
        rng: np.random.Generator,
        *,
        n_inputs: int = 1,
        input_size: Any = None,
        margin: float = 0.5,
    ) -> np.ndarray:
        """Random inputs, shape (n_inputs, *n), on which all first-layer units are active (h > 0).

        ``w_1`` must be nonzero; ``input_size = n`` (int or tuple) defaults to ``end_to_end_size +
        stride`` (two outputs per axis); ``h`` is uniform on ``[margin, margin + 1]``, margin > 0.
        Sec. 5: ``x = A^+ h + (I - A^+ A) z`` reaches every ``h``, as a nonzero first layer ``A``
        has full row rank (a staircase); there ``f`` is linear.
        """
        fs = self.check_filters(filters)
        if not np.any(fs[0]):
            raise ValueError(
                "filters[0] is zero: the first layer maps every input to 0, so no input makes "
                "it positive"
            )
        as_generator(rng)
        n_inputs = as_positive_int(n_inputs, "n_inputs")
        margin = as_real(margin, "margin", positive=True)
        n = self._input_shape(self._two_outputs if input_size is None else input_size)
        A = self.first_layer_matrix(fs, n)
        A_pinv = np.linalg.pinv(A)
        h = margin + rng.random((n_inputs, A.shape[0]))
        z = rng.standard_normal((n_inputs, A.shape[1]))
        return (h @ A_pinv.T + (z - z @ (A_pinv @ A).T)).reshape((n_inputs, *n))

    @finite_result
    def end_to_end_from_samples(self, X: ArrayLike, Y: ArrayLike) -> np.ndarray:
        """The least-squares ``w`` of ``conv(w, S, x_i) = y_i``, shape ``end_to_end_shape``.

        ``X``: inputs in one linear region, ``Y``: the outputs there (the shape of ``forward``). The
        answer is unique if the patches of ``X`` span; Sec. 5: there the outputs determine ``pi``.
        """
        k = self._linear.end_to_end_shape
        P = _windows(self.check_inputs(X), k, self._S).reshape(-1, int(np.prod(k)))
        y = as_finite_array(Y, "Y")
        if y.size != P.shape[0]:
            raise ValueError(
                f"Y must hold one output per patch of X ({P.shape[0]} numbers): got shape {y.shape}"
            )
        w, *_ = np.linalg.lstsq(P, y.ravel(), rcond=None)
        return w.reshape(k)

    @finite_result
    def function_fiber(
        self, filters: Params, rng: np.random.Generator, *, n_test: int = 32, tol: float = 1e-8
    ) -> FunctionFiber:
        """All filters with the same ReLU function and the same invariant as (nonzero) ``filters``.

        Sec. 5: ``f(x) - f(-x) = conv(pi(theta), S, x)``, so the same ``f`` means the same ``pi``:
        the candidates are the linear fiber ``fibers(pi(theta), delta)`` with all signs, tested on
        ``n_test`` normal inputs of size ``end_to_end_size + stride`` (relative gap <= ``tol``).
        Unless the layers are interchangeable it is ``{theta, -theta}``, and ``-theta`` fails.

        Examples
        --------
        >>> net = ReLUCNN([3, 2], [2, 1])
        >>> ff = net.function_fiber([[1.0, 2.0, -1.0], [1.0, 3.0]], np.random.default_rng(0))
        >>> len(ff.candidates), len(ff.points)
        (2, 1)
        """
        fs = self.check_filters(filters)
        as_generator(rng)
        n_test = as_positive_int(n_test, "n_test")
        tol = as_real(tol, "tol", positive=True)
        lin, theta = self._linear, join(fs)
        fiber = fibers(lin, pi(lin, theta), invariants(lin, theta))
        X = rng.standard_normal((n_test, *self._two_outputs))
        F = self._forward(fs, X)
        scale = max(float(np.max(np.abs(F))), np.finfo(float).tiny)
        cands = tuple(tuple(np.asarray(f) for f in c) for c in fiber.with_signs())
        gaps = np.array([float(np.max(np.abs(self._forward(c, X) - F))) / scale for c in cands])
        return FunctionFiber(candidates=cands, gaps=gaps, X_test=X, tol=float(tol))

    @finite_result
    def gradient_flow(
        self, filters: Params, X: ArrayLike, Y: ArrayLike, t_eval: ArrayLike, **kwargs: Any
    ) -> ReLUFlowResult:
        """Integrate ``theta' = -J^T (F - Y) / N``, gradient flow of ``||F - Y||^2 / (2N)`` on X.

        Parameters
        ----------
        filters, X, Y, t_eval : the start; ``Y`` of the shape of ``forward(filters, X)``; T >= 2
        rtol, atol, method : default=1e-11, 1e-12, "DOP853", for :func:`scipy.integrate.solve_ivp`
        stop_at_kink : bool, default=True, stop where a pre-activation reaches 0 (``kink_time``)
        max_nfev : int, default=50000, stop after this many evaluations (stalls along a kink)
        """
        theta0 = as_moderate(self.flatten(filters), "filters", 1e100)
        return _gradient_flow(self, theta0, self.check_inputs(X), Y, t_eval, **kwargs)


class ReLUMLP:
    """A shallow ReLU network with fully connected layers, ``f(x) = W_2 relu(W_1 x)``.

    Paper Sec. 5. ``widths = (d_0, d_1, d_2)``: input, hidden, output (ints >= 1); ``W_1`` has shape
    ``(d_1, d_0)``, ``W_2`` shape ``(d_2, d_1)``. Scaling ``W_1[j, :]`` by ``c > 0`` and
    ``W_2[:, j]`` by ``1/c`` (one hidden neuron ``j``) keeps ``f``.

    Examples
    --------
    >>> mlp = ReLUMLP([2, 2, 1])
    >>> mlp.forward([[[1, 0], [0, -1]], [[1, 1]]], [[2.0, 3.0]])
    array([[2.]])
    """

    def __init__(self, widths: Sequence[int]):
        w = as_widths(widths)
        if len(w) != 3:
            raise ValueError(
                "ReLUMLP is a shallow network: widths must be (d_0, d_1, d_2), three entries: "
                f"got {len(w)} entries"
            )
        self._widths: Shape = w
        self._shapes: list[Shape] = [(w[1], w[0]), (w[2], w[1])]

    def __repr__(self) -> str:
        return f"ReLUMLP(widths={list(self._widths)!r})"

    @property
    def widths(self) -> Shape:
        """``(d_0, d_1, d_2)``."""
        return self._widths

    @property
    def weight_shapes(self) -> list[Shape]:
        """``[(d_1, d_0), (d_2, d_1)]``."""
        return list(self._shapes)

    @property
    def n_params(self) -> int:
        """``d_1 (d_0 + d_2)``."""
        return sum(a * b for a, b in self._shapes)

    def check_weights(self, weights: Params) -> list[np.ndarray]:
        """Validate ``(W_1, W_2)`` and return float copies."""
        return as_weights(weights, self._shapes)

    def flatten(self, weights: Params) -> np.ndarray:
        """Concatenate ``W_1`` and ``W_2`` (C order) into ``theta`` of shape (n_params,)."""
        return np.concatenate([m.ravel() for m in self.check_weights(weights)])

    def unflatten(self, theta: ArrayLike) -> list[np.ndarray]:
        """Split ``theta`` of shape (n_params,) into ``[W_1, W_2]``."""
        return as_parameter_blocks(theta, self._shapes)

    def check_inputs(self, X: ArrayLike) -> np.ndarray:
        """Validate a batch of inputs of shape ``(N, d_0)``."""
        arr = as_batch(X, "X", 1)
        if arr.shape[1] != self._widths[0]:
            raise ValueError(
                f"X must have d_0 = {self._widths[0]} columns (one input per row): got shape "
                f"{arr.shape}"
            )
        return arr

    @finite_result
    def preactivations(self, weights: Params, X: ArrayLike) -> np.ndarray:
        """Hidden pre-activations ``h = W_1 x`` for each input, shape (N, d_1)."""
        W1, _ = self.check_weights(weights)
        return self.check_inputs(X) @ W1.T

    @finite_result
    def activation_pattern(self, weights: Params, X: ArrayLike) -> np.ndarray:
        """Which hidden neurons are active (``W_1 x > 0``) for each input, shape (N, d_1)."""
        return self.preactivations(weights, X) > 0

    @finite_result
    def forward(self, weights: Params, X: ArrayLike) -> np.ndarray:
        """The outputs ``W_2 relu(W_1 x)`` of a batch ``X`` of shape (N, d_0), shape (N, d_2)."""
        W1, W2 = self.check_weights(weights)
        return np.maximum(self.check_inputs(X) @ W1.T, 0.0) @ W2.T

    @finite_result
    def jacobian(self, weights: Params, X: ArrayLike) -> np.ndarray:
        """Jacobian of the stacked outputs with respect to ``theta``, shape (N * d_2, n_params).

        Row ``i * d_2 + a``: output ``a`` of input ``i``. With ``h = W_1 x``:
        ``df_a/dW_2[b, j] = [a = b] relu(h_j)``, ``df_a/dW_1[j, p] = W_2[a, j] [h_j > 0] x_p``.

        Examples
        --------
        >>> ReLUMLP([1, 1, 1]).jacobian([[[2.0]], [[3.0]]], [[1.0]])
        array([[3., 2.]])
        """
        W1, W2 = self.check_weights(weights)
        Xb = self.check_inputs(X)
        H = Xb @ W1.T
        J1 = np.einsum("aj,nj,np->najp", W2, (H > 0).astype(float), Xb)
        J2 = np.einsum("ab,nj->nabj", np.eye(W2.shape[0]), np.maximum(H, 0.0))
        return np.hstack([J1.reshape(-1, W1.size), J2.reshape(-1, W2.size)])

    @finite_result
    def ntk(self, weights: Params, X: ArrayLike) -> np.ndarray:
        """The empirical neural tangent kernel ``J J^T``, shape (N d_2, N d_2).

        Block ``(i, k)`` is ``(relu(h_i) . relu(h_k)) I + W_2 diag(D_i D_k) W_2^T (x_i . x_k)``
        with the masks ``D_i = [h_i > 0]``; with every neuron active it is the linear network's
        kernel ``(x_i^T W_1^T W_1 x_k) I + (x_i . x_k) W_2 W_2^T``.
        """
        J = self.jacobian(weights, X)
        return J @ J.T

    @finite_result
    def invariants(self, weights: Params) -> np.ndarray:
        """The conserved quantities ``||W_2[:, j]||^2 - ||W_1[j, :]||^2``, shape (d_1,).

        Paper Sec. 5 (after Marcotte et al. 2024): the diagonal of the linear network's invariant
        ``W_2^T W_2 - W_1 W_1^T``; only rescaling one neuron at a time (no rotation) keeps ``f``.

        Examples
        --------
        >>> ReLUMLP([2, 2, 2]).invariants([np.diag([2.0, 0.5]), np.diag([0.5, 2.0])])
        array([-3.75,  3.75])
        """
        W1, W2 = self.check_weights(weights)
        return np.sum(W2**2, axis=0) - np.sum(W1**2, axis=1)

    @finite_result
    def gradient_flow(
        self, weights: Params, X: ArrayLike, Y: ArrayLike, t_eval: ArrayLike, **kwargs: Any
    ) -> ReLUFlowResult:
        """As :meth:`ReLUCNN.gradient_flow`, for ``X`` (N, d_0) and ``Y`` (N, d_2).

        Examples
        --------
        >>> mlp = ReLUMLP([1, 1, 1])
        >>> res = mlp.gradient_flow([[[1.0]], [[1.0]]], [[1.0]], [[4.0]], [0.0, 30.0])
        >>> np.round(res.loss[-1], 8), np.round(res.invariants[:, 0], 8)
        (np.float64(0.0), array([0., 0.]))
        """
        theta0 = as_moderate(self.flatten(weights), "weights", 1e100)
        return _gradient_flow(self, theta0, self.check_inputs(X), Y, t_eval, **kwargs)


@dataclass(frozen=True, eq=False)
class ReLUFlowResult:
    """A gradient-flow trajectory of a shallow ReLU network, sampled at ``times``.

    Off the kinks any drift of the invariants is integration error. Where the one-sided fields push
    a pre-activation to 0 the flow slides along the kink and an integrator stalls: hence
    ``stop_at_kink`` and ``max_nfev``.
    """

    times: np.ndarray  # (T,), from 0
    theta: np.ndarray  # (T, n_params): flat parameters (model.unflatten gives the layers)
    loss: np.ndarray  # (T,): 1/(2N) sum_i ||f(x_i) - y_i||^2
    invariants: np.ndarray  # (T, q): the model's conserved quantities
    margin: np.ndarray  # (T,): min |h| over inputs and units (distance to the next kink)
    pattern_changes: int  # number of sample intervals where the activation pattern changed
    kink_time: float | None = None  # where a pre-activation h hit 0 (and the flow stopped)
    kink_theta: np.ndarray | None = None  # (n_params,): the parameters there
    success: bool = True  # whether the integration reached the last time
    message: str = ""  # why it stopped: the integrator's message, a kink, or the budget

    @property
    def invariant_drift(self) -> float:
        """``max_{t, j} |q_j(t) - q_j(0)|``."""
        return float(np.max(np.abs(self.invariants - self.invariants[0])))

    @property
    def relative_invariant_drift(self) -> float:
        """:attr:`invariant_drift` divided by ``max_t ||theta(t)||^2`` (as in ``FlowResult``)."""
        scale = float(np.max(np.sum(self.theta**2, axis=1)))
        return self.invariant_drift / scale if scale > 0 else self.invariant_drift


def _gradient_flow(
    model: ReLUCNN | ReLUMLP,
    theta0: np.ndarray,
    X: np.ndarray,
    Y: ArrayLike,
    t_eval: ArrayLike,
    *,
    rtol: float = 1e-11,
    atol: float = 1e-12,
    method: str = "DOP853",
    stop_at_kink: bool = True,
    max_nfev: int = 50_000,
) -> ReLUFlowResult:
    """Integrate ``theta' = -J^T (F - Y) / N`` (a ReLU loss is no function of ``pi``: not flows)."""
    t = as_time_grid(t_eval)
    if t.size < 2:
        raise ValueError("t_eval must hold at least two times (0 and a final time)")
    as_moderate(X, "X", 1e100)
    F0 = model.forward(model.unflatten(theta0), X)
    Yb = as_moderate(as_finite_array(Y, "Y"), "Y", 1e100)
    if Yb.shape != F0.shape:
        raise ValueError(
            f"Y must have the shape of the network's outputs on X, {F0.shape}: got {Yb.shape}"
        )
    N, y = X.shape[0], Yb.ravel()
    max_nfev = as_positive_int(max_nfev, "max_nfev")
    nfev, t_cut = [0], [np.inf]

    def rhs(t_: float, theta: np.ndarray) -> np.ndarray:
        nfev[0] += 1
        if nfev[0] > max_nfev and t_cut[0] == np.inf:
            t_cut[0] = t_
        params = model.unflatten(theta)
        r = model.forward(params, X).ravel() - y
        return -(model.jacobian(params, X).T @ r) / N

    def budget(t_: float, _theta: np.ndarray) -> float:  # at the evaluation that spent the budget
        return 1.0 if t_cut[0] == np.inf else t_cut[0] - t_

    def kink(k: int):  # the event "pre-activation k is 0"
        return lambda _t, theta: float(model.preactivations(model.unflatten(theta), X).flat[k])

    n_pre = model.preactivations(model.unflatten(theta0), X).size if stop_at_kink else 0
    events = [budget, *(kink(k) for k in range(n_pre))]
    for ev in events:
        ev.terminal = True
    span = (0.0, float(t[-1]))
    sol = solve_ivp(rhs, span, theta0, method=method, t_eval=t, rtol=rtol, atol=atol, events=events)
    thetas = sol.y.T
    kink_time, kink_theta, message = None, None, str(sol.message)
    if sol.status == 1 and sol.t_events[0].size:
        message = f"stopped after {nfev[0]} evaluations (max_nfev = {max_nfev})"
    elif sol.status == 1:
        hit = next(k for k, te in enumerate(sol.t_events) if k > 0 and te.size)
        kink_time, kink_theta = float(sol.t_events[hit][0]), np.array(sol.y_events[hit][0])
        message = f"a pre-activation reached 0 at t = {kink_time:.6g}"
    params = [model.unflatten(th) for th in thetas]
    loss = np.array([0.5 * np.sum((model.forward(p, X) - Yb) ** 2) / N for p in params])
    pre = np.stack([model.preactivations(p, X).reshape(N, -1) for p in params])
    return ReLUFlowResult(
        times=t[: len(thetas)],
        theta=thetas,
        loss=loss,
        invariants=np.stack([np.atleast_1d(model.invariants(p)) for p in params]),
        margin=np.min(np.abs(pre), axis=(1, 2)),
        pattern_changes=int(np.sum(np.any(np.diff(pre > 0, axis=0), axis=(1, 2)))),
        kink_time=kink_time,
        kink_theta=kink_theta,
        success=bool(sol.success) and sol.status == 0,
        message=message,
    )


@dataclass(frozen=True, eq=False)
class ActivationRegions:
    """Activation patterns of a network on the grid ``origin + a_i u + b_j v`` of inputs.

    ``lines[u] = (c_0, c_1, c_2)``: ``h_u(origin + a u + b v) = c_0 + c_1 a + c_2 b`` (0: the kink).
    """

    a: np.ndarray  # (n_a,): grid coordinates along u
    b: np.ndarray  # (n_b,): along v
    codes: np.ndarray  # int (n_b, n_a): sum_u 2^u [unit u active], one per linear piece
    n_units: int  # number of first-layer units
    n_active: np.ndarray  # int (n_b, n_a): number of active units
    lines: np.ndarray  # (n_units, 3): the kink lines above

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(a_min, a_max, b_min, b_max)`` for ``imshow``."""
        return (float(self.a[0]), float(self.a[-1]), float(self.b[0]), float(self.b[-1]))


@finite_result
def activation_regions(
    model: ReLUCNN | ReLUMLP,
    params: Params,
    *,
    origin: ArrayLike | None = None,
    directions: ArrayLike | None = None,
    extent: Sequence[float] = (-2.0, 2.0, -2.0, 2.0),
    resolution: int = 201,
) -> ActivationRegions:
    """Activation patterns on the plane ``origin + a u + b v`` of input space.

    Parameters
    ----------
    model, params : ReLUCNN or ReLUMLP, and its filters or weights
    origin : array_like of the shape of one input, default: 0 (2D inputs only: MLP, ``d_0 = 2``)
    directions : array_like of shape (2, *input_shape), default: ``u, v`` the standard basis (2D)
    extent : (a_min, a_max, b_min, b_max), default=(-2, 2, -2, 2)
    resolution : int, default=201, grid points per axis (at least 2)

    Examples
    --------
    >>> r = activation_regions(ReLUMLP([2, 1, 1]), [[[1.0, 0.0]], [[1.0]]], resolution=3)
    >>> r.codes
    array([[0, 0, 1],
           [0, 0, 1],
           [0, 0, 1]])
    """
    as_network(model, "model", needs=("check_inputs",))
    ext = as_finite_array(extent, "extent", ndim=1)
    if ext.size != 4 or ext[0] >= ext[1] or ext[2] >= ext[3]:
        raise ValueError(
            f"extent must be (a_min, a_max, b_min, b_max) with a_min < a_max and b_min < b_max: "
            f"got {ext.tolist()}"
        )
    res = as_positive_int(resolution, "resolution")
    if res < 2:
        raise ValueError(f"resolution must be at least 2: got {res}")
    planar = isinstance(model, ReLUMLP) and model.widths[0] == 2
    if (origin is None or directions is None) and not planar:
        raise ValueError(
            "origin and directions must be given unless the inputs are 2D (an MLP with d_0 = 2)"
        )
    o = np.zeros(2) if origin is None else as_finite_array(origin, "origin")
    d = np.eye(2) if directions is None else as_finite_array(directions, "directions")
    if d.shape != (2, *o.shape):
        raise ValueError(
            f"directions must have shape {(2, *o.shape)} (two inputs shaped like origin): got "
            f"{d.shape}"
        )
    a, b = np.linspace(ext[0], ext[1], res), np.linspace(ext[2], ext[3], res)
    B, A = np.meshgrid(b, a, indexing="ij")
    X = o[None] + np.multiply.outer(A.ravel(), d[0]) + np.multiply.outer(B.ravel(), d[1])
    pats = model.activation_pattern(params, X).reshape(X.shape[0], -1)
    n_units = pats.shape[1]
    h0, hu, hv = model.preactivations(params, np.stack([o, o + d[0], o + d[1]])).reshape(3, -1)
    codes = pats.astype(np.int64) @ (np.int64(1) << np.arange(n_units, dtype=np.int64))
    n_active, lines = pats.sum(axis=1).reshape(res, res), np.stack([h0, hu - h0, hv - h0], axis=1)
    return ActivationRegions(a, b, codes.reshape(res, res), n_units, n_active, lines)


@dataclass(frozen=True, eq=False)
class ParameterComparison:
    """Two parameter tuples of one network, compared on a batch of inputs (one entry each)."""

    outputs: tuple[np.ndarray, np.ndarray]  # forward
    invariants: tuple[np.ndarray, np.ndarray]  # the conserved quantities
    ntks: tuple[np.ndarray, np.ndarray]  # J J^T

    @property
    def function_gap(self) -> float:
        """``max |f(x_i) - f'(x_i)|`` over the batch."""
        return float(np.max(np.abs(self.outputs[0] - self.outputs[1])))

    @property
    def invariant_gap(self) -> float:
        """``max_j |q_j - q_j'|``."""
        return float(np.max(np.abs(self.invariants[0] - self.invariants[1])))

    @property
    def ntk_gap(self) -> float:
        """``||Theta - Theta'||_F`` (Frobenius norm)."""
        return float(np.linalg.norm(self.ntks[0] - self.ntks[1]))


@finite_result
def compare_parametrizations(
    model: ReLUCNN | ReLUMLP, first: Params, second: Params, X: ArrayLike
) -> ParameterComparison:
    """Outputs, conserved quantities and NTKs of two parameter tuples on the batch ``X``.

    ``first, second``: filters (CNN) or weights (MLP) of ``model``. Sec. 5, Ex. 20: two
    factorizations of ``I_2`` by a ReLU MLP agree in outputs on positive inputs and in conserved
    quantities, but not in NTKs.

    Examples
    --------
    >>> mlp = ReLUMLP([2, 2, 2])
    >>> A, Ai, B = np.diag([2.0, 0.5]), np.diag([0.5, 2.0]), np.array([[0.0, 2.0], [0.5, 0.0]])
    >>> c = compare_parametrizations(mlp, [A, Ai], [B, B], [[1.0, 1.0]])
    >>> c.function_gap, c.invariant_gap, c.ntk_gap > 1
    (0.0, 0.0, True)
    """
    as_network(model, "model", needs=("check_inputs",))
    Xb = model.check_inputs(X)
    pair = (first, second)
    return ParameterComparison(
        outputs=tuple(model.forward(p, Xb) for p in pair),
        invariants=tuple(np.atleast_1d(model.invariants(p)) for p in pair),  # type: ignore[arg-type]
        ntks=tuple(model.ntk(p, Xb) for p in pair),
    )


@dataclass(frozen=True, eq=False)
class FunctionFiber:
    """The parameters of a ReLU CNN with the same function and the same invariant."""

    candidates: tuple[tuple[np.ndarray, ...], ...]  # the linear fiber at (pi, delta), all signs
    gaps: np.ndarray  # (n_candidates,): max |f_candidate - f| / max |f| on X_test
    X_test: np.ndarray  # the test inputs
    tol: float  # candidates with gap <= tol count as the same function

    @property
    def same_function(self) -> np.ndarray:
        """Which candidates are ``f``: bool, shape (n_candidates,)."""
        return self.gaps <= self.tol

    @property
    def points(self) -> list[tuple[np.ndarray, ...]]:
        """The candidates that agree with ``f`` on every test input."""
        return [c for c, ok in zip(self.candidates, self.same_function, strict=True) if ok]
