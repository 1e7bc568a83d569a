"""Static twins: frames equal what the live widget draws, the HTML player is self-contained."""

import base64
import io
import json
import re

import numpy as np
import pytest

from lcnn_widgets.widgets import explore_composition, static_twin


@pytest.fixture(scope="module")
def explorer():
    return explore_composition()


def test_frames_are_the_widget_pictures(explorer):
    before = explorer.image.value
    twin = static_twin(explorer, "s1", [1, 2, 3])
    assert len(twin) == 3
    assert twin.labels == ("1", "2", "3")
    # each frame is exactly what the live widget shows for that value
    for value, frame in zip([1, 2, 3], twin.frames, strict=True):
        explorer.set_values(s1=value)
        assert explorer.image.value == frame
    explorer.set_values(s1=2)
    assert explorer.image.value == before
    # different strides give different pictures
    assert len(set(twin.frames)) == 3


def test_widget_is_restored_and_start_frame_is_default(explorer):
    default = explorer.controls["s1"].value
    twin = static_twin(explorer, "s1", [1, 2, 3])
    assert explorer.controls["s1"].value == default
    assert twin.labels[twin.start] == str(default)


def test_html_structure_is_self_contained(explorer):
    twin = static_twin(explorer, "s1", [1, 2, 3], alt="end-to-end filter for strides 1-3")
    page = twin._repr_html_()
    assert 'class="lcnn-static-twin" data-frames="3"' in page
    assert 'class="lcnn-static-twin-slider" min="0" max="2"' in page
    assert 'alt="end-to-end filter for strides 1-3"' in page
    assert "http://" not in page and "https://" not in page  # nothing fetched from a network
    first = re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(first) == twin.frames[twin.start]


def test_rejected_values_are_skipped():
    import ipywidgets as W
    from matplotlib.figure import Figure

    from lcnn_widgets.widgets import Explorer

    def compute(c):
        if c == 0:
            raise ValueError("c must be nonzero: got 0")
        return c

    def draw(fig, c):
        ax = fig.axes[0] if fig.axes else fig.add_subplot()
        ax.set_title(f"c = {c}")

    ex = Explorer({"c": W.IntSlider(value=1, min=-2, max=2)}, compute, draw, Figure((2, 2)))
    twin = static_twin(ex, "c", [-1, 0, 1, 2])
    assert twin.labels == ("-1", "1", "2")
    assert twin.labels[twin.start] == "1"
    assert ex.controls["c"].value == 1 and ex.error is None
    with pytest.raises(ValueError, match="could be drawn"):
        static_twin(ex, "c", [0, 0])


def test_bad_arguments(explorer):
    with pytest.raises(ValueError, match="control must be one of"):
        static_twin(explorer, "no_such_control", [1, 2])
    with pytest.raises(ValueError, match="between 2 and 60"):
        static_twin(explorer, "s1", [1])


# --- one figure per widget: live view in a kernel, static preview at build time ----------------


def _small_explorer(preview=("c", [-2, -1, 2]), value=1):
    import ipywidgets as W
    from matplotlib.figure import Figure

    from lcnn_widgets.widgets import Explorer

    def draw(fig, c):
        ax = fig.axes[0] if fig.axes else fig.add_subplot()
        ax.clear()
        ax.bar([0], [c])
        ax.set_ylim(-3, 3)

    return Explorer(
        {"c": W.IntSlider(value=value, min=-2, max=2, description="c")},
        lambda c: c,
        draw,
        Figure((2, 2)),
        title="<b>A bar</b> of height $c$",
        preview=preview,
    )


def test_unrun_widget_shows_one_short_line_not_a_repr():
    from lcnn_widgets.widgets._base import NOT_RUNNING

    ex = _small_explorer()
    assert repr(ex) == NOT_RUNNING and "Explorer(" not in repr(ex)
    assert "run this cell" in NOT_RUNNING and len(NOT_RUNNING) < 120


def test_live_bundle_is_the_widget_view_only(monkeypatch):
    from lcnn_widgets.widgets._base import NOT_RUNNING, PREVIEW_ENV

    monkeypatch.delenv(PREVIEW_ENV, raising=False)
    bundle = _small_explorer()._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "application/vnd.jupyter.widget-view+json"}
    assert bundle["text/plain"] == NOT_RUNNING


