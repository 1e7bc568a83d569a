"""The widget of the chapter on fibers: factorizations of ``p_w`` for stride 2 and stride 1.

The architecture has filter sizes ``(3, 2)`` and strides ``(s_1, 1)`` with ``s_1`` in {1, 2}.
With ``s_1 = 2`` the end-to-end filter has 5 entries (a quartic ``p_w``) and layer 2 must own a
whole orbit ``{t, -t}``; with ``s_1 = 1`` it has 4 entries (a cubic) and layer 2 may own any
real root. The reader chooses ``w`` by its roots (monic ``p_w``) or types its coefficients.
Up to three panels show the real factorizations found by :func:`lcnn_widgets.fibers.fibers`,
each with the roots coloured by the layer that owns them.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from .._validation import parse_floats
from ..fibers import (Fiber, FilterRoots, LayerRoots, fibers, filter_from_roots, filter_roots,
                      root_orbits)
from ..lcn import LCN
from ..plotting.fibers import plot_root_orbits
from ._base import Explorer
from ._common import (check_source, checkbox, group, panel_figure, row, slider,
                      source_controls, toggle_buttons)

__all__ = ["FiberPicture", "explore_fibers", "fiber_picture", "widget_roots"]

#: number of panels (a two-layer (3, 2) network has at most 3 real factorizations)
N_PANELS = 3


@dataclass(frozen=True, eq=False)
class FiberPicture:
    """What the fiber widget draws.

    Attributes
    ----------
    net : LCN
        ``LCN([3, 2], [stride, 1])``.
    w : ndarray of shape (4,) or (5,)
        The end-to-end filter.
    w_roots : FilterRoots
        The roots of ``p_w``.
    fiber : Fiber
        The balanced real fiber (one point per sign class).
    layer_roots : tuple of tuple of LayerRoots
        :func:`root_orbits` of every fiber point.
    ntk_gap : float
        The largest entrywise difference between the NTKs of two fiber points (0 if one).
    """

    net: LCN
    w: np.ndarray
    w_roots: FilterRoots
    fiber: Fiber
    layer_roots: tuple[tuple[LayerRoots, ...], ...]
    ntk_gap: float


def widget_roots(stride: int, r1: float, r2: float, x: float, y: float,
                 tie: bool = True) -> np.ndarray:
    """The roots of ``p_w`` chosen with the widget's sliders.

    Parameters
    ----------
    stride : {1, 2}
        Stride of layer 1: ``p_w`` is a cubic (roots ``r1`` and the pair) or a quartic
        (roots ``r1``, ``r2`` and the pair).
    r1, r2 : float
        Real roots; with ``tie`` (stride 2 only) ``r2 = -r1``, so ``{r1, -r1}`` is an orbit.
    x, y : float
        The pair: ``x +- i y`` if ``y > 0`` (complex), ``x +- |y|`` if ``y <= 0`` (real), i.e. the
        roots of ``t^2 - 2 x t + x^2 + y |y|``.

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
    if stride == 1:
        return np.array([r1] + pair, dtype=complex)
    return np.array([r1, -r1 if tie else r2] + pair, dtype=complex)


