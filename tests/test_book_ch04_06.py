"""Claims that chapters 4-6 add or correct, checked with the package.

* ch. 4: the running example's equation ``F`` is a cubic that vanishes identically on ``pi``; the
  symbolic NTK ``Theta = J J^T`` (sympy, from the layer filters) is the matrix printed in the
  book and agrees with ``net.ntk``; Lemma 5 holds wherever ``rank J = dim M``, also with strides
  one; the singular locus of the running example is the smaller neuromanifold of sizes (1, 3)
  (plus 0), with both kinds of singular points (two parametrizations with full rank and
  different tangent planes; a unique one with a rank drop); the unit balls of ``g^delta`` at
  ``w = (2, 1, 3, -1, -5)`` are nearly round at ``delta = 0`` and stretched and turned at
  ``delta = -40, 15``; the Riemannian gradient satisfies its defining identity.
* ch. 5: the vertical direction is the normal of the level set of the invariants and lies in
  the kernel of the Hessian at a critical point; the curvature bound
  ``lambda <= 3/2 lambda_max(Sigma) min ||w_l||^2`` for the Hessian on the tangent space (9);
  slow runs are those with a small filter, and all runs end at the same end-to-end filter; one
  step of gradient descent moves ``delta_l`` by ``h^2 (||g_{l+1}||^2 - ||g_l||^2)``; the normals
  of the running example's cubic fill a three-dimensional cone cut out by two quadrics
  (projective duality, Lemma 18); a zero middle filter of a three-layer network is a strict
  saddle with the block structure of the proof of Prop. 8.
* ch. 6: the symbolic NTKs of Ex. 19 (sympy, exact) are the book's matrices and the package's
  numbers; a cubic with one real root has exactly one factorization for sizes (3, 2), one with
  three real roots has three; on that open set every two fiber points have different NTKs
  (Remark 1).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from book_cells import markdown
from scipy.linalg import subspace_angles
from scipy.stats import spearmanr

from lcnn_widgets import (
    LCN,
    convergence_runs,
    count_real_factorizations,
    fiber_ntks,
    filter_from_roots,
    gradient_descent,
    gradient_flow,
    hessian,
    inner_product,
    lift,
    metric_matrix,
    parameter_gradient,
    riemannian_gradient,
    running_example_F,
    running_example_grad_F,
    running_example_net,
    squared_loss,
    tangent_space,
    vertical_space,
)
from lcnn_widgets.fibers import fibers

RUNNING = running_example_net()
W17 = np.array([2.0, 1.0, 3.0, -1.0, -5.0])


def _symbolic_pi(dilation):
    """pi(u, v) for sizes (3, 2) from the product of the layer forms (layer 2 at x^d, y^d)."""
    x, y = sympy.symbols("x y")
    u, v = sympy.symbols("u0:3"), sympy.symbols("v0:2")
    d = dilation
    form = sympy.Poly(
        (u[0] * x**2 + u[1] * x * y + u[2] * y**2) * (v[0] * x**d + v[1] * y**d), x, y
    )
    deg = 2 + d
    return u, v, sympy.Matrix([form.coeff_monomial(x ** (deg - i) * y**i) for i in range(deg + 1)])


def _F():
    w = sympy.symbols("w0:5")
    return w, w[0] * w[3] ** 2 - w[1] * w[2] * w[3] + w[1] ** 2 * w[4]


# --------------------------------------------------------------------------- ch. 4
def test_symbolic_pi_is_the_package_map_and_F_is_a_cubic_vanishing_on_it():
    u, v, w_s = _symbolic_pi(2)
    rng = np.random.default_rng(0)
    for _ in range(10):
        fs = [rng.integers(-5, 6, 3), rng.integers(-5, 6, 2)]
        exact = w_s.subs(dict(zip(u + v, [int(t) for t in np.concatenate(fs)], strict=True)))
        assert np.array_equal(np.array(exact, dtype=float).ravel(), RUNNING.end_to_end(fs))
    W, F = _F()
    assert sympy.Poly(F, *W).total_degree() == 3
    assert sympy.expand(F.subs(dict(zip(W, w_s, strict=True)))) == 0
    for w in rng.standard_normal((5, 5)):
        assert np.isclose(float(F.subs(dict(zip(W, w, strict=True)))), running_example_F(w))


def test_symbolic_ntk_of_the_running_example():
    u, v, w_s = _symbolic_pi(2)
    J = w_s.jacobian(u + v)
    theta = (J * J.T).applyfunc(sympy.expand)
    (u0, u1, u2), (v0, v1) = u, v
    a, b = u0 * u2 + v0 * v1, u1 * u2
    book = sympy.Matrix(
        [
            [u0**2 + v0**2, u0 * u1, a, 0, 0],
            [u0 * u1, u1**2 + v0**2, b, v0 * v1, 0],
            [a, b, u0**2 + u2**2 + v0**2 + v1**2, u0 * u1, a],
            [0, v0 * v1, u0 * u1, u1**2 + v1**2, b],
            [0, 0, a, b, u2**2 + v1**2],
        ]
    )
    assert theta == book
    numbers = sympy.lambdify(u + v, theta)
    rng = np.random.default_rng(1)
    for _ in range(20):
        fs = RUNNING.random_filters(rng)
        assert np.abs(numbers(*np.concatenate(fs)) - RUNNING.ntk(fs)).max() < 1e-12


def test_lemma_5_holds_wherever_rank_J_is_dim_M_including_stride_one():
    rng = np.random.default_rng(2)
    n_stride_one = 0
    for _ in range(60):
        L = int(rng.integers(2, 4))
        net = LCN(
            [int(k) for k in rng.integers(1, 4, L)],
            [int(s) for s in rng.choice([1, 2, 3], L - 1)] + [1],
        )
        n_stride_one += 1 in net.strides[:-1]
        fs = net.random_filters(rng)
        J = net.jacobian(fs)
        assert np.linalg.matrix_rank(J) == net.dim_neuromanifold
        T, V = tangent_space(net, fs), vertical_space(net, fs)
        row = np.linalg.pinv(J) @ J
        assert np.abs(T @ T.T - row).max() < 1e-8
        assert np.abs(V @ V.T - (np.eye(net.n_params) - row)).max() < 1e-8
        s = np.linalg.svd(J @ T, compute_uv=False)
        assert s.min() > 1e-8 * s.max()  # J is injective on (9)
        a = J @ rng.standard_normal(net.n_params)
        u = np.concatenate([np.ravel(p) for p in lift(net, a, fs)])
        assert np.allclose(J @ u, a) and np.allclose(T @ (T.T @ u), u)
    assert n_stride_one >= 15
    # the book's stride-one instance: Ex. 19's factorization with layer 2 = x
    net = LCN([3, 2], [1, 1])
    fs = [np.array([1.0, 0.0, -1.0]), np.array([1.0, 0.0])]
    assert np.linalg.matrix_rank(net.jacobian(fs)) == net.dim_neuromanifold == 4


def test_singular_locus_is_the_smaller_neuromanifold_with_both_kinds_of_points():
    small = LCN([1, 3], [2, 1])
    assert small.dim_neuromanifold == 3
    rng = np.random.default_rng(3)
    for _ in range(20):
        w = small.end_to_end(small.random_filters(rng))
        assert w[1] == w[3] == 0 and not np.any(running_example_grad_F(w))
        a, c, d, e = rng.standard_normal(4)
        first, swapped = [[a, 0, c], [d, e]], [[d, 0, e], [a, c]]
        assert np.allclose(RUNNING.end_to_end(first), RUNNING.end_to_end(swapped))
        J1, J2 = RUNNING.jacobian(first), RUNNING.jacobian(swapped)
        assert np.linalg.matrix_rank(J1) == np.linalg.matrix_rank(J2) == 4
        angles = np.sort(subspace_angles(J1, J2))
        cos = abs(a * d + c * e) / np.hypot(a, c) / np.hypot(d, e)
        assert np.allclose(angles, [0, 0, 0, np.arccos(cos)], atol=1e-6)
        square = [[d, 0, e], [2 * d, 2 * e]]  # dependent factors: (dX + eY)^2 up to scale
        assert np.linalg.matrix_rank(RUNNING.jacobian(square)) == 3
    assert np.linalg.matrix_rank(RUNNING.jacobian([[1.0, 2.0, 3.0], [0.0, 0.0]])) == 2


def test_unit_balls_change_with_delta_and_the_riemannian_gradient():
    theta0 = fibers(RUNNING, W17, [0.0]).points[0].filters
    J0 = RUNNING.jacobian(theta0)
    projector = np.linalg.pinv(J0.T) @ J0.T
    assert np.allclose(projector, J0 @ np.linalg.pinv(J0))
    plane = np.linalg.qr(projector[:, [1, 3]])[0]
    ratio, long_axis = {}, {}
    for d in (-40.0, 0.0, 15.0):
        G = metric_matrix(RUNNING, W17, [d])
        gram = plane.T @ G @ plane
        lam, vec = np.linalg.eigh(gram)
        ratio[d], long_axis[d] = np.sqrt(lam[1] / lam[0]), vec[:, 0]
        theta_d = fibers(RUNNING, W17, [d]).points[0].filters
        for a in plane.T:  # g(a, a) = |J^+ a|^2 at the fiber point with invariant d
            u = np.concatenate(lift(RUNNING, a, theta_d))
            assert np.isclose(a @ G @ a, u @ u)
    assert ratio[0.0] < 1.1 and ratio[-40.0] > 2 and ratio[15.0] > 2
    assert abs(long_axis[-40.0] @ long_axis[15.0]) < 0.5  # the long axis turns
    rng = np.random.default_rng(4)
    for _ in range(5):
        grad, b = rng.standard_normal(5), J0 @ rng.standard_normal(5)
        riem = riemannian_gradient(RUNNING, grad, W17, [0.0])
        assert np.isclose(inner_product(RUNNING, riem, b, W17, [0.0]), grad @ b)


# --------------------------------------------------------------------------- ch. 5
def _data(net, rng, n=12, m=3):
    n_in = net.end_to_end_size + net.stride * (m - 1)
    return squared_loss(net, rng.standard_normal((n, n_in)), rng.standard_normal((n, m)))


def test_vertical_direction_is_the_normal_of_the_level_set():
    rng = np.random.default_rng(5)
    for sizes, strides in (([3, 2], [2, 1]), ([2, 3, 2], [2, 2, 1]), ([2, 2], [1, 1])):
        net = LCN(sizes, strides)
        fs = net.random_filters(rng)
        normals = np.zeros((net.n_params, net.n_layers - 1))  # gradients of delta_l
        offsets = np.cumsum([0] + [f.size for f in fs])
        for l in range(net.n_layers - 1):
            normals[offsets[l] : offsets[l + 1], l] = -2 * fs[l]
            normals[offsets[l + 1] : offsets[l + 2], l] = 2 * fs[l + 1]
        V = vertical_space(net, fs)
        Q = np.linalg.qr(normals)[0]
        assert np.allclose(V @ V.T, Q @ Q.T)


def test_curvature_bound_on_the_level_set():
    rng = np.random.default_rng(6)
    sq = _data(RUNNING, rng)
    lam_max = np.linalg.eigvalsh(sq.Sigma)[-1]
    for _ in range(20):
        u, v = RUNNING.random_filters(rng)
        H = hessian(RUNNING, [u, v], sq)
        du = rng.standard_normal(3)
        du -= (du @ u) / (u @ u) * u  # du orthogonal to u: (du, 0) lies in (9)
        direction = np.concatenate([du, np.zeros(2)])
        curvature = direction @ H @ direction
        image = RUNNING.end_to_end([du, v])
        assert np.isclose(curvature, image @ sq.Sigma @ image)
        assert image @ image <= 1.5 * (v @ v) * (du @ du) + 1e-12
        T = tangent_space(RUNNING, [u, v])
        lam = np.linalg.eigvalsh(T.T @ H @ T)[0]
        assert lam <= 1.5 * lam_max * min(u @ u, v @ v) + 1e-12


def test_slow_runs_have_a_small_filter_and_all_runs_end_at_one_filter():
    rng = np.random.default_rng(0)
    sq = _data(RUNNING, rng, n=12, m=3)
    report = convergence_runs(RUNNING, sq, rng=np.random.default_rng(1), n_runs=12, t_max=100.0)
    assert spearmanr(report.min_filter_norm, report.gradient_norm).statistic < -0.6
    finals = []
    for fs, g in zip(report.final_filters, report.gradient_norm, strict=True):
        if g > 1e-10:
            fs = gradient_flow(RUNNING, fs, sq, t_eval=[0.0, 500.0]).filters_at(-1)
        finals.append(RUNNING.end_to_end(fs))
    finals = np.array(finals)
    assert np.abs(finals - finals[0]).max() < 1e-8
    best = report.final_filters[int(np.argmin(report.gradient_norm))]
    H = hessian(RUNNING, best, sq)
    assert np.linalg.norm(H @ vertical_space(RUNNING, best)) < 1e-8


def test_one_gradient_descent_step_moves_delta_by_h_squared():
    rng = np.random.default_rng(7)
    for sizes, strides in (([3, 2], [2, 1]), ([2, 3, 2], [2, 2, 1])):
        net = LCN(sizes, strides)
        sq = _data(net, rng)
        fs = net.random_filters(rng)
        g = parameter_gradient(net, fs, sq)
        offsets = np.cumsum([0] + [f.size for f in fs])
        sq_norms = [
            g[offsets[l] : offsets[l + 1]] @ g[offsets[l] : offsets[l + 1]]
            for l in range(net.n_layers)
        ]
        for h in (0.1, 0.01):
            step = gradient_descent(net, fs, sq, step=h, n_steps=1)
            change = step.invariants[1] - step.invariants[0]
            predicted = h**2 * np.diff(sq_norms)
            assert np.allclose(change, predicted, rtol=1e-8, atol=1e-14)


def test_normals_of_the_cubic_fill_a_thin_cone():
    u, v, w_s = _symbolic_pi(2)
    W, F = _F()
    normal = [sympy.expand(sympy.diff(F, wi).subs(dict(zip(W, w_s, strict=True)))) for wi in W]
    assert sympy.expand(normal[2] ** 2 - normal[0] * normal[4]) == 0
    assert sympy.expand(normal[1] * normal[2] - normal[0] * normal[3]) == 0
    D = sympy.Matrix(normal).jacobian(u + v)
    at = {
        s: sympy.Rational(p, q)
        for s, p, q in zip(u + v, (2, -3, 5, 7, -1), (3, 2, 1, 4, 5), strict=True)
    }
    assert D.subs(at).rank() == 3  # exact rank at one rational point
    rng = np.random.default_rng(8)
    c = rng.standard_normal(5)  # a generic vector is not parallel to any normal
    assert abs(c[2] ** 2 - c[0] * c[4]) + abs(c[1] * c[2] - c[0] * c[3]) > 1e-6


def test_zero_middle_filter_of_three_layers_is_a_strict_saddle():
    net = LCN([2, 2, 2], [2, 2, 1])
    rng = np.random.default_rng(9)
    for _ in range(5):
        sq = _data(net, rng, n=30, m=4)
        fs = net.random_filters(rng)
        fs[1] = np.zeros(2)
        H = hessian(net, fs, sq)
        assert np.abs(H[0:2, 4:6]).max() < 1e-12  # no coupling between the outer filters
        c = sq.Sigma @ sq.u
        for i in range(2):  # the (w_1, w_2) block is -<c, pi(e_i, e_j, w_3)>
            for j in range(2):
                e_i, e_j = np.eye(2)[i], np.eye(2)[j]
                assert np.isclose(H[i, 2 + j], -c @ net.end_to_end([e_i, e_j, fs[2]]))
        assert np.abs(H[2:4, [0, 1, 4, 5]]).max() > 1e-3
        assert np.linalg.eigvalsh(H)[0] < -1e-3


# --------------------------------------------------------------------------- ch. 6
def test_example_19_symbolic_ntks():
    u, v, w_s = _symbolic_pi(1)
    J = w_s.jacobian(u + v)
    theta = (J * J.T).applyfunc(sympy.expand)
    (u0, u1, u2), (v0, v1) = u, v
    assert theta[0, 1] == u0 * u1 + v0 * v1 and theta[1, 2] == u0 * u1 + u1 * u2 + v0 * v1
    assert theta[3, 3] == u2**2 + v1**2 and theta[0, 3] == 0 and theta == theta.T
    q = sympy.root(2, 4)
    table = {
        (1, 1): (
            [1, -1, 0],
            sympy.Matrix([[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, 1], [0, 0, 1, 1]]),
        ),
        (1, -1): (
            [1, 1, 0],
            sympy.Matrix([[2, 0, 0, 0], [0, 4, 0, 0], [0, 0, 3, -1], [0, 0, -1, 1]]),
        ),
        (q, 0): (
            [1 / q, 0, -1 / q],
            sympy.sqrt(2)
            / 2
            * sympy.Matrix([[3, 0, -1, 0], [0, 3, 0, -1], [-1, 0, 3, 0], [0, -1, 0, 1]]),
        ),
    }
    net = LCN([3, 2], [1, 1])
    fn = fiber_ntks(net, np.array([1.0, 0.0, -1.0, 0.0]), [0.0])
    assert len(fn.fiber) == 3
    for w2, (w1, expected) in table.items():
        point = dict(zip(u + v, [sympy.sympify(t) for t in list(w1) + list(w2)], strict=True))
        assert list(w_s.subs(point).applyfunc(sympy.simplify)) == [1, 0, -1, 0]
        assert sympy.simplify(sum(t**2 for t in w2) - sum(t**2 for t in w1)) == 0
        exact = theta.subs(point).applyfunc(sympy.simplify)
        assert (exact - expected).applyfunc(sympy.simplify) == sympy.zeros(4, 4)
        numbers = np.array(exact, dtype=float)
        assert min(np.abs(numbers - t).max() for t in fn.ntks) < 1e-12


def test_a_cubic_with_one_real_root_factors_once():
    net = LCN([3, 2], [1, 1])
    rng = np.random.default_rng(10)
    for r, a, b in rng.standard_normal((40, 3)):
        b = abs(b) + 0.05
        w = filter_from_roots([r, complex(a, b), complex(a, -b)])
        assert count_real_factorizations(net, w) == 1
        for _ in range(3):  # and so does every cubic nearby: an open set
            assert count_real_factorizations(net, w + 1e-3 * rng.standard_normal(4)) == 1
    for roots in rng.standard_normal((40, 3)):
        assert count_real_factorizations(net, filter_from_roots(roots)) == 3


@pytest.mark.parametrize("seed", [0, 1])
def test_remark_1_kernels_differ_on_an_open_set(seed):
    net = LCN([3, 2], [1, 1])
    rng = np.random.default_rng(seed)
    for roots, delta in zip(rng.standard_normal((50, 3)), rng.uniform(-2, 2, 50), strict=True):
        res = fiber_ntks(net, filter_from_roots(roots), [delta])
        assert len(res.fiber) == 3
        assert (
            min(np.linalg.norm(a - b) for i, a in enumerate(res.ntks) for b in res.ntks[i + 1 :])
            > 1e-8
        )


# --------------------------------------------------------------------------- the chapters' text
CHAPTERS = ("04_metric", "05_convergence", "06_stride_one")


def test_canonical_statements_and_corrections_in_chapters_4_to_6():
    ch4, ch5, ch6 = (markdown(n) for n in CHAPTERS)
    for text in (ch4, ch5, ch6):
        assert "thm-metric-ntk-function" not in text and "cor-conv-riemannian-flow" not in text
    assert ":label: thm-" not in ch4 and "{prf:ref}`thm-fib-unique`" in ch4
    assert ch5.count(":label: cor-") == 0 and "{prf:ref}`cor-metric-pushforward`" in ch5
    lemma = ch4[ch4.index(":label: lem-metric-lift") :]
    lemma = lemma[: lemma.index(":::")]
    assert "rank} J(\\theta) = \\dim M" in lemma and "stride" not in lemma
    assert "eq-metric-symbolic-ntk" in ch4 and "eq-so-symbolic-ntk" in ch6
    assert "eq-conv-gd-drift" in ch5 and "ex-conv-gd-drift" not in ch5
    assert "slow" in ch5 and "almost always something to trade" not in ch6
    assert ":label: rem-so-one-counterexample" in ch6
    exercises = ch5[ch5.index("## Exercises") :]
    assert exercises.count(":::{exercise}\n") == 0  # every exercise has a title
