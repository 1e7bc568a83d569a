"""Table 1 by computation: verdicts vs the paper, class membership of every sample, and
independent oracles (Thm 14's balanced formula, Ex. 20's numbers, root counts, a closed-form
layer swap)."""

import subprocess
import sys
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lcnn_widgets import FCN, LCN, balanced_velocity
from lcnn_widgets.table1 import (
    CLASSES,
    DETERMINED_TOL,
    FiberSample,
    Table1Result,
    Table1Row,
    interchangeable_layers,
    relative_ntk_difference,
    reproduce_table1,
    sample_fiber,
)

E12 = np.array([[0.0, 1.0], [0.0, 0.0]])


@pytest.fixture(scope="module")
def table():
    return reproduce_table1(rng=np.random.default_rng(3), n_samples=2, n_starts=2)


def _interchangeable_by_definition(net):
    """Independent check of Obs. 11: equal shapes and every stride in between equal to one."""
    shapes, strides = net.filter_shapes, net.strides
    ones = (1,) * net.dim
    out = []
    for i in range(net.n_layers):
        for j in range(i + 1, net.n_layers):
            between = [(s,) if net.is_1d else tuple(s) for s in strides[i:j]]
            if shapes[i] == shapes[j] and all(s == ones for s in between):
                out.append((i, j))
    return out


def _close_up_to_signs(a, b, rtol=1e-6):
    """Whether the filter tuples a and b agree up to a sign per layer."""
    return all(
        min(np.linalg.norm(x - y), np.linalg.norm(x + y)) <= rtol * np.linalg.norm(x)
        for x, y in zip(a, b, strict=True)
    )


# ---------------------------------------------------------------------- verdicts
def test_every_class_is_computed_in_table_order(table):
    assert [r.cls.key for r in table.rows] == [c.key for c in CLASSES]
    assert all(r.n_samples == 2 for r in table.rows)


@pytest.mark.parametrize(
    "key", ["fc_balanced", "fc_generic", "conv1d_strided", "conv1d_stride1", "conv2d"]
)
def test_verdicts_match_the_paper(table, key):
    row = table.row(key)
    assert row.determined == row.cls.paper_verdict
    assert row.agrees
    print(key, row.max_difference)


def test_verdict_values_are_far_from_the_threshold(table):
    """Rounding level for 'yes' rows, order one for 'no' rows: the 1e-8 rule is not borderline."""
    for row in table.rows:
        if row.determined:
            assert row.max_difference < 1e-12
        else:
            assert row.max_difference > 1e-2


def test_interchangeable_2d_layers_contradict_the_paper(table):
    """Thm 13 / Table 1 claim 'yes' for every 2D architecture; with interchangeable layers and
    delta != 0 the computation finds two fiber points with different NTKs."""
    row = table.row("conv2d_swap")
    assert row.cls.paper_verdict and not row.determined and not row.agrees
    assert not table.all_agree
    assert all(s.n_points == 2 for s in row.samples)


def test_swap_oracle_closed_form():
    """Independent of the sampler: (a w_2, w_1 / a) with a = ||w_1|| / ||w_2|| has the same w
    and the same delta as (w_1, w_2), and a different NTK unless the norms are equal."""
    net = LCN([(2, 2), (2, 2)], [(1, 1), (1, 1)])
    rng = np.random.default_rng(5)
    w1, w2 = net.random_filters(rng)
    w2 = 2.0 * w2 / np.linalg.norm(w2) * np.linalg.norm(w1)  # ||w_2|| = 2 ||w_1||
    a = np.linalg.norm(w1) / np.linalg.norm(w2)
    swapped = [a * w2, w1 / a]
    assert np.allclose(net.end_to_end(swapped), net.end_to_end([w1, w2]), atol=1e-14)
    assert np.allclose(net.invariants(swapped), net.invariants([w1, w2]))
    diff = relative_ntk_difference([net.ntk([w1, w2]), net.ntk(swapped)])
    assert diff > 0.1
    # balanced: the swap keeps delta = 0 and Theta (Obs. 11)
    b1, b2 = w1, w2 / 2.0
    assert relative_ntk_difference([net.ntk([b1, b2]), net.ntk([b2, b1])]) < 1e-14


def test_verdict_rule_threshold():
    cls = CLASSES[0]
    net = LCN([2], [1])

    def sample(diff):
        return FiberSample(
            architecture=net,
            theta=(np.ones(2),),
            w=np.ones(2),
            delta=np.zeros(0),
            points=((np.ones(2),),),
            n_points=1,
            method="test",
            difference=diff,
            residual=0.0,
        )

    assert Table1Row(cls, (sample(1e-15), sample(0.9 * DETERMINED_TOL)), 0.0).determined
    assert not Table1Row(cls, (sample(1e-15), sample(1.1 * DETERMINED_TOL)), 0.0).determined


# ---------------------------------------------------------------------- class membership
def _check_lcn_points(s):
    net = s.architecture
    for p in s.points:
        assert np.linalg.norm(net.end_to_end(p) - s.w) <= 1e-9 * np.linalg.norm(s.w)
        assert np.allclose(net.invariants(p), s.delta, rtol=1e-9, atol=1e-9)
    # the drawn theta (it has invariants delta) is one of the fiber points, up to signs
    assert any(_close_up_to_signs(s.theta, p) for p in s.points)


