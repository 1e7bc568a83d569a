"""Controls and figures that fit a notebook column (issue 9, item 5), for all ten widgets.

Each widget is built as its chapter builds it. The sizes are checked against what JupyterLab's
widget style sheet gives a control (ipywidgets 8, default theme), in a notebook column of about
900 px:

* a horizontal slider's layout width holds its description (``description_width``), the
  label's margin (8 px), the track with its end margins (2 x 6 px) and the readout (at least
  72 px plus a 4 px margin): the track is ``width - description_width - 96`` px and must be at
  least 150 px, or a drag jumps from end to end;
* text is estimated at 8 px per character (13 px UI font, generously): a description must fit
  its ``description_width``, a toggle button's text its ``button_width`` minus 24 px padding;
* no control text is TeX (controls show it raw);
* every colour panel has a colour bar;
* the figure is at most 900 px wide at the widget's resolution and is shown at exactly its
  pixel width, so it is neither stretched nor shrunk; nothing of it is cut off at its edges;
* every widget has a static preview over its main control, which includes the default value.
"""

from __future__ import annotations

import html
import re
import struct

import ipywidgets as W
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import QuadMesh

import lcnn_widgets.widgets as widgets
from lcnn_widgets import LCN, squared_loss
from lcnn_widgets.widgets.static import preview_of

COLUMN_PX = 900
CHAR_PX = 8
SLIDER_EXTRA_PX = 96  # label margin 8 + track end margins 2 x 6 + readout 72 + its margin 4
MIN_TRACK_PX = 150
BUTTON_PAD_PX = 24
WIDGET_MARGIN_PX = 4  # 2 px on each side of every control
TEX = ("$", "\\", "_{", "^{")

SLIDERS = (W.FloatSlider, W.IntSlider, W.FloatLogSlider, W.FloatRangeSlider, W.IntRangeSlider)
CHOICES = (W.Dropdown, W.ToggleButtons, W.RadioButtons, W.Select)


def _flow():
    rng = np.random.default_rng(0)  # as chapter 5 builds its problem
    net = LCN([3, 2], [2, 1])
    X, Y = rng.standard_normal((12, 9)), rng.standard_normal((12, 3))
    return widgets.explore_flow(net, squared_loss(net, X, Y), seed=0, scale=0.5, t_max=5.0)


#: the widget of each chapter, built with the chapter's arguments
BUILDERS = {
    "explore_composition": widgets.explore_composition,
    "explore_invariants": widgets.explore_invariants,
    "explore_fibers": widgets.explore_fibers,
    "explore_metric": widgets.explore_metric,
    "explore_flow": _flow,
    "explore_stride_one": widgets.explore_stride_one,
    "explore_2d": widgets.explore_2d,
    "explore_orbit": widgets.explore_orbit,
    "explore_relu": widgets.explore_relu,
    "explore_table1": lambda: widgets.explore_table1(key="conv2d_swap", seed=0),
    "explore_describe": widgets.explore_describe,
}


@pytest.fixture(scope="module", params=sorted(BUILDERS))
def explorer(request):
    ex = BUILDERS[request.param]()
    assert ex.error is None
    return ex


def _px(value, what: str) -> int:
    """The pixels of a CSS width such as ``"330px"``; fails for anything else."""
    assert isinstance(value, str) and value.endswith("px"), f"{what}: no width in px: {value!r}"
    return int(float(value[:-2]))


def _labels(control) -> list[str]:
    return [str(label) for label in control._options_labels]


def _is_slider(control) -> bool:
    return isinstance(control, SLIDERS)


def test_every_factory_is_covered():
    assert sorted(BUILDERS) == sorted(n for n in widgets.__all__ if n.startswith("explore_"))


def test_slider_tracks_are_at_least_150px(explorer):
    sliders = {n: c for n, c in explorer.controls.items() if _is_slider(c)}
    for name, s in sliders.items():
        width = _px(s.layout.width, f"{name}.layout.width")
        desc = _px(s.style.description_width, f"{name}.style.description_width")
        track = width - desc - SLIDER_EXTRA_PX
        assert track >= MIN_TRACK_PX, f"{name}: track {track}px (width {width}, label {desc})"


def test_slider_defaults_lie_strictly_inside(explorer):
    for name, s in explorer.controls.items():
        if not isinstance(s, (W.FloatSlider, W.IntSlider, W.FloatLogSlider)):
            continue
        value = np.log(s.value) / np.log(s.base) if isinstance(s, W.FloatLogSlider) else s.value
        assert s.min < value < s.max, f"{name} = {s.value} sits at an end of [{s.min}, {s.max}]"


def test_every_control_is_labelled_and_its_text_fits(explorer):
    for name, c in explorer.controls.items():
        assert c.description.strip(), f"{name} has no description"
        if isinstance(c, (W.Checkbox, W.ToggleButton)):
            width = _px(c.layout.width, f"{name}.layout.width")
            assert width >= CHAR_PX * len(c.description) + 24, f"{name}: text cut off"
            continue
        desc = _px(c.style.description_width, f"{name}.style.description_width")
        assert desc >= CHAR_PX * len(c.description), (
            f"{name}: description {c.description!r} needs {CHAR_PX * len(c.description)}px, "
            f"has {desc}px"
        )
        if isinstance(c, W.ToggleButtons):
            button = _px(c.style.button_width, f"{name}.style.button_width")
            need = CHAR_PX * max(len(t) for t in _labels(c)) + BUTTON_PAD_PX
            assert button >= need, f"{name}: buttons {button}px, the longest text needs {need}px"
        if isinstance(c, W.Dropdown):
            width = _px(c.layout.width, f"{name}.layout.width")
            need = desc + CHAR_PX * max(len(t) for t in _labels(c)) + 40
            assert width >= need, f"{name}: dropdown {width}px, its options need {need}px"
        if isinstance(c, (W.Text, W.IntText, W.FloatText)):
            width = _px(c.layout.width, f"{name}.layout.width")
            assert width - desc >= 80, f"{name}: input field of {width - desc}px"


