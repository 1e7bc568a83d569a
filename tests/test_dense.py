"""Fully connected linear networks: NTK (eq. 7), invariants (eq. 5), balanced flow (eq. 6),
Ex. 20 and Thm 14, checked against independent oracles."""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given
from hypothesis import strategies as st

from lcnn_widgets.dense import (
    FCN,
    balanced_factorization,
    balanced_flow,
    balanced_velocity,
    dense_loss,
    dense_loss_gradient,
    example_20,
    gradient_flow_dense,
    identity_factorization,
    orthogonal_orbit,
    psd_power,
    random_orthogonal,
    rotation,
)

widths_strategy = st.lists(st.integers(1, 4), min_size=2, max_size=5)
E12 = np.array([[0.0, 1.0], [0.0, 0.0]])


def _max_diff(xs, ys):
    return max(float(np.max(np.abs(x - y))) for x, y in zip(xs, ys, strict=True))


def _fd_jacobian(f, theta, h=1e-6):
    cols = []
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        cols.append((f(theta + e) - f(theta - e)) / (2 * h))
    return np.stack(cols, axis=1)


# ---------------------------------------------------------------------- architecture, parameters
def test_architecture_properties():
    net = FCN([3, 4, 2])
    assert net.widths == (3, 4, 2)
    assert net.n_layers == 2
    assert net.weight_shapes == [(4, 3), (2, 4)]
    assert net.n_params == 12 + 8
    assert net.end_to_end_shape == (2, 3)
    assert net == FCN((3, 4, 2)) and hash(net) == hash(FCN((3, 4, 2)))
    assert net != FCN((3, 4, 3))
    assert "FCN(widths=(3, 4, 2))" == repr(net)


@given(widths=widths_strategy, seed=st.integers(0, 2**16))
def test_flatten_roundtrip_is_row_major(widths, seed):
    net = FCN(widths)
    ws = net.random_weights(np.random.default_rng(seed))
    theta = net.flatten(ws)
    assert theta.shape == (net.n_params,)
    assert _max_diff(net.unflatten(theta), ws) == 0.0
    # row-major inside each matrix: the first entries are the first row of W_1
    assert np.array_equal(theta[: ws[0].shape[1]], ws[0][0])


def test_product_is_layer_by_layer_application():
    rng = np.random.default_rng(0)
    net = FCN((3, 5, 2, 4))
    ws = net.random_weights(rng)
    x = rng.standard_normal(3)
    y = x
    for w in ws:
        y = w @ y
    assert np.allclose(net.product(ws) @ x, y, atol=1e-12)


def test_from_weights_reads_the_widths():
    ws = FCN((3, 5, 2)).random_weights(np.random.default_rng(1))
    assert FCN.from_weights(ws) == FCN((3, 5, 2))


# ---------------------------------------------------------------------- Jacobian and NTK
@given(widths=widths_strategy, seed=st.integers(0, 2**16))
def test_ntk_is_j_jt_and_psd(widths, seed):
    net = FCN(widths)
    ws = net.random_weights(np.random.default_rng(seed))
    J = net.jacobian(ws)
    theta = net.ntk(ws)
    assert J.shape == (widths[-1] * widths[0], net.n_params)
    assert np.allclose(theta, J @ J.T, atol=1e-10 * max(1.0, np.abs(theta).max()))
    assert np.allclose(theta, theta.T)
    assert np.linalg.eigvalsh(theta).min() > -1e-9 * max(1.0, np.abs(theta).max())


@pytest.mark.parametrize("widths", [(2, 3), (3, 2, 4), (2, 3, 1, 2), (1, 2, 2, 3, 1)])
def test_jacobian_equals_finite_differences(widths):
    net = FCN(widths)
    ws = net.random_weights(np.random.default_rng(3))
    fd = _fd_jacobian(lambda th: net.product(net.unflatten(th)).ravel(), net.flatten(ws))
    assert np.max(np.abs(net.jacobian(ws) - fd)) < 1e-7


