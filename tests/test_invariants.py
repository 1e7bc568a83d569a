"""Tests for lcnn_widgets.invariants: the conservation law, the scaling orbit, the rescaling."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lcnn_widgets import LCN
from lcnn_widgets.fibers import rescaling_factors
from lcnn_widgets.invariants import (
    layer_pairings,
    min_first_norm,
    orbit_invariants,
    orbit_log_product,
    orbit_norms,
    scale_filters,
    two_layer_rescaling,
)

NET = LCN([3, 2], [2, 1])
FS = [np.array([1.0, -2.0, 0.5]), np.array([0.3, 1.2])]


@st.composite
def architectures(draw):
    """Random 1D or 2D architectures with 1 to 3 layers."""
    n_layers = draw(st.integers(1, 3))
    dim = draw(st.sampled_from([1, 2]))
    if dim == 1:
        sizes = [draw(st.integers(1, 3)) for _ in range(n_layers)]
        strides = [draw(st.integers(1, 3)) for _ in range(n_layers)]
    else:
        sizes = [(draw(st.integers(1, 3)), draw(st.integers(1, 2))) for _ in range(n_layers)]
        strides = [(draw(st.integers(1, 2)), draw(st.integers(1, 2))) for _ in range(n_layers)]
    return LCN(sizes, strides)


def _fd_gradient(net, fs, loss, h=1e-6):
    """Central finite differences of ``loss(pi(theta))`` with respect to every parameter."""
    theta = net.flatten(fs)
    grad = np.zeros_like(theta)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        plus = loss(net.end_to_end(net.unflatten(theta + e)))
        minus = loss(net.end_to_end(net.unflatten(theta - e)))
        grad[i] = (plus - minus) / (2 * h)
    return grad


# ---------------------------------------------------------------- layer pairings (eq. 1)
@given(architectures(), st.integers(0, 10_000))
def test_pairings_equal_finite_difference_pairings_and_euler(net, seed):
    rng = np.random.default_rng(seed)
    fs = net.random_filters(rng)
    u = rng.standard_normal(net.end_to_end_shape)

    def loss(w):  # a non-quadratic smooth loss on filter space
        return float(np.sum((w - u) ** 2) / 2 + np.sum(np.sin(w)))

    w = net.end_to_end(fs)
    grad = (w - u) + np.cos(w)
    p = layer_pairings(net, fs, grad)
    # oracle 1: <w_l, dL/dw_l> from finite differences of the loss, block by block
    fd = _fd_gradient(net, fs, loss) * net.flatten(fs)
    starts = np.concatenate([[0], np.cumsum([f.size for f in fs])])
    fd_pairings = [fd[a:b].sum() for a, b in itertools.pairwise(starts)]
    scale = 1 + np.abs(p).max()
    assert np.allclose(p, fd_pairings, atol=1e-6 * scale)
    # oracle 2: Euler's identity, every pairing equals <grad, pi(theta)>
    assert np.allclose(p, np.sum(grad * w), atol=1e-12 * scale)


def test_pairings_rejects_wrong_grad_shape():
    with pytest.raises(ValueError, match=r"grad must have the shape \(5,\).*got shape \(4,\)"):
        layer_pairings(NET, FS, np.zeros(4))
    with pytest.raises(TypeError, match="grad must hold real numbers"):
        layer_pairings(NET, FS, ["a"] * 5)
    with pytest.raises(ValueError, match=r"filters\[1\] must have shape 2"):
        layer_pairings(NET, [FS[0], [1.0]], np.zeros(5))


# ---------------------------------------------------------------- the scaling orbit
@given(architectures(), st.integers(0, 10_000))
def test_orbit_points_keep_end_to_end_and_match_invariants(net, seed):
    rng = np.random.default_rng(seed)
    fs = net.random_filters(rng)
    c = rng.uniform(0.3, 3.0, size=(4, net.n_layers)) * rng.choice([-1, 1], (4, net.n_layers))
    c[:, -1] = 1 / np.prod(c[:, :-1], axis=1)
    deltas = orbit_invariants(net, fs, c)
    norms = orbit_norms(net, fs, c)
    assert deltas.shape == (4, net.n_layers - 1) and norms.shape == (4, net.n_layers)
    w = net.end_to_end(fs)
    for row, d_row, n_row in zip(c, deltas, norms, strict=True):
        scaled = scale_filters(net, fs, row)
        assert np.allclose(net.end_to_end(scaled), w, atol=1e-12 * (1 + np.abs(w).max()))
        assert np.allclose(net.invariants(scaled), d_row, atol=1e-12 * (1 + n_row.max()))
        assert np.allclose([np.sum(f**2) for f in scaled], n_row)
    # the product of the squared norms is the same everywhere on the orbit
    assert np.allclose(np.prod(norms, axis=1), np.prod(norms[0]), rtol=1e-12)


def test_two_layer_orbit_invariant_strictly_decreasing():
    c = np.geomspace(1e-3, 1e3, 500)
    d = orbit_invariants(NET, FS, np.column_stack([c, 1 / c]))[:, 0]
    assert np.all(np.diff(d) < 0)
    # ends: ||w_2||^2 / c^2 dominates on the left, -c^2 ||w_1||^2 on the right
    assert d[0] > 1e5 and d[-1] < -1e5


def test_scale_filters_does_not_mutate_input():
    fs = [f.copy() for f in FS]
    scale_filters(NET, fs, [2.0, 0.5])
    assert all(np.array_equal(a, b) for a, b in zip(fs, FS, strict=True))


def test_orbit_errors():
    with pytest.raises(ValueError, match=r"factors must multiply to 1.*differs from 1 by 0\.5"):
        scale_filters(NET, FS, [1.5, 1.0])
    with pytest.raises(ValueError, match=r"factors must have n_layers = 2 entries.*\(3,\)"):
        orbit_norms(NET, FS, [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"factors must have shape \(2,\): got shape \(2, 2\)"):
        scale_filters(NET, FS, [[1.0, 1.0], [2.0, 0.5]])
    with pytest.raises(ValueError, match="factors must be finite"):
        orbit_invariants(NET, FS, [np.nan, 1.0])


# ---------------------------------------------------------------- the rescaling equation
def test_min_first_norm_hand_examples():
    # offsets (0, -3, -2): a_2 = a_1 - 3 must be positive
    assert min_first_norm([-3.0, 1.0]) == 3.0
    assert min_first_norm([1.0, 2.0]) == 0.0
    assert min_first_norm([]) == 0.0


@given(st.integers(1, 4), st.integers(0, 10_000))
def test_log_product_monotone_with_root_at_rescaled_point(n_layers, seed):
    rng = np.random.default_rng(seed)
    n2 = rng.uniform(0.1, 5.0, n_layers)
    delta = rng.uniform(-3.0, 3.0, n_layers - 1)
    lo = min_first_norm(delta)
    a1 = lo + np.geomspace(1e-9, 1e3, 400)
    h = orbit_log_product(a1, n2, delta)
    assert np.all(np.diff(h) > 0)
    assert orbit_log_product(lo, n2, delta) == -np.inf
    # the root is the first squared norm of the rescaled filters (brentq in fibers.py)
    c = rescaling_factors(n2, delta)
    assert abs(orbit_log_product(c[0] ** 2 * n2[0], n2, delta)) < 1e-12
    # and h = log (prod c_l)^2 for any a_1 (here: c_l^2 = a_l / ||w_l||^2)
    a = a1[7] + np.concatenate([[0.0], np.cumsum(delta)])
    assert np.isclose(h[7], np.log(np.prod(a / n2)))


def test_log_product_left_of_domain_is_nan():
    assert np.isnan(orbit_log_product(1.0, [1.0, 1.0, 1.0], [-2.0, 0.5]))
    assert orbit_log_product(2.0, [1.0, 1.0, 1.0], [-2.0, 0.5]) == -np.inf


def test_log_product_errors():
    with pytest.raises(
        ValueError, match=r"delta must have n_layers - 1 = 1 entries: got shape \(2,\)"
    ):
        orbit_log_product(1.0, [1.0, 2.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="norms_sq must be positive"):
        orbit_log_product(1.0, [0.0, 2.0], [0.0])


# ---------------------------------------------------------------- two layers in closed form
@given(st.floats(1e-3, 1e3), st.floats(1e-3, 1e3), st.floats(-1e4, 1e4))
def test_two_layer_closed_form_matches_brentq(n1, n2, delta):
    c = two_layer_rescaling([n1, n2], delta)
    assert c[0] > 0 and np.isclose(c[0] * c[1], 1.0, rtol=1e-15)
    a1, a2 = c[0] ** 2 * n1, c[1] ** 2 * n2
    assert abs((a2 - a1) - delta) <= 1e-12 * max(1.0, a1, a2)
    assert np.allclose(c, rescaling_factors([n1, n2], [delta]), rtol=1e-10)


def test_two_layer_closed_form_ex17_numbers():
    # MATH.md Ex. 17 at w = (2, 1, 3, -1, -5): u = gamma (2, 1, 5), v = (1, -1) / gamma,
    # gamma^2 = 1/2 gives Theta_{1,3} = v_0 v_1 = -2; the invariant there is
    # ||v||^2 - ||u||^2 = 2 / gamma^2 - 30 gamma^2 = 4 - 15 = -11.
    u, v = np.array([2.0, 1.0, 5.0]), np.array([1.0, -1.0])
    c = two_layer_rescaling([u @ u, v @ v], -11.0)
    v_new = c[1] * v
    assert np.isclose(c[0] ** 2, 0.5) and np.isclose(v_new[0] * v_new[1], -2.0)
    net = LCN([3, 2], [2, 1])
    assert np.allclose(net.end_to_end([c[0] * u, v_new]), [2, 1, 3, -1, -5])


def test_two_layer_errors():
    with pytest.raises(ValueError, match="norms_sq must have 2 entries"):
        two_layer_rescaling([1.0, 1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="norms_sq must be positive"):
        two_layer_rescaling([1.0, 0.0], 0.0)
    with pytest.raises(ValueError, match=r"delta must be a single number.*\(2,\)"):
        two_layer_rescaling([1.0, 1.0], [0.0, 1.0])
