"""Command line of lcnn_widgets: ``python -m lcnn_widgets <command> ...``.

``describe``: the report of :func:`lcnn_widgets.describe.describe` for one architecture;
``table1``: the paper's Table 1 recomputed by :func:`lcnn_widgets.table1.reproduce_table1`::

    python -m lcnn_widgets describe --sizes 2x2,2x2 --strides 1,1 --max-degree 6
    python -m lcnn_widgets table1 --samples 12 --seed 0

Malformed input prints one line ``error: ...`` on stderr and exits with code 2 (no traceback);
a closed output pipe (``| head``) ends quietly with code 141, as for a tool killed by SIGPIPE.
A command is a function ``_add_<name>(subparsers)`` listed in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["COMMANDS", "main"]

#: errors caused by the reader's input: one line on stderr, exit code 2
_USER_ERRORS = (ValueError, TypeError)
#: exit code when the reader closes the pipe: 128 + SIGPIPE, what the shell reports for `cat`
_CLOSED_PIPE = 141


def _run_describe(args: argparse.Namespace) -> int:
    from .describe import describe, parse_architecture

    net = parse_architecture(args.sizes, args.strides)
    report = describe(
        net,
        seed=args.seed,
        implicit_budget_s=args.budget,
        max_degree=args.max_degree,
        n_points=args.points,
    )
    print(report.format(max_equations=args.equations))
    return 0


def _add_describe(sub) -> None:
    p = sub.add_parser(
        "describe",
        help="report dimension, fibers, NTK and implicit equations of an architecture",
        description="Check an architecture of your own: dimension of the neuromanifold, "
        "fibers, whether the NTK is determined by (w, delta), implicit equations.",
    )
    sizes = "filter sizes, layer 1 first: '3,2' (1D) or '2x3,2x2' (2D)"
    p.add_argument("--sizes", required=True, help=sizes)
    strides = "strides, one per layer: '2,1' (an int applies to every axis) or '2x1,1x1'"
    p.add_argument("--strides", required=True, help=strides)
    for flag, kind, default, text in (
        ("--seed", int, 0, "seed of the random draws"),
        ("--budget", float, 10.0, "time budget of the implicit-equation search in seconds"),
        ("--max-degree", int, 4, "highest degree of implicit equations searched"),
        ("--points", int, 3, "random points for ranks, fibers and NTKs"),
        ("--equations", int, 6, "equations printed at most"),
    ):
        p.add_argument(flag, type=kind, default=default, help=f"{text} (default {default:g})")
    p.set_defaults(func=_run_describe)


def _run_table1(args: argparse.Namespace) -> int:
    import numpy as np

    from .table1 import DETERMINED_TOL, PAPER_TABLE, reproduce_table1

    if args.samples < 1 or args.starts < 0:
        raise ValueError(
            f"--samples must be >= 1 and --starts >= 0: got {args.samples}, {args.starts}"
        )
    rng = np.random.default_rng(args.seed)
    res = reproduce_table1(
        rng=rng, n_samples=args.samples, classes=args.classes, n_starts=args.starts
    )
    print(PAPER_TABLE, end="\n\n")
    print(
        f"Computed (seed {args.seed}, {args.samples} fibers per class; 'determined' means "
        f"max relative NTK difference < {DETERMINED_TOL:g}):"
    )
    print(res.format())
    for r in (r for r in res.rows if not r.agrees):
        print(
            f"\n(!) {r.cls.key}: the paper says {r.cls.paper_text!r}, the computation "
            f"finds fiber points with relative NTK difference {r.max_difference:.2g}."
        )
        if r.cls.key == "conv2d_swap":
            print(
                "    Swapping two interchangeable layers keeps Theta but exchanges their "
                "norms; rescaling back to delta (Prop. 12) changes Theta unless delta "
                "vanishes between them."
            )
    print(f"\ntotal run time: {res.seconds:.1f} s")
    return 0


def _add_table1(sub) -> None:
    from .table1 import CLASSES

    p = sub.add_parser(
        "table1",
        help="recompute the paper's Table 1 (is the NTK determined by w and delta?)",
        description="Reproduce Table 1 of arXiv 2507.06367 by computing fibers and NTKs; rows "
        "that disagree with the paper are marked, not treated as errors.",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of the random draws (default 0)")
    p.add_argument("--samples", type=int, default=12, help="fibers per class (default 12)")
    starts = "least-squares / multistart starts per fiber (default 4)"
    p.add_argument("--starts", type=int, default=4, help=starts)
    classes = [c.key for c in CLASSES]
    p.add_argument("--classes", nargs="+", choices=classes, help="compute only these classes")
    p.set_defaults(func=_run_table1)


#: the commands, in the order ``--help`` lists them
COMMANDS: tuple[Callable[[Any], None], ...] = (_add_describe, _add_table1)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (``error: ...``) and exit code 2."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command of :data:`COMMANDS`."""
    parser = _Parser(
        prog="python -m lcnn_widgets",
        description="Computations of the lcnn-book (arXiv 2507.06367).",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="command", parser_class=_Parser
    )
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command in ``argv`` (default ``sys.argv[1:]``); return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe fails here, not at exit
        return code
    except _USER_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # point stdout at devnull, so that the flush at exit succeeds
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return _CLOSED_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