@given(widths=widths_strategy, seed=st.integers(0, 2**16))
def test_ntk_apply_equals_matrix_on_row_major_vec(widths, seed):
    rng = np.random.default_rng(seed)
    net = FCN(widths)
    ws = net.random_weights(rng)
    Z = rng.standard_normal(net.end_to_end_shape)
    direct = net.ntk_apply(ws, Z)
    via_matrix = (net.ntk(ws) @ Z.ravel()).reshape(net.end_to_end_shape)
    assert np.allclose(direct, via_matrix, atol=1e-10 * max(1.0, np.abs(direct).max()))
    # and Theta(Z) = J J^T vec(Z): the velocity of W when theta moves along J^T vec(Z)
    assert np.allclose(direct.ravel(), net.jacobian(ws) @ (net.jacobian(ws).T @ Z.ravel()))


def test_layer_gradients_equal_finite_differences_of_the_loss():
    rng = np.random.default_rng(4)
    net = FCN((3, 4, 2))
    ws = net.random_weights(rng)
    X, Y = rng.standard_normal((3, 6)), rng.standard_normal((2, 6))

    def loss(th):
        return np.array([dense_loss(net.product(net.unflatten(th)), Y, X=X)])

    fd = _fd_jacobian(loss, net.flatten(ws))[0]
    grad = dense_loss_gradient(net.product(ws), Y, X=X)
    ours = np.concatenate([g.ravel() for g in net.layer_gradients(ws, grad)])
    assert np.max(np.abs(ours - fd)) < 1e-7


def test_dense_loss_gradient_equals_finite_differences():
    rng = np.random.default_rng(5)
    W, Y = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    fd = _fd_jacobian(lambda v: np.array([dense_loss(v.reshape(2, 3), Y)]), W.ravel())[0]
    assert np.max(np.abs(dense_loss_gradient(W, Y).ravel() - fd)) < 1e-8
    assert dense_loss(W, Y) == pytest.approx(0.5 * np.sum((W - Y) ** 2))


@pytest.mark.parametrize("widths", [(2, 3, 2), (3, 2, 4, 2), (2, 2)])
def test_invariant_jacobian_equals_central_differences(widths):
    net = FCN(widths)
    ws = net.random_weights(np.random.default_rng(18))

    def invariants(th):
        mats = net.invariants(net.unflatten(th))
        return np.concatenate([m.ravel() for m in mats]) if mats else np.zeros(0)

    # the invariants are quadratic: central differences with step 1 are exact up to round-off
    fd = _fd_jacobian(invariants, net.flatten(ws), h=1.0)
    ours = net.invariant_jacobian(ws)
    assert ours.shape == fd.shape
    assert np.max(np.abs(ours - fd), initial=0.0) < 1e-12


@pytest.mark.parametrize("d, n_layers", [(2, 2), (3, 2), (2, 4)])
def test_same_product_same_invariants_leaves_orthogonal_many_directions(d, n_layers):
    """ker J ∩ ker D(invariants) has dimension (L-1) d(d-1)/2 = dim O(d)^(L-1), balanced or not."""
    rng = np.random.default_rng(19)
    net = FCN((d,) * (n_layers + 1))
    for ws in (
        net.random_weights(rng),
        balanced_factorization(rng.standard_normal((d, d)), n_layers),
    ):
        stacked = np.vstack([net.jacobian(ws), net.invariant_jacobian(ws)])
        free = net.n_params - np.linalg.matrix_rank(stacked)
        assert free == (n_layers - 1) * d * (d - 1) // 2


# ---------------------------------------------------------------------- invariants along the flow
@pytest.mark.parametrize("widths", [(2, 3, 2), (3, 2, 4), (2, 3, 3, 2)])
def test_invariants_conserved_along_parameter_flow(widths):
    rng = np.random.default_rng(6)
    net = FCN(widths)
    ws = net.random_weights(rng, scale=0.8)
    X = rng.standard_normal((widths[0], 5))
    Y = rng.standard_normal((widths[-1], 5))
    res = gradient_flow_dense(ws, X, Y, np.linspace(0.0, 3.0, 7))
    start = net.invariants([w[0] for w in res.weights])
    size = max(float(np.abs(d).max()) for d in start)
    assert size > 0.1  # a genuinely unbalanced start
    for k in range(1, res.t.size):
        now = net.invariants(res.weights_at(k))
        assert _max_diff(now, start) / size < 1e-9
    assert res.loss[-1] < res.loss[0]
    assert np.all(np.diff(res.loss) <= 1e-12)
    # the stored products are the products of the stored weights
    assert np.allclose(res.W[-1], net.product([w[-1] for w in res.weights]))


