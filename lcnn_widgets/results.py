"""Registry of the paper's numbered results and where the book explains and checks each one.

Every entry names a result of Achour, Kohn and Rauhut (arXiv 2507.06367) by its paper label,
the chapter and label that explain it, the notebook cell (by tag) and the tests that check it.
``python -m lcnn_widgets.results [--check]`` writes (or compares) ``book/result_map.md``.

Examples
--------
>>> from lcnn_widgets.results import RESULTS, result
>>> result("Thm 4").chapter
'03_fibers'
>>> all(r.tests for r in RESULTS if r.chapter is not None)
True
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RESULTS", "Result", "main", "paper_name", "render_result_map", "result"]


@dataclass(frozen=True)
class Result:
    """One numbered result of the paper and where the book treats it.

    ``label`` is the paper's (``"Thm 4"``, ``"eq. 9"``), ``summary`` a few words of ours,
    ``chapter`` the notebook stem (None: not treated), ``ref`` its sphinx-proof (``kind="prf"``)
    or equation (``kind="eq"``) label there, ``cell_tag`` the verifying cell, ``tests`` pytest
    node ids, ``note`` remarks. ``statement`` is the label of the box or equation that *is* the
    result: the build (``book/_ext/paper_numbers.py``) names it by :attr:`name`; None when the
    result sits inside another box (which keeps a book name).
    """

    label: str
    summary: str
    chapter: str | None = None
    ref: str | None = None
    kind: str = "prf"
    cell_tag: str | None = None
    tests: tuple[str, ...] = ()
    note: str = ""
    statement: str | None = None

    @property
    def name(self) -> str:
        """The paper's own name of the result: ``"Theorem 4"``, ``"Equation (9)"``."""
        return paper_name(self.label)

    @property
    def number(self) -> str:
        """The paper's number of the result as a string, e.g. ``"4"`` for ``"Thm 4"``."""
        return self.label.split()[-1]


# fmt: off
_KINDS = {"Thm": "Theorem", "Prop.": "Proposition", "Lemma": "Lemma", "Cor.": "Corollary",
          "Obs.": "Observation", "Ex.": "Example", "Remark": "Remark", "Sec.": "Section",
          "Table": "Table"}
# fmt: on


def paper_name(label: str) -> str:
    """The paper's name for a registry label (``"Thm 4"``, ``"eq. 9"``), as the book shows it.

    ValueError for an unknown kind or a number that is not a positive integer.

    Examples
    --------
    >>> paper_name("Cor. 6"), paper_name("eq. 12")
    ('Corollary 6', 'Equation (12)')
    """
    kind, _, number = label.rpartition(" ")
    if not number.isdigit() or int(number) < 1:
        raise ValueError(f"label must end in a positive integer, e.g. 'Thm 4': got {label!r}")
    if kind == "eq.":
        return f"Equation ({number})"
    if kind not in _KINDS:
        raise ValueError(f"label kind must be one of {[*sorted(_KINDS), 'eq.']}: got {label!r}")
    return f"{_KINDS[kind]} {number}"


_F, _M, _R = "tests/test_fibers.py", "tests/test_metric.py", "tests/test_rescale.py"
_D, _H, _W = "tests/test_dense.py", "tests/test_higher_dim.py", "tests/test_flows.py"

