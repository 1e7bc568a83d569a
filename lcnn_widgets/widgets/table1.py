"""The widget of the chapter "Table 1, computed": one fiber of a chosen class, and its NTKs.

Choose a class of Table 1 and a seed; the widget draws one random fiber of that class
(:func:`lcnn_widgets.table1.sample_fiber`) and shows the NTKs of the two points of the fiber
that differ most, and their difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from .._validation import as_int_in_range
from ..plotting._common import find, image_colorbar
from ..plotting.dense import plot_ntk_heatmap
from ..table1 import CLASSES, FiberSample, sample_fiber
from ._base import Explorer
from ._common import dropdown, group, int_box, panel_figure, row

__all__ = ["Table1Picture", "explore_table1", "table1_picture"]

#: matrices up to this size get their entries written into the cells
_ANNOTATE_MAX = 6


@dataclass(frozen=True, eq=False)
class Table1Picture:
    """Everything the Table 1 widget draws.

    Attributes
    ----------
    key : str
        The class (a key of :data:`lcnn_widgets.table1.CLASSES`).
    seed : int
        The seed of the random draw.
    sample : FiberSample
        The sampled fiber.
    pair : tuple of int
        Indices ``(i, j)`` into ``sample.points`` of the two points with the most different NTKs
        (``(0, last)`` when all NTKs agree).
    ntk_i, ntk_j : ndarray of shape (K, K)
        Their NTKs.
    vmin, vmax : float
        A common colour range for both.
    caption : str
        One line describing the fiber (plain text).
    """

    key: str
    seed: int
    sample: FiberSample
    pair: tuple[int, int]
    ntk_i: np.ndarray
    ntk_j: np.ndarray
    vmin: float
    vmax: float
    caption: str


def table1_picture(key: str, seed: int) -> Table1Picture:
    """Sample one fiber of a class and pick the two points with the most different NTKs.

    Parameters
    ----------
    key : str
        A key of :data:`lcnn_widgets.table1.CLASSES`.
    seed : int
        Seed of ``numpy.random.default_rng``, between 0 and 10**9.

    Returns
    -------
    Table1Picture

    Raises
    ------
    ValueError, TypeError
        For an unknown class or a seed out of range.

    Examples
    --------
    >>> pic = table1_picture("conv1d_stride1", 0)
    >>> pic.sample.n_points >= 2, bool(np.any(pic.ntk_i != pic.ntk_j))
    (True, True)
    """
    seed = as_int_in_range(seed, "seed", 0, 10**9)
    s = sample_fiber(key, rng=np.random.default_rng(seed))
    net = s.architecture
    ntks = [net.ntk(p) for p in s.points]
    n = len(ntks)
    dist = np.array([[np.linalg.norm(a - b) for b in ntks] for a in ntks])
    i, j = np.unravel_index(int(np.argmax(dist)), dist.shape) if np.any(dist) else (0, n - 1)
    i, j = int(min(i, j)), int(max(i, j))
    vmin = float(min(ntks[i].min(), ntks[j].min()))
    vmax = float(max(ntks[i].max(), ntks[j].max()))
    if vmax - vmin <= 1e-9 * max(abs(vmin), abs(vmax), 1.0):  # constant: a neutral colour range
        vmin, vmax = vmin - 1.0, vmax + 1.0
    caption = (f"{net}: {s.n_points} fiber point(s), {n} compared, relative NTK "
               f"difference {s.difference:.1e}")
    return Table1Picture(key=key, seed=seed, sample=s, pair=(i, j), ntk_i=ntks[i],
                         ntk_j=ntks[j], vmin=vmin, vmax=vmax, caption=caption)


def _draw(fig: Figure, pic: Table1Picture) -> None:
    ax_i, ax_j, ax_d = fig.axes[:3]
    annotate = pic.ntk_i.shape[0] <= _ANNOTATE_MAX
    i, j = pic.pair
    plot_ntk_heatmap(pic.ntk_i, vmin=pic.vmin, vmax=pic.vmax, annotate=annotate,
                     title=f"Θ at point {i}", ax=ax_i)
    plot_ntk_heatmap(pic.ntk_j, vmin=pic.vmin, vmax=pic.vmax, annotate=annotate,
                     title=f"Θ at point {j}", ax=ax_j)
    image_colorbar([find(ax.get_images(), "ntk") for ax in (ax_i, ax_j)], host=ax_j)
    diff = pic.ntk_i - pic.ntk_j
    # rounding noise (below 1e-6 of the NTK's size) stays in the neutral middle of the colours
    scale = max(float(np.max(np.abs(pic.ntk_i))), float(np.max(np.abs(pic.ntk_j))), 1e-300)
    largest = float(np.max(np.abs(diff)))
    top = max(largest, 1e-6 * scale)
    title = (f"Θ{_sub(i)} − Θ{_sub(j)}: equal up to rounding\n(largest entry {largest:.1e})"
             if largest <= 1e-9 * scale else
             f"difference Θ{_sub(i)} − Θ{_sub(j)}\n(largest entry {largest:.3g})")
    plot_ntk_heatmap(diff, vmin=-top, vmax=top, annotate=annotate, title=title, ax=ax_d)
    image_colorbar(find(ax_d.get_images(), "ntk"), host=ax_d)
    k = diff.shape[0]
    for ax in (ax_i, ax_j, ax_d):  # at most about eight tick labels per axis
        ticks = range(0, k, max(1, -(-k // 8)))
        ax.set_xticks(ticks, [str(t) for t in ticks], rotation=0)
        ax.set_yticks(ticks, [str(t) for t in ticks])
    fig.suptitle(pic.caption, fontsize="small")


def _sub(n: int) -> str:
    """``n`` in subscript digits."""
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


#: the classes' names as the dropdown shows them (plain text and Unicode: controls show no TeX)
LABELS = {
    "fc_balanced": "fully connected, balanced (δ = 0)",
    "fc_generic": "fully connected, generic invariants",
    "conv1d_strided": "1D conv., strides s₁, …, s_(L−1) > 1",
    "conv1d_stride1": "1D conv., some stride sₗ = 1 with l < L",
    "conv2d": "2D conv., no interchangeable layers",
    "conv2d_swap": "2D conv., interchangeable layers (Obs. 11)",
}


def class_label(key: str, name: str) -> str:
    """The dropdown label of a class: :data:`LABELS`, else its name with TeX markup removed.

    Examples
    --------
    >>> class_label("new", "strides s_{L-1} > 1, delta = 0")
    'strides s_(L−1) > 1, δ = 0'
    """
    if key in LABELS:
        return LABELS[key]
    text = name.replace("delta", "δ").replace("$", "").replace("\\", "")
    return re.sub(r"_\{([^}]*)\}", lambda m: f"_({m.group(1).replace('-', '−')})", text)


def explore_table1(*, key: str = "conv2d_swap", seed: int = 0) -> Explorer:
    """A widget: pick a class of Table 1 and a seed, see the NTKs of one fiber.

    Parameters
    ----------
    key : str, default="conv2d_swap"
        The initial class.
    seed : int, default=0
        The initial seed.

    Returns
    -------
    Explorer
        Controls ``key`` (a dropdown of the classes) and ``seed`` (an integer box). Three
        heatmaps: the NTKs of the two most different fiber points (one colour bar) and their
        difference (its own symmetric colour bar).
    """
    if key not in {c.key for c in CLASSES}:
        raise ValueError(f"unknown class {key!r}: choose one of {[c.key for c in CLASSES]}")
    controls = {
        "key": dropdown([(class_label(c.key, c.name), c.key) for c in CLASSES], key, "class"),
        "seed": int_box(int(seed), "seed"),
    }
    box = group("<b>Class</b> of Table 1, and the <b>seed</b> of the random fiber",
                row(controls["key"], controls["seed"]))
    fig, _ = panel_figure((11.2, 4.0), 1, 3, left=0.035, right=0.925, bottom=0.08, top=0.82,
                          wspace=0.32)
    explorer = Explorer(
        controls, table1_picture, _draw, fig, layout_controls=box,
        title="<b>One fiber of a Table 1 class: NTKs of its two most different points</b>",
        preview=("key", [c.key for c in CLASSES]),
        alt=("Three heatmaps: the NTK matrices at the two points of one random fiber of the "
             "chosen class of Table 1 that differ most, on one colour scale, and their "
             "difference on a symmetric colour scale, which is zero up to rounding for the "
             "classes whose NTK is determined by the end-to-end filter and the invariants."),
    )
    return explorer
