"""lcnn_widgets: the mathematics of the lcnn-book, as small tested functions.

The package computes with linear convolutional networks (LCNs) in one or D dimensions:
the end-to-end filter ``pi(theta)``, its Jacobian, the neural tangent kernel ``Theta = J J^T``
and the conserved invariants ``delta``. Importing it loads numpy, scipy and sympy only;
plots live in :mod:`lcnn_widgets.plotting` and widgets in :mod:`lcnn_widgets.widgets`.

>>> from lcnn_widgets import LCN
>>> LCN([3, 2], [2, 1]).end_to_end_size
5
"""

from .invariants import (
    layer_pairings,
    orbit_invariants,
    orbit_norms,
    scale_filters,
    two_layer_rescaling,
)
from .flows import (
    ConvergenceReport,
    FlowResult,
    SquaredLoss,
    convergence_runs,
    data_filter,
    fiber_continuation,
    function_space_flow,
    gradient_descent,
    gradient_flow,
    hessian,
    loss,
    parameter_gradient,
    squared_loss,
)
from .fibers import (
    Fiber,
    FiberPoint,
    count_real_factorizations,
    fibers,
    filter_from_roots,
    filter_roots,
    is_in_neuromanifold,
    multistart_fibers,
    root_orbits,
    sign_variants,
)
from .lcn import LCN, conv
from .polynomials import binary_form_latex, convolution_matrix
from .polynomials import (
    binary_form_product,
    dilate,
    from_binary_form,
    multiply,
    polynomial_variables,
    to_binary_form,
)
from .metric import (
    MetricConditioningWarning,
    QuarticSlice,
    chart_metric,
    condition_number,
    fiber_point,
    gamma_squared,
    inner_product,
    is_smooth_point,
    is_tangent,
    lift,
    metric_matrix,
    norm,
    ntk_at,
    riemannian_gradient,
    running_example_F,
    running_example_fiber,
    running_example_grad_F,
    running_example_net,
    running_example_slice,
    running_example_theta13,
    tangent_space,
    vertical_space,
)

__all__ = [
    "LCN",
    "binary_form_product",
    "binary_form_latex",
    "conv",
    "convolution_matrix",
    "dilate",
    "from_binary_form",
    "layer_pairings",
    "multiply",
    "orbit_invariants",
    "orbit_norms",
    "polynomial_variables",
    "scale_filters",
    "to_binary_form",
    "two_layer_rescaling",
    "ConvergenceReport",
    "FlowResult",
    "SquaredLoss",
    "convergence_runs",
    "data_filter",
    "fiber_continuation",
    "function_space_flow",
    "gradient_descent",
    "gradient_flow",
    "hessian",
    "loss",
    "parameter_gradient",
    "squared_loss",
    "Fiber",
    "FiberPoint",
    "count_real_factorizations",
    "fibers",
    "filter_from_roots",
    "filter_roots",
    "is_in_neuromanifold",
    "multistart_fibers",
    "root_orbits",
    "sign_variants",
    "MetricConditioningWarning",
    "QuarticSlice",
    "condition_number",
    "fiber_point",
    "gamma_squared",
    "inner_product",
    "is_smooth_point",
    "is_tangent",
    "lift",
    "metric_matrix",
    "norm",
    "ntk_at",
    "riemannian_gradient",
    "running_example_F",
    "running_example_fiber",
    "running_example_grad_F",
    "running_example_net",
    "running_example_slice",
    "running_example_theta13",
    "tangent_space",
    "vertical_space",
    "chart_metric",
]

__version__ = "0.1.0"
