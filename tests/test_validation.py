"""Every error path of the core: bad architectures, filters, signals and parameters.

A bad type raises TypeError, a bad value ValueError, and each message names the argument.
"""

from __future__ import annotations

import numpy as np
import pytest

from lcnn_widgets import (
    LCN,
    conv,
    dilate,
    from_binary_form,
    polynomial_variables,
    to_binary_form,
)
from lcnn_widgets._validation import (
    as_architecture,
    as_filters,
    as_finite_array,
    as_positive_int,
    as_stride,
)

# --------------------------------------------------------------------------- architectures


@pytest.mark.parametrize(
    ("sizes", "strides", "error", "match"),
    [
        ([], [], ValueError, "filter_sizes must have at least one layer"),
        (3, [1], TypeError, "filter_sizes must be a sequence with one entry per layer"),
        ("32", [1, 1], TypeError, "filter_sizes must be a sequence"),
        ([3, 2], None, TypeError, "strides must be a sequence with one entry per layer"),
        ([3, 2], [1], ValueError, "strides must have one entry per layer: got 1 strides for 2"),
        ([3], [1, 1], ValueError, "got 2 strides for 1 layers"),
        # sizes: zero, negative, non-integer, boolean
        ([3, 0], [1, 1], ValueError, r"filter_sizes\[1\] must be a positive integer \(>= 1\)"),
        ([-2], [1], ValueError, r"filter_sizes\[0\] must be a positive integer \(>= 1\): got -2"),
        ([2.5], [1], TypeError, r"filter_sizes\[0\] must be a positive integer: got 2\.5"),
        ([3, 2.0], [1, 1], TypeError, r"filter_sizes\[1\] must be a positive integer"),
        (["3"], [1], TypeError, r"filter_sizes\[0\] must be a positive integer: got '3'"),
        ([3, "3"], [1, 1], TypeError, r"filter_sizes\[1\] must be a positive integer"),
        ([None], [1], TypeError, r"filter_sizes\[0\] must be a positive integer: got None"),
        ([3, None], [1, 1], TypeError, r"filter_sizes\[1\] must be a positive integer"),
        ([True], [1], TypeError, r"filter_sizes\[0\] must be a positive integer: got True"),
        ([np.bool_(True)], [1], TypeError, r"filter_sizes\[0\] must be a positive integer"),
        ([(2, 0)], [1], ValueError, r"filter_sizes\[0\]\[1\] must be a positive integer"),
        ([(2, 2.5)], [1], TypeError, r"filter_sizes\[0\]\[1\] must be a positive integer"),
        ([(2, True)], [1], TypeError, r"filter_sizes\[0\]\[1\] must be a positive integer"),
        ([()], [1], ValueError, r"filter_sizes\[0\] must not be empty"),
        # strides: zero, negative, non-integer, boolean
        ([3, 2], [1, 0], ValueError, r"strides\[1\] must be a positive integer \(>= 1\): got 0"),
        ([3, 2], [-1, 1], ValueError, r"strides\[0\] must be a positive integer \(>= 1\)"),
        ([3, 2], [2.5, 1], TypeError, r"strides\[0\] must be a positive integer: got 2\.5"),
        ([3, 2], ["3", 1], TypeError, r"strides\[0\] must be a positive integer: got '3'"),
        ([3, 2], [1, None], TypeError, r"strides\[1\] must be a positive integer: got None"),
        ([3, 2], [False, 1], TypeError, r"strides\[0\] must be a positive integer: got False"),
        ([(2, 2)], [(1, 0)], ValueError, r"strides\[0\]\[1\] must be a positive integer"),
        ([(2, 2)], [(1, 1.5)], TypeError, r"strides\[0\]\[1\] must be a positive integer"),
        # mixed dimensions
        ([3, (2, 2)], [1, 1], ValueError, "filter_sizes mixes dimensions: use ints for every"),
        ([(2, 2), 3], [1, 1], ValueError, "filter_sizes mixes dimensions"),
        ([(2, 2), (2,)], [1, 1], ValueError, "filter_sizes mixes dimensions: every layer must"),
        ([(2, 2), (2, 2, 2)], [1, 1], ValueError, "filter_sizes mixes dimensions"),
        ([3], [(2, 2)], ValueError, r"strides\[0\] must be an int for a 1D network"),
        ([(2, 2)], [(1, 2, 3)], ValueError, r"strides\[0\] must have 2 entries \(one per axis\)"),
    ],
)
def test_bad_architectures(sizes, strides, error, match):
    with pytest.raises(error, match=match):
        LCN(sizes, strides)


def test_architecture_helper_normalizes():
    sizes, strides, dim, is_1d = as_architecture([(2, 3), (1, 2)], [2, (1, 3)])
    assert sizes == [(2, 3), (1, 2)] and strides == [(2, 2), (1, 3)]
    assert dim == 2 and not is_1d
    normalized = as_architecture((np.int64(3), 2), np.array([2, 1]))
    assert normalized[:3] == ([(3,), (2,)], [(2,), (1,)], 1)


