"""The running example of the paper's appendix (Ex. 15-17): sizes (3, 2), strides (2, 1).

The neuromanifold is (the real part of) the cubic ``F = 0`` in ``R^5``; the fiber point, its
NTK and the metric of Cor. 6 have closed forms here.

>>> running_example_net()
LCN(filter_sizes=[3, 2], strides=[2, 1])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_end_to_end_vector,
    as_finite_array,
    as_moderate,
    as_positive_int,
    as_real,
    finite_result,
)
from .fibers import rescale
from .lcn import LCN


def running_example_net() -> LCN:
    """The running example of the paper's appendix (Ex. 15): sizes (3, 2), strides (2, 1).

    Examples
    --------
    >>> running_example_net().dim_neuromanifold
    4
    """
    return LCN([3, 2], [2, 1])


def _as_w5(w: ArrayLike) -> np.ndarray:
    return as_moderate(as_end_to_end_vector(w, "w", (5,)), "w")


@finite_result
def running_example_F(w: ArrayLike) -> float:
    """The cubic ``F(w) = w_0 w_3^2 - w_1 w_2 w_3 + w_1^2 w_4``, ``w`` of shape (5,) (Ex. 15).

    The Zariski closure of the neuromanifold of :func:`running_example_net` is ``F = 0``.

    Examples
    --------
    >>> running_example_F([2, 1, 3, -1, -5])
    0.0
    """
    w0, w1, w2, w3, w4 = _as_w5(w)
    return float(w0 * w3**2 - w1 * w2 * w3 + w1**2 * w4)


@finite_result
def running_example_grad_F(w: ArrayLike) -> np.ndarray:
    """The gradient of :func:`running_example_F`, (5,); it vanishes exactly where ``w_1 = w_3 = 0``.

    Examples
    --------
    >>> running_example_grad_F([5, 0, 7, 0, 1])
    array([ 0.,  0., -0.,  0.,  0.])
    """
    w0, w1, w2, w3, w4 = _as_w5(w)
    return np.array([w3**2, -w2 * w3 + 2 * w1 * w4, -w1 * w3, 2 * w0 * w3 - w1 * w2, w1**2])


def on_running_cubic(w: np.ndarray) -> None:
    """Raise ValueError unless the (checked) 5-vector ``w`` lies in the neuromanifold of Ex. 15."""
    w0, w1, w2, w3, w4 = w
    scale = max(float(np.linalg.norm(w)), 1e-300)
    if abs(running_example_F(w)) > 1e-8 * scale**3:
        raise ValueError(
            f"w is not in the neuromanifold: F(w) = {running_example_F(w):.3g} != 0 (Ex. 15)"
        )
    tol = 1e-12 * scale
    if abs(w1) <= tol and abs(w3) <= tol and w2**2 < 4 * w0 * w4 - 1e-12 * scale**2:
        raise ValueError(
            "w is not in the neuromanifold: on the line w_1 = w_3 = 0 the quadratic "
            f"w_0 X^2 + w_2 X Y + w_4 Y^2 must split over R, but w_2^2 - 4 w_0 w_4 = "
            f"{w2**2 - 4 * w0 * w4:.3g} < 0"
        )


@finite_result
def gamma_squared(w: ArrayLike, delta: float) -> float:
    """The scale ``gamma^2`` of the fiber point of ``(w, delta)`` in the running example (Ex. 17).

    ``w``: shape (5,), in ``M``, ``w_1 w_3 != 0`` (else ValueError); ``delta = ||v||^2 - ||u||^2``.
    ``gamma^2 = (-delta + sqrt(delta^2 + 4AB)) / (2B)``, ``A = w_1^2 + w_3^2``,
    ``B = w_0^2/w_1^2 + 1 + w_4^2/w_3^2``; the fiber point is ``u = gamma (w_0/w_1, 1, w_4/w_3)``,
    ``v = (w_1, w_3) / gamma``.

    Examples
    --------
    >>> gamma_squared([2, 1, 3, -1, -5], -28.0)  # A = 2, B = 30: delta = 2 - 30 at gamma = 1
    1.0
    """
    w0, w1, _, w3, w4 = _as_w5(w)
    d = float(as_moderate(as_finite_array(delta, "delta"), "delta", allow_tiny=True).flat[0])
    if w1 == 0 or w3 == 0:
        raise ValueError(f"w_1 and w_3 must be nonzero in w: got w_1 = {w1:g}, w_3 = {w3:g}")
    A, B = w1**2 + w3**2, w0**2 / w1**2 + 1 + w4**2 / w3**2
    root = np.sqrt(d**2 + 4 * A * B)
    return float((root - d) / (2 * B)) if d <= 0 else float(2 * A / (d + root))


@finite_result
def running_example_theta13(w: ArrayLike, delta: float) -> float:
    """The NTK entry ``Theta_{1,3} = v_0 v_1 = w_1 w_3 / gamma^2`` (0-based; Ex. 17).

    Examples
    --------
    >>> [running_example_theta13([2, 1, 3, -1, -5], d) for d in (-11.0, -28.0, -59.0)]
    [-2.0, -1.0, -0.5]
    """
    wv = _as_w5(w)
    return float(wv[1] * wv[3] / gamma_squared(wv, delta))


def _split_quadratic(w0: float, w2: float, w4: float) -> tuple[np.ndarray, np.ndarray]:
    """Real ``(a, c), (d, e)`` with ``(aX + cY)(dX + eY) = w0 X^2 + w2 X Y + w4 Y^2``."""
    if w0 != 0:  # w0 (X - z1 Y)(X - z2 Y) with w0 z^2 + w2 z + w4 = 0
        z1, z2 = np.real(np.roots([w0, w2, w4]))
        return np.array([w0, -w0 * z1]), np.array([1.0, -z2])
    return np.array([0.0, 1.0]), np.array([w2, w4])


@finite_result
def running_example_fiber(w: ArrayLike, delta: float) -> list[list[np.ndarray]]:
    """Every real fiber point ``[u, v]`` of ``(w, delta)`` in the running example, up to signs.

    ``w``: shape (5,), a nonzero point of ``M`` (else ValueError). One point when
    ``(w_1, w_3) != 0`` (smooth; Ex. 17); on the singular line ``w_1 = w_3 = 0`` the two points
    ``((a, 0, c), (d, e))`` and ``((d, 0, e), (a, c))`` (Ex. 16), one if they are dependent.

    Examples
    --------
    >>> [u, v], = running_example_fiber([2, 1, 3, -1, -5], -28.0)
    >>> u, v
    (array([2., 1., 5.]), array([ 1., -1.]))
    """
    wv = _as_w5(w)
    if not np.any(wv):
        raise ValueError("w must be nonzero: the fiber of w = 0 is not finite up to scaling")
    on_running_cubic(wv)
    w0, w1, w2, w3, w4 = wv
    net = running_example_net()
    if w1 != 0 and w3 != 0:
        g = np.sqrt(gamma_squared(wv, delta))
        return [[g * np.array([w0 / w1, 1.0, w4 / w3]), np.array([w1, w3]) / g]]
    if w3 != 0:  # w_1 = 0
        return [rescale(net, [np.array([w2, w3, w4]), np.array([0.0, 1.0])], [delta])]
    if w1 != 0:  # w_3 = 0
        return [rescale(net, [np.array([w0, w1, w2]), np.array([1.0, 0.0])], [delta])]
    ac, de = _split_quadratic(w0, w2, w4)
    points = [rescale(net, [np.array([ac[0], 0.0, ac[1]]), de], [delta])]
    if abs(ac[0] * de[1] - ac[1] * de[0]) > 1e-12 * np.linalg.norm(ac) * np.linalg.norm(de):
        points.append(rescale(net, [np.array([de[0], 0.0, de[1]]), ac], [delta]))
    return points


@dataclass(frozen=True)
class CubicSlice:
    """The slice ``{w_0 = const, w_4 = const}`` of the running example's neuromanifold."""

    w0: float  # the fixed coordinates
    w4: float
    sheets: tuple[np.ndarray, np.ndarray]  # (3, n_s, n_h) each: (w_1, w_2, w_3), NaN off the sheet
    heights: np.ndarray  # (n_h,) the sampled w_2 along the singular line w_1 = w_3 = 0
    in_M: np.ndarray  # (n_h,) bool: (w_0, 0, h, 0, w_4) in M, i.e. h^2 >= 4 w_0 w_4


