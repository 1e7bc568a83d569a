"""Linear convolutional networks (LCNs) in one or D dimensions.

The network with filters ``w_1, ..., w_L`` (layer 1 sees the input) and strides
``s_1, ..., s_L`` is the composition of the convolutions ``conv(w_l, s_l, .)``. It is again a
convolution, with stride ``S_L = s_1 ... s_L`` and the *end-to-end filter*

    pi(theta) = w_1 * dil(w_2, S_1) * ... * dil(w_L, S_{L-1})

(``*`` is full convolution, ``dil`` inserts zeros; paper eq. 8 and Lemma 9). The map ``pi`` is
multilinear, its Jacobian ``J`` has one block ``J_l`` per layer, and the neural tangent kernel
in function space is ``Theta = J J^T``.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from .polynomials import _dilate, _product

__all__ = ["LCN", "conv"]


def conv(w: ArrayLike, stride: int | Sequence[int], x: ArrayLike) -> np.ndarray:
    """Apply one convolution with filter ``w`` and stride ``stride`` to the signal ``x``.

    Parameters
    ----------
    w : array_like of shape (k,) or (k_1, ..., k_D)
        The filter.
    stride : int or tuple of int
        The stride (an int applies to every axis).
    x : array_like of shape (n,) or (n_1, ..., n_D), with ``n_d >= k_d``
        The input signal.

    Returns
    -------
    ndarray of shape (m,) or (m_1, ..., m_D), ``m_d = (n_d - k_d) // s_d + 1``
        ``y[i] = sum_j w[j] x[i s + j]`` (multi-indices in D-dim).

    Raises
    ------
    ValueError
        If ``x`` is shorter than ``w`` along some axis, the axes do not match, a stride is not
        positive, or entries are not finite.
    TypeError
        For non-real entries or a non-integer stride.

    Notes
    -----
    Paper eq. (2) in 1D and eq. (10) in D dimensions. The filter is not flipped: this is the
    cross-correlation that deep-learning libraries call convolution.

    Examples
    --------
    >>> conv([1, -1], 2, [0, 1, 3, 6, 10])
    array([-1., -3.])
    """
    w = as_coefficients(w, "w")
    x = as_finite_array(x, "x", ndim=w.ndim)
    st = as_stride(stride, w.ndim)
    if any(n < k for n, k in zip(x.shape, w.shape)):
        raise ValueError(
            f"x must be at least as long as the filter along every axis: got x of shape "
            f"{x.shape} and w of shape {w.shape}"
        )
    return _conv(w, st, x)


def _conv(w: np.ndarray, st: tuple[int, ...], x: np.ndarray) -> np.ndarray:
    """Unchecked convolution (see :func:`conv`)."""
    windows = sliding_window_view(x, w.shape)[tuple(slice(None, None, s) for s in st)]
    return np.tensordot(windows, w, axes=w.ndim)


class LCN:
    """A linear convolutional network: an architecture of filter sizes and strides.

    Parameters
    ----------
    filter_sizes : sequence of int, or sequence of tuple of int
        Filter size of each layer, layer 1 first. Ints give a 1D network, tuples of length
        ``D`` a D-dimensional one.
    strides : sequence of int, or sequence of tuple of int
        Stride of each layer. In D dimensions an int means that stride along every axis.

    Raises
    ------
    ValueError
        For an empty architecture, non-positive sizes or strides, a stride count different
        from the layer count, or layers of mixed dimensions.
    TypeError
        For non-integer or boolean sizes and strides.

    Notes
    -----
    The end-to-end filter has size ``k = k_1 + sum_{l>=2} (k_l - 1) S_{l-1}`` per axis, where
    ``S_l = s_1 ... s_l`` (paper Sec. 2, eq. 8; Sec. 3 for D dimensions). The neuromanifold
    ``M`` (the image of ``pi``) has dimension ``sum_l prod(k_l) - (L - 1)``.

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

    def __init__(self, filter_sizes: Sequence[Any], strides: Sequence[Any]):
        sizes, st, dim, is_1d = as_architecture(filter_sizes, strides)
        self._sizes: list[Shape] = sizes
        self._strides: list[Shape] = st
        self._dim = dim
        self._is_1d = is_1d
        acc = [(1,) * dim]
        for s in st:
            acc.append(tuple(a * b for a, b in zip(acc[-1], s)))
        self._acc: list[Shape] = acc  # S_0, ..., S_L
        self._e2e: Shape = tuple(
            sizes[0][d] + sum((sizes[l][d] - 1) * acc[l][d] for l in range(1, len(sizes)))
            for d in range(dim)
        )
        self._param_counts = [int(np.prod(s)) for s in sizes]
        self._offsets = np.concatenate([[0], np.cumsum(self._param_counts)]).astype(int)

    # ------------------------------------------------------------------ architecture
    def _out(self, shape: Shape) -> int | Shape:
        return shape[0] if self._is_1d else shape

    def __repr__(self) -> str:
        return f"LCN(filter_sizes={self.filter_sizes!r}, strides={self.strides!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, LCN)
            and self._sizes == other._sizes
            and self._strides == other._strides
            and self._is_1d == other._is_1d
        )

    def __hash__(self) -> int:
        return hash((tuple(self._sizes), tuple(self._strides), self._is_1d))

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
    def accumulated_strides(self) -> list:
        """``[S_0, S_1, ..., S_{L-1}]``: ``S_{l-1}`` dilates layer ``l`` inside ``pi``."""
        return [self._out(s) for s in self._acc[:-1]]

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
        return int(self._offsets[-1])

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
        """Dimension of the neuromanifold, ``n_params - (L - 1)`` (one scaling per layer but one)."""
        return self.n_params - (self.n_layers - 1)

    # ------------------------------------------------------------------ parameters
    def check_filters(self, filters: Sequence[ArrayLike]) -> list[np.ndarray]:
        """Validate ``filters`` for this architecture and return float copies.

        Parameters
        ----------
        filters : sequence of array_like
            One filter per layer, layer 1 first; filter ``l`` of shape ``filter_shapes[l]``.

        Returns
        -------
        list of ndarray
            New float64 arrays of shapes ``filter_shapes`` (the inputs are not modified).

        Raises
        ------
        ValueError
            For the wrong number of filters, a filter of the wrong shape, or NaN/inf entries;
            the message names the filter, e.g. ``filters[1]``.
        TypeError
            For a flat parameter vector (use :meth:`unflatten`), or non-real entries.

        Examples
        --------
        >>> LCN([2, 1], [1, 1]).check_filters([[1, 2], [3]])
        [array([1., 2.]), array([3.])]
        """
        return as_filters(filters, self._sizes)

    def flatten(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """Concatenate the filters into ``theta``, layer 1 first, C order inside each filter.

        Parameters
        ----------
        filters : sequence of array_like
            One filter per layer, of shapes ``filter_shapes``.

        Returns
        -------
        ndarray of shape (n_params,)
            The parameter vector; the column order of :meth:`jacobian`.

        Raises
        ------
        ValueError, TypeError
            As :meth:`check_filters`.

        Examples
        --------
        >>> LCN([(1, 2), (2, 1)], [1, 1]).flatten([[[1, 2]], [[3], [4]]])
        array([1., 2., 3., 4.])
        """
        return np.concatenate([f.ravel() for f in self.check_filters(filters)])

    def unflatten(self, theta: ArrayLike) -> list[np.ndarray]:
        """Split a parameter vector into filters (inverse of :meth:`flatten`).

        Parameters
        ----------
        theta : array_like of shape (n_params,)
            Layer 1 first, C order inside each filter.

        Returns
        -------
        list of ndarray
            ``L`` new arrays of shapes ``filter_shapes``.

        Raises
        ------
        ValueError
            If ``theta`` is not one-dimensional, has not ``n_params`` entries, or holds NaN/inf.
        TypeError
            For non-real entries.

        Examples
        --------
        >>> LCN([2, 1], [2, 1]).unflatten([1, 2, 3])
        [array([1., 2.]), array([3.])]
        """
        return as_parameter_blocks(theta, self._sizes)

    def random_filters(self, rng: np.random.Generator, *, scale: float = 1.0) -> list[np.ndarray]:
        """Draw filters with i.i.d. normal entries of standard deviation ``scale``.

        Parameters
        ----------
        rng : numpy.random.Generator
            The random source (seed it for reproducible results).
        scale : float, default=1.0
            Standard deviation of the entries.

        Returns
        -------
        list of ndarray
            ``L`` filters of shapes ``filter_shapes``; almost surely all nonzero and ``pi`` is
            at a smooth point of the neuromanifold.

        Raises
        ------
        TypeError
            If ``rng`` is not a ``numpy.random.Generator`` or ``scale`` is not a real number.
        ValueError
            If ``scale`` is NaN or infinite.

        Examples
        --------
        >>> fs = LCN([3, 2], [2, 1]).random_filters(np.random.default_rng(0))
        >>> [f.shape for f in fs]
        [(3,), (2,)]
        """
        as_generator(rng)
        sd = float(as_finite_array(scale, "scale", ndim=0))
        return [sd * rng.standard_normal(s) for s in self._sizes]

    # ------------------------------------------------------------------ the map pi
    def _dilated(self, filters: Sequence[np.ndarray]) -> list[np.ndarray]:
        return [_dilate(f, self._acc[l]) for l, f in enumerate(filters)]

    def end_to_end(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """The end-to-end filter ``pi(theta)`` of the network.

        Parameters
        ----------
        filters : sequence of array_like
            One filter per layer, layer 1 first, of shapes ``filter_sizes``.

        Returns
        -------
        ndarray of shape (k,) or (k_1, ..., k_D)
            ``k = end_to_end_size``, with ``k = k_1 + sum_{l>=2} (k_l - 1) S_{l-1}`` per axis.

        Raises
        ------
        ValueError, TypeError
            As :meth:`check_filters`.

        Notes
        -----
        ``pi(theta) = w_1 * dil(w_2, S_1) * ... * dil(w_L, S_{L-1})`` (paper eq. 8; Lemma 9 for
        D dimensions), the coefficients of ``P_{w_1}(x, y) P_{w_2}(x^{S_1}, y^{S_1}) ...``.

        Examples
        --------
        >>> LCN([2, 2], [1, 1]).end_to_end([[1, 1], [1, -1]])
        array([ 1.,  0., -1.])
        """
        fs = self.check_filters(filters)
        return self._out_array(_product(self._dilated(fs)))

    def _out_array(self, arr: np.ndarray) -> np.ndarray:
        return arr.reshape(self._e2e)

    def forward(self, filters: Sequence[ArrayLike], x: ArrayLike) -> np.ndarray:
        """Apply layer 1, then layer 2, ..., then layer L to the signal ``x``.

        Parameters
        ----------
        filters : sequence of array_like
            One filter per layer.
        x : array_like of shape (n,) or (n_1, ..., n_D)
            The input signal, at least ``end_to_end_size`` long along every axis.

        Returns
        -------
        ndarray of shape (m,) or (m_1, ..., m_D), ``m_d = (n_d - k_d) // S_L + 1``
            The output of the last layer; it equals ``conv(end_to_end(filters), stride, x)``.

        Raises
        ------
        ValueError
            If ``x`` has the wrong number of axes or is shorter than the end-to-end filter along
            some axis, or for bad filters (see :meth:`check_filters`).
        TypeError
            For non-real entries.

        Notes
        -----
        Applies eq. (2) (eq. (10) in D dimensions) once per layer. That the composition is
        the single convolution with ``pi(theta)`` and stride ``S_L`` is eq. (8) / Lemma 9.

        Examples
        --------
        >>> net = LCN([2, 2], [2, 1])
        >>> net.forward([[1, 1], [1, -1]], [1, 2, 3, 4, 5])
        array([-4.])
        """
        fs = self.check_filters(filters)
        sig = as_finite_array(x, "x", ndim=self._dim)
        if any(n < k for n, k in zip(sig.shape, self._e2e)):
            raise ValueError(
                "x must be at least as long as the end-to-end filter along every axis: got x of "
                f"shape {self._out(sig.shape)} and end_to_end_size {self.end_to_end_size}"
            )
        for f, s in zip(fs, self._strides):
            sig = _conv(f, s, sig)
        return sig

    # ------------------------------------------------------------------ derivatives
    def _rests(self, fs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Per layer, the product of the other layers' dilated filters (ones for L = 1)."""
        dil = self._dilated(fs)
        L = len(dil)
        # prefix[l] = product of dilated layers < l, suffix[l] = product of layers > l
        prefix: list[np.ndarray | None] = [None] * L
        suffix: list[np.ndarray | None] = [None] * L
        for l in range(1, L):
            prev = dil[l - 1] if prefix[l - 1] is None else _product([prefix[l - 1], dil[l - 1]])
            prefix[l] = prev
        for l in range(L - 2, -1, -1):
            nxt = dil[l + 1] if suffix[l + 1] is None else _product([dil[l + 1], suffix[l + 1]])
            suffix[l] = nxt
        rests = []
        for l in range(L):
            others = [p for p in (prefix[l], suffix[l]) if p is not None]
            rests.append(_product(others) if others else np.ones((1,) * self._dim))
        return rests

    def _jacobian_index(self) -> np.ndarray:
        """Where each entry of ``J`` sits in ``[0, rest_1.ravel(), ..., rest_L.ravel()]``.

        ``J_l[n, j] = rest_l[n - j S_{l-1}]`` (multi-indices, zero outside ``rest_l``), so
        ``J`` is one gather from the concatenated ``rest`` arrays; the index depends only on
        the architecture and is computed once per network (index 0 holds the zero).
        """
        cached = self.__dict__.get("_jac_index_cache")
        if cached is not None:
            return cached
        D = self._dim
        rows = np.indices(self._e2e).reshape(D, -1)  # (D, K): output multi-indices
        cols, base = [], 1
        for size, acc in zip(self._sizes, self._acc):
            r = tuple(e - (k - 1) * a for e, k, a in zip(self._e2e, size, acc))
            j = np.indices(size).reshape(D, -1)  # (D, k_l): filter multi-indices
            m = rows[:, :, None] - j[:, None, :] * np.array(acc)[:, None, None]
            inside = np.all((m >= 0) & (m < np.array(r)[:, None, None]), axis=0)
            flat = np.ravel_multi_index(tuple(np.where(inside, m, 0)), r)
            cols.append(np.where(inside, flat + base, 0))
            base += int(np.prod(r))
        index = np.hstack(cols)
        index.setflags(write=False)
        self.__dict__["_jac_index_cache"] = index
        return index

    def _jacobian_unchecked(self, fs: Sequence[np.ndarray]) -> np.ndarray:
        """``J`` of shape (K, n_params) for already validated filters (one gather)."""
        flat = np.concatenate([np.zeros(1)] + [r.ravel() for r in self._rests(fs)])
        return flat[self._jacobian_index()]

    def _blocks(self, fs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Jacobian blocks ``J_l`` of shape (K, prod(k_l)) from the products of other layers."""
        J = self._jacobian_unchecked(fs)
        off = self._offsets
        return [J[:, a:b] for a, b in zip(off[:-1], off[1:])]

    def jacobian(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """Jacobian ``J = D pi(theta)`` of the parametrization map.

        Parameters
        ----------
        filters : sequence of array_like
            One filter per layer.

        Returns
        -------
        ndarray of shape (prod(end_to_end_size), n_params)
            Rows: end-to-end coefficients in C order. Columns: layer 1 first, C order inside
            each filter (the order of :meth:`flatten`).

        Raises
        ------
        ValueError, TypeError
            As :meth:`check_filters`.

        Notes
        -----
        ``pi`` is linear in each ``w_l``, so the column of ``J_l`` for the entry ``j`` is
        ``pi`` with ``w_l`` replaced by the unit filter ``e_j``: the product of the other
        layers' sparse polynomials, shifted by ``j S_{l-1}`` (paper Obs. 3). No finite
        differences or automatic differentiation are used.

        Examples
        --------
        >>> LCN([2, 1], [1, 1]).jacobian([[1, 2], [3]])
        array([[3., 0., 1.],
               [0., 3., 2.]])
        """
        return self._jacobian_unchecked(self.check_filters(filters))

    def ntk(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """The neural tangent kernel in filter space, ``Theta = J J^T``.

        Parameters
        ----------
        filters : sequence of array_like
            One filter per layer.

        Returns
        -------
        ndarray of shape (K, K), ``K = prod(end_to_end_size)``
            Symmetric positive semidefinite; ``Theta = sum_l J_l J_l^T``. Its rank is at most
            ``dim_neuromanifold``, with equality at smooth points.

        Raises
        ------
        ValueError, TypeError
            As :meth:`check_filters`.

        Notes
        -----
        Along gradient flow the end-to-end filter moves by ``w' = -Theta(theta) grad l(w)``
        (paper Sec. 2, Obs. 3). Each term is quadratic in the other layers' filters, so
        flipping the sign of a filter leaves ``Theta`` unchanged.

        Examples
        --------
        >>> LCN([1, 1], [1, 1]).ntk([[2.0], [3.0]])
        array([[13.]])
        """
        J = self._jacobian_unchecked(self.check_filters(filters))
        return J @ J.T

    def invariants(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """The conserved quantities ``delta_l = ||w_{l+1}||^2 - ||w_l||^2`` of gradient flow.

        Parameters
        ----------
        filters : sequence of array_like
            One filter per layer.

        Returns
        -------
        ndarray of shape (L - 1,)
            ``delta[l - 1] = ||w_{l+1}||^2 - ||w_l||^2`` (Frobenius norms in D dimensions).

        Raises
        ------
        ValueError, TypeError
            As :meth:`check_filters`.

        Notes
        -----
        Paper eq. (1): for any loss ``l(pi(theta))`` these stay constant along gradient flow
        (multilinearity). ``delta = 0`` is the balanced case.

        Examples
        --------
        >>> LCN([2, 2], [2, 1]).invariants([[1, 0], [1, 1]])
        array([1.])
        """
        fs = self.check_filters(filters)
        sq = np.array([np.sum(f**2) for f in fs])
        return np.diff(sq)

    # ------------------------------------------------------------------ geometry (delegates)
    def rescale(self, filters: Sequence[ArrayLike], delta: ArrayLike) -> list[np.ndarray]:
        """Rescale nonzero filters to prescribed invariants ``delta`` keeping ``pi`` (Prop. 2).

        See :func:`lcnn_widgets.fibers.rescale`.
        """
        from .fibers import rescale

        return rescale(self, filters, delta)

    def fibers(self, w: ArrayLike, delta: ArrayLike | None = None, **kwargs: Any):
        """All real filter tuples with end-to-end filter ``w`` (and invariants ``delta``).

        See :func:`lcnn_widgets.fibers.fibers` (Thm 4, Sec. 2.3).
        """
        from .fibers import fibers

        return fibers(self, w, delta, **kwargs)

    def tangent_space(self, filters: Sequence[ArrayLike]) -> np.ndarray:
        """Orthonormal basis of the tangent space (9) of ``{delta(theta) = delta}`` at ``theta``.

        See :func:`lcnn_widgets.metric.tangent_space` (eq. 9, Lemma 5).
        """
        from .metric import tangent_space

        return tangent_space(self, filters)

    def metric_matrix(self, w: ArrayLike, delta: ArrayLike, **kwargs: Any) -> np.ndarray:
        """The metric ``g_w^delta`` as a matrix, ``Theta(w; delta)^+`` (Cor. 6).

        See :func:`lcnn_widgets.metric.metric_matrix`.
        """
        from .metric import metric_matrix

        return metric_matrix(self, w, delta, **kwargs)

    def inner_product(
        self, a: ArrayLike, b: ArrayLike, w: ArrayLike, delta: ArrayLike, **kwargs: Any
    ) -> float:
        """``g_w^delta(a, b)`` for tangent vectors ``a, b`` at ``w`` (Cor. 6).

        See :func:`lcnn_widgets.metric.inner_product`.
        """
        from .metric import inner_product

        return inner_product(self, a, b, w, delta, **kwargs)

    def lift(self, a: ArrayLike, filters: Sequence[ArrayLike]) -> list[np.ndarray]:
        """The unique vector of the tangent space (9) at ``filters`` that maps to ``a`` (Lemma 5).

        See :func:`lcnn_widgets.metric.lift`.
        """
        from .metric import lift

        return lift(self, a, filters)
