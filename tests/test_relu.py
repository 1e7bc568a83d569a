"""Shallow ReLU networks (paper Sec. 5): Jacobians, NTKs, conserved quantities along flows,
the linear region, CNN identifiability and the MLP counterexample, against independent oracles
(finite differences, the linear networks of lcn.py and dense.py, formulas derived by hand)."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lcnn_widgets import LCN, conv
from lcnn_widgets.dense import FCN, example_20
from lcnn_widgets.fibers import rescale
from lcnn_widgets.relu import (
    ActivationRegions,
    ReLUCNN,
    ReLUMLP,
    activation_regions,
    compare_parametrizations,
    relu,
)

# ------------------------------------------------------------------------------ helpers
sizes_1d = st.tuples(st.integers(1, 4), st.integers(1, 3))
strides_1d = st.tuples(st.integers(1, 3), st.integers(1, 3))


@st.composite
def cnn_cases(draw):
    """A random shallow CNN (1D or 2D), filters and a batch of inputs."""
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    if draw(st.booleans()):
        sizes, strides = list(draw(sizes_1d)), list(draw(strides_1d))
    else:
        sizes = [draw(st.tuples(st.integers(1, 3), st.integers(1, 3))) for _ in range(2)]
        strides = [draw(st.tuples(st.integers(1, 2), st.integers(1, 2))) for _ in range(2)]
    net = ReLUCNN(sizes, strides)
    fs = net.linear.random_filters(rng)
    k = net.linear.end_to_end_shape
    n = tuple(a + draw(st.integers(0, 3)) for a in k)
    X = rng.standard_normal((draw(st.integers(1, 3)), *n))
    return net, fs, X


def _fd_jacobian(model, params, X, h=1e-6):
    theta = model.flatten(params)
    cols = []
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        plus = model.forward(model.unflatten(theta + e), X).ravel()
        minus = model.forward(model.unflatten(theta - e), X).ravel()
        cols.append((plus - minus) / (2 * h))
    return np.stack(cols, axis=1)


def _patches(X, k, S):
    """Patch matrix of a 1D batch: row (i, r) = x_i[r S : r S + k] (oracle, written out)."""
    rows = []
    for x in X:
        m = (x.size - k) // S + 1
        rows += [x[r * S : r * S + k] for r in range(m)]
    return np.array(rows)


# ------------------------------------------------------------------------------ architecture
def test_architecture_is_shared_with_the_linear_network():
    net = ReLUCNN([3, 2], [2, 1])
    assert net.linear == LCN([3, 2], [2, 1])
    assert net.filter_sizes == [3, 2] and net.strides == [2, 1]
    assert net.n_params == 5 and net.end_to_end_size == 5 and net.stride == 2 and net.dim == 1
    assert repr(net) == "ReLUCNN(filter_sizes=[3, 2], strides=[2, 1])"
    mlp = ReLUMLP([3, 4, 2])
    assert mlp.widths == (3, 4, 2) and mlp.weight_shapes == [(4, 3), (2, 4)]
    assert mlp.n_params == 20 and repr(mlp) == "ReLUMLP(widths=[3, 4, 2])"


def test_relu_function():
    assert relu([-2.0, 0.0, 3.0]).tolist() == [0.0, 0.0, 3.0]


def test_forward_by_hand():
    # h = conv((1, -1), 2, x) = (3 - 1, 0 - 2) = (2, -2); relu -> (2, 0); conv((1, 1)) -> 2
    net = ReLUCNN([2, 2], [2, 1])
    assert net.forward([[1, -1], [1, 1]], [[3, 1, 0, 2, 5]]).tolist() == [[2.0]]
    assert net.activation_pattern([[1, -1], [1, 1]], [[3, 1, 0, 2, 5]]).tolist() == [[True, False]]
    mlp = ReLUMLP([2, 2, 1])
    # W1 x = (2, -3) -> relu (2, 0) -> 1*2 + 1*0
    assert mlp.forward([[[1, 0], [0, -1]], [[1, 1]]], [[2.0, 3.0]]).tolist() == [[2.0]]


@given(case=cnn_cases())
def test_forward_layer_by_layer(case):
    """Oracle: LCN's conv applied per input, with the ReLU in between."""
    net, (w1, w2), X = case
    s1, s2 = net.strides
    expected = np.stack([conv(w2, s2, np.maximum(conv(w1, s1, x), 0)) for x in X])
    assert np.allclose(net.forward([w1, w2], X), expected, atol=1e-12)
    assert (
        net.forward([w1, w2], X).shape[1:]
        == conv(net.linear.end_to_end([w1, w2]), net.stride, X[0]).shape
    )