# ---------------------------------------------------------------------- Thm 14 and the orbit
@pytest.mark.parametrize(
    "shape, n_layers, widths",
    [
        ((2, 2), 2, None),
        ((3, 3), 3, None),
        ((2, 3), 3, None),
        ((3, 2), 2, (2, 4, 3)),
        ((2, 2), 4, (2, 3, 2, 4, 2)),
    ],
)
def test_orbit_keeps_product_balance_and_ntk(shape, n_layers, widths):
    rng = np.random.default_rng(7)
    W = rng.standard_normal(shape)
    ws = balanced_factorization(W, n_layers, widths=widths)
    net = FCN.from_weights(ws)
    assert net.is_balanced(ws)
    for _ in range(3):
        Us = [random_orthogonal(d, rng) for d in net.widths[1:-1]]
        moved = orthogonal_orbit(ws, Us)
        assert np.allclose(net.product(moved), W, atol=1e-12)
        assert net.is_balanced(moved)
        assert np.allclose(net.ntk(moved), net.ntk(ws), atol=1e-12)
        assert _max_diff(moved, ws) > 1e-3  # it really moved


def test_orbit_conjugates_invariants_of_unbalanced_weights():
    rng = np.random.default_rng(8)
    net = FCN((2, 3, 3, 2))
    ws = net.random_weights(rng)
    Us = [random_orthogonal(3, rng), random_orthogonal(3, rng)]
    moved = orthogonal_orbit(ws, Us)
    for U, before, after in zip(Us, net.invariants(ws), net.invariants(moved), strict=True):
        assert np.allclose(after, U @ before @ U.T)
    assert np.allclose(net.ntk(moved), net.ntk(ws))


def test_thm14_balanced_weights_with_the_same_product_are_on_the_orbit():
    """Independent balanced weights (the end of a balanced flow) vs. the SVD factorization."""
    rng = np.random.default_rng(9)
    L, d = 3, 3
    start = orthogonal_orbit(
        balanced_factorization(rng.standard_normal((d, d)), L),
        [random_orthogonal(d, rng) for _ in range(L - 1)],
    )
    res = gradient_flow_dense(start, None, rng.standard_normal((d, d)), [0.0, 1.0])
    other = [w[-1] for w in res.weights]
    net = FCN.from_weights(other)
    assert net.is_balanced(other, tol=1e-8)
    ours = balanced_factorization(res.W[-1], L)
    # solve other_j = U_j ours_j U_{j-1}^T for U_1, ..., U_{L-1}
    Us, prev = [], np.eye(d)
    for j in range(L - 1):
        U = other[j] @ prev @ np.linalg.inv(ours[j])
        Us.append(U)
        prev = U
    for U in Us:
        assert np.allclose(U.T @ U, np.eye(d), atol=1e-7)
    assert np.allclose(other[-1], ours[-1] @ Us[-1].T, atol=1e-7)


def test_same_product_same_invariant_family_changes_ntk():
    rng = np.random.default_rng(10)
    net = FCN((3, 3, 3))
    A = rng.standard_normal((3, 3)) + 2 * np.eye(3)
    base = identity_factorization(A)
    for _ in range(3):
        Q = random_orthogonal(3, rng)
        other = identity_factorization(A, Q)
        assert np.allclose(net.product(other), np.eye(3), atol=1e-12)
        assert _max_diff(net.invariants(other), net.invariants(base)) < 1e-10
        assert not net.is_balanced(other)
        assert np.max(np.abs(net.ntk(other) - net.ntk(base))) > 1e-2
    # with A orthogonal the family is balanced and the NTK is 2 Id
    Aq = random_orthogonal(3, rng)
    for phi in (0.0, 1.0):
        ws = identity_factorization(Aq, scipy.linalg.block_diag(rotation(phi), 1.0))
        assert net.is_balanced(ws)
        assert np.allclose(net.ntk(ws), 2 * np.eye(9))


