"""The architecture report (lcnn_widgets.describe), its command line and its widget."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from lcnn_widgets import LCN, count_real_factorizations, fibers, running_example_F
from lcnn_widgets.describe import MAX_OUTPUTS, describe, parse_architecture
from lcnn_widgets.implicit import coordinate_symbols, vanishes_on_neuromanifold
from lcnn_widgets.stride_one import stride_one_factorization_count

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rep15():
    return describe(LCN([3, 2], [2, 1]))


@pytest.fixture(scope="module")
def rep19():
    return describe(LCN([3, 2], [1, 1]))


@pytest.fixture(scope="module")
def rep_swap():
    return describe(LCN([(2, 2), (2, 2)], [1, 1]), max_degree=3)


# ------------------------------------------------------------------ Ex. 15
def test_ex15_codim_one_and_the_cubic(rep15):
    assert rep15.dim_formula == 4 and rep15.codim == 1 and set(rep15.ranks) == {4}
    eq = rep15.implicit.equations[0]
    w = coordinate_symbols(rep15.net)
    F = w[0] * w[3] ** 2 - w[1] * w[2] * w[3] + w[1] ** 2 * w[4]
    assert sp.cancel(eq / F).is_number
    pt = np.random.default_rng(5).standard_normal(5)
    ratio = float(eq.subs(dict(zip(w, pt, strict=True)))) / running_example_F(pt)
    assert ratio == pytest.approx(float(sp.cancel(eq / F)))


def test_ex15_fibers_and_ntk(rep15):
    assert rep15.unique_expected and rep15.fiber_counts == (1, 1, 1) and rep15.blocks == ()
    assert rep15.ntk.determined and rep15.ntk.agrees_with_paper
    assert rep15.ntk.max_difference < 1e-12


# ------------------------------------------------------------------ Ex. 19
def test_ex19_fills_the_cubics(rep19):
    assert rep19.codim == 0 and rep19.implicit is None and "fills" in rep19.implicit_note
    assert set(rep19.ranks) == {4}


def test_ex19_counts_one_and_three(rep19):
    (block,) = rep19.blocks
    assert block.layers == (1, 2) and block.degrees == (2, 1)
    assert block.counts == (1, 3) and block.verified == (1, 3)
    # the examples: a cubic with one real root / three real roots, checked independently
    for c, w in zip(block.counts, block.example_filters, strict=True):
        roots = np.roots(w[::-1])
        assert stride_one_factorization_count(roots, [2, 1]) == c
        assert len(fibers(LCN([3, 2], [1, 1]), w)) == c
    # the paper's cubic x^3 - x y^2 and its partner x^3 + x y^2
    assert count_real_factorizations(rep19.net, [1, 0, -1, 0]) == 3
    assert count_real_factorizations(rep19.net, [1, 0, 1, 0]) == 1
    assert set(rep19.fiber_counts) <= {1, 3}


def test_ex19_ntk_not_determined(rep19):
    assert not rep19.ntk.determined and rep19.ntk.paper_determined is False
    assert min(rep19.ntk.balanced_differences) > 1e-2  # even balanced points differ (Ex. 19)


# ------------------------------------------------------------------ Table 1 classes
@pytest.mark.parametrize(
    "sizes,strides,determined",
    [
        ([3, 2, 2], [2, 3, 1], True),  # 1D, strides > 1 (Thm 4)
        ([2, 2, 2], [1, 2, 1], False),  # 1D, a stride one (Sec. 2.3)
        ([(2, 2), (2, 2)], [(2, 2), (1, 1)], True),  # 2D, no interchangeable layers (Thm 13)
        ([(2, 2), (2, 3)], [(1, 1), (1, 1)], True),  # 2D, strides one but different shapes
    ],
)
def test_table1_classes(sizes, strides, determined):
    rep = describe(LCN(sizes, strides), max_degree=2)
    assert rep.ntk.determined == determined
    assert rep.ntk.agrees_with_paper
    assert rep.ntk.expected_determined == determined
    assert rep.unique_expected == determined


def test_swap_case_is_flagged(rep_swap):
    assert rep_swap.interchangeable == ((1, 2),)
    assert rep_swap.fiber_counts == (2, 2, 2)
    v = rep_swap.ntk
    assert v.paper_determined and not v.determined and v.agrees_with_paper is False
    assert v.max_difference > 1e-2 and max(v.balanced_differences) < 1e-12
    assert v.expected_determined is False
    text = str(rep_swap)
    assert "corrected statement" in text and "interchangeable layers" in text


def test_swap_case_equations_are_sextics_that_vanish():
    net = LCN([(2, 2), (2, 2)], [1, 1])
    rep = describe(net, max_degree=6, implicit_budget_s=300)
    assert rep.implicit.status == "found" and set(rep.implicit.degrees) == {6}
    for eq in rep.implicit.equations[:4]:
        assert vanishes_on_neuromanifold(net, eq)


def test_thin_2d_layer_uses_the_numerical_fibers():
    rep = describe(LCN([(1, 3), (2, 2)], [1, 1]), max_degree=1)
    assert "Cor. 10" in rep.hypotheses[0] and "fail" in rep.hypotheses[0]
    assert rep.ntk.paper_determined is None and "numerical" in rep.fiber_method


# ------------------------------------------------------------------ dimension
def _random_architecture(rng):
    L = int(rng.integers(1, 4))
    if rng.random() < 0.6:
        sizes = [int(k) for k in rng.integers(1, 4, size=L)]
        strides = [int(s) for s in rng.integers(1, 4, size=L)]
    else:
        sizes = [tuple(int(k) for k in rng.integers(1, 3, size=2)) for _ in range(L)]
        strides = [tuple(int(s) for s in rng.integers(1, 3, size=2)) for _ in range(L)]
    return LCN(sizes, strides)


@pytest.mark.parametrize("i", range(10))
def test_dimension_matches_the_formula_on_random_architectures(i):
    net = _random_architecture(np.random.default_rng(100 + i))
    rep = describe(net, max_degree=1, n_points=2)
    # the formula, from the sizes; and an independent rank from finite differences
    formula = sum(int(np.prod(s)) for s in net.filter_shapes) - (net.n_layers - 1)
    assert rep.dim_formula == formula and set(rep.ranks) == {formula}
    fs = net.random_filters(np.random.default_rng(i))
    theta = net.flatten(fs)
    h = 1e-6
    cols = [
        (
            net.end_to_end(net.unflatten(theta + h * e))
            - net.end_to_end(net.unflatten(theta - h * e))
        ).ravel()
        / (2 * h)
        for e in np.eye(theta.size)
    ]
    assert np.linalg.matrix_rank(np.array(cols).T, tol=1e-6) == formula
    assert rep.codim == net.n_outputs - formula


# ------------------------------------------------------------------ parsing and bad input
def test_parse_architecture():
    assert parse_architecture("3, 2", "2,1") == LCN([3, 2], [2, 1])
    assert parse_architecture("2x3,2x2", "2,1") == LCN([(2, 3), (2, 2)], [2, 1])
    assert parse_architecture("2X2", "1x2") == LCN([(2, 2)], [(1, 2)])


@pytest.mark.parametrize(
    "sizes,strides,match",
    [
        ("", "1", "must list one entry per layer"),
        ("3,,2", "1,1", "must list one entry per layer"),
        ("3,a", "2,1", "'a' is not a positive integer"),
        ("3.5,2", "2,1", "'3.5' is not a positive integer"),
        ("0,2", "1,1", "positive integers"),
        ("3,2", "2", "one entry per layer: got 1 strides for 2 layers"),
        ("3,2x2", "1,1", "mixes dimensions"),
        ("2x2,2x2", "2x1x1,1", "must have 2 entries"),
        ("3,2", "2x1,1", "must be an int for a 1D network"),
    ],
)
def test_bad_text_gives_clear_messages(sizes, strides, match):
    with pytest.raises(ValueError, match=match):
        parse_architecture(sizes, strides)


def test_non_strings_and_limits():
    with pytest.raises(TypeError, match="must be a string"):
        parse_architecture([3, 2], "2,1")
    with pytest.raises(ValueError, match=f"at most {MAX_OUTPUTS} coefficients"):
        describe(LCN([MAX_OUTPUTS + 1], [1]))
    with pytest.raises(TypeError, match=r"must be an LCN|must be a network"):
        describe("3,2")
    with pytest.raises(ValueError, match="n_points"):
        describe(LCN([3, 2], [2, 1]), n_points=0)


def test_report_is_reproducible(rep15):
    assert str(describe(LCN([3, 2], [2, 1]))) == str(rep15)


# ------------------------------------------------------------------ command line
def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lcnn_widgets", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )


def test_cli_running_example():
    out = _cli("describe", "--sizes", "3,2", "--strides", "2,1")
    assert out.returncode == 0, out.stderr
    assert "codimension in R^5: 1" in out.stdout and "w0*w3**2" in out.stdout


def test_cli_two_dimensional_sizes():
    out = _cli("describe", "--sizes", "2x2,2x2", "--strides", "1,1", "--max-degree", "2")
    assert out.returncode == 0, out.stderr
    assert "interchangeable layers" in out.stdout and "corrected statement" in out.stdout


@pytest.mark.parametrize(
    "args,match",
    [
        (["describe", "--sizes", "3,a", "--strides", "2,1"], "'a' is not a positive integer"),
        (["describe", "--sizes", "3,2", "--strides", "2"], "one entry per layer"),
        (["describe", "--sizes", "3,2"], "required: --strides"),
        (["describe", "--sizes", "3,2", "--strides", "2,1", "--seed", "x"], "invalid int value"),
        (["describe", "--sizes", "3,2", "--strides", "2,1", "--budget", "-1"], "must be positive"),
        ([], "required: command"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_code_2(args, match):
    out = _cli(*args)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and match in lines[0]


def test_cli_closed_pipe_exits_quietly():
    # as `... | head -1` once head has exited: the read end is closed before anything is written
    command = [sys.executable, "-m", "lcnn_widgets", "describe", "--sizes", "2,2"]
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        out = subprocess.run(
            [*command, "--strides", "2,1"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
    finally:
        os.close(write_end)
    assert out.stderr == "" and out.returncode == 141  # 128 + SIGPIPE, as for cat or seq


# ------------------------------------------------------------------ widget
def test_widget_shows_the_report_and_keeps_it_on_bad_input():
    from lcnn_widgets.widgets import explore_describe

    ex = explore_describe()
    assert ex.error is None and "w0*w3**2" in ex.readout.value
    assert ex.result.fiber_size == 1 and ex.result.report.net == LCN([3, 2], [2, 1])
    image, readout = ex.image.value, ex.readout.value
    ex.set_values(sizes="3,a")
    assert "is not a positive integer" in ex.error and "Cannot draw this" in ex.message.value
    assert ex.image.value == image and ex.readout.value == readout
    ex.set_values(sizes="3,2", strides="1,1")
    assert ex.error is None and ex.result.fiber_size == count_real_factorizations(
        ex.result.report.net, ex.result.w
    )
    ex.set_values(sizes="2x2,2x2")
    assert ex.error is None and "interchangeable" in ex.readout.value


def test_describe_widget_reuses_its_1d_panels_and_draws_what_a_fresh_widget_draws():
    """The appendix widget keeps its 1D panel from one 1D architecture to the next (no new
    axes); after a series of entries (1D, 2D, 1D with more layers) every picture equals,
    pixel for pixel, the picture of a widget built at that entry."""
    import io

    from PIL import Image

    from lcnn_widgets.widgets import explore_describe

    def pixels(explorer):
        return np.asarray(Image.open(io.BytesIO(explorer.render())))

    widget = explore_describe()
    panels = list(widget.figure.axes)
    for sizes, strides in [("4,2", "2,1"), ("2x2,2x2", "1,1"), ("4,3,2", "2,2,1"), ("3,3", "1,1")]:
        widget.controls["strides"].value = strides
        widget.controls["sizes"].value = sizes
        if sizes == "4,2":  # 1D after 1D: the same two panels
            assert widget.figure.axes == panels
        assert np.array_equal(
            pixels(widget), pixels(explore_describe(sizes=sizes, strides=strides))
        )
    assert [a.get_gid() for a in widget.figure.axes] == ["roots"]
