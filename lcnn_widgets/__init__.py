"""lcnn_widgets: the mathematics of the lcnn-book, as small tested functions.

The package computes with linear convolutional networks (LCNs) in one or D dimensions:
the end-to-end filter ``pi(theta)``, its Jacobian, the neural tangent kernel ``Theta = J J^T``
and the conserved invariants ``delta``. Importing it loads numpy, scipy and sympy only;
plots live in :mod:`lcnn_widgets.plotting` and widgets in :mod:`lcnn_widgets.widgets`.

>>> from lcnn_widgets import LCN
>>> LCN([3, 2], [2, 1]).end_to_end_size
5
"""

# Lists of names: packed, which reads better than one name per line.
# isort: off
# fmt: off
from .dense import (
    FCN, DenseFlowResult, Example20, balanced_factorization, balanced_flow, balanced_velocity,
    dense_loss, dense_loss_gradient, example_20, gradient_flow_dense, identity_factorization,
    orthogonal_orbit, psd_power, random_orthogonal, rotation
)
from .fibers import (
    Fiber, FiberPoint, RescalingPrecisionWarning, count_real_factorizations, fibers,
    filter_from_roots, filter_roots, is_in_neuromanifold, multistart_fibers, root_orbits,
    sign_variants
)
from .flows import (
    ConvergenceReport, FlowResult, SquaredLoss, convergence_runs, data_filter, fiber_continuation,
    function_space_flow, gradient_descent, gradient_flow, hessian, loss, parameter_gradient,
    squared_loss
)
from .higher_dim import (
    ExactFactorization, count_up_to_swaps, factor_end_to_end, irreducible_layers,
    random_integer_filters, swap_layers, swap_orbit, swap_permutation, swappable_pairs
)
from .invariants import (
    layer_pairings, orbit_invariants, orbit_norms, scale_filters, two_layer_rescaling
)
from .lcn import LCN, conv
from .metric import (
    MetricConditioningWarning, chart_metric, condition_number, fiber_point, inner_product,
    is_smooth_point, is_tangent, lift, metric_matrix, norm, ntk_at, riemannian_gradient,
    tangent_space, vertical_space
)
from .polynomials import (
    binary_form_latex, binary_form_product, convolution_matrix, dilate, from_binary_form, multiply,
    polynomial_variables, to_binary_form
)
from .relu import (
    ActivationRegions, FunctionFiber, ParameterComparison, ReLUCNN, ReLUFlowResult, ReLUMLP,
    activation_regions, compare_parametrizations
)
from .running_example import (
    CubicSlice, gamma_squared, running_example_F, running_example_fiber, running_example_grad_F,
    running_example_net, running_example_slice, running_example_theta13
)
from .stride_one import (
    FiberNTKs, cubic_roots, fiber_ntks, ntk_spread, stride_one_factorization_count
)

__all__ = [
    "FCN", "LCN", "ActivationRegions", "ConvergenceReport", "CubicSlice", "DenseFlowResult",
    "ExactFactorization", "Example20", "Fiber", "FiberNTKs", "FiberPoint", "FlowResult",
    "FunctionFiber", "MetricConditioningWarning", "ParameterComparison", "ReLUCNN",
    "ReLUFlowResult", "ReLUMLP", "RescalingPrecisionWarning", "SquaredLoss", "activation_regions",
    "balanced_factorization", "balanced_flow", "balanced_velocity", "binary_form_latex",
    "binary_form_product", "chart_metric", "compare_parametrizations", "condition_number", "conv",
    "convergence_runs", "convolution_matrix", "count_real_factorizations", "count_up_to_swaps",
    "cubic_roots", "data_filter", "dense_loss", "dense_loss_gradient", "dilate", "example_20",
    "factor_end_to_end", "fiber_continuation", "fiber_ntks", "fiber_point", "fibers",
    "filter_from_roots", "filter_roots", "from_binary_form", "function_space_flow", "gamma_squared",
    "gradient_descent", "gradient_flow", "gradient_flow_dense", "hessian", "identity_factorization",
    "inner_product", "irreducible_layers", "is_in_neuromanifold", "is_smooth_point", "is_tangent",
    "layer_pairings", "lift", "loss", "metric_matrix", "multiply", "multistart_fibers", "norm",
    "ntk_at", "ntk_spread", "orbit_invariants", "orbit_norms", "orthogonal_orbit",
    "parameter_gradient", "polynomial_variables", "psd_power", "random_integer_filters",
    "random_orthogonal", "riemannian_gradient", "root_orbits", "rotation", "running_example_F",
    "running_example_fiber", "running_example_grad_F", "running_example_net",
    "running_example_slice", "running_example_theta13", "scale_filters", "sign_variants",
    "squared_loss", "stride_one_factorization_count", "swap_layers", "swap_orbit",
    "swap_permutation", "swappable_pairs", "tangent_space", "to_binary_form", "two_layer_rescaling",
    "vertical_space"
]
# fmt: on
# isort: on

__version__ = "0.3.0"