# ------------------------------------------------------------------------------ Jacobians, NTK
@given(case=cnn_cases())
def test_cnn_jacobian_matches_finite_differences(case):
    net, fs, X = case
    assume(np.min(np.abs(net.preactivations(fs, X))) > 1e-3)  # away from the kinks
    J = net.jacobian(fs, X)
    assert J.shape == (net.forward(fs, X).size, net.n_params)
    assert np.allclose(J, _fd_jacobian(net, fs, X), atol=1e-6)


@given(
    widths=st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 3)),
    seed=st.integers(0, 2**16),
)
def test_mlp_jacobian_matches_finite_differences(widths, seed):
    rng = np.random.default_rng(seed)
    mlp = ReLUMLP(widths)
    ws = [rng.standard_normal(s) for s in mlp.weight_shapes]
    X = rng.standard_normal((3, widths[0]))
    assume(np.min(np.abs(mlp.preactivations(ws, X))) > 1e-3)
    assert np.allclose(mlp.jacobian(ws, X), _fd_jacobian(mlp, ws, X), atol=1e-6)


@given(case=cnn_cases())
def test_euler_identity_gives_the_conservation_law(case):
    """<w_1, df/dw_1> = f = <w_2, df/dw_2> at every point, kinks included (relu'(h) h = relu(h)).

    This is why d/dt (||w_2||^2 - ||w_1||^2) = -2/N r.(J_2 w_2 - J_1 w_1) = 0 for any loss.
    """
    net, (w1, w2), X = case
    J = net.jacobian([w1, w2], X)
    F = net.forward([w1, w2], X).ravel()
    k1 = w1.size
    assert np.allclose(J[:, :k1] @ w1.ravel(), F, atol=1e-10)
    assert np.allclose(J[:, k1:] @ w2.ravel(), F, atol=1e-10)


def test_mlp_euler_identity_per_neuron():
    rng = np.random.default_rng(3)
    mlp = ReLUMLP([3, 4, 2])
    W1, W2 = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    X = rng.standard_normal((5, 3))
    J = mlp.jacobian([W1, W2], X)
    J1 = J[:, :12].reshape(-1, 4, 3)
    J2 = J[:, 12:].reshape(-1, 2, 4)
    # neuron j: sum_p W1[j, p] df/dW1[j, p] = sum_a W2[a, j] df/dW2[a, j] (its share of f)
    lhs = np.einsum("njp,jp->nj", J1, W1)
    rhs = np.einsum("naj,aj->nj", J2, W2)
    assert np.allclose(lhs, rhs, atol=1e-12)
    assert np.allclose(lhs.sum(axis=1), mlp.forward([W1, W2], X).ravel())


@given(case=cnn_cases())
def test_ntk_is_symmetric_psd(case):
    net, fs, X = case
    K = net.ntk(fs, X)
    assert np.allclose(K, K.T)
    assert np.min(np.linalg.eigvalsh(K)) > -1e-9 * max(1.0, np.max(np.abs(K)))


@pytest.mark.parametrize("sizes,strides", [([3, 2], [2, 1]), ([2, 3], [1, 2]), ([4, 2], [3, 2])])
def test_cnn_ntk_in_the_linear_region_is_the_linear_ntk(sizes, strides):
    """All units active: J = P J_lin, so J J^T = P Theta P^T with LCN's filter-space NTK."""
    rng = np.random.default_rng(1)
    net = ReLUCNN(sizes, strides)
    fs = net.linear.random_filters(rng)
    X = net.positive_inputs(fs, rng, n_inputs=3)
    P = _patches(X, net.end_to_end_size, net.stride)
    assert np.allclose(net.ntk(fs, X), P @ net.linear.ntk(fs) @ P.T)


