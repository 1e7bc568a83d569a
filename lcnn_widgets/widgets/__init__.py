"""Interactive widgets (ipywidgets): sliders wired to the pure functions and the plots.

Every widget is an :class:`Explorer`: it draws its default state when created, shows a message
instead of a traceback on bad input, and keeps its last good picture.
"""

from ._base import Explorer, render_png
from .static import StaticTwin, static_twin
from .flows import FlowPicture, explore_flow, flow_picture
from .polynomials import CompositionState, composition_state, explore_composition
from .invariants import InvariantsPicture, explore_invariants, invariants_picture
from .metric import MetricChart, MetricPicture, explore_metric, metric_chart, metric_picture
from .dense import OrbitPicture, explore_orbit, orbit_picture
from .relu import ReLUPairPicture, explore_relu, relu_pair_picture
from .fibers import FiberPicture, explore_fibers, fiber_picture, widget_roots
from .stride_one import StrideOnePicture, explore_stride_one, stride_one_picture
from .higher_dim import TwoDPicture, explore_2d, two_d_picture
from .table1 import Table1Picture, explore_table1, table1_picture
from .describe import DescribePicture, describe_picture, explore_describe  # noqa: F401

__all__ = [
    "StaticTwin",
    "static_twin",
    "ReLUPairPicture",
    "explore_relu",
    "relu_pair_picture",
    "FlowPicture",
    "explore_flow",
    "flow_picture",
    "CompositionState",
    "Explorer",
    "InvariantsPicture",
    "composition_state",
    "explore_composition",
    "explore_invariants",
    "invariants_picture",
    "render_png",
    "MetricChart",
    "MetricPicture",
    "explore_metric",
    "metric_chart",
    "metric_picture",
    "OrbitPicture",
    "explore_orbit",
    "orbit_picture",
    "FiberPicture",
    "explore_fibers",
    "fiber_picture",
    "widget_roots",
    "StrideOnePicture",
    "explore_stride_one",
    "stride_one_picture",
    "TwoDPicture",
    "explore_2d",
    "two_d_picture",
    "Table1Picture",
    "explore_table1",
    "table1_picture",
]
