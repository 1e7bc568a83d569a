"""Plots (matplotlib only): functions take data (and ``ax=None``) and return Figure/Axes.

The mathematics is never computed here beyond what a picture needs; it comes from the pure
functions of :mod:`lcnn_widgets`.
"""

__all__: list[str] = []