# A data table: one compact entry per result reads better than one line per field.
# fmt: off
RESULTS: tuple[Result, ...] = (
    Result("eq. 1", "the conserved invariants δ_l", "02_invariants", "eq-invariants", "eq",
           "verify-eq1",
           ("tests/test_invariants.py::test_pairings_equal_finite_difference_pairings_and_euler",
            f"{_W}::test_invariants_conserved_and_loss_decreasing_up_to_t_100"),
            statement="eq-invariants"),
    Result("eq. 2", "a strided one-dimensional convolution", "01_polynomials", "eq-conv-stride",
           "eq", "verify-eq2", ("tests/test_lcn.py::test_conv_equals_naive_double_loop",),
           statement="eq-conv-stride"),
    Result("eq. 3", "gradient flow of the loss in parameter space", "05_convergence",
           "eq-conv-function-flow", "eq", "verify-eq3",
           (f"{_W}::test_gradient_matches_finite_differences_of_the_definition",),
           "the chapter states the parameter flow in words and the induced function-space "
           "flow as a numbered equation"),
    Result("eq. 4", "gradient flow of a fully connected network", "08_fully_connected",
           "eq-fc-flow", "eq", "verify-eq4",
           (f"{_D}::test_layer_gradients_equal_finite_differences_of_the_loss",),
           statement="eq-fc-flow"),
    Result("eq. 5", "conserved matrices of a fully connected network", "08_fully_connected",
           "eq-fc-invariants", "eq", "verify-eq5",
           (f"{_D}::test_invariants_conserved_along_parameter_flow",),
           statement="eq-fc-invariants"),
    Result("eq. 6", "the balanced flow in function space", "08_fully_connected",
           "eq-fc-balanced-flow", "eq", "verify-eq6",
           (f"{_D}::test_balanced_flow_equals_parameter_flow",), statement="eq-fc-balanced-flow"),
    Result("eq. 7", "the NTK of a fully connected network", "08_fully_connected", "eq-fc-ntk",
           "eq", "verify-eq7", (f"{_D}::test_ntk_apply_equals_matrix_on_row_major_vec",),
           statement="eq-fc-ntk"),
    Result("eq. 8", "composition is a product of sparse polynomials", "01_polynomials",
           "eq-form-product", "eq", "verify-eq8",
           ("tests/test_polynomials.py::test_sympy_product_equals_end_to_end_exactly",),
           statement="eq-form-product"),
    Result("eq. 9", "the tangent space at fixed invariants", "04_metric", "eq-metric-tangent",
           "eq", "verify-eq9", (f"{_M}::test_tangent_space_is_orthonormal_row_space_of_J",),
           statement="eq-metric-tangent"),
    Result("eq. 10", "convolution and composition over several axes", "07_higher_dim",
           "eq-hd-product", "eq", "verify-lemma9",
           ("tests/test_polynomials.py::test_sympy_product_equals_end_to_end_in_3d",),
           statement="eq-hd-product"),
    Result("eq. 11", "the swap identity of Obs. 11(a): interchangeable layers commute in π",
           "07_higher_dim", "obs-hd-swap", "prf", "verify-obs11",
           (f"{_H}::test_swap_keeps_pi_and_theta_and_permutes_j",),
           "stated inside Obs. 11; the book checks it with the observation"),
    Result("eq. 12", "the rescaling conditions in the proof of Prop. 2", "02_invariants",
           "eq-rescaling-equation", "eq", "verify-prop2", (f"{_R}::test_rescaling_is_unique",),
           "the book reduces the conditions to one monotone equation in one unknown; the "
           "paper's intermediate forms (12)-(14) are not reproduced one by one"),
    Result("eq. 13", "the conditions as one equation", "02_invariants", "eq-rescaling-equation",
           "eq", "verify-prop2",
           ("tests/test_invariants.py::test_log_product_monotone_with_root_at_rescaled_point",),
           "treated together with eq. 12 and eq. 14"),
    Result("eq. 14", "one unknown, a monotone left-hand side", "02_invariants",
           "eq-rescaling-equation", "eq", "verify-prop2",
           ("tests/test_invariants.py::test_log_product_monotone_with_root_at_rescaled_point",),
           "treated together with eq. 12 and eq. 13"),
    Result("Prop. 2", "rescaling to prescribed invariants, uniquely", "02_invariants",
           "prop-rescaling", "prf", "verify-prop2",
           (f"{_R}::test_rescale_hits_delta_keeps_pi", f"{_R}::test_rescaling_is_unique"),
           statement="prop-rescaling"),
    Result("Obs. 3", "the NTK is the sum of the layer blocks J_l J_lᵀ", "02_invariants",
           "obs-inv-jacobian-blocks", "prf", "verify-obs3",
           ("tests/test_book_ch01_03.py::test_jacobian_block_by_block_and_ntk_as_sum_of_blocks",),
           statement="obs-inv-jacobian-blocks"),
    Result("Thm 4", "strides > 1: one fiber point up to signs", "03_fibers", "thm-fib-unique",
           "prf", "verify-thm4",
           (f"{_F}::test_generic_fiber_is_one_point_up_to_signs",
            f"{_F}::test_generic_fiber_property"), statement="thm-fib-unique"),
    Result("Lemma 5", "lifting tangent vectors to the level set", "04_metric",
           "lem-metric-lift", "prf", "verify-lemma5",
           (f"{_M}::test_lift_lies_in_tangent_space_and_maps_to_a",
            "tests/test_book_ch04_06.py::"
            "test_lemma_5_holds_wherever_rank_J_is_dim_M_including_stride_one"),
           "the book states it wherever rank J = dim M, at any strides",
           statement="lem-metric-lift"),
    Result("Cor. 6", "the pushforward metric and the Riemannian flow", "04_metric",
           "cor-metric-pushforward", "prf", "verify-cor6",
           (f"{_M}::test_pushforward_of_parameter_gradient_both_ways",
            f"{_W}::test_function_space_flow_reproduces_parameter_flow_strides_above_one"),
            statement="cor-metric-pushforward"),
    Result("Thm 7", "convergence to a critical point", "05_convergence", "thm-conv-critical",
           "prf", "verify-thm7",
           (f"{_W}::test_random_initializations_converge_to_nonzero_critical_points",),
           statement="thm-conv-critical"),
    Result("Prop. 8", "the zero function is avoided", "05_convergence", "prop-conv-nonzero",
           "prf", "verify-prop8",
           (f"{_W}::test_one_zero_filter_gives_a_negative_hessian_eigenvalue",
            f"{_W}::test_zero_parameters_are_a_strict_saddle_for_two_layers"),
            statement="prop-conv-nonzero"),
    Result("Lemma 9", "composition over several axes", "07_higher_dim", "lem-hd-product", "prf",
           "verify-lemma9", (f"{_H}::test_lemma_9_product_of_forms_in_2d",),
           statement="lem-hd-product"),
    Result("Cor. 10", "unique factorization over several axes", "07_higher_dim",
           "cor-hd-unique", "prf", "verify-cor10",
           (f"{_H}::test_factorization_recovers_the_layers",), statement="cor-hd-unique"),
    Result("Obs. 11", "swapping interchangeable layers", "07_higher_dim", "obs-hd-swap", "prf",
           "verify-obs11", (f"{_H}::test_swap_keeps_pi_and_theta_and_permutes_j",),
           statement="obs-hd-swap"),
    Result("Prop. 12", "rescaling over several axes", "07_higher_dim", "prop-hd-rescale", "prf",
           "verify-prop12", (f"{_H}::test_rescale_in_two_dimensions",),
           statement="prop-hd-rescale"),
    Result("Thm 13", "the NTK is a function of (w, δ) over several axes", "07_higher_dim",
           "thm-hd-ntk", "prf", "verify-thm13",
           (f"{_H}::test_theorem_13_multistart_one_point_up_to_signs",),
           "corrected in the book: it holds when no two layers are interchangeable; a swap of "
           "interchangeable layers at nonzero invariants changes the NTK (computed in the "
           "chapter)", statement="thm-hd-ntk"),
    Result("Thm 14", "balanced factorizations form one orthogonal orbit", "08_fully_connected",
           "thm-fc-orbit", "prf", "verify-thm14",
           (f"{_D}::test_thm14_balanced_weights_with_the_same_product_are_on_the_orbit",),
           statement="thm-fc-orbit"),
    Result("Ex. 15", "the running example: a cubic hypersurface", "04_metric",
           "ex-metric-cubic", "prf", "verify-ex15",
           (f"{_F}::test_example_15_fiber_formula",
            f"{_M}::test_cubic_vanishes_on_the_neuromanifold"), statement="ex-metric-cubic"),
    Result("Ex. 16", "two factorizations at a singular point", "04_metric",
           "ex-metric-two-ntks", "prf", "verify-ex16",
           (f"{_M}::test_example_16_two_parametrizations_two_ntks",),
           statement="ex-metric-two-ntks"),
    Result("Ex. 17", "different invariants, different metrics", "04_metric",
           "ex-metric-invariant", "prf", "verify-ex17", (f"{_M}::test_example_17_numbers",),
           statement="ex-metric-invariant"),
    Result("Ex. 18", "(no Example 18 in the paper)", note="the paper's item 18 is Lemma 18 "
           "(see that row); there is no Example 18"),
    Result("Lemma 18", "projective duality: a generic data hyperplane is tangent nowhere",
           "05_convergence", "prop-conv-nonzero", "prf", "verify-lemma18",
           ("tests/test_book_ch04_06.py::test_normals_of_the_cubic_fill_a_thin_cone",),
           "a step in the proof of Prop. 8; the book explains its idea after that proposition"),
    Result("Ex. 19", "stride one: three factorizations, three kernels", "06_stride_one",
           "ex-so-cubic", "prf", "verify-ex19",
           ("tests/test_stride_one.py::test_example_19_three_balanced_factorizations_and_ntks",
            "tests/test_book_ch04_06.py::test_example_19_symbolic_ntks"), statement="ex-so-cubic"),
    Result("Remark 1", "one fiber with two kernels: the NTK depends on the parameters "
           "generically", "06_stride_one", "rem-so-one-counterexample", "prf",
           "verify-remark1",
           ("tests/test_book_ch04_06.py::test_remark_1_kernels_differ_on_an_open_set",),
           statement="rem-so-one-counterexample"),
    Result("Ex. 20", "fully connected: the NTK depends on the parameters",
           "08_fully_connected", "ex-fc-example-20", "prf", "verify-ex20",
           (f"{_D}::test_example_20_numbers",), statement="ex-fc-example-20"),
    Result("Sec. 5", "shallow ReLU networks: CNN identifiable, MLP not", "09_relu",
           "thm-relu-cnn-identifiable", "prf", "verify-sec5",
           ("tests/test_relu.py::test_function_and_invariant_fix_the_filters_stride_above_one",
            "tests/test_relu.py::test_mlp_counterexample_three_facts"),
           "the book restricts the CNN statement to layers that cannot be swapped"),
    Result("Table 1", "which architectures have a metric of (w, δ)", "10_table1",
           "def-tab-difference", "prf", "verify-table1",
           ("tests/test_table1.py::test_verdicts_match_the_paper",)),
)
# fmt: on


