"""The widget of the stride-one chapter: move the roots of a cubic, compare the NTKs of its fiber.

``LCN([3, 2], [1, 1])`` (Ex. 19): every cubic is in the neuromanifold and layer 2 (a linear
factor) may take any real root. The reader fixes a real root ``r`` and a pair ``c +- sqrt(g)``
(:func:`lcnn_widgets.stride_one.cubic_roots`) or types the coefficients; the picture shows the
root of layer 2 in each factorization and the NTKs of the fiber points on one fixed colour scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

from .._validation import parse_floats
from ..fibers import filter_from_roots, filter_roots
from ..lcn import LCN
from ..plotting._common import find, image_colorbar
from ..plotting.stride_one import plot_ntk_panels, plot_pair_roots
from ..stride_one import FiberNTKs, cubic_roots, fiber_ntks, stride_one_factorization_count
from ._base import Explorer
from ._common import (
    WIDE_HALF_WIDTHS,
    check_source,
    group,
    initial_values,
    panel_figure,
    row,
    slider,
    source_controls,
    step_up,
)

# fmt: off
__all__ = ["StrideOnePicture", "explore_stride_one", "stride_one_picture", "stride_one_readout",
           "view_limit"]
# fmt: on

NET = LCN([3, 2], [1, 1])
#: heatmap panels: a cubic has at most three real factorizations for sizes (3, 2)
N_PANELS = 3
#: the sliders ``r``, ``center``, ``disc`` and ``delta`` run over ``[-SLIDER_MAX, SLIDER_MAX]``
SLIDER_MAX = 2.0
#: the half-widths the roots panel may take (the smallest that holds the roots is used)
LIMITS = (2.6, 4.2, 6.0, *WIDE_HALF_WIDTHS)
#: the heatmaps: ``Theta / ntk_scale`` on the fixed scale [-1, 1]; panels without a point say so
_HEAT: dict[str, Any] = dict(annotate=False, vmin=-1.0, vmax=1.0, empty_text="none")


def view_limit(reach: float) -> float:
    """Half-width of the roots panel: the first of :data:`LIMITS` above ``1.2 reach``.

    Examples
    --------
    >>> view_limit(1.0), view_limit(3.4), view_limit(2000.0)
    (2.6, 4.2, 2400.0)
    """
    return step_up(1.2 * float(reach), LIMITS)


@dataclass(frozen=True, eq=False)
class StrideOnePicture:
    """What the stride-one widget draws."""

    w: np.ndarray  # (4,): the cubic end-to-end filter
    roots: np.ndarray  # (3 - n_inf,) complex: its drawable roots (finite, zeros included)
    n_inf: int  # multiplicity of the root at infinity (w[3] = 0)
    result: FiberNTKs  # the fiber at delta and the NTK of each point
    owners: tuple[int | None, ...]  # per fiber point: index of layer 2's root (None: at inf)
    count_from_roots: int  # stride_one_factorization_count: must equal len(result.fiber)
    delta: float  # the invariant ||w_2||^2 - ||w_1||^2 of every point
    ntk_scale: float  # the largest absolute NTK entry: the heatmaps show Theta / ntk_scale
    limit: float  # half-width of the view of the roots (view_limit), independent of disc


def stride_one_picture(
    *,
    r: float = 1.0,
    center: float = -0.5,
    disc: float = 0.64,
    delta: float = 0.0,
    source: str = "roots",
    coefficients: str = "1, 0, -1, 0",
) -> StrideOnePicture:
    """Compute the widget's picture: the cubic, its fiber at ``delta`` and the NTKs.

    Parameters
    ----------
    r, center, disc : float
        Roots ``r`` and ``center +- sqrt(disc)`` (see :func:`~lcnn_widgets.stride_one.cubic_roots`);
        used when ``source == "roots"`` (then ``p_w`` is monic).
    delta : float, default=0.0
        The invariant of the fiber points.
    source : {"roots", "coefficients"}, default="roots"
    coefficients : str, default="1, 0, -1, 0"
        ``w_0, w_1, w_2, w_3`` when ``source == "coefficients"`` (Ex. 19 by default).

    Returns
    -------
    StrideOnePicture
        ValueError for an unknown ``source``, coefficients other than four numbers, or ``w = 0``.

    Examples
    --------
    >>> pic = stride_one_picture(r=1.0, center=-0.5, disc=0.64)   # roots 1, 0.3, -1.3
    >>> len(pic.result.fiber), pic.count_from_roots
    (3, 3)
    >>> len(stride_one_picture(disc=-0.64).result.fiber)          # roots 1, -0.5 +- 0.8 i
    1
    """
    check_source(source)
    if source == "roots":
        roots, n_inf = cubic_roots(r, center, disc), 0
        w = filter_from_roots(roots)
        count = stride_one_factorization_count(roots, [2, 1])
    else:
        w = parse_floats(coefficients, "coefficients")
        if w.size != 4:
            raise ValueError(
                f"coefficients must be 4 numbers w_0, w_1, w_2, w_3 (a cubic): got {w.size}"
            )
        if not np.any(w):
            raise ValueError("coefficients must not all be zero: w = 0 has no finite fiber")
        fr = filter_roots(w)
        roots = np.concatenate([fr.finite, np.zeros(fr.n_zero, complex)])
        n_inf = fr.n_inf
        count = stride_one_factorization_count(roots, [2, 1], n_inf=n_inf, tol=1e-6)
    reach = float(np.max(np.abs(roots), initial=0.0))
    if source == "roots":  # the largest root over the whole range of g: a view fixed in g
        reach = max(reach, abs(r), abs(center) + np.sqrt(SLIDER_MAX))
    limit = view_limit(reach)
    result = fiber_ntks(NET, w, [float(delta)])
    scale = max((float(np.max(np.abs(k))) for k in result.ntks), default=0.0) or 1.0
    owners = tuple(_owner(roots, p.filters[1]) for p in result.fiber)
    return StrideOnePicture(w, roots, n_inf, result, owners, count, float(delta), scale, limit)


def _owner(roots: np.ndarray, v: np.ndarray) -> int | None:
    """Index into ``roots`` of the root of layer 2's filter ``v`` (``None``: at infinity)."""
    lr = filter_roots(v)
    if lr.n_inf:
        return None
    return int(np.argmin(np.abs(roots - (lr.finite[0] if lr.finite.size else 0.0))))