def test_mlp_ntk_in_the_linear_region_is_the_linear_ntk():
    """All units active: f(x_i) = W x_i, so K = M Theta_FCN M^T with M rows kron(e_a, x_i)."""
    rng = np.random.default_rng(2)
    mlp = ReLUMLP([3, 4, 2])
    W1 = rng.uniform(0.1, 1.0, (4, 3))
    W2 = rng.standard_normal((2, 4))
    X = rng.uniform(0.1, 1.0, (4, 3))
    assert mlp.activation_pattern([W1, W2], X).all()
    M = np.vstack([np.kron(np.eye(2)[a], x) for x in X for a in range(2)])
    assert np.allclose(mlp.ntk([W1, W2], X), M @ FCN((3, 4, 2)).ntk([W1, W2]) @ M.T)


# ------------------------------------------------------------------------------ linear region
@given(case=cnn_cases())
def test_positive_inputs_make_the_network_linear(case):
    """Positive first-layer output => f = conv(pi(theta), S, x) = LCN.forward."""
    net, fs, X0 = case
    rng = np.random.default_rng(0)
    X = net.positive_inputs(fs, rng, n_inputs=3, input_size=X0.shape[1:])
    assert X.shape == (3, *X0.shape[1:])
    assert net.activation_pattern(fs, X).all()
    assert np.min(net.preactivations(fs, X)) >= 0.5 - 1e-9
    w = net.linear.end_to_end(fs)
    F = net.forward(fs, X)
    for x, f in zip(X, F, strict=True):
        assert np.allclose(f, conv(w, net.stride, x), atol=1e-9)
        assert np.allclose(f, net.linear.forward(fs, x), atol=1e-9)


@given(case=cnn_cases())
def test_odd_part_is_the_linear_network(case):
    """relu(h) - relu(-h) = h: f(x) - f(-x) = conv(pi(theta), S, x) for every x."""
    net, fs, X = case
    w = net.linear.end_to_end(fs)
    odd = net.forward(fs, X) - net.forward(fs, -X)
    assert np.allclose(odd, np.stack([conv(w, net.stride, x) for x in X]), atol=1e-10)


@given(case=cnn_cases())
def test_sign_flip_changes_f_by_the_absolute_value(case):
    """f_theta(x) - f_{-theta}(x) = conv(w_2, s_2, |conv(w_1, s_1, x)|) (same pi, same delta)."""
    net, (w1, w2), X = case
    s1, s2 = net.strides
    gap = net.forward([w1, w2], X) - net.forward([-w1, -w2], X)
    expected = np.stack([conv(w2, s2, np.abs(conv(w1, s1, x))) for x in X])
    assert np.allclose(gap, expected, atol=1e-10)
    assert net.invariant([w1, w2]) == net.invariant([-w1, -w2])
    assert np.allclose(net.linear.ntk([w1, w2]), net.linear.ntk([-w1, -w2]))


def test_sign_flip_witness_on_a_positive_input():
    """On a positive-region input the gap is the linear output itself, nonzero."""
    rng = np.random.default_rng(5)
    net = ReLUCNN([3, 2], [2, 1])
    fs = [np.array([1.0, 2.0, -1.0]), np.array([1.0, 3.0])]
    X = net.positive_inputs(fs, rng, n_inputs=2)
    gap = net.forward(fs, X) - net.forward([-f for f in fs], X)
    assert np.allclose(gap, net.forward(fs, X))
    assert np.min(np.abs(gap)) > 0.1


def test_end_to_end_from_samples_recovers_pi():
    rng = np.random.default_rng(4)
    for sizes, strides in [([3, 2], [2, 1]), ([(2, 2), (2, 3)], [(2, 1), (1, 1)])]:
        net = ReLUCNN(sizes, strides)
        fs = net.linear.random_filters(rng)
        X = net.positive_inputs(fs, rng, n_inputs=12)
        w = net.end_to_end_from_samples(X, net.forward(fs, X))
        assert np.allclose(w, net.linear.end_to_end(fs), atol=1e-9)


def test_first_layer_matrix_has_full_rank_and_applies_the_layer():
    rng = np.random.default_rng(6)
    net = ReLUCNN([3, 2], [2, 2])
    fs = [np.array([0.0, 0.0, 2.0]), np.array([1.0, 1.0])]  # leading zeros: still full rank
    A = net.first_layer_matrix(fs, 9)
    x = rng.standard_normal(9)
    assert np.allclose(A @ x, conv(fs[0], 2, x))
    assert np.linalg.matrix_rank(A) == A.shape[0]


