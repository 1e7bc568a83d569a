"""Fast redraws: render the unchanging part of a figure once, then only the artists that move.

:class:`FigureRenderer` draws a figure's frame once (limits, ticks, titles, legends, colour bars:
most of matplotlib's cost), keeps its pixels and on the next update restores them and draws only
the *moving* artists on top (blitting): the data, the spines and a legend over the data. When the
*signature* of the static part differs from the background's (and from the :data:`RECENT_FRAMES`
last frames'), the update is a full redraw. Pixels equal a full render's when no static element
is drawn inside an axes above its data (ticks outwards, no grid): ``tests/test_render.py``.
"""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Any, cast

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

# fmt: off
__all__ = ["FigureRenderer", "all_axes", "encode_png", "moving_artists", "signature_change",
           "static_signature"]
# fmt: on

RECENT_FRAMES = 4  # how many recent frames (static backgrounds) a renderer keeps
PNG_COMPRESS_LEVEL = 1  # zlib level of the PNGs (lossless at every level; 1 is the fastest)


def encode_png(rgba: np.ndarray) -> bytes:
    """PNG bytes of an RGBA pixel array of shape (height, width, 4)."""
    buf = io.BytesIO()
    image = Image.fromarray(np.asarray(rgba), mode="RGBA")
    image.save(buf, format="png", compress_level=PNG_COMPRESS_LEVEL)
    return buf.getvalue()


def _is_colorbar(ax: Axes) -> bool:
    return getattr(ax, "_colorbar", None) is not None


def _family(ax: Axes) -> list[Axes]:
    """``ax`` and its inset (child) axes, recursively, parents first."""
    # inset axes are Axes (typed as their private base class)
    return [ax, *(a for child in ax.child_axes for a in _family(cast(Axes, child)))]


def all_axes(fig: Figure) -> list[Axes]:
    """Every axes of ``fig``, inset (child) axes included, parents before their children."""
    return [a for ax in fig.axes for a in _family(ax)]


def _overlaps_data(legend: Any, ax: Axes) -> bool:
    """Whether a legend is drawn over the data area of its axes (then it must be redrawn)."""
    renderer = cast(FigureCanvasAgg, ax.figure.canvas).get_renderer()  # see FigureRenderer
    return legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))


def moving_artists(ax: Axes) -> list[Any]:
    """The artists of ``ax`` redrawn on every update (a legend only over the data), in order."""
    if _is_colorbar(ax) or not ax.get_visible():
        return []
    artists = [*ax.collections, *ax.patches, *ax.lines, *ax.texts, *ax.artists, *ax.images]
    artists += ax.tables
    if ax.axison and ax.get_frame_on():  # Axes.draw draws the spines only then
        artists += list(ax.spines.values())
    if ax.legend_ is not None and _overlaps_data(ax.legend_, ax):
        artists.append(ax.legend_)
    artists = [a for a in artists if a.get_visible()]
    # the same stable sort by zorder that Axes.draw uses
    return sorted(artists, key=lambda a: a.get_zorder())


def _has_ticks(axis: Any) -> bool:
    """Whether an axis draws ticks (major or minor), whose places depend on its limits."""
    return len(axis.get_majorticklocs()) > 0 or len(axis.get_minorticklocs()) > 0


def _text(t: Any) -> tuple:
    return (t.get_text(), t.get_visible(), t.get_color())


def static_signature(fig: Figure) -> dict[str, Any]:
    """Everything of ``fig`` that the saved background depends on, by name."""
    sig: dict[str, Any] = {
        "figure size": (tuple(fig.get_size_inches()), fig.dpi),
        "figure texts": tuple(_text(t) for t in fig.texts),
        "figure legends": tuple(
            (tuple(t.get_text() for t in leg.get_texts()), leg.get_visible()) for leg in fig.legends
        ),
    }
    for i, ax in enumerate(all_axes(fig)):
        key = f"axes {i}"
        sig[f"{key} frame"] = (
            ax.get_visible(),
            tuple(ax.get_position().bounds),
            ax.axison,
            ax.patch.get_facecolor(),
        )
        if not ax.get_visible():
            continue
        # the limits of an axis without ticks place only data (redrawn anyway), unless the
        # aspect ties them to the axes' box: then they are not part of the frame
        free = ax.get_aspect() == "auto"
        sig[f"{key} limits"] = (
            None if free and not _has_ticks(ax.xaxis) else ax.get_xlim(),
            None if free and not _has_ticks(ax.yaxis) else ax.get_ylim(),
            ax.get_xscale(),
            ax.get_yscale(),
        )
        # (private attributes below: matplotlib has no public getter for them)
        titles = (ax.title, ax._left_title, ax._right_title)  # type: ignore[attr-defined]
        sig[f"{key} titles"] = tuple(_text(t) for t in titles)
        sig[f"{key} labels"] = (_text(ax.xaxis.label), _text(ax.yaxis.label))
        if ax.legend_ is not None:
            sig[f"{key} legend"] = (
                tuple(t.get_text() for t in ax.legend_.get_texts()),
                ax.legend_.get_visible(),
                ax.legend_._loc,  # type: ignore[attr-defined]
                str(ax.legend_.get_bbox_to_anchor()),
            )
        sig[f"{key} ticks"] = tuple(
            (tuple(a.get_ticklocs()), tuple(t.get_text() for t in a.get_ticklabels()))
            for a in (ax.xaxis, ax.yaxis)
        )
        if _is_colorbar(ax):
            mappable = ax._colorbar.mappable  # type: ignore[attr-defined]
            norm = mappable.norm
            sig[f"{key} colour bar"] = (norm.vmin, norm.vmax, mappable.get_cmap().name)
    return sig