# ---------------------------------------------------------------------- Ex. 20 (MATH.md numbers)
def test_example_20_numbers():
    ex = example_20()
    net = FCN((2, 2, 2))
    assert np.array_equal(ex.A, np.diag([2.0, 0.5]))
    assert np.array_equal(ex.second[0], [[0.0, 2.0], [0.5, 0.0]])
    assert np.array_equal(ex.second[1], [[0.0, 2.0], [0.5, 0.0]])
    for ws in (ex.first, ex.second):
        assert np.allclose(net.product(ws), np.eye(2))
        (inv,) = net.invariants(ws)
        assert np.allclose(inv, np.diag([-15 / 4, 15 / 4]))
    assert np.allclose(net.ntk_apply(ex.first, E12), 0.5 * E12)
    assert np.allclose(net.ntk_apply(ex.second, E12), 8 * E12)


def test_balanced_factorizations_of_identity_have_ntk_twice_identity():
    rng = np.random.default_rng(11)
    net = FCN((2, 2, 2))
    for _ in range(3):
        U = random_orthogonal(2, rng)
        ws = [U, U.T]
        assert net.is_balanced(ws)
        Z = rng.standard_normal((2, 2))
        assert np.allclose(net.ntk_apply(ws, Z), 2 * Z)


# ---------------------------------------------------------------------- balanced flow (eq. 6)
@pytest.mark.parametrize(
    "shape, n_layers, widths, with_inputs",
    [
        ((2, 2), 2, None, False),
        ((3, 3), 3, None, True),
        ((2, 3), 3, None, False),
        ((3, 2), 2, (2, 4, 3), True),
        ((2, 2), 4, None, False),
    ],
)
def test_balanced_flow_equals_parameter_flow(shape, n_layers, widths, with_inputs):
    rng = np.random.default_rng(12)
    W0 = rng.standard_normal(shape)
    m, n = shape
    X = rng.standard_normal((n, 6)) if with_inputs else None
    Y = rng.standard_normal((m, 6) if with_inputs else shape)
    start = balanced_factorization(W0, n_layers, widths=widths)
    Us = [random_orthogonal(d, rng) for d in FCN.from_weights(start).widths[1:-1]]
    start = orthogonal_orbit(start, Us)
    t = np.linspace(0.0, 1.5, 6)
    params = gradient_flow_dense(start, X, Y, t)
    funcs = balanced_flow(W0, n_layers, X, Y, t)
    assert funcs.weights is None
    assert np.max(np.abs(params.W - funcs.W)) < 1e-7
    assert np.allclose(params.loss, funcs.loss, atol=1e-7)
    assert np.ptp(params.W, axis=0).max() > 0.05  # the matrices really moved


def test_balanced_velocity_equals_minus_ntk_at_balanced_weights():
    rng = np.random.default_rng(13)
    for shape, L, widths in [((3, 3), 3, None), ((2, 4), 2, (4, 3, 2)), ((3, 2), 4, None)]:
        W = rng.standard_normal(shape)
        ws = balanced_factorization(W, L, widths=widths)
        G = rng.standard_normal(shape)
        net = FCN.from_weights(ws)
        assert np.allclose(balanced_velocity(W, G, L), -net.ntk_apply(ws, G), atol=1e-10)
    # not so for unbalanced weights (Ex. 20): the velocity of eq. 6 is -2 E12 at W = I
    ex = example_20()
    assert np.allclose(balanced_velocity(np.eye(2), E12, 2), -2 * E12)
    assert not np.allclose(FCN((2, 2, 2)).ntk_apply(ex.second, E12), 2 * E12)


# ---------------------------------------------------------------------- factorization, powers
@pytest.mark.parametrize(
    "shape, n_layers, widths",
    [((3, 3), 2, None), ((2, 4), 3, None), ((4, 2), 3, (2, 5, 3, 4)), ((3, 3), 1, None)],
)
def test_balanced_factorization_reproduces_w_and_is_balanced(shape, n_layers, widths):
    W = np.random.default_rng(14).standard_normal(shape)
    ws = balanced_factorization(W, n_layers, widths=widths)
    net = FCN.from_weights(ws)
    assert net.n_layers == n_layers
    if widths is not None:
        assert net.widths == widths
    assert np.allclose(net.product(ws), W, atol=1e-12)
    assert net.is_balanced(ws)
    # Arora et al.: at balanced weights W_L W_L^T = (W W^T)^{1/L} and W_1^T W_1 = (W^T W)^{1/L}
    p = 1.0 / n_layers
    outer = np.real(scipy.linalg.fractional_matrix_power(W @ W.T, p))
    if np.linalg.matrix_rank(W @ W.T) == shape[0]:
        assert np.allclose(ws[-1] @ ws[-1].T, outer, atol=1e-8)
    inner = np.real(scipy.linalg.fractional_matrix_power(W.T @ W, p))
    if np.linalg.matrix_rank(W.T @ W) == shape[1]:
        assert np.allclose(ws[0].T @ ws[0], inner, atol=1e-8)


