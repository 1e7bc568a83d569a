"""Laws of the LCN core over random architectures (hypothesis): 1D and 2D, strides 1-3,
sizes 1-4, up to 4 layers.

* composition: layer-by-layer ``forward`` = one convolution with ``pi(theta)`` and ``S_L``;
* the Jacobian equals central finite differences and has the column order of ``flatten``;
* the NTK is symmetric PSD, of rank ``dim M`` at random points, ``sum_l J_l J_l^T``, and
  unchanged by sign flips of filters (Obs. 3);
* multilinearity of ``pi`` and the effect of rescalings and sign flips on the invariants.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from lcn_oracles import architectures, seeds, with_large_examples

from lcnn_widgets import LCN, conv


def _random_point(net: LCN, seed: int) -> tuple[np.random.Generator, list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return rng, net.random_filters(rng)


def _jacobian_point(net: LCN, seed: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Random filters (as :func:`_random_point`) and their Jacobian."""
    _, fs = _random_point(net, seed)
    return fs, net.jacobian(fs)


# --------------------------------------------------------------------------- composition


@given(architectures(), seeds)
@with_large_examples
def test_forward_is_one_convolution_with_the_end_to_end_filter(net, seed):
    rng, fs = _random_point(net, seed)
    S = net.stride if not net.is_1d else (net.stride,)
    # random valid lengths: k + anything (not only k + S m)
    n = tuple(
        k + int(rng.integers(0, 2 * s + 2)) for k, s in zip(net.end_to_end_shape, S, strict=True)
    )
    x = rng.standard_normal(n)
    y = net.forward(fs, x)
    expected = conv(net.end_to_end(fs), net.stride, x)
    assert y.shape == expected.shape
    assert y.shape == tuple(
        (nd - k) // s + 1 for nd, k, s in zip(n, net.end_to_end_shape, S, strict=True)
    )
    np.testing.assert_allclose(y, expected, rtol=1e-10, atol=1e-10 * np.max(np.abs(x)))


@given(architectures(), seeds)
@with_large_examples
def test_forward_is_linear_in_the_signal(net, seed):
    rng, fs = _random_point(net, seed)
    n = tuple(k + 2 for k in net.end_to_end_shape)
    x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
    a, b = rng.standard_normal(2)
    lhs = net.forward(fs, a * x1 + b * x2)
    rhs = a * net.forward(fs, x1) + b * net.forward(fs, x2)
    np.testing.assert_allclose(lhs, rhs, rtol=1e-10, atol=1e-10)


@given(architectures(), seeds, st.integers(1, 3))
def test_last_stride_does_not_change_pi(net, seed, new_last):
    _, fs = _random_point(net, seed)
    strides = list(net.strides)
    strides[-1] = new_last if net.is_1d else (new_last,) * net.dim
    other = LCN(net.filter_sizes, strides)
    np.testing.assert_array_equal(other.end_to_end(fs), net.end_to_end(fs))
    assert other.end_to_end_size == net.end_to_end_size


# --------------------------------------------------------------------------- Jacobian


@given(architectures(), seeds)
@with_large_examples
def test_jacobian_equals_central_finite_differences(net, seed):
    _, fs = _random_point(net, seed)
    theta = net.flatten(fs)
    J = net.jacobian(fs)
    assert J.shape == (net.n_outputs, net.n_params)
    h = 1e-3
    fd = np.empty_like(J)
    for c in range(net.n_params):
        e = np.zeros(net.n_params)
        e[c] = h
        plus = net.end_to_end(net.unflatten(theta + e)).ravel()
        minus = net.end_to_end(net.unflatten(theta - e)).ravel()
        fd[:, c] = (plus - minus) / (2 * h)
    # pi is linear in each single entry, so central differences are exact up to rounding
    np.testing.assert_allclose(J, fd, rtol=0, atol=1e-7 * max(1.0, np.max(np.abs(J))))


@given(architectures(), seeds)
@with_large_examples
def test_jacobian_column_is_pi_with_a_unit_filter(net, seed):
    # Obs. 3: column c of J is pi(w_1, ..., e_j, ..., w_L), the unit filter at flatten index c
    fs, J = _jacobian_point(net, seed)
    for c in range(net.n_params):
        unit = net.unflatten(np.eye(net.n_params)[c])
        layer = next(l for l, f in enumerate(unit) if np.any(f))
        mixed = [unit[l] if l == layer else fs[l] for l in range(net.n_layers)]
        np.testing.assert_allclose(J[:, c], net.end_to_end(mixed).ravel(), rtol=1e-13, atol=1e-13)


@given(architectures(), seeds)
@with_large_examples
def test_jacobian_rows_are_end_to_end_in_c_order(net, seed):
    # J theta = L pi(theta) (Euler's relation for a multilinear map of L factors)
    fs, J = _jacobian_point(net, seed)
    w = net.end_to_end(fs)
    np.testing.assert_allclose(
        J @ net.flatten(fs), net.n_layers * w.ravel(order="C"), rtol=1e-10, atol=1e-10
    )


