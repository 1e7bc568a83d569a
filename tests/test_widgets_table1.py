"""The Table 1 widget: what is drawn equals the sampled fiber's NTKs; bad input keeps the
last picture."""

import numpy as np
import pytest

from lcnn_widgets.plotting._common import find
from lcnn_widgets.table1 import CLASSES, relative_ntk_difference
from lcnn_widgets.widgets import explore_table1, table1_picture
from widget_helpers import assert_clear, assert_colour_bar, assert_drawn


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
    assert np.allclose(_image(ax_i), theta_i, atol=1e-12)
    assert np.allclose(_image(ax_j), theta_j, atol=1e-12)
    assert np.allclose(_image(ax_d), theta_i - theta_j, atol=1e-12)
    # the pair is the most different one, so its difference is the fiber's Delta
    all_ntks = [s.architecture.ntk(p) for p in s.points]
    scale = max(np.linalg.norm(t) for t in all_ntks)
    assert np.isclose(np.linalg.norm(theta_i - theta_j) / scale,
                      relative_ntk_difference(all_ntks), rtol=1e-9, atol=1e-15)
    assert explorer.figure._suptitle.get_text() == pic.caption
    # every heatmap has a colour bar showing its limits (also after the matrix size changed)
    for ax in (ax_i, ax_j, ax_d):
        assert_colour_bar(find(ax.get_images(), "ntk"))
    top = max(np.max(np.abs(theta_i - theta_j)), 1e-6 * max(np.abs(theta_i).max(),
                                                           np.abs(theta_j).max()))
    assert np.allclose(find(ax_d.get_images(), "ntk").get_clim(), (-top, top))


def test_determined_class_shows_equal_ntks(explorer):
    explorer.set_values(key="conv1d_strided", seed=2)
    ax_i, ax_j, ax_d = explorer.figure.axes
    assert np.max(np.abs(_image(ax_d))) < 1e-12
    assert np.allclose(_image(ax_i), _image(ax_j), atol=1e-12)


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
