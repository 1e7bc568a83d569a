"""Tests for lcnn_widgets.metric: eq. (9), Lemma 5, Cor. 6, Thm 4 and Ex. 15-17 (and Ex. 19)."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lcnn_widgets import LCN
from lcnn_widgets import metric as M
from lcnn_widgets import running_example as RE
from lcnn_widgets.fibers import fibers, sign_variants

NET = RE.running_example_net()
W17 = np.array([2.0, 1.0, 3.0, -1.0, -5.0])  # Ex. 17


@st.composite
def strided_points(draw):
    """``(net, rng, filters, J)``: a 1D architecture with strides s_1, ..., s_{L-1} > 1, a
    seeded generator, random filters drawn from it and their Jacobian."""
    L = draw(st.integers(2, 3))
    sizes = [draw(st.integers(1, 3)) for _ in range(L)]
    strides = [draw(st.integers(2, 3)) for _ in range(L - 1)] + [draw(st.integers(1, 2))]
    net = LCN(sizes, strides)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    fs = net.random_filters(rng)
    return net, rng, fs, net.jacobian(fs)


def _proj(A):
    """Orthogonal projector onto the column space of A (via pinv, an independent route)."""
    return A @ np.linalg.pinv(A)


# ----------------------------------------------------------------------------- eq. (9), Lemma 5
@settings(max_examples=25)
@given(strided_points())
def test_lift_lies_in_tangent_space_and_maps_to_a(case):
    net, rng, fs, J = case
    a = J @ rng.standard_normal(net.n_params)
    u = M.lift(net, a, fs)
    inner = [float(np.sum(f * x)) for f, x in zip(fs, u, strict=True)]
    assert np.allclose(inner, inner[0], atol=1e-9 * max(1.0, np.abs(inner).max()))
    uv = np.concatenate([x.ravel() for x in u])
    assert np.allclose(J @ uv, a, atol=1e-9 * np.linalg.norm(a))
    V = M.vertical_space(net, fs)
    assert np.allclose(V.T @ uv, 0, atol=1e-9 * np.linalg.norm(uv))
    # g(a, a) = ||lift||^2, with the metric taken at this very parameter point
    w, d = net.end_to_end(fs), net.invariants(fs)
    g = M.inner_product(net, a, a, w, d, fiber=fs)
    assert g == pytest.approx(float(uv @ uv), rel=1e-7)
    # uniqueness in (9): the solution of J T c = a within the tangent space is the lift
    T = M.tangent_space(net, fs)
    c = np.linalg.lstsq(J @ T, a, rcond=None)[0]
    assert np.allclose(T @ c, uv, atol=1e-8 * np.linalg.norm(uv))


@settings(max_examples=25)
@given(strided_points())
def test_tangent_space_is_orthonormal_row_space_of_J(case):
    net, _, fs, J = case
    T = M.tangent_space(net, fs)
    assert T.shape == (net.n_params, net.n_params - (net.n_layers - 1))
    assert np.allclose(T.T @ T, np.eye(T.shape[1]), atol=1e-12)
    # random filters give a smooth point: rank J = dim M, and (9) = row space of J (Lemma 5)
    assert np.linalg.matrix_rank(J) == net.dim_neuromanifold
    assert np.allclose(T @ T.T, _proj(J.T), atol=1e-8)
    # defining equations (9) hold for every basis vector
    off = np.cumsum([0] + [f.size for f in fs])
    for col in T.T:
        inner = [float(f.ravel() @ col[off[l] : off[l + 1]]) for l, f in enumerate(fs)]
        assert np.allclose(inner, inner[0], atol=1e-10)
    # J restricted to (9) is a bijection onto range J
    assert np.linalg.matrix_rank(J @ T) == T.shape[1]


@settings(max_examples=25)
@given(strided_points())
def test_vertical_space_is_kernel_of_J(case):
    net, _, fs, J = case
    V = M.vertical_space(net, fs)
    assert V.shape == (net.n_params, net.n_layers - 1)
    assert np.allclose(V.T @ V, np.eye(net.n_layers - 1), atol=1e-12)
    assert np.allclose(J @ V, 0, atol=1e-10 * np.linalg.norm(J))
    assert np.allclose(V @ V.T, np.eye(net.n_params) - _proj(J.T), atol=1e-8)
    T = M.tangent_space(net, fs)
    assert np.allclose(T.T @ V, 0, atol=1e-12)


def test_vertical_space_is_the_tangent_of_the_scaling_orbit():
    rng = np.random.default_rng(3)
    net = LCN([2, 3, 2], [2, 3, 1])
    fs = net.random_filters(rng)
    V = M.vertical_space(net, fs)
    # curve c(t) = (e^{t l_1} w_1, ..., e^{t l_L} w_L) with sum l = 0 stays in the fiber
    lam = np.array([0.3, -0.5, 0.2])
    h = 1e-6
    plus = net.flatten([np.exp(h * x) * f for x, f in zip(lam, fs, strict=True)])
    minus = net.flatten([np.exp(-h * x) * f for x, f in zip(lam, fs, strict=True)])
    tangent = (plus - minus) / (2 * h)
    assert np.allclose(V @ (V.T @ tangent), tangent, atol=1e-7)


@settings(max_examples=20)
@given(strided_points())
def test_metric_times_ntk_is_projector_onto_range_J(case):
    net, rng, fs, J = case
    w, d = net.end_to_end(fs), rng.normal(size=net.n_layers - 1)
    G = M.metric_matrix(net, w, d, fiber=fs)
    theta_ntk = M.ntk_at(net, w, d, fiber=fs)
    P = G @ theta_ntk
    assert np.allclose(P, _proj(J), atol=1e-7)
    assert np.allclose(G, G.T, atol=1e-9 * np.abs(G).max())
    assert np.linalg.eigvalsh(G).min() > -1e-9 * np.abs(G).max()


# ----------------------------------------------------------------------------- Cor. 6
def _fd_gradient(f, x, h=1e-6):
    e = np.eye(x.size)
    return np.array([(f(x + h * e[i]) - f(x - h * e[i])) / (2 * h) for i in range(x.size)])


@settings(max_examples=15)
@given(strided_points())
def test_pushforward_of_parameter_gradient_both_ways(case):
    net, rng, fs, J = case
    K = net.n_outputs
    B = rng.standard_normal((K, K))
    Sigma, y = B @ B.T + np.eye(K), rng.standard_normal(K)

    def loss(w):
        return 0.5 * (w - y) @ Sigma @ (w - y)

    w, d = net.end_to_end(fs).ravel(), net.invariants(fs)
    grad_w = _fd_gradient(loss, w)  # Euclidean gradient in function space
    theta = net.flatten(fs)
    grad_theta = _fd_gradient(lambda t: loss(net.end_to_end(net.unflatten(t)).ravel()), theta)
    # way 1: push the parameter velocity u = -grad(l o pi) forward with J
    velocity_1 = J @ (-grad_theta)
    # way 2: the function-space formula w' = -Theta grad l(w), Theta at (w, delta)
    G_riem = M.riemannian_gradient(net, grad_w, w, d)
    assert np.allclose(velocity_1, -G_riem, atol=1e-6 * max(1.0, np.linalg.norm(G_riem)))
    # G_riem is the Riemannian gradient: tangent, and g(G, b) = <grad l, b> on T_w M
    assert M.is_tangent(net, G_riem, fs)
    basis = J @ M.tangent_space(net, fs)
    for b in basis.T:
        assert M.inner_product(net, G_riem, b, w, d) == pytest.approx(
            float(grad_w @ b), rel=1e-6, abs=1e-8 * np.linalg.norm(grad_w)
        )
    # its lift is the Euclidean parameter gradient
    lifted = net.flatten(M.lift(net, G_riem, fs))
    assert np.allclose(lifted, grad_theta, atol=1e-5 * max(1.0, np.linalg.norm(grad_theta)))


# ----------------------------------------------------------------------------- Thm 4
@settings(max_examples=8)
@given(strided_points())
def test_metric_does_not_depend_on_the_fiber_point(case):
    net, rng, fs, _ = case
    w = net.end_to_end(fs)
    d = rng.normal(size=net.n_layers - 1)
    G = M.metric_matrix(net, w, d)  # from fibers(net, w, d)
    # every sign variant of the original theta, and theta itself; each is rescaled to delta
    candidates = [*sign_variants(fs), [3.0 * fs[0], fs[1] / 3.0, *fs[2:]]]
    assert len(candidates) == 2 ** (net.n_layers - 1) + 1
    for cand in candidates:
        assert np.allclose(net.end_to_end(cand), w)
        G2 = M.metric_matrix(net, w, d, fiber=cand)
        assert np.allclose(G2, G, atol=1e-6 * np.abs(G).max())


def test_metric_is_sign_invariant_on_six_architectures():
    archs = [
        ([3, 2], [2, 1]),
        ([2, 2], [2, 1]),
        ([3, 3], [3, 1]),
        ([2, 3, 2], [2, 2, 1]),
        ([3, 2, 2], [2, 3, 2]),
        ([4, 2], [2, 2]),
    ]
    rng = np.random.default_rng(11)
    for sizes, strides in archs:
        net = LCN(sizes, strides)
        fs = net.random_filters(rng)
        w, d = net.end_to_end(fs), rng.normal(size=net.n_layers - 1)
        G = M.metric_matrix(net, w, d)
        flipped = [-fs[0], -fs[1], *fs[2:]]
        assert np.allclose(
            M.metric_matrix(net, w, d, fiber=flipped), G, atol=1e-6 * np.abs(G).max()
        )
        assert np.allclose(M.metric_matrix(net, w, d, fiber=0), G, atol=1e-12)


# ----------------------------------------------------------------------------- Ex. 15
def test_cubic_vanishes_on_the_neuromanifold():
    rng = np.random.default_rng(0)
    for _ in range(50):
        fs = NET.random_filters(rng)
        w = NET.end_to_end(fs)
        assert abs(RE.running_example_F(w)) <= 1e-12 * np.linalg.norm(w) ** 3
    assert RE.running_example_F([1, 1, 0, 1, 0]) == 1.0  # a point off M


def test_gradient_of_F_matches_finite_differences_and_vanishes_on_singular_line():
    rng = np.random.default_rng(1)
    for _ in range(10):
        w = rng.standard_normal(5)
        fd = _fd_gradient(RE.running_example_F, w)
        assert np.allclose(RE.running_example_grad_F(w), fd, atol=1e-6)
        line = w * np.array([1, 0, 1, 0, 1])
        assert np.all(RE.running_example_grad_F(line) == 0)
        off = NET.end_to_end(NET.random_filters(rng))
        assert np.linalg.norm(RE.running_example_grad_F(off)) > 0


def test_smoothness_by_fibers_agrees_with_the_equation():
    rng = np.random.default_rng(2)
    points = [NET.end_to_end(NET.random_filters(rng)) for _ in range(5)]
    singular = []
    for _ in range(4):
        a, c, d, e = rng.standard_normal(4)
        singular.append(NET.end_to_end([[a, 0, c], [d, e]]))
    singular.append(NET.end_to_end([[1, 0, 1], [2, 2]]))  # dependent factors: critical point
    singular.append(NET.end_to_end([[0, 1, 0.5], [1, 0]]))  # w_3 = 0 only: still smooth
    expected = [True] * 5 + [False] * 5 + [True]
    for w, smooth in zip(points + singular, expected, strict=True):
        assert M.is_smooth_point(NET, w, method="fiber") is smooth
        assert M.is_smooth_point(NET, w, method="equation") is smooth
        assert M.is_smooth_point(NET, w) is smooth


def test_explicit_fiber_matches_the_root_algorithm():
    rng = np.random.default_rng(4)
    for delta in (-2.0, 0.0, 3.0):
        for _ in range(4):
            w = NET.end_to_end(NET.random_filters(rng))
            ((u, v),) = RE.running_example_fiber(w, delta)
            assert np.allclose(NET.end_to_end([u, v]), w)
            assert np.allclose(NET.invariants([u, v]), [delta])
            g = np.sqrt(RE.gamma_squared(w, delta))
            assert np.allclose(u, g * np.array([w[0] / w[1], 1, w[4] / w[3]]))
            # same point as the general root-orbit algorithm, up to signs
            (p,) = fibers(NET, w, [delta]).points
            pu, pv = p.filters
            assert min(np.linalg.norm(pu - u), np.linalg.norm(pu + u)) < 1e-8
            assert min(np.linalg.norm(pv - v), np.linalg.norm(pv + v)) < 1e-8
    for w in ([1.0, 2.0, 3.0, 0.0, 0.0], [0.0, 0.0, 3.0, 2.0, 1.0]):  # one of w_1, w_3 zero
        (fs,) = RE.running_example_fiber(w, 1.0)
        assert np.allclose(NET.end_to_end(fs), w) and np.allclose(NET.invariants(fs), [1.0])


def test_gamma_squared_inverts_the_invariant():
    rng = np.random.default_rng(5)
    for _ in range(10):
        w = NET.end_to_end(NET.random_filters(rng))
        A, B = w[1] ** 2 + w[3] ** 2, w[0] ** 2 / w[1] ** 2 + 1 + w[4] ** 2 / w[3] ** 2
        g2 = rng.uniform(0.01, 100)
        assert RE.gamma_squared(w, A / g2 - B * g2) == pytest.approx(g2, rel=1e-10)


def test_slice_of_the_cubic():
    for w0, w4 in ((1.0, -1.0), (1.0, 1.0), (0.0, 2.0), (-0.5, 0.0)):
        sl = RE.running_example_slice(w0, w4, n=9)
        assert np.array_equal(sl.in_M, sl.heights**2 >= 4 * w0 * w4)
        for sheet in sl.sheets:
            pts = sheet.reshape(3, -1).T
            for w1, w2, w3 in pts[np.all(np.isfinite(pts), axis=1)]:
                w = [w0, w1, w2, w3, w4]
                assert abs(RE.running_example_F(w)) < 1e-9
                if abs(w1) > 1e-9 and abs(w3) > 1e-9:  # a point of M: the fiber maps back
                    (fs,) = RE.running_example_fiber(w, 0.0)
                    assert np.allclose(NET.end_to_end(fs), w)
        for h, ok in zip(sl.heights, sl.in_M, strict=True):
            if not ok:
                with pytest.raises(ValueError, match="not in the neuromanifold"):
                    RE.running_example_fiber([w0, 0, h, 0, w4], 0.0)


# ----------------------------------------------------------------------------- Ex. 16
EX16 = [
    ([[1, 0, 0], [0, 1]], [[0, 0, 1], [1, 0]], [0, 0, 1, 0, 0]),
    ([[1, 0, 1], [1, -1]], [[1, 0, -1], [1, 1]], [1, 0, 0, 0, -1]),
]


def test_example_16_two_parametrizations_two_ntks():
    (p1, q1, w1), (p2, q2, w2) = EX16
    for p, q, w in EX16:
        assert np.allclose(NET.end_to_end(p), w) and np.allclose(NET.end_to_end(q), w)
        assert np.allclose(NET.invariants(p), 0) and np.allclose(NET.invariants(q), 0)
        for fs in (p, q):
            assert np.linalg.matrix_rank(NET.jacobian(fs)) == 4  # full rank J
        assert not M.is_smooth_point(NET, w)
        with pytest.raises(ValueError, match="not determined by"):
            M.metric_matrix(NET, w, 0.0)
        assert len(RE.running_example_fiber(w, 0.0)) == 2
    # MATH.md Sec. 7 numbers
    assert np.allclose(M.ntk_at(NET, w1, 0.0, fiber=p1), np.diag([1, 0, 2, 1, 1]))
    assert np.allclose(M.ntk_at(NET, w1, 0.0, fiber=q1), np.diag([1, 1, 2, 0, 1]))
    T2, T2b = M.ntk_at(NET, w2, 0.0, fiber=p2), M.ntk_at(NET, w2, 0.0, fiber=q2)
    assert np.allclose(np.diag(T2), [2, 1, 4, 1, 2]) and np.allclose(np.diag(T2b), [2, 1, 4, 1, 2])
    assert T2[1, 3] == pytest.approx(-1) and T2b[1, 3] == pytest.approx(1)
    # the two metrics differ; both are honest inverses on their own T_w M
    G, Gb = M.metric_matrix(NET, w2, 0.0, fiber=p2), M.metric_matrix(NET, w2, 0.0, fiber=q2)
    assert np.abs(G - Gb).max() > 0.1
    assert np.allclose(T2 @ G @ T2, T2) and np.allclose(T2b @ Gb @ T2b, T2b)
    # the explicit fiber on the singular line returns both points (up to signs)
    found = RE.running_example_fiber(w2, 0.0)
    for target in (p2, q2):
        assert any(
            all(
                min(np.linalg.norm(np.subtract(a, b)), np.linalg.norm(np.add(a, b))) < 1e-9
                for a, b in zip(pt, target, strict=True)
            )
            for pt in found
        )


def test_dependent_factors_give_a_critical_point_and_a_warning():
    w = NET.end_to_end([[1, 0, 1], [1, 1]])  # (X + Y)^2: one preimage, rank Theta < 4
    assert len(RE.running_example_fiber(w, 0.0)) == 1
    assert np.linalg.matrix_rank(M.ntk_at(NET, w, 0.0)) < 4
    assert M.condition_number(NET, w, 0.0) == np.inf
    with pytest.warns(M.MetricConditioningWarning, match="rank deficient"):
        M.metric_matrix(NET, w, 0.0)
    # nearby smooth points: the condition number blows up like 1/eps^2 and then warns
    conds = [
        M.condition_number(NET, NET.end_to_end([[1, e, 1], [1, 1 + e]]), 0.0)
        for e in (1e-1, 1e-2, 1e-3)
    ]
    assert conds[0] < conds[1] < conds[2] and conds[2] / conds[1] > 50
    with pytest.warns(M.MetricConditioningWarning, match="ill-conditioned"):
        M.metric_matrix(NET, NET.end_to_end([[1, 1e-4, 1], [1, 1 + 1e-4]]), 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        M.metric_matrix(NET, W17, 0.0)  # a well-conditioned point: no warning


# ----------------------------------------------------------------------------- Ex. 17
def test_example_17_numbers():
    A, B = 2.0, 30.0  # w_1^2 + w_3^2 and w_0^2/w_1^2 + 1 + w_4^2/w_3^2 at W17
    assert RE.running_example_F(W17) == 0
    for g2, expected in ((0.5, -2.0), (1.0, -1.0), (2.0, -0.5)):
        delta = A / g2 - B * g2
        assert RE.gamma_squared(W17, delta) == pytest.approx(g2)
        assert M.ntk_at(NET, W17, delta)[1, 3] == pytest.approx(expected)
        assert RE.running_example_theta13(W17, delta) == pytest.approx(expected)


def test_example_17_invariant_changes_the_metric():
    deltas = np.linspace(-60, 20, 41)
    entries = np.array([M.ntk_at(NET, W17, d)[1, 3] for d in deltas])
    assert np.all(np.diff(entries) < 0)  # strictly monotone, hence injective
    assert np.allclose(entries, [RE.running_example_theta13(W17, d) for d in deltas])
    G = [M.metric_matrix(NET, W17, d) for d in (-28.0, 0.0, 5.0)]
    assert np.abs(G[0] - G[1]).max() > 1e-2 and np.abs(G[1] - G[2]).max() > 1e-2


# ----------------------------------------------------------------------------- stride one (Ex. 19)
def test_stride_one_metric_is_not_determined():
    net = LCN([3, 2], [1, 1])
    w = [1, 0, -1, 0]
    with pytest.raises(ValueError, match="not determined by"):
        M.metric_matrix(net, w, 0.0)
    table = [
        np.array([[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, 1], [0, 0, 1, 1]]),
        np.array([[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, -1], [0, 0, -1, 1]]),
        np.sqrt(2) / 2 * np.array([[3, 0, -1, 0], [0, 3, 0, -1], [-1, 0, 3, 0], [0, -1, 0, 1]]),
    ]
    ntks = [M.ntk_at(net, w, 0.0, fiber=i) for i in range(3)]
    for T in table:
        assert sum(np.allclose(T, N) for N in ntks) == 1
    with pytest.raises(ValueError, match="strides"):
        M.is_smooth_point(net, w)


# ----------------------------------------------------------------------------- errors
def test_error_messages():
    fs = [[1.0, 2.0, 3.0], [1.0, 2.0]]
    with pytest.raises(ValueError, match=r"filters\[1\] is zero"):
        M.tangent_space(NET, [[1.0, 2.0, 3.0], [0.0, 0.0]])
    with pytest.raises(ValueError, match=r"filters\[0\] is zero"):
        M.vertical_space(NET, [[0.0, 0.0, 0.0], [1.0, 0.0]])
    e3 = np.eye(5)[4] - np.eye(5)[0]  # not in range J at fs
    assert not M.is_tangent(NET, e3, fs)
    with pytest.raises(ValueError, match="a must be tangent"):
        M.lift(NET, e3, fs)
    w = NET.end_to_end(fs)
    with pytest.raises(ValueError, match="b must be a tangent vector"):
        M.inner_product(NET, np.zeros(5), e3, w, 0.0)
    with pytest.raises(ValueError, match="fiber must map to w"):
        M.metric_matrix(NET, w, 0.0, fiber=[[1.0, 2.0, 3.0], [1.0, 3.0]])
    with pytest.raises(ValueError, match="fiber index must be below"):
        M.metric_matrix(NET, w, 0.0, fiber=3)
    with pytest.raises(ValueError, match="end-to-end filter of size 5"):
        M.metric_matrix(NET, [1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="delta must have"):
        M.metric_matrix(NET, w, [0.0, 1.0])
    with pytest.raises(ValueError, match="not in the neuromanifold"):
        M.metric_matrix(NET, [1.0, 1.0, 0.0, 1.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="not in the neuromanifold"):
        M.is_smooth_point(NET, [1.0, 1.0, 0.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="must split over R"):
        M.is_smooth_point(NET, [1.0, 0.0, 1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="method must be"):
        M.is_smooth_point(NET, w, method="rank")
    with pytest.raises(ValueError, match="only available for the running example"):
        M.is_smooth_point(LCN([2, 2], [2, 1]), [1.0, 0.0, 1.0, 0.0], method="equation")
    with pytest.raises(ValueError, match="w_1 and w_3 must be nonzero"):
        RE.gamma_squared([1.0, 0.0, 1.0, 1.0, 0.0], 0.0)
    with pytest.raises(ValueError, match="w must be nonzero"):
        RE.running_example_fiber(np.zeros(5), 0.0)
    with pytest.raises(ValueError, match="must not both be zero"):
        RE.running_example_slice(0.0, 0.0)
    with pytest.raises(TypeError, match="filters must be a sequence"):
        M.tangent_space(NET, np.zeros(5))


def test_small_cases():
    net = LCN([3], [1])  # one layer: pi = identity, M = R^3
    fs = [[1.0, 2.0, 0.0]]
    assert np.allclose(M.tangent_space(net, fs), np.eye(3))
    assert M.vertical_space(net, fs).shape == (3, 0)
    assert M.is_smooth_point(net, [0.0, 0.0, 0.0])
    assert M.norm(LCN([1, 1], [2, 1]), [3.0], [1.0], [0.0]) == pytest.approx(3 / np.sqrt(2))
    assert M.is_smooth_point(LCN([2, 1], [2, 1]), [0.0, 0.0])  # M = R^2
    assert not M.is_smooth_point(LCN([2, 2], [2, 1]), [0.0, 0.0, 0.0, 0.0])  # cone point
    assert M.is_tangent(NET, np.zeros(5), [[1.0, 2.0, 3.0], [1.0, 2.0]])


@settings(max_examples=10)
@given(strided_points())
def test_chart_metric_is_euclidean_on_the_level_set_and_matches_inner_product(case):
    net, rng, fs, J = case
    d = net.invariants(fs)
    assume(net.dim_neuromanifold >= 2)
    T = M.tangent_space(net, fs)[:, :2]
    # theta already has invariants d and T lies in (9): pi is an isometry (Cor. 6)
    assert np.allclose(M.chart_metric(net, fs, T, d), T.T @ T, atol=1e-8)
    other = d + rng.normal(size=d.size)
    gram = M.chart_metric(net, fs, T, other)
    a, b = J @ T[:, 0], J @ T[:, 1]
    w = net.end_to_end(fs)
    assert gram[0, 1] == pytest.approx(
        M.inner_product(net, a, b, w, other, fiber=fs), rel=1e-8, abs=1e-10
    )
    with pytest.raises(ValueError, match="directions must have n_params"):
        M.chart_metric(net, fs, T[:-1], d)


def test_two_dimensional_network():
    """Thm 13: in 2D the metric from the (multistart) fiber equals the one at the given theta."""
    net = LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
    fs = net.random_filters(np.random.default_rng(8))
    w = net.end_to_end(fs)
    J = net.jacobian(fs)
    a = (J @ np.arange(1.0, 9.0)).reshape(w.shape)
    u = M.lift(net, a, fs)
    assert [x.shape for x in u] == [(2, 2), (2, 2)]
    assert np.allclose(J @ net.flatten(u), a.ravel())
    G = M.metric_matrix(net, w, [0.5], fiber=fs)
    assert np.allclose(M.metric_matrix(net, w, [0.5]), G, atol=1e-8 * np.abs(G).max())
    assert M.tangent_space(net, fs).shape == (8, 7)
