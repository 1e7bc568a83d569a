"""Test configuration: a non-interactive matplotlib backend and hypothesis profiles."""

import matplotlib

matplotlib.use("Agg")

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
settings.load_profile("default")
