"""Tests for lcnn_widgets.plotting.polynomials: what is drawn equals the data and the maths."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lcn_oracles import naive_conv, seeds
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from lcnn_widgets import LCN, convolution_matrix
from lcnn_widgets.plotting import (
    plot_conv_matrix,
    plot_end_to_end,
    plot_filter_image,
    plot_filters,
    plot_signals,
    set_stem_data,
)


def _segments(stem):
    return [np.asarray(s) for s in stem.stemlines.get_segments()]


def _assert_stems(stem, x, y):
    """Markers at (x, y) and one vertical segment from (x, 0) to (x, y) per stem."""
    assert np.array_equal(stem.markerline.get_xdata(), x)
    assert np.array_equal(stem.markerline.get_ydata(), y)
    segs = _segments(stem)
    assert len(segs) == len(x)
    for seg, a, b in zip(segs, x, y, strict=True):
        assert np.array_equal(seg, [[a, 0.0], [a, b]])


def test_plots_make_non_pyplot_figures_and_reuse_a_given_axes():
    before = plt.get_fignums()
    axes = [
        plot_filters([[1, 2], [3]]),
        plot_end_to_end([1, 2, 3]),
        plot_conv_matrix([1, 2], 1, 4),
        plot_signals([1.0], [1.0]),
        plot_filter_image([[1.0, 2.0]]),
    ]
    assert plt.get_fignums() == before  # nothing registered with pyplot: shown exactly once
    for ax in axes:
        assert isinstance(ax, Axes) and type(ax.figure) is Figure
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    ax = Figure().add_subplot()
    assert plot_end_to_end([1.0, -1.0], ax=ax) is ax
    assert plot_filters([[1.0]], ax=ax) is ax


@settings(max_examples=15)
@given(seeds)
def test_plot_filters_draws_each_layer_in_its_own_slot(seed):
    rng = np.random.default_rng(seed)
    filters = [rng.standard_normal(k) for k in rng.integers(1, 5, size=rng.integers(1, 4))]
    ax = plot_filters(filters)
    assert len(ax.containers) == len(filters)
    previous_end = -np.inf
    for stem, f in zip(ax.containers, filters, strict=True):
        x = stem.markerline.get_xdata()
        _assert_stems(stem, x, f)
        assert np.all(np.diff(x) == 1) and x[0] > previous_end + 1  # a gap between layers
        previous_end = x[-1]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        f"$w_{{{l + 1}}}$ (size {f.size})" for l, f in enumerate(filters)
    ]


@settings(max_examples=10)
@given(seeds)
def test_plot_end_to_end_shows_pi(seed):
    rng = np.random.default_rng(seed)
    net = LCN([3, 2, 2], [2, 1, 1])
    w = net.end_to_end(net.random_filters(rng))
    ax = plot_end_to_end(w, stride=net.stride)
    _assert_stems(ax.containers[0], np.arange(w.size), w)
    assert f"size {w.size}, stride {net.stride}" in ax.get_title()


@settings(max_examples=25)
@given(seeds, st.integers(1, 4), st.integers(1, 4), st.integers(0, 6))
def test_conv_matrix_times_x_is_the_convolution(seed, k, stride, extra):
    rng = np.random.default_rng(seed)
    w = rng.integers(-3, 4, size=k).astype(float)
    n = k + extra
    x = rng.standard_normal(n)
    ax = plot_conv_matrix(w, stride, n)
    mat = np.asarray(ax.images[0].get_array())
    assert np.array_equal(mat, convolution_matrix(w, stride, n))
    assert np.allclose(mat @ x, naive_conv(w, (stride,), x), atol=1e-12)
    # the colour scale is symmetric about 0 and every nonzero entry is printed (grey-scale safe)
    norm = ax.images[0].norm
    assert norm.vmin == -norm.vmax
    printed = [float(t.get_text()) for t in ax.texts]
    assert sorted(printed) == sorted(mat[mat != 0].tolist())


def test_conv_matrix_rows_hold_the_filter_at_multiples_of_the_stride():
    # MATH.md §1: row i holds w starting at column i*s
    mat = convolution_matrix([1.0, -2.0, 3.0], 2, 8)
    assert mat.shape == ((8 - 3) // 2 + 1, 8)
    for i, row in enumerate(mat):
        expected = np.zeros(8)
        expected[2 * i : 2 * i + 3] = [1.0, -2.0, 3.0]
        assert np.array_equal(row, expected)


def test_large_conv_matrix_is_not_annotated_by_default():
    ax = plot_conv_matrix(np.ones(3), 1, 40)
    assert len(ax.texts) == 0 and ax.images[0].get_array().shape == (38, 40)


@settings(max_examples=10)
@given(seeds)
def test_plot_signals_draws_both_outputs(seed):
    rng = np.random.default_rng(seed)
    net = LCN([3, 2], [2, 1])
    fs = net.random_filters(rng)
    x = rng.standard_normal(15)
    a, b = net.forward(fs, x), naive_conv(net.end_to_end(fs), (net.stride,), x)
    ax = plot_signals(a, b, positions=net.stride * np.arange(a.size))
    assert np.array_equal(ax.lines[0].get_ydata(), a)
    assert np.array_equal(ax.lines[1].get_ydata(), b)
    assert np.array_equal(ax.lines[0].get_xdata(), 2 * np.arange(a.size))
    assert f"{np.max(np.abs(a - b)):.1e}" in ax.get_title()


def test_plot_filter_image_uses_one_shared_symmetric_scale():
    w = np.array([[1.0, -2.0, 0.0], [0.5, 0.0, 3.0]])
    ax = plot_filter_image(w, vmax=4.0, title="w")
    im = ax.images[0]
    assert np.array_equal(im.get_array(), w)
    assert (im.norm.vmin, im.norm.vmax) == (-4.0, 4.0)
    assert sorted(float(t.get_text()) for t in ax.texts) == sorted(w[w != 0].tolist())
    assert len(ax.figure.axes) == 2  # the image and its colour bar
    ax0 = plot_filter_image(np.zeros((2, 2)), colorbar=False, annotate=False)
    assert len(ax0.texts) == 0 and len(ax0.figure.axes) == 1


def test_set_stem_data_changes_the_number_of_stems_in_place():
    ax = Figure().add_subplot()
    stem = ax.stem([0.0, 1.0], [1.0, 2.0])
    n_artists = len(ax.get_children())
    set_stem_data(stem, [0.0, 1.0, 2.0, 3.0], [4.0, -1.0, 0.0, 2.0])
    _assert_stems(stem, [0.0, 1.0, 2.0, 3.0], [4.0, -1.0, 0.0, 2.0])
    assert np.array_equal(stem.baseline.get_xdata(), [-0.5, 3.5])
    assert len(ax.get_children()) == n_artists  # no artist added


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: plot_filters([]), ValueError, "at least one filter"),
        (lambda: plot_filters("abc"), TypeError, "sequence of 1D filters"),
        (lambda: plot_filters([[[1.0]]]), ValueError, r"filters\[0\] must have 1 axes"),
        (lambda: plot_filters([[1.0]], ax="nope"), TypeError, "ax must be a matplotlib Axes"),
        (lambda: plot_end_to_end([np.nan]), ValueError, "w must be finite"),
        (lambda: plot_conv_matrix([1, 2, 3], 1, 2), ValueError, "n must be at least"),
        (lambda: plot_conv_matrix([1, 2], 0, 4), ValueError, "stride must be a positive"),
        (lambda: plot_conv_matrix([1, 2], 1, 4.0), TypeError, "n must be a positive integer"),
        (lambda: plot_signals([1.0, 2.0], [1.0]), ValueError, "same length"),
        (lambda: plot_signals([1.0], [1.0], positions=[0, 1]), ValueError, "one entry per output"),
        (lambda: plot_filter_image([1.0, 2.0]), ValueError, "w2d must have 2 axes"),
        (lambda: plot_filter_image([[1.0]], vmax=-1.0), ValueError, "vmax must be"),
        (
            lambda: set_stem_data(Figure().add_subplot().stem([1.0]), [0, 1], [1]),
            ValueError,
            "same length",
        ),
    ],
)
def test_bad_input_is_rejected_with_a_message(call, error, match):
    with pytest.raises(error, match=match):
        call()
