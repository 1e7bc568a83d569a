"""Tests for lcnn_widgets.flows: the loss, its derivatives and the gradient flows (eq. 1,
Cor. 6, Thm 7, Prop. 8)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcnn_widgets import LCN
from lcnn_widgets.flows import (
    FlowResult,
    SquaredLoss,
    convergence_runs,
    data_filter,
    function_space_flow,
    gradient_descent,
    gradient_flow,
    hessian,
    loss,
    parameter_gradient,
    squared_loss,
)

RUNNING = LCN([3, 2], [2, 1])


def make_data(net: LCN, rng: np.random.Generator, n_samples: int = 12, extra: int = 4):
    """Random inputs a little longer than the end-to-end filter and random targets."""
    k = net.end_to_end_shape
    stride = (net.stride,) if net.is_1d else net.stride
    n = tuple(kd + extra for kd in k)
    m = tuple((nd - kd) // sd + 1 for nd, kd, sd in zip(n, k, stride, strict=True))
    return rng.standard_normal((n_samples, *n)), rng.standard_normal((n_samples, *m))


def random_problem(net: LCN, seed: int):
    """``(rng, X, Y, squared_loss(net, X, Y), random filters)`` from one seeded generator."""
    rng = np.random.default_rng(seed)
    X, Y = make_data(net, rng)
    return rng, X, Y, squared_loss(net, X, Y), net.random_filters(rng)


def central_gradient(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


# ------------------------------------------------------------------ the loss as a distance
@pytest.mark.parametrize(
    "sizes, strides",
    [([3, 2], [2, 1]), ([2, 3, 2], [2, 3, 1]), ([3, 2], [1, 1]), ([(2, 3), (2, 2)], [(2, 1), 1])],
)
def test_loss_identity_conv_form_equals_quadratic_form(sizes, strides):
    rng = np.random.default_rng(1)
    net = LCN(sizes, strides)
    X, Y = make_data(net, rng)
    sq = squared_loss(net, X, Y)
    for _ in range(3):
        fs = net.random_filters(rng)
        w = net.end_to_end(fs)
        by_layers = loss(net, fs, X, Y)  # the network applied layer by layer
        by_filter = loss(net, w, X, Y)  # one convolution with the end-to-end filter
        assert by_layers == pytest.approx(by_filter, rel=1e-12)
        assert sq.value(w) == pytest.approx(by_layers, rel=1e-10)
    # the data filter is the minimizer: the loss there is const, and larger elsewhere
    assert sq.value(sq.u) == pytest.approx(sq.const, abs=1e-12)
    assert loss(net, sq.u, X, Y) == pytest.approx(sq.const, rel=1e-10)
    Sigma, u = data_filter(net, X, Y)
    assert np.allclose(Sigma, sq.Sigma) and np.allclose(u, sq.u)
    assert u.shape == net.end_to_end_shape
    assert np.all(np.linalg.eigvalsh(Sigma) > 0)


def test_data_filter_recovers_the_filter_that_generated_noiseless_data():
    rng = np.random.default_rng(2)
    net = LCN([3, 2], [2, 1])
    X, _ = make_data(net, rng)
    w_true = rng.standard_normal(5)
    Y = np.stack([np.convolve(x, w_true[::-1], mode="valid")[::2] for x in X])
    _Sigma, u = data_filter(net, X, Y)
    assert np.allclose(u, w_true, atol=1e-10)
    assert squared_loss(net, X, Y).const == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=15)
@given(
    sizes=st.lists(st.integers(1, 3), min_size=1, max_size=3),
    strides=st.lists(st.integers(1, 3), min_size=3, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_gradient_matches_finite_differences_of_the_definition(sizes, strides, seed):
    net = LCN(sizes, strides[: len(sizes)])
    rng = np.random.default_rng(seed)
    X, Y = make_data(net, rng, n_samples=net.n_outputs + 2)
    fs = net.random_filters(rng)
    theta = net.flatten(fs)
    grad = parameter_gradient(net, fs, X, Y)
    fd = central_gradient(lambda th: loss(net, net.unflatten(th), X, Y), theta)
    assert np.allclose(grad, fd, rtol=1e-6, atol=1e-6 * max(1.0, np.abs(fd).max()))
    sq = squared_loss(net, X, Y)
    w = net.end_to_end(fs)
    fd_w = central_gradient(lambda v: loss(net, v.reshape(w.shape), X, Y), w.ravel())
    assert np.allclose(sq.gradient(w).ravel(), fd_w, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "sizes, strides", [([3, 2], [2, 1]), ([2, 2, 3], [2, 2, 1]), ([(2, 2), (2, 2)], [2, 1])]
)
def test_hessian_matches_finite_differences_of_the_gradient(sizes, strides):
    net = LCN(sizes, strides)
    _rng, X, Y, sq, fs = random_problem(net, 3)
    theta = net.flatten(fs)
    H = hessian(net, fs, X, Y)
    assert np.allclose(H, H.T)
    h = 1e-6
    fd = np.zeros_like(H)
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        fd[:, i] = (
            parameter_gradient(net, net.unflatten(theta + e), sq)
            - parameter_gradient(net, net.unflatten(theta - e), sq)
        ) / (2 * h)
    assert np.allclose(H, fd, rtol=1e-6, atol=1e-6 * np.abs(H).max())


# ------------------------------------------------------------------ the parameter flow
def test_invariants_conserved_and_loss_decreasing_up_to_t_100():
    rng = np.random.default_rng(4)
    net = LCN([2, 3, 2], [2, 2, 1])
    X, Y = make_data(net, rng)
    fs = net.random_filters(rng)
    res = gradient_flow(net, fs, X, Y, np.linspace(0.0, 100.0, 201))
    assert isinstance(res, FlowResult) and res.success
    # relative drift: max_{t,l} |delta_l(t) - delta_l(0)| / max_t ||theta(t)||^2
    assert res.relative_invariant_drift < 1e-9
    scale = np.max(np.sum(res.theta**2, axis=1))
    assert res.relative_invariant_drift == pytest.approx(res.invariant_drift / scale)
    assert np.allclose(res.invariants[0], net.invariants(fs))
    assert np.all(np.diff(res.loss) <= 1e-12 * res.loss[0])
    # shapes and consistency of the bundle
    T = res.times.size
    assert [f.shape for f in res.filters] == [(T, 2), (T, 3), (T, 2)]
    assert res.end_to_end.shape == (T, *net.end_to_end_shape)
    for i in (0, T // 2, -1):
        fi = res.filters_at(i)
        assert np.allclose(res.end_to_end[i], net.end_to_end(fi))
        assert res.loss[i] == pytest.approx(loss(net, fi, X, Y), rel=1e-10)
    assert np.allclose(res.filters_at(0)[1], fs[1])
    # the flow approaches a critical point: the gradient has become small
    assert res.gradient_norm[-1] < 1e-3 * res.gradient_norm[0]


def test_gradient_flow_accepts_a_precomputed_loss_and_matches_the_data_form():
    rng = np.random.default_rng(5)
    net = RUNNING
    X, Y = make_data(net, rng)
    fs = net.random_filters(rng)
    t = np.linspace(0, 2, 5)
    a = gradient_flow(net, fs, X, Y, t)
    b = gradient_flow(net, fs, squared_loss(net, X, Y), t_eval=t)
    assert np.allclose(a.theta, b.theta, atol=1e-12)


def test_gradient_descent_drifts_but_tracks_the_flow_for_small_steps():
    net = RUNNING
    _rng, _X, _Y, sq, fs = random_problem(net, 6)
    gd_big = gradient_descent(net, fs, sq, step=0.02, n_steps=50)
    gd_small = gradient_descent(net, fs, sq, step=0.002, n_steps=500)
    flow = gradient_flow(net, fs, sq, t_eval=[0.0, 1.0])
    # explicit Euler: errors shrink with the step (first order in the trajectory)
    err_big = np.linalg.norm(gd_big.end_to_end[-1] - flow.end_to_end[-1])
    err_small = np.linalg.norm(gd_small.end_to_end[-1] - flow.end_to_end[-1])
    assert err_small < err_big / 5
    assert gd_big.invariant_drift > 1e3 * flow.invariant_drift
    assert gd_small.invariant_drift < gd_big.invariant_drift
    assert gd_big.times[-1] == pytest.approx(1.0)


# ------------------------------------------------------------------ errors
def test_errors_in_data_and_times():
    net = RUNNING
    with pytest.raises(ValueError, match="singular Sigma"):
        data_filter(net, np.ones((1, 5)), np.ones((1, 1)))
    with pytest.raises(ValueError, match=r"Y must have shape \(2, 3\)"):
        data_filter(net, np.ones((2, 9)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="X must have shape"):
        data_filter(net, np.ones(9), np.ones(3))
    with pytest.raises(ValueError, match="at least as long"):
        data_filter(net, np.ones((2, 4)), np.ones((2, 1)))
    rng, X, Y, sq, fs = random_problem(net, 7)
    with pytest.raises(ValueError, match="start at time 0"):
        gradient_flow(net, fs, sq, t_eval=[1.0, 2.0])
    with pytest.raises(ValueError, match="strictly increasing"):
        gradient_flow(net, fs, sq, t_eval=[0.0, 2.0, 1.0])
    with pytest.raises(TypeError, match="t_eval is required"):
        gradient_flow(net, fs, sq)
    with pytest.raises(TypeError, match="Y is required"):
        gradient_flow(net, fs, X, t_eval=[0, 1])
    with pytest.raises(TypeError, match="either a SquaredLoss"):
        hessian(net, fs, sq, Y)
    with pytest.raises(ValueError, match="has 1 entries but"):
        parameter_gradient(net, fs, SquaredLoss(np.eye(1), np.ones(1)))
    with pytest.raises(ValueError, match="step must be positive"):
        gradient_descent(net, fs, sq, step=-0.1, n_steps=3)
    with pytest.raises(ValueError, match="n_steps must be a positive integer"):
        gradient_descent(net, fs, sq, step=0.1, n_steps=0)
    with pytest.raises(ValueError, match=r"Sigma must have shape \(2, 2\)"):
        SquaredLoss(np.eye(3), np.ones(2))
    with pytest.raises(ValueError, match="Sigma must be symmetric"):
        SquaredLoss(np.array([[1.0, 1.0], [0.0, 1.0]]), np.ones(2))
    with pytest.raises(ValueError, match="w must have 2 entries"):
        SquaredLoss(np.eye(2), np.ones(2)).value(np.ones(3))
    with pytest.raises(ValueError, match="t_max must be positive"):
        convergence_runs(net, sq, rng=rng, t_max=0.0)
    with pytest.raises(ValueError, match="delta must have n_layers - 1 = 1 entries"):
        function_space_flow(net, net.end_to_end(fs), [0.0, 1.0], sq, t_eval=[0, 1])
    with pytest.raises(ValueError, match="w0 must have shape 5"):
        function_space_flow(net, np.ones(4), [0.0], sq, t_eval=[0, 1])


# ------------------------------------------------------------------ Cor. 6: function space
def ex15_fiber_point(w, delta, previous):
    """MATH.md Ex. 15/17 in closed form: u = gamma (w0/w1, 1, w4/w3), v = (w1, w3) / gamma.

    Defined for w1 w3 != 0 (also slightly off M, where it is a smooth extension); it does not
    use lcnn_widgets.fibers, so it is an independent oracle for the running example.
    """
    w0, w1, _, w3, w4 = np.ravel(w)
    d = float(np.ravel(delta)[0])
    A = w1**2 + w3**2
    B = w0**2 / w1**2 + 1 + w4**2 / w3**2
    g2 = (-d + np.sqrt(d**2 + 4 * A * B)) / (2 * B)
    g = np.sqrt(g2)
    return [g * np.array([w0 / w1, 1.0, w4 / w3]), np.array([w1, w3]) / g]


def test_ex15_oracle_is_a_fiber_point():
    rng = np.random.default_rng(8)
    fs = RUNNING.random_filters(rng)
    w, d = RUNNING.end_to_end(fs), RUNNING.invariants(fs)
    lifted = ex15_fiber_point(w, d, None)
    assert np.allclose(RUNNING.end_to_end(lifted), w)
    assert np.allclose(RUNNING.invariants(lifted), d)
    assert np.allclose(RUNNING.ntk(lifted), RUNNING.ntk(fs))  # same point up to signs


def test_function_space_flow_reproduces_parameter_flow_running_example():
    """Cor. 6 with the closed-form fiber of Ex. 15 (independent of lcnn_widgets.fibers)."""
    net = RUNNING
    _rng, _X, _Y, sq, fs = random_problem(net, 16)
    t = np.linspace(0.0, 2.0, 21)
    par = gradient_flow(net, fs, sq, t_eval=t)
    # the closed form divides by w1 and w3: this seed's trajectory stays away from them (many
    # trajectories pass close to the singular line w1 = w3 = 0, where it is ill-conditioned)
    assert np.min(np.abs(par.end_to_end[:, 1] * par.end_to_end[:, 3])) > 1e-2
    fun = function_space_flow(
        net, net.end_to_end(fs), net.invariants(fs), sq, t_eval=t, fiber_point=ex15_fiber_point
    )
    gap = np.max(np.abs(fun.end_to_end - par.end_to_end))
    assert gap < 1e-8 * np.max(np.abs(par.end_to_end))
    assert np.allclose(fun.invariants, net.invariants(fs), atol=1e-12)
    assert np.allclose(fun.loss, par.loss, rtol=1e-8)
    # the default lift (fibers at t = 0, then continuation) gives the same trajectory
    fun2 = function_space_flow(net, net.end_to_end(fs), net.invariants(fs), sq, t_eval=t)
    assert np.max(np.abs(fun2.end_to_end - par.end_to_end)) < 1e-8 * np.max(np.abs(par.end_to_end))


@pytest.mark.parametrize("sizes, strides", [([2, 3, 2], [2, 2, 1]), ([3, 3], [3, 1])])
def test_function_space_flow_reproduces_parameter_flow_strides_above_one(sizes, strides):
    """Cor. 6 on further 1D architectures with strides > 1 (fiber unique up to signs)."""
    net = LCN(sizes, strides)
    _rng, _X, _Y, sq, fs = random_problem(net, 11)
    t = np.linspace(0.0, 1.0, 3)
    par = gradient_flow(net, fs, sq, t_eval=t)
    fun = function_space_flow(
        net, net.end_to_end(fs), net.invariants(fs), sq, t_eval=t, initial_filters=fs
    )
    gap = np.max(np.abs(fun.end_to_end - par.end_to_end))
    assert gap < 1e-8 * np.max(np.abs(par.end_to_end))
    # the tracked fiber point is theta(t) itself (same branch, same signs)
    assert np.max(np.abs(fun.theta - par.theta)) < 1e-7 * np.max(np.abs(par.theta))


def test_function_space_flow_rejects_initial_filters_off_the_fiber():
    net = RUNNING
    rng = np.random.default_rng(12)
    X, Y = make_data(net, rng)
    fs = net.random_filters(rng)
    with pytest.raises(ValueError, match="initial_filters must map to w0"):
        function_space_flow(
            net, net.end_to_end(fs) + 1.0, [0.0], X, Y, [0.0, 1.0], initial_filters=fs
        )


# ------------------------------------------------------------------ Prop. 8 / Thm 7
def _unit(shape, i):
    e = np.zeros(int(np.prod(shape)))
    e[i] = 1.0
    return e.reshape(shape)


def test_zero_parameters_are_a_strict_saddle_for_two_layers():
    """At theta = 0 (L = 2) the gradient vanishes and H = [[0, B], [B^T, 0]] with
    B_ij = -<Sigma u, pi(e_i, e_j)> (second derivative of the bilinear pi), whose eigenvalues
    are +-(singular values of B): the smallest is -sigma_max(B) < 0 when Sigma u != 0."""
    rng = np.random.default_rng(13)
    net = RUNNING
    X, Y = make_data(net, rng)
    sq = squared_loss(net, X, Y)
    zero = [np.zeros(s) for s in net.filter_shapes]
    assert np.allclose(parameter_gradient(net, zero, sq), 0.0)
    su = sq.Sigma @ sq.u.ravel()
    B = np.array(
        [
            [-su @ net.end_to_end([_unit((3,), i), _unit((2,), j)]).ravel() for j in range(2)]
            for i in range(3)
        ]
    )
    expected = -np.linalg.svd(B, compute_uv=False)[0]
    assert expected < 0
    eig = np.linalg.eigvalsh(hessian(net, zero, sq))
    assert eig[0] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("zero_layer", [0, 1, 2])
def test_one_zero_filter_gives_a_negative_hessian_eigenvalue(zero_layer):
    """Prop. 8: with w_l = 0, H has the block form [[A, C], [C^T, 0]] (l first): every block
    between two other layers contains the factor w_l = 0. For an entry C_ij != 0 the 2x2
    principal submatrix [[A_ii, C_ij], [C_ij, 0]] has determinant -C_ij^2 < 0, so by Cauchy
    interlacing lambda_min(H) <= its negative eigenvalue."""
    net = LCN([2, 3, 2], [2, 2, 1])
    _rng, _X, _Y, sq, fs = random_problem(net, 14 + zero_layer)
    fs[zero_layer] = np.zeros_like(fs[zero_layer])
    H = hessian(net, fs, sq)
    off = np.cumsum([0] + [f.size for f in fs])
    others = [m for m in range(3) if m != zero_layer]
    a, b = (off[others[0]], off[others[0] + 1]), (off[others[1]], off[others[1] + 1])
    assert np.allclose(H[a[0] : a[1], b[0] : b[1]], 0.0)  # blocks without layer l vanish
    assert np.allclose(H[b[0] : b[1], b[0] : b[1]], 0.0)
    su = sq.Sigma @ sq.u.ravel()
    best = 0.0
    for i in range(fs[zero_layer].size):
        with_ei = list(fs)
        with_ei[zero_layer] = _unit(fs[zero_layer].shape, i)
        p_i = net.end_to_end(with_ei).ravel()
        A_ii = p_i @ sq.Sigma @ p_i
        for m in others:
            for j in range(fs[m].size):
                both = list(with_ei)
                both[m] = _unit(fs[m].shape, j)
                C_ij = -su @ net.end_to_end(both).ravel()  # g = Sigma (0 - u)
                best = min(best, np.linalg.eigvalsh([[A_ii, C_ij], [C_ij, 0.0]])[0])
    assert best < 0
    assert np.linalg.eigvalsh(H)[0] <= best + 1e-12


def test_random_initializations_converge_to_nonzero_critical_points():
    """Thm 7 / Prop. 8: the loss decreases along the flow, so ending strictly below
    l(0) = 1/2 u^T Sigma u + const proves the limit is not the zero filter."""
    rng = np.random.default_rng(15)
    net = RUNNING
    X, Y = make_data(net, rng)
    sq = squared_loss(net, X, Y)
    loss_at_zero = sq.value(np.zeros(net.end_to_end_shape))
    rep = convergence_runs(net, sq, rng=rng, n_runs=4, t_max=40.0, scale=1.0)
    assert np.all(rep.final_loss < loss_at_zero - 1e-3 * loss_at_zero)
    assert np.all(rep.end_to_end_norm > 0)
    assert np.all(rep.relative_invariant_drift < 1e-9)
    for fs, e2e in zip(rep.final_filters, rep.end_to_end_norm, strict=True):
        assert np.linalg.norm(net.end_to_end(fs)) == pytest.approx(e2e)
    # the end points are close to critical: gradients far below those at the start
    start = [np.linalg.norm(parameter_gradient(net, fs, sq)) for fs in rep.initial_filters]
    assert np.all(rep.gradient_norm < 1e-2 * np.array(start))
