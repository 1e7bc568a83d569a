"""Input checks for the public API, in one place.

Every public function of :mod:`lcnn_widgets` normalizes its inputs here, once, at the boundary.
A bad *type* raises :class:`TypeError`, a bad *value* raises :class:`ValueError`; every message
names the argument, shows what was received and states what is allowed.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import numbers
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

# fmt: off
__all__ = [
    "Shape", "as_architecture", "as_batch", "as_filters", "as_finite_array", "as_generator",
    "as_int_in_range", "as_matrix_targets", "as_nonzero_filters", "as_orthogonal",
    "as_parameter_blocks", "as_positive_int", "as_stride", "as_time_grid", "as_training_data",
    "as_weights", "as_widths",
]
# fmt: on

Shape = tuple[int, ...]

#: entries beyond this magnitude overflow float64 once squared (norms, kernels): refused
MAX_MAGNITUDE = 1e150


def _short(value: Any, limit: int = 60) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters for error messages."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _got(value: Any) -> str:
    """``value`` and its type, for TypeError messages."""
    return f"{_short(value)} of type {type(value).__name__}"


def _is_sequence(value: Any) -> bool:
    """True for a list, tuple or array (not a string, bytes or scalar)."""
    return isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes))


def _is_integer(value: Any) -> bool:
    """True for a Python or numpy integer that is not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def as_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an ``int`` >= 1 (TypeError for bools, floats, non-numbers)."""
    if not _is_integer(value):
        raise TypeError(f"{name} must be a positive integer: got {_got(value)}")
    if int(value) < 1:
        raise ValueError(f"{name} must be a positive integer (>= 1): got {int(value)}")
    return int(value)


def as_int_in_range(value: Any, name: str, low: int, high: int) -> int:
    """Return ``value`` as an ``int`` with ``low <= value <= high`` (TypeError for non-integers)."""
    if not _is_integer(value):
        raise TypeError(f"{name} must be an integer: got {_got(value)}")
    if not low <= int(value) <= high:
        raise ValueError(f"{name} must lie between {low} and {high}: got {int(value)}")
    return int(value)


def _as_int_tuple(value: Any, name: str) -> Shape:
    """Return a tuple of positive ints from an int or a non-empty sequence of ints."""
    if not _is_sequence(value):
        return (as_positive_int(value, name),)
    items = list(value)
    if not items:
        raise ValueError(f"{name} must not be empty: got {_short(value)}")
    return tuple(as_positive_int(v, f"{name}[{i}]") for i, v in enumerate(items))


def as_architecture(filter_sizes: Any, strides: Any) -> tuple[list[Shape], list[Shape], int, bool]:
    """Check an architecture; return ``(sizes, strides, dim, is_1d)``.

    ``filter_sizes`` and ``strides`` have one entry per layer, layer 1 first: ints (1D) or tuples
    of one length ``D`` (a stride int is used along every axis). ``sizes`` and ``strides`` come
    back as ``L`` tuples of length ``D``; ``is_1d``: the sizes were plain ints (the 1D interface).
    """
    for arg, label in ((filter_sizes, "filter_sizes"), (strides, "strides")):
        if not _is_sequence(arg):
            raise TypeError(
                f"{label} must be a sequence with one entry per layer: got {_short(arg)}"
            )
    sizes_in, strides_in = list(filter_sizes), list(strides)
    if not sizes_in:
        raise ValueError("filter_sizes must have at least one layer: got an empty sequence")
    if len(strides_in) != len(sizes_in):
        raise ValueError(
            f"strides must have one entry per layer: got {len(strides_in)} strides "
            f"for {len(sizes_in)} layers"
        )
    scalar = [not _is_sequence(s) for s in sizes_in]
    for i, s in enumerate(sizes_in):
        if scalar[i]:
            as_positive_int(s, f"filter_sizes[{i}]")  # a bad scalar is a bad size, not a mix
    if any(scalar) and not all(scalar):
        raise ValueError(
            "filter_sizes mixes dimensions: use ints for every layer (1D) or tuples of the "
            f"same length for every layer (D-dim); got {_short(sizes_in)}"
        )
    is_1d = all(scalar)
    sizes = [_as_int_tuple(s, f"filter_sizes[{i}]") for i, s in enumerate(sizes_in)]
    dims = {len(s) for s in sizes}
    if len(dims) != 1:
        raise ValueError(
            "filter_sizes mixes dimensions: every layer must have the same number of axes; "
            f"got shapes {sizes}"
        )
    dim = dims.pop()
    for i, s in enumerate(strides_in):
        if is_1d and len(_as_int_tuple(s, f"strides[{i}]")) != 1:
            raise ValueError(f"strides[{i}] must be an int for a 1D network: got {_short(s)}")
    norm_strides = [as_stride(s, dim, f"strides[{i}]") for i, s in enumerate(strides_in)]
    return sizes, norm_strides, dim, is_1d


def as_stride(stride: Any, dim: int, name: str = "stride") -> Shape:
    """Return a stride as a tuple of ``dim`` positive ints (an int is used on every axis)."""
    st = _as_int_tuple(stride, name)
    if len(st) == 1 and dim > 1:
        st = st * dim
    if len(st) != dim:
        raise ValueError(f"{name} must have {dim} entries (one per axis): got {_short(stride)}")
    return st


def as_finite_array(
    value: Any, name: str, *, ndim: int | None = None, allow_empty: bool = False
) -> np.ndarray:
    """A new float64 array of real finite numbers (``ndim`` axes if given; empty if allowed)."""
    try:
        raw = np.asarray(value)
    except Exception as exc:  # ragged nested lists and the like
        raise ValueError(f"{name} must be a rectangular array: got {_short(value)}") from exc
    if raw.dtype == object or raw.dtype.kind in "USVOMm":
        raise TypeError(f"{name} must hold real numbers: got {_short(value)}")
    if raw.dtype.kind == "c":
        raise TypeError(f"{name} must hold real numbers, not complex: got {_short(value)}")
    arr = np.array(raw, dtype=float, copy=True)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} axes: got an array of shape {arr.shape}")
    if arr.size == 0 and not allow_empty:
        raise ValueError(f"{name} must not be empty: got an array of shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite: got NaN or inf in {_short(value)}")
    return arr


def _layer_items(
    value: Any, name: str, n_layers: int | None, owner: str, kind: str, noun: tuple[str, str]
) -> list:
    """Items of ``n_layers`` per-layer arrays (None: any); ``kind``, ``noun`` name them."""
    what = kind if n_layers is None else f"{n_layers} {kind}"
    if isinstance(value, np.ndarray) and value.dtype != object and value.ndim <= 1:
        raise TypeError(
            f"{name} must be a sequence of {what} (one per layer): got one flat array; use "
            f"{owner}.unflatten to split a parameter vector"
        )
    if not _is_sequence(value):
        raise TypeError(f"{name} must be a sequence of {what} (one per layer): got {_short(value)}")
    items = list(value)
    if n_layers is not None and len(items) != n_layers:
        raise ValueError(
            f"{name} must have one {noun[0]} per layer: got {len(items)} {noun[1]} "
            f"for {n_layers} layers"
        )
    return items


def as_filters(filters: Any, sizes: Sequence[Shape], name: str = "filters") -> list[np.ndarray]:
    """Check one filter per layer (layer 1 first) against ``sizes``; return float64 copies."""
    items = _layer_items(filters, name, len(sizes), "LCN", "arrays", ("filter", "filters"))
    out = []
    for i, (f, shape) in enumerate(zip(items, sizes, strict=True)):
        arr = as_finite_array(f, f"{name}[{i}]")
        if arr.shape != shape and not (len(shape) == 1 and arr.shape == (shape[0],)):
            expected = shape[0] if len(shape) == 1 else shape
            got = arr.shape[0] if arr.ndim == 1 and len(shape) == 1 else arr.shape
            raise ValueError(f"{name}[{i}] must have shape {expected}: got shape {got}")
        out.append(arr.reshape(shape))
    return out


def as_time_grid(value: Any, name: str = "t_eval") -> np.ndarray:
    """Return a strictly increasing 1D float array of finite times that starts at 0."""
    t = np.atleast_1d(as_finite_array(value, name))
    if t.ndim != 1:
        raise ValueError(f"{name} must be a 1D array of times: got shape {t.shape}")
    if t[0] != 0.0:
        raise ValueError(f"{name} must start at time 0 (the initialization): got {t[0]!r}")
    if t.size > 1 and np.any(np.diff(t) <= 0):
        raise ValueError(f"{name} must be strictly increasing: got {_short(value)}")
    return t


def as_training_data(
    X: Any, Y: Any, kernel_shape: Shape, stride: Shape
) -> tuple[np.ndarray, np.ndarray]:
    """Check training data for a convolution with this kernel and stride; return float copies.

    ``X`` of shape (N, n_1, ..., n_D) with ``n_d >= k_d``; ``Y`` of shape (N, m_1, ..., m_D) with
    ``m_d = (n_d - k_d) // s_d + 1``, for ``kernel_shape = (k_1, ..., k_D)`` and total ``stride``.
    """
    dim = len(kernel_shape)
    x = as_finite_array(X, "X")
    if x.ndim != dim + 1:
        raise ValueError(
            f"X must have shape (N, n_1, ..., n_D) with D = {dim}, one signal per row: got "
            f"an array of shape {x.shape}"
        )
    if any(n < k for n, k in zip(x.shape[1:], kernel_shape, strict=True)):
        raise ValueError(
            "the signals in X must be at least as long as the end-to-end filter along every "
            f"axis: got signals of shape {x.shape[1:]} and a filter of shape {kernel_shape}"
        )
    out_shape = tuple(
        (n - k) // s + 1 for n, k, s in zip(x.shape[1:], kernel_shape, stride, strict=True)
    )
    y = as_finite_array(Y, "Y")
    if y.shape != (x.shape[0], *out_shape):
        raise ValueError(
            f"Y must have shape {(x.shape[0], *out_shape)} (N targets of the convolution's "
            f"output shape): got shape {y.shape}"
        )
    return x, y


def as_nonzero_filters(
    filters: Sequence[np.ndarray], name: str = "filters", *, reason: str | None = None
) -> list[np.ndarray]:
    """Return the (checked) filters; ValueError at the first all-zero one (with ``reason``)."""
    out = list(filters)
    for i, f in enumerate(out):
        if not np.any(f):
            if reason is not None:
                raise ValueError(f"{name}[{i}] is zero: {reason}")
            raise ValueError(
                f"{name}[{i}] is all zero: then the network is the zero map and the layer "
                "polynomial vanishes; give it a nonzero entry"
            )
    return out


def as_widths(widths: Any, name: str = "widths") -> Shape:
    """Return the layer widths ``(d_0, d_1, ..., d_L)`` (at least two) of a dense network."""
    if not _is_sequence(widths):
        raise TypeError(
            f"{name} must be a sequence (d_0, d_1, ..., d_L) of layer widths: got {_short(widths)}"
        )
    items = list(widths)
    if len(items) < 2:
        raise ValueError(
            f"{name} must have at least two entries (input and output width of one layer): "
            f"got {_short(widths)}"
        )
    return tuple(as_positive_int(d, f"{name}[{i}]") for i, d in enumerate(items))


def as_weights(
    weights: Any, shapes: Sequence[Shape] | None, name: str = "weights"
) -> list[np.ndarray]:
    """Check one weight matrix per layer (layer 1 first); return float copies.

    ``shapes`` gives each shape ``(d_j, d_{j-1})``; None accepts any chain of matrices whose
    shapes fit together (``weights[j]`` has as many columns as ``weights[j-1]`` has rows).
    """
    n_layers = None if shapes is None else len(shapes)
    items = _layer_items(weights, name, n_layers, "FCN", "matrices", ("matrix", "matrices"))
    if shapes is None:
        if not items:
            raise ValueError(f"{name} must hold at least one matrix: got an empty sequence")
        mats = [as_finite_array(m, f"{name}[{i}]", ndim=2) for i, m in enumerate(items)]
        for i in range(1, len(mats)):
            if mats[i].shape[1] != mats[i - 1].shape[0]:
                raise ValueError(
                    f"{name}[{i}] must have {mats[i - 1].shape[0]} columns (the rows of "
                    f"{name}[{i - 1}]) so that the product is defined: got shape {mats[i].shape}"
                )
        return mats
    out = []
    for i, (m, shape) in enumerate(zip(items, shapes, strict=True)):
        arr = as_finite_array(m, f"{name}[{i}]")
        if arr.shape != tuple(shape):
            raise ValueError(
                f"{name}[{i}] (layer {i + 1}) must have shape {tuple(shape)} = "
                f"(d_{i + 1}, d_{i}): got shape {arr.shape}"
            )
        out.append(arr)
    return out


def as_orthogonal(value: Any, size: int, name: str, *, tol: float = 1e-8) -> np.ndarray:
    """Return a float copy of a ``size x size`` matrix with ``max |U^T U - I| <= tol``."""
    U = as_finite_array(value, name, ndim=2)
    if U.shape != (size, size):
        raise ValueError(f"{name} must have shape {(size, size)}: got shape {U.shape}")
    err = float(np.max(np.abs(U.T @ U - np.eye(size))))
    if err > tol:
        raise ValueError(
            f"{name} must be orthogonal (U^T U = I): got max |U^T U - I| = {err:.3g} > {tol:g}"
        )
    return U


def as_matrix_targets(
    Y: Any, X: Any, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Check ``(Y, X)`` of a squared loss on (m, n) matrices: Y (m, n), or X (n, N) and Y (m, N)."""
    m, n = shape
    if X is None:
        y = as_finite_array(Y, "Y", ndim=2)
        if y.shape != (m, n):
            raise ValueError(
                f"Y must have the shape {(m, n)} of the end-to-end matrix: got shape {y.shape}"
            )
        return y, None
    x = as_finite_array(X, "X", ndim=2)
    if x.shape[0] != n:
        raise ValueError(
            f"X must have shape ({n}, N), one input of dimension {n} per column: got shape "
            f"{x.shape}"
        )
    y = as_finite_array(Y, "Y", ndim=2)
    if y.shape != (m, x.shape[1]):
        raise ValueError(
            f"Y must have shape {(m, x.shape[1])}, one target per column of X: got shape {y.shape}"
        )
    return y, x


