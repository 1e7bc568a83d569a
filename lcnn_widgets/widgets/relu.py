"""The widget of the chapter on shallow ReLU networks: two factorizations of the identity.

A 2-2-2 ReLU MLP is built from an invertible ``A`` and an orthogonal ``Q`` (Ex. 20) as
``(A, A^{-1})`` and ``(A Q, Q^T A^{-1})``: the same conserved quantities, the same function where
all hidden neurons are active, and different NTKs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._validation import as_finite_array, as_positive_int, as_real
from ..dense import identity_factorization
from ..plotting._common import find, image_colorbar
from ..plotting.dense import plot_ntk_heatmap
from ..plotting.relu import DASHES, KINK, STAR, plot_activation_regions
from ..relu import (
    ActivationRegions,
    ParameterComparison,
    ReLUMLP,
    activation_regions,
    compare_parametrizations,
)
from ._base import Explorer
from ._common import dropdown, group, panel_figure, row, slider

__all__ = ["Q_CHOICES", "ReLUPairPicture", "explore_relu", "relu_pair_picture", "relu_readout"]

MLP = ReLUMLP([2, 2, 2])

#: the orthogonal matrices offered for ``Q``, by key
Q_CHOICES: dict[str, np.ndarray] = {
    "swap": np.array([[0.0, 1.0], [1.0, 0.0]]),
    "rotation by 90°": np.array([[0.0, -1.0], [1.0, 0.0]]),
    "identity": np.eye(2),
}


@dataclass(frozen=True, eq=False)
class ReLUPairPicture:
    """Everything the ReLU widget draws."""

    A: np.ndarray  # (2, 2): the invertible A
    Q: np.ndarray  # (2, 2): Q_CHOICES[q]
    q: str
    first: list  # [A, A^{-1}]
    second: list  # [A Q, Q^T A^{-1}]
    regions: tuple[ActivationRegions, ActivationRegions]  # on the square [-extent, extent]^2
    comparison: ParameterComparison  # of both networks at x0 (2 x 2 NTKs)
    x0: np.ndarray  # (2,)
    linear_at_x0: tuple[bool, bool]  # all hidden neurons active at x0 (the identity near it)
    vmin: float  # the common range of the entries of both NTKs (vmin <= 0)
    vmax: float
    ntk_scale: float  # the largest absolute NTK entry (heatmaps: Theta / ntk_scale)


def relu_pair_picture(
    a11: float,
    a12: float,
    a21: float,
    a22: float,
    q: str = "swap",
    *,
    x0: Sequence[float] = (1.0, 1.0),
    extent: float = 2.0,
    resolution: int = 121,
) -> ReLUPairPicture:
    """Compute the two networks ``(A, A^{-1})`` and ``(A Q, Q^T A^{-1})`` and what is drawn.

    Parameters
    ----------
    a11, a12, a21, a22 : float, the entries of an invertible ``A`` (row by row)
    q : {"swap", "rotation by 90°", "identity"}, default="swap", the orthogonal ``Q``
    x0 : (float, float), default=(1, 1), the test input for the NTKs
    extent : float, default=2.0, half-width of the square of inputs shown
    resolution : int, default=121, grid points per axis of the region pictures

    Examples
    --------
    >>> pic = relu_pair_picture(2.0, 0.0, 0.0, 0.5, "swap")
    >>> pic.comparison.ntks[0].round(2).tolist(), pic.comparison.ntks[1].round(2).tolist()
    ([[4.75, 0.0], [0.0, 12.25]], [[12.25, 0.0], [0.0, 4.75]])
    """
    A = as_finite_array([[a11, a12], [a21, a22]], "A", ndim=2)
    if q not in Q_CHOICES:
        raise ValueError(f"q must be one of {sorted(Q_CHOICES)}: got {q!r}")
    Q = Q_CHOICES[q]
    first, second = pair = (identity_factorization(A), identity_factorization(A, Q))
    half = as_real(extent, "extent", positive=True)
    res = as_positive_int(resolution, "resolution")
    x = as_finite_array(x0, "x0", ndim=1)
    if x.shape != (2,):
        raise ValueError(f"x0 must be a point of the plane (2 numbers): got shape {x.shape}")
    box = (-half, half, -half, half)
    regions = tuple(activation_regions(MLP, p, extent=box, resolution=res) for p in pair)
    comparison = compare_parametrizations(MLP, first, second, x[None])
    linear = tuple(bool(np.all(MLP.activation_pattern(p, x[None]))) for p in pair)
    both = np.concatenate([k.ravel() for k in comparison.ntks])
    scale = float(np.max(np.abs(both)))
    return ReLUPairPicture(
        A=A,
        Q=Q.copy(),
        q=q,
        first=first,
        second=second,
        regions=regions,
        comparison=comparison,
        x0=x,
        linear_at_x0=linear,  # type: ignore[arg-type]
        vmin=min(0.0, float(both.min())),
        vmax=float(both.max()),
        ntk_scale=scale if scale > 0 else 1.0,
    )


def _matrix(k: np.ndarray) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{v:.2f}" for v in row) + "]" for row in k) + "]"


def relu_readout(r: ReLUPairPicture) -> str:
    """The values that change with the controls, as HTML (the line above the picture).

    Examples
    --------
    >>> "‖Θ − Θ'‖ = <b>10.607</b>" in relu_readout(relu_pair_picture(2.0, 0.0, 0.0, 0.5))
    True
    """
    c = r.comparison
    q1, q2 = (", ".join(f"{v:.2f}" for v in inv) for inv in c.invariants)
    f1, f2 = (", ".join(f"{v:.2f}" for v in out.ravel()) for out in c.outputs)
    lin = {True: "all active", False: "not all active"}
    k1, k2 = (_matrix(k) for k in c.ntks)
    return (
        f"conserved quantities: ({q1}) and ({q2}) &nbsp;·&nbsp; f(x₀): ({f1}) and ({f2})"
        f" &nbsp;·&nbsp; at x₀: {lin[r.linear_at_x0[0]]} / {lin[r.linear_at_x0[1]]}<br>"
        f"Θ = {k1}, &nbsp;Θ' = {k2} &nbsp;·&nbsp; ‖Θ − Θ'‖ = <b>{c.ntk_gap:.3f}</b>"
        f" &nbsp;·&nbsp; colours: Θ / {r.ntk_scale:.3g} (the largest entry)"
    )


def explore_relu(
    *,
    a: Sequence[float] = (2.0, 0.0, 0.0, 0.5),
    q: str = "swap",
    x0: Sequence[float] = (1.0, 1.0),
    resolution: int = 121,
) -> Explorer:
    """Move the first-layer weights ``A`` of a 2-2-2 ReLU MLP and compare two factorizations.

    The Explorer has sliders ``a11, a12, a21, a22`` on ``[-3, 3]`` and a dropdown ``q``; panels:
    the activation regions of both networks and their NTKs at ``x0`` (``Theta / max |Theta|``),
    with :func:`relu_readout` above. A singular ``A`` shows a message.

    Parameters
    ----------
    a : four floats, default=(2, 0, 0, 0.5), initial ``A`` row by row (Ex. 20's ``diag(2, 1/2)``)
    q : str, default="swap", initial ``Q`` (a key of :data:`Q_CHOICES`)
    x0 : (float, float), default=(1, 1), the test input (a star in the region pictures)
    resolution : int, default=121, grid points per axis

    Examples
    --------
    >>> ex = explore_relu()
    >>> ex.error is None and sorted(ex.controls) == ["a11", "a12", "a21", "a22", "q"]
    True
    """
    vals = as_finite_array(a, "a", ndim=1)
    if vals.shape != (4,):
        raise ValueError(f"a must hold the four entries of A: got {vals.size} numbers")
    if q not in Q_CHOICES:
        raise ValueError(f"q must be one of {sorted(Q_CHOICES)}: got {q!r}")
    point = tuple(float(v) for v in as_finite_array(x0, "x0", ndim=1))
    res = as_positive_int(resolution, "resolution")

    entry: dict[str, Any] = dict(description_width=40, track=150, readout_format=".2f")
    names, labels_a = ("a11", "a12", "a21", "a22"), ("A₁₁", "A₁₂", "A₂₁", "A₂₂")
    controls = {
        name: slider("float", label, float(v), -3.0, 3.0, 0.05, **entry)
        for name, label, v in zip(names, labels_a, vals, strict=True)
    }
    controls["q"] = dropdown(list(Q_CHOICES), q, "Q")
    rows = (row(controls["a11"], controls["a12"]), row(controls["a21"], controls["a22"]))
    layer = group("<b>First layer</b> A (the second layer is A⁻¹)", *rows)
    box = row(layer, group("<b>Orthogonal matrix</b> Q", controls["q"]))

    def compute(a11: float, a12: float, a21: float, a22: float, q: str) -> ReLUPairPicture:
        return relu_pair_picture(a11, a12, a21, a22, q, x0=point, resolution=res)

    counts: dict[str, Any] = dict(ticks=[0.0, 0.5, 1.0], ticklabels=["0", "1", "2"])  # 2 neurons
    margins: dict[str, Any] = dict(left=0.07, right=0.91, bottom=0.12, top=0.83, wspace=0.5)
    fig, axes = panel_figure((11.2, 4.0), 1, 4, width_ratios=[1, 1, 0.8, 0.8], **margins)
    labels = ("$x_1$", "$x_2$")
    # the frame, drawn once: titles, the 2 x 2 NTK heatmaps on the fixed scale [-1, 1], the
    # colour bars, and one legend above the region panels (outside the data: never redrawn)
    heads = ("(W₁, W₂) = ", "(W₁', W₂') = ", "NTK at x₀\nof ", "NTK at x₀\nof ")
    for ax, head, net in zip(axes, heads, ("(A, A⁻¹)", "(AQ, QᵀA⁻¹)") * 2, strict=True):
        ax.set_title(head + net, fontsize="medium")
    for ax in axes[:2]:  # fixed ticks: cheaper to check on every update than a tick locator
        ax.set(xticks=np.arange(-2.0, 2.5, 1.0), yticks=np.arange(-2.0, 2.5, 0.5))
    for ax in axes[2:]:
        plot_ntk_heatmap(np.zeros((2, 2)), vmin=-1.0, vmax=1.0, annotate=False, ax=ax)
        ax.set(xticks=[0, 1], xticklabels=["f₁", "f₂"], yticks=[0, 1], yticklabels=["f₁", "f₂"])
    ntk_images = [find(ax.get_images(), "ntk") for ax in axes[2:]]
    image_colorbar(ntk_images, host=axes[3], ticks=[-1.0, 0.0, 1.0], label="Θ / max |Θ|")
    handles = [Line2D([], [], ls=DASHES[u], label=f"kink of unit {u + 1}", **KINK) for u in (0, 1)]
    handles.append(Line2D([], [], label="test input x₀", **{**STAR, "ms": 11}))
    legend: dict[str, Any] = dict(ncol=3, fontsize="small", frameon=False)
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.06, 1.0), **legend)

    def draw(figure: Figure, r: ReLUPairPicture) -> str:
        for ax, regions in zip(axes[:2], r.regions, strict=True):
            plot_activation_regions(regions, point=r.x0, labels=labels, ax=ax, legend=False)
        images = [find(ax.get_images(), "regions") for ax in axes[:2]]
        image_colorbar(images, host=axes[1], label="active neurons", **counts)
        for ax, k in zip(axes[2:], r.comparison.ntks, strict=True):
            plot_ntk_heatmap(k / r.ntk_scale, vmin=-1.0, vmax=1.0, annotate=False, ax=ax)
        return relu_readout(r)

    title = "<b>Same conserved quantities, same function near x₀ — which NTK?</b>"
    alt = (
        "Two pictures of the plane of inputs shaded by the number of active hidden neurons, with "
        "the kink lines and the test input x₀, for the networks (A, A⁻¹) and (AQ, QᵀA⁻¹); and the "
        "NTKs of both networks at x₀ as 2 by 2 heatmaps on one colour scale (divided by their "
        "largest entry), which differ although the conserved quantities agree."
    )
    preview = ("a11", np.linspace(-3.0, 3.0, 9).tolist())
    return Explorer(
        controls, compute, draw, fig, layout_controls=box, title=title, preview=preview, alt=alt
    )
