"""The fast path draws what a full render draws (lcnn_widgets/widgets/_render.py).

For every widget of the book, after each scripted control change (``widget_cases.py``: moves of
the main control, other controls, and changes that force a full redraw), the picture the widget
shows is compared with a from-scratch full render of the same state:

* identical pixels, except
* at the frame of an axes, where a tick mark meets the spine: there the fast path draws the data
  after the (static) tick marks instead of before them, which changes the antialiased end pixel
  of a tick. Every differing pixel must lie within :data:`FRAME_TOL` pixels of an axes frame, and
  differ by at most :data:`MAX_CHANNEL_DIFF` in any channel.

Moving the main control must keep the figure's frame (limits, ticks, titles, colour bars), so it
takes the fast path.
"""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from PIL import Image
from widget_cases import CASES

from lcnn_widgets.widgets._render import FigureRenderer, all_axes

matplotlib.use("Agg")

#: how far (pixels) from an axes frame a differing pixel may lie
FRAME_TOL = 1.5
#: the largest allowed difference of one channel (0-255) at such a pixel
MAX_CHANNEL_DIFF = 32

IDS = [c.name.split(" ")[0] for c in CASES]


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def off_frame(fig, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Mask of the pixels (row ys, column xs) that are NOT within FRAME_TOL of an axes frame."""
    height = fig.canvas.get_width_height()[1]
    X, Y = xs + 0.5, height - ys - 0.5  # pixel centres in display coordinates
    near = np.zeros(len(ys), dtype=bool)
    for ax in all_axes(fig):
        if not (ax.get_visible() and ax.axison):
            continue
        x0, y0, x1, y1 = ax.get_window_extent().extents
        inside = (
            (X > x0 - FRAME_TOL)
            & (X < x1 + FRAME_TOL)
            & (Y > y0 - FRAME_TOL)
            & (Y < y1 + FRAME_TOL)
        )
        edge = (
            (np.abs(X - x0) < FRAME_TOL)
            | (np.abs(X - x1) < FRAME_TOL)
            | (np.abs(Y - y0) < FRAME_TOL)
            | (np.abs(Y - y1) < FRAME_TOL)
        )
        near |= inside & edge
    return ~near


def assert_same_picture(explorer, context: str) -> None:
    shown = pixels(explorer.image.value)
    reference = pixels(explorer.reference_render())
    assert shown.shape == reference.shape, context
    diff = np.abs(shown - reference).max(axis=2)
    ys, xs = np.nonzero(diff)
    if len(ys) == 0:
        return
    away = off_frame(explorer.figure, ys, xs)
    assert not away.any(), (
        f"{context}: {int(away.sum())} pixels differ away from the axes frames, e.g. at "
        f"(row, column) {list(zip(ys[away][:5].tolist(), xs[away][:5].tolist(), strict=True))}"
    )
    assert diff.max() <= MAX_CHANNEL_DIFF, f"{context}: a frame pixel differs by {diff.max()}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_fast_path_pictures_equal_full_renders(case):
    explorer = case.factory()
    assert_same_picture(explorer, f"{case.name}, default state")
    renderer = explorer._renderer
    fast_before = renderer.fast_renders
    for step in case.steps:
        explorer.set_values(**step)
        assert_same_picture(explorer, f"{case.name} after {step}")
        explorer.update()  # reference_render reset the background: draw the state again
    assert renderer.fast_renders > fast_before, f"{case.name}: the fast path was never taken"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_main_control_moves_keep_the_frame(case):
    """Moving the main control redraws only the data: no full redraw, and why not if one."""
    explorer = case.factory()
    renderer = explorer._renderer
    control = explorer.controls[case.main]
    values = [s[case.main] for s in case.steps if set(s) == {case.main}]
    assert len(values) >= 2, f"{case.name}: script at least two moves of {case.main}"
    for value in values:
        explorer.set_values(**{case.main: value})
        assert explorer.error is None, explorer.error
        assert renderer.full_reason is None, (
            f"{case.name}: moving {case.main} to {value} changed the frame "
            f"({renderer.full_reason}); keep changing values out of titles and axes fixed"
        )
    assert control.value == values[-1]


def test_signature_notices_a_new_title_and_limits():
    from matplotlib.figure import Figure

    fig = Figure((3, 2))
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    r = FigureRenderer(fig, dpi=50)
    r.render()
    line.set_ydata([1, 0])
    r.render()
    assert r.full_reason is None  # data only: fast
    ax.set_title("new")
    r.render()
    assert r.full_reason == "axes 0 titles"
    ax.set_xlim(0, 2)
    r.render()
    assert r.full_reason == "axes 0 limits"


def test_legend_outside_the_axes_is_static_inside_it_moves():
    from matplotlib.figure import Figure

    from lcnn_widgets.widgets._render import moving_artists

    fig = Figure((3, 2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="a")
    fig.canvas  # noqa: B018  (an Agg canvas exists for every Figure)
    FigureRenderer(fig, dpi=50).render()
    inside = ax.legend(loc="upper left")
    assert inside in moving_artists(ax)
    outside = ax.legend(loc="lower left", bbox_to_anchor=(1.02, 0.0))
    assert outside not in moving_artists(ax)


def test_going_back_to_a_recent_frame_is_fast_and_right():
    from matplotlib.figure import Figure

    fig = Figure((3, 2))
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    ax.set_xlim(0, 1)
    r = FigureRenderer(fig, dpi=50)
    r.render()
    ax.set_xlim(0, 2)  # a new frame: full
    r.render()
    assert r.full_reason == "axes 0 limits"
    ax.set_xlim(0, 1)  # back to the first frame: its background is kept
    line.set_ydata([1, 0])
    fast = np.array(r.render(), copy=True)
    assert r.full_reason is None
    fig.canvas.draw()  # a from-scratch render of the same state
    assert np.array_equal(fast, np.asarray(fig.canvas.buffer_rgba()))


def test_limits_of_an_axis_without_ticks_are_not_part_of_the_frame():
    """y ticks drawn as data (moving_yticks): new y limits are a fast update, and the picture
    equals a from-scratch render; an axis with ticks still changes the frame."""
    from matplotlib.figure import Figure

    from lcnn_widgets.plotting._common import moving_yticks

    fig = Figure((3, 2))
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    moving_yticks(ax, -0.1, 1.1)
    r = FigureRenderer(fig, dpi=60)
    r.render()
    line.set_ydata([0, 40])
    moving_yticks(ax, -2.0, 42.0)
    fast = np.array(r.render(), copy=True)
    assert r.full_reason is None
    fig.canvas.draw()
    assert np.array_equal(fast, np.asarray(fig.canvas.buffer_rgba()))
    ax.set_xlim(0, 2)  # the x axis has ticks: a new frame
    r.render()
    assert r.full_reason == "axes 0 limits"
