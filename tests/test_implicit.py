"""Implicit equations of the neuromanifold (lcnn_widgets.implicit): found, and exact."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from lcnn_widgets import LCN, running_example_F
from lcnn_widgets.implicit import (
    coordinate_symbols,
    implicit_equations,
    symbolic_end_to_end,
    vanishes_on_neuromanifold,
)


def _numerically_zero(net, eq, rng, n=5):
    xs = coordinate_symbols(net)
    f = sp.lambdify(xs, eq, "numpy")
    for _ in range(n):
        w = net.end_to_end(net.random_filters(rng)).ravel()
        scale = np.linalg.norm(w) ** sp.Poly(eq, *xs).total_degree()
        assert abs(f(*w)) <= 1e-10 * scale


def test_running_example_gives_the_cubic_of_ex15_up_to_scale():
    net = LCN([3, 2], [2, 1])
    res = implicit_equations(net)
    assert res.status == "found" and res.codim == 1 and res.degrees == (3,)
    w0, w1, w2, w3, w4 = coordinate_symbols(net)
    F = w0 * w3**2 - w1 * w2 * w3 + w1**2 * w4  # Ex. 15, typed in independently
    ratio = sp.cancel(res.equations[0] / F)
    assert ratio.is_number and ratio != 0
    rng = np.random.default_rng(1)
    for w in rng.standard_normal((4, 5)):  # and against the package's own F
        got = float(res.equations[0].subs(dict(zip((w0, w1, w2, w3, w4), w, strict=True))))
        assert got == pytest.approx(float(ratio) * running_example_F(w), rel=1e-9)


def test_symbolic_end_to_end_matches_the_numeric_map():
    net = LCN([(2, 3), (2, 2)], [(2, 1), 1])
    R, w = symbolic_end_to_end(net)
    fs = net.random_filters(np.random.default_rng(0))
    values = [float(v) for f in fs for v in f.ravel()]
    got = np.array([float(p(*values)) if p != R.zero else 0.0 for p in w])
    assert np.allclose(got, net.end_to_end(fs).ravel(), atol=1e-12)


@pytest.mark.parametrize(
    "sizes,strides",
    [
        ([2, 2], [2, 1]),
        ([3, 3], [2, 1]),
        ([2, 3], [3, 1]),
        ([2, 2, 2], [2, 1, 1]),
        ([(2, 2), (2, 2)], [(2, 2), 1]),
        ([(1, 3), (2, 2)], [1, 1]),
    ],
)
def test_every_equation_vanishes_identically_on_pi(sizes, strides):
    net = LCN(sizes, strides)
    res = implicit_equations(net, budget_s=60)
    assert res.equations, res.summary()
    for eq in res.equations:
        assert vanishes_on_neuromanifold(net, eq)  # exact substitution, independent cache
    for eq in res.equations[:5]:
        _numerically_zero(net, eq, np.random.default_rng(7))


def test_two_by_two_minor_for_two_filters_of_length_two():
    # w = (a0 b0, a1 b0, a0 b1, a1 b1): the matrix [[w0, w1], [w2, w3]] has rank one
    net = LCN([2, 2], [2, 1])
    w0, w1, w2, w3 = coordinate_symbols(net)
    res = implicit_equations(net)
    assert len(res.equations) == 1
    assert sp.cancel(res.equations[0] / (w0 * w3 - w1 * w2)).is_number


def test_gaps_of_a_large_stride_are_linear_equations():
    # stride 3 after a filter of length 2 leaves w2 = w5 = 0 (eq. 8)
    net = LCN([2, 3], [3, 1])
    xs = coordinate_symbols(net)
    res = implicit_equations(net)
    linear = {e for e, d in zip(res.equations, res.degrees, strict=True) if d == 1}
    assert linear == {xs[2], xs[5]}


def test_codimension_zero_has_no_equations():
    res = implicit_equations(LCN([3, 2], [1, 1]))
    assert res.status == "none" and res.equations == () and res.codim == 0


def test_degree_cap_says_not_found_and_gives_nothing():
    res = implicit_equations(LCN([3, 2], [2, 1]), max_degree=2)
    assert res.status == "not found" and res.equations == () and res.searched_degree == 2
    assert "not found up to degree 2" in res.summary()


def test_exhausted_time_budget_gives_nothing_unverified():
    res = implicit_equations(LCN([3, 2], [2, 1]), budget_s=1e-9)
    assert res.equations == () and res.stopped_by == "time"
    assert res.summary().startswith("not found up to degree 0")


def test_vanishes_rejects_what_does_not_vanish_and_foreign_symbols():
    net = LCN([3, 2], [2, 1])
    w0, _w1, w2, _w3, w4 = coordinate_symbols(net)
    assert not vanishes_on_neuromanifold(net, w0 * w4 - w2**2)
    with pytest.raises(ValueError, match="must use only the coordinates"):
        vanishes_on_neuromanifold(net, sp.Symbol("z") * w0)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"budget_s": -1.0}, "budget_s must be positive"),
        ({"max_degree": 0}, "max_degree"),
        ({"max_monomials": 0}, "max_monomials"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        implicit_equations(LCN([3, 2], [2, 1]), **kwargs)


def test_not_a_network():
    with pytest.raises(TypeError, match="must be a network"):
        implicit_equations([3, 2])