def running_example_slice(
    w0: float, w4: float, *, radius: float = 2.0, height: float = 4.0, n: int = 41
) -> CubicSlice:
    """Points of ``M`` with fixed ``w_0, w_4`` (not both 0), as two sheets over (position, height).

    ``radius``: range ``|s| <= radius`` of the signed distance from the ``w_2``-axis; ``height``:
    range ``|w_2| <= height``; ``n``: samples per parameter. With ``(w_1, w_3) = s (c, d)`` and
    ``w_2 = h``, ``F = s^2 (w_0 d^2 - h c d + w_4 c^2)``: the slice is ruled by lines through the
    singular ``w_2``-axis (Ex. 15-16), real iff ``h^2 >= 4 w_0 w_4``.

    Examples
    --------
    >>> sl = running_example_slice(1.0, -1.0, n=5)
    >>> sl.sheets[0].shape, bool(sl.in_M.all())
    ((3, 5, 5), True)
    """
    a, b = as_real(w0, "w0"), as_real(w4, "w4")
    as_moderate(np.array([a, b]), "w0 and w4")
    radius = as_real(radius, "radius", positive=True)
    height = as_real(height, "height", positive=True)
    n = as_positive_int(n, "n")
    if a == 0 and b == 0:
        raise ValueError("w0 and w4 must not both be zero (the slice is then a union of planes)")
    h = np.linspace(-height, height, n)
    S, H = np.meshgrid(np.linspace(-radius, radius, n), h, indexing="ij")
    disc = h**2 - 4 * a * b
    root = np.sqrt(np.where(disc >= 0, disc, np.nan))
    sheets = []
    for sign in (1.0, -1.0):
        # t = d / c solves a t^2 - h t + b = 0, or (|b| > |a|) t = c / d solves b t^2 - h t + a = 0
        t = (h + sign * root) / (2 * (a if abs(a) >= abs(b) else b))
        c, d = (np.ones_like(t), t) if abs(a) >= abs(b) else (t, np.ones_like(t))
        length = np.hypot(c, d)
        sheets.append(np.stack([S * (c / length)[None, :], H, S * (d / length)[None, :]]))
    return CubicSlice(a, b, (sheets[0], sheets[1]), h, disc >= 0)


#: every public name defined here (computed: no second list to keep in step with the module)
__all__ = sorted(
    name
    for name, value in list(globals().items())
    if not name.startswith("_") and getattr(value, "__module__", None) == __name__
)