def _texts(box) -> list[str]:
    """Text of the HTML/Label widgets in a box of controls (not HTMLMath, which renders TeX)."""
    out = []
    for child in getattr(box, "children", ()):
        if isinstance(child, (W.HTML, W.Label)) and not isinstance(child, W.HTMLMath):
            out.append(child.value)
        out += _texts(child)
    return out


def _control_box(explorer):
    """The box of controls: the child just before the message line."""
    children = list(explorer.children)
    return children[children.index(explorer.message) - 1]  # [title], controls, message, ...


def test_no_tex_in_control_text(explorer):
    texts = []
    for c in explorer.controls.values():
        texts.append(c.description)
        if isinstance(c, CHOICES):
            texts += _labels(c)
    texts += _texts(_control_box(explorer))
    for text in texts:
        assert not any(t in text for t in TEX), f"raw TeX in a control: {text!r}"


def _width(w) -> int | None:
    """Estimated width (px) of a control or box as laid out; None when it is not fixed."""
    if isinstance(w, W.ToggleButtons):
        desc = _px(w.style.description_width, "description_width")
        button = _px(w.style.button_width, "button_width")
        return desc + 8 + len(w.options) * (button + 4)
    if w.layout.width and str(w.layout.width).endswith("px"):
        return _px(w.layout.width, "width")
    if isinstance(w, (W.HTML, W.Label)):  # text on one line (in a row it does not wrap)
        return CHAR_PX * len(re.sub(r"<[^>]+>", "", html.unescape(w.value)))
    if isinstance(w, W.HBox):
        parts = [_width(c) for c in w.children]
        if any(p is None for p in parts):
            return None
        return sum(p + WIDGET_MARGIN_PX for p in parts)
    if isinstance(w, W.VBox):
        parts = [p for p in (_width(c) for c in w.children) if p is not None]
        return max(parts, default=0)
    return None


def _rows(box):
    if isinstance(box, W.HBox):
        yield box
    for child in getattr(box, "children", ()):
        yield from _rows(child)


def test_rows_of_controls_fit_the_column(explorer):
    box = _control_box(explorer)
    for hbox in _rows(box):
        for child in hbox.children:
            assert _width(child) is not None, f"a control in a row has no fixed width: {child}"
        total = _width(hbox)
        assert total <= COLUMN_PX, f"a row of controls is {total}px wide"


def _colour_artists(fig):
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        yield from ax.get_images()
        yield from (c for c in ax.collections if isinstance(c, QuadMesh))


def test_every_colour_panel_has_a_colour_bar(explorer):
    for artist in _colour_artists(explorer.figure):
        if artist.axes.get_visible():
            assert artist.colorbar is not None, f"no colour bar for {artist} in {artist.axes}"


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_figure_fits_and_is_shown_at_native_size(explorer):
    dpi = explorer.dpi
    px = round(explorer.figure.get_figwidth() * dpi)
    assert px <= COLUMN_PX, f"figure {px}px wide"
    assert _png_size(explorer.image.value)[0] == px
    assert explorer.image.layout.width == f"{px}px"


def test_nothing_is_cut_off_at_the_figure_edges(explorer):
    fig = explorer.figure
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()  # at the figure's own dpi: compare in its display pixels
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    artists = [ax for ax in fig.axes if ax.get_visible()]
    artists += [c for ax in artists for c in ax.child_axes] + list(fig.texts)
    if fig._suptitle is not None:
        artists.append(fig._suptitle)
    for artist in artists:
        bb = artist.get_tightbbox(renderer) if hasattr(artist, "get_tightbbox") else None
        if bb is None or bb.width == 0:
            continue
        assert bb.x0 >= -1 and bb.y0 >= -1 and bb.x1 <= width + 1 and bb.y1 <= height + 1, (
            f"{artist} is cut off: {bb.bounds} outside (0, 0, {width}, {height})"
        )


def test_alt_text_is_a_sentence(explorer):
    alt = explorer.alt
    assert alt and alt[0].isupper() and alt.endswith(".") and len(alt.split()) >= 8
    assert not any(t in alt for t in TEX)


def test_static_preview_runs_over_the_main_control(explorer):
    assert explorer.preview is not None, "the widget has no static preview"
    name, values = explorer.preview
    assert name in explorer.controls
    control = explorer.controls[name]
    assert 2 <= len(list(values)) <= 13
    default, image = control.value, explorer.image.value
    if _is_slider(control):  # the default is not the first or the last frame either
        assert min(values) < default < max(values), f"{name} = {default} at an end of {values}"
    twin = preview_of(explorer)
    assert len(twin) >= 2
    shown = twin.labels[twin.start]
    assert shown == (f"{default:.3g}" if isinstance(default, float) else str(default))
    assert twin.frames[twin.start] == image  # the preview opens on the default picture
    assert control.value == default and explorer.image.value == image  # restored
    for frame in twin.frames:
        assert _png_size(frame)[0] == round(explorer.figure.get_figwidth() * explorer.dpi)
