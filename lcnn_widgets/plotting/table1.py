"""Pictures for the chapter "Table 1, computed": NTK differences within fibers, per class.

The data come from :func:`lcnn_widgets.table1.reproduce_table1`; nothing here computes
mathematics.
"""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.axes import Axes

from ..table1 import DETERMINED_TOL, Table1Result
from ._common import new_axes

__all__ = ["plot_ntk_differences"]

#: colour of classes whose NTK is determined by (w, delta) / is not (colour-blind safe pair)
COLORS = {True: "#0072B2", False: "#E69F00"}


def plot_ntk_differences(
    result: Table1Result, *, floor: float = 1e-17, ax: Axes | None = None
) -> Axes:
    """Strip plot of the relative NTK difference of every sampled fiber, one column per class.

    Parameters
    ----------
    result : Table1Result
        The output of :func:`lcnn_widgets.table1.reproduce_table1`.
    floor : float, default=1e-17
        Positive; differences below it (zeros too) are drawn at ``floor`` with hollow markers,
        so that a logarithmic axis can show them.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One scatter collection per class (gid ``"class_<key>"``), hollow markers for the
        clipped values (gid ``"clipped_<key>"``), and the threshold line (gid
        ``"threshold"``) at :data:`lcnn_widgets.table1.DETERMINED_TOL`.
    """
    if not isinstance(result, Table1Result):
        raise TypeError(f"result must be a Table1Result: got {type(result).__name__}")
    if not (isinstance(floor, (int, float)) and np.isfinite(floor) and floor > 0):
        raise ValueError(f"floor must be a positive number: got {floor!r}")
    ax = new_axes(ax, (8.0, 4.2))
    labels = []
    for i, row in enumerate(result.rows):
        d = row.differences
        x = i + np.linspace(-0.25, 0.25, d.size) if d.size > 1 else np.full(1, float(i))
        color = COLORS[row.determined]
        shown = d >= floor
        ax.scatter(
            x[shown], d[shown], s=28, color=color, alpha=0.85, zorder=3, gid=f"class_{row.cls.key}"
        )
        ax.scatter(
            x[~shown],
            np.full(int(np.sum(~shown)), floor),
            s=28,
            facecolors="none",
            edgecolors=color,
            zorder=3,
            gid=f"clipped_{row.cls.key}",
        )
        mark = "" if row.agrees else "  (!)"
        labels.append(
            textwrap.fill(row.cls.name, 18)
            + f"\npaper: {'yes' if row.cls.paper_verdict else 'no'}{mark}"
        )
    ax.axhline(DETERMINED_TOL, color="0.3", ls="--", lw=1, gid="threshold")
    label = f"threshold {DETERMINED_TOL:g}"
    ax.text(-0.55, DETERMINED_TOL * 3, label, ha="left", va="bottom", fontsize=8, color="0.3")
    ax.set_yscale("log")
    ax.set_ylim(floor / 10, 10.0)
    ax.set_xlim(-0.6, len(result.rows) - 0.4)
    ax.set_xticks(range(len(result.rows)), labels, fontsize=7)
    ax.set_ylabel(r"relative NTK difference in a fiber")
    ax.scatter([], [], color=COLORS[True], label="determined by (w, delta)")
    ax.scatter([], [], color=COLORS[False], label="not determined")
    ax.scatter([], [], facecolors="none", edgecolors="0.3", label=f"below {floor:g} (drawn at it)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    return ax