# --------------------------------------------------------------------------- NTK


@given(architectures(), seeds)
@with_large_examples
def test_ntk_is_symmetric_psd_with_rank_dim_m(net, seed):
    _, fs = _random_point(net, seed)
    ntk = net.ntk(fs)
    assert ntk.shape == (net.n_outputs, net.n_outputs)
    scale = max(1.0, np.max(np.abs(ntk)))
    np.testing.assert_allclose(ntk, ntk.T, rtol=0, atol=1e-12 * scale)
    eig = np.linalg.eigvalsh(ntk)
    assert eig.min() >= -1e-10 * scale
    # at a random point: rank Theta = rank J = dim M = sum prod(k_l) - (L - 1)
    assert np.linalg.matrix_rank(net.jacobian(fs)) == net.dim_neuromanifold
    assert np.linalg.matrix_rank(ntk, hermitian=True) == net.dim_neuromanifold


@given(architectures(min_layers=2), seeds, st.data())
def test_ntk_rank_at_most_dim_m_at_degenerate_points(net, seed, data):
    # zero out some entries (possibly a whole filter): the rank never exceeds dim M
    rng, fs = _random_point(net, seed)
    mask = [rng.random(f.shape) < data.draw(st.sampled_from([0.3, 0.7, 1.0])) for f in fs]
    fs = [np.where(m, 0.0, f) for m, f in zip(mask, fs, strict=True)]
    assert np.linalg.matrix_rank(net.ntk(fs), hermitian=True) <= net.dim_neuromanifold


@given(architectures(), seeds)
@with_large_examples
def test_ntk_is_the_sum_of_layer_blocks(net, seed):
    fs, J = _jacobian_point(net, seed)
    bounds = np.cumsum([0] + [f.size for f in fs])
    total = sum(J[:, a:b] @ J[:, a:b].T for a, b in itertools.pairwise(bounds))
    np.testing.assert_allclose(net.ntk(fs), total, rtol=1e-12, atol=1e-12)


@given(architectures(), seeds, st.data())
def test_sign_flips_keep_ntk_and_invariants(net, seed, data):
    _, fs = _random_point(net, seed)
    signs = data.draw(
        st.lists(st.sampled_from([-1, 1]), min_size=net.n_layers, max_size=net.n_layers)
    )
    flipped = [s * f for s, f in zip(signs, fs, strict=True)]
    np.testing.assert_allclose(net.ntk(flipped), net.ntk(fs), rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(net.invariants(flipped), net.invariants(fs))
    np.testing.assert_allclose(
        net.end_to_end(flipped), math.prod(signs) * net.end_to_end(fs), rtol=1e-14, atol=0
    )


# --------------------------------------------------------------------------- multilinearity


@given(architectures(), seeds)
@with_large_examples
def test_pi_is_multilinear(net, seed):
    rng, fs = _random_point(net, seed)
    c = rng.uniform(-3, 3, net.n_layers)
    scaled = [ci * f for ci, f in zip(c, fs, strict=True)]
    w = net.end_to_end(fs)
    np.testing.assert_allclose(
        net.end_to_end(scaled), np.prod(c) * w, rtol=1e-10, atol=1e-12 * np.max(np.abs(w))
    )
    # additivity in one layer
    layer = int(rng.integers(net.n_layers))
    extra = net.random_filters(rng)[layer]
    summed = [f + extra if l == layer else f for l, f in enumerate(fs)]
    other = [extra if l == layer else f for l, f in enumerate(fs)]
    np.testing.assert_allclose(
        net.end_to_end(summed), w + net.end_to_end(other), rtol=1e-10, atol=1e-10
    )


@given(architectures(), seeds)
@with_large_examples
def test_invariants_definition_and_rescaling(net, seed):
    rng, fs = _random_point(net, seed)
    sq = [float(np.sum(np.square(f))) for f in fs]
    delta = net.invariants(fs)
    assert delta.shape == (net.n_layers - 1,)
    np.testing.assert_allclose(
        delta, [sq[l + 1] - sq[l] for l in range(net.n_layers - 1)], rtol=1e-13, atol=1e-13
    )
    # under w_l -> c_l w_l: delta_l -> c_{l+1}^2 ||w_{l+1}||^2 - c_l^2 ||w_l||^2
    c = rng.uniform(0.2, 3, net.n_layers) * rng.choice([-1, 1], net.n_layers)
    scaled = [ci * f for ci, f in zip(c, fs, strict=True)]
    predicted = [c[l + 1] ** 2 * sq[l + 1] - c[l] ** 2 * sq[l] for l in range(net.n_layers - 1)]
    np.testing.assert_allclose(net.invariants(scaled), predicted, rtol=1e-12, atol=1e-12)