def as_end_to_end_vector(value: Any, name: str, shape: Shape) -> np.ndarray:
    """An end-to-end filter or tangent vector, of ``shape`` or flat, as a flat C-order copy."""
    arr = as_finite_array(value, name)
    size = int(np.prod(shape))
    if arr.shape != tuple(shape) and arr.shape != (size,):
        expected = shape[0] if len(shape) == 1 else shape
        raise ValueError(
            f"{name} must be an end-to-end filter of size {expected}: got an array of shape "
            f"{arr.shape}"
        )
    return arr.reshape(size)


def parse_floats(text: Any, name: str) -> np.ndarray:
    """Parse a comma- or space-separated list of finite numbers typed into a text box."""
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string of numbers: got {_short(text)}")
    parts = text.replace(",", " ").replace(";", " ").split()
    if not parts:
        raise ValueError(f"{name} must list at least one number: got {_short(text)}")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ValueError(
            f"{name} must be numbers separated by commas or spaces: got {_short(text)}"
        ) from None
    return as_finite_array(values, name)


def as_batch(value: Any, name: str, sample_ndim: int) -> np.ndarray:
    """Return a batch of samples as a new float array of shape ``(N, *sample_shape)``."""
    arr = as_finite_array(value, name)
    if arr.ndim != sample_ndim + 1:
        raise ValueError(
            f"{name} must be a batch of shape (N, ...) with {sample_ndim + 1} axes (a leading "
            f"batch axis, then {sample_ndim} axes per sample): got an array of shape "
            f"{arr.shape}; wrap a single sample as [x]"
        )
    return arr


