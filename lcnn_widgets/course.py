"""The book's exercises as data, and self-checks for the ones with a checkable answer.

This module is the single source of truth for the exercises of the ten chapters: for every
exercise label (``ex-fib-count``, ...) it records the chapter, the title, the kind
(``"pen-and-paper"`` or ``"computational"``) and the difficulty (1 to 3). The exercise boxes
in the chapters show the same three facts in their title, :func:`box_title` says how, and the
tests compare the boxes and ``book/instructors.md`` with this table.

Students check an answer with :func:`check`::

    from lcnn_widgets.course import check
    check("ex-fib-count", (6, 2))

The expected answers are computed here, at check time, with the package's own functions; a
verdict says right or wrong and, when wrong, gives a hint that points at the method without
giving the answer away. A malformed answer (wrong type or shape, NaN or inf) raises
:class:`ValueError` with a message that says what is expected.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

__all__ = [
    "CHAPTERS",
    "DIFFICULTY_STARS",
    "EXERCISES",
    "KINDS",
    "MAIN_CHAPTERS",
    "Exercise",
    "Verdict",
    "box_title",
    "check",
    "checkable",
    "exercise_table",
    "exercises",
    "parse_box_title",
    "plain_title",
]

#: The two kinds of exercise.
KINDS = ("pen-and-paper", "computational")
#: How a difficulty (1, 2 or 3) is shown in an exercise box.
DIFFICULTY_STARS = {1: "★☆☆", 2: "★★☆", 3: "★★★"}
#: Separator between title, kind and difficulty in a box title.
SEP = " · "

#: Chapter file stems, in reading order.
CHAPTERS = (
    "01_polynomials",
    "02_invariants",
    "03_fibers",
    "04_metric",
    "05_convergence",
    "06_stride_one",
    "07_higher_dim",
    "08_fully_connected",
    "09_relu",
    "10_table1",
    "11_check_your_own",
)
#: The chapters of the course proper (each has at least one self-check); the rest are appendices.
MAIN_CHAPTERS = CHAPTERS[:10]


@dataclass(frozen=True)
class Exercise:
    """One exercise of the book.

    Attributes
    ----------
    label : str
        The MyST label of the exercise box (referenced with ``{ref}``).
    chapter : str
        The chapter's file stem, e.g. ``"03_fibers"``.
    title : str
        The title without kind and difficulty (MyST markdown, may contain ``$...$``).
    kind : str
        ``"pen-and-paper"`` or ``"computational"``.
    difficulty : int
        1 (routine), 2 (a few steps) or 3 (needs an idea).
    """

    label: str
    chapter: str
    title: str
    kind: str
    difficulty: int


_P, _C = KINDS

_TABLE: tuple[tuple[str, str, str, str, int], ...] = (
    ("01_polynomials", "ex-two-layers-by-hand", "Two layers by hand", _P, 1),
    ("01_polynomials", "ex-size-from-degrees", "The size formula from degrees", _P, 1),
    ("01_polynomials", "ex-not-in-neuromanifold", "A filter the network cannot produce", _P, 2),
    ("01_polynomials", "ex-swap-layers", "Swapping two layers", _P, 2),
    ("01_polynomials", "ex-rank-drop", "Where the rank drops", _C, 2),
    ("02_invariants", "ex-inv-closed-form", "Two layers in closed form", _P, 2),
    ("02_invariants", "ex-inv-balanced", "Balancing", _P, 1),
    ("02_invariants", "ex-inv-descent", r"Gradient descent does not conserve $\delta$", _C, 2),
    ("02_invariants", "ex-inv-zero", "A zero filter, and two dimensions", _P, 2),
    ("03_fibers", "ex-fib-count", "Counting factorizations by hand", _P, 1),
    ("03_fibers", "ex-fib-signs", "Signs do not matter", _P, 2),
    ("03_fibers", "ex-fib-stride-two", "A two-layer fiber with stride two", _P, 2),
    ("03_fibers", "ex-fib-2d", "Swapping layers in two dimensions", _C, 3),
    ("04_metric", "ex-metric-vertical", "Vertical directions are invisible", _P, 2),
    ("04_metric", "ex-metric-gamma", "The invariant changes the metric", _P, 3),
    ("04_metric", "ex-metric-three-layers", "Corollary 6 for three layers", _C, 2),
    ("04_metric", "ex-metric-stride-one", "Stride one: three metrics at one point", _C, 2),
    ("05_convergence", "ex-conv-two-layer-saddle", "The saddle at zero for two layers", _P, 3),
    ("05_convergence", "ex-conv-three-layers", "Prop. 8 with three layers", _C, 3),
    ("05_convergence", "ex-conv-realizable", "Data from a teacher", _C, 1),
    ("05_convergence", "ex-conv-metric-matters", "Same filter, different invariants", _C, 1),
    ("06_stride_one", "ex-so-trace", "The trace of the kernel", _P, 2),
    ("06_stride_one", "ex-so-count", "Counting by hand", _P, 1),
    ("06_stride_one", "ex-so-blocks", "Which layers can trade?", _C, 2),
    ("06_stride_one", "ex-so-flows", "Three trajectories from one point", _C, 3),
    ("07_higher_dim", "ex-hd-det", r"When does a $2 \times 2$ filter factor?", _P, 1),
    ("07_higher_dim", "ex-hd-caveat", "The caveat in formulas", _P, 3),
    ("07_higher_dim", "ex-hd-recover", "Recover the layers", _C, 2),
    ("07_higher_dim", "ex-hd-one-size", "Why two sizes larger than one?", _C, 1),
    ("08_fully_connected", "ex-fc-identity", "Balanced factorizations of the identity", _P, 2),
    ("08_fully_connected", "ex-fc-family", "When does the Ex. 20 family move the NTK?", _P, 3),
    ("08_fully_connected", "ex-fc-training", "Does the NTK difference matter for training?", _C, 2),
    ("08_fully_connected", "ex-fc-wide", "Wider hidden layers", _C, 3),
    ("09_relu", "ex-relu-odd-part", "The odd part of a ReLU network", _P, 1),
    ("09_relu", "ex-relu-symmetry", "The hidden symmetry behind the counterexample", _P, 2),
    ("09_relu", "ex-relu-agree", "Where the two factorizations agree", _C, 2),
    ("09_relu", "ex-relu-sliding", "A kink that traps the flow", _P, 3),
    ("10_table1", "ex-tab-scalar-output", "One input, one output", _P, 3),
    ("10_table1", "ex-tab-one-real-root", "One real root", _C, 1),
    ("10_table1", "ex-tab-swap-proof", "The swap formula", _P, 2),
    ("10_table1", "ex-tab-three-layers", "A three-layer fiber", _C, 2),
    ("11_check_your_own", "ex-own-zero-coefficient", "A zero that is always there", _C, 1),
)

#: Every exercise, by label, in reading order.
EXERCISES: dict[str, Exercise] = {
    label: Exercise(label, chapter, title, kind, difficulty)
    for chapter, label, title, kind, difficulty in _TABLE
}


def exercises(chapter: str | None = None) -> list[Exercise]:
    """The exercises of one chapter (file stem, e.g. ``"03_fibers"``), or of the whole book."""
    if chapter is not None and chapter not in CHAPTERS:
        raise ValueError(f"chapter must be one of {', '.join(CHAPTERS)}: got {chapter!r}")
    return [e for e in EXERCISES.values() if chapter is None or e.chapter == chapter]


def _exercise(label: Any) -> Exercise:
    if not isinstance(label, str) or label not in EXERCISES:
        raise ValueError(
            f"unknown exercise label {label!r}: labels look like 'ex-fib-count' and are listed "
            "in lcnn_widgets.course.EXERCISES"
        )
    return EXERCISES[label]


def box_title(label: str) -> str:
    """The title of the exercise box: ``"<title> · <kind> · <stars>"``.

    >>> box_title("ex-fib-count")
    'Counting factorizations by hand · pen-and-paper · ★☆☆'
    """
    ex = _exercise(label)
    return SEP.join([ex.title, ex.kind, DIFFICULTY_STARS[ex.difficulty]])


def parse_box_title(text: str) -> tuple[str, str, int]:
    """Split a box title made by :func:`box_title` into ``(title, kind, difficulty)``.

    Raises
    ------
    ValueError
        If ``text`` does not follow the convention.
    """
    parts = text.strip().rsplit(SEP, 2)
    stars = {v: k for k, v in DIFFICULTY_STARS.items()}
    if len(parts) != 3 or parts[1] not in KINDS or parts[2] not in stars:
        raise ValueError(
            f"an exercise title must read '<title>{SEP}<kind>{SEP}<stars>' with kind in {KINDS} "
            f"and stars in {tuple(stars)}: got {text!r}"
        )
    return parts[0], parts[1], stars[parts[2]]


#: Inline math of the titles, as plain text (link texts do not render math).
_PLAIN = {r"$\delta$": "δ", r"$2 \times 2$": "2 × 2"}


def plain_title(label: str) -> str:
    """The exercise's title with its inline math written as plain text (for link texts)."""
    title = _exercise(label).title
    for tex, text in _PLAIN.items():
        title = title.replace(tex, text)
    return title