def test_balanced_factorization_of_a_low_rank_matrix_through_a_narrow_layer():
    rng = np.random.default_rng(15)
    W = rng.standard_normal((4, 1)) @ rng.standard_normal((1, 3))  # rank 1
    ws = balanced_factorization(W, 3, widths=(3, 1, 2, 4))
    net = FCN((3, 1, 2, 4))
    assert np.allclose(net.product(ws), W, atol=1e-12)
    assert net.is_balanced(ws)


def test_psd_power_matches_scipy():
    rng = np.random.default_rng(16)
    M = rng.standard_normal((4, 4))
    S = M @ M.T
    assert np.allclose(psd_power(S, 0.5), scipy.linalg.sqrtm(S), atol=1e-10)
    assert np.allclose(
        psd_power(S, 2 / 3), np.real(scipy.linalg.fractional_matrix_power(S, 2 / 3)), atol=1e-9
    )
    assert np.allclose(psd_power(S, 0), np.eye(4))
    singular = np.diag([2.0, 0.0])
    assert np.allclose(psd_power(singular, 0.5), np.diag([np.sqrt(2.0), 0.0]))
    assert np.allclose(psd_power(singular, 0), np.eye(2))


def test_random_orthogonal_and_rotation():
    rng = np.random.default_rng(17)
    for d in (1, 2, 5):
        U = random_orthogonal(d, rng)
        assert np.allclose(U.T @ U, np.eye(d))
    R = rotation(0.7)
    assert np.allclose(R.T @ R, np.eye(2)) and np.isclose(np.linalg.det(R), 1.0)
    assert np.allclose(rotation(0.3) @ rotation(0.4), R)


# ---------------------------------------------------------------------- error paths
def test_bad_widths():
    with pytest.raises(ValueError, match="at least two entries"):
        FCN((3,))
    with pytest.raises(ValueError, match=r"widths\[1\] must be a positive integer"):
        FCN((3, 0, 2))
    with pytest.raises(TypeError, match=r"widths\[1\] must be a positive integer"):
        FCN((3, 2.5))
    with pytest.raises(TypeError, match="widths must be a sequence"):
        FCN("32")
    with pytest.raises(TypeError, match="widths must be a sequence"):
        FCN(3)


def test_bad_weights():
    net = FCN((2, 3, 2))
    good = net.random_weights(np.random.default_rng(0))
    with pytest.raises(ValueError, match="one matrix per layer: got 1 matrices for 2 layers"):
        net.product(good[:1])
    with pytest.raises(ValueError, match=r"weights\[1\] \(layer 2\) must have shape \(2, 3\)"):
        net.product([good[0], np.ones((3, 2))])
    with pytest.raises(ValueError, match=r"weights\[0\] must be finite"):
        net.ntk([np.full((3, 2), np.nan), good[1]])
    with pytest.raises(TypeError, match="one flat array"):
        net.jacobian(net.flatten(good))
    with pytest.raises(TypeError, match="must hold real numbers"):
        net.invariants([good[0], np.ones((2, 3), dtype=complex)])
    with pytest.raises(ValueError, match="theta must have n_params = 12 entries: got 5"):
        net.unflatten(np.ones(5))
    with pytest.raises(ValueError, match=r"Z must have the shape \(2, 2\)"):
        net.ntk_apply(good, np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"grad must have the shape \(2, 2\)"):
        net.layer_gradients(good, np.ones(3).reshape(1, 3))
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        net.random_weights(0)
    with pytest.raises(ValueError, match=r"weights\[1\] must have 4 columns"):
        FCN.from_weights([np.ones((4, 2)), np.ones((2, 3))])


