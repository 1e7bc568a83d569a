"""All benchmarks of issue 6 in one command: one table per section, medians of >= 20 runs.

Run on demand from the project root (never part of the test suite)::

    python benchmarks/run_all.py                    # every section (a few minutes)
    python benchmarks/run_all.py --section jacobian # one section (repeatable):
                                                    # widgets, jacobian, sweep, fibers, flow, suite
    python benchmarks/run_all.py --repeats 40       # more runs per median (at least 20)
    python benchmarks/run_all.py --section suite    # time the test suite and the book build once

Sections

widgets   every widget of ``widget_timing.CASES``: compute only, and compute + redraw + PNG,
          "before" (the pre-issue-6 code of ``_baseline.py`` patched in) and "after", side by
          side in the same run.
jacobian  ``LCN.jacobian`` and ``LCN.ntk`` on the issue's 1D and 2D networks: ours (before and
          after), ``torch.func.jacrev`` (optional, see below) and central finite differences,
          with the largest difference to ours (must be <= 1e-10).
sweep     the same for growing filter sizes, to show how the cost grows.
fibers    ``fibers`` (root-orbit method) for end-to-end degrees 4-24 on random 1D networks
          with strides > 1: median time and success rate (the generating point is found).
flow      ``gradient_flow`` to t = 100 (DOP853, rtol 1e-10) against ``gradient_descent``
          with as many gradient evaluations: time, loss and invariant drift.
suite     the full test suite and the full book build, timed once each (minutes; only with
          ``--section suite``, never by default).

PyTorch is an optional benchmark dependency, not a package requirement. Install it into the
project venv with ``/work/venv/bin/pip install torch==2.13.0`` (CPU wheel); without it the
torch columns say "absent" and everything else still runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless; before any pyplot import

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _baseline  # noqa: E402
import widget_timing  # noqa: E402

from lcnn_widgets import LCN, fibers  # noqa: E402
from lcnn_widgets.fibers import rescale  # noqa: E402
from lcnn_widgets.flows import gradient_descent, gradient_flow, squared_loss  # noqa: E402

MIN_REPEATS = 20
#: the issue's networks: (label, filter sizes, strides)
NETWORKS = [
    ("1D L=4 k=(5,5,5,5) s=(2,2,2,1)", [5, 5, 5, 5], [2, 2, 2, 1]),
    ("2D L=3 k=(3,3)x3 s=(2,2)", [(3, 3)] * 3, [(2, 2)] * 3),
]


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeats`` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def fmt_ms(seconds: float | None) -> str:
    if seconds is None:
        return "absent"
    ms = 1000 * seconds
    return f"{ms:.3f}" if ms < 1 else f"{ms:.2f}" if ms < 100 else f"{ms:.0f}"


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a Markdown table (paste-able into RESULTS.md)."""
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(r: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"

    print(line(cells[0]))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in cells[1:]:
        print(line(r))
    print()


# --------------------------------------------------------------------------------- machine
def machine() -> None:
    print("## Machine\n")
    print(f"- date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"- nproc: {os.cpu_count()}")
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for ln in lscpu.splitlines()[:10]:
            print(f"- lscpu: {' '.join(ln.split())}")
    except (OSError, subprocess.SubprocessError):
        print("- lscpu: unavailable")
    print(
        f"- python {platform.python_version()}, numpy {np.__version__}, "
        f"matplotlib {matplotlib.__version__}, torch {torch_version()}"
    )
    print(f"- load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")


def torch_version() -> str:
    try:
        import torch
    except ImportError:
        return "absent (optional: /work/venv/bin/pip install torch==2.13.0)"
    return f"{torch.__version__} ({torch.get_num_threads()} threads)"


# --------------------------------------------------------------------------------- widgets
def section_widgets(repeats: int) -> None:
    print("## Widgets: one slider update (median ms)\n")
    print(
        "before = pre-issue-6 `_blocks`/`jacobian`/`ntk` and PNG render patched in "
        "(`_baseline.patched`); after = current code. Each case builds the widget once per "
        "variant and cycles through `widget_timing.CASES` value dicts.\n"
    )
    rows = []
    for name, factory, values in widget_timing.CASES:
        with _baseline.patched():
            before = widget_timing.time_case(factory, values, repeats)
        after = widget_timing.time_case(factory, values, repeats)
        rows.append(
            [
                name,
                fmt_ms(before["compute"]),
                fmt_ms(after["compute"]),
                fmt_ms(before["update"]),
                fmt_ms(after["update"]),
                fmt_ms(after["update_max"]),
                "yes" if after["update"] <= 0.050 else "no",
                after["errors"],
            ]
        )
        print(f"  ... {name} done (load {os.getloadavg()[0]:.2f})", file=sys.stderr)
    table(
        [
            "widget",
            "compute before",
            "compute after",
            "update before",
            "update after",
            "slowest after",
            "<= 50 ms",
            "message steps",
        ],
        rows,
    )


# --------------------------------------------------------------------------------- jacobian
def torch_jacobian(net: LCN) -> Callable[[np.ndarray], np.ndarray] | None:
    """``theta -> J`` by ``torch.func.jacrev`` of a torch transcription of ``pi``, or None.

    ``pi`` is built exactly as in the package: dilate each filter by ``S_{l-1}`` (a transposed
    convolution with a unit kernel) and take full convolutions (a padded ``conv`` with the
    flipped kernel), in float64.
    """
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None
    D = net.dim
    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[D]
    conv_t = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}[D]
    sizes = [tuple(np.atleast_1d(s)) for s in net.filter_shapes]
    acc = [(1,) * D]
    for s in net.stride_shapes:
        acc.append(tuple(a * b for a, b in zip(acc[-1], s, strict=True)))
    unit = torch.ones((1, 1) + (1,) * D, dtype=torch.float64)
    off = [int(o) for o in net.offsets]

    def full_conv(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        pad: list[int] = []
        for m in reversed(b.shape[2:]):
            pad += [m - 1, m - 1]
        return conv(F.pad(a, pad), b.flip(list(range(2, 2 + D))))

    def pi(theta: torch.Tensor) -> torch.Tensor:
        out = None
        for l, size in enumerate(sizes):
            f = theta[off[l] : off[l + 1]].reshape((1, 1, *size))
            if any(a > 1 for a in acc[l]):
                f = conv_t(f, unit, stride=acc[l])
            out = f if out is None else full_conv(out, f)
        return out.reshape(-1)

    jac = torch.func.jacrev(pi)
    return lambda theta: jac(torch.from_numpy(theta)).numpy()


def fd_jacobian(net: LCN, filters: Sequence[np.ndarray], h: float = 1.0) -> np.ndarray:
    """Central differences of ``net.end_to_end``. ``pi`` is linear in each single parameter,
    so the quotient is exact up to rounding for every ``h``; ``h = 1`` keeps rounding smallest."""
    theta = net.flatten(filters)
    cols = []
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        plus = net.end_to_end(net.unflatten(theta + e))
        minus = net.end_to_end(net.unflatten(theta - e))
        cols.append((plus - minus).ravel() / (2 * h))
    return np.stack(cols, axis=1)


def jacobian_rows(label: str, net: LCN, repeats: int, rng: np.random.Generator) -> list[list]:
    fs = net.random_filters(rng)
    theta = net.flatten(fs)
    ours_J, ours_T = net.jacobian(fs), net.ntk(fs)
    tj = torch_jacobian(net)
    variants: list[tuple[str, Callable[[], np.ndarray], Callable[[], np.ndarray]]] = [
        ("ours (after)", lambda: net.jacobian(fs), lambda: net.ntk(fs)),
        ("ours (before)", lambda: _baseline.jacobian(net, fs), lambda: _baseline.ntk(net, fs)),
    ]
    if tj is not None:

        def t_ntk() -> np.ndarray:
            J = tj(theta)
            return J @ J.T

        variants.append(("torch.func.jacrev", lambda: tj(theta), t_ntk))
    variants.append(
        (
            "central differences",
            lambda: fd_jacobian(net, fs),
            lambda: (lambda J: J @ J.T)(fd_jacobian(net, fs)),
        )
    )
    t_after_ntk = None
    rows = []
    for name, jf, nf in variants:
        tJ, tT = median_time(jf, repeats), median_time(nf, repeats)
        if t_after_ntk is None:
            t_after_ntk = tT
        dJ = float(np.max(np.abs(jf() - ours_J)))
        dT = float(np.max(np.abs(nf() - ours_T)))
        ok = "yes" if max(dJ, dT) <= 1e-10 else "NO"
        rows.append(
            [
                label,
                f"{ours_J.shape[0]}x{ours_J.shape[1]}",
                name,
                fmt_ms(tJ),
                fmt_ms(tT),
                f"{tT / t_after_ntk:.1f}",
                f"{dJ:.1e}",
                f"{dT:.1e}",
                ok,
            ]
        )
    if tj is None:
        rows.append([label, "", "torch.func.jacrev", "absent", "absent", "", "", "", ""])
    return rows


JAC_HEADER = [
    "network",
    "K x n",
    "method",
    "jacobian ms",
    "ntk ms",
    "ntk / ours",
    "max |dJ|",
    "max |dTheta|",
    "<= 1e-10",
]


def section_jacobian(repeats: int) -> None:
    print("## `jacobian` and `ntk` (median ms)\n")
    print(
        f"torch: {torch_version()}. Finite differences: central, h = 1 on `end_to_end` "
        "(exact up to rounding, since pi is linear in each parameter). `ntk / ours` = ntk "
        "time relative to ours (after); differences are to ours (after).\n"
    )
    rng = np.random.default_rng(0)
    rows = []
    for label, sizes, strides in NETWORKS:
        rows += jacobian_rows(label, LCN(sizes, strides), repeats, rng)
    table(JAC_HEADER, rows)


def _gram(jacobian: Callable[[np.ndarray], np.ndarray], theta: np.ndarray) -> np.ndarray:
    """``J @ J.T`` for ``J = jacobian(theta)`` (the NTK from a Jacobian function)."""
    J = jacobian(theta)
    return J @ J.T


def section_sweep(repeats: int) -> None:
    print("## Size sweep: `ntk` cost as the filters grow (median ms)\n")
    rng = np.random.default_rng(1)
    rows = []
    tj_ok = torch_jacobian(LCN([2], [1])) is not None
    nets = [(f"1D L=4 k={k} s=(2,2,2,1)", [k] * 4, [2, 2, 2, 1]) for k in (3, 5, 9, 17, 33)]
    nets += [(f"2D L=3 k=({k},{k}) s=(2,2)", [(k, k)] * 3, [(2, 2)] * 3) for k in (2, 3, 5, 7)]
    nets += [(f"1D L={L} k=3 s=2", [3] * L, [2] * L) for L in (2, 4, 6, 8)]
    for label, sizes, strides in nets:
        net = LCN(sizes, strides)
        fs = net.random_filters(rng)
        theta = net.flatten(fs)
        reps = repeats if net.n_outputs < 2000 else max(MIN_REPEATS, repeats // 2)
        after = median_time(partial(net.ntk, fs), reps)
        before = median_time(partial(_baseline.ntk, net, fs), reps)
        if tj_ok:
            tj = torch_jacobian(net)
            tt = median_time(partial(_gram, tj, theta), reps)
            diff = float(np.max(np.abs(_gram(tj, theta) - net.ntk(fs))))
        else:
            tt, diff = None, float("nan")
        rows.append(
            [
                label,
                net.n_outputs,
                net.n_params,
                fmt_ms(before),
                fmt_ms(after),
                fmt_ms(tt),
                f"{tt / after:.1f}" if tt else "",
                f"{diff:.1e}",
            ]
        )
    table(
        [
            "network",
            "K",
            "n",
            "ours before",
            "ours after",
            "torch jacrev",
            "torch / ours",
            "max |dTheta| torch",
        ],
        rows,
    )


# --------------------------------------------------------------------------------- fibers
def random_net_of_degree(d: int, rng: np.random.Generator) -> LCN:
    """A random 1D network, 2 or 3 layers, strides in {2, 3}, every filter of size >= 2,
    whose end-to-end filter has degree ``d`` (rejection sampling)."""
    while True:
        L = int(rng.integers(2, 4))
        strides = [int(s) for s in rng.integers(2, 4, size=L)]
        S = np.cumprod([1, *strides[:-1]])
        sizes = [int(k) for k in rng.integers(2, d + 2, size=L)]
        if sum((k - 1) * s for k, s in zip(sizes, S, strict=True)) == d:
            return LCN(sizes, strides)


def section_fibers(repeats: int) -> None:
    print(f"## `fibers` on random networks with strides > 1 ({repeats} per degree)\n")
    print(
        "A run succeeds when `fibers(w)` returns and one of its points, up to signs, is the "
        "generating filter tuple rescaled to delta = 0 (relative distance <= 1e-6).\n"
    )
    rng = np.random.default_rng(2)
    rows = []
    for d in range(4, 25, 2):
        print(f"  ... fibers degree {d} (load {os.getloadavg()[0]:.2f})", file=sys.stderr)
        times, ok, n_points, errors = [], 0, [], 0
        for _ in range(repeats):
            net = random_net_of_degree(d, rng)
            fs = net.random_filters(rng)
            w = net.end_to_end(fs)
            target = net.flatten(rescale(net, fs, np.zeros(net.n_layers - 1)))
            t0 = time.perf_counter()
            try:
                fib = fibers(net, w)
            except (ValueError, ArithmeticError) as exc:  # counted as a failure
                times.append(time.perf_counter() - t0)
                errors += 1
                print(f"  fibers failed at degree {d} on {net}: {exc}", file=sys.stderr)
                continue
            times.append(time.perf_counter() - t0)
            n_points.append(len(fib))
            found = any(
                np.linalg.norm(net.flatten(v) - target) <= 1e-6 * np.linalg.norm(target)
                for p in fib
                for v in p.with_signs()
            )
            ok += found
        rows.append(
            [
                d,
                fmt_ms(statistics.median(times)),
                fmt_ms(max(times)),
                f"{ok}/{repeats}",
                errors,
                f"{statistics.median(n_points):g}" if n_points else "-",
            ]
        )
    table(["degree", "median ms", "slowest ms", "success", "errors", "median #points"], rows)


# --------------------------------------------------------------------------------- flow
def section_flow(repeats: int) -> None:
    print("## Gradient flow to t = 100 vs gradient descent of equal cost\n")
    label = "1D L=2 k=(3,2) s=(2,1) (the network of ch. 5)"
    net = LCN([3, 2], [2, 1])
    rng = np.random.default_rng(0)
    sq = squared_loss(net, rng.standard_normal((12, 9)), rng.standard_normal((12, 3)))
    fs = net.random_filters(rng)
    t_end = 100.0
    t_eval = np.linspace(0.0, t_end, 101)
    flow = gradient_flow(net, fs, sq, t_eval=t_eval)
    t_flow = median_time(lambda: gradient_flow(net, fs, sq, t_eval=t_eval), repeats)
    rows = [
        [
            "gradient_flow (DOP853, rtol 1e-10)",
            flow.nfev,
            "-",
            fmt_ms(t_flow),
            f"{flow.loss[-1]:.6g}",
            f"{flow.invariant_drift:.1e}",
            f"{flow.relative_invariant_drift:.1e}",
            "0",
        ]
    ]
    w_flow = flow.end_to_end[-1]
    for n in (flow.nfev, 10 * flow.nfev):
        step = t_end / n
        gd = gradient_descent(net, fs, sq, step=step, n_steps=n)
        if n == flow.nfev:
            t_gd = median_time(
                partial(gradient_descent, net, fs, sq, step=step, n_steps=n), repeats
            )
        else:  # the 10x run is timed once (it takes ten times as long)
            t0 = time.perf_counter()
            gradient_descent(net, fs, sq, step=step, n_steps=n)
            t_gd = time.perf_counter() - t0
        dist = np.linalg.norm(gd.end_to_end[-1] - w_flow) / np.linalg.norm(w_flow)
        rows.append(
            [
                f"gradient_descent ({'equal' if n == flow.nfev else '10x'} cost)",
                n,
                f"{step:.3g}",
                fmt_ms(t_gd),
                f"{gd.loss[-1]:.6g}",
                f"{gd.invariant_drift:.1e}",
                f"{gd.relative_invariant_drift:.1e}",
                f"{dist:.1e}",
            ]
        )
    print(
        f"Network {label}; squared loss of 12 random signals (as in ch. 5); filters "
        f"N(0, 1); {repeats} runs per median. Drift = max_t |delta(t) - delta(0)|.\n"
    )
    table(
        [
            "method",
            "gradient evals",
            "step",
            "median ms",
            "loss(100)",
            "invariant drift",
            "relative drift",
            "rel. dist. of w(100) to flow",
        ],
        rows,
    )


# --------------------------------------------------------------------------------- suite
SUITE_CMD = [
    "/work/venv/bin/pytest",
    "-q",
    "--nbval",
    "--nbval-sanitize-with",
    "tests/nbval_sanitize.cfg",
    "book",
    "tests",
    "lcnn_widgets",
]
BUILD_CMD = ["/work/venv/bin/jupyter-book", "build", "--all", "-W", "-n", "--keep-going", "."]


def section_suite(_repeats: int) -> None:
    print("## Full test suite and book build (one run each)\n")
    root = HERE.parent
    rows = []
    for name, cmd in (("test suite", SUITE_CMD), ("book build", BUILD_CMD)):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        elapsed = time.perf_counter() - t0
        tail = (proc.stdout.strip().splitlines() or [""])[-1]
        rows.append([name, "`" + " ".join(cmd) + "`", f"{elapsed:.0f}", proc.returncode, tail[:90]])
    table(["what", "command", "seconds", "exit code", "last line"], rows)


SECTIONS = {
    "widgets": section_widgets,
    "jacobian": section_jacobian,
    "sweep": section_sweep,
    "fibers": section_fibers,
    "flow": section_flow,
    "suite": section_suite,
}
DEFAULT = ["widgets", "jacobian", "sweep", "fibers", "flow"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--section",
        action="append",
        choices=sorted(SECTIONS),
        default=[],
        help="run only these sections (repeatable); default: all but suite",
    )
    parser.add_argument(
        "--repeats", type=int, default=MIN_REPEATS, help=f"runs per median (at least {MIN_REPEATS})"
    )
    args = parser.parse_args(argv)
    if args.repeats < MIN_REPEATS:
        parser.error(f"--repeats must be at least {MIN_REPEATS}: got {args.repeats}")
    machine()
    for name in args.section or DEFAULT:
        t0 = time.perf_counter()
        SECTIONS[name](args.repeats)
        print(
            f"_(section {name}: {time.perf_counter() - t0:.0f} s, load average now "
            f"{os.getloadavg()[0]:.2f})_\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
