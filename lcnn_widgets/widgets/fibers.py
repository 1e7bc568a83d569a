"""The widget of the chapter on fibers: factorizations of ``p_w`` for stride 2 and stride 1.

``LCN([3, 2], [s_1, 1])``: for ``s_1 = 2`` (``p_w`` of degree 4) layer 2 must own a whole orbit
``{t, -t}``, for ``s_1 = 1`` (a cubic) any real root. The reader gives ``w`` by its roots or its
coefficients; three panels show the real factorizations of :func:`lcnn_widgets.fibers.fibers`,
roots coloured by owning layer, in a view fixed while ``y`` moves (:func:`view_limit`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._validation import parse_floats
from ..fibers import (
    Fiber,
    FilterRoots,
    LayerRoots,
    fibers,
    filter_from_roots,
    filter_roots,
    root_orbits,
)
from ..lcn import LCN, spread
from ..plotting._common import find
from ..plotting.fibers import layer_color, plot_root_orbits
from ._base import Explorer
from ._common import (
    WIDE_HALF_WIDTHS,
    check_source,
    checkbox,
    group,
    initial_values,
    panel_figure,
    row,
    slider,
    source_controls,
    step_up,
    toggle_buttons,
)

# fmt: off
__all__ = ["FiberPicture", "explore_fibers", "fiber_picture", "fiber_readout", "view_limit",
           "widget_roots"]
# fmt: on

#: number of panels (a two-layer (3, 2) network has at most 3 real factorizations)
N_PANELS = 3
#: the range of the sliders ``r1``, ``r2``, ``x`` and ``y``: ``[-SLIDER_MAX, SLIDER_MAX]``
SLIDER_MAX = 2.0
#: the half-widths the root panels may take (the smallest that holds the roots is used)
LIMITS = (3.0, 5.0, 7.5, *WIDE_HALF_WIDTHS)


def view_limit(reach: float) -> float:
    """The half-width of the root panels: the first of :data:`LIMITS` above ``1.15 reach``.

    Examples
    --------
    >>> view_limit(0.5), view_limit(2.4), view_limit(4.0)
    (3.0, 3.0, 5.0)
    """
    return step_up(1.15 * max(1.0, float(reach)), LIMITS)


@dataclass(frozen=True, eq=False)
class FiberPicture:
    """What the fiber widget draws."""

    net: LCN  # LCN([3, 2], [stride, 1])
    w: np.ndarray  # (4,) or (5,): the end-to-end filter
    w_roots: FilterRoots  # the roots of p_w
    fiber: Fiber  # the balanced real fiber (one point per sign class)
    layer_roots: tuple[tuple[LayerRoots, ...], ...]  # root_orbits of every fiber point
    ntk_gap: float  # the largest difference between the NTKs of two fiber points (0 if one)
    limit: float  # half-width of the root panels (view_limit), independent of y


def widget_roots(
    stride: int, r1: float, r2: float, x: float, y: float, tie: bool = True
) -> np.ndarray:
    """The roots of ``p_w`` chosen with the widget's sliders.

    Parameters
    ----------
    stride : {1, 2}
        Stride of layer 1: roots ``r1`` and the pair (a cubic) or ``r1``, ``r2`` and the pair.
    r1, r2 : float
        Real roots; with ``tie`` (stride 2 only) ``r2 = -r1``, so ``{r1, -r1}`` is an orbit.
    x, y : float
        The pair: ``x +- i y`` if ``y > 0`` (complex), ``x +- |y|`` if ``y <= 0`` (real).

    Returns
    -------
    ndarray of complex, shape (3,) or (4,)

    Examples
    --------
    >>> widget_roots(1, 1.0, 0.0, 0.0, -1.0)
    array([ 1.+0.j, -1.+0.j,  1.+0.j])
    """
    if stride not in (1, 2):
        raise ValueError(f"stride must be 1 or 2: got {stride!r}")
    pair = [complex(x, y), complex(x, -y)] if y > 0 else [complex(x + y), complex(x - y)]
    real = [r1] if stride == 1 else [r1, -r1 if tie else r2]
    return np.array([*real, *pair], dtype=complex)


def fiber_picture(
    *,
    stride: int = 2,
    source: str = "roots",
    r1: float = 1.2,
    r2: float = -1.2,
    x: float = -0.4,
    y: float = 0.7,
    tie: bool = True,
    coefficients: str = "1, 0, -1, 0",
) -> FiberPicture:
    """Compute the widget's picture: ``w``, its roots and its balanced real fiber.

    Parameters
    ----------
    stride : {1, 2}, default=2
        Stride of layer 1 of ``LCN([3, 2], [stride, 1])``.
    source : {"roots", "coefficients"}, default="roots"
        Build ``w`` from :func:`widget_roots` (monic) or from ``coefficients``.
    r1, r2, x, y, tie
        See :func:`widget_roots`.
    coefficients : str, default="1, 0, -1, 0"
        ``w_0, ..., w_{k-1}`` (``w_i`` multiplies ``t^i``), 4 numbers for stride 1, 5 for 2.

    Returns
    -------
    FiberPicture
        ValueError off the neuromanifold, for ``w = 0`` or bad coefficients.

    Examples
    --------
    >>> len(fiber_picture(stride=1, y=-0.6).fiber)    # three distinct real roots
    3
    """
    check_source(source)
    if stride not in (1, 2):
        raise ValueError(f"stride must be 1 or 2: got {stride!r}")
    net = LCN([3, 2], [stride, 1])
    k = net.end_to_end_size
    if source == "roots":
        w = filter_from_roots(widget_roots(stride, r1, r2, x, y, tie))
    else:
        w = parse_floats(coefficients, "coefficients")
        if w.size != k:
            kind = "a cubic" if stride == 1 else "a polynomial of degree 4"
            raise ValueError(
                f"coefficients must have {k} entries for stride {stride} ({kind}): got {w.size}"
            )
    fib = fibers(net, w)
    gap = spread([net.ntk(p.filters) for p in fib])
    w_roots = filter_roots(w)
    reach = float(np.max(np.abs(w_roots.finite), initial=0.0))
    if source == "roots":  # the largest root over the whole range of y: a view fixed in y
        free_r2 = abs(r2) if stride == 2 and not tie else 0.0
        reach = max(reach, abs(r1), free_r2, abs(x) + SLIDER_MAX)
    layer_roots = tuple(root_orbits(net, p.filters) for p in fib)
    return FiberPicture(net, w, w_roots, fib, layer_roots, ntk_gap=gap, limit=view_limit(reach))


def _fmt(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{a:.3g}" for a in np.where(np.abs(v) < 5e-13, 0.0, v)) + ")"


def fiber_readout(pic: FiberPicture) -> str:
    """The values that change with the controls, as one line of HTML (shown above the picture).

    Examples
    --------
    >>> "<b>1</b> real factorization" in fiber_readout(fiber_picture())
    True
    """
    n = len(pic.fiber)
    extra = f";  largest NTK difference <b>{pic.ntk_gap:.3g}</b>" if n > 1 else ""
    head = (
        f"s₁ = {pic.net.strides[0]},  w = {_fmt(pic.w)}:  <b>{n}</b> real "
        f"factorization{'' if n == 1 else 's'} (balanced, up to signs){extra}"
    )
    parts = [
        f"<b>{i + 1}</b>: u = {_fmt(u)}, v = {_fmt(v)}"
        for i, (u, v) in enumerate(pic.fiber.filters)
    ]
    return head + "<br>" + " &nbsp;·&nbsp; ".join(parts)


def draw_fiber_picture(fig: Figure, pic: FiberPicture) -> str:
    """Update the three panels in place (one per factorization, the rest say "none"); readout."""
    for i, ax in enumerate(fig.axes[:N_PANELS]):
        filled = i < len(pic.fiber)
        lr, w_roots = (pic.layer_roots[i], pic.w_roots) if filled else ((), None)
        plot_root_orbits(lr, w_roots=w_roots, ax=ax, legend=False, limit=pic.limit)
        if i > 0 and ax.get_ylabel():
            ax.set_ylabel("")  # the panels share the y axis
        find(ax.texts, "empty-note").set_text("" if filled else "none")
    return fiber_readout(pic)


def explore_fibers(**initial: Any) -> Explorer:
    """Choose an end-to-end filter and watch its real factorizations (Thm 4 vs. stride one).

    Parameters
    ----------
    **initial
        Initial values of the controls: the parameters of :func:`fiber_picture`.

    Returns
    -------
    Explorer
        Off the neuromanifold (or for ``w = 0``) a message is shown and the last picture stays.
    """
    v = initial_values(fiber_picture, initial)
    root: dict[str, Any] = dict(description_width=40, track=150)
    pair: dict[str, Any] = dict(description_width=64)
    lim = (-SLIDER_MAX, SLIDER_MAX, 0.05)
    src = source_controls(v["source"], v["coefficients"], "coefficients w")
    c = {
        "stride": toggle_buttons([1, 2], v["stride"], "stride s₁"),
        "source": src["source"],
        "r1": slider("float", "r₁", v["r1"], *lim, **root),
        "r2": slider("float", "r₂", v["r2"], *lim, **root),
        "tie": checkbox(v["tie"], "tie r₂ = −r₁ (an orbit)"),
        "x": slider("float", "centre x", v["x"], *lim, track=180, **pair),
        "y": slider("float", "y", v["y"], *lim, track=260, **pair),
        "coefficients": src["coefficients"],
    }
    titles = (
        "<b>Network</b> LCN([3, 2], [s₁, 1]), and how the end-to-end filter w is given",
        "<b>Real roots</b> of p_w (w from roots): r₁ and, for s₁ = 2 only, r₂",
        "<b>A pair of roots</b>: x ± iy for y &gt; 0 (complex), x ± |y| for y &lt; 0 (real)",
        "<b>Coefficients</b> w₀, w₁, … (w from coefficients): 4 numbers for s₁ = 1, 5 for s₁ = 2",
    )
    rows = [row(c["stride"], c["source"]), row(c["r1"], c["r2"], c["tie"]), row(c["x"], c["y"])]
    layout = W.VBox([group(t, r) for t, r in zip(titles, [*rows, c["coefficients"]], strict=True)])
    margins: dict[str, Any] = dict(left=0.07, right=0.985, bottom=0.11, top=0.86, wspace=0.25)
    fig, axes = panel_figure((11.2, 4.5), 1, N_PANELS, sharex=True, sharey=True, **margins)
    note: dict[str, Any] = dict(ha="center", va="center", fontsize=13, color="0.45", style="italic")
    for i, ax in enumerate(axes):
        ax.label_outer()  # tick labels only on the outer panels (cheaper to render)
        ax.set_title(f"factorization {i + 1}", fontsize=9)
        ax.text(0.5, 0.62, "", transform=ax.transAxes, gid="empty-note", **note)
    # one legend for all panels, above them (outside the data: drawn once, not on every move)
    dot: dict[str, Any] = dict(ls="none", marker="o")
    orbit = "an orbit {t, −t} of layer 2 (s₁ = 2)"
    handles = [
        Line2D([], [], ms=11, mfc="none", mec="k", mew=1.2, label="root of $p_w$", **dot),
        Line2D([], [], ms=7, color=layer_color(1), label="owned by layer 1", **dot),
        Line2D([], [], ms=7, color=layer_color(2), label="owned by layer 2", **dot),
        Line2D([], [], color=layer_color(2), lw=1.2, ls="--", alpha=0.8, label=orbit),
    ]
    legend: dict[str, Any] = dict(loc="upper center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize=8)
    fig.legend(handles=handles, frameon=False, **legend)
    return Explorer(
        c,
        fiber_picture,
        draw_fiber_picture,
        fig,
        title="<b>Fibers of LCN([3, 2], [s₁, 1])</b>: choose w by its roots or coefficients; "
        "each panel is one real factorization (layer 1 blue, layer 2 red)",
        layout_controls=layout,
        preview=("y", np.round(np.linspace(-1.0, 1.0, 9), 2).tolist()),
        alt=(
            "Three panels, one per real factorization of the end-to-end filter w (a panel "
            "without one says so): the roots of p_w in the complex plane, filled with the "
            "colour of the layer that owns them (layer 1 blue, layer 2 red); the line above "
            "the picture lists the filters u and v of each factorization; as y turns negative "
            "the complex pair becomes real."
        ),
    )
