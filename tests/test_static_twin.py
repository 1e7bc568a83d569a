"""Static twins: frames equal what the live widget draws, the HTML player is self-contained."""

import base64
import re

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
    for value, frame in zip([1, 2, 3], twin.frames):
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
