"""Plots (matplotlib only): functions take data (and ``ax=None``) and return Figure/Axes.

The mathematics is never computed here beyond what a picture needs; it comes from the pure
functions of :mod:`lcnn_widgets`.
"""

# Lists of names: packed, which reads better than one name per line.
# isort: off
# fmt: off
from .dense import plot_ntk_distance, plot_ntk_heatmap, vec_labels
from .fibers import (
    LAYER_COLORS, layer_color, orbit_outline, plot_factorization_counts, plot_root_orbits
)
from .flows import (
    plot_convergence, plot_drift_curves, plot_flow_plane, plot_loss_curves, projection_plane
)
from .higher_dim import plot_filter_grid, plot_filter_row
from .invariants import (
    plot_invariant_drift, plot_loss, plot_orbit_invariant, plot_orbit_plane, plot_rescaling_equation
)
from .metric import ellipse_outline, plot_neuromanifold_slice, plot_ntk_entry, plot_unit_balls
from .polynomials import (
    plot_conv_matrix, plot_end_to_end, plot_filter_image, plot_filters, plot_signals, set_stem_data
)
from .relu import kink_segment, plot_activation_regions
from .stride_one import PANEL_COLORS, plot_ntk_panels, plot_pair_roots, plot_spread_and_count
from .table1 import plot_ntk_differences

__all__: list[str] = [
    "LAYER_COLORS", "PANEL_COLORS", "ellipse_outline", "kink_segment", "layer_color",
    "orbit_outline", "plot_activation_regions", "plot_conv_matrix", "plot_convergence",
    "plot_drift_curves", "plot_end_to_end", "plot_factorization_counts", "plot_filter_grid",
    "plot_filter_image", "plot_filter_row", "plot_filters", "plot_flow_plane",
    "plot_invariant_drift", "plot_loss", "plot_loss_curves", "plot_neuromanifold_slice",
    "plot_ntk_differences", "plot_ntk_distance", "plot_ntk_entry", "plot_ntk_heatmap",
    "plot_ntk_panels", "plot_orbit_invariant", "plot_orbit_plane", "plot_pair_roots",
    "plot_rescaling_equation", "plot_root_orbits", "plot_signals", "plot_spread_and_count",
    "plot_unit_balls", "projection_plane", "set_stem_data", "vec_labels"
]
# fmt: on
# isort: on