def test_fc_balanced_samples(table):
    for s in table.row("fc_balanced").samples:
        net = s.architecture
        assert isinstance(net, FCN)
        assert all(np.allclose(d, 0) for d in s.delta)
        for p in s.points:
            assert np.allclose(net.product(p), s.w, atol=1e-12)
            assert net.is_balanced(p)


def test_fc_generic_samples(table):
    for s in table.row("fc_generic").samples:
        net = s.architecture
        assert isinstance(net, FCN)
        assert min(net.end_to_end_shape) >= 2  # a 1 x 1 output would make Theta a scalar
        scale = max(float(np.sum(w**2)) for w in s.theta)
        assert max(np.linalg.norm(d) for d in s.delta) > 1e-3 * scale  # not balanced
        for p in s.points:
            assert np.allclose(net.product(p), s.w, atol=1e-10)
            for d, dp in zip(s.delta, net.invariants(p), strict=True):
                assert np.allclose(dp, d, atol=1e-9)


def test_conv1d_strided_samples(table):
    for s in table.row("conv1d_strided").samples:
        net = s.architecture
        assert isinstance(net, LCN) and net.is_1d
        assert all(st_ > 1 for st_ in net.strides[:-1])
        assert all(k >= 2 for k in net.filter_sizes)
        assert s.n_points == 1  # Thm 4: one point up to signs
        assert len(s.points) == 2 ** (net.n_layers - 1)  # ... with all its sign variants
        _check_lcn_points(s)


def test_conv1d_stride_one_samples(table):
    for s in table.row("conv1d_stride1").samples:
        net = s.architecture
        assert isinstance(net, LCN) and net.is_1d
        assert any(st_ == 1 for st_ in net.strides[:-1])
        assert s.n_points >= 2
        _check_lcn_points(s)


@pytest.mark.parametrize("key", ["conv2d", "conv2d_swap"])
def test_conv2d_samples(table, key):
    for s in table.row(key).samples:
        net = s.architecture
        assert isinstance(net, LCN) and net.dim == 2
        assert all(sum(k > 1 for k in shp) >= 2 for shp in net.filter_shapes)
        pairs = _interchangeable_by_definition(net)
        assert (len(pairs) > 0) == (key == "conv2d_swap")
        assert interchangeable_layers(net) == pairs
        _check_lcn_points(s)


# ---------------------------------------------------------------------- oracles
def test_balanced_ntk_is_the_formula_of_eq_6(table):
    """Thm 14 / eq. (6): at balanced weights Theta(Z) = sum_j (W W^T)^{(L-j)/L} Z
    (W^T W)^{(j-1)/L}, a function of W alone; every sampled point must satisfy it."""
    rng = np.random.default_rng(0)
    for s in table.row("fc_balanced").samples:
        net = s.architecture
        Z = rng.standard_normal(net.end_to_end_shape)
        expected = -balanced_velocity(s.w, Z, net.n_layers)
        for p in s.points:
            got = (net.ntk(p) @ Z.ravel()).reshape(Z.shape)
            assert np.allclose(got, expected, atol=1e-10)


def test_example_20_numbers():
    """MATH.md Sec. 11: Theta(E_12) = E_12 / 2 for (A, A^-1) and 8 E_12 for (A Q, Q^T A^-1)."""
    s = sample_fiber("fc_generic", rng=np.random.default_rng(0), worked_example=True)
    net = s.architecture
    first, second = s.points[0], s.points[1]
    assert np.allclose(first[0], np.diag([2.0, 0.5]))
    assert np.allclose(second[0], [[0.0, 2.0], [0.5, 0.0]])
    T1 = (net.ntk(first) @ E12.ravel()).reshape(2, 2)
    T2 = (net.ntk(second) @ E12.ravel()).reshape(2, 2)
    assert np.allclose(T1, 0.5 * E12) and np.allclose(T2, 8.0 * E12)
    for d in s.delta:
        assert np.allclose(d, np.diag([-15 / 4, 15 / 4]))
    scale = max(np.linalg.norm(net.ntk(p)) for p in s.points)
    assert s.difference >= 7.5 / scale  # ||Theta' - Theta||_F >= |(Theta' - Theta)(E_12)|


def test_example_19_three_factorizations():
    """MATH.md Sec. 9: a cubic with three distinct real roots has 3 factorizations."""
    s = sample_fiber("conv1d_stride1", rng=np.random.default_rng(1), worked_example=True)
    assert s.architecture == LCN([3, 2], [1, 1])
    assert s.n_points == 3 and s.difference > DETERMINED_TOL


@settings(max_examples=12)
@given(seed=st.integers(0, 2**16))
def test_random_strided_1d_fibers_are_single_points(seed):
    s = sample_fiber("conv1d_strided", rng=np.random.default_rng(seed))
    assert s.n_points == 1 and s.difference < DETERMINED_TOL


