"""Chapter 1 widget: two convolution layers are one convolution, and their polynomials multiply.

:func:`composition_state` is the pure function behind :func:`explore_composition`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import ipywidgets as W
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import StemContainer
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from .._validation import (
    as_filters,
    as_finite_array,
    as_generator,
    as_int_in_range,
    as_nonzero_filters,
    as_positive_int,
)
from ..lcn import LCN, conv
from ..plotting.polynomials import plot_end_to_end, plot_filters, plot_signals, set_stem_data
from ..polynomials import binary_form_latex
from ._base import Explorer
from ._common import group, row, slider, step_up

__all__ = ["CompositionState", "composition_state", "explore_composition", "polynomials_html"]


@dataclass(frozen=True)
class CompositionState:
    """Everything the composition widget draws, computed by :func:`composition_state`."""

    filters: tuple[np.ndarray, ...]  # the 1D layer filters w_1, ..., w_L
    strides: tuple[int, ...]  # s_1, ..., s_L
    end_to_end: np.ndarray  # (k,) pi(theta)
    stride: int  # the total stride S_L
    signal: np.ndarray  # (n,)
    layer_by_layer: np.ndarray  # (m,) LCN.forward(filters, signal)
    one_convolution: np.ndarray  # (m,) conv(end_to_end, S_L, signal)
    max_difference: float  # max |layer_by_layer - one_convolution|
    layer_polynomials: tuple[str, ...]  # LaTeX of P_{w_l}(x^{S_{l-1}}, y^{S_{l-1}}) per layer
    product_polynomial: str  # LaTeX of P_w(x, y) for w = pi(theta)


def composition_state(
    filters: Sequence[ArrayLike],
    strides: Sequence[int],
    signal: ArrayLike,
    *,
    max_stride: int | None = None,
    digits: int = 2,
) -> CompositionState:
    """Compose 1D convolution layers: the end-to-end filter, both outputs and the polynomials.

    Parameters
    ----------
    filters : sequence of array_like, each of shape (k_l,)
        Nonzero layer filters.
    strides : sequence of int
    signal : array_like of shape (n,)
        The input, at least as long as the end-to-end filter.
    max_stride : int, optional
        If given, every stride must lie between 1 and ``max_stride`` (the widget's range).
    digits : int, default=2
        Decimals in the LaTeX polynomials.

    Returns
    -------
    CompositionState

    Notes
    -----
    ``P_{pi(theta)}(x, y) = prod_l P_{w_l}(x^{S_{l-1}}, y^{S_{l-1}})`` (eq. 8), so
    ``max_difference`` is rounding error.

    Examples
    --------
    >>> st = composition_state([[1, 1, 1], [1, 2]], [2, 1], np.arange(7.0))
    >>> st.end_to_end, st.product_polynomial
    (array([1., 1., 3., 2., 2.]), 'x^{4} + x^{3} y + 3 x^{2} y^{2} + 2 x y^{3} + 2 y^{4}')
    """
    if isinstance(filters, (str, bytes)) or not isinstance(filters, (Sequence, np.ndarray)):
        raise TypeError(f"filters must be a sequence of 1D filters: got {type(filters).__name__}")
    arrays = [as_finite_array(f, f"filters[{i}]", ndim=1) for i, f in enumerate(filters)]
    net = LCN([a.size for a in arrays], list(strides))
    if max_stride is not None:
        top = as_positive_int(max_stride, "max_stride")
        for i, s in enumerate(net.strides):
            as_int_in_range(s, f"strides[{i}]", 1, top)
    fs = as_nonzero_filters(net.check_filters(arrays))
    x = as_finite_array(signal, "signal", ndim=1)
    w, layered, stride = net.end_to_end(fs), net.forward(fs, x), net.stride
    assert isinstance(stride, int)  # a network of 1D filters
    direct = conv(w, stride, x)
    layers = zip(fs, net.accumulated_strides, strict=True)
    latex = tuple(binary_form_latex(f, s, digits=digits) for f, s in layers)
    diff = float(np.max(np.abs(layered - direct)))
    return CompositionState(
        filters=tuple(fs),
        strides=tuple(net.strides),
        end_to_end=w,
        stride=stride,
        signal=x,
        layer_by_layer=layered,
        one_convolution=direct,
        max_difference=diff,
        layer_polynomials=latex,
        product_polynomial=binary_form_latex(w, digits=digits),
    )


#: "nice" frame limits: 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten
_NICE = tuple(m * 10.0**k for k in range(-6, 7) for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8))


def _nice_ceil(x: float) -> float:
    """The smallest "nice" number (:data:`_NICE`) that is >= ``x`` (1 for ``x <= 0``)."""
    return step_up(x * (1 - 1e-12), _NICE) if x > 0 else 1.0


def _box_extremes(bound: float, top: int, signal: np.ndarray) -> tuple[float, float]:
    """Largest ``|pi(theta)|``, ``|output|`` on the box ``[-bound, bound]^5`` (at its corners)."""
    corners = np.array(np.meshgrid(*[[-bound, bound]] * 5, indexing="ij")).reshape(5, -1).T
    w_max = out_max = 0.0
    for s in range(1, top + 1):
        net = LCN([3, 2], [s, 1])
        for c in corners:
            w = net.end_to_end([c[:3], c[3:]])
            w_max = max(w_max, float(np.max(np.abs(w))))
            out_max = max(out_max, float(np.max(np.abs(conv(w, net.stride, signal)))))
    return w_max, out_max


def _frame_limits(worst: float, *values: np.ndarray) -> tuple[float, float]:
    """Symmetric y-limits: half the box's worst case, or all of it, rounded up to a nice number."""
    top = max(float(np.max(np.abs(v), initial=0.0)) for v in values)
    low = _nice_ceil(0.55 * worst)
    lim = low if top <= low / 1.1 else _nice_ceil(1.1 * max(worst, top))
    return -lim, lim


def polynomials_html(r: CompositionState) -> str:
    """Lines ``P_{w_1}(x, y) = ...``, ``P_{w_2}(x^{s_1}, y^{s_1}) = ...``, their product (eq. 8).

    HTML with inline LaTeX (for HTMLMath) of a two-layer :class:`CompositionState` ``r``.
    """
    s1 = r.strides[0]
    arg2 = "x, y" if s1 == 1 else f"x^{{{s1}}}, y^{{{s1}}}"
    lines = [
        rf"$P_{{w_1}}(x, y) = {r.layer_polynomials[0]}$",
        rf"$P_{{w_2}}({arg2}) = {r.layer_polynomials[1]}$",
        rf"$P_{{w_1}}(x, y)\,P_{{w_2}}({arg2}) = P_w(x, y) = {r.product_polynomial}$",
    ]
    return "<br>".join(lines)


def explore_composition(
    *,
    filters: Sequence[ArrayLike] = ((1.0, -1.2, 0.6), (0.8, 1.5)),
    stride: int = 2,
    max_stride: int = 3,
    n_signal: int = 24,
    rng: np.random.Generator | None = None,
    dpi: int = 80,
) -> Explorer:
    """Sliders for a two-layer 1D network with filter sizes (3, 2): see eq. 8 at work.

    Shows ``P_{w_1}(x, y) P_{w_2}(x^{s_1}, y^{s_1}) = P_{pi(theta)}`` and the output on a random
    signal, layer by layer and as one convolution with ``pi(theta)``.

    Parameters
    ----------
    filters : pair of array_like of shapes (3,) and (2,), default=((1, -1.2, 0.6), (0.8, 1.5))
        Initial filters; the sliders run over ``[-2, 2]`` (wider if an entry needs it).
    stride : int, default=2
        Initial first stride ``s_1``; the second stride is 1 (it does not change ``pi``).
    max_stride : int, default=3
        The stride slider runs over ``1, ..., max_stride``.
    n_signal : int, default=24
        Length of the test signal (at least ``3 + max_stride``).
    rng : numpy.random.Generator, optional
        Source of the test signal; default ``numpy.random.default_rng(0)``.
    dpi : int, default=80

    Returns
    -------
    Explorer
        Controls ``u0, u1, u2`` (``w_1``), ``v0, v1`` (``w_2``) and ``s1``;
        ``explorer.artists``: stem plots ``"w1"``, ``"w2"``, ``"end_to_end"``, lines
        ``"layer_by_layer"``, ``"one_convolution"``, the HTMLMath ``"polynomials"``.

    Examples
    --------
    >>> ex = explore_composition()
    >>> ex.set_values(u0=0.5, s1=3)
    >>> ex.artists["end_to_end"].markerline.get_ydata().size   # 3 + (2 - 1) * 3
    6
    """
    w1, w2 = as_filters(filters, [(3,), (2,)])
    top = as_positive_int(max_stride, "max_stride")
    s1 = as_int_in_range(stride, "stride", 1, top)
    n = as_int_in_range(n_signal, "n_signal", 3 + top, 10_000)
    signal = (np.random.default_rng(0) if rng is None else as_generator(rng)).standard_normal(n)

    def compute(u0: float, u1: float, u2: float, v0: float, v1: float, s1: int):
        return composition_state([[u0, u1, u2], [v0, v1]], [s1, 1], signal, max_stride=top)

    first = composition_state([w1, w2], [s1, 1], signal, max_stride=top)
    bound = max(2.0, float(np.ceil(max(np.abs(w1).max(), np.abs(w2).max()))))

    # ---- the figure: fixed positions and fixed axes, artists made once. Only data move on an
    # update (the fast path of the Explorer); the values that change go to the readout line.
    w_worst, out_worst = _box_extremes(bound, top, signal)
    fig = Figure(figsize=(9.0, 5.2), dpi=dpi)
    FigureCanvasAgg(fig)  # one Agg canvas for the figure's life: its renderer caches text layouts
    gs = fig.add_gridspec(
        2, 2, left=0.08, right=0.98, top=0.92, bottom=0.1, hspace=0.62, wspace=0.22
    )
    ax_f, ax_w, ax_s = (fig.add_subplot(g) for g in (gs[0, 0], gs[0, 1], gs[1, :]))
    plot_filters(first.filters, ax=ax_f, title=None)
    ax_f.set_title("layer filters", loc="left", fontsize="medium")
    ax_f.set_ylim(-1.1 * bound, 1.1 * bound)
    # the keys sit above the axes (outside the data, so they are drawn once)
    key: dict[str, Any] = {"loc": "lower right", "bbox_to_anchor": (1.0, 1.0), "ncols": 2}
    key |= {"fontsize": "small", "frameon": False, "borderaxespad": 0.1}
    ax_f.legend(ax_f.containers[:2], ["$w_1$", "$w_2$"], handlelength=1.6, columnspacing=1.0, **key)
    k_max = 3 + top
    plot_end_to_end(first.end_to_end, ax=ax_w, title=r"end-to-end filter $w=\pi(\theta)$")
    ax_w.title.set_fontsize("medium")
    ax_w.set(xticks=np.arange(k_max), xlim=(-0.7, k_max - 0.3))  # all sizes: a fixed frame
    x0 = first.stride * np.arange(first.layer_by_layer.size)
    plot_signals(first.layer_by_layer, first.one_convolution, ax=ax_s, positions=x0, title="")
    ax_s.set_title(f"output on a fixed random signal (length {n})", loc="left", fontsize="medium")
    ax_s.legend(**key)
    ax_s.set_xlim(-0.7, n - 0.3)
    formulas = W.HTMLMath(value=polynomials_html(first))
    filter_x = [np.array(cast(StemContainer, c).markerline.get_xdata()) for c in ax_f.containers]
    artists: dict[str, Any] = {"w1": ax_f.containers[0], "w2": ax_f.containers[1]}
    artists |= {"end_to_end": ax_w.containers[0], "layer_by_layer": ax_s.lines[0]}
    artists |= {"one_convolution": ax_s.lines[1], "polynomials": formulas}

    def draw(fig: Figure, r: CompositionState) -> str:
        for stem, x, f in zip((artists["w1"], artists["w2"]), filter_x, r.filters, strict=True):
            set_stem_data(stem, x, f)
        k = r.end_to_end.size
        set_stem_data(artists["end_to_end"], np.arange(k), r.end_to_end)
        ax_w.set_ylim(_frame_limits(w_worst, r.end_to_end))
        idx = r.stride * np.arange(r.layer_by_layer.size)
        artists["layer_by_layer"].set_data(idx, r.layer_by_layer)
        artists["one_convolution"].set_data(idx, r.one_convolution)
        ax_s.set_ylim(_frame_limits(out_worst, r.layer_by_layer, r.one_convolution))
        formulas.value = polynomials_html(r)
        return (
            f"end-to-end filter <i>w</i> = π(θ): <b>size {k}</b>, total stride "
            f"<b>{r.stride}</b> &nbsp;·&nbsp; outputs: max |layer by layer − one "
            f"convolution| = <b>{r.max_difference:.1e}</b>"
        )

    entry: dict[str, Any] = dict(description_width=40, track=150, readout_format=".1f")
    controls = {
        f"{u}{i}": slider("float", f"w{sub}[{i}]", float(v), -bound, bound, 0.1, **entry)
        for u, sub, f in (("u", "₁", w1), ("v", "₂", w2))
        for i, v in enumerate(f)
    }
    controls["s1"] = slider("int", "s₁", s1, 1, top, 1, description_width=40, track=150)
    layer_1 = row(*(controls[f"u{i}"] for i in range(3)))
    layer_2 = row(controls["v0"], controls["v1"], controls["s1"])
    box = W.VBox(
        [
            group("<b>Layer 1</b>: the three entries of its filter w₁", layer_1),
            group(
                "<b>Layer 2</b>: the two entries of its filter w₂; <b>stride</b> s₁ of layer 1 "
                "(layer 2 has stride 1)",
                layer_2,
            ),
            formulas,
        ]
    )
    explorer = Explorer(
        controls,
        compute,
        draw,
        fig,
        dpi=dpi,
        layout_controls=box,
        title=(
            "<b>Two layers are one convolution.</b> Layer 1 has filter "
            "w₁ (3 entries) and stride s₁, layer 2 has filter w₂ (2 entries) and stride 1."
        ),
        preview=("u1", np.round(np.linspace(-2.0, 2.0, 9), 2).tolist()),
        alt=(
            "Three panels: the layer filters w₁ and w₂ as stem plots, the end-to-end filter "
            "w = π(θ) with its size and stride, and the outputs of the network on a fixed "
            "random signal, computed layer by layer and as one convolution with π(θ); the two "
            "outputs coincide."
        ),
    )
    explorer.artists = artists
    return explorer