def _root_label(pic: StrideOnePicture, owner) -> str:
    if owner is None:
        return "t = ∞"
    z = pic.roots[owner]
    return f"t = {z.real:.2f}" if abs(z.imag) < 1e-12 else f"t = {z.real:.2f}{z.imag:+.2f}i"


def stride_one_readout(pic: StrideOnePicture) -> str:
    """The values that change with the controls, as HTML (the line above the picture).

    Examples
    --------
    >>> "3</b> fiber points (count from the roots: 3)" in stride_one_readout(stride_one_picture())
    True
    """
    n = len(pic.result.fiber)
    owners = " &nbsp;·&nbsp; ".join(
        f"point <b>{i + 1}</b>: {_root_label(pic, o)}" for i, o in enumerate(pic.owners)
    )
    inf = ", and a root at ∞" if pic.n_inf else ""
    return (
        f"w = ({', '.join(f'{v:.3g}' for v in pic.w + 0.0)}){inf},  δ = {pic.delta:.2f}:  "
        f"<b>{n}</b> fiber point{'s' if n != 1 else ''} (count from the roots: "
        f"{pic.count_from_roots}),  largest NTK difference max‖Θᵢ − Θⱼ‖ = "
        f"<b>{pic.result.spread:.3f}</b><br>"
        f"layer 2 root of {owners} &nbsp;|&nbsp; colours: Θ / {pic.ntk_scale:.3g} "
        f"(the largest entry)"
    )


def draw_stride_one_picture(fig: Figure, pic: StrideOnePicture) -> str:
    """Update the roots panel and the three NTK panels in place; return the readout line."""
    ax_roots, *heat = fig.axes[: 1 + N_PANELS]
    plot_pair_roots(pic.roots, owners=pic.owners, ax=ax_roots, limit=pic.limit)
    plot_ntk_panels([k / pic.ntk_scale for k in pic.result.ntks], axes=heat, **_HEAT)
    return stride_one_readout(pic)


