"""Linear convolutional networks (LCNs) in one or D dimensions: the floor of the package.

Filters ``w_1, ..., w_L`` (layer 1 sees the input) and strides ``s_1, ..., s_L`` compose to a
convolution of stride ``S_L = s_1 ... s_L`` with the *end-to-end filter*
``pi(theta) = w_1 * dil(w_2, S_1) * ... * dil(w_L, S_{L-1})`` (eq. 8, Lemma 9); its Jacobian
``J`` has one block per layer and the NTK is ``Theta = J J^T``. :class:`LCN` and :func:`conv`
check their inputs; the *kernel* functions (:func:`split`, :func:`pi`, :func:`jacobian`, ...)
take a flat, already checked ``theta`` (the order of :meth:`LCN.flatten`) and check nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import accumulate, groupby
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from ._validation import (
    Shape,
    as_architecture,
    as_coefficients,
    as_filters,
    as_finite_array,
    as_generator,
    as_parameter_blocks,
    as_stride,
)
from .polynomials import dilated, product

# fmt: off
__all__ = ["LCN", "conv", "correlate", "gauss_newton", "invariant_jacobian", "invariants",
           "jacobian", "join", "ntk", "pi", "split", "spread"]
# fmt: on


def conv(w: ArrayLike, stride: int | Sequence[int], x: ArrayLike) -> np.ndarray:
    """Apply one convolution with filter ``w`` and stride ``stride`` to ``x`` (eq. 2; eq. 10).

    ``w``: shape (k,) or (k_1, ..., k_D), not flipped (the cross-correlation of deep learning);
    ``stride``: int (every axis) or tuple; ``x``: at least ``w``'s size along every axis. Returns
    ``y[i] = sum_j w[j] x[i s + j]``, of shape ``(n_d - k_d) // s_d + 1`` per axis.

    Examples
    --------
    >>> conv([1, -1], 2, [0, 1, 3, 6, 10])
    array([-1., -3.])
    """
    w = as_coefficients(w, "w")
    x = as_finite_array(x, "x", ndim=w.ndim)
    st = as_stride(stride, w.ndim)
    if any(n < k for n, k in zip(x.shape, w.shape, strict=True)):
        raise ValueError(
            f"x must be at least as long as the filter along every axis: got x of shape "
            f"{x.shape} and w of shape {w.shape}"
        )
    return correlate(w, st, x)


def correlate(w: np.ndarray, st: tuple[int, ...], x: np.ndarray) -> np.ndarray:
    """Kernel of :func:`conv` (no checking): ``w``, ``x`` float arrays of ``w.ndim`` axes."""
    windows = sliding_window_view(x, w.shape)[tuple(slice(None, None, s) for s in st)]
    return np.tensordot(windows, w, axes=w.ndim)


class LCN:
    """A linear convolutional network: a frozen architecture of filter sizes and strides (eq. 8).

    ``filter_sizes``, ``strides``: one per layer, layer 1 first; ints for 1D, tuples of length
    ``D`` (an int stride applies to every axis). ``*_shape(s)`` properties are always tuples.

    Examples
    --------
    >>> net = LCN(filter_sizes=[3, 2], strides=[2, 1])
    >>> net.end_to_end_size, net.stride, net.n_params, net.dim_neuromanifold
    (5, 2, 5, 4)
    >>> LCN([(2, 3), (2, 2)], [2, 1]).end_to_end_size   # D = 2: one size per axis
    (4, 5)
    >>> net.end_to_end([[1, 1, 1], [1, 2]])
    array([1., 1., 3., 2., 2.])
    """

    # The frozen fields, set once in __init__ (layer l + 1 is index l).
    _sizes: tuple[Shape, ...]
    _strides: tuple[Shape, ...]
    _dim: int
    _is_1d: bool
    _acc: tuple[Shape, ...]  # S_0, ..., S_L
    _e2e: Shape
    _offsets: tuple[int, ...]
    _jac_index: np.ndarray | None  # computed on first use by jacobian()

    def __init__(self, filter_sizes: Sequence[Any], strides: Sequence[Any]) -> None:
        sizes, st, dim, is_1d = as_architecture(filter_sizes, strides)
        acc = [tuple(int(a) for a in S) for S in np.cumprod([(1,) * dim, *st], axis=0)]
        # per axis k_1 + sum_{l>=2} (k_l - 1) S_{l-1}
        e2e = tuple(int(e) for e in 1 + np.sum((np.array(sizes) - 1) * acc[:-1], axis=0))
        vars(self).update(  # frozen: __setattr__ refuses, so the fields go into __dict__
            _sizes=tuple(sizes),
            _strides=tuple(st),
            _dim=dim,
            _is_1d=is_1d,
            _acc=tuple(acc),
            _e2e=e2e,
            _offsets=(0, *accumulate(int(np.prod(s)) for s in sizes)),
            _jac_index=None,
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"LCN is frozen: cannot set {name!r}")

    def _out(self, shape: Shape) -> int | Shape:
        return shape[0] if self._is_1d else shape

    def __repr__(self) -> str:
        return f"LCN(filter_sizes={self.filter_sizes!r}, strides={self.strides!r})"

    def _key(self) -> tuple:
        return self._sizes, self._strides, self._is_1d

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LCN) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    @property
    def filter_sizes(self) -> list:
        """Filter size of each layer: ints (1D) or tuples (D-dim)."""
        return [self._out(s) for s in self._sizes]

    @property
    def filter_shapes(self) -> list[Shape]:
        """Array shape of each layer's filter (always tuples)."""
        return list(self._sizes)

    @property
    def strides(self) -> list:
        """Stride of each layer: ints (1D) or tuples (D-dim)."""
        return [self._out(s) for s in self._strides]

    @property
    def stride_shapes(self) -> list[Shape]:
        """Stride of each layer (always tuples)."""
        return list(self._strides)

    @property
    def accumulated_strides(self) -> list:
        """``[S_0, S_1, ..., S_{L-1}]``: ``S_{l-1}`` dilates layer ``l`` inside ``pi``."""
        return [self._out(s) for s in self._acc[:-1]]

    @property
    def stride_runs(self) -> list[list[int]]:
        """0-based layers grouped into runs sharing an accumulated stride (Sec. 2.3, Obs. 11).

        Inside a run (strides one between its layers), layers can trade roots or be swapped.

        >>> LCN([3, 2, 2, 2], [2, 1, 1, 1]).stride_runs
        [[0], [1, 2, 3]]
        """
        runs = groupby(enumerate(self._acc[:-1]), key=lambda layer_acc: layer_acc[1])
        return [[layer for layer, _ in run] for _, run in runs]

    @property
    def offsets(self) -> tuple[int, ...]:
        """Layer ``l + 1`` is ``theta[offsets[l]:offsets[l + 1]]`` (length ``n_layers + 1``)."""
        return self._offsets

    @property
    def n_layers(self) -> int:
        """Number of layers ``L``."""
        return len(self._sizes)

    @property
    def dim(self) -> int:
        """Dimension ``D`` of the signals (1 for 1D networks)."""
        return self._dim

    @property
    def is_1d(self) -> bool:
        """True for a network given with int sizes (the 1D interface)."""
        return self._is_1d

    @property
    def n_params(self) -> int:
        """Number of parameters ``sum_l prod(k_l)``."""
        return self._offsets[-1]

    @property
    def end_to_end_size(self) -> int | Shape:
        """Size of the end-to-end filter ``k_1 + sum_{l>=2} (k_l - 1) S_{l-1}`` (per axis)."""
        return self._out(self._e2e)

    @property
    def end_to_end_shape(self) -> Shape:
        """Array shape of the end-to-end filter (always a tuple)."""
        return self._e2e

    @property
    def n_outputs(self) -> int:
        """Number of end-to-end coefficients ``K = prod(end_to_end_size)``."""
        return int(np.prod(self._e2e))

    @property
    def stride(self) -> int | Shape:
        """Total stride ``S_L = s_1 ... s_L`` (per axis)."""
        return self._out(self._acc[-1])

    @property
    def dim_neuromanifold(self) -> int:
        """``dim M = n_params - (L - 1)``: one scaling per layer but one (Sec. 2)."""
        return self.n_params - (self.n_layers - 1)

    def check_filters(self, filters: Sequence[ArrayLike]) -> list[np.ndarray]:
        """Validate ``filters`` (one per layer, shapes ``filter_shapes``); return float copies.

        ValueError for a wrong count, shape or NaN/inf entries; TypeError for a flat vector.

        Examples
        --------
        >>> LCN([2, 1], [1, 1]).check_filters([[1, 2], [3]])
        [array([1., 2.]), array([3.])]
        """
        return as_filters(filters, self._sizes)

    def flatten(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """Validate ``filters`` and join them into ``theta``: layer 1 first, C order in each filter.

        The column order of :meth:`jacobian`; also named :meth:`check_theta`.

        Examples
        --------
        >>> LCN([(1, 2), (2, 1)], [1, 1]).flatten([[[1, 2]], [[3], [4]]])
        array([1., 2., 3., 4.])
        """
        return join(self.check_filters(filters))

    check_theta = flatten

    def unflatten(self, theta: ArrayLike) -> list[np.ndarray]:
        """Split ``theta`` of shape (n_params,) into ``L`` new filters (inverse of :meth:`flatten`).

        Examples
        --------
        >>> LCN([2, 1], [2, 1]).unflatten([1, 2, 3])
        [array([1., 2.]), array([3.])]
        """
        return as_parameter_blocks(theta, self._sizes)

    def random_filters(self, rng: np.random.Generator, *, scale: float = 1.0) -> list[np.ndarray]:
        """Draw ``L`` filters with i.i.d. normal entries of standard deviation ``scale``.

        Examples
        --------
        >>> fs = LCN([3, 2], [2, 1]).random_filters(np.random.default_rng(0))
        >>> [f.shape for f in fs]
        [(3,), (2,)]
        """
        as_generator(rng)
        sd = float(as_finite_array(scale, "scale", ndim=0))
        return [sd * rng.standard_normal(s) for s in self._sizes]

    def end_to_end(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """The end-to-end filter ``pi(theta)`` of shape ``end_to_end_shape`` (eq. 8; Lemma 9).

        Examples
        --------
        >>> LCN([2, 2], [1, 1]).end_to_end([[1, 1], [1, -1]])
        array([ 1.,  0., -1.])
        """
        return _pi(self, self.check_filters(filters))

    def forward(self, filters: Sequence[ArrayLike], x: ArrayLike) -> np.ndarray:
        """Apply layer 1, then layer 2, ..., then layer L to the signal ``x`` (eq. 2, eq. 10).

        ``x``: at least ``end_to_end_size`` along every axis. Equals
        ``conv(end_to_end(filters), stride, x)`` (Lemma 9).

        Examples
        --------
        >>> net = LCN([2, 2], [2, 1])
        >>> net.forward([[1, 1], [1, -1]], [1, 2, 3, 4, 5])
        array([-4.])
        """
        fs = self.check_filters(filters)
        sig = as_finite_array(x, "x", ndim=self._dim)
        if any(n < k for n, k in zip(sig.shape, self._e2e, strict=True)):
            raise ValueError(
                "x must be at least as long as the end-to-end filter along every axis: got x of "
                f"shape {self._out(sig.shape)} and end_to_end_size {self.end_to_end_size}"
            )
        for f, s in zip(fs, self._strides, strict=True):
            sig = correlate(f, s, sig)
        return sig

    def jacobian(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """Jacobian ``J = D pi(theta)`` of shape (n_outputs, n_params) (Obs. 3).

        Rows: end-to-end coefficients in C order; columns: the order of :meth:`flatten`.

        Examples
        --------
        >>> LCN([2, 1], [1, 1]).jacobian([[1, 2], [3]])
        array([[3., 0., 1.],
               [0., 3., 2.]])
        """
        return _jacobian(self, self.check_filters(filters))

    def ntk(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """The NTK ``Theta = J J^T``, (K, K), PSD of rank <= ``dim_neuromanifold`` (Sec. 2, Obs. 3).

        Examples
        --------
        >>> LCN([1, 1], [1, 1]).ntk([[2.0], [3.0]])
        array([[13.]])
        """
        J = _jacobian(self, self.check_filters(filters))
        return J @ J.T

    def invariants(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """The conserved quantities ``delta_l = ||w_{l+1}||^2 - ||w_l||^2``, (L - 1,) (eq. 1).

        Examples
        --------
        >>> LCN([2, 2], [2, 1]).invariants([[1, 0], [1, 1]])
        array([1.])
        """
        return np.diff([np.sum(f**2) for f in self.check_filters(filters)])


def split(net: LCN, theta: np.ndarray) -> list[np.ndarray]:
    """The filters of a flat ``theta`` of shape (n_params,), as views (kernel: no checking)."""
    off = net.offsets
    return [
        theta[a:b].reshape(s) for a, b, s in zip(off[:-1], off[1:], net.filter_shapes, strict=True)
    ]


def join(fs: Sequence[np.ndarray]) -> np.ndarray:
    """The flat ``theta`` of shape (n_params,) of filters (the inverse of :func:`split`; kernel)."""
    return np.concatenate([np.ravel(f) for f in fs])


def pi(net: LCN, theta: np.ndarray) -> np.ndarray:
    """End-to-end filter ``pi(theta)`` of shape ``end_to_end_shape`` (eq. 8; kernel)."""
    return _pi(net, split(net, theta))


def _pi(net: LCN, fs: Sequence[np.ndarray]) -> np.ndarray:
    return product(_dilated_filters(net, fs)).reshape(net.end_to_end_shape)


def _dilated_filters(net: LCN, fs: Sequence[np.ndarray]) -> list[np.ndarray]:
    return [dilated(f, s) for f, s in zip(fs, net._acc[:-1], strict=True)]


def _rests(net: LCN, fs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Per layer, the product of the other layers' dilated filters (ones for L = 1)."""
    dil = _dilated_filters(net, fs)
    # products of the dilated layers before l and after l (None: no such layer)
    before: list[np.ndarray | None] = [None, *accumulate(dil[:-1], lambda p, d: product([p, d]))]
    tails = [*accumulate(dil[:0:-1], lambda q, d: product([d, q]))]
    after: list[np.ndarray | None] = [*tails[::-1], None]
    others = [[p for p in pair if p is not None] for pair in zip(before, after, strict=True)]
    return [product(o) if o else np.ones((1,) * net.dim) for o in others]


def _jacobian_index(net: LCN) -> np.ndarray:
    """Where each entry of ``J`` sits in ``[0, rest_1.ravel(), ..., rest_L.ravel()]`` (cached).

    ``J_l[n, j] = rest_l[n - j S_{l-1}]``, zero outside ``rest_l``: ``J`` is one gather.
    """
    if net._jac_index is not None:
        return net._jac_index
    D, e2e = net.dim, net.end_to_end_shape
    rows = np.indices(e2e).reshape(D, -1)  # (D, K): output multi-indices
    cols, base = [], 1
    for size, acc in zip(net.filter_shapes, net._acc[:-1], strict=True):
        r = tuple(e - (k - 1) * a for e, k, a in zip(e2e, size, acc, strict=True))
        j = np.indices(size).reshape(D, -1)  # (D, k_l): filter multi-indices
        m = rows[:, :, None] - j[:, None, :] * np.array(acc)[:, None, None]
        inside = np.all((m >= 0) & (m < np.array(r)[:, None, None]), axis=0)
        flat = np.ravel_multi_index(tuple(np.where(inside, m, 0)), r)
        cols.append(np.where(inside, flat + base, 0))
        base += int(np.prod(r))
    index = np.hstack(cols)
    index.setflags(write=False)
    object.__setattr__(net, "_jac_index", index)
    return index


def jacobian(net: LCN, theta: np.ndarray) -> np.ndarray:
    """``J = D pi(theta)`` of shape (n_outputs, n_params), one gather (Obs. 3; kernel)."""
    return _jacobian(net, split(net, theta))


def _jacobian(net: LCN, fs: Sequence[np.ndarray]) -> np.ndarray:
    flat = np.concatenate([np.zeros(1)] + [r.ravel() for r in _rests(net, fs)])
    return flat[_jacobian_index(net)]


def ntk(net: LCN, theta: np.ndarray) -> np.ndarray:
    """``Theta(theta) = J J^T`` of shape (n_outputs, n_outputs) (Sec. 2; kernel)."""
    J = jacobian(net, theta)
    return J @ J.T


def invariants(net: LCN, theta: np.ndarray) -> np.ndarray:
    """``delta_l = ||w_{l+1}||^2 - ||w_l||^2`` of shape (L - 1,) (eq. 1; kernel)."""
    return np.diff(np.add.reduceat(theta**2, net.offsets[:-1]))


def invariant_jacobian(net: LCN, theta: np.ndarray) -> np.ndarray:
    """``D delta(theta)``, (L - 1, n_params): row l is ``(.., -2 w_l, 2 w_{l+1}, ..)`` (kernel).

    Its kernel is the tangent space (9) of the level set of the invariants.
    """
    off = net.offsets
    out = np.zeros((net.n_layers - 1, theta.size))
    for l in range(net.n_layers - 1):
        out[l, off[l] : off[l + 1]] = -2 * theta[off[l] : off[l + 1]]
        out[l, off[l + 1] : off[l + 2]] = 2 * theta[off[l + 1] : off[l + 2]]
    return out


def gauss_newton(
    net: LCN,
    theta: np.ndarray,
    w: np.ndarray,
    delta: np.ndarray | None = None,
    *,
    steps: int,
    rtol: float = 0.0,
    J: np.ndarray | None = None,
    jac: Callable[[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Newton projection onto ``{pi(theta) = w}`` (and ``{delta(theta) = delta}``; kernel).

    Minimum-norm least-squares steps from ``theta``, each taken only if it lowers the residual,
    until ``steps`` steps, a residual of ``4 eps ||target||`` or a step below ``rtol ||theta||``.
    ``delta`` is imposed only if given; ``J``: ``jacobian(net, theta)`` if known; ``jac``: a faster
    ``theta -> J``. Returns the best ``theta`` found and ``J`` there.
    """
    jac = jac or (lambda th: jacobian(net, th))
    k1 = net.offsets[1]
    target = np.ravel(w) if delta is None else np.concatenate([np.ravel(w), np.ravel(delta)])

    def residual(th: np.ndarray, Jt: np.ndarray) -> np.ndarray:
        w_th = Jt[:, :k1] @ th[:k1]  # pi is linear in w_1: pi(theta) = J_1 w_1
        return (w_th if delta is None else np.concatenate([w_th, invariants(net, th)])) - target

    J = jac(theta) if J is None else J
    res = residual(theta, J)
    norm = float(np.linalg.norm(res))
    floor = 4 * np.finfo(float).eps * float(np.linalg.norm(target))
    for _ in range(steps):
        if norm <= floor:
            break
        A = J if delta is None else np.vstack([J, invariant_jacobian(net, theta)])
        step = np.linalg.lstsq(A, res, rcond=None)[0]
        cand = theta - step
        J_c = jac(cand)
        res_c = residual(cand, J_c)
        n_c = float(np.linalg.norm(res_c))
        if not n_c < norm:
            break
        theta, J, res, norm = cand, J_c, res_c, n_c
        if np.linalg.norm(step) <= rtol * np.linalg.norm(theta):
            break
    return theta, J


def spread(ntks: Sequence[np.ndarray]) -> float:
    """``max_{i,j} ||Theta_i - Theta_j||_F`` over NTKs of one shape (0.0 for one matrix; kernel).

    Zero over a fiber for strides > 1 at smooth points (Thm 4) and in D >= 2 (Thm 13), not for
    stride one (Sec. 2.3, Ex. 19).
    """
    return max(
        (float(np.linalg.norm(a - b)) for i, a in enumerate(ntks) for b in ntks[i + 1 :]),
        default=0.0,
    )