def fiber_picture(
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

    Raises
    ------
    ValueError
        If ``w`` is not in the neuromanifold, ``w = 0``, or the coefficients have the wrong
        length or are not numbers.

    Examples
    --------
    >>> len(fiber_picture(stride=1, y=-0.6).fiber)    # three distinct real roots
    3
    """
    check_source(source)
    net = LCN([3, 2], [stride, 1]) if stride in (1, 2) else None
    if net is None:
        raise ValueError(f"stride must be 1 or 2: got {stride!r}")
    k = net.end_to_end_size
    if source == "roots":
        w = filter_from_roots(widget_roots(stride, r1, r2, x, y, tie))
    else:
        w = parse_floats(coefficients, "coefficients")
        if w.size != k:
            kind = "a cubic" if stride == 1 else "a quartic"
            raise ValueError(
                f"coefficients must have {k} entries for stride {stride} ({kind}): got {w.size}"
            )
    fib = fibers(net, w)
    ntks = [net.ntk(p.filters) for p in fib]
    gap = max((float(np.max(np.abs(a - b))) for a in ntks for b in ntks), default=0.0)
    return FiberPicture(net=net, w=w, w_roots=filter_roots(w), fiber=fib,
                        layer_roots=tuple(root_orbits(net, p.filters) for p in fib),
                        ntk_gap=gap)


def _fmt(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{a:.3g}" for a in np.where(np.abs(v) < 5e-13, 0.0, v)) + ")"


def draw_fiber_picture(fig: Figure, pic: FiberPicture) -> None:
    """Update the widget's figure in place (one panel per factorization, up to three)."""
    n = len(pic.fiber)
    for i, ax in enumerate(fig.axes[:N_PANELS]):
        if i < n:
            u, v = pic.fiber[i].filters
            title = f"factorization {i + 1}\nu = {_fmt(u)},  v = {_fmt(v)}"
            plot_root_orbits(pic.layer_roots[i], w_roots=pic.w_roots, ax=ax, title=title,
                             legend=(i == 0))
            if i > 0:
                ax.set_ylabel("")  # the panels share the y axis
            ax.set_visible(True)
        else:
            ax.set_visible(False)
    word = "factorization" if n == 1 else "factorizations"
    extra = f";  largest NTK difference {pic.ntk_gap:.3g}" if n > 1 else ""
    fig.suptitle(f"s₁ = {pic.net.strides[0]},  w = {_fmt(pic.w)}:  {n} real {word} "
                 f"(balanced, up to signs){extra}", fontsize=10)


def explore_fibers(
    *,
    stride: int = 2,
    source: str = "roots",
    r1: float = 1.2,
    r2: float = -1.2,
    x: float = -0.4,
    y: float = 0.7,
    tie: bool = True,
    coefficients: str = "1, 0, -1, 0",
) -> Explorer:
    """Choose an end-to-end filter and watch its real factorizations (Thm 4 vs. stride one).

    Parameters
    ----------
    stride, source, r1, r2, x, y, tie, coefficients
        Initial values of the controls (see :func:`fiber_picture`).

    Returns
    -------
    Explorer
        Controls: ``stride`` (1 or 2), ``source`` (roots or coefficients), sliders ``r1``,
        ``r2``, ``x``, ``y``, the checkbox ``tie`` (``r2 = -r1``) and the text box
        ``coefficients``. Off the neuromanifold (or for ``w = 0``) a message is shown and the
        last picture stays.
    """
    root = dict(description_width=40, track=150)
    pair = dict(description_width=64)
    src = source_controls(source, coefficients, "coefficients w")
    controls = {
        "stride": toggle_buttons([1, 2], stride, "stride s₁"),
        "source": src["source"],
        "r1": slider("float", "r₁", r1, -2.0, 2.0, 0.05, **root),
        "r2": slider("float", "r₂", r2, -2.0, 2.0, 0.05, **root),
        "tie": checkbox(tie, "tie r₂ = −r₁ (an orbit)"),
        "x": slider("float", "centre x", x, -2.0, 2.0, 0.05, track=180, **pair),
        "y": slider("float", "y", y, -2.0, 2.0, 0.05, track=260, **pair),
        "coefficients": src["coefficients"],
    }
    c = controls
    layout = W.VBox([
        group("<b>Network</b> LCN([3, 2], [s₁, 1]), and how the end-to-end filter w is given",
              row(c["stride"], c["source"])),
        group("<b>Real roots</b> of p_w (w from roots): r₁ and, for s₁ = 2 only, r₂",
              row(c["r1"], c["r2"], c["tie"])),
        group("<b>A pair of roots</b>: x ± iy for y &gt; 0 (complex), x ± |y| for y &lt; 0 (real)",
              row(c["x"], c["y"])),
        group("<b>Coefficients</b> w₀, w₁, … (w from coefficients): 4 numbers for s₁ = 1, "
              "5 for s₁ = 2", c["coefficients"]),
    ])
    fig, axes = panel_figure((11.2, 4.5), 1, N_PANELS, sharex=True, sharey=True, left=0.07,
                             right=0.985, bottom=0.11, top=0.81, wspace=0.25)
    for ax in axes:
        ax.label_outer()  # tick labels only on the outer panels (cheaper to render)
    explorer = Explorer(
        controls, fiber_picture, draw_fiber_picture, fig,
        title="<b>Fibers of LCN([3, 2], [s₁, 1])</b>: choose w by its roots or coefficients; "
              "each panel is one real factorization (layer 1 blue, layer 2 red)",
        layout_controls=layout,
        preview=("y", np.round(np.linspace(-1.0, 1.0, 9), 2).tolist()),
        alt=("Up to three panels, one per real factorization of the end-to-end filter w: the "
             "roots of p_w in the complex plane, filled with the colour of the layer that owns "
             "them (layer 1 blue, layer 2 red), with the filters u and v of the two layers "
             "above each panel; as y turns negative the complex pair becomes real."),
    )
    return explorer
