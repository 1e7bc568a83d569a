"""Check an architecture of your own: one report with the paper's questions answered by computation.

:func:`describe` takes a linear convolutional network (1D or D-dimensional) and answers, for
that architecture, the questions the book asks of its examples:

* **shape**: the end-to-end filter size and stride, the number of parameters;
* **dimension**: ``dim M`` as the rank of the Jacobian at random points, next to the formula
  ``sum_l prod(k_l) - (L - 1)``, and the codimension of ``M`` in the space of end-to-end filters;
* **fibers**: whether the hypotheses of the paper's uniqueness results hold (Thm 4 in 1D; Cor. 10
  and the interchangeable layers of Obs. 11 in D >= 2), the number of real fiber points up to
  signs at random points, and, for 1D blocks of layers joined by strides one, the possible
  counts with an example of each;
* **NTK**: whether ``Theta`` is determined by ``(w, delta)``, measured on fibers at random
  invariants (the relative NTK difference of :mod:`lcnn_widgets.table1`), next to the paper's
  prediction and the corrected statement where they differ;
* **implicit equations** of the Zariski closure of ``M`` (:mod:`lcnn_widgets.implicit`), for
  small architectures of positive codimension.

:func:`parse_architecture` reads the text form used by the command line and the widget
(``"3,2"`` for 1D sizes, ``"2x3,2x2"`` for D-dimensional ones).

>>> from lcnn_widgets import LCN
>>> rep = describe(LCN([3, 2], [2, 1]))
>>> rep.dim_formula, rep.codim, rep.fiber_counts, rep.ntk.determined
(4, 1, (1, 1, 1), True)
>>> [str(e) for e in rep.implicit.equations]
['w0*w3**2 + w1**2*w4 - w1*w2*w3']
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import numpy as np

from ._validation import as_int_in_range, as_network, as_real
from .fibers import (
    count_real_factorizations,
    fibers,
    filter_from_roots,
    multistart_fibers,
    rescale,
    sign_variants,
)
from .higher_dim import factor_end_to_end, irreducible_layers, random_integer_filters
from .implicit import DEFAULT_MAX_DEGREE, ImplicitEquations, implicit_equations
from .lcn import LCN
from .stride_one import stride_one_factorization_count
from .table1 import DETERMINED_TOL, interchangeable_layers, relative_ntk_difference

__all__ = [
    "IMPLICIT_MAX_OUTPUTS",
    "MAX_OUTPUTS",
    "ArchitectureReport",
    "NTKVerdict",
    "StrideOneBlock",
    "describe",
    "parse_architecture",
]

#: :func:`describe` refuses larger end-to-end filters (fiber enumeration would take too long)
MAX_OUTPUTS = 120
#: ... and more layers than this
MAX_LAYERS = 6
#: implicit equations are searched only up to this many end-to-end coefficients
IMPLICIT_MAX_OUTPUTS = 40
#: fibers with more points than this (up to signs) are not enumerated
MAX_FIBER_POINTS = 60
#: NTKs are compared on fibers with at most this many points (up to signs)
MAX_NTK_POINTS = 100
#: multistart starts for D-dim architectures outside Cor. 10 (a numerical check)
N_STARTS = 12
#: differences below this are printed as "< 1e-12" (rounding; keeps printed reports reproducible)
PRINT_FLOOR = 1e-12

_SIZE_HINT = "write them like '3,2' (1D) or '2x3,2x2' (D dimensions: one 'x' between the axes)"


# ============================================================================ parsing
def _parse_list(text: object, name: str) -> list:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string such as '3,2': got {text!r:.60}")
    items = [p.strip() for p in re.split(r"[,;]", text.strip())]
    if not text.strip() or any(not p for p in items):
        raise ValueError(
            f"{name} must list one entry per layer, separated by commas; "
            f"{_SIZE_HINT}: got {text!r:.60}"
        )
    out = []
    for p in items:
        parts = [q.strip() for q in p.lower().split("x")]
        if not all(re.fullmatch(r"\+?\d+", q) for q in parts):
            raise ValueError(
                f"{name}: {p!r} is not a positive integer or a product of them "
                f"like 2x3; {_SIZE_HINT}: got {text!r:.60}"
            )
        vals = [int(q) for q in parts]
        if any(v < 1 for v in vals):
            raise ValueError(f"{name}: {p!r} must use positive integers (>= 1): got {text!r:.60}")
        out.append(vals[0] if len(vals) == 1 else tuple(vals))
    return out


def parse_architecture(sizes: str, strides: str) -> LCN:
    """Read an architecture from text: ``"3,2"`` and ``"2,1"``, or ``"2x3,2x2"`` and ``"2,1"``.

    Parameters
    ----------
    sizes : str
        One filter size per layer, layer 1 first, separated by commas. A D-dimensional size is
        written with ``x`` between the axes (``2x3``).
    strides : str
        One stride per layer, in the same form (in D dimensions a plain integer means that
        stride along every axis).

    Returns
    -------
    LCN

    Raises
    ------
    ValueError
        For an empty list, an entry that is not a positive integer, a different number of sizes
        and strides, or mixed dimensions (the messages of :class:`LCN`).
    TypeError
        If an argument is not a string.

    Examples
    --------
    >>> parse_architecture("3,2", "2,1")
    LCN(filter_sizes=[3, 2], strides=[2, 1])
    >>> parse_architecture("2x3, 2x2", "2x1, 1")
    LCN(filter_sizes=[(2, 3), (2, 2)], strides=[(2, 1), (1, 1)])
    """
    return LCN(_parse_list(sizes, "sizes"), _parse_list(strides, "strides"))


# ============================================================================ the report
@dataclass(frozen=True)
class StrideOneBlock:
    """Layers of a 1D network that share one accumulated stride (only strides one in between).

    Attributes
    ----------
    layers : tuple of int
        The layer numbers (1-based).
    accumulated_stride : int
        ``S = S_{l-1}`` shared by these layers: each is a polynomial in ``u = t^S``.
    degrees : tuple of int
        ``k_l - 1`` for each layer of the block.
    counts : tuple of int
        The possible numbers of real factorizations of the block's product (distinct roots),
        increasing.
    examples : tuple of str
        For each count, an example: the roots of the block's product and its coefficients.
    example_filters : tuple of ndarray
        For each count, the coefficients of the example product (a polynomial in ``u``).
    verified : tuple of int or None
        For each example, ``len(fibers(...))`` of the block alone (strides one): must equal
        ``counts`` (``None``: more than ``MAX_FIBER_POINTS`` points, not enumerated).
    """

    layers: tuple[int, ...]
    accumulated_stride: int
    degrees: tuple[int, ...]
    counts: tuple[int, ...]
    examples: tuple[str, ...]
    example_filters: tuple[np.ndarray, ...] = field(repr=False)
    verified: tuple[int | None, ...]


@dataclass(frozen=True)
class NTKVerdict:
    """Is the NTK determined by ``(w, delta)``? The computation, the paper, the correction.

    Attributes
    ----------
    differences : tuple of float
        The relative NTK difference (:func:`lcnn_widgets.table1.relative_ntk_difference`) over
        the real fiber points of ``(w, delta)``, at random points with random ``delta``.
    balanced_differences : tuple of float
        The same at the same ``w`` with ``delta = 0``.
    n_points : tuple of int
        Fiber points (up to signs) compared at each random point.
    determined : bool or None
        ``max(differences) < DETERMINED_TOL`` (``1e-8``); ``None`` when no fiber could be
        compared (every sampled fiber too large to enumerate, or no numerical solve converged).
    paper : str
        The paper's statement for this architecture.
    paper_determined : bool or None
        What the paper predicts (``None``: the paper makes no statement).
    expected : str
        The statement as corrected in the book (Sec. 2.3 in 1D; Obs. 11 with Prop. 12 in D >= 2).
    expected_determined : bool or None
        What the corrected statement predicts.
    method : str
        How the fiber points were found.
    """

    differences: tuple[float, ...]
    balanced_differences: tuple[float, ...]
    n_points: tuple[int, ...]
    determined: bool | None
    paper: str
    paper_determined: bool | None
    expected: str
    expected_determined: bool | None
    method: str

    @property
    def max_difference(self) -> float:
        """The largest relative NTK difference at random ``delta``."""
        return max(self.differences, default=0.0)

    @property
    def agrees_with_paper(self) -> bool | None:
        """Whether the computed verdict is the paper's (``None`` when the paper says nothing)."""
        if self.paper_determined is None or self.determined is None:
            return None
        return self.paper_determined == self.determined


