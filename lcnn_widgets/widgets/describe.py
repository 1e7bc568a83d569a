"""The widget of the appendix "Check an architecture of your own": type sizes and strides.

On Enter the widget shows the report of :func:`lcnn_widgets.describe.describe` above a picture:
in 1D the roots of ``p_w`` for one random ``w``, coloured by the layer owning them in one point
of its fiber; in 2D the layer filters of that point and their product. Bad input shows the
package's message and keeps the last report.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..describe import ArchitectureReport, describe, parse_architecture
from ..fibers import FilterRoots, LayerRoots, fibers, filter_roots, root_orbits
from ..plotting.fibers import plot_root_orbits
from ..plotting.higher_dim import plot_filter_row
from ._base import Explorer
from ._common import WIDE_HALF_WIDTHS, group, int_box, row, step_up, text_box

__all__ = ["DescribePicture", "describe_picture", "describe_readout", "explore_describe"]

#: the implicit-equation budget of the widget (seconds): a reader waits for the report
WIDGET_BUDGET_S = 3.0
#: sizes drawn by the static preview (with the widget's strides, by default "2,1")
PREVIEW_SIZES = ("3,2", "4,3", "3,3", "2x2,2x2", "3x2,2x2")
#: reports kept for architectures met again
CACHE_SIZE = 64


@dataclass(frozen=True, eq=False)
class DescribePicture:
    """Everything the widget shows.

    Attributes
    ----------
    report : ArchitectureReport
    w : ndarray
        The end-to-end filter of the report's first random point.
    layer_roots, w_roots : tuple of LayerRoots, FilterRoots, or None
        1D: the roots of each layer at the first point of the fiber of ``w``, and of ``p_w``.
    fiber_size : int
        Points of that fiber (up to signs); 0 in D dimensions.
    layers : tuple of ndarray
        The filters of the drawn fiber point (1D) or of the random point (D-dim).
    """

    report: ArchitectureReport
    w: np.ndarray
    layer_roots: tuple[LayerRoots, ...] | None
    w_roots: FilterRoots | None
    fiber_size: int
    layers: tuple[np.ndarray, ...]


def describe_picture(
    sizes: str, strides: str, *, seed: int = 0, implicit_budget_s: float = WIDGET_BUDGET_S
) -> DescribePicture:
    """Describe the architecture typed as text, and pick one random fiber to draw.

    Parameters
    ----------
    sizes, strides : str
        As :func:`lcnn_widgets.describe.parse_architecture` reads them.
    seed : int, default=0
        Seed of the report's random draws.
    implicit_budget_s : float, default=3.0
        Budget of the implicit-equation search.

    Returns
    -------
    DescribePicture

    Raises
    ------
    ValueError, TypeError
        As :func:`~lcnn_widgets.describe.parse_architecture` and ``describe``.

    Examples
    --------
    >>> pic = describe_picture("3,2", "1,1")
    >>> pic.fiber_size in (1, 3), pic.report.codim
    (True, 0)
    """
    report = describe(
        parse_architecture(sizes, strides), seed=seed, implicit_budget_s=implicit_budget_s
    )
    net, fs = report.net, report.example_filters
    w = net.end_to_end(fs)
    if not net.is_1d:
        return DescribePicture(report, w, None, None, 0, tuple(fs))
    fib = fibers(net, w)
    point = fib[0].filters
    return DescribePicture(
        report, w, root_orbits(net, point), filter_roots(w), len(fib), tuple(point)
    )


def describe_readout(pic: DescribePicture) -> str:
    """The report as HTML (preformatted text), shown above the picture; in 1D the drawn ``w``."""
    drawn = ""
    if pic.layer_roots is not None:
        drawn = (
            "<div>Picture: w = (" + ", ".join(f"{v:.3g}" for v in pic.w) + f"), with "
            f"{pic.fiber_size} real factorization(s) up to scaling and signs; the panel draws "
            "the first.</div>"
        )
    return drawn + (
        '<pre class="lcnn-describe-report" style="white-space:pre-wrap;font-size:85%;'
        f'line-height:1.25;margin:4px 0">{html.escape(str(pic.report))}</pre>'
    )


def _draw(fig: Figure, pic: DescribePicture) -> str:
    net = pic.report.net
    if pic.layer_roots is not None and pic.w_roots is not None:  # 1D: the panels are kept
        kept = [a.get_gid() for a in fig.axes] == ["roots"] and bool(fig.texts)
        ax = fig.axes[0] if kept else _new_1d(fig)
        # the frame (title, ladder of limits, the note) changes rarely: a new entry redraws only
        # the data; the numbers that change are in the readout
        radius = float(np.max(np.abs(pic.w_roots.finite), initial=1.0))  # the layers' too
        limit = step_up(1.25 * radius, ROOT_LIMITS)
        plot_root_orbits(
            pic.layer_roots, w_roots=pic.w_roots, ax=ax, title=ROOTS_TITLE, limit=limit
        )
    elif net.dim == 2:
        fig.clear()
        n = len(pic.layers) + 1
        axes = fig.subplots(1, n)
        titles = [f"layer {l + 1}" for l in range(n - 1)] + ["end-to-end w"]
        plot_filter_row([*pic.layers, pic.w], titles=titles, axes=axes, annotate=pic.w.size <= 30)
        fig.subplots_adjust(left=0.04, right=0.98, bottom=0.08, top=0.85, wspace=0.3)
    else:
        fig.clear()
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        text = f"No picture for D = {net.dim}: the report above says it all."
        ax.text(0.5, 0.5, text, ha="center", va="center")
    return describe_readout(pic)


#: the 1D panel's title, and the ladder of its half-widths (a frame is kept until roots cross it)
ROOTS_TITLE = "roots of $p_w$, coloured by the layer that owns them"
ROOT_LIMITS = (1.25, 2.5, 5.0, *WIDE_HALF_WIDTHS)


#: what the 1D panel shows (a figure text: drawn with the frame, not on every update)
ROOTS_NOTE = "\n".join(
    [
        "One random end-to-end filter w of the report",
        "(its entries and fiber size: above the picture).",
        "",
        "Rings: the roots of p_w.",
        "Dots: the roots each layer owns in the first",
        "factorization of w (layer l owns whole orbits",
        "{t : t^S = rho}, S its accumulated stride).",
    ]
)


def _new_1d(fig: Figure) -> Axes:
    """The 1D picture's frame: the roots panel, and the note beside it."""
    fig.clear()
    fig.text(0.5, 0.9, ROOTS_NOTE, va="top", ha="left", fontsize=8.5, family="monospace")
    return fig.add_axes((0.08, 0.12, 0.36, 0.8), gid="roots")


