"""The paper's Table 1 by computation: whether the NTK is a function of ``(w, delta)``.

For each class of linear networks in the paper's Table 1 we draw random architectures and
parameters ``theta``, take ``w = pi(theta)`` and the invariants ``delta`` of ``theta``, compute
points of the fiber ``{theta' : pi(theta') = w, delta(theta') = delta}`` by the method that fits
the class, and measure how far apart the NTKs of these points are:

==================  ========================================================  ==============
class (key)         fiber points compared                                     paper
==================  ========================================================  ==============
``fc_balanced``     SVD factorization, orthogonal orbit, least-squares solves  Thm 14: yes
``fc_generic``      Ex. 20 family ``(A Q, Q^T A^{-1})``, least-squares solves   Ex. 20: no
``conv1d_strided``  every real fiber point (root orbits, :func:`fibers`)       Thm 4: yes
``conv1d_stride1``  every real fiber point (root orbits, :func:`fibers`)       Sec. 2.3: no
``conv2d``          exact ``sympy`` factorization + multistart check           Thm 13: yes
``conv2d_swap``     the same, for layers that can be interchanged (Obs. 11)    Thm 13: yes
==================  ========================================================  ==============

A class is "determined by ``(w, delta)``" when its largest :func:`relative_ntk_difference`
over the sampled fibers is below :data:`DETERMINED_TOL` ``= 1e-8`` (rounding gives ``1e-15``, a
genuine dependence order one). The last class is not a row of the paper, which claims "yes"
for every D >= 2 architecture: a swap of two equal-shaped layers keeps ``w`` but exchanges
their norms, and rescaling back to ``delta`` (Prop. 12) changes ``Theta`` unless ``delta``
vanishes between them. The command line: ``python -m lcnn_widgets table1 --help``; the package
does not re-export these names.

>>> res = reproduce_table1(rng=np.random.default_rng(0), n_samples=1, classes=["conv1d_strided"])
>>> row = res.row("conv1d_strided")
>>> row.determined, row.agrees, row.max_difference < 1e-12
(True, True, True)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import least_squares

from . import dense
from ._validation import (
    as_finite_array,
    as_generator,
    as_int_in_range,
    as_positive_int,
    as_sequence,
    finite_result,
)
from .dense import (
    FCN,
    balanced_factorization,
    example_20,
    identity_factorization,
    orthogonal_orbit,
    random_orthogonal,
)
from .fibers import fibers, multistart_fibers, random_real_root_filters, rescale, sign_variants
from .higher_dim import (
    factor_end_to_end,
    irreducible_layers,
    random_integer_filters,
    swappable_pairs,
)
from .lcn import LCN, spread

__all__ = [
    "CLASSES",
    "DETERMINED_TOL",
    "PAPER_TABLE",
    "ArchitectureClass",
    "FiberSample",
    "Table1Result",
    "Table1Row",
    "interchangeable_layers",
    "relative_ntk_difference",
    "reproduce_table1",
    "sample_fiber",
]

#: a class counts as "NTK determined by (w, delta)" when its largest relative difference is below
DETERMINED_TOL = 1e-8
#: a least-squares solution of the fully connected fiber equations is accepted below this
_DENSE_TOL = 1e-12
#: largest end-to-end filter (number of entries) drawn for the 2D classes (keeps sympy fast)
_MAX_2D_OUTPUTS = 64


@dataclass(frozen=True)
class ArchitectureClass:
    """One row of the paper's Table 1 (or a refinement of one)."""

    key: str  # its name in code, e.g. "conv1d_strided"
    name: str  # its name in the printed table
    paper_verdict: bool  # the paper's answer: is the NTK determined by w and the invariants?
    paper_text: str  # the paper's wording
    reason: str  # the results behind it