def as_rational_array(value: Any, name: str) -> np.ndarray:
    """Return an array of exact rationals (``fractions.Fraction``) for exact algebra.

    Accepts ints, ``Fraction``, sympy Rationals and whole floats; a float such as ``0.1`` is
    refused (it is not the rational the reader typed: pass ``Fraction(1, 10)``).
    """
    try:
        raw = np.array(value, dtype=object)
    except Exception as exc:  # ragged nested lists and the like
        raise ValueError(f"{name} must be a rectangular array: got {_short(value)}") from exc
    if raw.size == 0:
        raise ValueError(f"{name} must not be empty: got an array of shape {raw.shape}")
    out = np.empty(raw.shape, dtype=object)
    for idx, entry in np.ndenumerate(raw):
        if isinstance(entry, (bool, np.bool_)):
            raise TypeError(f"{name} must hold numbers, not booleans: got {_short(value)}")
        if isinstance(entry, numbers.Rational):  # int, numpy ints, Fraction
            out[idx] = Fraction(int(entry.numerator), int(entry.denominator))
        elif hasattr(entry, "is_Rational") and entry.is_Rational:  # sympy
            out[idx] = Fraction(int(entry.p), int(entry.q))
        elif isinstance(entry, numbers.Real):
            f = float(entry)
            if not np.isfinite(f):
                raise ValueError(f"{name} must be finite: got NaN or inf in {_short(value)}")
            if not f.is_integer():
                raise ValueError(
                    f"{name} must have integer or rational entries for exact factorization: got "
                    f"the float {f!r}; pass fractions.Fraction for a non-integer entry"
                )
            out[idx] = Fraction(int(f))
        else:
            raise TypeError(f"{name} must hold integers or rationals: got {_got(entry)}")
    return out