def test_one_entry_tuple_stride_is_accepted_in_1d():
    assert LCN([3, 2], [(2,), 1]) == LCN([3, 2], [2, 1])


# --------------------------------------------------------------------------- filters

NET = LCN([3, 2], [2, 1])
NET2D = LCN([(2, 2), (1, 2)], [1, 1])
GOOD = [[1.0, 2.0, 3.0], [4.0, 5.0]]

BAD_FILTERS = [
    ([[1, 2, 3]], ValueError, "filters must have one filter per layer: got 1 filters for 2"),
    ([[1, 2, 3], [1, 2], [1]], ValueError, "got 3 filters for 2 layers"),
    ([[1, 2, 3], [1, 2, 3]], ValueError, r"filters\[1\] must have shape 2: got shape 3"),
    ([[1, 2], [1, 2]], ValueError, r"filters\[0\] must have shape 3: got shape 2"),
    ([[1, 2, 3], [[1, 2]]], ValueError, r"filters\[1\] must have shape 2: got shape \(1, 2\)"),
    ([[1, 2, 3], 5.0], ValueError, r"filters\[1\] must have shape 2: got shape \(\)"),
    ([[1, 2, 3], []], ValueError, r"filters\[1\] must not be empty"),
    ([[1, 2, np.nan], [1, 2]], ValueError, r"filters\[0\] must be finite: got NaN or inf"),
    ([[1, 2, 3], [np.inf, 2]], ValueError, r"filters\[1\] must be finite"),
    ([[1, 2, 3], [-np.inf, 2]], ValueError, r"filters\[1\] must be finite"),
    ([[1, 2, 3], [1j, 2]], TypeError, r"filters\[1\] must hold real numbers, not complex"),
    ([["a", "b", "c"], [1, 2]], TypeError, r"filters\[0\] must hold real numbers"),
    ([[1, 2, 3], [None, 2]], TypeError, r"filters\[1\] must hold real numbers"),
    ([[1, 2, 3], [[1, 2], [3]]], ValueError, r"filters\[1\] must be a rectangular array"),
    (np.arange(5.0), TypeError, "filters must be a sequence of 2 arrays .*got one flat array"),
    (None, TypeError, "filters must be a sequence of 2 arrays"),
    ("ab", TypeError, "filters must be a sequence of 2 arrays"),
    (3.0, TypeError, "filters must be a sequence of 2 arrays"),
]


@pytest.mark.parametrize(("filters", "error", "match"), BAD_FILTERS)
@pytest.mark.parametrize(
    "method", ["check_filters", "end_to_end", "jacobian", "ntk", "invariants", "flatten"]
)
def test_bad_filters(method, filters, error, match):
    with pytest.raises(error, match=match):
        getattr(NET, method)(filters)


@pytest.mark.parametrize(("filters", "error", "match"), BAD_FILTERS)
def test_bad_filters_in_forward(filters, error, match):
    with pytest.raises(error, match=match):
        NET.forward(filters, np.arange(9.0))


def test_bad_2d_filter_shapes():
    with pytest.raises(ValueError, match=r"filters\[0\] must have shape \(2, 2\): got .*\(2, 3\)"):
        NET2D.end_to_end([np.ones((2, 3)), np.ones((1, 2))])
    with pytest.raises(ValueError, match=r"filters\[1\] must have shape \(1, 2\): got .*\(2,\)"):
        NET2D.end_to_end([np.ones((2, 2)), np.ones(2)])


# --------------------------------------------------------------------------- signals


def test_forward_signal_errors():
    with pytest.raises(
        ValueError,
        match=r"x must be at least as long as the end-to-end filter.*"
        r"got x of shape 4 and end_to_end_size 5",
    ):
        NET.forward(GOOD, np.arange(4.0))
    with pytest.raises(ValueError, match=r"x must have 1 axes: got an array of shape \(1, 9\)"):
        NET.forward(GOOD, np.ones((1, 9)))
    with pytest.raises(ValueError, match="x must be finite"):
        NET.forward(GOOD, [1, 2, 3, 4, np.nan, 6])
    with pytest.raises(TypeError, match="x must hold real numbers"):
        NET.forward(GOOD, ["a"] * 6)
    with pytest.raises(ValueError, match=r"x must be at least as long .*got x of shape \(1, 9\)"):
        NET2D.forward([np.ones((2, 2)), np.ones((1, 2))], np.ones((1, 9)))