def exercise_table() -> str:
    """The list of exercises per chapter as MyST markdown (the table of ``instructors.md``)."""
    lines = [
        "| ch. | exercise | kind | difficulty | self-check |",
        "|---|---|---|---|---|",
    ]
    for ex in EXERCISES.values():
        lines.append(
            f"| {int(ex.chapter[:2])} | {{ref}}`{plain_title(ex.label)} <{ex.label}>` | "
            f"{ex.kind} | {DIFFICULTY_STARS[ex.difficulty]} | "
            f"{'`check`' if ex.label in _CHECKS else ''} |"
        )
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`check`: true when the answer is right.

    In a notebook the verdict shows as the cell's output; in a script, ``print`` it.
    """

    label: str
    correct: bool
    message: str

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message


# ----------------------------------------------------------------- answer coercion


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _real(value: Any, what: str) -> float:
    """One finite real number (Python, NumPy or sympy), else ValueError."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise ValueError(f"{what} must be a real number: got {_short(value)}")
    if isinstance(value, sympy.Basic):
        if value.free_symbols:
            raise ValueError(
                f"{what} must be a number, not an expression in "
                f"{sorted(map(str, value.free_symbols))}: got {_short(value)}"
            )
        value = complex(value)
    if isinstance(value, (complex, np.complexfloating)):
        if value.imag != 0:
            raise ValueError(f"{what} must be real, not complex: got {_short(value)}")
        value = value.real
    if not isinstance(value, (numbers.Real, np.number)):
        raise ValueError(
            f"{what} must be a real number: got {_short(value)} of type {type(value).__name__}"
        )
    out = float(value)
    if not np.isfinite(out):
        raise ValueError(f"{what} must be finite: got {out}")
    return out