@settings(max_examples=12)
@given(seed=st.integers(0, 2**16))
def test_stride_one_root_count(seed):
    """Two layers in the same variable with only real, distinct roots: the k_1 - 1 roots of
    layer 1 can be any of the k_1 + k_2 - 2 roots, so there are C(k_1 + k_2 - 2, k_1 - 1)
    factorizations (more layers: at least 2)."""
    s = sample_fiber("conv1d_stride1", rng=np.random.default_rng(seed))
    net = s.architecture
    if net.n_layers == 2:
        k1, k2 = net.filter_sizes
        assert s.n_points == comb(k1 + k2 - 2, k1 - 1)
    else:
        assert s.n_points >= 2


def test_relative_ntk_difference_by_hand():
    assert relative_ntk_difference([np.eye(2)]) == 0.0
    assert relative_ntk_difference([np.zeros((2, 2)), np.zeros((2, 2))]) == 0.0
    got = relative_ntk_difference([np.eye(2), 2 * np.eye(2), np.eye(2)])
    assert got == pytest.approx(np.sqrt(2) / np.sqrt(8))


# ---------------------------------------------------------------------- errors
def test_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator"):
        reproduce_table1(rng=0)
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        reproduce_table1(rng=rng, n_samples=0)
    with pytest.raises(ValueError, match="unknown class 'nope'"):
        reproduce_table1(rng=rng, classes=["nope"])
    with pytest.raises(TypeError, match="classes must be a sequence of class keys"):
        reproduce_table1(rng=rng, classes="fc_generic")
    with pytest.raises(ValueError, match="at least one class"):
        reproduce_table1(rng=rng, classes=[])
    with pytest.raises(TypeError, match="given by its key"):
        sample_fiber(3, rng=rng)
    with pytest.raises(TypeError, match="rng must be"):
        sample_fiber("conv2d", rng=None)
    with pytest.raises(ValueError, match="n_starts must lie between 0 and"):
        sample_fiber("conv2d", rng=rng, n_starts=-1)
    with pytest.raises(ValueError, match="at least one matrix"):
        relative_ntk_difference([])
    with pytest.raises(ValueError, match=r"ntks\[1\] must have the shape"):
        relative_ntk_difference([np.eye(2), np.eye(3)])
    with pytest.raises(ValueError, match=r"ntks\[0\] must be finite"):
        relative_ntk_difference([np.full((2, 2), np.nan)])
    with pytest.raises(TypeError, match="net must be an LCN"):
        interchangeable_layers(FCN((2, 2)))
    res = reproduce_table1(rng=rng, n_samples=1, classes=["conv1d_strided"])
    assert isinstance(res, Table1Result)
    with pytest.raises(ValueError, match="was not computed"):
        res.row("fc_generic")


def test_command_rejects_bad_counts(capsys):
    from lcnn_widgets.__main__ import main

    assert main(["table1", "--samples", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--samples must be >= 1" in err


# ---------------------------------------------------------------------- the command
def test_command_prints_every_class():
    out = subprocess.run(
        [sys.executable, "-m", "lcnn_widgets", "table1", "--samples", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    for cls in CLASSES:
        assert cls.name in out.stdout and cls.paper_text in out.stdout
    assert "total run time:" in out.stdout
    assert "(!) conv2d_swap" in out.stdout


# ---------------------------------------------------------------------- plot
def test_plot_ntk_differences_draws_the_data(table):
    from lcnn_widgets.plotting import plot_ntk_differences

    floor = 1e-17
    ax = plot_ntk_differences(table, floor=floor)
    by_gid = {c.get_gid(): c for c in ax.collections}
    for row in table.rows:
        shown = by_gid[f"class_{row.cls.key}"].get_offsets()[:, 1]
        clipped = by_gid[f"clipped_{row.cls.key}"].get_offsets()[:, 1]
        d = row.differences
        assert np.allclose(np.sort(shown), np.sort(d[d >= floor]))
        assert clipped.size == np.sum(d < floor) and np.all(clipped == floor)
    line = next(ln for ln in ax.get_lines() if ln.get_gid() == "threshold")
    assert np.all(np.asarray(line.get_ydata()) == DETERMINED_TOL)
    assert ax.get_yscale() == "log"
    assert len(ax.get_xticklabels()) == len(table.rows)


def test_plot_ntk_differences_errors(table):
    from lcnn_widgets.plotting import plot_ntk_differences

    with pytest.raises(TypeError, match="result must be a Table1Result"):
        plot_ntk_differences({"a": [1.0]})
    with pytest.raises(ValueError, match="floor must be a positive number"):
        plot_ntk_differences(table, floor=0.0)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_ntk_differences(table, ax="nope")


def test_format_options(table):
    full = table.format()
    short = table.format(times=False, floor=1e-12)
    lines = short.splitlines()
    assert len(lines) == 2 + len(table.rows) and "time" not in lines[0] and "time" in full
    for row, line in zip(table.rows, lines[2:], strict=True):
        assert line.startswith(row.cls.name)
        if row.max_difference < 1e-12:
            assert "< 1e-12" in line
        else:
            assert f"{row.max_difference:.1e}" in line
    assert str(table) == full
