"""The widget of the chapter "Table 1, computed": one fiber of a chosen class, and its NTKs.

Choose a class of Table 1 and a seed; the widget samples one fiber
(:func:`lcnn_widgets.table1.sample_fiber`) and shows the NTKs of its two most different points
and their difference, each in a fixed square box on a fixed colour scale: a new class or seed
redraws only the data, and a (class, seed) met before comes from a cache.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from .._validation import as_int_in_range
from ..plotting._common import SEQUENTIAL_CMAP, find, image_colorbar
from ..table1 import CLASSES, FiberSample, sample_fiber
from ._base import Explorer
from ._common import dropdown, group, int_box, panel_figure, row

__all__ = ["Table1Picture", "explore_table1", "table1_picture", "table1_readout"]

#: pictures kept per widget for (class, seed) pairs met again
CACHE_SIZE = 256
#: the style of the three heatmaps (each fills a unit box, whatever the matrix size)
_IMAGE: dict[str, Any] = dict(
    cmap=SEQUENTIAL_CMAP, vmin=-1.0, vmax=1.0, interpolation="nearest", gid="ntk"
)


@dataclass(frozen=True, eq=False)
class Table1Picture:
    """Everything the Table 1 widget draws for the class ``key`` and the ``seed``."""

    key: str
    seed: int
    sample: FiberSample
    pair: tuple[int, int]  # points of sample.points with the most different NTKs ((0, n-1): equal)
    ntk_i: np.ndarray  # shape (K, K)
    ntk_j: np.ndarray
    vmin: float  # the common range of ntk_i and ntk_j
    vmax: float
    caption: str  # describes the fiber
    scale: float  # the largest absolute entry of both: the NTKs are drawn divided by it
    diff_scale: float  # the difference's largest entry, at least 1e-6 scale (noise stays grey)


def table1_picture(key: str, seed: int) -> Table1Picture:
    """Sample one fiber of a class and pick the two points with the most different NTKs.

    ``key``: a key of :data:`lcnn_widgets.table1.CLASSES`; ``seed``: of
    ``numpy.random.default_rng``, between 0 and 10**9.

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
    # ||Theta_a - Theta_b||_F for a < b, as np.linalg.norm computes it (sqrt of a dot product),
    # so the pair is the same as with the full matrix; the lower triangle stays zero
    flat = np.stack([t.ravel() for t in ntks])
    dist = np.zeros((n, n))
    for a in range(n - 1):
        dist[a, a + 1 :] = [np.sqrt(d @ d) for d in flat[a] - flat[a + 1 :]]
    i, j = np.unravel_index(int(np.argmax(dist)), dist.shape) if np.any(dist) else (0, n - 1)
    i, j = int(min(i, j)), int(max(i, j))
    vmin = float(min(ntks[i].min(), ntks[j].min()))
    vmax = float(max(ntks[i].max(), ntks[j].max()))
    if vmax - vmin <= 1e-9 * max(abs(vmin), abs(vmax), 1.0):  # constant: a neutral colour range
        vmin, vmax = vmin - 1.0, vmax + 1.0
    caption = (
        f"{net}: {s.n_points} fiber point(s), {n} compared, relative NTK "
        f"difference {s.difference:.1e}"
    )
    scale = max(float(np.max(np.abs(ntks[i]))), float(np.max(np.abs(ntks[j]))), 1e-300)
    diff_scale = max(float(np.max(np.abs(ntks[i] - ntks[j]))), 1e-6 * scale)
    return Table1Picture(
        key, seed, s, (i, j), ntks[i], ntks[j], vmin, vmax, caption, scale, diff_scale
    )