def _array(value: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """A finite real array of the given shape, else ValueError."""
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise ValueError(f"{what} must be an array of shape {shape}: got {_short(value)}")
    try:
        raw = np.asarray(value, dtype=object)
    except Exception as exc:  # pragma: no cover - numpy raises for ragged input
        raise ValueError(
            f"{what} must be a rectangular array of shape {shape}: got {_short(value)}"
        ) from exc
    if raw.shape != shape:
        raise ValueError(f"{what} must have shape {shape}: got {_short(value)} (shape {raw.shape})")
    flat = [_real(v, f"every entry of {what}") for v in raw.ravel()]
    return np.array(flat, dtype=float).reshape(shape)


def _count(value: Any, what: str) -> int:
    """A whole number >= 0 (an int, or a float with integral value), else ValueError."""
    x = _real(value, what)
    if x != round(x) or x < 0:
        raise ValueError(f"{what} is a count, a whole number >= 0: got {_short(value)}")
    return round(x)


def _tuple(value: Any, n: int, what: str) -> tuple:
    if isinstance(value, (str, bytes, dict, set)) or not hasattr(value, "__len__"):
        raise ValueError(f"{what} must be a tuple of {n} items: got {_short(value)}")
    items = tuple(value)
    if len(items) != n:
        raise ValueError(f"{what} must be a tuple of {n} items: got {len(items)} ({_short(value)})")
    return items


def _binary_form_or_vector(value: Any, k: int, what: str) -> np.ndarray:
    """A length-k coefficient vector, or a binary form of degree k - 1 in sympy's x, y."""
    if isinstance(value, sympy.Basic) and value.free_symbols:
        from .polynomials import from_binary_form, polynomial_variables

        x, y = polynomial_variables(1)
        extra = value.free_symbols - {x, y}
        if extra:
            raise ValueError(
                f"{what} must be a form in x and y "
                f"(lcnn_widgets.polynomial_variables()): it also uses "
                f"{sorted(map(str, extra))}"
            )
        try:
            return np.asarray(from_binary_form(sympy.expand(value), k), dtype=float)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"{what} must be a homogeneous form of degree {k - 1} in x, y: got {value}"
            ) from exc
    return _array(value, (k,), what)