def test_bad_orbit_and_factorization_input():
    ws = [np.eye(2), np.eye(2)]
    with pytest.raises(ValueError, match="one orthogonal matrix per hidden layer: got 2"):
        orthogonal_orbit(ws, [np.eye(2), np.eye(2)])
    with pytest.raises(ValueError, match=r"Us\[0\] must be orthogonal"):
        orthogonal_orbit(ws, [2 * np.eye(2)])
    with pytest.raises(ValueError, match=r"Us\[0\] must have shape \(2, 2\)"):
        orthogonal_orbit(ws, [np.eye(3)])
    with pytest.raises(ValueError, match=r"Us\[0\] must be finite"):
        orthogonal_orbit(ws, [np.full((2, 2), np.nan)])
    with pytest.raises(ValueError, match=r"at least rank\(W\) = 3"):
        balanced_factorization(np.eye(3), 2, widths=(3, 2, 3))
    with pytest.raises(ValueError, match="must start with d_0 = 3"):
        balanced_factorization(np.ones((2, 3)), 2, widths=(2, 2, 3))
    with pytest.raises(ValueError, match="n_layers \\+ 1 = 3 entries"):
        balanced_factorization(np.eye(2), 2, widths=(2, 2, 2, 2))
    with pytest.raises(ValueError, match="n_layers must be a positive integer"):
        balanced_factorization(np.eye(2), 0)
    with pytest.raises(ValueError, match="W must be finite"):
        balanced_factorization(np.array([[1.0, np.inf], [0.0, 1.0]]), 2)
    with pytest.raises(ValueError, match="A must be invertible"):
        identity_factorization(np.diag([1.0, 0.0]))
    with pytest.raises(ValueError, match="A must be a square matrix"):
        identity_factorization(np.ones((2, 3)))
    with pytest.raises(ValueError, match="Q must be orthogonal"):
        identity_factorization(np.eye(2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="p must be >= 0"):
        psd_power(np.eye(2), -0.5)
    with pytest.raises(ValueError, match="S must be symmetric"):
        psd_power(np.array([[1.0, 2.0], [0.0, 1.0]]), 0.5)
    with pytest.raises(ValueError, match="d must be a positive integer"):
        random_orthogonal(0, np.random.default_rng(0))


def test_bad_flow_input():
    ws = [np.eye(2), np.eye(2)]
    with pytest.raises(ValueError, match="t_eval must start at time 0"):
        gradient_flow_dense(ws, None, np.eye(2), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"Y must have the shape \(2, 2\)"):
        gradient_flow_dense(ws, None, np.eye(3), [0.0, 1.0])
    with pytest.raises(ValueError, match=r"X must have shape \(2, N\)"):
        balanced_flow(np.eye(2), 2, np.ones((3, 4)), np.ones((2, 4)), [0.0, 1.0])
    with pytest.raises(ValueError, match=r"Y must have shape \(2, 4\)"):
        balanced_flow(np.eye(2), 2, np.ones((2, 4)), np.ones((2, 5)), [0.0, 1.0])
    with pytest.raises(ValueError, match="function-space flow: it stores W"):
        balanced_flow(np.eye(2), 2, None, np.eye(2), [0.0, 0.1]).weights_at(0)
    with pytest.raises(ValueError, match="W0 must be finite"):
        balanced_flow(np.array([[np.nan]]), 2, None, [[1.0]], [0.0, 1.0])
    with pytest.raises(ValueError, match=r"grad must have the shape \(2, 2\) of W"):
        balanced_velocity(np.eye(2), np.ones((2, 3)), 2)


@pytest.mark.parametrize("widths", [(1, 1, 1), (3, 2, 4), (2, 3, 3, 2), (4, 1, 2, 3, 2)])
def test_unchecked_kernel_equals_the_checked_methods(widths):
    """dense.split/pi/jacobian/invariants/invariant_jacobian on a flat theta (no checking) give
    exactly what the FCN methods give on the weight matrices, as lcn.py's kernel does for LCN."""
    from lcnn_widgets import dense

    net = FCN(widths)
    ws = net.random_weights(np.random.default_rng(len(widths)))
    theta = net.flatten(ws)
    assert all(np.array_equal(a, b) for a, b in zip(dense.split(net, theta), ws, strict=True))
    assert np.array_equal(dense.pi(net, theta), net.end_to_end(ws))
    assert np.array_equal(dense.jacobian(net, theta), net.jacobian(ws))
    assert np.array_equal(dense.invariant_jacobian(net, theta), net.invariant_jacobian(ws))
    for a, b in zip(dense.invariants(net, theta), net.invariants(ws), strict=True):
        assert np.array_equal(a, b)