def result(label: str) -> Result:
    """The registry entry with the paper label ``label`` (KeyError if there is none)."""
    for r in RESULTS:
        if r.label == label:
            return r
    raise KeyError(f"label must be one of {[r.label for r in RESULTS]}: got {label!r}")


def _explained(r: Result) -> str:
    if r.chapter is None:
        return "not treated"
    link = f"{{prf:ref}}`{r.ref}`" if r.kind == "prf" else f"equation {{eq}}`{r.ref}`"
    return f"{{doc}}`{r.chapter}`, {link}"


def render_result_map() -> str:
    """The Markdown source of ``book/result_map.md`` (MyST), generated from :data:`RESULTS`."""
    lines = [
        "# Result map",
        "",
        "Every numbered result of the paper (Achour, Kohn and Rauhut, arXiv 2507.06367), where "
        "this book explains it, the notebook cell that checks it (found by its cell tag) and the "
        "unit tests that check it again. This page is generated by "
        "`python -m lcnn_widgets.results` from the registry in `lcnn_widgets/results.py`; "
        "`tests/test_results.py` fails if a "
        "listed cell or test disappears or if this page is out of date.",
        "",
        "The book uses one numbering: the paper's. A box that states a result of the paper "
        'carries the paper\'s name and number only ("Theorem 4"), and so does every link to '
        "it; an equation of the paper shows the paper's number, \"(9)\". The book's own boxes "
        'are named "Book" with the chapter and a count, e.g. "Book definition 3.1", and '
        'its own equations carry the chapter too, e.g. "(4.2)"; neither can be mistaken for '
        "a number of the paper.",
        "",
        "| paper | what it says | explained in | verification cell (tag) | tests |",
        "|---|---|---|---|---|",
    ]
    for r in RESULTS:
        cell = f"`{r.cell_tag}`" if r.cell_tag else "—"
        tests = "<br>".join(f"`{t}`" for t in r.tests) if r.tests else "—"
        summary = r.summary + (f" *(note: {r.note})*" if r.note else "")
        lines.append(f"| {r.name} | {summary} | {_explained(r)} | {cell} | {tests} |")
    lines += [
        "",
        "To find a verification cell, open the chapter and look for the cell whose tags "
        "(shown in Jupyter's property inspector) contain the tag above; to run the tests of a "
        "row, pass its ids to `pytest`.",
        "",
    ]
    return "\n".join(lines)


def _default_path() -> Path:
    return Path(__file__).resolve().parents[1] / "book" / "result_map.md"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the result map page; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m lcnn_widgets.results", description="Generate book/result_map.md."
    )
    parser.add_argument("--output", type=Path, default=_default_path())
    help_check = "do not write; exit 1 if the file differs from the registry"
    parser.add_argument("--check", action="store_true", help=help_check)
    args = parser.parse_args(argv)
    text = render_result_map()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current == text:
            return 0
        print(f"{args.output} is out of date: run python -m lcnn_widgets.results")
        return 1
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(RESULTS)} results)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