# ------------------------------------------------------------------------------ identifiability
@pytest.mark.parametrize("sizes,strides", [([3, 2], [2, 1]), ([4, 3], [2, 1]), ([2, 2], [3, 1])])
def test_function_and_invariant_fix_the_filters_stride_above_one(sizes, strides):
    """Linear fiber at (pi, delta) = {theta, -theta}; -theta is a different ReLU function."""
    rng = np.random.default_rng(7)
    net = ReLUCNN(sizes, strides)
    fs = net.linear.random_filters(rng)
    ff = net.function_fiber(fs, rng)
    assert len(ff.candidates) == 2
    (point,) = ff.points
    assert all(np.allclose(p, f, atol=1e-7) for p, f in zip(point, fs, strict=True))
    rejected = [c for c, ok in zip(ff.candidates, ff.same_function, strict=True) if not ok]
    assert all(np.allclose(r, -f, atol=1e-7) for r, f in zip(rejected[0], fs, strict=True))
    assert np.max(ff.gaps) > 1e-3
    # hence the NTK on any batch is determined by (f, delta)
    X = rng.standard_normal((3, net.end_to_end_size + 1))
    assert np.allclose(net.ntk(point, X), net.ntk(fs, X), atol=1e-7)


def test_positive_rescaling_keeps_f_and_the_invariant_fixes_it():
    rng = np.random.default_rng(8)
    net = ReLUCNN([3, 2], [2, 1])
    w1, w2 = net.linear.random_filters(rng)
    X = rng.standard_normal((4, 7))
    other = [3.0 * w1, w2 / 3.0]
    assert np.allclose(net.forward(other, X), net.forward([w1, w2], X))
    back = rescale(net.linear, other, [net.invariant([w1, w2])])
    assert np.allclose(back[0], w1) and np.allclose(back[1], w2)


def test_stride_one_linear_fiber_is_split_by_the_relu():
    """Ex. 19: w = (1, 0, -1, 0) has 3 linear factorizations (6 with signs); as ReLU functions
    at least the sign flip of the balanced (x + y) factor differs from it."""
    rng = np.random.default_rng(9)
    net = ReLUCNN([3, 2], [1, 1])
    fs = [np.array([1.0, -1.0, 0.0]), np.array([1.0, 1.0])]  # balanced, MATH.md Sec. 9
    ff = net.function_fiber(fs, rng)
    assert len(ff.candidates) == 6
    assert any(all(np.allclose(p, f) for p, f in zip(pt, fs, strict=True)) for pt in ff.points)
    flipped = [
        i
        for i, c in enumerate(ff.candidates)
        if all(np.allclose(p, -f) for p, f in zip(c, fs, strict=True))
    ]
    assert len(flipped) == 1 and not ff.same_function[flipped[0]]


# ------------------------------------------------------------------------------ invariants
def test_invariants_by_hand():
    assert ReLUCNN([2, 1], [2, 1]).invariant([[1.0, 1.0], [3.0]]) == 7.0
    assert ReLUCNN([2, 1], [2, 1]).invariants([[1.0, 1.0], [3.0]]).tolist() == [7.0]
    W1 = np.array([[1.0, 2.0], [0.0, 1.0], [3.0, 0.0]])
    W2 = np.array([[1.0, 1.0, 0.0]])
    assert ReLUMLP([2, 3, 1]).invariants([W1, W2]).tolist() == [1 - 5, 1 - 1, 0 - 9]


def test_mlp_neuron_rescaling_keeps_f_but_moves_its_invariant():
    rng = np.random.default_rng(10)
    mlp = ReLUMLP([2, 3, 2])
    W1, W2 = rng.standard_normal((3, 2)), rng.standard_normal((2, 3))
    c = np.array([2.0, 1.0, 0.5])
    X = rng.standard_normal((6, 2))
    scaled = [c[:, None] * W1, W2 / c[None, :]]
    assert np.allclose(mlp.forward(scaled, X), mlp.forward([W1, W2], X))
    q, q2 = mlp.invariants([W1, W2]), mlp.invariants(scaled)
    assert q2[1] == pytest.approx(q[1])
    assert q2[0] != pytest.approx(q[0])


