"""The widget of the chapter on fully connected networks: two ways of turning a rotation.

Both families factor ``I_2`` with two layers at a fixed invariant: the balanced orbit
``(R(phi), R(phi)^T)`` (Thm 14) keeps the NTK, the family ``(A R(phi), R(phi)^T A^{-1})`` with
``A = diag(a, 1/a)`` (Ex. 20) moves it unless ``a = 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import numpy as np
from matplotlib.colors import SymLogNorm
from matplotlib.figure import Figure

from .._validation import as_finite_array, as_positive_int
from ..dense import FCN, balanced_factorization, identity_factorization, orthogonal_orbit, rotation
from ..plotting._common import find, image_colorbar
from ..plotting.dense import plot_ntk_distance, plot_ntk_heatmap
from ._base import Explorer
from ._common import group, panel_figure, row, slider

__all__ = ["OrbitPicture", "explore_orbit", "orbit_picture"]

NET = FCN((2, 2, 2))
BALANCED = "balanced orbit (R, Rᵀ)"
UNBALANCED = "same invariant (AR, RᵀA⁻¹)"


@dataclass(frozen=True, eq=False)
class OrbitPicture:
    """Everything the orbit widget draws (NTKs on row-major ``vec(Z)``)."""

    phi: float  # the rotation angle
    a: float  # the scale in A = diag(a, 1/a)
    balanced: list  # (R(phi), R(phi)^T)
    unbalanced: list  # (A R(phi), R(phi)^T A^{-1})
    ntk_balanced: np.ndarray  # (4, 4)
    ntk_unbalanced: np.ndarray  # (4, 4)
    invariant: np.ndarray  # (2, 2) A^{-2} - A^2, the invariant of the second family
    grid: np.ndarray  # (n,) angles in [0, 2 pi]
    distance_balanced: np.ndarray  # (n,) ||Theta(phi) - Theta(0)||_F along the balanced orbit
    distance_unbalanced: np.ndarray  # (n,) the same along the second family
    current: tuple[float, float]  # the two distances at phi
    vmin: float  # the range of both NTKs over the grid
    vmax: float


def _families(phi: float, a: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    R = rotation(phi)
    balanced = orthogonal_orbit(balanced_factorization(np.eye(2), 2), [R])
    unbalanced = identity_factorization(np.diag([a, 1.0 / a]), R)
    return balanced, unbalanced


def orbit_picture(phi: float, a: float, *, n_grid: int = 121) -> OrbitPicture:
    """NTKs along the balanced orbit and along the Ex. 20 family, at ``phi`` and on a grid.

    Parameters
    ----------
    phi, a : float
        The rotation angle (radians) and the scale in ``A = diag(a, 1/a)``, ``a > 0``.
    n_grid : int, default=121
        Number of angles in ``[0, 2 pi]`` for the distance curves.

    Returns
    -------
    OrbitPicture

    Examples
    --------
    >>> pic = orbit_picture(0.5, 2.0)
    >>> round(float(pic.distance_balanced.max()), 12), bool(pic.current[1] > 1)
    (0.0, True)
    """
    p = float(as_finite_array(phi, "phi", ndim=0))
    scale = float(as_finite_array(a, "a", ndim=0))
    if not scale > 0:
        raise ValueError(f"a must be positive (A = diag(a, 1/a) must be invertible): got {a!r}")
    grid, dist, base, vmin, vmax = _curves(scale, as_positive_int(n_grid, "n_grid"))
    balanced, unbalanced = _families(p, scale)
    nb, nu = NET.ntk(balanced), NET.ntk(unbalanced)
    (invariant,) = NET.invariants(unbalanced)
    current = (float(np.linalg.norm(nb - base[0])), float(np.linalg.norm(nu - base[1])))
    dist_b, dist_u = dist.T
    return OrbitPicture(
        p, scale, balanced, unbalanced, nb, nu, invariant, grid, dist_b, dist_u, current, vmin, vmax
    )


def _two_layer_ntks(W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """NTKs ``kron(W_2 W_2^T, I) + kron(I, W_1^T W_1)`` (eq. 7), (m, 2, 2) -> (m, 4, 4)."""
    P = W2 @ W2.transpose(0, 2, 1)
    Q = W1.transpose(0, 2, 1) @ W1
    eye = np.eye(2)
    ntks = np.einsum("mij,kl->mikjl", P, eye) + np.einsum("ij,mkl->mikjl", eye, Q)
    return ntks.reshape(-1, 4, 4)


@lru_cache(maxsize=64)
def _curves(a: float, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """Distance curves of :func:`_families` on the grid (cached: they depend on ``a`` only)."""
    grid = np.linspace(0.0, 2 * np.pi, n)
    c, s = np.cos(grid), np.sin(grid)
    R = np.stack([np.stack([c, -s], axis=1), np.stack([s, c], axis=1)], axis=1)  # rotation
    Rt = R.transpose(0, 2, 1)
    A, A_inv = np.diag([a, 1.0 / a]), np.diag([1.0 / a, a])
    ntks = np.stack([_two_layer_ntks(R, Rt), _two_layer_ntks(A @ R, Rt @ A_inv)], axis=1)
    dist = np.linalg.norm(ntks - ntks[:1], axis=(2, 3))
    for arr in (grid, dist, ntks):
        arr.flags.writeable = False
    return grid, dist, ntks[0], float(ntks.min()), float(ntks.max())


def _matrix(M: np.ndarray) -> str:
    return "(" + ", ".join("(" + ", ".join(f"{v:.2f}" for v in row) + ")" for row in M) + ")"


def _readout(r: OrbitPicture) -> str:
    """The values that change with the controls, as HTML (``Theta(Z) = P Z + Z Q``, eq. 7)."""
    W1, W2 = r.unbalanced
    off = float(np.max(np.abs(r.ntk_balanced - 2 * np.eye(r.ntk_balanced.shape[0]))))
    return (
        f"φ = <b>{r.phi:.2f}</b> &nbsp;·&nbsp; ‖Θ(φ) − Θ(0)‖: balanced "
        f"<b>{r.current[0]:.2g}</b>, same invariant <b>{r.current[1]:.3g}</b><br>"
        f"balanced: Θ(Z) = 2Z (Θ = 2·I up to {off:.0e}) &nbsp;·&nbsp; same invariant "
        f"diag({r.invariant[0, 0]:.2f}, {r.invariant[1, 1]:.2f}): Θ(Z) = P Z + Z Q with "
        f"P = RᵀA⁻²R = {_matrix(W2 @ W2.T)}, Q = RᵀA²R = {_matrix(W1.T @ W1)}"
    )


def _level(a: float) -> float:
    """``max(a, 1/a)`` rounded up to ``1.25 sqrt(2)^k`` (the families mirror under ``a -> 1/a``)."""
    m = max(a, 1.0 / a)
    k = max(0.0, np.ceil(2.0 * np.log2(m / 1.25) - 1e-9))
    return float(1.25 * np.sqrt(2.0) ** k)


#: the smallest positive scale a of the widget's slider (its step): the frame holds its NTKs
A_SMALLEST = 0.05


@lru_cache(maxsize=16)
def _frame(a: float, n: int) -> tuple[float, float, float]:
    """Colour limits and distance-axis top at ``_level(a)``, holding all smaller ``max(a, 1/a)``."""
    level = _level(a)
    _, dist, _, vmin, vmax = _curves(level, n)
    return vmin, vmax, float(max(dist.max(), 1.0))


def explore_orbit(*, phi: float = 0.6, a: float = 2.0, n_grid: int = 121) -> Explorer:
    """Rotate along the balanced orbit and along the Ex. 20 family and compare the NTKs.

    Parameters
    ----------
    phi, a : float, default=0.6, 2.0
        The initial angle in ``[0, 2 pi]`` and scale in ``[0, 4]`` (``a = 0`` shows a message).
    n_grid : int, default=121
        Angles on the distance curves.

    Returns
    -------
    Explorer
        Controls ``phi`` and ``a``. Panels: the NTKs of both families on one colour scale, and
        ``||Theta(phi) - Theta(0)||_F`` for both with markers at ``phi``.

    Examples
    --------
    >>> ex = explore_orbit()
    >>> ex.error is None and sorted(ex.controls) == ["a", "phi"]
    True
    """
    n = as_positive_int(n_grid, "n_grid")
    angle: dict[str, Any] = dict(track=300, readout_format=".2f", continuous_update=True)
    controls = {
        "phi": slider("float", "angle φ", float(phi), 0.0, float(2 * np.pi), 0.02, **angle),
        "a": slider("float", "scale a", float(a), 0.0, 4.0, 0.05, track=200, readout_format=".2f"),
    }
    box = group(
        "<b>Rotation</b> angle φ of R(φ), and the <b>scale</b> a in A = diag(a, 1/a) "
        "(for a = 1 both families are balanced)",
        row(controls["phi"], controls["a"]),
    )

    margins: dict[str, Any] = dict(left=0.06, right=0.965, bottom=0.17, top=0.9, wspace=0.45)
    fig, (ax_b, ax_u, ax_d) = panel_figure((11.2, 4.0), 1, 3, width_ratios=[1, 1, 1.3], **margins)
    # fixed titles at y=1 (no measuring of tick labels); the changing numbers go to the colour
    # bar and the readout (numbers in the cells would be 32 texts redrawn on every update)
    ax_u.tick_params(labelleft=False)  # its rows are those of the left heatmap, labelled there
    ax_b.set_title("Θ of (R, Rᵀ): balanced", fontsize="medium", y=1.0)
    ax_u.set_title("Θ of (AR, RᵀA⁻¹): same invariant", fontsize="medium", y=1.0)
    # the key above the curves (outside the data: drawn once with the frame)
    key = dict(loc="lower center", bbox_to_anchor=(0.5, 1.015), ncols=1, borderaxespad=0.0)
    key.update(borderpad=0.2, labelspacing=0.2, handlelength=1.6, frameon=False)

    # one frame for every a and phi: the scales of the slider's smallest a > 0 (the largest NTKs
    # and distances), symmetric-logarithmic so that a = 1 (entries ~1) reads as well as a = 0.05
    vmin, vmax, top = _frame(min(A_SMALLEST, float(a)) if a > 0 else A_SMALLEST, n)
    norm = SymLogNorm(linthresh=1.0, linscale=1.0, vmin=vmin, vmax=vmax, base=10)
    ylim = (-0.3, 1.1 * top)
    ax_d.set_yscale("symlog", linthresh=1.0, linscale=1.0)
    ax_d.set_ylim(*ylim)

    def draw(figure: Figure, r: OrbitPicture) -> str:
        for ax, ntk in ((ax_b, r.ntk_balanced), (ax_u, r.ntk_unbalanced)):
            plot_ntk_heatmap(ntk, shape=(2, 2), norm=norm, ax=ax, annotate=False)
        images = [find(ax.get_images(), "ntk") for ax in (ax_b, ax_u)]
        image_colorbar(images, host=ax_u)  # one colour scale for both
        curves = {BALANCED: r.distance_balanced, UNBALANCED: r.distance_unbalanced}
        current = dict(zip(curves, r.current, strict=True))
        plot_ntk_distance(
            r.grid, curves, phi=r.phi, current=current, ax=ax_d, ylim=ylim, legend=key
        )
        return _readout(r)

    return Explorer(
        controls,
        partial(orbit_picture, n_grid=n),
        draw,
        fig,
        layout_controls=box,
        title="<b>Two rotations of a factorization of I₂: which one moves the NTK?</b>",
        preview=("phi", np.round(np.linspace(0.0, 2 * np.pi, 13), 3).tolist()),
        alt=(
            "Two heatmaps on one colour scale: the NTK of the balanced factorization "
            "(R(φ), R(φ)ᵀ), which stays 2 times the identity, and the NTK of (A R(φ), R(φ)ᵀ "
            "A⁻¹), which changes with φ; and the distance of both NTKs to their value at "
            "φ = 0 as curves over the angle, with markers at the current φ."
        ),
    )