def test_build_bundle_is_the_static_preview_only(monkeypatch):
    from lcnn_widgets.widgets._base import PREVIEW_ENV

    ex = _small_explorer()
    monkeypatch.setenv(PREVIEW_ENV, "1")
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}  # no widget view: no dead controls
    page = bundle["text/html"]
    frames = [base64.b64decode(f) for f in re.findall(r'"([A-Za-z0-9+/=]{200,})"', page)]
    # the preview values plus the current value 1, in order; the first frame shown is value 1
    assert 'data-frames="4"' in page
    assert 'value="2"' in page  # the slider starts at index 2 of (-2, -1, 1, 2)
    assert 'alt="A bar of height c"' in page  # alt text from the title, markup removed
    from PIL import Image

    def rgb(png):
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)

    for k, value in enumerate([-2, -1, 1, 2]):  # compact frames: the same pictures, in order
        ex.set_values(c=value)
        shown = rgb(ex.image.value)
        distances = [np.abs(shown - rgb(frame)).mean() for frame in frames]
        assert distances[k] < 3 and int(np.argmin(distances)) == k


def test_preview_restores_the_widget(monkeypatch):
    from lcnn_widgets.widgets.static import preview_of

    ex = _small_explorer()
    before = ex.image.value
    twin = preview_of(ex)
    assert ex.controls["c"].value == 1 and ex.image.value == before
    assert twin.labels == ("-2", "-1", "1", "2") and twin.frames[twin.start] == before


def test_widget_without_preview_shows_its_picture():
    from lcnn_widgets.widgets.static import preview_of

    ex = _small_explorer(preview=None)
    twin = preview_of(ex)
    assert len(twin) == 1 and twin.frames[0] == ex.image.value
    assert "lcnn-static-twin-slider" not in twin.to_html()


def test_preview_must_name_a_control():
    with pytest.raises(ValueError, match="preview must name one of the controls"):
        _small_explorer(preview=("d", [1, 2]))
    ex = _small_explorer()
    assert "lcnn-main-control" in ex.controls["c"]._dom_classes
    assert "lcnn-explorer" in ex._dom_classes


def test_preview_carries_the_readout_of_every_frame():
    import ipywidgets as W
    from matplotlib.figure import Figure

    from lcnn_widgets.widgets import Explorer
    from lcnn_widgets.widgets.static import preview_of

    def draw(fig, c):
        ax = fig.axes[0] if fig.axes else fig.add_subplot()
        ax.clear()
        ax.bar([0], [c])
        return f"<b>height</b> c = {c} </script>"

    ex = Explorer(
        {"c": W.IntSlider(value=0, min=-2, max=2)},
        lambda c: c,
        draw,
        Figure((2, 2)),
        preview=("c", [-1, 1]),
    )
    twin = preview_of(ex)
    assert twin.readouts == tuple(f"<b>height</b> c = {c} </script>" for c in (-1, 0, 1))
    page = twin.to_html()
    assert (
        '<div class="lcnn-static-twin-readout"><b>height</b> c = 0 </script></div>' in page
    )  # the start frame's readout is shown before any script runs
    data = page.split('class="lcnn-static-twin-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(data)["readouts"][2].startswith("<b>height</b> c = 1")


def test_compact_frames_are_smaller_and_look_the_same(explorer):
    from PIL import Image

    twin = static_twin(explorer, "s1", [1, 2, 3])
    exact = twin.to_html()
    compact = twin.to_html(compact=True)
    assert len(compact) < 0.6 * len(exact)
    first = re.search(r'src="data:image/png;base64,([^"]+)"', compact).group(1)
    small = np.asarray(Image.open(io.BytesIO(base64.b64decode(first))).convert("RGB"), int)
    full = np.asarray(Image.open(io.BytesIO(twin.frames[twin.start])).convert("RGB"), int)
    assert small.shape == full.shape
    assert np.abs(small - full).mean() < 3  # a few colour levels on average
