"""Garbage in, a clear error or a correct result out: every public callable of the package.

For each public function, class and method there is one row in ``CASES``: a valid call (the
keyword arguments) and the arguments to corrupt. Hypothesis then replaces ONE argument by a
garbage value (wrong type, shape or dimension, NaN/inf, 1e200/1e-200 magnitudes, zeros, empty
sequences, strings/None/bools, a different network) and the call must either

* raise ``ValueError``/``TypeError`` whose message names that argument, or
* return a result whose every float is finite (and, where the row gives one, satisfy a law).

Any other exception, or a NaN/inf in a returned result, fails. ``test_every_public_name_is_covered``
fails when a new public name is exported without a row here (or a reason to skip it).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import lcnn_widgets as L

fibers_mod = importlib.import_module("lcnn_widgets.fibers")
metric_mod = importlib.import_module("lcnn_widgets.metric")
inv_mod = importlib.import_module("lcnn_widgets.invariants")
relu_mod = importlib.import_module("lcnn_widgets.relu")
table1_mod = importlib.import_module("lcnn_widgets.table1")

SUBMODULES = (
    "dense",
    "fibers",
    "flows",
    "higher_dim",
    "invariants",
    "lcn",
    "metric",
    "polynomials",
    "relu",
    "running_example",
    "stride_one",
    "table1",
)

# ------------------------------------------------------------------------------ fixtures

NET = L.LCN([3, 2], [2, 1])  # the running example: end-to-end size 5
FS = [np.array([1.0, 2.0, -1.0]), np.array([1.0, 3.0])]
W = NET.end_to_end(FS)
JAC = NET.jacobian(FS)
TA, TB = JAC[:, 0], JAC[:, 1] + JAC[:, 3]  # tangent vectors at W
W16 = np.array([0.0, 0.0, 1.0, 0.0, 0.0])  # Ex. 16: a singular point of the neuromanifold
DELTA = np.array([1.0])
NET1 = L.LCN([3, 2], [1, 1])  # stride one: end-to-end size 4
NET_2D = L.LCN([(2, 2), (2, 2)], [(2, 2), (1, 1)])
FS_2D = [np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([[2.0, 0.0], [1.0, 1.0]])]
X = np.random.default_rng(0).normal(size=(6, 7))
Y = np.array([NET.forward(FS, x) for x in X]) + 0.1
SQ = L.SquaredLoss(np.eye(5), np.ones(5))
FCN = L.FCN((2, 2, 2))
WS = [np.array([[1.0, 0.5], [0.0, 1.0]]), np.array([[1.0, 0.0], [0.3, 1.0]])]
RCNN = L.ReLUCNN([3, 2], [2, 1])
MLP = L.ReLUMLP([2, 2, 1])
MLP_WS = [np.array([[1.0, 0.0], [0.0, -1.0]]), np.array([[1.0, 1.0]])]
XR = np.array([[3.0, 1.0, 0.0, 2.0, 5.0, 1.0, 2.0]])


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# ------------------------------------------------------------------------------ the table


@dataclasses.dataclass
class Case:
    fn: Callable[..., Any]
    kwargs: Callable[[], dict]  # a valid call, fresh each time
    corrupt: tuple[str, ...]  # arguments to replace by garbage
    law: Callable[[dict, Any], None] | None = None  # checked on any returned result
    aliases: dict = dataclasses.field(default_factory=dict)  # arg -> other names a message may use
    examples: int = 12
    finite: bool = True  # False: NaN is a documented mask; the law checks it instead


def _close(a, b, tol=1e-6):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert np.allclose(a, b, rtol=tol, atol=tol * (1 + np.max(np.abs(b), initial=0))), (a, b)


def law_end_to_end(kw, res):  # a returned fiber maps back to w
    for point in res:
        _close(NET.end_to_end(point.filters), kw["w"], 1e-5)


def law_rescale(kw, res):
    if np.max(np.abs(NET.end_to_end(res))) < 1e150:
        _close(NET.end_to_end(res), NET.end_to_end(kw["filters"]), 1e-6)


def law_slice(res):
    """NaN marks the heights outside the neuromanifold, and only those."""
    for sheet in res.sheets:
        for k in (0, 2):
            assert np.array_equal(np.isfinite(sheet[k]).all(axis=0), res.in_M)
        assert np.all(np.isfinite(sheet[1]))


def law_condition(res):
    """A condition number is >= 1; inf is its documented value at singular points."""
    assert isinstance(res, float) and (res >= 1.0 or res == np.inf)


def law_log_product(kw, res):
    """h is -inf at the left end of the orbit and NaN beyond it (documented), finite inside."""
    a = np.asarray(kw["a1"], float)
    res = np.asarray(res)
    assert res.shape == a.shape
    assert not np.any(np.isposinf(res))


def law_shape(shape):
    def check(kw, res):
        assert np.shape(res) == shape

    return check


def _net_aliases(*extra):
    return {"net": ("net", "filters", "model", "w", *extra)}


CASES: dict[str, Case] = {
    # --- LCN and its methods
    "LCN": Case(
        L.LCN,
        lambda: dict(filter_sizes=[3, 2], strides=[2, 1]),
        ("filter_sizes", "strides"),
        aliases={"filter_sizes": ("filter_sizes", "strides")},
    ),
    "LCN.check_filters": Case(NET.check_filters, lambda: dict(filters=FS), ("filters",)),
    "LCN.flatten": Case(NET.flatten, lambda: dict(filters=FS), ("filters",)),
    "LCN.check_theta": Case(NET.check_theta, lambda: dict(filters=FS), ("filters",)),
    "LCN.unflatten": Case(NET.unflatten, lambda: dict(theta=np.arange(5.0)), ("theta",)),
    "LCN.random_filters": Case(
        NET.random_filters, lambda: dict(rng=rng(), scale=1.0), ("rng", "scale")
    ),
    "LCN.end_to_end": Case(NET.end_to_end, lambda: dict(filters=FS), ("filters",)),
    "LCN.forward": Case(NET.forward, lambda: dict(filters=FS, x=X[0]), ("filters", "x")),
    "LCN.jacobian": Case(NET.jacobian, lambda: dict(filters=FS), ("filters",)),
    "LCN.ntk": Case(NET.ntk, lambda: dict(filters=FS), ("filters",)),
    "LCN.invariants": Case(NET.invariants, lambda: dict(filters=FS), ("filters",)),
    # the former LCN shortcuts (issue 13): the functions they called, with net bound
    "LCN.rescale": Case(
        functools.partial(fibers_mod.rescale, NET),
        lambda: dict(filters=FS, delta=DELTA),
        ("filters", "delta"),
        law=law_rescale,
    ),
    "LCN.fibers": Case(
        functools.partial(fibers_mod.fibers, NET),
        lambda: dict(w=W, delta=DELTA),
        ("w", "delta"),
        law=law_end_to_end,
    ),
    "LCN.tangent_space": Case(
        functools.partial(metric_mod.tangent_space, NET), lambda: dict(filters=FS), ("filters",)
    ),
    "LCN.metric_matrix": Case(
        functools.partial(metric_mod.metric_matrix, NET),
        lambda: dict(w=W, delta=DELTA),
        ("w", "delta"),
    ),
    "LCN.inner_product": Case(
        functools.partial(metric_mod.inner_product, NET),
        lambda: dict(a=TA, b=TB, w=W, delta=DELTA),
        ("a", "b", "w", "delta"),
    ),
    "LCN.lift": Case(
        functools.partial(metric_mod.lift, NET),
        lambda: dict(a=NET.jacobian(FS)[:, 0], filters=FS),
        ("a", "filters"),
    ),
    "conv": Case(
        L.conv, lambda: dict(w=[1.0, 2.0], stride=2, x=np.arange(7.0)), ("w", "stride", "x")
    ),
    # --- polynomials
    "binary_form_product": Case(
        L.binary_form_product,
        lambda: dict(filters=FS, strides=[2, 1]),
        ("filters", "strides"),
        aliases={"filters": ("filters", "strides")},
    ),
    "binary_form_latex": Case(
        L.binary_form_latex,
        lambda: dict(v=[1.0, 2.0], stride=1, digits=2),
        ("v", "stride", "digits"),
    ),
    "convolution_matrix": Case(
        L.convolution_matrix, lambda: dict(w=[1.0, 2.0], stride=1, n=4), ("w", "stride", "n")
    ),
    "dilate": Case(L.dilate, lambda: dict(v=[1.0, 2.0], stride=2), ("v", "stride")),
    "from_binary_form": Case(
        L.from_binary_form,
        lambda: dict(expr=L.to_binary_form([1.0, 2.0, 3.0]), shape=3),
        ("expr", "shape"),
    ),
    "multiply": Case(L.multiply, lambda: dict(a=[1.0, 2.0], b=[3.0, 1.0]), ("a", "b")),
    "polynomial_variables": Case(L.polynomial_variables, lambda: dict(dim=1), ("dim",)),
    "to_binary_form": Case(L.to_binary_form, lambda: dict(v=[1.0, 2.0], stride=2), ("v", "stride")),
    # --- invariants
    "layer_pairings": Case(
        L.layer_pairings,
        lambda: dict(net=NET, filters=FS, grad=np.ones(5)),
        ("net", "filters", "grad"),
        aliases=_net_aliases(),
    ),
    "orbit_invariants": Case(
        L.orbit_invariants,
        lambda: dict(net=NET, filters=FS, factors=[[1.0, 1.0], [0.5, 2.0]]),
        ("net", "filters", "factors"),
        aliases=_net_aliases(),
    ),
    "orbit_norms": Case(
        L.orbit_norms,
        lambda: dict(net=NET, filters=FS, factors=[[1.0, 1.0], [0.5, 2.0]]),
        ("net", "filters", "factors"),
        aliases=_net_aliases(),
    ),
    "scale_filters": Case(
        L.scale_filters,
        lambda: dict(net=NET, filters=FS, factors=[2.0, 0.5]),
        ("net", "filters", "factors"),
        aliases=_net_aliases(),
    ),
    "two_layer_rescaling": Case(
        L.two_layer_rescaling,
        lambda: dict(norms_sq=[1.0, 4.0], delta=0.0),
        ("norms_sq", "delta"),
        aliases={"norms_sq": ("norms_sq", "delta")},
    ),
    "min_first_norm": Case(inv_mod.min_first_norm, lambda: dict(delta=[-3.0, 1.0]), ("delta",)),
    "orbit_log_product": Case(
        inv_mod.orbit_log_product,
        lambda: dict(a1=[1.0, 2.0], norms_sq=[1.0, 4.0], delta=[0.0]),
        ("a1", "norms_sq", "delta"),
        aliases={"norms_sq": ("norms_sq", "delta")},
        finite=False,
        law=lambda kw, res: law_log_product(kw, res),
    ),
    # --- flows
    "SquaredLoss": Case(
        L.SquaredLoss, lambda: dict(Sigma=np.eye(2), u=np.array([1.0, 2.0])), ("Sigma", "u")
    ),
    "SquaredLoss.value": Case(SQ.value, lambda: dict(w=np.ones(5)), ("w",)),
    "SquaredLoss.gradient": Case(SQ.gradient, lambda: dict(w=np.ones(5)), ("w",)),
    "convergence_runs": Case(
        L.convergence_runs,
        lambda: dict(
            net=L.LCN([1, 1], [1, 1]),
            X=L.SquaredLoss(np.eye(1), np.array([1.0])),
            rng=rng(),
            n_runs=2,
            t_max=5.0,
        ),
        ("X", "rng", "n_runs", "t_max"),
        examples=6,
    ),
    "data_filter": Case(
        L.data_filter,
        lambda: dict(net=NET, X=X, Y=Y),
        ("net", "X", "Y"),
        aliases=_net_aliases("X", "Y"),
    ),
    "fiber_continuation": Case(L.fiber_continuation, lambda: dict(net=NET), ("net",)),
    "function_space_flow": Case(
        L.function_space_flow,
        lambda: dict(
            net=L.LCN([1, 1], [2, 1]),
            w0=[0.25],
            delta=[0.0],
            X=L.SquaredLoss(np.eye(1), np.array([1.0])),
            t_eval=[0.0, 2.0],
        ),
        ("w0", "delta", "X", "t_eval"),
        examples=8,
        aliases={"w0": ("w0", "w")},
    ),
    "gradient_descent": Case(
        L.gradient_descent,
        lambda: dict(net=NET, filters=FS, X=SQ, step=0.01, n_steps=3),
        ("net", "filters", "X", "step", "n_steps"),
        aliases=_net_aliases("X"),
    ),
    "gradient_flow": Case(
        L.gradient_flow,
        lambda: dict(net=NET, filters=FS, X=SQ, t_eval=[0.0, 0.5]),
        ("net", "filters", "X", "t_eval"),
        aliases=_net_aliases("X"),
        examples=8,
    ),
    "hessian": Case(
        L.hessian,
        lambda: dict(net=NET, filters=FS, X=SQ),
        ("net", "filters", "X"),
        aliases=_net_aliases("X"),
    ),
    "loss": Case(
        L.loss,
        lambda: dict(net=NET, filters_or_w=FS, X=X, Y=Y),
        ("net", "filters_or_w", "X", "Y"),
        aliases={**_net_aliases("X", "Y"), "filters_or_w": ("filters_or_w", "filters", "w")},
    ),
    "parameter_gradient": Case(
        L.parameter_gradient,
        lambda: dict(net=NET, filters=FS, X=SQ),
        ("net", "filters", "X"),
        aliases=_net_aliases("X"),
    ),
    "squared_loss": Case(
        L.squared_loss,
        lambda: dict(net=NET, X=X, Y=Y),
        ("net", "X", "Y"),
        aliases=_net_aliases("X", "Y"),
    ),
    # --- fibers
    "count_real_factorizations": Case(
        L.count_real_factorizations,
        lambda: dict(net=NET1, w=[1.0, 0.0, -1.0, 0.0]),
        ("net", "w", "tol"),
        aliases=_net_aliases(),
    ),
    "fibers": Case(
        lambda net, w, delta=None, **kw: L.fibers(net, w, delta, **kw),
        lambda: dict(net=NET, w=W, delta=DELTA),
        ("w", "delta", "method"),
        law=law_end_to_end,
    ),
    "filter_from_roots": Case(
        L.filter_from_roots,
        lambda: dict(roots=[1.0, -1.0], n_zero=0, n_inf=1, scale=1.0),
        ("roots", "n_zero", "n_inf", "scale"),
    ),
    "random_real_root_filters": Case(
        fibers_mod.random_real_root_filters, lambda: dict(net=NET1, rng=rng()), ("net", "rng")
    ),
    "filter_roots": Case(L.filter_roots, lambda: dict(w=[0.0, 1.0, 0.0, -1.0, 0.0]), ("w",)),
    "is_in_neuromanifold": Case(
        L.is_in_neuromanifold,
        lambda: dict(net=NET, w=W),
        ("net", "w", "tol"),
        aliases=_net_aliases(),
    ),
    "multistart_fibers": Case(
        L.multistart_fibers,
        lambda: dict(net=NET1, w=[1.0, 0.0, -1.0, 0.0], rng=rng(), n_starts=4),
        ("w", "delta", "rng", "n_starts"),
        examples=8,
    ),
    "root_orbits": Case(
        L.root_orbits,
        lambda: dict(net=NET, filters=[[1.0, 0.0, -1.0], [1.0, -4.0]]),
        ("net", "filters"),
        aliases=_net_aliases(),
    ),
    "sign_variants": Case(L.sign_variants, lambda: dict(filters=FS), ("filters",)),
    "rescale": Case(
        fibers_mod.rescale,
        lambda: dict(net=NET, filters=FS, delta=DELTA),
        ("net", "filters", "delta"),
        law=law_rescale,
        aliases=_net_aliases(),
    ),
    "rescaling_factors": Case(
        fibers_mod.rescaling_factors,
        lambda: dict(norms_sq=[1.0, 4.0], delta=[0.0]),
        ("norms_sq", "delta"),
        aliases={"norms_sq": ("norms_sq", "delta")},
    ),
    # --- metric
    "chart_metric": Case(
        L.chart_metric,
        lambda: dict(net=NET, filters=FS, directions=np.eye(5)[:, :2], delta=DELTA),
        ("net", "filters", "directions", "delta"),
        aliases=_net_aliases(),
    ),
    "condition_number": Case(
        L.condition_number,
        lambda: dict(net=NET, w=W, delta=DELTA),
        ("net", "w", "delta"),
        aliases=_net_aliases(),
        finite=False,
        law=lambda kw, res: law_condition(res),
    ),
    "fiber_point": Case(
        L.fiber_point,
        lambda: dict(net=NET, w=W, delta=DELTA),
        ("net", "w", "delta"),
        aliases=_net_aliases(),
    ),
    "gamma_squared": Case(L.gamma_squared, lambda: dict(w=W, delta=1.0), ("w", "delta")),
    "inner_product": Case(
        L.inner_product,
        lambda: dict(net=NET, a=TA, b=TB, w=W, delta=DELTA),
        ("net", "a", "b", "w", "delta"),
        aliases=_net_aliases(),
    ),
    "is_smooth_point": Case(
        L.is_smooth_point,
        lambda: dict(net=NET, w=W),
        ("net", "w", "tol", "method"),
        aliases=_net_aliases(),
    ),
    "is_tangent": Case(
        L.is_tangent,
        lambda: dict(net=NET, a=np.ones(5), filters=FS),
        ("net", "a", "filters", "rtol"),
        aliases={**_net_aliases(), "rtol": ("rtol", "a")},
    ),  # tiny rtol: a not tangent
    "lift": Case(
        L.lift,
        lambda: dict(net=NET, a=NET.jacobian(FS)[:, 0], filters=FS),
        ("net", "a", "filters", "rtol"),
        aliases={**_net_aliases(), "rtol": ("rtol", "a")},
    ),  # tiny rtol: a not tangent
    "metric_matrix": Case(
        L.metric_matrix,
        lambda: dict(net=NET, w=W, delta=DELTA),
        ("net", "w", "delta", "rcond"),
        aliases=_net_aliases(),
        law=law_shape((5, 5)),
    ),
    "norm": Case(
        L.norm,
        lambda: dict(net=NET, a=TA, w=W, delta=DELTA),
        ("net", "a", "w", "delta"),
        aliases=_net_aliases(),
    ),
    "ntk_at": Case(
        L.ntk_at,
        lambda: dict(net=NET, w=W, delta=DELTA),
        ("net", "w", "delta"),
        aliases=_net_aliases(),
        law=law_shape((5, 5)),
    ),
    "riemannian_gradient": Case(
        L.riemannian_gradient,
        lambda: dict(net=NET, grad=np.ones(5), w=W, delta=DELTA),
        ("net", "grad", "w", "delta"),
        aliases=_net_aliases(),
    ),
    "running_example_F": Case(L.running_example_F, lambda: dict(w=W), ("w",)),
    "running_example_fiber": Case(
        L.running_example_fiber, lambda: dict(w=W, delta=1.0), ("w", "delta")
    ),
    "running_example_grad_F": Case(L.running_example_grad_F, lambda: dict(w=W), ("w",)),
    "running_example_net": Case(L.running_example_net, dict, ()),
    "running_example_slice": Case(
        L.running_example_slice,
        lambda: dict(w0=1.0, w4=1.0, radius=2.0, height=4.0, n=5),
        ("w0", "w4", "radius", "height", "n"),
        finite=False,
        law=lambda kw, res: law_slice(res),
    ),
    "running_example_theta13": Case(
        L.running_example_theta13, lambda: dict(w=W, delta=1.0), ("w", "delta")
    ),
    "tangent_space": Case(
        L.tangent_space,
        lambda: dict(net=NET, filters=FS),
        ("net", "filters"),
        aliases=_net_aliases(),
    ),
    "vertical_space": Case(
        L.vertical_space,
        lambda: dict(net=NET, filters=FS),
        ("net", "filters"),
        aliases=_net_aliases(),
    ),
    # --- dense
    "FCN": Case(L.FCN, lambda: dict(widths=(2, 2, 2)), ("widths",)),
    "FCN.check_weights": Case(FCN.check_weights, lambda: dict(weights=WS), ("weights",)),
    "FCN.flatten": Case(FCN.flatten, lambda: dict(weights=WS), ("weights",)),
    "FCN.unflatten": Case(FCN.unflatten, lambda: dict(theta=np.arange(8.0)), ("theta",)),
    "FCN.random_weights": Case(
        FCN.random_weights, lambda: dict(rng=rng(), scale=1.0), ("rng", "scale")
    ),
    "FCN.product": Case(FCN.product, lambda: dict(weights=WS), ("weights",)),
    "FCN.end_to_end": Case(FCN.end_to_end, lambda: dict(weights=WS), ("weights",)),
    "FCN.jacobian": Case(FCN.jacobian, lambda: dict(weights=WS), ("weights",)),
    "FCN.ntk": Case(FCN.ntk, lambda: dict(weights=WS), ("weights",)),
    "FCN.ntk_apply": Case(FCN.ntk_apply, lambda: dict(weights=WS, Z=np.eye(2)), ("weights", "Z")),
    "FCN.layer_gradients": Case(
        FCN.layer_gradients, lambda: dict(weights=WS, grad=np.eye(2)), ("weights", "grad")
    ),
    "FCN.invariants": Case(FCN.invariants, lambda: dict(weights=WS), ("weights",)),
    "FCN.invariant_jacobian": Case(FCN.invariant_jacobian, lambda: dict(weights=WS), ("weights",)),
    "FCN.is_balanced": Case(
        FCN.is_balanced, lambda: dict(weights=WS, tol=1e-9), ("weights", "tol")
    ),
    "balanced_factorization": Case(
        L.balanced_factorization,
        lambda: dict(W=np.diag([4.0, 1.0]), n_layers=2),
        ("W", "n_layers", "widths"),
    ),
    "balanced_flow": Case(
        L.balanced_flow,
        lambda: dict(W0=[[1.0]], n_layers=2, X=[[1.0]], Y=[[4.0]], t_eval=[0.0, 1.0]),
        ("W0", "n_layers", "X", "Y", "t_eval"),
        examples=8,
    ),
    "balanced_velocity": Case(
        L.balanced_velocity,
        lambda: dict(W=np.eye(2), grad=np.eye(2), n_layers=3),
        ("W", "grad", "n_layers"),
    ),
    "dense_loss": Case(
        L.dense_loss, lambda: dict(W=np.eye(2), Y=np.zeros((2, 2))), ("W", "Y", "X")
    ),
    "dense_loss_gradient": Case(
        L.dense_loss_gradient, lambda: dict(W=np.eye(2), Y=np.zeros((2, 2))), ("W", "Y", "X")
    ),
    "example_20": Case(L.example_20, dict, ()),
    "gradient_flow_dense": Case(
        L.gradient_flow_dense,
        lambda: dict(weights0=[[[1.0]], [[1.0]]], X=[[1.0]], Y=[[4.0]], t_eval=[0.0, 1.0]),
        ("weights0", "X", "Y", "t_eval"),
        examples=8,
        aliases={"weights0": ("weights0", "weights")},
    ),
    "identity_factorization": Case(
        L.identity_factorization, lambda: dict(A=np.diag([2.0, 0.5])), ("A", "Q")
    ),
    "orthogonal_orbit": Case(
        L.orthogonal_orbit,
        lambda: dict(weights=[np.eye(2), np.eye(2)], Us=[L.rotation(0.3)]),
        ("weights", "Us", "tol"),
        aliases={"tol": ("tol", "Us")},
    ),  # tiny tol: Us not orthogonal
    "psd_power": Case(L.psd_power, lambda: dict(S=np.diag([4.0, 9.0]), p=0.5), ("S", "p")),
    "random_orthogonal": Case(L.random_orthogonal, lambda: dict(d=3, rng=rng()), ("d", "rng")),
    "rotation": Case(L.rotation, lambda: dict(phi=0.3), ("phi",)),
    # --- relu
    "relu": Case(relu_mod.relu, lambda: dict(h=[-1.0, 0.0, 2.5]), ("h",)),
    "ReLUCNN": Case(
        L.ReLUCNN,
        lambda: dict(filter_sizes=[3, 2], strides=[2, 1]),
        ("filter_sizes", "strides"),
        aliases={"filter_sizes": ("filter_sizes", "strides")},
    ),
    "ReLUCNN.check_filters": Case(RCNN.check_filters, lambda: dict(filters=FS), ("filters",)),
    "ReLUCNN.flatten": Case(RCNN.flatten, lambda: dict(filters=FS), ("filters",)),
    "ReLUCNN.unflatten": Case(RCNN.unflatten, lambda: dict(theta=np.arange(5.0)), ("theta",)),
    "ReLUCNN.check_inputs": Case(RCNN.check_inputs, lambda: dict(X=XR), ("X",)),
    "ReLUCNN.preactivations": Case(
        RCNN.preactivations, lambda: dict(filters=FS, X=XR), ("filters", "X")
    ),
    "ReLUCNN.activation_pattern": Case(
        RCNN.activation_pattern, lambda: dict(filters=FS, X=XR), ("filters", "X")
    ),
    "ReLUCNN.forward": Case(RCNN.forward, lambda: dict(filters=FS, X=XR), ("filters", "X")),
    "ReLUCNN.output_size": Case(RCNN.output_size, lambda: dict(X=XR), ("X",)),
    "ReLUCNN.jacobian": Case(RCNN.jacobian, lambda: dict(filters=FS, X=XR), ("filters", "X")),
    "ReLUCNN.ntk": Case(RCNN.ntk, lambda: dict(filters=FS, X=XR), ("filters", "X")),
    "ReLUCNN.invariant": Case(
        L.ReLUCNN([2, 1], [2, 1]).invariant, lambda: dict(filters=[[1.0, 1.0], [3.0]]), ("filters",)
    ),
    "ReLUCNN.invariants": Case(RCNN.invariants, lambda: dict(filters=FS), ("filters",)),
    "ReLUCNN.first_layer_matrix": Case(
        RCNN.first_layer_matrix, lambda: dict(filters=FS, input_size=7), ("filters", "input_size")
    ),
    "ReLUCNN.positive_inputs": Case(
        RCNN.positive_inputs, lambda: dict(filters=FS, rng=rng()), ("filters", "rng", "n_inputs")
    ),
    "ReLUCNN.end_to_end_from_samples": Case(
        RCNN.end_to_end_from_samples,
        lambda: dict(X=np.eye(7)[:5] + np.eye(7, k=1)[:5], Y=np.ones((5, 2))),
        ("X", "Y"),
    ),
    "ReLUCNN.function_fiber": Case(
        RCNN.function_fiber,
        lambda: dict(filters=[[1.0, 2.0, -1.0], [1.0, 3.0]], rng=rng(), n_test=4),
        ("filters", "rng", "n_test", "tol"),
        examples=8,
    ),
    "ReLUCNN.gradient_flow": Case(
        RCNN.gradient_flow,
        lambda: dict(filters=FS, X=XR, Y=[[1.0, 0.0]], t_eval=[0.0, 0.5]),
        ("filters", "X", "Y", "t_eval"),
        examples=8,
    ),
    "ReLUMLP": Case(L.ReLUMLP, lambda: dict(widths=[2, 2, 1]), ("widths",)),
    "ReLUMLP.check_weights": Case(MLP.check_weights, lambda: dict(weights=MLP_WS), ("weights",)),
    "ReLUMLP.flatten": Case(MLP.flatten, lambda: dict(weights=MLP_WS), ("weights",)),
    "ReLUMLP.unflatten": Case(MLP.unflatten, lambda: dict(theta=np.arange(6.0)), ("theta",)),
    "ReLUMLP.check_inputs": Case(MLP.check_inputs, lambda: dict(X=[[2.0, 3.0]]), ("X",)),
    "ReLUMLP.preactivations": Case(
        MLP.preactivations, lambda: dict(weights=MLP_WS, X=[[2.0, 3.0]]), ("weights", "X")
    ),
    "ReLUMLP.activation_pattern": Case(
        MLP.activation_pattern, lambda: dict(weights=MLP_WS, X=[[2.0, 3.0]]), ("weights", "X")
    ),
    "ReLUMLP.forward": Case(
        MLP.forward, lambda: dict(weights=MLP_WS, X=[[2.0, 3.0]]), ("weights", "X")
    ),
    "ReLUMLP.jacobian": Case(
        MLP.jacobian, lambda: dict(weights=MLP_WS, X=[[2.0, 3.0]]), ("weights", "X")
    ),
    "ReLUMLP.ntk": Case(MLP.ntk, lambda: dict(weights=MLP_WS, X=[[2.0, 3.0]]), ("weights", "X")),
    "ReLUMLP.invariants": Case(MLP.invariants, lambda: dict(weights=MLP_WS), ("weights",)),
    "ReLUMLP.gradient_flow": Case(
        MLP.gradient_flow,
        lambda: dict(weights=MLP_WS, X=[[2.0, 3.0]], Y=[[4.0]], t_eval=[0.0, 0.5]),
        ("weights", "X", "Y", "t_eval"),
        examples=8,
    ),
    "activation_regions": Case(
        L.activation_regions,
        lambda: dict(model=L.ReLUMLP([2, 1, 1]), params=[[[1.0, 0.0]], [[1.0]]], resolution=3),
        ("model", "params", "origin", "directions", "extent", "resolution"),
        aliases={
            "model": ("model", "params", "origin"),
            "params": ("params", "weights", "filters"),
        },
    ),
    "compare_parametrizations": Case(
        L.compare_parametrizations,
        lambda: dict(
            model=L.ReLUMLP([2, 2, 2]),
            first=[np.diag([2.0, 0.5]), np.diag([0.5, 2.0])],
            second=[np.eye(2), np.eye(2)],
            X=[[1.0, 1.0]],
        ),
        ("model", "first", "second", "X"),
        aliases={
            "model": ("model", "first", "second", "X"),
            "first": ("first", "weights", "filters"),
            "second": ("second", "weights", "filters"),
        },
    ),
    # --- higher_dim
    "count_up_to_swaps": Case(
        L.count_up_to_swaps,
        lambda: dict(
            net=L.LCN([(2, 2), (2, 2)], [1, 1]), points=[(np.eye(2), np.ones((2, 2)) / np.sqrt(2))]
        ),
        ("net", "points", "rtol"),
        aliases={**_net_aliases("points"), "points": ("points", "filters")},
    ),
    "factor_end_to_end": Case(
        L.factor_end_to_end,
        lambda: dict(net=NET_2D, w=NET_2D.end_to_end(FS_2D).round()),
        ("net", "w"),
        aliases=_net_aliases(),
        examples=8,
    ),
    "factor_end_to_end(layers=...)": Case(
        L.factor_end_to_end,
        lambda: dict(net=NET_2D, w=NET_2D.end_to_end(FS_2D).round(), layers=FS_2D),
        ("layers",),
        examples=8,
    ),
    "irreducible_layers": Case(
        L.irreducible_layers,
        lambda: dict(net=NET_2D, filters=FS_2D),
        ("net", "filters"),
        aliases=_net_aliases(),
    ),
    "random_integer_filters": Case(
        L.random_integer_filters,
        lambda: dict(net=NET_2D, rng=rng(), high=3),
        ("net", "rng", "high"),
    ),
    "swap_layers": Case(
        L.swap_layers,
        lambda: dict(net=L.LCN([(2, 2), (2, 2)], [1, 1]), filters=FS_2D, i=0, j=1),
        ("net", "filters", "i", "j"),
        aliases=_net_aliases(),
    ),
    "swap_orbit": Case(
        L.swap_orbit,
        lambda: dict(net=L.LCN([(2, 2), (2, 2)], [1, 1]), filters=FS_2D),
        ("net", "filters"),
        aliases=_net_aliases(),
    ),
    "swap_permutation": Case(
        L.swap_permutation, lambda: dict(net=L.LCN([2, 3], [1, 1]), i=0, j=1), ("net", "i", "j")
    ),
    "swappable_pairs": Case(L.swappable_pairs, lambda: dict(net=NET_2D), ("net",)),
    # --- stride one
    "cubic_roots": Case(
        L.cubic_roots, lambda: dict(r=0.0, center=1.0, disc=4.0), ("r", "center", "disc")
    ),
    "fiber_ntks": Case(
        L.fiber_ntks,
        lambda: dict(net=NET1, w=[1.0, 0.0, -1.0, 0.0]),
        ("net", "w", "delta"),
        aliases=_net_aliases(),
        examples=8,
    ),
    "ntk_spread": Case(
        L.ntk_spread,
        lambda: dict(
            net=NET1, points=[[[1.0, -1.0, 0.0], [1.0, 1.0]], [[1.0, 1.0, 0.0], [1.0, -1.0]]]
        ),
        ("net", "points"),
        aliases=_net_aliases("points"),
    ),
    "stride_one_factorization_count": Case(
        L.stride_one_factorization_count,
        lambda: dict(roots=[0.0, 1.0, -1.0], degrees=[2, 1]),
        ("roots", "degrees", "n_inf", "tol"),
        aliases={"n_inf": ("n_inf", "degrees")},
    ),
    # --- table1
    "interchangeable_layers": Case(
        table1_mod.interchangeable_layers, lambda: dict(net=NET_2D), ("net",)
    ),
    "relative_ntk_difference": Case(
        table1_mod.relative_ntk_difference,
        lambda: dict(ntks=[np.eye(2), np.diag([1.0, 0.0])]),
        ("ntks",),
    ),
    "reproduce_table1": Case(
        table1_mod.reproduce_table1,
        lambda: dict(rng=rng(), n_samples=1, classes=["conv1d_strided"]),
        ("rng", "n_samples", "classes", "n_orbit", "n_starts"),
        examples=6,
    ),
    "sample_fiber": Case(
        table1_mod.sample_fiber,
        lambda: dict(key="conv1d_strided", rng=rng(), n_orbit=1, n_starts=2),
        ("key", "rng", "n_orbit", "n_starts"),
        examples=6,
    ),
}

#: public names that are not input-taking callables, with the reason
NOT_CALLED = {
    # result bundles (frozen dataclasses built by the library, not by the reader)
    **{
        n: "result bundle"
        for n in (
            "ConvergenceReport",
            "FlowResult",
            "Fiber",
            "FiberPoint",
            "CubicSlice",
            "DenseFlowResult",
            "Example20",
            "ActivationRegions",
            "FunctionFiber",
            "ParameterComparison",
            "ReLUFlowResult",
            "ExactFactorization",
            "FiberNTKs",
            "FilterRoots",
            "LayerRoots",
            "ArchitectureClass",
            "FiberSample",
            "Table1Result",
            "Table1Row",
        )
    },
    "MetricConditioningWarning": "a warning class",
    "RescalingPrecisionWarning": "a warning class",
    "COND_WARN": "a constant",
    "FIBER_RTOL": "a constant",
    "RCOND": "a constant",
    "CLASSES": "a constant",
    "DETERMINED_TOL": "a constant",
    "PAPER_TABLE": "a constant (the paper's Table 1 as text)",
    # the kernel of lcn.py: flat, already checked theta; no checking by design (issue 13)
    **{
        n: "unchecked kernel"
        for n in (
            "correlate",
            "gauss_newton",
            "invariant_jacobian",
            "invariants",
            "jacobian",
            "join",
            "ntk",
            "pi",
            "split",
            "spread",
            "on_running_cubic",
        )
    },
}


def public_names() -> set[str]:
    names = set(L.__all__)
    for m in SUBMODULES:
        names |= set(importlib.import_module(f"lcnn_widgets.{m}").__all__)
    for cls in (L.LCN, L.FCN, L.ReLUCNN, L.ReLUMLP, L.SquaredLoss):
        names |= {
            f"{cls.__name__}.{k}"
            for k, v in vars(cls).items()
            if callable(v) and not k.startswith("_")
        }
    return names


def test_every_public_name_is_covered():
    missing = sorted(public_names() - set(CASES) - set(NOT_CALLED))
    assert not missing, f"public callables without a bad-input row in CASES: {missing}"


# ------------------------------------------------------------------------------ garbage

GENERIC = [
    None,
    "abc",
    "",
    True,
    [],
    (),
    {},
    object(),
    1j,
    float("nan"),
    float("inf"),
    -float("inf"),
    1e200,
    -1e200,
    1e-200,
    0,
    -1,
    2.5,
]


def _variants_of_array(v: np.ndarray) -> list:
    out = [
        v * 1e200,
        v * 1e-200,
        np.zeros_like(v),
        -v,
        v[None],
        v.astype(complex) * 1j,
        v.astype(str),
        v.ravel()[:-1] if v.size > 1 else v.ravel()[:0],
        np.append(v, 1.0),
        np.zeros((0, *v.shape[1:])),
    ]
    for bad in (np.nan, np.inf, -np.inf, 1e200, 1e-200):
        b = v.astype(float).copy()
        b.flat[0] = bad
        out.append(b)
    if v.ndim >= 1 and v.size > 1:
        rep = v.astype(float).copy()
        rep.flat[1:] = rep.flat[0]  # repeated entries (repeated roots for root lists)
        out.append(rep)
    if v.ndim == 2:
        out.append(v.T)
    return out


def _is_numeric_array(v) -> bool:
    try:
        a = np.asarray(v)
    except Exception:
        return False
    return a.dtype.kind in "iufb" and a.dtype != bool


def garbage_for(value: Any) -> list:
    """Garbage tailored to a valid value (plus the generic garbage)."""
    out = list(GENERIC)
    if isinstance(value, (L.LCN, L.FCN, L.ReLUCNN, L.ReLUMLP)):
        out += [
            L.LCN([2], [1]),
            L.LCN([2, 2, 2], [1, 1, 1]),
            L.FCN((2, 3)),
            L.ReLUMLP([3, 2, 1]),
            "net",
        ]
    elif isinstance(value, np.random.Generator):
        out += [0, np.random.RandomState(0)]
    elif isinstance(value, L.SquaredLoss):
        out += [L.SquaredLoss(np.eye(2), np.ones(2)), np.eye(5), np.zeros((3, 7))]
    elif isinstance(value, bool):
        out += [0, "yes"]
    elif isinstance(value, int):
        out += [np.int64(2), 0, -5, 3.0, "3"]
    elif isinstance(value, float):
        out += [np.float64(0.0), -value, 0.0, -1e-300, "0.5"]
    elif isinstance(value, str):
        out += ["bogus", value.upper(), 3]
    elif isinstance(value, sympy.Expr):
        out += [sympy.Symbol("z") ** 2, sympy.Integer(0), sympy.nan, "x**2"]
    elif _is_numeric_array(value):
        out += _variants_of_array(np.asarray(value))
    elif isinstance(value, (list, tuple)) and value and all(_is_numeric_array(x) for x in value):
        items = [np.asarray(x) for x in value]
        out += [items[:-1], [*items, items[-1]], np.concatenate([x.ravel() for x in items])]
        for i in (0, len(items) - 1):
            for bad in _variants_of_array(items[i]):
                out.append([*items[:i], bad, *items[i + 1 :]])
    return out


def finite_everywhere(obj: Any, seen=None) -> bool:
    """True when every float in a (nested) result is finite."""
    if isinstance(obj, (str, bytes, bool, type(None), sympy.Basic, np.random.Generator)):
        return True
    if isinstance(obj, (float, int, complex, np.number)):
        return bool(np.all(np.isfinite(obj)))
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            return bool(np.all(np.isfinite(obj)))
        if obj.dtype == object:
            return all(finite_everywhere(x) for x in obj.ravel())
        return True
    if isinstance(obj, dict):
        return all(finite_everywhere(v) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return all(finite_everywhere(x) for x in obj)
    if dataclasses.is_dataclass(obj):
        return all(finite_everywhere(getattr(obj, f.name)) for f in dataclasses.fields(obj))
    return True


def names_argument(message: str, names) -> bool:
    return any(re.search(rf"(?<![A-Za-z_]){re.escape(n)}(?![A-Za-z_])", message) for n in names)


def run_case(case: Case, arg: str, bad: Any) -> None:
    kwargs = case.kwargs()
    kwargs[arg] = bad
    names = case.aliases.get(arg, (arg,))
    try:
        with np.errstate(all="ignore"), _quiet():
            res = case.fn(**kwargs)
    except (ValueError, TypeError) as exc:
        assert names_argument(str(exc), names), f"{type(exc).__name__} does not name {arg!r}: {exc}"
        return
    assert not case.finite or finite_everywhere(res), f"silent NaN/inf from {arg}={bad!r}: {res!r}"
    if case.law is not None:
        case.law(kwargs, res)


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)


PARAMS = [(name, arg) for name, case in CASES.items() for arg in case.corrupt]


def _default_for(case: Case, arg: str) -> Any:
    kw = case.kwargs()
    if arg in kw:
        return kw[arg]
    fn = case.fn
    try:
        p = inspect.signature(fn).parameters.get(arg)
    except (TypeError, ValueError):
        p = None
    if p is not None and p.default is not inspect.Parameter.empty and p.default is not None:
        return p.default
    return np.eye(2)  # optional arrays (X, Q, origin, ...) default to None: corrupt as arrays


@pytest.mark.parametrize(("name", "arg"), PARAMS, ids=[f"{n}-{a}" for n, a in PARAMS])
def test_garbage_gives_named_error_or_finite_result(name, arg):
    case = CASES[name]
    pool = garbage_for(_default_for(case, arg))

    @settings(max_examples=case.examples, database=None)
    @given(st.sampled_from(pool))
    def check(bad):
        run_case(case, arg, bad)

    check()


@pytest.mark.parametrize("name", sorted(CASES), ids=sorted(CASES))
def test_valid_call_works(name):
    """The table's valid calls succeed (so the garbage tests corrupt a working call)."""
    case = CASES[name]
    kwargs = case.kwargs()
    with _quiet():
        res = case.fn(**kwargs)
    assert not case.finite or finite_everywhere(res)
    if case.law is not None:
        case.law(kwargs, res)


# ------------------------------------------------------------------------------ hand-picked


def test_singular_point_of_example_16():
    """w = (0,0,1,0,0) = pi((0,1,0),(1,0)): a fiber exists and maps back; no silent garbage."""
    with _quiet():
        fib = L.fibers(NET, W16, DELTA)
    assert len(fib) >= 1
    law_end_to_end({"w": W16}, fib.points)
    assert not L.is_smooth_point(NET, W16)


@given(st.floats(-3, 3), st.integers(2, 4))
@settings(max_examples=10)
def test_repeated_roots_factor_back(root, mult):
    """A stride-one filter with a repeated real root: every fiber point maps back to w."""
    net = L.LCN([mult + 1, 2], [1, 1])
    w = L.filter_from_roots([root] * mult + [root + 1.0])
    with _quiet():
        fib = L.fibers(net, w)
    assert len(fib) >= 1
    for p in fib:
        _close(net.end_to_end(p.filters), w, 1e-5)
