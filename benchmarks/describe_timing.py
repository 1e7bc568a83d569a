"""Time ``describe`` (issue 14): architectures with at most 40 end-to-end coefficients.

Run on demand from the project root (never part of the test suite)::

    python benchmarks/describe_timing.py                 # fixed cases + 20 random ones
    python benchmarks/describe_timing.py --random 40 --repeats 5 --out benchmarks/DESCRIBE.md

For every architecture the report is computed ``--repeats`` times (seed 0, so every run does
the same work); the table gives the median wall-clock time of the report *without* the
implicit-equation search (target: at most 2 s each) and, separately, the median time of that
search, which has its own budget (default 10 s; "budget" marks a search stopped by it). The
times come from ``ArchitectureReport.seconds``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lcnn_widgets import LCN
from lcnn_widgets.describe import describe

MAX_K = 40
TARGET_S = 2.0

FIXED = [
    ([3, 2], [2, 1]),
    ([3, 2], [1, 1]),
    ([4, 3, 2], [2, 2, 1]),
    ([3, 3, 2], [1, 2, 1]),
    ([5, 5], [1, 1]),
    ([4, 4, 4], [1, 1, 1]),
    ([5, 5, 5], [1, 1, 1]),
    ([8, 8, 8], [1, 1, 1]),
    ([6, 6, 5], [2, 3, 1]),
    ([2, 2, 2, 2, 2], [1, 1, 1, 1, 1]),
    ([(2, 2), (2, 2)], [1, 1]),
    ([(2, 2), (2, 2)], [2, 1]),
    ([(2, 3), (2, 2)], [(2, 1), 1]),
    ([(2, 2), (2, 2), (2, 2)], [1, 1, 1]),
    ([(3, 3), (3, 3)], [1, 1]),
    ([(1, 3), (2, 2)], [1, 1]),
    ([(2, 2, 2), (2, 2, 2)], [1, 1]),
]


def random_architecture(rng: np.random.Generator) -> LCN:
    """A random 1D or 2D architecture with at most MAX_K end-to-end coefficients."""
    while True:
        L = int(rng.integers(1, 5))
        if rng.random() < 0.6:
            net = LCN(
                [int(k) for k in rng.integers(1, 7, size=L)],
                [int(s) for s in rng.integers(1, 4, size=L)],
            )
        else:
            net = LCN(
                [tuple(int(k) for k in rng.integers(1, 4, size=2)) for _ in range(L)],
                [tuple(int(s) for s in rng.integers(1, 3, size=2)) for _ in range(L)],
            )
        if net.n_outputs <= MAX_K:
            return net


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--random", type=int, default=20, help="random architectures (default 20)")
    p.add_argument("--repeats", type=int, default=3, help="reports per architecture (default 3)")
    p.add_argument("--out", type=Path, default=None, help="also write the Markdown here")
    args = p.parse_args(argv)
    rng = np.random.default_rng(2026)
    nets = [LCN(s, t) for s, t in FIXED] + [random_architecture(rng) for _ in range(args.random)]
    rows, worst = [], 0.0
    t_all = time.perf_counter()
    for net in nets:
        assert net.n_outputs <= MAX_K, net
        rest, implicit, budget = [], [], False
        for _ in range(args.repeats):
            rep = describe(net, seed=0)
            sec = rep.seconds
            rest.append(sum(v for k, v in sec.items() if k != "implicit"))
            implicit.append(sec["implicit"])
            budget |= rep.implicit is not None and rep.implicit.stopped_by == "time"
        med = statistics.median(rest)
        worst = max(worst, max(rest))
        imp = rep.implicit.summary() if rep.implicit is not None else rep.implicit_note
        rows.append(
            f"| `{net!r}` | {net.n_outputs} | {med:.3f} | {max(rest):.3f} | "
            f"{statistics.median(implicit):.2f}{' (budget)' if budget else ''} | "
            f"{imp.split(';')[0].split(' (')[0]} |"
        )
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    head = [
        "# describe: timing (issue 14)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average at the end {load[0]:.1f} (the machine is "
        "shared: other jobs were running). Command: `python benchmarks/describe_timing.py "
        f"--random {args.random} --repeats {args.repeats}`; seed 0 for every report.",
        "",
        f"{len(nets)} architectures with at most {MAX_K} end-to-end coefficients "
        f"({len(FIXED)} fixed, {args.random} random). Times in seconds: the report without the "
        f"implicit-equation search (target <= {TARGET_S:g} s), and the search alone (its own "
        "budget, default 10 s).",
        "",
        f"Largest time without the search: **{worst:.2f} s** "
        f"({'within' if worst <= TARGET_S else 'ABOVE'} the target); total run "
        f"{time.perf_counter() - t_all:.0f} s.",
        "",
        "| architecture | K | report w/o search, median | slowest | search, median | equations |",
        "|---|---|---|---|---|---|",
    ]
    text = "\n".join(head + rows) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