def signature_change(old: dict[str, Any] | None, new: dict[str, Any]) -> str | None:
    """The first named part that differs between two signatures (None if they are equal)."""
    if old is None:
        return "first render"
    names = [*new, *(k for k in old if k not in new)]  # in drawing order
    return next((name for name in names if old.get(name) != new.get(name)), None)


class FigureRenderer:
    """Render one non-pyplot Figure (its dpi set to ``dpi``) repeatedly, redrawing what moves.

    ``full_renders`` and ``fast_renders`` count the renders of each path (tests, benchmarks).
    """

    def __init__(self, figure: Figure, *, dpi: int = 80):
        self.figure = figure
        figure.set_dpi(dpi)
        canvas = figure.canvas
        self.canvas = canvas if isinstance(canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
        self._background: Any = None
        self._signature: dict[str, Any] | None = None
        self._recent: OrderedDict[str, Any] = OrderedDict()  # backgrounds by signature
        self.full_renders = self.fast_renders = 0
        self.full_reason: str | None = None  # why the last render was full (None if fast)

    def invalidate(self) -> None:
        """Forget the saved backgrounds: the next render is a full one."""
        self._background = None
        self._signature = None
        self._recent.clear()

    def _moving(self) -> list[tuple[Axes, list[Any]]]:
        return [(ax, moving_artists(ax)) for ax in all_axes(self.figure)]

    def render_full(self, signature: dict[str, Any] | None = None) -> np.ndarray:
        """Draw everything from scratch (also saving the background); return the RGBA pixels."""
        moving = self._moving()
        flat = [a for _, artists in moving for a in artists]
        for a in flat:
            a.set_animated(True)
        try:
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        finally:
            for a in flat:
                a.set_animated(False)
        self._signature = signature or static_signature(self.figure)
        self._remember()
        self._draw_moving(moving)
        self.full_renders += 1
        return np.asarray(self.canvas.buffer_rgba())

    def _draw_moving(self, moving: list[tuple[Axes, list[Any]]]) -> None:
        renderer = self.canvas.get_renderer()
        for ax, artists in moving:
            if not artists:
                continue
            # Axes.draw opens a group and applies the axes' clip settings per artist itself;
            # each artist carries its own clip box and transform, so drawing it alone is the same.
            for a in artists:
                a.draw(renderer)
            ax.stale = False

    def _remember(self) -> None:
        key = repr(self._signature)
        self._recent[key] = self._background
        self._recent.move_to_end(key)
        while len(self._recent) > RECENT_FRAMES:
            self._recent.popitem(last=False)

    def render(self) -> np.ndarray:
        """Render the figure's current state: fast when only moving artists changed."""
        signature = static_signature(self.figure)
        reason = signature_change(self._signature, signature)
        if reason is not None and repr(signature) in self._recent:  # a frame seen recently
            self._signature, self._background = signature, self._recent[repr(signature)]
            self._recent.move_to_end(repr(signature))
            reason = None
        if reason is not None or self._background is None:
            self.full_reason = reason or "first render"
            return self.render_full(signature)
        self.full_reason = None
        self.canvas.restore_region(self._background)
        self._draw_moving(self._moving())
        self.fast_renders += 1
        return np.asarray(self.canvas.buffer_rgba())

    def png(self) -> bytes:
        """:meth:`render`, encoded as PNG."""
        return encode_png(self.render())

    def reference(self) -> np.ndarray:
        """A from-scratch full render of the current state with nothing saved or skipped."""
        self.canvas.draw()
        out = np.array(self.canvas.buffer_rgba(), copy=True)
        self.invalidate()
        return out