# fmt: off
CLASSES: tuple[ArchitectureClass, ...] = (
    ArchitectureClass("fc_balanced", "fully connected, balanced (delta = 0)", True,
                      "yes, when balanced", "Thm 14"),
    ArchitectureClass("fc_generic", "fully connected, generic invariants", False,
                      "no (Ex. 20)", "Ex. 20"),
    ArchitectureClass("conv1d_strided", "1D conv., strides s_1..s_{L-1} > 1", True,
                      "yes, all delta", "Thm 4, Prop. 2"),
    ArchitectureClass("conv1d_stride1", "1D conv., some s_l = 1 (l < L)", False,
                      "no, in general", "Sec. 2.3, Ex. 19"),
    ArchitectureClass("conv2d", "2D conv., no interchangeable layers", True,
                      "yes, all delta/strides", "Cor. 10, Prop. 12, Thm 13"),
    ArchitectureClass("conv2d_swap", "2D conv., interchangeable layers (Obs. 11)", True,
                      "yes, all delta/strides", "Obs. 11, Thm 13"),
)
# fmt: on
_BY_KEY = {c.key: c for c in CLASSES}


def _as_class_key(key: object, name: str = "key") -> ArchitectureClass:
    if not isinstance(key, str):
        raise TypeError(f"{name}: the class must be given by its key (a str): got {key!r}")
    if key not in _BY_KEY:
        raise ValueError(f"{name}: unknown class {key!r}: choose one of {', '.join(_BY_KEY)}")
    return _BY_KEY[key]


@finite_result
def relative_ntk_difference(ntks: Sequence[ArrayLike]) -> float:
    """The largest relative distance between NTK matrices of points of one fiber.

    ``ntks``: at least one array_like, all of one shape (K, K). Returns
    ``max_{i,j} ||Theta_i - Theta_j||_F / max_i ||Theta_i||_F`` (0 for one matrix or all zero):
    about ``1e-15`` from rounding, order one for a real dependence (Ex. 19, Ex. 20).

    Examples
    --------
    >>> relative_ntk_difference([np.eye(2), np.eye(2), np.diag([1.0, 0.0])])
    0.7071067811865475
    """
    mats = [
        as_finite_array(t, f"ntks[{i}]", allow_empty=True)
        for i, t in enumerate(as_sequence(ntks, "ntks", "square matrices"))
    ]
    if not mats:
        raise ValueError("ntks must hold at least one matrix: got an empty sequence")
    for i, m in enumerate(mats):
        if m.shape != mats[0].shape:
            raise ValueError(
                f"ntks[{i}] must have the shape {mats[0].shape} of ntks[0]: got {m.shape}"
            )
    scale = max(float(np.linalg.norm(m)) for m in mats)
    return spread(mats) / scale if scale > 0.0 else 0.0


def interchangeable_layers(net: LCN) -> list[tuple[int, int]]:
    """Pairs of layers that can be exchanged without changing the architecture or ``pi``.

    The :func:`lcnn_widgets.higher_dim.swappable_pairs` whose filters have one shape (Obs. 11).

    Examples
    --------
    >>> interchangeable_layers(LCN([(2, 2), (2, 2), (2, 3)], [1, 1, 1]))
    [(0, 1)]
    """
    if not isinstance(net, LCN):
        raise TypeError(f"net must be an LCN: got {type(net).__name__}")
    shapes = net.filter_shapes
    return [(i, j) for i, j in swappable_pairs(net) if shapes[i] == shapes[j]]


@dataclass(frozen=True, eq=False)
class FiberSample:
    """Points of one fiber at fixed invariants and the spread of their NTKs."""

    architecture: LCN | FCN
    theta: tuple[np.ndarray, ...]  # the drawn parameters, w = pi(theta)
    w: np.ndarray
    delta: np.ndarray | tuple[np.ndarray, ...]  # the invariants of theta (FCN: eq. (5))
    points: tuple[tuple[np.ndarray, ...], ...]  # every compared point (convolutions: signs too)
    n_points: int  # fiber points up to signs (exact for convolutions, sampled for FCN)
    method: str  # how the points were found
    difference: float  # relative_ntk_difference of their NTKs
    residual: float  # the largest ||pi(theta') - w|| / ||w||


def _finish_sample(net: LCN | FCN, theta, w, delta, points, n_points, method) -> FiberSample:
    """The :class:`FiberSample` of these points (LCN and FCN name their methods alike)."""
    pts = tuple(tuple(np.asarray(f, float) for f in p) for p in points)
    wn = float(np.linalg.norm(w))
    residual = max(float(np.linalg.norm(net.end_to_end(p) - w)) / wn for p in pts)
    theta = tuple(np.asarray(f, float) for f in theta)
    difference = relative_ntk_difference([net.ntk(p) for p in pts])
    return FiberSample(
        net, theta, np.asarray(w, float), delta, pts, int(n_points), method, difference, residual
    )


