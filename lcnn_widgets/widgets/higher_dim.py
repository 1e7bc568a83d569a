"""The widget of the chapter on 2D convolutions: build a two-layer network, recover its layers.

Layer 1 is a 2 x 2 filter with stride ``(s_1, s_2)``; layer 2 is a 2 x 2 or 3 x 2 filter. The
widget draws both layers (rescaled to the chosen invariant) and the end-to-end filter, then
recovers the layers from ``w`` alone with the numerical multi-start solver
:func:`lcnn_widgets.fibers.multistart_fibers` (a few starts, no sympy: fast enough for a
slider) and reports how many fiber points it found, how many remain up to layer swaps, and the
largest difference between their NTKs.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from .._validation import as_nonzero_filters
from ..fibers import Fiber, multistart_fibers, sign_variants
from ..higher_dim import count_up_to_swaps, swappable_pairs
from ..lcn import LCN
from ..plotting._common import find, image_colorbar
from ..plotting.higher_dim import plot_filter_grid
from ..stride_one import ntk_spread
from ._base import Explorer
from ._common import checkbox, group, panel_figure, row, slider, toggle_buttons

__all__ = ["TwoDPicture", "explore_2d", "two_d_picture"]

#: random starts of the multi-start solver in the widget (seeded, so the picture is reproducible)
N_STARTS = 6


@dataclass(frozen=True, eq=False)
class TwoDPicture:
    """What the 2D widget draws.

    Attributes
    ----------
    net : LCN
        ``LCN([(2, 2), shape_2], [(s_1, s_2), (1, 1)])``.
    filters : tuple of ndarray
        The chosen filters, rescaled to the invariant ``delta``.
    w : ndarray
        The end-to-end filter.
    fiber : Fiber
        The points found by ``multistart_fibers`` (seeded, ``N_STARTS`` starts).
    recovered : tuple of ndarray
        The fiber point (and sign variant) closest to ``filters``.
    distance : float
        ``||recovered - filters|| / ||filters||`` (flattened): near 0 when the layers were
        recovered.
    classes : int
        Fiber points up to swaps, rescaling and signs (:func:`count_up_to_swaps`).
    spread : float
        ``max_{i,j} ||Theta_i - Theta_j||_F`` over the fiber points.
    swappable : bool
        Whether the two layers may be swapped inside this architecture (equal shapes, stride
        one; Obs. 11).
    """

    net: LCN
    filters: tuple[np.ndarray, ...]
    w: np.ndarray
    fiber: Fiber
    recovered: tuple[np.ndarray, ...]
    distance: float
    classes: int
    spread: float
    swappable: bool


def two_d_picture(
    a00: float = 1.0, a01: float = 0.5, a10: float = -0.5, a11: float = 1.0,
    b00: float = 1.0, b01: float = -1.0, b10: float = 0.5, b11: float = 1.5,
    b20: float = 0.5, b21: float = -0.5,
    tall: bool = False, s1: int = 2, s2: int = 1, delta: float = 0.0,
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

    Raises
    ------
    ValueError
        If a layer is all zero (then ``w = 0`` and nothing can be recovered), or the solver
        finds no point.

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
    truth = net.rescale(fs, [float(delta)])
    w = net.end_to_end(truth)
    fib = multistart_fibers(net, w, [float(delta)], rng=np.random.default_rng(0),
                            n_starts=n_starts)
    t_flat = np.concatenate([f.ravel() for f in truth])
    best, best_d = None, np.inf
    for p in fib:
        for v in sign_variants(p.filters):
            d = float(np.linalg.norm(np.concatenate([f.ravel() for f in v]) - t_flat))
            if d < best_d:
                best, best_d = v, d
    return TwoDPicture(
        net=net, filters=tuple(truth), w=w, fiber=fib, recovered=tuple(best),
        distance=best_d / float(np.linalg.norm(t_flat)),
        classes=count_up_to_swaps(net, fib.filters, rtol=1e-5),
        spread=ntk_spread(net, fib.filters),
        swappable=bool(swappable_pairs(net)) and f2.shape == (2, 2),
    )


def draw_two_d_picture(fig: Figure, pic: TwoDPicture) -> None:
    """Update the widget's six panels in place."""
    ax1, ax2, axw, ax3, ax4, ax_text = fig.axes[:6]
    (s1, s2), _ = pic.net.strides
    cells = {"fontsize": "small"}
    plot_filter_grid(pic.filters[0], ax=ax1, title=f"layer 1 (stride ({s1}, {s2}))", **cells)
    plot_filter_grid(pic.filters[1], ax=ax2, title=f"layer 2, {pic.filters[1].shape[0]}×2",
                     **cells)
    plot_filter_grid(pic.w, ax=axw, title=f"end-to-end w, {pic.w.shape[0]}×{pic.w.shape[1]}",
                     **cells)
    plot_filter_grid(pic.recovered[0], ax=ax3, title="recovered layer 1", **cells)
    plot_filter_grid(pic.recovered[1], ax=ax4, title="recovered layer 2", **cells)
    for ax in (ax1, ax2, axw, ax3, ax4):  # each filter has its own symmetric colour scale
        image_colorbar(find(ax.get_images(), "filter"))
    n = len(pic.fiber)
    lines = [
        f"multistart, {N_STARTS} seeded starts:",
        f"  {n} fiber point{'s' if n != 1 else ''} up to signs",
        f"  {pic.classes} up to swaps and signs",
        f"  swap possible here: {'yes' if pic.swappable else 'no'}",
        f"  max ‖Θᵢ − Θⱼ‖ = {pic.spread:.2e}",
        "  relative distance to the chosen",
        f"  layers: {pic.distance:.1e}",
        f"  residual ‖π − w‖/‖w‖: {pic.fiber.max_residual:.1e}",
    ]
    text = find(ax_text.texts, "report")
    text.set_text("\n".join(lines))


