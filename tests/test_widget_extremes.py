"""Every control of every widget at its extremes: a picture or a message, never a traceback.

Each widget factory in ``lcnn_widgets.widgets.__all__`` is built once; then each control is set,
one at a time, to its minimum and maximum (sliders), to every option (dropdowns, toggles), or to
garbage text (text boxes), and back to its start value. After each change either the Explorer
drew (``error is None`` and a PNG was rendered) or it shows a message and kept the picture.
"""

from __future__ import annotations

import ipywidgets as W
import pytest

import lcnn_widgets.widgets as widgets

GARBAGE_TEXT = ["abc", "1, nan", "1e400, 2", "0, 0, 0, 0", "1e-300, 1, 2, 3, 4, 5, 6, 7, 8"]

FACTORIES = sorted(n for n in widgets.__all__ if n.startswith("explore_"))

#: the flow widget integrates an ODE per update (about a second): test its extremes only on
#: these controls and only at their maxima
SLOW = {"explore_flow": 2}


def _extremes(control):
    if isinstance(
        control,
        (
            W.IntSlider,
            W.FloatSlider,
            W.FloatLogSlider,
            W.IntText,
            W.BoundedIntText,
            W.BoundedFloatText,
            W.FloatText,
        ),
    ):
        lo = getattr(control, "min", None)
        hi = getattr(control, "max", None)
        if isinstance(control, W.FloatLogSlider):
            lo, hi = control.base**control.min, control.base**control.max
        if lo is None:  # unbounded text boxes: huge values
            lo, hi = -1e300, 1e300
        return [lo, hi]
    if isinstance(control, (W.Dropdown, W.ToggleButtons, W.RadioButtons, W.Select)):
        options = (
            [v for _, v in control.options]
            if control.options and isinstance(control.options[0], tuple)
            else list(control.options)
        )
        return [options[0], options[-1]]  # the other options are tested in each widget's file
    if isinstance(control, (W.Checkbox, W.ToggleButton)):
        return [True, False]
    if isinstance(control, (W.Text, W.Textarea)):
        return GARBAGE_TEXT
    if isinstance(control, (W.IntRangeSlider, W.FloatRangeSlider)):
        return [(control.min, control.min), (control.max, control.max), (control.min, control.max)]
    raise AssertionError(f"no extremes for control type {type(control).__name__}")


def _check(explorer, before: bytes, label: str) -> bytes:
    if explorer.error is None:
        assert explorer.message.value == "", label
        assert len(explorer.image.value) > 1000, f"{label}: no picture drawn"
        return explorer.image.value
    assert explorer.error.strip(), f"{label}: empty error message"
    assert explorer.message.value, f"{label}: the message line is empty"
    assert explorer.image.value == before, f"{label}: the picture changed on an error"
    return before


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_control_at_its_extremes(factory):
    explorer = getattr(widgets, factory)()
    assert explorer.error is None and len(explorer.image.value) > 1000
    image = explorer.image.value
    names = sorted(explorer.controls)
    budget = SLOW.get(factory)
    for name in names[:budget] if budget else names:
        control = explorer.controls[name]
        start = control.value
        values = _extremes(control)
        if budget:
            values = values[-1:]
        for value in values:
            control.value = value  # fires the update, as a reader's click does
            image = _check(explorer, image, f"{factory}: {name} = {value!r}")
        # back to the start value without a redraw: the next change recomputes from all controls
        control.unobserve(explorer._on_change, names="value")
        control.value = start
        control.observe(explorer._on_change, names="value")
    explorer.update()
    _check(explorer, image, f"{factory}: all controls back to their start values")
    assert explorer.error is None, f"{factory}: the start values no longer draw"


def test_every_factory_is_tested():
    """A new widget factory is picked up automatically; the list must not be empty."""
    assert len(FACTORIES) >= 10