@dataclass(frozen=True, eq=False)
class ArchitectureReport:
    """The report of :func:`describe`; ``str(report)`` is the readable form.

    Attributes
    ----------
    net : LCN
        The architecture.
    seed : int
        Seed of every random draw in the report.
    ranks : tuple of int
        ``rank J`` at the random points.
    dim_formula : int
        ``sum_l prod(k_l) - (L - 1)``.
    codim : int
        ``prod(end_to_end_size) - dim_formula``.
    hypotheses : tuple of str
        One line per result of the paper whose hypotheses were checked.
    unique_expected : bool
        Whether the paper's results predict a unique factorization up to scaling (and signs)
        for generic ``w``.
    fiber_counts : tuple of int or None
        Real fiber points up to signs at the random points (``None`` where skipped).
    fiber_method : str
        How they were counted.
    blocks : tuple of StrideOneBlock
        1D only: the blocks with at least two layers that can trade roots.
    interchangeable : tuple of tuple of int
        Pairs of interchangeable layers (1-based; Obs. 11).
    ntk : NTKVerdict
    implicit : ImplicitEquations or None
        ``None`` when not searched (see :attr:`implicit_note`).
    implicit_note : str
        Why the search was skipped, or ``""``.
    example_filters : tuple of ndarray
        The filters of the first random point (what the widget draws).
    seconds : dict
        Wall-clock time of each part (not printed).
    """

    net: LCN
    seed: int
    ranks: tuple[int, ...]
    dim_formula: int
    codim: int
    hypotheses: tuple[str, ...]
    unique_expected: bool
    fiber_counts: tuple[int, ...] | None
    fiber_method: str
    blocks: tuple[StrideOneBlock, ...]
    interchangeable: tuple[tuple[int, int], ...]
    ntk: NTKVerdict
    implicit: ImplicitEquations | None
    implicit_note: str
    example_filters: tuple[np.ndarray, ...] = field(repr=False)
    seconds: dict = field(repr=False, default_factory=dict)

    @property
    def dim_computed(self) -> int:
        """``dim M`` as the largest rank of ``J`` at the random points."""
        return max(self.ranks)

    def format(self, *, max_equations: int = 6) -> str:
        """The report as plain text (``str(report)``), at most ``max_equations`` equations."""
        net = self.net
        L, K = net.n_layers, net.n_outputs
        kind = "1D" if net.is_1d else f"{net.dim}D"
        lines = [f"Architecture {net!r}: {kind}, L = {L} layer{'s' if L > 1 else ''}"]
        lines.append("Shape")
        size = net.end_to_end_size
        size_txt = str(size) if isinstance(size, int) else "x".join(map(str, size))
        lines.append(
            f"  end-to-end filter: size {size_txt} ({K} coefficients), stride "
            f"{net.stride}; parameters: {net.n_params}"
        )
        lines.append("Dimension")
        ranks = ", ".join(map(str, self.ranks))
        lines.append(
            f"  dim M = {self.dim_computed} (rank of J at {len(self.ranks)} random "
            "points: "
            f"{ranks}); formula sum of filter sizes - (L - 1) = {net.n_params} - "
            f"{L - 1} = {self.dim_formula}"
            + ("" if self.dim_computed == self.dim_formula else "  (!) they differ")
        )
        lines.append(
            f"  codimension in R^{K}: {self.codim}"
            + ("  (M fills the filter space)" if self.codim == 0 else "")
        )
        lines.append("Fibers (real factorizations up to scaling and signs)")
        lines += [f"  {h}" for h in self.hypotheses]
        if self.fiber_counts is None:
            lines.append(f"  fiber points at random points: {self.fiber_method}")
        else:
            lines.append(
                f"  fiber points at {len(self.fiber_counts)} random points: "
                f"{', '.join(map(str, self.fiber_counts))} ({self.fiber_method})"
            )
        for b in self.blocks:
            layers = ", ".join(map(str, b.layers))
            lines.append(
                f"  layers {layers} share S = {b.accumulated_stride} (strides one "
                f"between them): possible counts {', '.join(map(str, b.counts))} for "
                "distinct roots"
            )
            for c, ex in zip(b.counts, b.examples, strict=True):
                lines.append(f"    {c}: {ex}")
        v = self.ntk
        lines.append("NTK determined by (w, delta)?")
        lines.append(f"  paper: {v.paper}")
        if v.determined is None:
            lines.append(
                f"  computed: not compared ({v.method}: every sampled fiber had too many "
                "points to enumerate, or no solve converged)"
            )
        comp = "yes" if v.determined else "no"
        if v.determined is not None:
            lines.append(
                f"  computed: {comp}, largest relative NTK difference "
                f"{_num(v.max_difference)} over {len(v.differences)} fibers at random delta "
                f"({_num(max(v.balanced_differences, default=0.0))} at delta = 0); "
                f"fiber points per fiber {', '.join(map(str, v.n_points))} ({v.method})"
            )
        if v.agrees_with_paper is False:
            lines.append(f"  they differ; corrected statement: {v.expected}")
        elif v.paper_determined is None:
            lines.append(f"  expected: {v.expected}")
        lines.append("Implicit equations of the closure of M")
        if self.implicit is None:
            lines.append(f"  {self.implicit_note}")
        else:
            lines.append(f"  {self.implicit.summary()}")
            for e in self.implicit.equations[:max_equations]:
                lines.append(f"    {e} = 0")
            extra = len(self.implicit.equations) - max_equations
            if extra > 0:
                lines.append(f"    ... and {extra} more (report.implicit.equations)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


def _num(x: float) -> str:
    return f"< {PRINT_FLOOR:g}" if x < PRINT_FLOOR else f"{x:.2g}"


# ============================================================================ the parts
def _example_roots(n_real: int, n_pairs: int) -> np.ndarray:
    reals = [float(j) for j in range(1, n_real + 1)]
    pairs = [c for j in range(1, n_pairs + 1) for c in (-j + 1j, -j - 1j)]
    return np.array(reals + pairs, dtype=complex)


def _describe_roots(n_real: int, n_pairs: int) -> str:
    parts = []
    if n_real:
        parts.append(", ".join(str(j) for j in range(1, n_real + 1)))
    if n_pairs:
        parts.append(", ".join(f"-{j} +- i" if j > 1 else "-1 +- i" for j in range(1, n_pairs + 1)))
    return "; ".join(parts)


def _stride_one_block(net: LCN, run: list[int]) -> StrideOneBlock:
    sizes = [net.filter_sizes[l] for l in run]
    degrees = tuple(k - 1 for k in sizes)
    n = sum(degrees)
    found: dict[int, tuple[str, np.ndarray, int | None]] = {}
    sub = LCN(sizes, [1] * len(sizes))
    for n_pairs in range(n // 2 + 1):
        n_real = n - 2 * n_pairs
        roots = _example_roots(n_real, n_pairs)
        count = stride_one_factorization_count(roots, list(degrees))
        if count in found:
            continue
        w = np.round(filter_from_roots(roots), 12)
        small = count <= MAX_FIBER_POINTS and n <= 12  # (larger examples: ill-conditioned roots)
        verified = count_real_factorizations(sub, w) if small else None
        coeffs = ", ".join(f"{int(c)}" if float(c).is_integer() else f"{c:g}" for c in w)
        what = (
            f"{n_real} real root{'s' if n_real != 1 else ''}"
            if not n_pairs
            else f"{n_real} real root{'s' if n_real != 1 else ''} and {n_pairs} complex "
            f"pair{'s' if n_pairs != 1 else ''}"
        )
        S = net.accumulated_strides[run[0]]
        var = "t" if S == 1 else f"u = t^{S}"
        found[count] = (
            f"{what} of the block's product in {var}"
            f" (roots {_describe_roots(n_real, n_pairs)}; "
            "coefficients from the constant term on: "
            f"({coeffs}))",
            w,
            verified,
        )
    counts = tuple(sorted(found))
    return StrideOneBlock(
        layers=tuple(l + 1 for l in run),
        accumulated_stride=int(net.accumulated_strides[run[0]]),
        degrees=degrees,
        counts=counts,
        examples=tuple(found[c][0] for c in counts),
        example_filters=tuple(found[c][1] for c in counts),
        verified=tuple(found[c][2] for c in counts),
    )


def _real_root_filters(net: LCN, rng: np.random.Generator) -> list[np.ndarray]:
    """1D filters whose polynomials have only real roots (the most factorizations)."""
    return [
        filter_from_roots(
            rng.standard_normal(k - 1),
            scale=float(np.exp(rng.normal(0, 0.5)) * rng.choice([-1, 1])),
        )
        for k in net.filter_sizes
    ]


def _complex_root_filters(net: LCN, rng: np.random.Generator) -> list[np.ndarray]:
    """1D filters with conjugate pairs of roots (one real root for odd degree): few fiber points."""
    out = []
    for k in net.filter_sizes:
        n = k - 1
        z = rng.standard_normal(n // 2) + 1j * (0.5 + np.abs(rng.standard_normal(n // 2)))
        roots = np.concatenate([z, np.conj(z), rng.standard_normal(n % 2)])
        out.append(filter_from_roots(roots, scale=float(np.exp(rng.normal(0, 0.5)))))
    return out


def _irreducible_integer_filters(net: LCN, rng: np.random.Generator) -> list[np.ndarray]:
    """Integer filters with every layer form irreducible over Q (the generic case of Cor. 10)."""
    for _ in range(50):
        fs = random_integer_filters(net, rng)
        if all(irreducible_layers(net, fs)):
            return fs
    return fs


def _random_scales(net: LCN, rng: np.random.Generator) -> np.ndarray:
    c = np.exp(rng.normal(0.0, 0.5, size=net.n_layers))
    return c / np.prod(c) ** (1.0 / net.n_layers)


def _ntk_difference(net: LCN, points) -> float:
    return relative_ntk_difference([net.ntk(p) for p in points])


# ============================================================================ describe
def describe(
    net: LCN,
    *,
    seed: int = 0,
    implicit_budget_s: float = 10.0,
    max_degree: int = DEFAULT_MAX_DEGREE,
    n_points: int = 3,
) -> ArchitectureReport:
    """Answer the paper's questions for one architecture: dimension, fibers, NTK, equations.

    Parameters
    ----------
    net : LCN
        The architecture, with at most :data:`MAX_OUTPUTS` end-to-end coefficients and
        :data:`MAX_LAYERS` layers.
    seed : int, default=0
        Seed of every random draw (the report is reproducible).
    implicit_budget_s : float, default=10.0
        Time budget of the implicit-equation search
        (:func:`lcnn_widgets.implicit.implicit_equations`).
    max_degree : int, default=4
        The highest degree of implicit equations searched.
    n_points : int, default=3
        Number of random points for the ranks, the fiber counts and the NTK comparison (1-10).

    Returns
    -------
    ArchitectureReport

    Raises
    ------
    ValueError
        For an architecture beyond the limits, or bad budgets.
    TypeError
        If ``net`` is not an :class:`LCN`.

    Notes
    -----
    *Dimension*: ``rank J`` at points with Gaussian filters. *Fibers* (1D): every real fiber
    point by root orbits (:func:`lcnn_widgets.fibers.fibers`, Thm 4); blocks of layers with equal
    accumulated stride can trade roots, and their possible counts come from
    :func:`lcnn_widgets.stride_one.stride_one_factorization_count`, each checked on an example
    by :func:`~lcnn_widgets.fibers.fibers`. *Fibers* (D >= 2): when every layer has at least two
    sizes > 1 (Cor. 10), the exact factorization of an integer ``w``
    (:func:`lcnn_widgets.higher_dim.factor_end_to_end`); otherwise the numerical
    :func:`~lcnn_widgets.fibers.multistart_fibers`. *NTK*: at each random point the filters are
    rescaled by random positive factors with product one (same ``w``, random ``delta``); all fiber
    points of ``(w, delta)`` with their sign variants are compared (1D filters get only real
    roots, the case with the most fiber points). The verdict "determined" means a largest
    relative difference below ``1e-8``, as in :mod:`lcnn_widgets.table1`.

    Examples
    --------
    >>> rep = describe(LCN([3, 2], [1, 1]))          # Ex. 19: the cubics, 1 or 3 fiber points
    >>> rep.codim, rep.blocks[0].counts, rep.ntk.determined
    (0, (1, 3), False)
    """
    if not isinstance(net, LCN):
        as_network(net, "net", needs=("filter_shapes", "end_to_end_shape"))
        raise TypeError(f"net must be an LCN: got {type(net).__name__}")
    seed = as_int_in_range(seed, "seed", 0, 2**32 - 1)
    implicit_budget_s = as_real(implicit_budget_s, "implicit_budget_s", positive=True)
    max_degree = as_int_in_range(max_degree, "max_degree", 1, 12)
    n_points = as_int_in_range(n_points, "n_points", 1, 10)
    if net.n_outputs > MAX_OUTPUTS:
        raise ValueError(
            f"describe handles end-to-end filters with at most {MAX_OUTPUTS} "
            f"coefficients: got {net.n_outputs} for {net!r}"
        )
    if net.n_layers > MAX_LAYERS:
        raise ValueError(f"describe handles at most {MAX_LAYERS} layers: got {net.n_layers}")
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    thetas = [net.random_filters(rng) for _ in range(n_points)]
    ranks = tuple(int(np.linalg.matrix_rank(net.jacobian(th))) for th in thetas)
    K = net.n_outputs
    dim_formula = net.dim_neuromanifold
    codim = K - dim_formula
    seconds["dimension"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if net.is_1d:
        fib = _fibers_1d(net, thetas)
    else:
        fib = _fibers_nd(net, rng, n_points)
    hypotheses, unique_expected, counts, method, blocks, pairs = fib
    seconds["fibers"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    ntk = _ntk_1d(net, rng, n_points, blocks) if net.is_1d else _ntk_nd(net, rng, n_points, pairs)
    seconds["ntk"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    implicit, note = None, ""
    if codim <= 0:
        note = "none: M fills the filter space (codimension 0), its closure is all of R^K"
    elif K > IMPLICIT_MAX_OUTPUTS:
        note = (
            f"not searched: more than {IMPLICIT_MAX_OUTPUTS} end-to-end coefficients "
            f"(call lcnn_widgets.implicit.implicit_equations directly)"
        )
    else:
        implicit = implicit_equations(
            net, max_degree=max_degree, budget_s=implicit_budget_s, rng=np.random.default_rng(seed)
        )
    seconds["implicit"] = time.perf_counter() - t0
    return ArchitectureReport(
        net=net,
        seed=seed,
        ranks=ranks,
        dim_formula=dim_formula,
        codim=codim,
        hypotheses=tuple(hypotheses),
        unique_expected=unique_expected,
        fiber_counts=counts,
        fiber_method=method,
        blocks=tuple(blocks),
        interchangeable=tuple(pairs),
        ntk=ntk,
        implicit=implicit,
        implicit_note=note,
        example_filters=tuple(np.asarray(f) for f in thetas[0]),
        seconds=seconds,
    )


def _fibers_1d(net: LCN, thetas):
    L = net.n_layers
    before_last = net.strides[:-1]
    runs = net.stride_runs
    trading = [r for r in runs if sum(net.filter_sizes[l] > 1 for l in r) >= 2]
    blocks = [_stride_one_block(net, r) for r in trading]
    if L == 1:
        hyp = ["one layer: theta = w, every fiber is a single point up to sign"]
        unique = True
    elif all(s > 1 for s in before_last):
        hyp = [
            f"Thm 4 (unique factorization): hypotheses hold, strides s_1..s_(L-1) = "
            f"{list(before_last)} are all > 1"
        ]
        unique = True
    else:
        ones = [l + 1 for l, s in enumerate(before_last) if s == 1]
        hyp = [
            f"Thm 4 (unique factorization): hypotheses fail, s_l = 1 for l = "
            f"{', '.join(map(str, ones))}"
        ]
        if trading:
            hyp.append(
                "layers with strides one between them are polynomials in the same "
                "variable and can trade roots (Sec. 2.3)"
            )
            unique = False
        else:
            hyp.append(
                "but no two layers with filter size > 1 share a variable: the "
                "factorization is still unique"
            )
            unique = True
    counts, counted = [], []
    for th in thetas:
        pred = _predicted_count(net, th, trading)
        if pred <= MAX_FIBER_POINTS:
            counts.append(count_real_factorizations(net, net.end_to_end(th)))
            counted.append(True)
        else:
            counts.append(pred)
            counted.append(False)
    method = "root orbits, Gaussian filters"
    if not all(counted):
        method += (
            f"; fibers with more than {MAX_FIBER_POINTS} points are counted from the "
            "roots of each block instead of enumerated"
        )
    return hyp, unique, tuple(counts), method, blocks, []


def _predicted_count(net: LCN, filters, runs: list[list[int]]) -> int:
    """Fiber points of a generic ``w``: the product over blocks of the ways to share the roots.

    Layers of one block are polynomials in the same variable ``u = t^S``; their product's roots
    can be shared out in :func:`stride_one_factorization_count` ways (Sec. 2.3).
    """
    total = 1
    for run in runs:
        prod = np.ones(1)
        for l in run:
            prod = np.convolve(prod, np.asarray(filters[l], float))
        nz = np.flatnonzero(prod)
        core = prod[nz[0] : nz[-1] + 1]
        roots = np.roots(core[::-1]) if core.size > 1 else np.zeros(0)
        n_zero, n_inf = int(nz[0]), int(prod.size - 1 - nz[-1])
        total *= stride_one_factorization_count(
            np.concatenate([roots, np.zeros(n_zero)]),
            [net.filter_sizes[l] - 1 for l in run],
            n_inf=n_inf,
            tol=1e-7,
        )
    return total


def _fibers_nd(net: LCN, rng: np.random.Generator, n_points: int):
    shapes = net.filter_shapes
    thin = [l + 1 for l, s in enumerate(shapes) if sum(k > 1 for k in s) < 2]
    pairs = [(i + 1, j + 1) for i, j in interchangeable_layers(net)]
    if thin:
        hyp = [
            f"Cor. 10 (unique factorization up to reordering): hypotheses fail, layer(s) "
            f"{', '.join(map(str, thin))} have fewer than two sizes > 1 (such a layer can "
            "split into factors that other layers may take)"
        ]
    else:
        hyp = [
            "Cor. 10 (unique factorization up to reordering): hypotheses hold, every layer "
            "has at least two sizes > 1"
        ]
    if pairs:
        hyp.append(
            "Obs. 11: interchangeable layers (equal shapes, only strides one between "
            f"them): {', '.join(f'{i} and {j}' for i, j in pairs)}; swapping them is "
            "a second fiber point"
        )
    else:
        hyp.append("Obs. 11: no interchangeable layers")
    unique = not thin and not pairs
    counts = []
    if not thin:
        for _ in range(n_points):
            w = net.end_to_end(_irreducible_integer_filters(net, rng))
            counts.append(len(factor_end_to_end(net, w)))
        method = "exact factorization of integer w with sympy"
    else:
        for _ in range(n_points):
            w = net.end_to_end(net.random_filters(rng))
            try:
                counts.append(len(multistart_fibers(net, w, rng=rng, n_starts=N_STARTS)))
            except ValueError:  # no start converged: a numerical failure, reported as 0
                counts.append(0)
        method = f"numerical: least squares from {N_STARTS} random starts"
    return hyp, unique, tuple(counts), method, [], pairs


def _ntk_1d(net: LCN, rng, n_points, blocks) -> NTKVerdict:
    thm4 = net.n_layers == 1 or all(s > 1 for s in net.strides[:-1])
    if thm4:
        paper, paper_det = "yes, for every delta (Thm 4: strides s_1..s_(L-1) > 1)", True
    else:
        paper = "no, not in general (a stride one before the last layer; Sec. 2.3)"
        paper_det = False
    expected_det = not blocks
    expected = (
        "yes: no two layers with filter size > 1 share a variable"
        if expected_det
        else "no: layers sharing a variable trade real roots, and the traded points have "
        "different NTKs (Sec. 2.3, Ex. 19)"
    )
    runs = [list(np.array(b.layers) - 1) for b in blocks]
    all_real = int(np.prod([max(b.counts) for b in blocks])) if blocks else 1
    real_roots = all_real <= MAX_NTK_POINTS
    diffs, bal, npts = [], [], []
    for _ in range(n_points):
        fs = _real_root_filters(net, rng) if real_roots else _complex_root_filters(net, rng)
        if net.n_layers == 1:
            diffs.append(0.0)
            bal.append(0.0)
            npts.append(1)
            continue
        if _predicted_count(net, fs, runs) > MAX_NTK_POINTS:
            continue
        w = net.end_to_end(fs)
        fs = [c * f for c, f in zip(_random_scales(net, rng), fs, strict=True)]
        delta = net.invariants(fs)
        fib = fibers(net, w, delta)  # sign flips do not change Theta (Obs. 3): one per class
        diffs.append(_ntk_difference(net, fib.filters))
        npts.append(len(fib))
        bal.append(_ntk_difference(net, fibers(net, w).filters))
    method = (
        "root orbits; layers with real roots only"
        if real_roots
        else "root orbits; layers with complex roots where possible (real roots only "
        "would give too many points)"
    )
    determined = max(diffs) < DETERMINED_TOL if diffs else None
    if not thm4 and determined and not blocks:
        paper += " - this architecture is an exception: no layers can trade roots"
    return NTKVerdict(
        differences=tuple(diffs),
        balanced_differences=tuple(bal),
        n_points=tuple(npts),
        determined=determined,
        paper=paper,
        paper_determined=paper_det if (thm4 or blocks) else None,
        expected=expected,
        expected_determined=expected_det,
        method=method,
    )


def _ntk_nd(net: LCN, rng, n_points, pairs) -> NTKVerdict:
    shapes = net.filter_shapes
    thin = [l for l, s in enumerate(shapes) if sum(k > 1 for k in s) < 2]
    if thin:
        paper, paper_det = (
            "no statement: Thm 13 needs every layer with at least two sizes > 1",
            None,
        )
        expected, expected_det = (
            "no prediction: a layer with one size > 1 behaves like a 1D "
            "layer and may trade factors with others",
            None,
        )
    else:
        paper, paper_det = "yes, for every delta and all strides (Cor. 10, Thm 13)", True
        if pairs:
            expected, expected_det = (
                "yes only when delta vanishes between interchangeable layers: a swap exchanges "
                "their norms, and rescaling back to delta (Prop. 12) changes Theta (the book's "
                "correction of Thm 13)",
                False,
            )
        else:
            expected, expected_det = "yes: no two layers are interchangeable", True
    diffs, bal, npts = [], [], []
    for _ in range(n_points):
        if not thin:
            ints = _irreducible_integer_filters(net, rng)
            w = net.end_to_end(ints)
            fs = [c * f for c, f in zip(_random_scales(net, rng), ints, strict=True)]
            delta = net.invariants(fs)
            sols = factor_end_to_end(net, w).solutions
            pts = [v for s in sols for v in sign_variants(rescale(net, s, delta))]
            zero = np.zeros(net.n_layers - 1)
            pts0 = [v for s in sols for v in sign_variants(rescale(net, s, zero))]
            npts.append(len(sols))
        else:
            fs = [
                c * f
                for c, f in zip(_random_scales(net, rng), net.random_filters(rng), strict=True)
            ]
            w, delta = net.end_to_end(fs), net.invariants(fs)
            try:
                fib = multistart_fibers(net, w, delta, rng=rng, n_starts=N_STARTS)
                pts0 = multistart_fibers(net, w, rng=rng, n_starts=N_STARTS).with_signs()
            except ValueError:  # no start converged (numerical): this point is skipped
                continue
            pts = fib.with_signs()
            npts.append(len(fib))
        diffs.append(_ntk_difference(net, pts))
        bal.append(_ntk_difference(net, pts0))
    method = (
        "exact factorization, rescaled to delta (Prop. 12)"
        if not thin
        else f"numerical: least squares from {N_STARTS} random starts"
    )
    return NTKVerdict(
        differences=tuple(diffs),
        balanced_differences=tuple(bal),
        n_points=tuple(npts),
        determined=max(diffs) < DETERMINED_TOL if diffs else None,
        paper=paper,
        paper_determined=paper_det,
        expected=expected,
        expected_determined=expected_det,
        method=method,
    )
