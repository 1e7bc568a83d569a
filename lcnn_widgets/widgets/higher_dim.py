"""The widget of the chapter on 2D convolutions: build a two-layer network, recover its layers.

Layer 1 is 2 x 2 with stride ``(s_1, s_2)``, layer 2 is 2 x 2 or 3 x 2. The widget draws both
layers (rescaled to ``delta``) and ``w``, recovers the layers from ``w`` by
:func:`lcnn_widgets.fibers.multistart_fibers`, and reports the fiber points, the classes up to
swaps and the spread of their NTKs. Panels have fixed frames: a move redraws data only.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from .._validation import as_nonzero_filters
from ..fibers import Fiber, multistart_fibers, rescale, sign_variants
from ..higher_dim import count_up_to_swaps, swappable_pairs
from ..lcn import LCN, join
from ..plotting._common import find, image_colorbar
from ..plotting.higher_dim import plot_filter_grid
from ..stride_one import ntk_spread
from ._base import Explorer
from ._common import checkbox, group, initial_values, panel_figure, row, slider, toggle_buttons

__all__ = ["TwoDPicture", "explore_2d", "two_d_picture", "two_d_readout"]

#: random starts of the multi-start solver in the widget (seeded, so the picture is reproducible)
N_STARTS = 6
#: pictures kept per widget for states met again (a few kB each)
CACHE_SIZE = 512
#: the fixed colour scale ``[-LAYER_SCALE, LAYER_SCALE]`` of the layer panels
LAYER_SCALE = 2.0
#: the grids the panels draw into: the largest shapes of layer 1, layer 2 and ``w``
FRAMES = ((2, 2), (3, 2), (6, 4))
_MARGINS: dict[str, Any] = dict(
    left=0.04, right=0.97, bottom=0.05, top=0.94, wspace=0.35, hspace=0.3
)


@dataclass(frozen=True, eq=False)
class TwoDPicture:
    """What the 2D widget draws."""

    net: LCN  # LCN([(2, 2), shape_2], [(s_1, s_2), (1, 1)])
    filters: tuple[np.ndarray, ...]  # the chosen filters, rescaled to the invariant delta
    w: np.ndarray
    fiber: Fiber  # the points found by multistart_fibers (seeded, N_STARTS starts)
    recovered: tuple[np.ndarray, ...]  # the fiber point (or sign variant) closest to filters
    distance: float  # ||recovered - filters|| / ||filters|| (flattened)
    classes: int  # fiber points up to swaps, rescaling and signs (count_up_to_swaps)
    spread: float  # max_{i,j} ||Theta_i - Theta_j||_F over the fiber points
    swappable: bool  # whether the two layers may be swapped (equal shapes, stride one; Obs. 11)


def two_d_picture(
    *,
    a00: float = 1.0,
    a01: float = 0.5,
    a10: float = -0.5,
    a11: float = 1.0,
    b00: float = 1.0,
    b01: float = -1.0,
    b10: float = 0.5,
    b11: float = 1.5,
    b20: float = 0.5,
    b21: float = -0.5,
    tall: bool = False,
    s1: int = 2,
    s2: int = 1,
    delta: float = 0.0,
    n_starts: int = N_STARTS,
) -> TwoDPicture:
    """Build the network from the controls and recover its layers from ``w`` numerically.

    Parameters
    ----------
    a00, a01, a10, a11 : float
        Layer 1 (2 x 2).
    b00, b01, b10, b11, b20, b21 : float
        Layer 2; the last row ``b20, b21`` is used only when ``tall`` (shape 3 x 2).
    tall : bool, default=False
    s1, s2 : {1, 2}
        Stride of layer 1 along the two axes (layer 2 has stride ``(1, 1)``).
    delta : float, default=0.0
        The invariant ``||w_2||^2 - ||w_1||^2``.
    n_starts : int, default=N_STARTS

    Returns
    -------
    TwoDPicture
        ValueError if a layer is all zero or the solver finds no point.

    Examples
    --------
    >>> pic = two_d_picture(s1=2, s2=1)
    >>> len(pic.fiber), pic.classes, pic.distance < 1e-6
    (1, 1, True)
    """
    f1 = np.array([[a00, a01], [a10, a11]], dtype=float)
    rows = [[b00, b01], [b10, b11]] + ([[b20, b21]] if tall else [])
    f2 = np.array(rows, dtype=float)
    net = LCN([(2, 2), f2.shape], [(int(s1), int(s2)), (1, 1)])
    fs = as_nonzero_filters(net.check_filters([f1, f2]), "layer")
    truth = rescale(net, fs, [float(delta)])
    w = net.end_to_end(truth)
    fib = multistart_fibers(net, w, [float(delta)], rng=np.random.default_rng(0), n_starts=n_starts)
    t_flat = join(truth)
    points = [v for p in fib for v in sign_variants(p.filters)]
    if not points:
        raise ValueError("no factorization of w was found")
    dists = [float(np.linalg.norm(join(v) - t_flat)) for v in points]
    best = int(np.argmin(dists))  # the first closest point
    return TwoDPicture(
        net=net,
        filters=tuple(truth),
        w=w,
        fiber=fib,
        recovered=tuple(points[best]),
        distance=dists[best] / float(np.linalg.norm(t_flat)),
        classes=count_up_to_swaps(net, fib.filters, rtol=1e-5),
        spread=ntk_spread(net, fib.filters),
        swappable=bool(swappable_pairs(net)) and f2.shape == (2, 2),
    )


def _matrix(a: np.ndarray) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{v:.2f}" for v in row) + "]" for row in a) + "]"


def two_d_readout(pic: TwoDPicture) -> str:
    """The values that change with the controls, as HTML (the line above the picture).

    Examples
    --------
    >>> "<b>1</b> fiber point up to signs" in two_d_readout(two_d_picture())
    True
    """
    (s1, s2), _ = pic.net.strides
    n = len(pic.fiber)
    n1, n2 = (float(np.sum(f**2)) for f in pic.filters)
    (m2, k2), (mw, kw) = pic.filters[1].shape, pic.w.shape
    sep = " &nbsp;·&nbsp; "
    return (
        f"layer 1 (2×2, stride ({s1}, {s2})) = {_matrix(pic.filters[0])}{sep}layer 2 "
        f"({m2}×{k2}) = {_matrix(pic.filters[1])}{sep}rescaled to δ: ‖w₂‖² − ‖w₁‖² = "
        f"{n2:.2f} − {n1:.2f}<br>"
        f"w: {mw}×{kw}, max |w| = {float(np.abs(pic.w).max()):.3g}{sep}"
        f"multistart, {N_STARTS} seeded starts: <b>{n}</b> fiber point{'s' if n != 1 else ''} "
        f"up to signs, <b>{pic.classes}</b> up to swaps and signs; swap possible here: "
        f"{'yes' if pic.swappable else 'no'}<br>max ‖Θᵢ − Θⱼ‖ = {pic.spread:.2e}{sep}"
        f"relative distance of the recovered to the chosen layers: {pic.distance:.1e}{sep}"
        f"residual ‖π − w‖/‖w‖: {pic.fiber.max_residual:.1e}"
    )


def draw_two_d_picture(fig: Figure, pic: TwoDPicture) -> str:
    """Update the five filter panels in place (fixed :data:`FRAMES`); return the readout line."""
    ax1, ax2, axw, ax3, ax4 = fig.axes[:5]
    layers = zip((ax1, ax2, ax3, ax4), (*pic.filters, *pic.recovered), FRAMES[:2] * 2, strict=True)
    for ax, f, frame in layers:  # no numbers in the cells (slow to draw; the readout has them)
        plot_filter_grid(f, ax=ax, vmax=LAYER_SCALE, frame=frame, annotate=False)
    w = pic.w / float(np.abs(pic.w).max())
    plot_filter_grid(w, ax=axw, vmax=1.0, frame=FRAMES[2], annotate=False)
    return two_d_readout(pic)


def explore_2d(
    *,
    s1: int = 2,
    s2: int = 1,
    tall: bool = False,
    delta: float = 0.0,
) -> Explorer:
    """Choose two 2D layers and strides; recover the layers from the end-to-end filter.

    ``s1, s2, tall, delta``: the initial controls, as in :func:`two_d_picture`. Returns an
    Explorer with controls ``a00 ... a11``, ``b00 ... b21``, ``s1``, ``s2``, ``tall``,
    ``delta``; top row: the layers and ``w``; bottom row: the layers recovered from ``w``.

    Examples
    --------
    >>> ex = explore_2d()
    >>> ex.error is None, ex.result.classes
    (True, 1)
    """
    entry: dict[str, Any] = dict(description_width=40, track=160, readout_format=".1f")
    names = ["a00", "a01", "a10", "a11", "b00", "b01", "b10", "b11", "b20", "b21"]
    initial = initial_values(two_d_picture, {})
    sub = str.maketrans("012", "₀₁₂")  # a₀₀ ... a₁₁ (layer 1), b₀₀ ... b₂₁ (layer 2)
    controls = {
        n: slider("float", n.translate(sub), initial[n], -2.0, 2.0, 0.1, **entry) for n in names
    }
    controls["tall"] = checkbox(tall, "layer 2 is 3×2")
    controls["s1"] = toggle_buttons([1, 2], s1, "s₁ (rows)")
    controls["s2"] = toggle_buttons([1, 2], s2, "s₂ (columns)")
    controls["delta"] = slider(
        "float", "invariant δ", delta, -2.0, 2.0, 0.1, track=200, readout_format=".1f"
    )
    c = controls
    layer_1 = [row(c["a00"], c["a01"]), row(c["a10"], c["a11"])]
    layer_2 = [row(c["b00"], c["b01"]), row(c["b10"], c["b11"]), row(c["b20"], c["b21"], c["tall"])]
    stride = "<b>Stride</b> (s₁, s₂) of layer 1 along rows and columns (layer 2 has stride (1, 1))"
    layout = W.VBox(
        [
            group("<b>Layer 1</b>: the entries a₀₀, a₀₁, a₁₀, a₁₁ of its 2 × 2 filter", *layer_1),
            group(
                "<b>Layer 2</b>: the entries of its 2 × 2 filter, or 3 × 2 with b₂₀, b₂₁", *layer_2
            ),
            group(f"{stride}, and the <b>invariant</b> δ", row(c["s1"], c["s2"], c["delta"])),
        ]
    )
    fig, _ = panel_figure((11.2, 6.2), 2, 3, width_ratios=[1.0, 1.0, 1.5], **_MARGINS)
    # the frame, drawn once: titles, the fixed grids, colour bars with fixed scales
    ax_text = fig.axes[5]
    ax_text.set_axis_off()
    titles = ("layer 1", "layer 2", "end-to-end w", "recovered layer 1", "recovered layer 2")
    for k, (ax, title, frame) in enumerate(
        zip(fig.axes[:5], titles, FRAMES + FRAMES[:2], strict=True)
    ):
        ax.set_title(title, fontsize="medium")
        scale = 1.0 if k == 2 else LAYER_SCALE  # w: divided by its largest entry
        plot_filter_grid(np.zeros(frame), ax=ax, vmax=scale, frame=frame, annotate=False)
        label = "w / max |w|" if k == 2 else "entry (fixed scale)"
        ticks = np.linspace(-scale, scale, 5).tolist()
        image_colorbar(find(ax.get_images(), "filter"), ticks=ticks, label=label)
    box = ax_text.get_position()
    note = (
        "Top: the chosen layers, rescaled to the invariant δ, and\n"
        "their end-to-end filter w. Bottom: the layers recovered\n"
        "from w alone by the multistart solver.\n\n"
        "Grey cells lie outside a filter: the size of w\n"
        "depends on the strides and on the shape of layer 2.\n\n"
        "The counts of the solver are in the line above."
    )
    fig.text(box.x0, box.y1, note, ha="left", va="top", fontsize=9, color="0.25")

    # the solver takes most of an update: a state met before (a slider dragged back) is
    # drawn from the cache (two_d_picture is deterministic: the starts are seeded)
    @functools.lru_cache(maxsize=CACHE_SIZE)
    def cached(items: tuple) -> TwoDPicture:
        return two_d_picture(**dict(items))

    def compute(**values):
        return cached(tuple(sorted(values.items())))

    compute.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    compute.cache_info = cached.cache_info  # type: ignore[attr-defined]

    return Explorer(
        controls,
        compute,
        draw_two_d_picture,
        fig,
        title="<b>Two 2D layers</b>: the end-to-end filter determines the layers (Cor. 10, "
        "Thm 13), up to signs and, with stride one and equal shapes, a swap",
        layout_controls=layout,
        preview=("delta", np.linspace(-2.0, 2.0, 9).tolist()),
        alt=(
            "Top row: the two chosen 2D layer filters, rescaled to the invariant δ, as "
            "coloured grids on a fixed colour scale, and the end-to-end filter w divided by its "
            "largest entry (grey cells lie outside a filter); bottom row: the two layers "
            "recovered from w alone by the multistart solver. The line above the picture "
            "lists the layers and how many fiber points the solver found and how much their "
            "NTKs differ."
        ),
    )
