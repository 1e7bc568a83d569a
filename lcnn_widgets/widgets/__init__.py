"""Interactive widgets (ipywidgets): sliders wired to the pure functions and the plots.

Every widget is an :class:`Explorer`: it draws its default state when created, shows a message
instead of a traceback on bad input, and keeps its last good picture.
"""

from ._base import Explorer, render_png
from .dense import OrbitPicture, explore_orbit, orbit_picture
from .describe import DescribePicture, describe_picture, explore_describe
from .fibers import FiberPicture, explore_fibers, fiber_picture, widget_roots
from .flows import FlowPicture, explore_flow, flow_picture
from .higher_dim import TwoDPicture, explore_2d, two_d_picture
from .invariants import InvariantsPicture, explore_invariants, invariants_picture
from .metric import MetricChart, MetricPicture, explore_metric, metric_chart, metric_picture
from .polynomials import CompositionState, composition_state, explore_composition
from .relu import ReLUPairPicture, explore_relu, relu_pair_picture
from .static import StaticTwin, static_twin
from .stride_one import StrideOnePicture, explore_stride_one, stride_one_picture
from .table1 import Table1Picture, explore_table1, table1_picture

# A list of names: packed, which reads better than one name per line.
# fmt: off
__all__ = [
    "CompositionState", "DescribePicture", "Explorer", "FiberPicture", "FlowPicture",
    "InvariantsPicture", "MetricChart", "MetricPicture", "OrbitPicture", "ReLUPairPicture",
    "StaticTwin", "StrideOnePicture", "Table1Picture", "TwoDPicture", "composition_state",
    "describe_picture", "explore_2d", "explore_composition", "explore_describe", "explore_fibers",
    "explore_flow", "explore_invariants", "explore_metric", "explore_orbit", "explore_relu",
    "explore_stride_one", "explore_table1", "fiber_picture", "flow_picture", "invariants_picture",
    "metric_chart", "metric_picture", "orbit_picture", "relu_pair_picture", "render_png",
    "static_twin", "stride_one_picture", "table1_picture", "two_d_picture", "widget_roots"
]
# fmt: on