def table1_readout(pic: Table1Picture) -> str:
    """The values that change with the controls, as HTML (the line above the picture).

    Examples
    --------
    >>> "the two most different: points 0 and" in table1_readout(table1_picture("conv2d", 0))
    True
    """
    i, j = pic.pair
    diff = pic.ntk_i - pic.ntk_j
    largest = float(np.max(np.abs(diff)))
    k = diff.shape[0]
    verdict = (
        "<b>equal up to rounding</b>"
        if largest <= 1e-9 * pic.scale
        else f"largest entry of the difference <b>{largest:.3g}</b>"
    )
    sep = " &nbsp;·&nbsp; "
    return (
        f"{html.escape(pic.caption)}<br>the two most different: points {i} and {j} "
        f"(NTKs {k}×{k}): Θ{_sub(i)} − Θ{_sub(j)} {verdict}{sep}colours: Θ / {pic.scale:.3g} "
        f"(the largest entry), difference / d with d = {pic.diff_scale:.3g} (its largest "
        f"entry, at least 10⁻⁶ of the NTKs' so that rounding noise stays grey)"
    )


def _draw(fig: Figure, pic: Table1Picture) -> str:
    """Update the three heatmaps in place (fixed boxes and colour scales); return the readout."""
    shown = (pic.ntk_i / pic.scale, pic.ntk_j / pic.scale, (pic.ntk_i - pic.ntk_j) / pic.diff_scale)
    for ax, data in zip(fig.axes[:3], shown, strict=True):
        find(ax.get_images(), "ntk").set_data(data)
    return table1_readout(pic)


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

    ``key, seed``: the initial class and seed. Returns an Explorer with controls ``key``
    (dropdown) and ``seed`` (integer box), three heatmaps drawn from :func:`table1_picture`, the
    readout line from :func:`table1_readout`.
    """
    if key not in {c.key for c in CLASSES}:
        raise ValueError(f"unknown class {key!r}: choose one of {[c.key for c in CLASSES]}")
    controls = {
        "key": dropdown([(class_label(c.key, c.name), c.key) for c in CLASSES], key, "class"),
        "seed": int_box(int(seed), "seed"),
    }
    box = group(
        "<b>Class</b> of Table 1, and the <b>seed</b> of the random fiber",
        row(controls["key"], controls["seed"]),
    )
    fig, axes = panel_figure(
        (11.2, 4.0), 1, 3, left=0.035, right=0.925, bottom=0.05, top=0.9, wspace=0.32
    )
    # the frame, drawn once: three square boxes (each matrix fills its box, whatever its size)
    # on fixed colour scales, two colour bars, constant titles
    for ax, title in zip(axes, ("Θ at point i", "Θ at point j", "difference Θᵢ − Θⱼ"), strict=True):
        ax.imshow(np.zeros((1, 1)), extent=(0, 1, 1, 0), **_IMAGE)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize="medium")
    images = [find(ax.get_images(), "ntk") for ax in axes]
    image_colorbar(images[:2], host=axes[1], ticks=[-1.0, 0.0, 1.0], label="Θ / max |Θ|")
    image_colorbar(images[2], host=axes[2], ticks=[-1.0, 0.0, 1.0], label="difference / d")

    @functools.lru_cache(maxsize=CACHE_SIZE)
    def compute(key: str, seed: int) -> Table1Picture:
        # sampling a fiber takes up to a few tenths of a second (a symbolic factorization for
        # the 2D classes): a (class, seed) met before is drawn from the cache
        return table1_picture(key, seed)

    explorer = Explorer(
        controls,
        compute,
        _draw,
        fig,
        layout_controls=box,
        title="<b>One fiber of a Table 1 class: NTKs of its two most different points</b>",
        preview=("key", [c.key for c in CLASSES]),
        alt=(
            "Three heatmaps: the NTK matrices at the two points of one random fiber of the "
            "chosen class of Table 1 that differ most, on one colour scale, and their "
            "difference on its own symmetric colour scale, which is zero up to rounding for "
            "the classes whose NTK is determined by the end-to-end filter and the invariants."
        ),
    )
    for c in CLASSES:  # warm the cache: the first pick of every class is as fast as the rest
        compute(key=c.key, seed=seed)  # (keywords, as the Explorer calls it)
    return explorer