def as_generator(rng: Any, name: str = "rng") -> np.random.Generator:
    """Return ``rng`` if it is a :class:`numpy.random.Generator` (TypeError for a seed, None)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator: got {type(rng).__name__}")
    return rng


def as_parameter_blocks(
    theta: Any, shapes: Sequence[Shape], name: str = "theta"
) -> list[np.ndarray]:
    """Split a flat ``theta`` (layer 1 first, C order) into views of a float copy, by ``shapes``."""
    th = as_finite_array(theta, name, ndim=1)
    sizes = [int(np.prod(s)) for s in shapes]
    n_params = sum(sizes)
    if th.size != n_params:
        raise ValueError(f"{name} must have n_params = {n_params} entries: got {th.size}")
    ends = np.cumsum(sizes)
    return [th[b - k : b].reshape(s) for k, b, s in zip(sizes, ends, shapes, strict=True)]


def as_network(net: Any, name: str = "net", *, needs: tuple[str, ...] = ("filter_shapes",)) -> Any:
    """Return ``net`` if it has the attributes ``needs`` (a network, not data), else TypeError."""
    if any(not hasattr(net, a) for a in needs):
        raise TypeError(
            f"{name} must be a network such as LCN(filter_sizes, strides): got {_got(net)}"
        )
    return net


def _all_finite(obj: Any) -> bool:
    """True when every float inside a (nested) result is finite."""
    if isinstance(obj, (str, bytes, bool, type(None))):
        return True
    if isinstance(obj, (float, complex, np.floating, np.complexfloating)):
        return bool(np.isfinite(obj))
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            return bool(np.all(np.isfinite(obj)))
        return obj.dtype != object or all(_all_finite(x) for x in obj.ravel())
    if isinstance(obj, (list, tuple)):
        return all(_all_finite(x) for x in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return all(_all_finite(getattr(obj, f.name)) for f in dataclasses.fields(obj))
    return True


def _magnitude(value: Any) -> float | None:
    """The largest ``|entry|`` of an array or a sequence of arrays (None if not numeric)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        try:  # a sequence of arrays of different shapes (filters, weights)
            parts = [np.asarray(v, dtype=float).ravel() for v in value]
            arr = np.concatenate(parts) if parts else np.zeros(0)
        except (TypeError, ValueError):
            return None
    return float(np.max(np.abs(arr))) if arr.size else None