def test_conv_errors():
    with pytest.raises(ValueError, match=r"x must be at least as long as the filter.*\(2,\)"):
        conv([1, 2, 3], 1, [1, 2])
    with pytest.raises(ValueError, match=r"x must have 2 axes: got an array of shape \(5,\)"):
        conv(np.ones((2, 2)), 1, np.ones(5))
    with pytest.raises(ValueError, match=r"x must have 1 axes: got an array of shape \(5, 5\)"):
        conv([1, 2], 1, np.ones((5, 5)))
    with pytest.raises(ValueError, match=r"stride must have 1 entries \(one per axis\)"):
        conv([1, 2], (1, 1), [1, 2, 3])
    with pytest.raises(ValueError, match=r"stride must have 2 entries \(one per axis\)"):
        conv(np.ones((2, 2)), (1, 1, 1), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"stride must be a positive integer \(>= 1\): got 0"):
        conv([1, 2], 0, [1, 2, 3])
    with pytest.raises(TypeError, match=r"stride must be a positive integer: got 1\.5"):
        conv([1, 2], 1.5, [1, 2, 3])
    with pytest.raises(TypeError, match="stride must be a positive integer: got True"):
        conv([1, 2], True, [1, 2, 3])
    with pytest.raises(ValueError, match="w must not be empty"):
        conv([], 1, [1, 2, 3])
    with pytest.raises(ValueError, match="w must be finite"):
        conv([np.nan], 1, [1, 2, 3])
    with pytest.raises(TypeError, match="w must hold real numbers, not complex"):
        conv([1j], 1, [1, 2, 3])


# --------------------------------------------------------------------------- parameters


def test_unflatten_errors():
    with pytest.raises(ValueError, match="theta must have n_params = 5 entries: got 3"):
        NET.unflatten([1, 2, 3])
    with pytest.raises(ValueError, match="theta must have n_params = 5 entries: got 6"):
        NET.unflatten(np.ones(6))
    with pytest.raises(ValueError, match=r"theta must have 1 axes: got an array of shape \(1, 5\)"):
        NET.unflatten(np.ones((1, 5)))
    with pytest.raises(ValueError, match="theta must be finite"):
        NET.unflatten([1, 2, 3, 4, np.inf])
    with pytest.raises(TypeError, match="theta must hold real numbers"):
        NET.unflatten(list("abcde"))


@pytest.mark.parametrize("rng", [0, None, np.random.RandomState(0), np.random.default_rng])
def test_random_filters_needs_a_generator(rng):
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator: got"):
        NET.random_filters(rng)


def test_random_filters_scale_errors():
    with pytest.raises(ValueError, match="scale must be finite"):
        NET.random_filters(np.random.default_rng(0), scale=np.nan)
    with pytest.raises(TypeError, match="scale must hold real numbers"):
        NET.random_filters(np.random.default_rng(0), scale="big")
    with pytest.raises(ValueError, match="scale must have 0 axes"):
        NET.random_filters(np.random.default_rng(0), scale=[1.0, 2.0])


# --------------------------------------------------------------------------- polynomials


def test_dilate_errors():
    with pytest.raises(ValueError, match=r"stride must be a positive integer \(>= 1\): got 0"):
        dilate([1, 2], 0)
    with pytest.raises(TypeError, match="stride must be a positive integer: got '2'"):
        dilate([1, 2], "2")
    with pytest.raises(ValueError, match="stride must have 2 entries"):
        dilate(np.ones((2, 2)), (1, 2, 3))
    with pytest.raises(ValueError, match="v must be finite"):
        dilate([1, np.nan], 2)
    with pytest.raises(ValueError, match="v must not be empty"):
        dilate([], 2)


def test_binary_form_errors():
    with pytest.raises(TypeError, match="v must hold real numbers, not complex"):
        to_binary_form([1, 2j])
    with pytest.raises(ValueError, match=r"stride must be a positive integer \(>= 1\)"):
        to_binary_form([1, 2], -1)
    with pytest.raises(ValueError, match=r"shape must be a positive integer \(>= 1\): got 0"):
        from_binary_form(to_binary_form([1]), 0)
    with pytest.raises(TypeError, match=r"shape must be a positive integer: got 2\.5"):
        from_binary_form(to_binary_form([1, 2]), 2.5)


def test_polynomial_variables_errors():
    with pytest.raises(ValueError, match=r"dim must be a positive integer \(>= 1\): got 0"):
        polynomial_variables(0)
    with pytest.raises(TypeError, match="dim must be a positive integer: got True"):
        polynomial_variables(True)
    with pytest.raises(TypeError, match=r"dim must be a positive integer: got 1\.0"):
        polynomial_variables(1.0)


# --------------------------------------------------------------------------- helpers


def test_helpers_directly():
    assert as_positive_int(np.int64(4), "n") == 4
    with pytest.raises(TypeError, match=r"n must be a positive integer: got 4\.0 of type float"):
        as_positive_int(4.0, "n")
    with pytest.raises(ValueError, match=r"n must be a positive integer \(>= 1\): got 0"):
        as_positive_int(0, "n")
    assert as_stride(2, 3) == (2, 2, 2)
    assert as_finite_array([], "a", allow_empty=True).shape == (0,)
    with pytest.raises(ValueError, match=r"a must not be empty: got an array of shape \(0,\)"):
        as_finite_array([], "a")
    with pytest.raises(TypeError, match="a must hold real numbers"):
        as_finite_array(object(), "a")
    original = np.array([1.0, 2.0])
    copy = as_finite_array(original, "a")
    copy[0] = 5.0
    assert original[0] == 1.0  # a new array, never a view of the input
    with pytest.raises(ValueError, match=r"f must have one filter per layer"):
        as_filters([[1]], [(1,), (1,)], name="f")