def explore_stride_one(**initial: Any) -> Explorer:
    """Move the roots of a cubic and compare the NTKs of its fiber points (Ex. 19).

    Parameters
    ----------
    **initial
        Initial values of the controls: the parameters of :func:`stride_one_picture`.

    Returns
    -------
    Explorer
        Panels: the roots (a ring on layer 2's root per factorization), then one NTK heatmap
        per fiber point on the scale ``Theta / max |Theta|``, with one colour bar.

    Examples
    --------
    >>> ex = explore_stride_one()
    >>> ex.error is None, len(ex.result.result.ntks)
    (True, 3)
    """
    v = initial_values(stride_one_picture, initial)
    root: dict[str, Any] = dict(description_width=40, track=150, readout_format=".2f")
    lim = (-SLIDER_MAX, SLIDER_MAX, 0.05)
    c = {
        "r": slider("float", "r", v["r"], *lim, **root),
        "center": slider("float", "c", v["center"], *lim, **root),
        "disc": slider("float", "g", v["disc"], *lim, **root),
        "delta": slider("float", "invariant δ", v["delta"], *lim, readout_format=".2f"),
        **source_controls(v["source"], v["coefficients"], "coefficients"),
    }
    headings = (
        "<b>Roots</b> of the cubic p_w: a real root r and a pair c ± √g (real for "
        "g &gt; 0, complex for g &lt; 0)",
        "<b>Invariant</b> δ of the fiber points, and <b>how w is given</b>: by the roots "
        "above or by its coefficients w₀, w₁, w₂, w₃",
    )
    roots_rows = group(headings[0], row(c["r"], c["center"], c["disc"]))
    source_rows = group(headings[1], row(c["delta"], c["source"]), c["coefficients"])
    fig, axes = panel_figure(
        (11.2, 3.5), 1, 1 + N_PANELS, left=0.05, right=0.92, bottom=0.13, top=0.86, wspace=0.35
    )
    ax_roots, *heat = axes
    # the frame, drawn once: titles, the 4 x 4 heatmaps on the fixed scale [-1, 1], one bar
    ax_roots.set_title("roots of p_w", fontsize="medium")
    titles = [f"Θ at point {i + 1}" for i in range(N_PANELS)]
    plot_ntk_panels([np.zeros((4, 4))] * N_PANELS, axes=heat, titles=titles, **_HEAT)
    # one colour bar right of the last panel: the panels are alike, so the first one's drawn
    # (square) box gives the bar's height and the last one's inset
    heat[0].apply_aspect()
    box, panel = heat[0].get_position(), heat[0].get_position(original=True)
    right = heat[-1].get_position(original=True).x1 - (panel.x1 - box.x1)
    rect = (right + 0.012, box.y0, 0.012, box.height)
    cax = fig.add_axes(rect, label="<colorbar>", gid="ntk-colorbar")
    images = [find(ax.get_images(), "ntk") for ax in heat]
    image_colorbar(images, cax=cax, ticks=[-1.0, -0.5, 0.0, 0.5, 1.0], label="Θ / max |Θ|")
    return Explorer(
        c,
        stride_one_picture,
        draw_stride_one_picture,
        fig,
        title="<b>Stride one, LCN([3, 2], [1, 1])</b>: one cubic w, several factorizations "
        "with the same invariant δ, and their different NTKs",
        layout_controls=W.VBox([roots_rows, source_rows]),
        preview=("disc", np.round(np.linspace(-1.0, 1.5, 11), 2).tolist()),
        alt=(
            "The roots of the cubic p_w in the complex plane, with a numbered ring on the "
            "root that layer 2 owns in each factorization, and the NTK matrices of the (up to "
            "three) fiber points as heatmaps on one colour scale, divided by their largest "
            "entry; as g turns negative the pair of roots becomes complex and fiber points "
            "disappear."
        ),
    )