def finite_result(func):
    """Decorator: raise ValueError instead of returning a result with NaN or inf in it.

    A finite input can still overflow float64; the message names the array arguments with
    their largest magnitudes, so the reader sees which one to rescale.
    """
    sig = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            result = func(*args, **kwargs)
        if _all_finite(result):
            return result
        arguments = sig.bind(*args, **kwargs).arguments.items()
        mags = [
            (_magnitude(v), a) for a, v in arguments if a not in ("net", "model", "rng", "self")
        ]
        sizes = sorted(((m, a) for m, a in mags if m is not None), reverse=True)
        listed = ", ".join(f"{arg} (max |entry| {mag:.3g})" for mag, arg in sizes)
        raise ValueError(
            f"{func.__name__} would return NaN or inf: float64 overflowed or lost all digits "
            f"for these inputs; rescale them to moderate magnitudes: {listed}"
        )

    return wrapper


def as_moderate(
    arr: np.ndarray, name: str, limit: float = MAX_MAGNITUDE, *, allow_tiny: bool = False
) -> np.ndarray:
    """Return a (checked) array whose largest ``|entry|`` is at most ``limit``.

    It must also be zero or at least ``1 / limit`` (unless ``allow_tiny``, for additive
    quantities such as invariants): beyond these bounds squares overflow or underflow float64.
    """
    big = float(np.max(np.abs(arr))) if np.size(arr) else 0.0
    if big > limit:
        raise ValueError(
            f"{name} is too large to compute with: max |entry| = {big:.3g} exceeds {limit:.0e} "
            "(squared norms would overflow float64); rescale it"
        )
    if not allow_tiny and 0.0 < big < 1.0 / limit:
        raise ValueError(
            f"{name} is too small to compute with: max |entry| = {big:.3g} is below "
            f"{1.0 / limit:.0e} (squared norms would underflow to 0 in float64); rescale it"
        )
    return arr


