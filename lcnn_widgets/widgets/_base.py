"""The one widget pattern of the book: controls + a pure function + a drawing function.

An :class:`Explorer` calls ``compute(**values)`` on every control change, then ``draw(figure,
result)`` on its non-pyplot Figure, shown as a PNG; a ValueError/TypeError is shown as a message
and the last good picture stays. A cell not yet run shows :data:`NOT_RUNNING`; at build time
(``LCNN_STATIC_PREVIEWS=1``) the widget displays as its static preview (:mod:`.static`).
"""

from __future__ import annotations

import html
import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ._render import PNG_COMPRESS_LEVEL, FigureRenderer

__all__ = ["PREVIEW_ENV", "Explorer", "render_png", "static_previews_enabled"]

#: environment variable that switches widget display to static previews (set at build time)
PREVIEW_ENV = "LCNN_STATIC_PREVIEWS"

#: the line a widget cell shows before it runs (and wherever no widget manager is available)
NOT_RUNNING = (
    "[interactive widget: run this cell with a live Python kernel to draw the "
    "picture and move its controls]"
)


def static_previews_enabled() -> bool:
    """True when widgets should display as static previews (``LCNN_STATIC_PREVIEWS=1``)."""
    return os.environ.get(PREVIEW_ENV, "").strip().lower() in {"1", "true", "yes"}


#: errors that come from bad input and are shown to the reader instead of a traceback
USER_ERRORS = (ValueError, TypeError, ArithmeticError, np.linalg.LinAlgError)


def render_png(fig: Figure, *, dpi: int = 80) -> bytes:
    """Render a Figure to PNG bytes on its one Agg canvas (text caches survive; no pyplot)."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    return buf.getvalue()


class Explorer(W.VBox):
    """A widget: named controls wired to ``compute`` and ``draw``, with an error line.

    ``controls`` maps the keyword names of ``compute`` (a pure function of their values that
    raises ValueError/TypeError on bad input) to ipywidgets controls. ``draw(figure, result)``
    updates the non-pyplot ``figure`` and may return a line of HTML of the changing values, shown
    above the picture (so titles and frame stay fixed). ``title`` is a line of HTML above the
    controls, ``layout_controls`` their box (default: one wrapping row), ``alt`` the picture's
    alternative text (default: the title). ``preview`` names the main control and the values the
    static preview precomputes, e.g. ``("u1", [0, 1])``. ``fast=False`` renders the whole figure
    on every update (the reference) instead of the moving artists only (``FigureRenderer``).

    ``result`` is the last successful result of ``compute``; ``error`` the message of the last
    failed update (None when the picture is current).
    """

    #: ``Explorer -> StaticTwin``, registered by :mod:`lcnn_widgets.widgets.static`
    static_preview: Callable[[Explorer], Any] | None = None

    def __init__(
        self,
        controls: Mapping[str, W.ValueWidget],
        compute: Callable[..., Any],
        draw: Callable[[Figure, Any], str | None],
        figure: Figure,
        *,
        title: str = "",
        dpi: int = 80,
        layout_controls: W.Widget | None = None,
        preview: tuple[str, Sequence[Any]] | None = None,
        alt: str | None = None,
        fast: bool = True,
    ):
        self.controls = dict(controls)
        self.figure = figure
        self._compute, self._draw = compute, draw
        self.result: Any = None
        self.error: str | None = None
        self.message = W.HTML(value="")
        self.readout = W.HTML(value="")
        self.readout.add_class("lcnn-explorer-readout")
        self._renderer = FigureRenderer(figure, dpi=dpi) if fast else None
        self.dpi = dpi
        # shown at its own resolution (not stretched to the cell), scaled down only if too wide
        width = f"{round(figure.get_figwidth() * dpi)}px"
        self.image = W.Image(format="png", layout=W.Layout(width=width, max_width="100%"))
        self.image.add_class("lcnn-explorer-image")
        if preview is not None:
            if preview[0] not in self.controls:
                raise ValueError(
                    f"preview must name one of the controls {sorted(self.controls)}: "
                    f"got {preview[0]!r}"
                )
            self.controls[preview[0]].add_class("lcnn-main-control")
        self.preview, self.title = preview, title
        self.alt = alt or _plain_text(title) or "Picture drawn by the widget"
        box = layout_controls or W.HBox(
            list(self.controls.values()), layout=W.Layout(flex_flow="row wrap")
        )
        heading = [W.HTML(value=title)] if title else []
        super().__init__(children=[*heading, box, self.message, self.readout, self.image])
        self.add_class("lcnn-explorer")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()
        if self._renderer is not None:  # warm up the fast path, so the first move is fast too
            self._renderer.render()

    def __repr__(self) -> str:
        return NOT_RUNNING

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """Live: the widget view; at build time, the static preview; text: :data:`NOT_RUNNING`."""
        if static_previews_enabled() and Explorer.static_preview is not None:
            preview = Explorer.static_preview(self).to_html(compact=True)
            return {"text/plain": NOT_RUNNING, "text/html": preview}
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            bundle["text/plain"] = NOT_RUNNING
        return bundle

    def values(self) -> dict[str, Any]:
        """The current value of every control, by keyword name."""
        return {name: c.value for name, c in self.controls.items()}

    def _on_change(self, change: Any) -> None:
        self.update()

    def set_values(self, **values: Any) -> None:
        """Set several controls at once and redraw once (handy in tests and notebooks)."""
        if unknown := set(values) - set(self.controls):
            raise ValueError(
                f"set_values got unknown control names {sorted(unknown)}: "
                f"allowed are {sorted(self.controls)}"
            )
        for name in values:
            self.controls[name].unobserve(self._on_change, names="value")
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            for name in values:
                self.controls[name].observe(self._on_change, names="value")
        self.update()

    def update(self) -> bool:
        """Recompute and redraw (True); on bad input show the message, keep the picture (False)."""
        try:
            result = self._compute(**self.values())
        except USER_ERRORS as exc:
            self.error = str(exc)
            self.message.value = (
                '<div style="color:#a40000;border-left:4px solid #a40000;padding-left:6px">'
                f"<b>Cannot draw this:</b> {html.escape(str(exc))} "
                "(showing the last valid picture)</div>"
            )
            return False
        readout = self._draw(self.figure, result)
        self.result, self.error, self.message.value = result, None, ""
        if isinstance(readout, str):
            self.readout.value = readout
        self.image.value = self.render()
        return True

    @property
    def fast(self) -> bool:
        """Whether updates take the fast path (settable; benchmarks compare both)."""
        return self._renderer is not None

    @fast.setter
    def fast(self, on: bool) -> None:
        self._renderer = (
            (self._renderer or FigureRenderer(self.figure, dpi=self.dpi)) if on else None
        )

    def render(self) -> bytes:
        """PNG of the figure as it is now (fast path unless ``fast=False``)."""
        if self._renderer is None:
            return render_png(self.figure, dpi=self.dpi)
        return self._renderer.png()

    def reference_render(self) -> bytes:
        """PNG of a from-scratch full render (what the fast path must equal); resets the path."""
        png = render_png(self.figure, dpi=self.dpi)
        if self._renderer is not None:
            self._renderer.invalidate()
        return png


def _plain_text(markup: str) -> str:
    """``markup`` without HTML tags and TeX dollars, whitespace collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", markup)).replace("$", "")
    return " ".join(text.split())
