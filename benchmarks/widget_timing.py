"""Time the book's widgets: compute only, and a full update (compute + draw + PNG render).

Run on demand from the project root (never part of the test suite)::

    python benchmarks/widget_timing.py                 # every registered case
    python benchmarks/widget_timing.py --repeats 40    # more updates per case (at least 20)
    python benchmarks/widget_timing.py --case compos   # cases whose name contains "compos"

The cases are the book's widgets with scripted control changes, registered in
``tests/widget_cases.py`` (shared with ``tests/test_render.py``). For every case the script
warms up the process by building the widget once (imports, fonts; default state only), empties
the package's caches, builds the widget again (timed: "create"), then cycles through the value
dicts *without* a warm-up pass, so the first pass meets every state and frame of the script for
the first time, and per step sets the controls silently and times

(a) ``Explorer.update()``: compute, ``draw`` (artists updated in place) and the PNG render
    (through the fast path: only the moving artists are redrawn), first visits included, and
(b) ``compute(**values)`` called again on the same state (the pure function alone; cached
    where the widget caches a state),

reporting the median and the slowest update in milliseconds ("first pass" is the slowest of
the first cycle, i.e. of first visits). ``--compare`` adds the same updates
rendered in full every time; ``--before REF`` times the widgets of another git revision (for
example ``--before 38cab80``) in the same run, from a temporary worktree.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless; must precede any pyplot import

from lcnn_widgets.widgets import Explorer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from widget_cases import CASES as WIDGET_CASES

#: (name, factory returning an Explorer, control-value dicts to cycle through), one per widget
#: of the book; the cases themselves live in ``tests/widget_cases.py`` (shared with the tests).
CASES: list[tuple[str, Callable[[], Explorer], list[dict[str, Any]]]] = [
    (c.name, c.factory, c.steps) for c in WIDGET_CASES
]

MIN_REPEATS = 20


def set_silently(explorer: Explorer, values: Mapping[str, Any]) -> None:
    """Set control values without triggering ``Explorer.update`` (so it can be timed alone).

    Relies on the Explorer observing its controls with its ``_on_change`` method.
    """
    for name, value in values.items():
        control = explorer.controls[name]
        control.unobserve(explorer._on_change, names="value")
        try:
            control.value = value
        finally:
            control.observe(explorer._on_change, names="value")


def time_case(
    factory: Callable[[], Explorer],
    value_dicts: Sequence[Mapping[str, Any]],
    repeats: int,
    *,
    fast: bool = True,
) -> dict[str, float]:
    """Build one widget and time ``repeats`` updates cycling through ``value_dicts``.

    Returns
    -------
    dict
        ``create`` (seconds to build and draw the default state), ``compute`` and ``update``
        (median seconds), ``update_max`` (slowest update) and ``errors`` (updates that showed a
        message instead of a picture).
    """
    if repeats < MIN_REPEATS:
        raise ValueError(f"repeats must be at least {MIN_REPEATS}: got {repeats}")
    if not value_dicts:
        raise ValueError("value_dicts must hold at least one dict of control values")
    factory()  # warm-up of the process only (imports, fonts, glyph caches): the default state
    clear_caches()  # ... and no state of the script stays cached from it (or from earlier runs)
    t0 = time.perf_counter()
    explorer = factory()
    create = time.perf_counter() - t0
    if hasattr(explorer, "fast"):
        explorer.fast = fast
    compute = explorer._compute  # the pure function the Explorer was built with
    # no warm-up pass over the value dicts: the first pass visits every new state and frame of
    # the script for the first time (new points, seeds, scales, frames), and those updates are
    # timed like the rest, so the slowest column includes them
    t_compute, t_update, errors = [], [], 0
    for i in range(repeats):
        set_silently(explorer, value_dicts[i % len(value_dicts)])
        current = explorer.values()
        t0 = time.perf_counter()
        ok = explorer.update()  # compute + draw + PNG, of a state maybe never seen before
        t_update.append(time.perf_counter() - t0)
        errors += not ok
        t0 = time.perf_counter()
        try:
            compute(**current)  # the same state again (cached where the widget caches)
        except Exception:  # a bad value dict still times the error path
            pass
        t_compute.append(time.perf_counter() - t0)
    return {
        "create": create,
        "compute": statistics.median(t_compute),
        "update": statistics.median(t_update),
        "update_max": max(t_update),
        "first_pass_max": max(t_update[: len(value_dicts)]),
        "errors": errors,
    }


def clear_caches() -> None:
    """Empty every ``functools`` cache of the loaded ``lcnn_widgets`` modules.

    So that a timed widget meets the states of its script for the first time even when an
    earlier run in this process (the warm-up, the fast/full comparison) visited them.
    """
    for name, module in list(sys.modules.items()):
        if not name.startswith("lcnn_widgets") or module is None:
            continue
        for obj in list(vars(module).values()):
            clear = getattr(obj, "cache_clear", None)
            if callable(clear) and getattr(obj, "__module__", "").startswith("lcnn_widgets"):
                clear()


def _before(ref: str, repeats: int, names: list[str]) -> dict[str, dict[str, float]]:
    """Time the widgets of git revision ``ref`` (its own widget_timing.py, in a worktree)."""
    import re
    import subprocess
    import tempfile

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tree = tempfile.mkdtemp(prefix="lcnn-before-")
    subprocess.run(["git", "-C", root, "worktree", "add", "--detach", "-q", tree, ref], check=True)
    try:
        env = {**os.environ, "PYTHONPATH": tree}  # its lcnn_widgets before the editable one
        out = subprocess.run(
            [sys.executable, "benchmarks/widget_timing.py", "--repeats", str(repeats)],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        subprocess.run(["git", "-C", root, "worktree", "remove", "--force", tree], check=False)
    rows = {}
    for line in out.splitlines():
        m = re.match(
            r"(explore_\w+ \(ch\. \d+\))\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+"
            r"([\d.]+)\s+([\d.]+)",
            line,
        )
        if m:
            rows[m.group(1)] = {
                "update": float(m.group(4)) / 1000,
                "update_max": float(m.group(6)) / 1000,
            }
    return {n: rows[n] for n in names if n in rows}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats",
        type=int,
        default=30,
        help=f"updates per case (at least {MIN_REPEATS}; default 30)",
    )
    parser.add_argument(
        "--case",
        action="append",
        default=[],
        help="only cases whose name contains this text (repeatable)",
    )
    parser.add_argument("--list", action="store_true", help="list the registered cases and exit")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also time every update as a full render (fast path off)",
    )
    parser.add_argument(
        "--before", metavar="REF", help="also time the widgets of git revision REF, in the same run"
    )
    args = parser.parse_args(argv)
    if args.repeats < MIN_REPEATS:
        parser.error(f"--repeats must be at least {MIN_REPEATS}: got {args.repeats}")
    cases = [c for c in CASES if not args.case or any(s in c[0] for s in args.case)]
    if args.list:
        for name, _, values in CASES:
            print(f"{name}  ({len(values)} value dicts)")
        return 0
    if not cases:
        parser.error(f"no registered case matches {args.case}; use --list")

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
        f"{os.cpu_count()} CPUs, load average {load:.2f}; {args.repeats} updates per case"
    )
    before = _before(args.before, args.repeats, [c[0] for c in cases]) if args.before else {}
    extra = ""
    if args.before:
        extra += f" | before ({args.before}) median / slowest"
    if args.compare:
        extra += " | full render median"
    print(
        f"| case | create ms | compute median ms | update median ms | slowest ms | errors"
        f"{extra} | slowest of first pass ms |"
    )
    print("|---" * (7 + bool(args.before) + bool(args.compare)) + "|")
    for name, factory, values in cases:
        r = time_case(factory, values, args.repeats)
        ms = {k: 1000 * v for k, v in r.items() if k != "errors"}
        row = (
            f"| {name} | {ms['create']:.0f} | {ms['compute']:.1f} | {ms['update']:.1f} | "
            f"{ms['update_max']:.1f} | {r['errors']}"
        )
        if args.before:
            b = before.get(name)
            row += (
                f" | {1000 * b['update']:.1f} / {1000 * b['update_max']:.1f}"
                if b
                else " | (not in REF)"
            )
        if args.compare:
            full = time_case(factory, values, args.repeats, fast=False)
            row += f" | {1000 * full['update']:.1f}"
        print(row + f" | {ms['first_pass_max']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