# ------------------------------------------------------------------------------ flows
def test_mlp_flow_conserves_per_neuron_quantities_without_kinks():
    rng = np.random.default_rng(11)
    mlp = ReLUMLP([2, 3, 2])
    W1, W2 = rng.uniform(0.2, 1.0, (3, 2)), rng.standard_normal((2, 3))
    X = rng.uniform(0.2, 1.0, (5, 2))
    Y = X @ np.array([[1.0, -0.5], [0.3, 0.8]]).T
    res = mlp.gradient_flow([W1, W2], X, Y, np.linspace(0.0, 4.0, 21))
    assert res.success and res.kink_time is None and res.pattern_changes == 0
    assert res.times[-1] == 4.0 and res.loss[-1] < res.loss[0]
    assert res.relative_invariant_drift < 1e-9
    assert np.allclose(res.invariants[0], mlp.invariants([W1, W2]))


def test_cnn_flow_conserves_the_invariant_without_kinks():
    rng = np.random.default_rng(12)
    net = ReLUCNN([3, 2], [2, 1])
    fs = [np.array([1.0, 0.5, 0.8]), np.array([0.7, -0.4])]
    X = net.positive_inputs(fs, rng, n_inputs=4, margin=1.0)
    Y = 0.5 * net.forward(fs, X)
    res = net.gradient_flow(fs, X, Y, np.linspace(0.0, 2.0, 11))
    assert res.success and res.kink_time is None
    assert res.relative_invariant_drift < 1e-9
    assert res.invariants.shape == (11, 1)
    assert np.all(np.diff(res.loss) <= 1e-12)  # gradient flow decreases the loss


def test_flow_stops_at_the_first_kink():
    rng = np.random.default_rng(1)
    mlp = ReLUMLP([2, 3, 2])
    W = [rng.standard_normal((3, 2)), rng.standard_normal((2, 3))]
    X, Y = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    t = np.linspace(0.0, 5.0, 101)
    res = mlp.gradient_flow(W, X, Y, t)
    assert res.kink_time is not None and not res.success
    assert res.times[-1] <= res.kink_time < res.times[-1] + 0.05 + 1e-12
    assert res.pattern_changes == 0 and res.relative_invariant_drift < 1e-9
    W1, W2 = mlp.unflatten(res.kink_theta)
    H = X @ W1.T
    i, j = np.unravel_index(np.argmin(np.abs(H)), H.shape)
    assert abs(H[i, j]) < 1e-8  # input i sits on the kink of neuron j
    assert np.allclose(mlp.invariants([W1, W2]), mlp.invariants(W), atol=1e-9)

    # This kink is sliding: with neuron j counted inactive for input i the flow pushes h_ij up,
    # counted active it pushes h_ij down (the gradient written out by hand as an oracle).
    def rate(active):
        M = (H > 0).astype(float)
        M[i, j] = active
        R = (np.maximum(H, 0) * M) @ W2.T - Y
        grad_W1 = ((R @ W2) * M).T @ X / len(X)
        return -grad_W1[j] @ X[i]

    assert rate(0.0) > 0 > rate(1.0)


def test_flow_through_a_crossing_still_conserves():
    """A transversal kink crossing: the integrator shrinks its step; the drift stays tiny."""
    rng = np.random.default_rng(2)
    mlp = ReLUMLP([2, 3, 2])
    W = [rng.standard_normal((3, 2)), rng.standard_normal((2, 3))]
    X, Y = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    res = mlp.gradient_flow(W, X, Y, np.linspace(0.0, 3.0, 31), stop_at_kink=False)
    assert res.success and res.pattern_changes >= 1
    assert res.relative_invariant_drift < 1e-9


def test_flow_budget_stops_a_sliding_kink():
    rng = np.random.default_rng(1)  # this run slides along a kink after t ~ 0.27
    mlp = ReLUMLP([2, 3, 2])
    W = [rng.standard_normal((3, 2)), rng.standard_normal((2, 3))]
    X, Y = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    res = mlp.gradient_flow(W, X, Y, np.linspace(0.0, 1.0, 11), stop_at_kink=False, max_nfev=1500)
    assert not res.success and "max_nfev" in res.message
    assert res.times[-1] < 1.0


