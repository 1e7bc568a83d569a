"""Pieces shared by the widget factories: the panel figure, the controls and their layout.

Figures redrawn on every slider move keep fixed margins (a layout engine doubles the render
time). Every control gets an explicit size in pixels, so nothing is truncated in a notebook column
of :data:`COLUMN_PX` pixels: a slider is ``description + SLIDER_EXTRA_PX + track`` wide, text is
estimated at :data:`CHAR_PX` per character.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.figure import Figure

# fmt: off
__all__ = [
    "CHAR_PX", "COLUMN_PX", "MIN_TRACK_PX", "SLIDER_EXTRA_PX", "SOURCES", "WIDE_HALF_WIDTHS",
    "check_source", "checkbox", "dropdown", "group", "heading", "int_box", "panel_figure", "row",
    "slider", "source_controls", "step_up", "text_box", "text_px", "toggle_buttons",
]

#: the wide end of the root panels' half-width ladders (fibers, stride one): each widget puts its
#: own small steps in front, e.g. ``(3.0, 5.0, 7.5, *WIDE_HALF_WIDTHS)``
WIDE_HALF_WIDTHS = (10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 100.0, 150.0, 200.0, 300.0, 450.0, 600.0,
                    1000.0)
# fmt: on

SOURCES = ("roots", "coefficients")  # the ways of giving the end-to-end filter ``w``

# widths in pixels
COLUMN_PX = 900  # the notebook column the widgets are laid out for (JupyterLab, default theme)
CHAR_PX = 8  # estimated width of one character of control text (13 px UI font; generous)
#: what a horizontal slider needs besides its description and its track: the label's right
#: margin (8), the readout (minimum width 72 plus margin 4) and the track's end margins (2 x 6)
SLIDER_EXTRA_PX = 96
MIN_TRACK_PX = 150  # the shortest slider track: shorter tracks make a drag jump from end to end
TRACK_PX = 160  # the default slider track
BUTTON_PAD_PX = 24  # padding of a toggle button around its text
DROPDOWN_EXTRA_PX = 48  # what a dropdown needs besides its description and its longest option
CHECKBOX_PX = 32  # a check box and its gap before the text
TEXT_INPUT_PX = 200  # the input field of a text box

_SLIDERS = {"float": W.FloatSlider, "int": W.IntSlider, "log": W.FloatLogSlider}


def panel_figure(
    figsize: tuple[float, float],
    nrows: int,
    ncols: int,
    *,
    width_ratios: list[float] | None = None,
    sharex: bool = False,
    sharey: bool = False,
    left: float | None = None,
    right: float | None = None,
    bottom: float | None = None,
    top: float | None = None,
    wspace: float | None = None,
    hspace: float | None = None,
) -> tuple[Figure, np.ndarray]:
    """A non-pyplot Figure of ``figsize`` inches with a grid of panels and fixed margins.

    ``width_ratios`` go to the grid, the margins and gaps to ``Figure.subplots_adjust`` (None:
    matplotlib's default). Returns ``(fig, axes)``, axes of shape (ncols,) for one row, else
    (nrows, ncols).

    Examples
    --------
    >>> fig, axes = panel_figure((6.0, 2.0), 1, 3, width_ratios=[1, 1, 2], left=0.1)
    >>> axes.shape, fig.get_layout_engine() is None, fig.subplotpars.left
    ((3,), True, 0.1)
    """
    fig = Figure(figsize=figsize)
    gridspec_kw = {} if width_ratios is None else {"width_ratios": width_ratios}
    axes = fig.subplots(nrows, ncols, sharex=sharex, sharey=sharey, gridspec_kw=gridspec_kw)
    fig.subplots_adjust(
        left=left, right=right, bottom=bottom, top=top, wspace=wspace, hspace=hspace
    )
    return fig, axes


def check_source(source: str) -> None:
    """Raise ValueError unless ``source`` is ``"roots"`` or ``"coefficients"``.

    Examples
    --------
    >>> check_source("roots")
    >>> check_source("poles")
    Traceback (most recent call last):
    ...
    ValueError: source must be 'roots' or 'coefficients': got 'poles'
    """
    if source not in SOURCES:
        raise ValueError(f"source must be 'roots' or 'coefficients': got {source!r}")


def source_controls(source: str, coefficients: str, description: str) -> dict[str, W.Widget]:
    """The controls ``source`` (w from roots or coefficients) and ``coefficients`` (a text box).

    Examples
    --------
    >>> c = source_controls("roots", "1, 0, -1, 0", "coefficients w")
    >>> c["source"].value, c["coefficients"].continuous_update
    ('roots', False)
    """
    return {
        "source": toggle_buttons(list(SOURCES), source, "w from"),
        "coefficients": text_box(coefficients, description),
    }


def text_px(text: object) -> int:
    """Estimated width in pixels of ``text`` in a control (:data:`CHAR_PX` per character).

    Examples
    --------
    >>> text_px("w₁[0]")
    40
    """
    return CHAR_PX * len(str(text))


def _description_px(description: str, width: int | None) -> int:
    """The label's width: ``width`` if given (and enough), else the estimate (at least 32)."""
    need = text_px(description)
    if width is None:
        return max(need, 32)
    if width < need:
        raise ValueError(f"description {description!r} needs {need}px: got {width}px")
    return int(width)


def _longest_label_px(options: list) -> int:
    """The estimated width of the longest option label (``(label, value)`` pairs or values)."""
    return max(text_px(o[0] if isinstance(o, tuple) else o) for o in options)


def _labelled(cls: type, description: str, desc: int, width: int, **kw: Any) -> Any:
    """``cls(description=..., **kw)`` with a label ``desc`` and a layout ``width`` pixels wide."""
    style = {"description_width": f"{desc}px"}
    return cls(description=description, style=style, layout=W.Layout(width=f"{width}px"), **kw)


def slider(
    kind: str,
    description: str,
    value: float,
    min: float,
    max: float,
    step: float,
    *,
    description_width: int | None = None,
    track: int = TRACK_PX,
    readout_format: str | None = None,
    continuous_update: bool = False,
    base: float = 10.0,
) -> W.ValueWidget:
    """A horizontal slider whose track is ``track`` pixels wide whatever its description.

    ``kind`` {"float", "int", "log"}: a FloatSlider, IntSlider or FloatLogSlider (``min``, ``max``:
    exponents of ``base``); the other values as for ipywidgets. ``description`` (plain text or
    Unicode, no TeX) is ``description_width`` pixels wide (default: its estimate; equal widths
    align a column), ``track`` at least :data:`MIN_TRACK_PX`: the slider is
    ``description_width + SLIDER_EXTRA_PX + track`` pixels wide.

    Examples
    --------
    >>> s = slider("float", "angle φ", 0.6, 0.0, 6.28, 0.02, track=200)
    >>> s.layout.width, s.style.description_width
    ('352px', '56px')
    """
    if kind not in _SLIDERS:
        raise ValueError(f"kind must be one of {sorted(_SLIDERS)}: got {kind!r}")
    if track < MIN_TRACK_PX:
        raise ValueError(f"track must be at least {MIN_TRACK_PX}px: got {track}px")
    desc = _description_px(description, description_width)
    kw: dict[str, Any] = {"value": value, "min": min, "max": max, "step": step}
    if readout_format is not None:
        kw["readout_format"] = readout_format
    if kind == "log":
        kw["base"] = base
    cls, width = _SLIDERS[kind], desc + SLIDER_EXTRA_PX + int(track)
    return _labelled(cls, description, desc, width, continuous_update=continuous_update, **kw)


def toggle_buttons(
    options: list, value: object, description: str, *, description_width: int | None = None
) -> W.ToggleButtons:
    """Toggle buttons wide enough for their longest option, with a label of fitting width.

    Examples
    --------
    >>> t = toggle_buttons(["roots", "coefficients"], "roots", "w from")
    >>> t.style.button_width, t.style.description_width
    ('120px', '48px')
    """
    button = max(_longest_label_px(options) + BUTTON_PAD_PX, 40)
    desc = _description_px(description, description_width)
    style = {"button_width": f"{button}px", "description_width": f"{desc}px"}
    return W.ToggleButtons(options=list(options), value=value, description=description, style=style)


def dropdown(
    options: list, value: object, description: str, *, description_width: int | None = None
) -> W.Dropdown:
    """A dropdown wide enough for its longest option label."""
    desc = _description_px(description, description_width)
    width = desc + DROPDOWN_EXTRA_PX + _longest_label_px(options)
    return _labelled(W.Dropdown, description, desc, width, options=list(options), value=value)


def _input_box(cls: type, value: Any, description: str, input_width: int, width: int | None, **kw):
    """A text or number box: its label, then an input field ``input_width`` pixels wide."""
    desc = _description_px(description, width)
    return _labelled(cls, description, desc, desc + 8 + int(input_width), value=value, **kw)


def text_box(
    value: str,
    description: str,
    *,
    input_width: int = TEXT_INPUT_PX,
    description_width: int | None = None,
) -> W.Text:
    """A text box that reports its value on Enter or when it loses focus."""
    return _input_box(
        W.Text, value, description, input_width, description_width, continuous_update=False
    )


def int_box(
    value: int, description: str, *, input_width: int = 80, description_width: int | None = None
) -> W.IntText:
    """An integer box (e.g. a seed)."""
    return _input_box(W.IntText, value, description, input_width, description_width)


def checkbox(value: bool, description: str) -> W.Checkbox:
    """A check box with its text on the right, as wide as the text needs."""
    layout = W.Layout(width=f"{CHECKBOX_PX + text_px(description)}px")
    return W.Checkbox(value=value, description=description, indent=False, layout=layout)


def heading(text: str) -> W.HTML:
    """A one-line label above a group of controls (HTML; ``<b>...</b>`` for the name)."""
    return W.HTML(value=f'<div style="margin-top:4px">{text}</div>')


def row(*widgets: W.Widget) -> W.HBox:
    """Controls side by side (wrapping in a column narrower than :data:`COLUMN_PX`)."""
    return W.HBox(list(widgets), layout=W.Layout(flex_flow="row wrap", align_items="center"))


def group(title: str, *rows: W.Widget) -> W.VBox:
    """A labelled group of controls: a :func:`heading` and the rows below it."""
    return W.VBox([heading(title), *rows])


def step_up(value: float, steps: Sequence[float]) -> float:
    """The smallest of the increasing ``steps`` that is at least ``value`` (else ``value``).

    A frame limit from a short ladder changes only when the data crosses a step (fast path kept).

    Examples
    --------
    >>> step_up(2.4, (3.0, 5.0)), step_up(4.0, (3.0, 5.0)), step_up(7.0, (3.0, 5.0))
    (3.0, 5.0, 7.0)
    """
    return float(next((s for s in steps if s >= value), value))


def initial_values(picture: Any, given: dict[str, Any]) -> dict[str, Any]:
    """``picture``'s keyword defaults updated by ``given`` (TypeError for an unknown name)."""
    values = dict(picture.__kwdefaults__)
    if unknown := sorted(set(given) - set(values)):
        raise TypeError(f"unexpected initial value(s) {unknown}: allowed are {sorted(values)}")
    return {**values, **given}