def _dense_fiber_search(
    net: FCN, W: np.ndarray, D: Sequence[np.ndarray], rng: np.random.Generator, n_starts: int
) -> list[list[np.ndarray]]:
    """Solve ``W_L ... W_1 = W``, ``W_{j+1}^T W_{j+1} - W_j W_j^T = D_j`` by least squares."""
    target = np.concatenate([W.ravel()] + [d.ravel() for d in D])
    scale = max(float(np.linalg.norm(target)), 1e-300)
    size = float(np.linalg.norm(W)) ** (1.0 / net.n_layers)

    def fun(th: np.ndarray) -> np.ndarray:  # the unchecked kernel: th is the solver's iterate
        got = [dense.pi(net, th).ravel()] + [d.ravel() for d in dense.invariants(net, th)]
        return (np.concatenate(got) - target) / scale

    def jac(th: np.ndarray) -> np.ndarray:
        return np.vstack([dense.jacobian(net, th), dense.invariant_jacobian(net, th)]) / scale

    out = []
    for _ in range(n_starts):
        th0 = net.flatten(net.random_weights(rng, scale=size / np.sqrt(max(net.widths))))
        tight = {"xtol": 1e-15, "ftol": 1e-15, "gtol": 1e-15}  # stop at rounding level
        sol = least_squares(fun, th0, jac=jac, method="trf", max_nfev=100 * th0.size, **tight)
        th, res = sol.x, sol.fun
        for _ in range(8):  # Gauss-Newton polish (minimum-norm steps): quadratic convergence
            if np.linalg.norm(res) <= 1e-15:
                break
            cand = th - np.linalg.lstsq(jac(th), res, rcond=None)[0]
            res_c = fun(cand)
            if not np.linalg.norm(res_c) < np.linalg.norm(res):
                break
            th, res = cand, res_c
        if np.linalg.norm(res) <= _DENSE_TOL:  # relative residual
            out.append(net.unflatten(th))
    return out


def _random_widths(rng: np.random.Generator, *, low: int) -> tuple[int, ...]:
    L = int(rng.integers(2, 4))
    d0, dL = (int(v) for v in rng.integers(low, 4, size=2))
    hidden = rng.integers(min(d0, dL), 4, size=L - 1)
    return (d0, *(int(h) for h in hidden), dL)


def _sample_fc_balanced(rng, *, worked_example, n_orbit, n_starts) -> FiberSample:
    widths = (2, 2, 2) if worked_example else _random_widths(rng, low=1)
    net = FCN(widths)
    W = rng.standard_normal(net.end_to_end_shape)
    base = balanced_factorization(W, net.n_layers, widths=widths)
    orbit = [[random_orthogonal(d, rng) for d in widths[1:-1]] for _ in range(n_orbit)]
    pts = [base, *(orthogonal_orbit(base, Us) for Us in orbit)]
    D = [np.zeros((d, d)) for d in widths[1:-1]]
    pts += _dense_fiber_search(net, W, D, rng, n_starts)
    method = "SVD factorization + orthogonal orbit (Thm 14) + least squares"
    return _finish_sample(net, pts[1] if len(pts) > 1 else base, W, tuple(D), pts, len(pts), method)


