"""``image_colorbar``: one bar per colour scale, reused on redraws, following replaced images."""

import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import assert_colour_bar

from lcnn_widgets.plotting._common import image_colorbar
from lcnn_widgets.plotting.dense import plot_ntk_heatmap


def _ntk(ax):
    (image,) = [x for x in ax.get_images() if x.get_gid() == "ntk"]
    return image


def test_bar_is_reused_and_follows_a_replaced_image():
    fig = Figure()
    ax = fig.subplots()
    plot_ntk_heatmap(np.eye(2), ax=ax)
    first = image_colorbar(_ntk(ax))
    assert_colour_bar(_ntk(ax))
    assert len(ax.child_axes) == 1 and len(fig.axes) == 1  # an inset: no panel is added
    assert first.ax.get_label() == "<colorbar>"
    # a new shape replaces the image: the same bar now shows the new image's limits
    plot_ntk_heatmap(np.arange(9.0).reshape(3, 3), vmin=-4.0, vmax=8.0, ax=ax)
    assert image_colorbar(_ntk(ax)) is first and len(ax.child_axes) == 1
    assert_colour_bar(_ntk(ax))
    assert (first.norm.vmin, first.norm.vmax) == (-4.0, 8.0)
    # new limits on the same image: the bar follows
    plot_ntk_heatmap(np.arange(9.0).reshape(3, 3), vmin=0.0, vmax=2.0, ax=ax)
    assert (first.norm.vmin, first.norm.vmax) == (0.0, 2.0)


def test_one_bar_for_a_shared_scale_in_a_given_axes():
    fig = Figure()
    a, b = fig.subplots(1, 2)
    cax = fig.add_axes([0.92, 0.1, 0.02, 0.8])
    for ax, m in ((a, np.eye(2)), (b, 2 * np.eye(2))):
        plot_ntk_heatmap(m, vmin=0.0, vmax=2.0, ax=ax)
    bar = image_colorbar([_ntk(a), _ntk(b)], cax=cax, label="entry")
    assert _ntk(a).colorbar is bar and _ntk(b).colorbar is bar and bar.ax is cax
    assert image_colorbar([_ntk(a), _ntk(b)], cax=cax) is bar
    assert bar.ax.get_ylabel() == "entry"


def test_fixed_ticks_and_errors():
    fig = Figure()
    ax = fig.subplots()
    image = ax.imshow([[0.0, 0.5, 1.0]], vmin=0.0, vmax=1.0)
    bar = image_colorbar(image, ticks=[0.0, 0.5, 1.0], ticklabels=["0", "1", "2"])
    assert [t.get_text() for t in bar.ax.get_yticklabels()] == ["0", "1", "2"]
    with pytest.raises(ValueError, match="at least one image"):
        image_colorbar([])
