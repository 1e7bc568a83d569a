"""Helpers shared by the plotting modules: new axes, artists found by ``gid``, colour maps.

A plot function draws on the given ``ax`` or on the single Axes of a new non-pyplot Figure; a
second call on the same Axes finds its artists by ``gid`` and moves them instead of adding more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, NullLocator, ScalarFormatter
from matplotlib.transforms import ScaledTranslation, blended_transform_factory
from numpy.typing import ArrayLike

# fmt: off
__all__ = ["DIVERGING_CMAP", "SEQUENTIAL_CMAP", "contrast_color", "find", "image_colorbar",
           "moving_yticks", "new_axes", "new_panel_row", "update_line"]
# fmt: on

SEQUENTIAL_CMAP = "cividis"  # monotone lightness: readable in grey scale, colour-blind safe
DIVERGING_CMAP = "RdBu_r"  # centred at zero, for signed entries (filters)


def new_axes(ax: Axes | None, figsize: tuple[float, float], **subplot_kw: Any) -> Axes:
    """Return ``ax``, or the single Axes of a new non-pyplot Figure (TypeError for other ``ax``).

    The new Figure: ``figsize`` inches, ``"constrained"`` layout, ``add_subplot(**subplot_kw)``.

    Examples
    --------
    >>> ax = new_axes(None, (3.0, 2.0))
    >>> new_axes(ax, (1.0, 1.0)) is ax, ax.figure.get_size_inches().tolist()
    (True, [3.0, 2.0])
    """
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None: got {type(ax).__name__}")
    return ax or Figure(figsize=figsize, layout="constrained").add_subplot(**subplot_kw)


def new_panel_row(
    n: int, figsize: tuple[float, float], *, width_ratios: list[float] | None = None
) -> list[Axes]:
    """The ``n`` Axes of a new non-pyplot Figure (``"constrained"``) with one row of panels.

    Examples
    --------
    >>> len(new_panel_row(3, (6.0, 2.0)))
    3
    """
    fig = Figure(figsize=figsize, layout="constrained")
    return list(np.atleast_1d(fig.subplots(1, n, width_ratios=width_ratios)))


def find(items: Iterable[Any], gid: str) -> Any:
    """The first artist in ``items`` (e.g. ``ax.get_lines()``, ``ax.texts``) with ``gid``, or None.

    Examples
    --------
    >>> ax = new_axes(None, (2.0, 2.0))
    >>> line = ax.plot([0, 1], [0, 1], gid="a")[0]
    >>> find(ax.get_lines(), "a") is line, find(ax.get_lines(), "b")
    (True, None)
    """
    return next((item for item in items if item.get_gid() == gid), None)


def update_line(
    ax: Axes, gid: str, x: ArrayLike, y: ArrayLike, *, relabel: bool = False, **style: Any
) -> Line2D:
    """The line with this ``gid`` on ``ax``, moved to ``(x, y)`` (shape (n,)); created on first use.

    ``style`` (keywords of ``Axes.plot``) applies on creation only, except ``label`` with
    ``relabel=True``.

    Examples
    --------
    >>> ax = new_axes(None, (2.0, 2.0))
    >>> first = update_line(ax, "a", [0, 1], [0, 1], color="k", label="one")
    >>> again = update_line(ax, "a", [0, 1], [2, 3], label="two", relabel=True)
    >>> again is first, list(again.get_ydata()), again.get_label(), len(ax.get_lines())
    (True, [2, 3], 'two', 1)
    """
    line = find(ax.get_lines(), gid)
    if line is None:
        (line,) = ax.plot(x, y, gid=gid, **style)
        return line
    line.set_data(x, y)
    if relabel and "label" in style:
        line.set_label(style["label"])
    return line


def image_colorbar(
    images: Any,
    *,
    host: Axes | None = None,
    cax: Axes | None = None,
    label: str | None = None,
    ticks: Sequence[float] | None = None,
    ticklabels: Sequence[str] | None = None,
    width: float = 0.05,
    pad: float = 0.04,
) -> Colorbar:
    """The colour bar of an image, or one bar for several images on one colour scale.

    ``images`` (several share the first one's scale) get one bar in ``cax`` or in a slim inset
    right of ``host`` (default: the last image's axes; ``width``, ``pad``: fractions of its
    width), reused on the next call (every redraw). The ``Colorbar`` (axes label
    ``"<colorbar>"``) is also set as every image's ``colorbar``.

    Examples
    --------
    >>> ax = new_axes(None, (3.0, 2.0))
    >>> image = ax.imshow([[0.0, 1.0]])
    >>> bar = image_colorbar(image, label="value")
    >>> image_colorbar(image) is bar, image.colorbar is bar, len(ax.child_axes)
    (True, True, 1)
    """
    imgs = list(images) if isinstance(images, (list, tuple)) else [images]
    if not imgs:
        raise ValueError("images must hold at least one image: got none")
    main = imgs[0]
    if cax is None:
        host = host if host is not None else imgs[-1].axes
        cax = find(host.child_axes, "colorbar")
        if cax is None:
            cax = host.inset_axes((1.0 + pad, 0.0, width, 1.0), gid="colorbar")
            # a fixed title position: otherwise matplotlib measures the bar's tick labels on
            # every draw to keep the host's title clear of them (slow, and nothing to avoid)
            host.set_title(host.get_title(), y=1.0, fontsize=host.title.get_fontsize())
    bar: Colorbar | None = getattr(cax, "lcnn_colorbar", None)
    fresh = bar is None
    if bar is None:
        cax.set_label("<colorbar>")
        bar = main.axes.figure.colorbar(main, cax=cax)
        cax.lcnn_colorbar = bar  # type: ignore[union-attr]  # our own mark on the bar's axes
        bar.ax.tick_params(labelsize="small")
    elif bar.mappable is not main:  # the image was replaced (e.g. a new shape): follow it
        main.callbacks.connect("changed", bar.update_normal)
        bar.update_normal(main)  # a new norm resets the ticks and their format
        fresh = True
    # (limits set on the same image later reach the bar through its "changed" callback)
    for image in imgs:
        image.colorbar = bar
    if fresh:
        if ticks is not None:
            bar.set_ticks(list(ticks), labels=None if ticklabels is None else list(ticklabels))
        else:  # short tick labels: a common factor such as 1e-4 goes above the bar
            fmt = ScalarFormatter()
            fmt.set_powerlimits((-2, 3))
            bar.formatter = fmt
    if label is not None and bar.ax.get_ylabel() != label:
        bar.set_label(label)
    return bar


def moving_yticks(
    ax: Axes,
    lo: float,
    hi: float,
    *,
    nbins: int = 5,
    length: float = 3.5,
    pad: float = 3.5,
    log: bool = False,
) -> list[float]:
    """Set the y limits to ``[lo, hi]`` and draw the y ticks and their labels as data artists.

    Matplotlib's ticks belong to the frame, drawn once by a widget; these look the same
    (``MaxNLocator(nbins)``; gids ``"ytick-marks"``, ``"ytick-<i>"``) but move with the data.
    ``length``, ``pad`` in points; ``log``: at most ``nbins + 1`` whole decades, labelled ``10^k``.
    Returns the tick values (ValueError unless ``lo < hi``).

    Examples
    --------
    >>> ax = new_axes(None, (3.0, 2.0))
    >>> np.round(moving_yticks(ax, -0.2, 1.3), 12).tolist()
    [0.0, 0.3, 0.6, 0.9, 1.2]
    >>> [t.get_text() for t in ax.texts], len(ax.get_yticks())
    (['0', '0.3', '0.6', '0.9', '1.2'], 0)
    """
    lo, hi = float(lo), float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi) or (log and lo <= 0):
        raise ValueError(
            f"lo and hi must be finite with {'0 < ' if log else ''}lo < hi: got {lo}, {hi}"
        )
    if not isinstance(ax.yaxis.get_major_locator(), NullLocator):
        ax.yaxis.set_major_locator(NullLocator())
        ax.yaxis.set_minor_locator(NullLocator())
    ax.set_ylim(lo, hi)
    if log:
        k0, k1 = int(np.ceil(np.log10(lo) - 1e-9)), int(np.floor(np.log10(hi) + 1e-9))
        every = max(1, int(np.ceil((k1 - k0 + 1) / (nbins + 1))))
        powers = [k for k in range(k0, k1 + 1) if k % every == 0]
        ticks = [10.0**k for k in powers]
        labels = [f"$\\mathdefault{{10^{{{k}}}}}$" for k in powers]
    else:
        span, values = hi - lo, MaxNLocator(nbins=nbins).tick_values(lo, hi)
        ticks = [float(v) for v in values if lo - 1e-9 * span <= v <= hi + 1e-9 * span]
        ticks = [0.0 if abs(v) < 1e-12 * span else v for v in ticks]
        # the minus sign as matplotlib's formatter writes it
        labels = [f"{v:g}".replace("-", "\N{MINUS SIGN}") for v in ticks]
    frame = blended_transform_factory(ax.transAxes, ax.transData)
    fig = ax.figure
    # a tick mark is matplotlib's TICKLEFT marker at the spine, as the Axis draws it
    marks = find(ax.get_lines(), "ytick-marks")
    if marks is None:
        style: dict[str, Any] = {"linestyle": "none", "marker": 0, "markersize": length}
        style.update(markeredgewidth=0.8, color="black", clip_on=False, transform=frame)
        (marks,) = ax.plot([], [], gid="ytick-marks", **style)
    marks.set_data([0.0] * len(ticks), ticks)
    offset = ScaledTranslation(-(length + pad) / 72.0, 0.0, fig.dpi_scale_trans)
    for i, (v, label) in enumerate(zip(ticks, labels, strict=True)):
        txt = find(ax.texts, f"ytick-{i}")
        if txt is None:
            kw: dict[str, Any] = {"transform": frame + offset, "ha": "right"}
            kw.update(va="center_baseline", fontsize=plt_tick_size(), clip_on=False)
            ax.text(0.0, v, label, **kw, gid=f"ytick-{i}")
        else:
            txt.update({"position": (0.0, v), "text": label, "visible": True})
    for txt in ax.texts:
        gid = str(txt.get_gid())
        if gid.startswith("ytick-") and gid != "ytick-marks" and int(gid[6:]) >= len(ticks):
            txt.set_visible(False)
    return ticks


def plt_tick_size() -> float:
    """The font size (points) of matplotlib's tick labels (``ytick.labelsize``)."""
    return FontProperties(size=rcParams["ytick.labelsize"]).get_size_in_points()


def contrast_color(value: float, scale: float) -> str:
    """Text colour on a diverging image on ``[-scale, scale]``: white where ``|value| > 0.6 scale``.

    Examples
    --------
    >>> contrast_color(-0.9, 1.0), contrast_color(0.5, 1.0)
    ('white', 'black')
    """
    return "white" if abs(value) > 0.6 * scale else "black"