# ------------------------------------------------------------------------------ counterexample
def test_mlp_counterexample_three_facts():
    """Ex. 20 as ReLU networks on the positive orthant (paper Sec. 5).

    Expected values derived by hand: W_1^T W_1 = diag(4, 1/4), W_2 W_2^T = diag(1/4, 4) for
    (A, A^{-1}); the swapped pair has diag(1/4, 4) and diag(4, 1/4). With every neuron active
    the block (i, k) of the NTK is (x_i^T W_1^T W_1 x_k) I + (x_i . x_k) W_2 W_2^T.
    """
    ex = example_20()
    mlp = ReLUMLP([2, 2, 2])
    rng = np.random.default_rng(13)
    X = rng.uniform(0.05, 3.0, (6, 2))
    cmp = compare_parametrizations(mlp, ex.first, ex.second, X)
    # 1. same function, the identity, on positive inputs
    assert cmp.function_gap < 1e-14
    assert np.allclose(cmp.outputs[0], X)
    # 2. same per-neuron conserved quantities, the diagonal of diag(-15/4, 15/4)
    for q in cmp.invariants:
        assert np.allclose(q, [-15 / 4, 15 / 4])

    # 3. different NTKs, as predicted by the formula
    def kernel(G, H):
        return np.block([[(xi @ G @ xk) * np.eye(2) + (xi @ xk) * H for xk in X] for xi in X])

    d1, d2 = np.diag([4.0, 0.25]), np.diag([0.25, 4.0])
    assert np.allclose(cmp.ntks[0], kernel(d1, d2))
    assert np.allclose(cmp.ntks[1], kernel(d2, d1))
    assert cmp.ntk_gap == pytest.approx(np.linalg.norm(kernel(d1, d2) - kernel(d2, d1)))
    assert cmp.ntk_gap > 1.0


def test_counterexample_networks_agree_everywhere():
    """Both are x -> relu(x) on all of R^2: (W_1', W_2') is (A, A^{-1}) with its two hidden
    neurons swapped and rescaled by 4 and 1/4 (a symmetry of ReLU networks)."""
    ex = example_20()
    mlp = ReLUMLP([2, 2, 2])
    X = np.random.default_rng(14).standard_normal((20, 2))
    for ws in (ex.first, ex.second):
        assert np.allclose(mlp.forward(ws, X), np.maximum(X, 0))
    P = np.array([[0.0, 1.0], [1.0, 0.0]])
    D = np.diag([4.0, 0.25])
    assert np.allclose(ex.second[0], D @ P @ ex.first[0])
    assert np.allclose(ex.second[1], ex.first[1] @ P.T @ np.linalg.inv(D))


# ------------------------------------------------------------------------------ regions
def test_activation_regions_match_the_patterns_and_lines():
    rng = np.random.default_rng(15)
    net = ReLUCNN([3, 2], [2, 1])
    fs = net.linear.random_filters(rng)
    origin = net.positive_inputs(fs, rng)[0]
    dirs = rng.standard_normal((2, 7))
    r = activation_regions(
        net, fs, origin=origin, directions=dirs, extent=(-3, 3, -2, 2), resolution=9
    )
    assert isinstance(r, ActivationRegions) and r.n_units == 3
    assert r.codes.shape == (9, 9) and r.extent == (-3.0, 3.0, -2.0, 2.0)
    assert r.codes[4, 4] == 7  # the origin is in the all-active region: code 1 + 2 + 4
    for j, b in enumerate(r.b):
        for i, a in enumerate(r.a):
            x = origin + a * dirs[0] + b * dirs[1]
            h = net.preactivations(fs, [x])[0]
            assert r.codes[j, i] == sum(2**u for u in range(3) if h[u] > 0)
            assert r.n_active[j, i] == np.sum(h > 0)
            assert np.allclose(r.lines @ [1.0, a, b], h)


def test_activation_regions_default_plane_for_a_2d_mlp():
    r = activation_regions(ReLUMLP([2, 2, 1]), [np.eye(2), [[1.0, 1.0]]], resolution=5)
    # unit 1 active for x_1 > 0 (columns), unit 2 for x_2 > 0 (rows)
    assert r.codes[4].tolist() == [2, 2, 2, 3, 3]
    assert r.codes[:, 0].tolist() == [0, 0, 0, 2, 2]