def _close(a: Any, b: Any, rtol: float = 1e-3) -> bool:
    """Equal up to a relative tolerance (answers may be typed with four digits)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * scale))


def _same_multiset(a: Any, b: Any, rtol: float = 1e-3) -> bool:
    return _close(np.sort(np.ravel(a)), np.sort(np.ravel(b)), rtol)


# --------------------------------------------------------------------- the checks
# A checker gets the answer and the expected value (computed with the package by _expected,
# cached: it does not change between calls) and grades it with _grade or _grade_items.

_CHECKS: dict[str, Callable[[Any, Any], tuple[bool, str]]] = {}
#: What each self-check expects, in words (shown in error messages and the docs).
ANSWER_FORMS: dict[str, str] = {}


def _checker(label: str, form: str):
    def register(
        fn: Callable[[Any, Any], tuple[bool, str]],
    ) -> Callable[[Any, Any], tuple[bool, str]]:
        _CHECKS[label] = fn
        ANSWER_FORMS[label] = form
        return fn

    return register


def _grade(
    right: bool, hints: Sequence[tuple[bool, str]], otherwise: str, *, remark: str = ""
) -> tuple[bool, str]:
    """``(True, remark)`` if right, else ``(False, hint)``: the first hint whose condition holds."""
    return (True, remark) if right else (False, next((h for c, h in hints if c), otherwise))


def _grade_items(got: tuple, expected: tuple, hints: Sequence[str]) -> tuple[bool, str]:
    """Right if every item is; else the hints of the wrong items, joined."""
    wrong = [h for g, e, h in zip(got, expected, hints, strict=True) if g != e]
    return (False, "; ".join(wrong) + ".") if wrong else (True, "")


@functools.cache
def _expected(label: str) -> Any:
    """The expected answer of exercise ``label``, computed with the package."""
    from . import (
        FCN,
        LCN,
        count_real_factorizations,
        example_20,
        factor_end_to_end,
        fibers,
        filter_from_roots,
        hessian,
        two_layer_rescaling,
    )
    from .fibers import rescale
    from .flows import SquaredLoss
    from .higher_dim import random_integer_filters
    from .metric import metric_matrix
    from .table1 import relative_ntk_difference

    if label == "ex-two-layers-by-hand":
        return LCN([2, 2], [2, 1]).end_to_end([[1, 2], [1, -1]])
    if label == "ex-rank-drop":
        net = LCN([3, 2], [2, 1])
        return int(np.linalg.matrix_rank(net.jacobian([[1.0, -2.0, 0.5], [0.0, 0.0]])))
    if label == "ex-inv-closed-form":
        n1, n2, delta = 2.0, 8.0, 3.0
        c = two_layer_rescaling([n1, n2], delta)[0]
        return float(c**2 * n1)
    if label == "ex-fib-count":
        w = [4, 0, -5, 0, 1]
        return (
            count_real_factorizations(LCN([3, 3], [1, 1]), w),
            count_real_factorizations(LCN([3, 2], [2, 1]), w),
        )
    if label == "ex-fib-stride-two":
        net = LCN([2, 2], [2, 1])
        return net, [tuple(p.filters) for p in fibers(net, [1, 1, -4, -4])]
    if label == "ex-metric-stride-one":
        net, a = LCN([3, 2], [1, 1]), np.array([0.0, 0.0, 0.0, 1.0])
        cubic = np.array([1.0, 0.0, -1.0, 0.0])
        n = len(fibers(net, cubic, [0.0]))
        return np.array(
            [np.sqrt(a @ metric_matrix(net, cubic, [0.0], fiber=i) @ a) for i in range(n)]
        )
    if label == "ex-conv-two-layer-saddle":
        net = LCN([2, 2], [2, 1])
        sq = SquaredLoss(np.eye(4), np.array([1.0, 2.0, 3.0, 4.0]))
        return np.linalg.eigvalsh(hessian(net, [np.zeros(2), np.zeros(2)], sq))
    if label == "ex-so-count":
        net2, net3 = LCN([3, 3], [1, 1]), LCN([2, 2, 2], [1, 1, 1])
        return (
            count_real_factorizations(net2, filter_from_roots([1j, -1j, 1, 2])),
            count_real_factorizations(net3, filter_from_roots([1, 2, 3])),
            count_real_factorizations(net3, filter_from_roots([1j, -1j, 1])),
        )
    if label == "ex-so-trace":
        net = LCN([3, 2], [1, 1])
        return np.array(
            [np.trace(net.ntk(p.filters)) for p in fibers(net, [1.0, 0.0, -1.0, 0.0], [0.0])]
        )
    if label == "ex-hd-recover":
        net = LCN([(2, 2), (2, 2)], [(2, 1), (1, 1)])
        W = np.array([[2, 4, 0], [6, -2, 0], [1, 3, 2], [3, 2, -1]], dtype=float)
        return net, W, factor_end_to_end(net, W).solutions
    if label == "ex-hd-one-size":
        return len(factor_end_to_end(LCN([(1, 3), (1, 2)], [(1, 1), (1, 1)]), [[1, 0, -1, 0]]))
    if label == "ex-fc-wide":
        rng = np.random.default_rng(0)
        arch = FCN((2, 3, 2))
        from .dense import balanced_factorization

        base = balanced_factorization(rng.standard_normal((2, 2)), 2, widths=(2, 3, 2))
        counts = []
        for ws in (base, arch.random_weights(rng)):
            J_all = np.vstack([arch.jacobian(ws), arch.invariant_jacobian(ws)])
            counts.append(int(arch.n_params - np.linalg.matrix_rank(J_all)))
        return tuple(counts)
    if label == "ex-relu-symmetry":
        return example_20()
    if label == "ex-tab-one-real-root":
        net = LCN([3, 2], [1, 1])
        fib = fibers(net, [1, 0, 1, 1], [0.7])
        return len(fib), relative_ntk_difference([net.ntk(p.filters) for p in fib])
    if label == "ex-tab-three-layers":
        net = LCN([(2, 2)] * 3, [(1, 1)] * 3)
        ints = random_integer_filters(net, np.random.default_rng(4))
        sols = factor_end_to_end(net, net.end_to_end(ints)).solutions
        out = [len(sols)]
        for d in ([1.0, -2.0], [0.0, 0.0]):
            ntks = [net.ntk(rescale(net, p, d)) for p in sols]
            distinct = {tuple(np.round(t.ravel() / np.abs(t).max(), 8)) for t in ntks}
            out.append(len(distinct))
        return tuple(out)
    raise KeyError(label)  # pragma: no cover - every registered label is handled above


@_checker(
    "ex-two-layers-by-hand",
    "the end-to-end filter: 4 numbers, or the form as a sympy expression in x, y",
)
def _check_two_layers(answer: Any, expected: np.ndarray) -> tuple[bool, str]:
    w = _binary_form_or_vector(answer, 4, "the end-to-end filter")
    return _grade(
        _close(w, expected, 1e-9),
        [
            (
                _close(w[::-1], expected, 1e-9),
                "the entries are right but reversed: v[i] goes with x^(k-1-i) y^i, so the first "
                "entry is the coefficient of x^3.",
            )
        ],
        "the second layer acts with the stride of the first: dilate w2 by s1 = 2 (insert "
        "s1 - 1 zeros between its entries) before convolving, or substitute x^2, y^2 into its "
        "form.",
        remark="Size 4, and the overall stride is the product of the strides.",
    )


@_checker("ex-rank-drop", "the rank of the Jacobian, a whole number")
def _check_rank_drop(answer: Any, expected: int) -> tuple[bool, str]:
    r = _count(answer, "the rank")
    return _grade(
        r == expected,
        [
            (
                r == 4,
                "4 is the dimension of M, the rank at a generic point. At w2 = 0, look at which "
                "columns of J still contain a factor w2.",
            ),
            (r > 5, "J has only 5 columns (k1 + k2), so its rank is at most 5."),
        ],
        "write the columns of J as pi with one filter replaced by a unit vector, and count the "
        "independent ones when w2 = 0.",
    )


@_checker("ex-inv-closed-form", "a1 for n1 = 2, n2 = 8, delta = 3: one number")
def _check_closed_form(answer: Any, expected: float) -> tuple[bool, str]:
    a1 = _real(answer, "a1")
    return _grade(
        _close(a1, expected, 1e-6),
        [
            (
                a1 < 0,
                "a1 is a squared norm, so it must be positive: of the two roots of the "
                "quadratic, only one is admissible.",
            ),
            (
                _close(a1, expected + 3.0, 1e-6),
                "that is a2 = a1 + delta, the squared norm of the second layer.",
            ),
            (
                _close(a1, np.sqrt(expected / 2.0), 1e-6),
                "that is the factor c; the question asks for a1 = ||c w1||^2.",
            ),
        ],
        "use a2 = a1 + delta and a1 a2 = n1 n2, and solve the quadratic for a1.",
    )


@_checker("ex-fib-count", "two counts: (for LCN([3, 3], [1, 1]), for LCN([3, 2], [2, 1]))")
def _check_fib_count(answer: Any, expected: tuple[int, int]) -> tuple[bool, str]:
    got = tuple(_count(v, "each count") for v in _tuple(answer, 2, "the answer"))
    return _grade_items(
        got,
        expected,
        [
            "for strides (1, 1) both layers are quadratics in t: count the ways to give layer 1 "
            "two of the four real roots (the order of the two roots inside a layer does not "
            "matter)",
            "for strides (2, 1) layer 2 is a polynomial in t^2, so its roots come as whole "
            "orbits {t, -t}; count the orbits it can take",
        ],
    )


@_checker("ex-fib-stride-two", "the balanced layers (u, v): two vectors of length 2")
def _check_fib_stride_two(answer: Any, expected: tuple) -> tuple[bool, str]:
    u, v = (_array(f, (2,), "each layer") for f in _tuple(answer, 2, "the answer (u, v)"))
    net, points = expected
    return _grade(
        any(_close(s * u, pu) and _close(s * v, pv) for pu, pv in points for s in (1.0, -1.0)),
        [
            (
                not _close(net.end_to_end([u, v]), [1.0, 1.0, -4.0, -4.0], 1e-3),
                "these layers do not give w = (1, 1, -4, -4): find the roots of p_w and give "
                "layer 2 a pair {t, -t}.",
            )
        ],
        "the product is right, but the fiber point is balanced: rescale to (c u, v / c) with "
        "||c u|| = ||v / c||.",
        remark="Any sign variant (-u, -v) is right as well.",
    )


@_checker("ex-metric-stride-one", "the three lengths of a, one per balanced factorization")
def _check_metric_stride_one(answer: Any, expected: np.ndarray) -> tuple[bool, str]:
    lengths = _array(answer, (3,), "the three lengths")
    return _grade(
        _same_multiset(lengths, expected),
        [
            (
                _same_multiset(np.sqrt(np.abs(lengths)), expected),
                "these look like g(a, a), the squared lengths; take square roots.",
            ),
            (
                np.ptp(lengths) < 1e-9,
                "the three factorizations have different NTKs, so the lengths should not all "
                "agree; compute metric_matrix with fiber=0, 1, 2.",
            ),
        ],
        "the length is sqrt(a^T G a) with G = metric_matrix(net, w, [0.0], fiber=i), for "
        "i = 0, 1, 2.",
        remark="Any order of the three lengths is accepted.",
    )


@_checker("ex-conv-two-layer-saddle", "the four eigenvalues of the Hessian at 0, any order")
def _check_saddle(answer: Any, expected: np.ndarray) -> tuple[bool, str]:
    ev = _array(answer, (4,), "the eigenvalues")
    return _grade(
        _same_multiset(ev, expected),
        [
            (
                bool(np.all(ev >= 0)),
                "the Hessian has the block form [[0, C], [C^T, 0]]: its eigenvalues come in "
                "pairs of opposite sign.",
            )
        ],
        "build C with C_ij = -(Sigma u)_(i + S1 j), here Sigma u = u, and use its singular values.",
        remark="Eigenvalues of both signs: a strict saddle.",
    )


@_checker("ex-so-count", "three counts, one per item")
def _check_so_count(answer: Any, expected: tuple[int, int, int]) -> tuple[bool, str]:
    got = tuple(_count(v, "each count") for v in _tuple(answer, 3, "the answer"))
    return _grade_items(
        got,
        expected,
        [
            "item 1: a complex pair has to stay together in one layer",
            "item 2: each linear layer takes one real root, and the layers are distinguishable",
            "item 3: can a linear layer with real coefficients hold a non-real root?",
        ],
    )


@_checker("ex-so-trace", "the three traces of the balanced kernels, any order")
def _check_so_trace(answer: Any, expected: np.ndarray) -> tuple[bool, str]:
    traces = _array(answer, (3,), "the three traces")
    return _grade(
        _same_multiset(traces, expected),
        [
            (
                np.ptp(traces) < 1e-9,
                "the product ||w1|| ||w2|| depends on the splitting of the roots, so the traces "
                "are not all equal.",
            )
        ],
        "use tr = (k1 + k2) ||w1|| ||w2|| with k1 + k2 = 5, and the norms of the unscaled "
        "factors (x, x - y, x + y and their complements).",
    )


@_checker("ex-hd-recover", "the two layers (layer 1, layer 2): two 2 x 2 arrays")
def _check_hd_recover(answer: Any, expected: tuple) -> tuple[bool, str]:
    a, b = (_array(f, (2, 2), "each layer") for f in _tuple(answer, 2, "the answer"))
    net, W, _solutions = expected
    return _grade(
        _close(net.end_to_end([a, b]), W, 1e-6),
        [
            (
                _close(net.end_to_end([b, a]), W, 1e-6),
                "you have the right two matrices in the wrong order: layer 2 comes after a "
                "stride (2, 1), so its factor uses x1, y1 only through their squares.",
            ),
            (
                _close(net.end_to_end([a.T, b.T]), W, 1e-6),
                "transpose: row index i1 belongs to the first axis (x1, y1).",
            ),
        ],
        "use factor_end_to_end, then read each factor's coefficients into a matrix (row i1, "
        "column i2), undoing x1^2, y1^2 for layer 2.",
        remark="The factorization is unique up to moving a scalar between the layers.",
    )


@_checker("ex-hd-one-size", "the number of factorizations, a whole number")
def _check_hd_one_size(answer: Any, expected: int) -> tuple[bool, str]:
    n = _count(answer, "the number of factorizations")
    return _grade(
        n == expected,
        [
            (
                n == 1,
                "uniqueness needs filters longer than one along two axes; here the form lives "
                "in (x2, y2) only and splits into linear factors.",
            )
        ],
        "factor x2^3 - x2 y2^2 into linear forms; the second layer takes one of them.",
    )


@_checker("ex-fc-wide", "two counts: (free directions at the balanced point, at random weights)")
def _check_fc_wide(answer: Any, expected: tuple[int, int]) -> tuple[bool, str]:
    got = tuple(_count(v, "each count") for v in _tuple(answer, 2, "the answer"))
    return _grade(
        got == expected,
        [
            (
                max(got) >= 8,
                "count the kernel of the stacked matrix [J; dD1], not of J alone: the conserved "
                "matrix D1 imposes conditions too.",
            ),
            (
                got[0] == got[1],
                "the two points differ: at the balanced point one of the conditions from D1 "
                "becomes dependent on the others.",
            ),
        ],
        "compute n_params minus the rank of "
        "np.vstack([arch.jacobian(ws), arch.invariant_jacobian(ws)]).",
    )


@_checker("ex-relu-symmetry", "(P, D): a 2 x 2 permutation matrix and a 2 x 2 diagonal matrix")
def _check_relu_symmetry(answer: Any, expected: Any) -> tuple[bool, str]:
    P, D = (_array(m, (2, 2), "P and D") for m in _tuple(answer, 2, "the answer (P, D)"))
    if np.any(np.abs(D - np.diag(np.diag(D))) > 0) or np.any(np.diag(D) <= 0):
        raise ValueError(f"D must be diagonal with positive diagonal: got {D.tolist()}")
    if not (np.all((P == 0) | (P == 1)) and np.all(P.sum(0) == 1) and np.all(P.sum(1) == 1)):
        raise ValueError(
            "P must be a permutation matrix (0s and 1s, one 1 per row and column): got "
            f"{P.tolist()}"
        )
    first, second = expected.first, expected.second
    return _grade(
        _close(D @ P @ first[0], second[0], 1e-9)
        and _close(first[1] @ P.T @ np.linalg.inv(D), second[1], 1e-9),
        [
            (
                np.allclose(P, np.eye(2)),
                "the rows of AQ are the rows of A in another order: P is not the identity.",
            )
        ],
        "compare each row of AQ with the rows of A: which row is it a positive multiple of, and "
        "by which factor?",
    )


@_checker("ex-tab-one-real-root", "(number of fiber points, Delta)")
def _check_one_real_root(answer: Any, expected: tuple[int, float]) -> tuple[bool, str]:
    n_raw, delta_raw = _tuple(answer, 2, "the answer (points, Delta)")
    n, d = _count(n_raw, "the number of points"), _real(delta_raw, "Delta")
    en, ed = expected
    return _grade(
        n == en and abs(d - ed) <= 1e-6,
        [
            (
                n == 3,
                "three points would need three real roots; a real linear layer cannot take a "
                "non-real root.",
            ),
            (n == en, "with a single fiber point there is only one NTK to compare."),
        ],
        "count the real roots of the cubic 1 + t^2 + t^3 (the linear layer must take one of them).",
    )


@_checker(
    "ex-tab-three-layers",
    "three counts: (points, distinct NTKs at the random delta, distinct NTKs at delta = 0)",
)
def _check_three_layers(answer: Any, expected: tuple[int, int, int]) -> tuple[bool, str]:
    got = tuple(_count(v, "each count") for v in _tuple(answer, 3, "the answer"))
    return _grade_items(
        got,
        expected,
        [
            "all three layers are interchangeable: count their orderings",
            "at a generic delta the rescaled orderings put different norms on different filters",
            "at delta = 0 all norms agree and an ordering only permutes the blocks of J",
        ],
    )


def checkable() -> list[str]:
    """The labels of the exercises that have a self-check, in reading order."""
    return [label for label in EXERCISES if label in _CHECKS]


def check(label: str, answer: Any) -> Verdict:
    """Check an answer to exercise ``label``; say right or wrong, with a hint when wrong.

    Parameters
    ----------
    label : str
        The exercise label, e.g. ``"ex-fib-count"`` (see :func:`checkable`).
    answer : object
        The answer in the form the exercise asks for (:data:`ANSWER_FORMS` describes each):
        a number, a tuple of counts, an array, or, where a polynomial is asked for, a
        coefficient list or a sympy expression.

    Returns
    -------
    Verdict
        True when right; it displays as a one-line message (``print`` it in a script).

    Raises
    ------
    ValueError
        If the label is unknown or has no self-check, or the answer is malformed (wrong type
        or shape, NaN or inf).

    Examples
    --------
    >>> check("ex-rank-drop", 4).correct
    False
    """
    ex = _exercise(label)
    if ex.label not in _CHECKS:
        raise ValueError(
            f"exercise {label!r} has no self-check; these do: {', '.join(checkable())}"
        )
    try:
        right, text = _CHECKS[label](answer, _expected(label))
    except ValueError as err:
        raise ValueError(f"{label}: {err} (expected: {ANSWER_FORMS[label]})") from None
    if right:
        return Verdict(label, True, f"✓ {label}: right." + (f" {text}" if text else ""))
    return Verdict(label, False, f"✗ {label}: not yet. Hint: {text}")
