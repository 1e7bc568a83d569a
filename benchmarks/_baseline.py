"""Frozen copies of the implementations *before* the speed work of issue 6.

The benchmarks time these next to the current code in the same run, so before/after numbers
are measured side by side at the same machine load. Nothing in the package imports this file.

* :func:`blocks` / :func:`jacobian` / :func:`ntk`: ``LCN._blocks`` as of commit 364fa5c (one
  Python-level slice assignment per filter entry).
* :func:`render_png`: ``widgets._base.render_png`` as of commit 364fa5c (``savefig`` with the
  default PNG compression).
* :func:`patched`: a context manager that swaps both into the package, so a whole widget update
  can be timed "before".
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lcnn_widgets import LCN
from lcnn_widgets.polynomials import dilated
from lcnn_widgets.polynomials import product as _product


def blocks(net: LCN, fs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``LCN._blocks`` before issue 6 (private attributes read through the public API)."""
    acc_all = [(1,) * net.dim]
    for s in net.stride_shapes:
        acc_all.append(tuple(a * b for a, b in zip(acc_all[-1], s, strict=True)))
    dil = [dilated(f, a) for f, a in zip(fs, acc_all[:-1], strict=True)]  # S_0 .. S_{L-1}
    L = len(dil)
    prefix: list[np.ndarray | None] = [None] * L
    suffix: list[np.ndarray | None] = [None] * L
    for l in range(1, L):
        prev = dil[l - 1] if prefix[l - 1] is None else _product([prefix[l - 1], dil[l - 1]])
        prefix[l] = prev
    for l in range(L - 2, -1, -1):
        nxt = dil[l + 1] if suffix[l + 1] is None else _product([dil[l + 1], suffix[l + 1]])
        suffix[l] = nxt
    out = []
    for l in range(L):
        others = [p for p in (prefix[l], suffix[l]) if p is not None]
        rest = _product(others) if others else np.ones((1,) * net.dim)
        acc = acc_all[l]
        count = int(np.prod(net.filter_shapes[l]))
        block = np.zeros((*net.end_to_end_shape, count))
        for j, idx in enumerate(np.ndindex(net.filter_shapes[l])):
            sl = (
                *(slice(i * a, i * a + r) for i, a, r in zip(idx, acc, rest.shape, strict=True)),
                j,
            )
            block[sl] = rest
        out.append(block.reshape(net.n_outputs, count))
    return out


def jacobian(net: LCN, filters) -> np.ndarray:
    """``LCN.jacobian`` before issue 6."""
    return np.hstack(blocks(net, net.check_filters(filters)))


def ntk(net: LCN, filters) -> np.ndarray:
    """``LCN.ntk`` before issue 6."""
    J = jacobian(net, filters)
    return J @ J.T


def render_png(fig: Figure, *, dpi: int = 80) -> bytes:
    """``widgets._base.render_png`` before issue 6."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


@contextlib.contextmanager
def patched() -> Iterator[None]:
    """Run the package with the pre-issue-6 ``jacobian``, ``ntk`` and PNG render."""
    from lcnn_widgets.widgets import _base

    saved = (LCN.jacobian, LCN.ntk, _base.render_png, _base.Explorer.update)
    LCN.jacobian = jacobian  # type: ignore[assignment]
    LCN.ntk = ntk  # type: ignore[assignment]
    _base.render_png = render_png  # type: ignore[assignment]
    _base.Explorer.update = _old_update  # type: ignore[assignment]
    try:
        yield
    finally:
        (LCN.jacobian, LCN.ntk, _base.render_png, _base.Explorer.update) = saved


def _old_update(self) -> bool:
    """``Explorer.update`` before issue 6."""
    import html

    from lcnn_widgets.widgets._base import USER_ERRORS

    try:
        result = self._compute(**self.values())
    except USER_ERRORS as exc:
        self.error = str(exc)
        self.message.value = (
            '<div style="color:#a40000;border-left:4px solid #a40000;padding-left:6px">'
            f"<b>Cannot draw this:</b> {html.escape(str(exc))} "
            "(showing the last valid picture)</div>"
        )
        return False
    self._draw(self.figure, result)
    self.result = result
    self.error = None
    self.message.value = ""
    self.image.value = render_png(self.figure, dpi=self._dpi)
    return True