# ------------------------------------------------------------------------------ error paths
def test_architecture_errors():
    with pytest.raises(ValueError, match="exactly 2 layers: got 3"):
        ReLUCNN([2, 2, 2], [1, 1, 1])
    with pytest.raises(ValueError, match="one entry per layer"):
        ReLUCNN([2, 2], [1])
    with pytest.raises(TypeError, match="positive integer"):
        ReLUCNN([2.5, 2], [1, 1])
    with pytest.raises(ValueError, match="three entries: got 4"):
        ReLUMLP([2, 2, 2, 2])
    with pytest.raises(ValueError, match="at least two entries"):
        ReLUMLP([2])


def test_input_errors():
    net = ReLUCNN([3, 2], [2, 1])
    fs = [[1.0, 2.0, 3.0], [1.0, 1.0]]
    with pytest.raises(ValueError, match=r"batch of shape \(N, \.\.\.\).*wrap a single sample"):
        net.forward(fs, np.ones(7))
    with pytest.raises(ValueError, match="at least as long as the end-to-end filter"):
        net.forward(fs, np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"filters\[1\] must have shape 2"):
        net.forward([[1.0, 2.0, 3.0], [1.0]], np.ones((1, 7)))
    with pytest.raises(TypeError, match="real numbers"):
        net.forward(fs, [["a"] * 7])
    mlp = ReLUMLP([2, 2, 1])
    with pytest.raises(ValueError, match="d_0 = 2 columns"):
        mlp.forward([np.eye(2), [[1.0, 1.0]]], np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"weights\[1\].*must have shape \(1, 2\)"):
        mlp.forward([np.eye(2), [[1.0]]], np.ones((3, 2)))
    with pytest.raises(ValueError, match="n_params = 6 entries: got 5"):
        mlp.unflatten(np.ones(5))


def test_positive_inputs_errors():
    net = ReLUCNN([3, 2], [2, 1])
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"filters\[0\] is zero"):
        net.positive_inputs([[0.0, 0.0, 0.0], [1.0, 1.0]], rng)
    with pytest.raises(ValueError, match="margin must be positive"):
        net.positive_inputs([[1.0, 0.0, 0.0], [1.0, 1.0]], rng, margin=0.0)
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        net.positive_inputs([[1.0, 0.0, 0.0], [1.0, 1.0]], 0)
    with pytest.raises(ValueError, match="input_size must be at least end_to_end_size"):
        net.positive_inputs([[1.0, 0.0, 0.0], [1.0, 1.0]], rng, input_size=4)
    with pytest.raises(ValueError, match="Y must hold one output per patch"):
        net.end_to_end_from_samples(np.ones((2, 7)), np.ones(5))
    with pytest.raises(TypeError, match=r"numpy\.random\.Generator"):
        net.function_fiber([[1.0, 0.0, 1.0], [1.0, 1.0]], None)


def test_flow_errors():
    mlp = ReLUMLP([2, 2, 1])
    ws = [np.eye(2), [[1.0, 1.0]]]
    X = np.ones((3, 2))
    with pytest.raises(
        ValueError,
        match=r"Y must have the shape of the network's outputs on X, "
        r"\(3, 1\)",
    ):
        mlp.gradient_flow(ws, X, np.ones((3, 2)), [0.0, 1.0])
    with pytest.raises(ValueError, match="must start at time 0"):
        mlp.gradient_flow(ws, X, np.ones((3, 1)), [1.0, 2.0])
    with pytest.raises(ValueError, match="at least two times"):
        mlp.gradient_flow(ws, X, np.ones((3, 1)), [0.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        mlp.gradient_flow(ws, X, np.ones((3, 1)), [0.0, 2.0, 1.0])


def test_region_errors():
    net = ReLUCNN([3, 2], [2, 1])
    fs = [[1.0, 0.0, 1.0], [1.0, 1.0]]
    with pytest.raises(ValueError, match="origin and directions must be given"):
        activation_regions(net, fs)
    mlp = ReLUMLP([2, 2, 1])
    ws = [np.eye(2), [[1.0, 1.0]]]
    with pytest.raises(ValueError, match="extent must be"):
        activation_regions(mlp, ws, extent=(1, -1, 0, 1))
    with pytest.raises(ValueError, match="resolution must be at least 2"):
        activation_regions(mlp, ws, resolution=1)
    with pytest.raises(ValueError, match=r"directions must have shape \(2, 2\)"):
        activation_regions(mlp, ws, origin=[0.0, 0.0], directions=np.eye(3))