def _sample_fc_generic(rng, *, worked_example, n_orbit, n_starts) -> FiberSample:
    if worked_example or bool(
        rng.integers(0, 2)
    ):  # the family of Ex. 20: (A Q, Q^T A^{-1}) for orthogonal Q
        if worked_example:
            ex = example_20()
            A, Qs = ex.A, [np.eye(2), ex.Q]
        else:
            d = int(rng.integers(2, 4))
            A = rng.standard_normal((d, d))
            while np.linalg.cond(A) > 1e2:
                A = rng.standard_normal((d, d))
            Qs = [np.eye(d)]
        d = A.shape[0]
        Qs += [random_orthogonal(d, rng) for _ in range(n_orbit)]
        net = FCN((d, d, d))
        pts = [identity_factorization(A, Q) for Q in Qs]
        method = "Ex. 20 family (A Q, Q^T A^-1) + least squares"
    else:  # a random deeper or rectangular network at its own invariants
        net = FCN(_random_widths(rng, low=2))
        pts = [net.random_weights(rng)]
        method = "least squares from random starts"
    theta = pts[0]
    W = net.end_to_end(theta)
    D = tuple(net.invariants(theta))
    pts += _dense_fiber_search(net, W, D, rng, n_starts)
    return _finish_sample(net, theta, W, D, pts, len(pts), method)


def _random_1d(rng: np.random.Generator, *, stride_one: bool) -> LCN:
    L = int(rng.integers(2, 4))
    sizes = [int(k) for k in rng.integers(2, 5 if L == 2 else 4, size=L)]
    if stride_one:
        strides = [int(s) for s in rng.integers(1, 3, size=L)]
        strides[int(rng.integers(0, L - 1))] = 1
    else:
        strides = [int(s) for s in rng.integers(2, 4, size=L - 1)] + [int(rng.integers(1, 4))]
    return LCN(sizes, strides)


def _sample_conv1d(rng, *, stride_one: bool, worked_example: bool) -> FiberSample:
    if worked_example:  # Ex. 15-17 (strides 2, 1) and Ex. 19 (strides 1, 1): sizes (3, 2)
        net = LCN([3, 2], [1, 1] if stride_one else [2, 1])
    else:
        net = _random_1d(rng, stride_one=stride_one)
    theta = random_real_root_filters(net, rng)
    w, delta = net.end_to_end(theta), net.invariants(theta)
    fib = fibers(net, w, delta)
    method = "all real fiber points (root orbits, Thm 4 / Sec. 2.3)"
    return _finish_sample(net, theta, w, delta, fib.with_signs(), len(fib), method)


def _random_2d(rng: np.random.Generator, *, swap: bool) -> LCN:
    while True:
        L = int(rng.integers(2, 4))
        sizes = [tuple(int(k) for k in rng.integers(2, 4, size=2)) for _ in range(L)]
        strides = [tuple(int(s) for s in rng.integers(1, 3, size=2)) for _ in range(L)]
        if swap:  # make layers i and i + 1 interchangeable
            i = int(rng.integers(0, L - 1))
            sizes[i + 1] = sizes[i]
            strides[i] = (1, 1)
        net = LCN(sizes, strides)
        if net.n_outputs <= _MAX_2D_OUTPUTS and bool(interchangeable_layers(net)) == swap:
            return net


def _sample_conv2d(rng, *, swap: bool, worked_example: bool, n_starts: int) -> FiberSample:
    if worked_example:
        net = LCN([(2, 2), (2, 2)], [(1, 1) if swap else (2, 2), (1, 1)])
    else:
        net = _random_2d(rng, swap=swap)
    ints = random_integer_filters(net, rng)
    while not all(irreducible_layers(net, ints)):  # Cor. 10 is about generic (irreducible) layers
        ints = random_integer_filters(net, rng)
    w = net.end_to_end(ints)
    scales = np.exp(rng.normal(0.0, 0.5, size=net.n_layers))
    scales /= np.prod(scales) ** (1.0 / net.n_layers)
    theta = [c * f for c, f in zip(scales, ints, strict=True)]  # same w, random invariants
    delta = net.invariants(theta)
    exact = factor_end_to_end(net, w, layers=ints)  # P_w's factors: the layers' forms
    found = [rescale(net, s, delta) for s in exact.solutions]
    pts = [v for s in found for v in sign_variants(s)]
    method = "exact factorization (sympy, Cor. 10)"
    if n_starts > 0:
        try:
            numeric = multistart_fibers(net, w, delta, rng=rng, n_starts=n_starts).with_signs()
        except ValueError:  # no start converged: the check adds nothing (exact points remain)
            numeric = []
        pts += numeric
        method += f" + multistart check ({len(numeric) // 2 ** (net.n_layers - 1)} found)"
    return _finish_sample(net, theta, w, delta, pts, len(exact), method)