def explore_describe(*, sizes: str = "3,2", strides: str = "2,1", seed: int = 0) -> Explorer:
    """A widget: type filter sizes and strides, read the report, see one fiber.

    Parameters
    ----------
    sizes : str, default="3,2"
        The initial sizes (``"2x2,2x2"`` for 2D filters).
    strides : str, default="2,1"
        The initial strides.
    seed : int, default=0
        The initial seed of the random draws.

    Returns
    -------
    Explorer
        Controls ``sizes``, ``strides`` (applied on Enter) and ``seed``; readout: the report.
    """
    controls = {
        "sizes": text_box(sizes, "sizes", input_width=160),
        "strides": text_box(strides, "strides", input_width=160),
        "seed": int_box(int(seed), "seed"),
    }
    box = group(
        "<b>Filter sizes</b> and <b>strides</b>, layer 1 first (press Enter): "
        "<code>3,2</code> and <code>2,1</code>, or <code>2x2,2x2</code> in 2D",
        row(controls["sizes"], controls["strides"], controls["seed"]),
    )
    fig = Figure(figsize=(9.0, 3.8))

    @functools.lru_cache(maxsize=CACHE_SIZE)
    def compute(sizes: str, strides: str, seed: int) -> DescribePicture:
        return describe_picture(sizes, strides, seed=seed)

    return Explorer(
        controls,
        compute,
        _draw,
        fig,
        layout_controls=box,
        title="<b>Check an architecture of your own</b>",
        preview=("sizes", list(PREVIEW_SIZES)),
        alt=(
            "The report on the typed architecture (dimension, fibers, NTK verdict, implicit "
            "equations) above a picture: in 1D the roots of one random end-to-end filter "
            "coloured by the layer that owns them in one factorization; in 2D the layer "
            "filters of one random point and their product."
        ),
    )
