"""The book's widgets with scripted control changes, shared by the tests and the benchmarks.

Each case builds a widget exactly as its chapter does and lists control changes to apply one after
the other: moves of the main control (which must keep the figure's frame and take the fast path),
changes of the other controls, and changes that alter the frame (a new architecture, a new number
of panels) and so force a full redraw. Used by ``tests/test_render.py`` (fast-path pictures equal
full renders) and ``benchmarks/widget_timing.py`` (timings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lcnn_widgets.widgets import (
    Explorer,
    explore_2d,
    explore_composition,
    explore_fibers,
    explore_flow,
    explore_invariants,
    explore_metric,
    explore_orbit,
    explore_relu,
    explore_stride_one,
    explore_table1,
)


@dataclass(frozen=True)
class WidgetCase:
    """One widget as its chapter builds it, and control changes to apply in order."""

    name: str
    factory: Callable[[], Explorer]
    main: str
    steps: list[dict[str, Any]] = field(default_factory=list)


CASES: list[WidgetCase] = [
    WidgetCase(
        "explore_composition (ch. 1)",
        explore_composition,
        "u1",
        [
            {"u1": 0.5},
            {"u1": -0.8},
            {"u1": 1.3},
            {"u0": 1.5},
            {"v1": -0.7},
            {"s1": 3},
            {"u1": 0.3, "s1": 1},
            {"u2": -1.1, "v0": 0.4},
            {"s1": 2, "u0": -0.8},
            {"u1": -1.2},
        ],
    ),
    WidgetCase(
        "explore_invariants (ch. 2)",
        explore_invariants,
        "target",
        [
            {"target": 1.0},
            {"target": -1.5},
            {"target": 2.5},
            {"w1_0": 0.4},
            {"w2_1": -1.0},
            {"t_max": 6.0, "target": 2.5},
            {"w1_2": 1.3, "t_max": 2.0},
            {"target": 0.0},
        ],
    ),
    WidgetCase(
        "explore_fibers (ch. 3)",
        explore_fibers,
        "y",
        [
            {"y": 0.5},
            {"y": -0.3},
            {"y": 0.2},
            {"r1": 0.8},
            {"stride": 1, "y": -0.7},
            {"y": -0.3, "r1": 1.5},
            {"stride": 2, "x": 0.0},
            {"source": "coefficients", "coefficients": "0, 0, 1, 0, 0"},
            {"source": "roots", "x": -0.4, "y": 0.7, "r1": 1.2},
        ],
    ),
    WidgetCase(
        "explore_metric (ch. 4)",
        explore_metric,
        "delta",
        [
            {"delta": -28.0},
            {"delta": 10.0},
            {"delta": -55.0},
            {"delta": 4.0},
            {"w": "1, 1, 2, 1, 1", "delta": 0.0},
            {"w": "2, 1, 3, -1, -5", "delta": -11.0},
        ],
    ),
    # the chapter passes its own data; the default problem has the same shape and is seeded
    WidgetCase(
        "explore_flow (ch. 5)",
        lambda: explore_flow(seed=0, scale=0.5, t_max=5.0),
        "t_max",
        [
            {"t_max": 8.0},
            {"t_max": 3.0},
            {"t_max": 12.0},
            {"seed": 1},
            {"scale": 0.1},
            {"seed": 7, "scale": 1.0, "t_max": 5.0},
            {"function_space": False, "t_max": 20.0},
            {"function_space": True, "t_max": 3.0, "seed": 3},
            {"seed": -1},  # a message
            {"seed": 0, "t_max": 5.0},
        ],
    ),
    WidgetCase(
        "explore_stride_one (ch. 6)",
        explore_stride_one,
        "disc",
        [
            {"disc": -0.5},
            {"disc": 0.0},
            {"disc": 0.8},
            {"delta": 1.0},
            {"r": -0.3},
            {"source": "coefficients", "coefficients": "1, 0, -1, 0"},
            {"source": "roots", "r": 1.0, "delta": 0.0, "disc": 0.64},
        ],
    ),
    WidgetCase(
        "explore_2d (ch. 7)",
        explore_2d,
        "delta",
        [
            {"delta": 1.2},
            {"delta": -0.5},
            {"delta": 0.3},
            {"a00": 0.3},
            {"s1": 1, "s2": 1},
            {"tall": True, "b21": 1.1},
            {"s1": 2, "delta": -0.5},
            {"tall": False, "s2": 2, "delta": 0.0, "a00": 1.0},
        ],
    ),
    WidgetCase(
        "explore_orbit (ch. 8)",
        explore_orbit,
        "phi",
        [
            {"phi": 1.2},
            {"phi": 2.5},
            {"phi": 4.0},
            {"a": 1.5},
            {"a": 0.0},
            {"a": 3.0, "phi": 0.3},
        ],
    ),
    WidgetCase(
        "explore_relu (ch. 9)",
        explore_relu,
        "a11",
        [
            {"a11": 1.2},
            {"a11": -0.6},
            {"a11": 2.0},
            {"a12": 0.7},
            {"a21": -0.4, "q": "rotation by 90°"},
            {"q": "identity"},
            {"a11": 2.0, "a12": 0.0, "a21": 0.0, "a22": 0.5, "q": "swap"},
        ],
    ),
    WidgetCase(
        "explore_table1 (ch. 10)",
        lambda: explore_table1(key="conv2d_swap", seed=0),
        "key",
        [
            {"key": k}
            for k in (
                "fc_balanced",
                "fc_generic",
                "conv1d_strided",
                "conv1d_stride1",
                "conv2d",
                "conv2d_swap",
            )
        ]
        + [{"seed": 1}, {"seed": 2}],
    ),
]