def sample_fiber(
    key: str,
    *,
    rng: np.random.Generator,
    worked_example: bool = False,
    n_orbit: int = 3,
    n_starts: int = 4,
) -> FiberSample:
    """Draw one architecture and parameters of a class, and compare the NTKs on their fiber.

    Parameters
    ----------
    key : str
        The class, one of the keys of :data:`CLASSES`.
    rng : numpy.random.Generator
    worked_example : bool, default=False
        The class's small example instead of a random architecture: FCN ``(2, 2, 2)``, Ex. 20,
        sizes ``(3, 2)`` with strides ``(2, 1)`` (Ex. 15-17) or ``(1, 1)`` (Ex. 19), 2 x 2
        filters with strides ``((2, 2), (1, 1))`` or ``((1, 1), (1, 1))``; random parameters.
    n_orbit : int, default=3
        Fully connected classes: extra points from random orthogonal matrices.
    n_starts : int, default=4
        Least-squares starts (fully connected) or multistart starts (2D check; 0 skips it).

    Returns
    -------
    FiberSample
        Points from ``(w, delta)`` alone, except the orbits of Thm 14 and Ex. 20 (from
        ``theta``). 2D filters: integer, irreducible forms (Cor. 10), positive rescaling.

    Examples
    --------
    >>> s = sample_fiber("conv1d_stride1", rng=np.random.default_rng(0), worked_example=True)
    >>> s.n_points, s.difference > 1e-2      # a cubic with three real roots: 3 factorizations
    (3, True)
    """
    cls = _as_class_key(key)
    as_generator(rng)
    n_orbit = as_int_in_range(n_orbit, "n_orbit", 0, 1000)
    n_starts = as_int_in_range(n_starts, "n_starts", 0, 1000)
    we = bool(worked_example)
    if cls.key.startswith("fc_"):
        dense = _sample_fc_balanced if cls.key == "fc_balanced" else _sample_fc_generic
        return dense(rng, worked_example=we, n_orbit=n_orbit, n_starts=n_starts)
    if cls.key.startswith("conv1d_"):
        return _sample_conv1d(rng, stride_one=cls.key == "conv1d_stride1", worked_example=we)
    return _sample_conv2d(rng, swap=cls.key == "conv2d_swap", worked_example=we, n_starts=n_starts)


@dataclass(frozen=True, eq=False)
class Table1Row:
    """The computed verdict for one class ``cls``: its ``samples`` (one per fiber), ``seconds``."""

    cls: ArchitectureClass
    samples: tuple[FiberSample, ...]
    seconds: float

    @property
    def differences(self) -> np.ndarray:
        """The relative NTK difference of every sampled fiber, shape (n_samples,)."""
        return np.array([s.difference for s in self.samples])

    @property
    def max_difference(self) -> float:
        """The largest relative NTK difference within a fiber, over the samples."""
        return float(np.max(self.differences))

    @property
    def determined(self) -> bool:
        """Our verdict: NTK determined by ``(w, delta)`` iff max difference < DETERMINED_TOL."""
        return self.max_difference < DETERMINED_TOL

    @property
    def agrees(self) -> bool:
        """Whether our verdict is the paper's."""
        return self.determined == self.cls.paper_verdict

    @property
    def n_samples(self) -> int:
        """Number of sampled fibers (one architecture and one ``theta`` each)."""
        return len(self.samples)

    @property
    def n_points(self) -> tuple[int, int]:
        """Smallest and largest number of fiber points found in one fiber."""
        return min(s.n_points for s in self.samples), max(s.n_points for s in self.samples)

    @property
    def max_residual(self) -> float:
        """The largest ``||pi(theta') - w|| / ||w||`` over all compared points."""
        return max(s.residual for s in self.samples)


