"""Static twins: a widget's pictures precomputed over one control, scrubbable without a kernel.

A *static twin* draws the widget (with :meth:`Explorer.update`, as live) for a list of values of
one control and shows the frames in a self-contained HTML player, whose structure tests rely on::

    <div class="lcnn-static-twin" data-frames="N">
      <div class="lcnn-static-twin-caption">... <span class="lcnn-static-twin-value">v</span></div>
      <input type="range" class="lcnn-static-twin-slider" min="0" max="N-1" ...>
      <img class="lcnn-static-twin-frame" alt="..." src="data:image/png;base64,...">
    </div>
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ._base import Explorer, render_png

__all__ = ["StaticTwin", "preview_of", "static_twin"]

_PLAYER_JS = """
(function () {
  var roots = document.querySelectorAll('.lcnn-static-twin:not([data-ready])');
  roots.forEach(function (root) {
    root.setAttribute('data-ready', '1');
    var data = JSON.parse(root.querySelector('.lcnn-static-twin-data').textContent);
    var img = root.querySelector('.lcnn-static-twin-frame');
    var out = root.querySelector('.lcnn-static-twin-value');
    var slider = root.querySelector('.lcnn-static-twin-slider');
    var readout = root.querySelector('.lcnn-static-twin-readout');
    function show(i) {
      img.src = 'data:image/png;base64,' + data.frames[i];
      img.setAttribute('data-frame', String(i));
      out.textContent = data.labels[i];
      if (readout && data.readouts) { readout.innerHTML = data.readouts[i]; }
    }
    slider.addEventListener('input', function () { show(parseInt(slider.value, 10)); });
    slider.addEventListener('change', function () { show(parseInt(slider.value, 10)); });
  });
})();
"""


@dataclass(frozen=True)
class StaticTwin:
    """Precomputed frames of a widget over one control, displayed as an HTML player."""

    control: str  # the control's label
    labels: tuple[str, ...]  # the control values shown
    frames: tuple[bytes, ...]  # the PNG images, one per value
    start: int  # the frame shown first
    alt: str  # the images' alternative text
    caption: str  # the text above the player
    readouts: tuple[str, ...] = ()  # the widget's readout line (HTML) of each frame, or empty

    def __len__(self) -> int:
        return len(self.frames)

    def to_html(self, *, compact: bool = False) -> str:
        """The self-contained HTML player; ``compact``: 256-colour frames (4x smaller, website)."""
        frames = [_compact_png(f) for f in self.frames] if compact else list(self.frames)
        data = {
            "frames": [base64.b64encode(f).decode("ascii") for f in frames],
            "labels": list(self.labels),
        }
        if self.readouts:
            data["readouts"] = list(self.readouts)
        shown = self.readouts[self.start] if self.readouts else ""
        readout = f'<div class="lcnn-static-twin-readout">{shown}</div>' if shown else ""
        payload = json.dumps(data).replace("</", "<\\/")  # no "</script>" inside the script
        n = len(self.frames)
        img = (
            f'<img class="lcnn-static-twin-frame" data-frame="{self.start}" '
            f'alt="{html.escape(self.alt)}" style="max-width:100%" '
            f'src="data:image/png;base64,{data["frames"][self.start]}">'
        )
        if n == 1:
            return f'<div class="lcnn-static-twin" data-frames="1">{readout}{img}</div>'
        return (
            f'<div class="lcnn-static-twin" data-frames="{n}" '
            'style="border:1px solid #ccc;border-radius:6px;padding:6px;margin:6px 0">'
            f'<div class="lcnn-static-twin-caption" style="font-size:90%">'
            f"{html.escape(self.caption)} "
            f'<b>{html.escape(self.control)} = <span class="lcnn-static-twin-value">'
            f"{html.escape(self.labels[self.start])}</span></b></div>"
            f'<input type="range" class="lcnn-static-twin-slider" min="0" max="{n - 1}" '
            f'value="{self.start}" step="1" style="width:60%" '
            f'aria-label="{html.escape(self.control)} (precomputed frames)">'
            f"{readout or '<br>'}{img}"
            f'<script type="application/json" class="lcnn-static-twin-data">{payload}</script>'
            f"<script>{_PLAYER_JS}</script></div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()


def _compact_png(png: bytes) -> bytes:
    """The PNG re-encoded with a 256-colour palette (much smaller for plots)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, "png", optimize=True)
    return out.getvalue()


def _label(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def static_twin(
    explorer: Explorer,
    control: str,
    values: Sequence[Any],
    *,
    alt: str | None = None,
    caption: str = "Static preview (precomputed, works without a running kernel): drag to change",
    dpi: int | None = None,
) -> StaticTwin:
    """Render an Explorer's picture for 2 to 60 ``values`` of its control ``control``.

    Values the widget rejects are skipped (ValueError if none is drawable); ``alt`` and
    ``caption`` go to the player, ``dpi`` defaults to the explorer's. The widget is restored
    to its previous value and picture afterwards. The twin displays as an HTML player.
    """
    if control not in explorer.controls:
        raise ValueError(f"control must be one of {sorted(explorer.controls)}: got {control!r}")
    vals = list(values)
    if not 2 <= len(vals) <= 60:
        raise ValueError(f"values must hold between 2 and 60 entries: got {len(vals)}")
    original = explorer.controls[control].value
    drawn: list[tuple[bytes, str, str]] = []  # (frame, label, readout) of each drawn value
    start = 0
    try:
        for v in vals:
            explorer.set_values(**{control: v})
            if explorer.error is not None:
                continue
            if _same(v, original):
                start = len(drawn)
            png = explorer.image.value if dpi is None else render_png(explorer.figure, dpi=dpi)
            drawn.append((png, _label(explorer.controls[control].value), explorer.readout.value))
    finally:
        explorer.set_values(**{control: original})
    if not drawn:
        raise ValueError(f"no value of {control!r} in values could be drawn: got {vals!r}")
    frames, labels, readouts = zip(*drawn, strict=True)
    text = alt or f"Picture of the widget for {len(frames)} values of {control}"
    kept = readouts if any(readouts) else ()
    return StaticTwin(control, labels, frames, start, text, caption, kept)


#: what the static preview says above its slider
PREVIEW_CAPTION = (
    "Static preview, precomputed: drag the slider to change the picture. Run the "
    "notebook for the live widget with all its controls."
)


def _with_current(values: Sequence[Any], current: Any) -> list[Any]:
    """``values`` with ``current`` inserted in order (numbers) or at the front (others)."""
    vals = list(values)
    if any(_same(v, current) for v in vals):
        return vals
    if isinstance(current, (int, float)) and all(isinstance(v, (int, float)) for v in vals):
        return sorted([*vals, current])
    return [current, *vals]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(b)))
        except (TypeError, ValueError):
            return False
    return bool(a == b)


def preview_of(explorer: Explorer) -> StaticTwin:
    """The static preview of a widget: its pictures over the values of ``explorer.preview``.

    The current value is among the frames and shown first; without a preview, one frame.
    """
    if explorer.preview is None:
        readouts = (explorer.readout.value,) if explorer.readout.value else ()
        return StaticTwin("", ("",), (explorer.image.value,), 0, explorer.alt, "", readouts)
    control, values = explorer.preview
    vals = _with_current(values, explorer.controls[control].value)[:60]
    twin = static_twin(explorer, control, vals, alt=explorer.alt, caption=PREVIEW_CAPTION)
    label = getattr(explorer.controls[control], "description", "") or control
    return replace(twin, control=label)


Explorer.static_preview = preview_of  # the build-time display of every Explorer (see _base)
