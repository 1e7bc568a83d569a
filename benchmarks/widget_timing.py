"""Time the book's widgets: compute only, and a full update (compute + draw + PNG render).

Run on demand from the project root (never part of the test suite)::

    python benchmarks/widget_timing.py                 # every registered case
    python benchmarks/widget_timing.py --repeats 40    # more updates per case (at least 20)
    python benchmarks/widget_timing.py --case compos   # cases whose name contains "compos"

Register a widget by appending ``(name, factory, value_dicts)`` to :data:`CASES` (see
``benchmarks/README.md``). For every case the script builds the widget once, warms it up with
one pass over the value dicts, then cycles through them and, per step, sets the controls
silently and times

(a) ``compute(**values)``, the widget's pure function alone, and
(b) ``Explorer.update()``: compute, ``draw`` (artists updated in place) and the PNG render,

reporting the median (and the slowest step) in milliseconds.
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

from lcnn_widgets.widgets import Explorer, explore_composition  # noqa: E402
from lcnn_widgets.widgets import explore_invariants  # noqa: E402
from lcnn_widgets.widgets import explore_metric  # noqa: E402
from lcnn_widgets.widgets import explore_flow  # noqa: E402
from lcnn_widgets.widgets import explore_orbit  # noqa: E402
from lcnn_widgets.widgets import explore_fibers  # noqa: E402
from lcnn_widgets.widgets import explore_relu  # noqa: E402
from lcnn_widgets.widgets import explore_2d, explore_stride_one  # noqa: E402

#: (name, factory returning an Explorer, control-value dicts to cycle through). Each dict
#: names some controls of the widget; controls not named keep their current value.
CASES: list[tuple[str, Callable[[], Explorer], list[dict[str, Any]]]] = [
    (
        "explore_composition (ch. 1)",
        explore_composition,
        [
            {"u0": 1.5},
            {"u1": 0.3, "s1": 1},
            {"v1": -0.7},
            {"s1": 3},
            {"u2": -1.1, "v0": 0.4},
            {"s1": 2, "u0": -0.8},
        ],
    ),
    (
        "explore_invariants (ch. 2)",
        explore_invariants,
        [
            {"target": 1.0},
            {"w1_0": 0.4, "target": -1.5},
            {"w2_1": -1.0},
            {"t_max": 6.0, "target": 2.5},
            {"w1_2": 1.3, "t_max": 2.0},
            {"target": 0.0, "w1_0": 1.0},
        ],
    ),
    (
        "explore_metric (ch. 4)",
        explore_metric,
        [
            {"delta": -28.0},
            {"delta": 10.0},
            {"delta": -55.0},
            {"w": "1, 1, 2, 1, 1", "delta": 0.0},
            {"delta": 4.0},
            {"w": "2, 1, 3, -1, -5", "delta": -11.0},
        ],
    ),
    (
        "explore_flow (ch. 5)",
        explore_flow,
        [
            {"seed": 1},
            {"scale": 0.1, "t_max": 10.0},
            {"seed": 7, "scale": 1.0, "t_max": 5.0},
            {"function_space": False, "t_max": 20.0},
            {"function_space": True, "t_max": 3.0, "seed": 3},
            {"seed": -1},
        ],
    ),
    (
        "explore_orbit (ch. 8)",
        explore_orbit,
        [
            {"phi": 1.2},
            {"phi": 2.5},
            {"a": 1.5},
            {"phi": 4.0},
            {"a": 0.0},
            {"a": 3.0, "phi": 0.3},
        ],
    ),
    (
        "explore_fibers (ch. 3)",
        explore_fibers,
        [
            {"r1": 0.8},
            {"stride": 1, "y": -0.7},
            {"y": -0.3, "r1": 1.5},
            {"y": 0.5},
            {"stride": 2, "x": 0.0},
            {"source": "coefficients", "coefficients": "0, 0, 1, 0, 0"},
            {"source": "roots", "x": -0.4, "y": 0.7, "r1": 1.2},
        ],
    ),
    (
        "explore_relu (ch. 9)",
        explore_relu,
        [
            {"a12": 0.7},
            {"a21": -0.4, "q": "rotation by 90°"},
            {"a11": 1.2},
            {"q": "identity"},
            {"a11": 1.0, "a12": 2.0, "a21": 0.5, "a22": 1.0},  # singular A: a message
            {"a11": 2.0, "a12": 0.0, "a21": 0.0, "a22": 0.5, "q": "swap"},
        ],
    ),
    (
        "explore_stride_one (ch. 6)",
        explore_stride_one,
        [
            {"disc": -0.5},
            {"disc": 0.0},
            {"disc": 0.8, "delta": 1.0},
            {"r": -0.3},
            {"source": "coefficients", "coefficients": "1, 0, -1, 0"},
            {"source": "roots", "r": 1.0, "delta": 0.0, "disc": 0.64},
        ],
    ),
    (
        "explore_2d (ch. 7)",
        explore_2d,
        [
            {"a00": 0.3},
            {"s1": 1, "s2": 1},
            {"delta": 1.2},
            {"tall": True, "b21": 1.1},
            {"s1": 2, "delta": -0.5},
            {"tall": False, "s2": 2, "delta": 0.0, "a00": 1.0},
        ],
    ),
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
    factory: Callable[[], Explorer], value_dicts: Sequence[Mapping[str, Any]], repeats: int
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
    t0 = time.perf_counter()
    explorer = factory()
    create = time.perf_counter() - t0
    compute = explorer._compute  # the pure function the Explorer was built with
    for values in value_dicts:  # warm-up: imports, font and text caches
        set_silently(explorer, values)
        explorer.update()
    t_compute, t_update, errors = [], [], 0
    for i in range(repeats):
        set_silently(explorer, value_dicts[i % len(value_dicts)])
        current = explorer.values()
        t0 = time.perf_counter()
        try:
            compute(**current)
        except Exception:  # noqa: BLE001 - a bad value dict still times the error path
            pass
        t_compute.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ok = explorer.update()
        t_update.append(time.perf_counter() - t0)
        errors += not ok
    return {
        "create": create,
        "compute": statistics.median(t_compute),
        "update": statistics.median(t_update),
        "update_max": max(t_update),
        "errors": errors,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30,
                        help=f"updates per case (at least {MIN_REPEATS}; default 30)")
    parser.add_argument("--case", action="append", default=[],
                        help="only cases whose name contains this text (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the registered cases and exit")
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
    print(f"python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
          f"{os.cpu_count()} CPUs, load average {load:.2f}; {args.repeats} updates per case")
    header = (f"{'case':<32} {'create':>9} {'compute':>9} {'update':>9} {'draw+png':>9} "
              f"{'slowest':>9} {'errors':>6}")
    print(header)
    print(f"{'':<32} {'ms':>9} {'median ms':>9} {'median ms':>9} {'ms':>9} {'ms':>9}")
    print("-" * len(header))
    for name, factory, values in cases:
        r = time_case(factory, values, args.repeats)
        ms = {k: 1000 * v for k, v in r.items() if k != "errors"}
        print(f"{name:<32} {ms['create']:>9.1f} {ms['compute']:>9.2f} {ms['update']:>9.1f} "
              f"{ms['update'] - ms['compute']:>9.1f} {ms['update_max']:>9.1f} {r['errors']:>6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