@dataclass(frozen=True, eq=False)
class Table1Result:
    """The reproduced Table 1: one :class:`Table1Row` per class, and the total ``seconds``."""

    rows: tuple[Table1Row, ...]
    seconds: float

    def row(self, key: str) -> Table1Row:
        """The row of the class ``key``."""
        cls = _as_class_key(key)
        for r in self.rows:
            if r.cls.key == cls.key:
                return r
        raise ValueError(f"class {key!r} was not computed: got {[r.cls.key for r in self.rows]}")

    @property
    def all_agree(self) -> bool:
        """Whether every computed verdict is the paper's."""
        return all(r.agrees for r in self.rows)

    def format(self, *, times: bool = True, floor: float | None = None) -> str:
        """The table as plain text (what ``python -m lcnn_widgets table1`` prints).

        Parameters
        ----------
        times : bool, default=True
            Include the column of run times.
        floor : float, optional
            Print differences and residuals below ``floor`` as ``< floor`` (rounding-level
            numbers vary with the BLAS library; this keeps printed tables reproducible).
        """

        def num(x: float, fmt: str) -> str:
            return f"< {floor:g}" if floor is not None and x < floor else format(x, fmt)

        head = ["architecture", "paper says", "computed", "agree", "fibers", "points/fiber"]
        head += ["max rel. dTheta", "max resid."] + (["time"] if times else [])
        lines = []
        for r in self.rows:
            lo, hi = r.n_points
            points = f"{lo}" if lo == hi else f"{lo}-{hi}"
            lines.append(
                [r.cls.name, r.cls.paper_text, "yes" if r.determined else "no"]
                + ["yes" if r.agrees else "NO (!)", str(r.n_samples), points]
                + [num(r.max_difference, ".1e"), num(r.max_residual, ".0e")]
                + ([f"{r.seconds:.1f} s"] if times else [])
            )
        widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        rule = ["-" * w for w in widths]
        return "\n".join(fmt.format(*x).rstrip() for x in [head, rule, *lines])

    def __str__(self) -> str:
        return self.format()


def reproduce_table1(
    *,
    rng: np.random.Generator,
    n_samples: int = 12,
    classes: Sequence[str] | None = None,
    n_orbit: int = 3,
    n_starts: int = 4,
) -> Table1Result:
    """Reproduce the paper's Table 1 by computing fibers and comparing their NTKs.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_samples : int, default=12
        Fibers per class; the first is the class's worked example (:func:`sample_fiber`).
    classes : sequence of str, optional
        Keys of :data:`CLASSES` to compute (default: all, in table order).
    n_orbit, n_starts : int
        Passed to :func:`sample_fiber`.

    Returns
    -------
    Table1Result
        "determined" (max difference below :data:`DETERMINED_TOL`) is the empirical side of
        Thm 4, Thm 13 and Thm 14: a sample can only refute.

    Examples
    --------
    >>> res = reproduce_table1(rng=np.random.default_rng(1), n_samples=2, classes=["fc_generic"])
    >>> res.row("fc_generic").determined
    False
    """
    as_generator(rng)
    n_samples = as_positive_int(n_samples, "n_samples")
    if classes is None:
        chosen = list(CLASSES)
    else:
        if isinstance(classes, str):
            raise TypeError(f"classes must be a sequence of class keys: got the str {classes!r}")
        chosen = [
            _as_class_key(k, f"classes[{i}]")
            for i, k in enumerate(as_sequence(classes, "classes", "class keys"))
        ]
        if not chosen:
            raise ValueError("classes must name at least one class: got an empty sequence")
    t_all = time.perf_counter()
    draw, rows = partial(sample_fiber, rng=rng, n_orbit=n_orbit, n_starts=n_starts), []
    for cls in chosen:
        t0 = time.perf_counter()
        samples = tuple(draw(cls.key, worked_example=i == 0) for i in range(n_samples))
        rows.append(Table1Row(cls=cls, samples=samples, seconds=time.perf_counter() - t0))
    return Table1Result(rows=tuple(rows), seconds=time.perf_counter() - t_all)


PAPER_TABLE = """\
The paper's Table 1 (is the NTK determined by the end-to-end filter and the invariants?):
  fully connected          only when balanced (delta = 0)                       Thm 14, Ex. 20
  1D convolutions          yes for all delta if all strides but the last > 1;  Thm 4
                           no in general with a stride one                      Sec. 2.3, Ex. 19
  D >= 2 convolutions      yes for all delta and all strides                    Cor. 10, Thm 13
                           (every layer with >= 2 filter sizes > 1)"""