def as_delta(delta: Any, n_layers: int, name: str = "delta") -> np.ndarray:
    """Target invariants of shape (n_layers - 1,) (a number for two layers), finite, moderate."""
    d = as_moderate(as_finite_array(delta, name, allow_empty=True), name, allow_tiny=True)
    d = d.reshape(1) if d.ndim == 0 else d
    if d.ndim != 1 or d.size != n_layers - 1:
        raise ValueError(
            f"{name} must have n_layers - 1 = {n_layers - 1} entries: got shape {d.shape}"
        )
    return d


def as_complex_array(value: Any, name: str) -> np.ndarray:
    """A flat complex array of roots (TypeError for strings, None and other non-numbers)."""
    try:
        raw = np.asarray(value)
    except Exception as exc:  # ragged nested lists
        raise ValueError(f"{name} must be a flat array of numbers: got {_short(value)}") from exc
    if raw.dtype.kind not in "iufc":
        raise TypeError(f"{name} must hold (complex) numbers: got {_short(value)}")
    return np.atleast_1d(raw.astype(complex)).ravel()


def as_real(value: Any, name: str, *, positive: bool = False, nonnegative: bool = False) -> float:
    """Return a finite real scalar (a tolerance, a scale, a radius) as a Python float."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating)):
        raise TypeError(f"{name} must be a real number: got {_got(value)}")
    v = float(value)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite: got {v!r}")
    if positive and v <= 0:
        raise ValueError(f"{name} must be positive: got {v!r}")
    if nonnegative and v < 0:
        raise ValueError(f"{name} must be non-negative: got {v!r}")
    return v


def as_sequence(value: Any, name: str, what: str = "items") -> list:
    """Return the items of a non-string sequence (TypeError for None, scalars, strings)."""
    if not _is_sequence(value):
        raise TypeError(f"{name} must be a sequence of {what}: got {_short(value)}")
    return list(value)


def as_coefficients(value: Any, name: str) -> np.ndarray:
    """Return a filter (coefficients, at least one axis) as a new float array."""
    arr = as_finite_array(value, name)
    if arr.ndim == 0:
        raise ValueError(
            f"{name} must be an array of coefficients (at least one axis): got {_short(value)}"
        )
    return arr
