"""The Table 1 widget: what is drawn equals the sampled fiber's NTKs; bad input keeps the
last picture."""

import numpy as np
import pytest
from widget_helpers import assert_clear, assert_colour_bar, assert_drawn

from lcnn_widgets.plotting._common import find
from lcnn_widgets.table1 import CLASSES, relative_ntk_difference
from lcnn_widgets.widgets import explore_table1, table1_picture


def _image(ax):
    (img,) = [x for x in ax.get_images() if x.get_gid() == "ntk"]
    return np.asarray(img.get_array())


@pytest.fixture(scope="module")
def explorer():
    return explore_table1(key="conv1d_stride1", seed=0)


def test_default_state_is_drawn(explorer):
    assert_drawn(explorer)
    assert set(explorer.controls) == {"key", "seed"}
    assert [k for _, k in explorer.controls["key"].options] == [c.key for c in CLASSES]
    assert len(explorer.figure.axes) == 3


@pytest.mark.parametrize("key", ["conv1d_stride1", "fc_generic", "conv1d_strided"])
def test_drawn_ntks_are_those_of_the_fiber_points(explorer, key):
    explorer.set_values(key=key, seed=5)
    assert explorer.error is None
    pic = table1_picture(key, 5)
    s = pic.sample
    i, j = pic.pair
    # independent recomputation from the sampled points
    theta_i, theta_j = s.architecture.ntk(s.points[i]), s.architecture.ntk(s.points[j])
    ax_i, ax_j, ax_d = explorer.figure.axes
    # drawn on fixed colour scales: the NTKs divided by their largest entry, the difference
    # by its own (at least 1e-6 of the NTKs')
    scale = max(np.abs(theta_i).max(), np.abs(theta_j).max())
    top = max(np.max(np.abs(theta_i - theta_j)), 1e-6 * scale)
    assert np.isclose(pic.scale, scale) and np.isclose(pic.diff_scale, top)
    assert np.allclose(_image(ax_i) * scale, theta_i, atol=1e-12)
    assert np.allclose(_image(ax_j) * scale, theta_j, atol=1e-12)
    assert np.allclose(_image(ax_d) * top, theta_i - theta_j, atol=1e-12)
    # the pair is the most different one, so its difference is the fiber's Delta
    all_ntks = [s.architecture.ntk(p) for p in s.points]
    scale = max(np.linalg.norm(t) for t in all_ntks)
    assert np.isclose(
        np.linalg.norm(theta_i - theta_j) / scale,
        relative_ntk_difference(all_ntks),
        rtol=1e-9,
        atol=1e-15,
    )
    assert pic.caption in explorer.readout.value
    assert f"points {i} and {j}" in explorer.readout.value
    # every heatmap has a colour bar showing its (fixed) limits, whatever the matrix size
    for ax in (ax_i, ax_j, ax_d):
        assert_colour_bar(find(ax.get_images(), "ntk"))
        assert find(ax.get_images(), "ntk").get_clim() == (-1.0, 1.0)


def test_determined_class_shows_equal_ntks(explorer):
    explorer.set_values(key="conv1d_strided", seed=2)
    ax_i, ax_j, ax_d = explorer.figure.axes
    pic = explorer.result
    assert np.max(np.abs(_image(ax_d) * pic.diff_scale)) < 1e-12
    assert np.max(np.abs(_image(ax_d))) < 1e-3  # rounding noise stays in the grey middle
    assert np.allclose(_image(ax_i), _image(ax_j), atol=1e-12)
    assert "equal up to rounding" in explorer.readout.value


def test_class_and_seed_keep_the_frame(explorer):
    """A fixed box per matrix and fixed colour scales: a new class or seed moves only data."""
    for step in (
        {"key": "conv2d_swap", "seed": 0},
        {"key": "fc_balanced"},
        {"seed": 3},
        {"key": "conv1d_strided"},
    ):
        explorer.set_values(**step)
        assert explorer.error is None and explorer._renderer.full_reason is None, step
    first = explorer.result
    explorer.set_values(seed=4)
    explorer.set_values(seed=3)
    assert explorer.result is first  # a (class, seed) met before comes from the cache


def test_bad_seed_keeps_the_last_picture(explorer):
    explorer.set_values(key="fc_generic", seed=1)
    before = explorer.image.value
    kept = _image(explorer.figure.axes[0]).copy()
    explorer.set_values(seed=-3)
    assert explorer.error is not None and "seed must lie between 0 and" in explorer.error
    assert explorer.message.value != ""
    assert explorer.image.value == before
    assert np.array_equal(_image(explorer.figure.axes[0]), kept)
    explorer.set_values(seed=1)
    assert_clear(explorer)


def test_errors():
    with pytest.raises(ValueError, match="unknown class 'nope'"):
        explore_table1(key="nope")
    with pytest.raises(ValueError, match="unknown class 'nope'"):
        table1_picture("nope", 0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        table1_picture("conv2d", 1.5)
