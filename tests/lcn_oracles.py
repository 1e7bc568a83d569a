"""Shared test helpers: hypothesis strategies for small LCNs, and naive independent oracles.

Import with ``from lcn_oracles import architectures, naive_conv`` (pytest puts ``tests/`` on
``sys.path`` because the folder has no ``__init__.py``). The oracles are written from the
definitions (eq. 2, eq. 10, eq. 8) with plain loops and share no code with the package.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import example
from hypothesis import strategies as st

from lcnn_widgets import LCN


@st.composite
def architectures(
    draw,
    *,
    dims: tuple[int, ...] = (1, 2),
    min_layers: int = 1,
    max_layers: int = 4,
    max_size: int = 4,
    max_stride: int = 3,
    max_outputs: int = 400,
) -> LCN:
    """An ``LCN`` with 1D (int) or 2D (tuple) layers, sizes 1..max_size, strides 1..max_stride.

    Layers are drawn one at a time; a layer's size is capped so that the end-to-end filter has
    at most ``max_outputs`` coefficients (a size of 1 is always possible), which keeps the NTK
    small without rejecting examples.
    """
    dim = draw(st.sampled_from(dims))
    n_layers = draw(st.integers(min_layers, max_layers))
    cap = max(1, math.floor(max_outputs ** (1.0 / dim) + 1e-9))  # per-axis cap
    e2e = [0] * dim  # size of the end-to-end filter so far, minus 1 per axis
    acc = [1] * dim  # accumulated stride S_{l-1}
    sizes, strides = [], []
    for _ in range(n_layers):
        shape = []
        for d in range(dim):
            room = (cap - 1 - e2e[d]) // acc[d]  # largest k - 1 that still fits
            shape.append(draw(st.integers(1, max(1, min(max_size, room + 1)))))
        stride = [draw(st.integers(1, max_stride)) for _ in range(dim)]
        for d in range(dim):
            e2e[d] += (shape[d] - 1) * acc[d]
            acc[d] *= stride[d]
        sizes.append(shape[0] if dim == 1 else tuple(shape))
        strides.append(stride[0] if dim == 1 else tuple(stride))
    return LCN(sizes, strides)


seeds = st.integers(0, 2**32 - 1)


@st.composite
def integer_filters(draw, net: LCN, *, low: int = -3, high: int = 3) -> list[np.ndarray]:
    """Integer-valued filters for ``net`` (exact arithmetic in sympy and numpy)."""
    rng = np.random.default_rng(draw(seeds))
    return [rng.integers(low, high + 1, size=s) for s in net.filter_shapes]


def naive_conv(w: np.ndarray, stride: tuple[int, ...], x: np.ndarray) -> np.ndarray:
    """``y[i] = sum_j w[j] x[i s + j]`` with explicit loops over i and j (eq. 2 / eq. 10)."""
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    out_shape = tuple((n - k) // s + 1 for n, k, s in zip(x.shape, w.shape, stride, strict=True))
    y = np.zeros(out_shape)
    for i in itertools.product(*(range(m) for m in out_shape)):
        total = 0.0
        for j in itertools.product(*(range(k) for k in w.shape)):
            total += w[j] * x[tuple(ii * s + jj for ii, s, jj in zip(i, stride, j, strict=True))]
        y[i] = total
    return y


def naive_end_to_end(filters, strides) -> np.ndarray:
    """``pi(theta)`` from its definition as a sum over one entry of every filter.

    The product of monomials puts ``prod_l w_l[j_l]`` at position ``sum_l j_l S_{l-1}``
    (per axis), where ``S_{l-1}`` is the product of the strides of the earlier layers.
    """
    fs = [np.asarray(f, dtype=float) for f in filters]
    dim = fs[0].ndim
    st = [tuple(s) if isinstance(s, tuple) else (s,) * dim for s in strides]
    acc = [(1,) * dim]
    for s in st[:-1]:
        acc.append(tuple(a * b for a, b in zip(acc[-1], s, strict=True)))
    shape = tuple(
        1 + sum((f.shape[d] - 1) * a[d] for f, a in zip(fs, acc, strict=True)) for d in range(dim)
    )
    out = np.zeros(shape)
    for combo in itertools.product(*(list(np.ndindex(f.shape)) for f in fs)):
        pos = tuple(sum(j[d] * a[d] for j, a in zip(combo, acc, strict=True)) for d in range(dim))
        out[pos] += math.prod(f[j] for f, j in zip(fs, combo, strict=True))
    return out


# Architectures that random draws rarely reach (4 layers, large strides), added to the laws
# with hypothesis' @example so that every run covers them.
LARGE_ARCHITECTURES = [
    LCN([4, 3, 2, 4], [3, 1, 3, 2]),
    LCN([2, 2, 2, 2], [1, 1, 1, 1]),
    LCN([(2, 3), (3, 2), (2, 2), (1, 2)], [(1, 2), (3, 1), 1, 2]),
]


def with_large_examples(test):
    """Run a ``@given(architectures(), seeds)`` test also on ``LARGE_ARCHITECTURES``."""
    for net in LARGE_ARCHITECTURES:
        test = example(net, 12345)(test)
    return test