def explore_2d(
    *,
    s1: int = 2,
    s2: int = 1,
    tall: bool = False,
    delta: float = 0.0,
) -> Explorer:
    """Choose two 2D layers and strides; recover the layers from the end-to-end filter.

    Parameters
    ----------
    s1, s2 : {1, 2}, default=2, 1
        Initial stride of layer 1 along the two axes.
    tall : bool, default=False
        Start with a 3 x 2 second layer.
    delta : float, default=0.0
        Initial invariant.

    Returns
    -------
    Explorer
        Controls: sliders ``a00 ... a11`` (layer 1), ``b00 ... b21`` (layer 2; the third row
        only with ``tall``), toggles ``s1``, ``s2``, checkbox ``tall`` and slider ``delta``.
        Top row: the two layers (rescaled to ``delta``) and ``w``; bottom row: the layers
        recovered from ``w`` by :func:`~lcnn_widgets.fibers.multistart_fibers` and a report.
        A zero layer shows a message and keeps the last picture.

    Examples
    --------
    >>> ex = explore_2d()
    >>> ex.error is None, ex.result.classes
    (True, 1)
    """
    entry = dict(description_width=40, track=160, readout_format=".1f")
    defaults = two_d_picture.__defaults__
    names = ["a00", "a01", "a10", "a11", "b00", "b01", "b10", "b11", "b20", "b21"]
    controls = {}
    sub = str.maketrans("012", "₀₁₂")
    for nm, v in zip(names, defaults):  # a₀₀ ... a₁₁ (layer 1), b₀₀ ... b₂₁ (layer 2)
        controls[nm] = slider("float", nm.translate(sub), v, -2.0, 2.0, 0.1, **entry)
    controls["tall"] = checkbox(tall, "layer 2 is 3×2")
    controls["s1"] = toggle_buttons([1, 2], s1, "s₁ (rows)")
    controls["s2"] = toggle_buttons([1, 2], s2, "s₂ (columns)")
    controls["delta"] = slider("float", "invariant δ", delta, -2.0, 2.0, 0.1, track=200,
                               readout_format=".1f")
    c = controls
    layout = W.VBox([
        group("<b>Layer 1</b>: the entries a₀₀, a₀₁, a₁₀, a₁₁ of its 2 × 2 filter",
              row(c["a00"], c["a01"]), row(c["a10"], c["a11"])),
        group("<b>Layer 2</b>: the entries of its 2 × 2 filter, or 3 × 2 with b₂₀, b₂₁",
              row(c["b00"], c["b01"]), row(c["b10"], c["b11"]),
              row(c["b20"], c["b21"], c["tall"])),
        group("<b>Stride</b> (s₁, s₂) of layer 1 along rows and columns (layer 2 has stride "
              "(1, 1)), and the <b>invariant</b> δ", row(c["s1"], c["s2"], c["delta"])),
    ])
    fig, _ = panel_figure((11.2, 6.2), 2, 3, width_ratios=[1.0, 1.0, 1.5], left=0.04,
                          right=0.97, bottom=0.05, top=0.94, wspace=0.35, hspace=0.3)
    ax_text = fig.axes[5]
    ax_text.set_axis_off()
    ax_text.text(0.0, 1.0, "", ha="left", va="top", family="monospace", fontsize=10,
                 transform=ax_text.transAxes, gid="report")

    def compute(**values):
        return two_d_picture(**values)

    explorer = Explorer(
        controls, compute, draw_two_d_picture, fig,
        title="<b>Two 2D layers</b>: the end-to-end filter determines the layers (Cor. 10, "
              "Thm 13), up to signs and, with stride one and equal shapes, a swap",
        layout_controls=layout,
        preview=("delta", np.linspace(-2.0, 2.0, 9).tolist()),
        alt=("Top row: the two chosen 2D layer filters, rescaled to the invariant δ, and the "
             "end-to-end filter w as coloured grids with their entries; bottom row: the two "
             "layers recovered from w alone by the multistart solver, and a report of how many "
             "fiber points it found and how much their NTKs differ."),
    )
    return explorer
