"""Check an architecture of your own: one report with the paper's questions answered by computation.

:func:`describe` reports, for a 1D or D-dim network: the shape; ``dim M`` (rank of ``J`` vs. the
formula) and its codimension; the fibers (Thm 4, Cor. 10, Obs. 11; counts at random points and of
1D stride-one blocks); whether the NTK is determined by ``(w, delta)`` (computed, paper,
correction); implicit equations (:mod:`lcnn_widgets.implicit`). :func:`parse_architecture` reads
``"3,2"`` or ``"2x3,2x2"``.

>>> from lcnn_widgets import LCN
>>> rep = describe(LCN([3, 2], [2, 1]))
>>> rep.dim_formula, rep.codim, rep.fiber_counts, rep.ntk.determined
(4, 1, (1, 1, 1), True)
>>> [str(e) for e in rep.implicit.equations]
['w0*w3**2 + w1**2*w4 - w1*w2*w3']
"""

from __future__ import annotations

import dataclasses
import functools
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
    random_real_root_filters,
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

#: the fiber fields of a report: hypotheses, unique_expected, counts, method, blocks, pairs
_Fibers = tuple[tuple[str, ...], bool, tuple[int, ...], str, tuple, tuple[tuple[int, int], ...]]

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
        One filter size per layer, layer 1 first, separated by commas; ``2x3`` in D dimensions.
    strides : str
        One stride per layer, in the same form (in D dimensions an integer applies to every axis).

    Returns
    -------
    LCN

    Raises
    ------
    ValueError, TypeError
        For a non-string or an entry that is not a positive integer, and as :class:`LCN`.

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
        ``S = S_{l-1}``: each layer is a polynomial in ``u = t^S``.
    degrees : tuple of int
        ``k_l - 1`` for each layer.
    counts : tuple of int
        The possible numbers of real factorizations of the block's product (distinct roots).
    examples, example_filters : tuple of str, tuple of ndarray
        For each count, an example product (roots and coefficients) and its coefficients.
    verified : tuple of int or None
        ``len(fibers(...))`` of each example alone (``None``: too many points to enumerate).
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
        :func:`lcnn_widgets.table1.relative_ntk_difference` over the real fiber points of
        ``(w, delta)`` at random points with random ``delta``.
    balanced_differences : tuple of float
        The same at the same ``w`` with ``delta = 0``.
    n_points : tuple of int
        Fiber points (up to signs) compared at each random point.
    determined : bool or None
        ``max(differences) < DETERMINED_TOL``; ``None`` when no fiber could be compared.
    paper, expected : str
        The paper's statement, and the statement as corrected in the book.
    paper_determined, expected_determined : bool or None
        What they predict (``None``: no statement).
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
    seed : int
        Seed of every random draw.
    ranks : tuple of int
        ``rank J`` at the random points.
    dim_formula, codim : int
        ``sum_l prod(k_l) - (L - 1)`` and ``prod(end_to_end_size) - dim_formula``.
    hypotheses : tuple of str
        One line per result of the paper whose hypotheses were checked.
    unique_expected : bool
        Whether the paper predicts a unique factorization up to scaling and signs.
    fiber_counts, fiber_method : tuple of int or None, str
        Real fiber points up to signs at the random points, and how they were counted.
    blocks : tuple of StrideOneBlock
        1D: the blocks of at least two layers that can trade roots.
    interchangeable : tuple of tuple of int
        Pairs of interchangeable layers (1-based; Obs. 11).
    ntk : NTKVerdict
    implicit, implicit_note : ImplicitEquations or None, str
        The equations, or ``None`` and why they were not searched.
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
        net, v, L, K = self.net, self.ntk, self.net.n_layers, self.net.n_outputs
        size = net.end_to_end_size
        kind = "1D" if net.is_1d else f"{net.dim}D"
        lines = [
            f"Architecture {net!r}: {kind}, L = {L} layer{'s' if L > 1 else ''}",
            "Shape",
            f"  end-to-end filter: size {size if isinstance(size, int) else _join(size, 'x')} "
            f"({K} coefficients), stride {net.stride}; parameters: {net.n_params}",
            "Dimension",
            f"  dim M = {self.dim_computed} (rank of J at {len(self.ranks)} random points: "
            f"{_join(self.ranks)}); formula sum of filter sizes - (L - 1) = {net.n_params} - "
            f"{L - 1} = {self.dim_formula}"
            + ("" if self.dim_computed == self.dim_formula else "  (!) they differ"),
            f"  codimension in R^{K}: {self.codim}"
            + ("  (M fills the filter space)" if self.codim == 0 else ""),
            "Fibers (real factorizations up to scaling and signs)",
            *(f"  {h}" for h in self.hypotheses),
            f"  fiber points at random points: {self.fiber_method}"
            if self.fiber_counts is None
            else f"  fiber points at {len(self.fiber_counts)} random points: "
            f"{_join(self.fiber_counts)} ({self.fiber_method})",
        ]
        for b in self.blocks:
            lines.append(
                f"  layers {_join(b.layers)} share S = {b.accumulated_stride} (strides one "
                f"between them): possible counts {_join(b.counts)} for distinct roots"
            )
            lines += [f"    {c}: {ex}" for c, ex in zip(b.counts, b.examples, strict=True)]
        lines += ["NTK determined by (w, delta)?", f"  paper: {v.paper}"]
        if v.determined is None:
            lines.append(
                f"  computed: not compared ({v.method}: every sampled fiber had too many "
                "points to enumerate, or no solve converged)"
            )
        else:
            lines.append(
                f"  computed: {'yes' if v.determined else 'no'}, largest relative NTK difference "
                f"{_num(v.max_difference)} over {len(v.differences)} fibers at random delta "
                f"({_num(max(v.balanced_differences, default=0.0))} at delta = 0); "
                f"fiber points per fiber {_join(v.n_points)} ({v.method})"
            )
        if v.agrees_with_paper is False:
            lines.append(f"  they differ; corrected statement: {v.expected}")
        elif v.paper_determined is None:
            lines.append(f"  expected: {v.expected}")
        lines.append("Implicit equations of the closure of M")
        if self.implicit is None:
            return "\n".join([*lines, f"  {self.implicit_note}"])
        eqs = self.implicit.equations
        lines += [f"  {self.implicit.summary()}", *(f"    {e} = 0" for e in eqs[:max_equations])]
        if len(eqs) > max_equations:
            lines.append(f"    ... and {len(eqs) - max_equations} more (report.implicit.equations)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


def _join(items, sep: str = ", ") -> str:
    return sep.join(map(str, items))


def _num(x: float) -> str:
    return f"< {PRINT_FLOOR:g}" if x < PRINT_FLOOR else f"{x:.2g}"


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
        At most :data:`MAX_OUTPUTS` end-to-end coefficients and :data:`MAX_LAYERS` layers.
    seed : int, default=0
        Seed of every random draw.
    implicit_budget_s : float, default=10.0
        Time budget of :func:`lcnn_widgets.implicit.implicit_equations`.
    max_degree : int, default=4
        The highest degree of implicit equations searched.
    n_points : int, default=3
        Random points for the ranks, the fiber counts and the NTK comparison (1-10).

    Returns
    -------
    ArchitectureReport

    Raises
    ------
    ValueError, TypeError
        For an architecture beyond the limits or bad budgets; ``net`` not an :class:`LCN`.

    Notes
    -----
    Fibers by root orbits in 1D (Thm 4, Sec. 2.3), exact factorization (Cor. 10) or multistart in
    D >= 2. NTK: filters rescaled to a random ``delta`` at the same ``w``; "determined" means a
    largest relative difference below ``1e-8`` (:mod:`lcnn_widgets.table1`).

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
    seconds, t0 = {}, time.perf_counter()
    rng = np.random.default_rng(seed)
    thetas = [net.random_filters(rng) for _ in range(n_points)]
    ranks = tuple(int(np.linalg.matrix_rank(net.jacobian(th))) for th in thetas)
    K, codim = net.n_outputs, net.n_outputs - net.dim_neuromanifold
    seconds["dimension"], t0 = time.perf_counter() - t0, time.perf_counter()
    fib = _fibers_1d(net, thetas) if net.is_1d else _fibers_nd(net, rng, n_points)
    seconds["fibers"], t0 = time.perf_counter() - t0, time.perf_counter()
    ntk = _ntk_1d(net, rng, n_points, fib[4]) if net.is_1d else _ntk_nd(net, rng, n_points, fib[5])
    seconds["ntk"], t0 = time.perf_counter() - t0, time.perf_counter()
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
    first = tuple(np.asarray(f) for f in thetas[0])
    return ArchitectureReport(
        net, seed, ranks, net.dim_neuromanifold, codim, *fib, ntk, implicit, note, first, seconds
    )


# ============================================================================ the parts
def _fibers_1d(net: LCN, thetas) -> _Fibers:
    """Hypotheses, uniqueness, counts, method, blocks and pairs (none) of a 1D network."""
    before_last = net.strides[:-1]
    trading = [r for r in net.stride_runs if sum(net.filter_sizes[l] > 1 for l in r) >= 2]
    if net.n_layers == 1:
        hyp = ["one layer: theta = w, every fiber is a single point up to sign"]
    elif _thm4(net):
        hyp = [
            f"Thm 4 (unique factorization): hypotheses hold, strides s_1..s_(L-1) = "
            f"{list(before_last)} are all > 1"
        ]
    else:
        ones = _join(l + 1 for l, s in enumerate(before_last) if s == 1)
        hyp = [
            f"Thm 4 (unique factorization): hypotheses fail, s_l = 1 for l = {ones}",
            "layers with strides one between them are polynomials in the same variable and can "
            "trade roots (Sec. 2.3)"
            if trading
            else "but no two layers with filter size > 1 share a variable: the factorization is "
            "still unique",
        ]
    predicted = [_predicted_count(net, th, trading) for th in thetas]
    counts = tuple(
        p if p > MAX_FIBER_POINTS else count_real_factorizations(net, net.end_to_end(th))
        for p, th in zip(predicted, thetas, strict=True)
    )
    method = "root orbits, Gaussian filters"
    if max(predicted) > MAX_FIBER_POINTS:
        method += (
            f"; fibers with more than {MAX_FIBER_POINTS} points are counted from the "
            "roots of each block instead of enumerated"
        )
    blocks = tuple(_stride_one_block(net, r) for r in trading)
    return tuple(hyp), not trading, counts, method, blocks, ()


def _thm4(net: LCN) -> bool:
    """The hypotheses of Thm 4: strides ``s_1, ..., s_(L-1)`` all > 1."""
    return all(s > 1 for s in net.strides[:-1])


def _thin(net: LCN) -> list[int]:
    """Layers (1-based) with fewer than two sizes > 1: outside Cor. 10 and Thm 13."""
    return [l + 1 for l, s in enumerate(net.filter_shapes) if sum(k > 1 for k in s) < 2]


def _predicted_count(net: LCN, filters, runs: list[list[int]]) -> int:
    """Fiber points of a generic ``w``: the product over blocks of the ways to share the roots."""
    total = 1
    for run in runs:
        prod = functools.reduce(
            np.convolve, [np.asarray(filters[l], float) for l in run], np.ones(1)
        )
        nz = np.flatnonzero(prod)
        core = prod[nz[0] : nz[-1] + 1]
        roots = np.concatenate([np.roots(core[::-1]) if core.size > 1 else [], np.zeros(nz[0])])
        degrees = [net.filter_sizes[l] - 1 for l in run]
        n_inf = int(prod.size - 1 - nz[-1])
        total *= stride_one_factorization_count(roots, degrees, n_inf=n_inf, tol=1e-7)
    return total


def _fibers_nd(net: LCN, rng: np.random.Generator, n_points: int) -> _Fibers:
    """Hypotheses, uniqueness, counts, method, blocks (none) and pairs of a D-dim network."""
    thin = _thin(net)
    pairs = tuple((i + 1, j + 1) for i, j in interchangeable_layers(net))
    hyp = (
        "Cor. 10 (unique factorization up to reordering): hypotheses "
        + (
            f"fail, layer(s) {_join(thin)} have fewer than two sizes > 1 (such a layer can "
            "split into factors that other layers may take)"
            if thin
            else "hold, every layer has at least two sizes > 1"
        ),
        "Obs. 11: interchangeable layers (equal shapes, only strides one between "
        f"them): {', '.join(f'{i} and {j}' for i, j in pairs)}; swapping them is "
        "a second fiber point"
        if pairs
        else "Obs. 11: no interchangeable layers",
    )
    counts = []
    for _ in range(n_points):
        if not thin:
            w = net.end_to_end(_irreducible_integer_filters(net, rng))
            counts.append(len(factor_end_to_end(net, w)))
            continue
        w = net.end_to_end(net.random_filters(rng))
        try:
            counts.append(len(multistart_fibers(net, w, rng=rng, n_starts=N_STARTS)))
        except ValueError:  # no start converged: a numerical failure, reported as 0
            counts.append(0)
    method = (
        f"numerical: least squares from {N_STARTS} random starts"
        if thin
        else "exact factorization of integer w with sympy"
    )
    return hyp, not thin and not pairs, tuple(counts), method, (), pairs


def _ntk_1d(net: LCN, rng, n_points, blocks) -> NTKVerdict:
    """Thm 4 and Sec. 2.3, measured on fibers of filters with real (or complex) roots."""
    runs = [[l - 1 for l in b.layers] for b in blocks]
    real_roots = np.prod([max(b.counts) for b in blocks]) <= MAX_NTK_POINTS
    samples = []
    for _ in range(n_points):
        fs = random_real_root_filters(net, rng) if real_roots else _complex_root_filters(net, rng)
        if _predicted_count(net, fs, runs) > MAX_NTK_POINTS:
            continue
        w = net.end_to_end(fs)
        fs = [c * f for c, f in zip(_random_scales(net, rng), fs, strict=True)]
        fib = fibers(net, w, net.invariants(fs))  # sign flips keep Theta (Obs. 3): one per class
        samples.append((fib.filters, fibers(net, w).filters, len(fib)))
    thm4 = _thm4(net)
    verdict = _verdict(
        net,
        samples,
        "yes, for every delta (Thm 4: strides s_1..s_(L-1) > 1)"
        if thm4
        else "no, not in general (a stride one before the last layer; Sec. 2.3)",
        True if thm4 else False if blocks else None,
        "no: layers sharing a variable trade real roots, and the traded points have "
        "different NTKs (Sec. 2.3, Ex. 19)"
        if blocks
        else "yes: no two layers with filter size > 1 share a variable",
        not blocks,
        "root orbits; layers with real roots only"
        if real_roots
        else "root orbits; layers with complex roots where possible (real roots only "
        "would give too many points)",
    )
    if not thm4 and verdict.determined and not blocks:
        exception = " - this architecture is an exception: no layers can trade roots"
        verdict = dataclasses.replace(verdict, paper=verdict.paper + exception)
    return verdict


def _ntk_nd(net: LCN, rng, n_points, pairs) -> NTKVerdict:
    """Cor. 10 and Thm 13, corrected by Obs. 11 with Prop. 12 for interchangeable layers."""
    thin = _thin(net)
    samples = []
    for _ in range(n_points):
        if not thin:
            ints = _irreducible_integer_filters(net, rng)
            w = net.end_to_end(ints)
            fs = [c * f for c, f in zip(_random_scales(net, rng), ints, strict=True)]
            sols = factor_end_to_end(net, w).solutions
            pts, pts0 = (
                [v for s in sols for v in sign_variants(rescale(net, s, delta))]
                for delta in (net.invariants(fs), np.zeros(net.n_layers - 1))
            )
            samples.append((pts, pts0, len(sols)))
            continue
        scales = _random_scales(net, rng)
        fs = [c * f for c, f in zip(scales, net.random_filters(rng), strict=True)]
        w, delta = net.end_to_end(fs), net.invariants(fs)
        try:
            fib = multistart_fibers(net, w, delta, rng=rng, n_starts=N_STARTS)
            pts0 = multistart_fibers(net, w, rng=rng, n_starts=N_STARTS).with_signs()
        except ValueError:  # no start converged (numerical): this point is skipped
            continue
        samples.append((fib.with_signs(), pts0, len(fib)))
    if thin:
        return _verdict(
            net,
            samples,
            "no statement: Thm 13 needs every layer with at least two sizes > 1",
            None,
            "no prediction: a layer with one size > 1 behaves like a 1D layer and may trade "
            "factors with others",
            None,
            f"numerical: least squares from {N_STARTS} random starts",
        )
    expected = (
        "yes only when delta vanishes between interchangeable layers: a swap exchanges their "
        "norms, and rescaling back to delta (Prop. 12) changes Theta (the book's correction of "
        "Thm 13)"
        if pairs
        else "yes: no two layers are interchangeable"
    )
    paper = "yes, for every delta and all strides (Cor. 10, Thm 13)"
    method = "exact factorization, rescaled to delta (Prop. 12)"
    return _verdict(net, samples, paper, True, expected, not pairs, method)


def _verdict(net, samples, paper, paper_det, expected, expected_det, method) -> NTKVerdict:
    """The verdict from ``(fiber points, balanced points, n points)`` at each random point."""
    diffs = tuple(_ntk_difference(net, pts) for pts, _, _ in samples)
    balanced = tuple(_ntk_difference(net, pts0) for _, pts0, _ in samples)
    determined = max(diffs) < DETERMINED_TOL if diffs else None
    n_pts = tuple(n for _, _, n in samples)
    return NTKVerdict(
        diffs, balanced, n_pts, determined, paper, paper_det, expected, expected_det, method
    )


def _stride_one_block(net: LCN, run: list[int]) -> StrideOneBlock:
    """The possible fiber counts of one block of layers, each with an example (Sec. 2.3)."""
    degrees = [net.filter_sizes[l] - 1 for l in run]
    n, S = sum(degrees), int(net.accumulated_strides[run[0]])
    sub = LCN([d + 1 for d in degrees], [1] * len(run))
    found: dict[int, tuple] = {}
    for n_pairs in range(n // 2 + 1):
        n_real = n - 2 * n_pairs
        reals = list(range(1, n_real + 1))
        pairs = [-j + s * 1j for j in range(1, n_pairs + 1) for s in (1, -1)]
        roots = np.array(reals + pairs, dtype=complex)
        count = stride_one_factorization_count(roots, degrees)
        if count in found:
            continue
        w = np.round(filter_from_roots(roots), 12)
        small = count <= MAX_FIBER_POINTS and n <= 12  # (larger examples: ill-conditioned roots)
        coeffs = _join(f"{int(c)}" if float(c).is_integer() else f"{c:g}" for c in w)
        what = f"{n_real} real root{'s' if n_real != 1 else ''}"
        if n_pairs:
            what += f" and {n_pairs} complex pair{'s' if n_pairs != 1 else ''}"
        where = "t" if S == 1 else f"u = t^{S}"
        described = "; ".join(
            p for p in (_join(reals), _join(f"-{j} +- i" for j in range(1, n_pairs + 1))) if p
        )
        text = (
            f"{what} of the block's product in {where} (roots {described}; coefficients from "
            f"the constant term on: ({coeffs}))"
        )
        found[count] = (text, w, count_real_factorizations(sub, w) if small else None)
    counts = tuple(sorted(found))
    texts, filters, verified = zip(*(found[c] for c in counts), strict=True)
    return StrideOneBlock(
        tuple(l + 1 for l in run), S, tuple(degrees), counts, texts, filters, verified
    )


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
