"""Importing lcnn_widgets loads the maths only: no matplotlib, no ipywidgets.

Checked in a fresh interpreter (``sys.executable -c ...``), because the test session itself
has matplotlib loaded by ``conftest.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
import lcnn_widgets
missing = [name for name in lcnn_widgets.__all__ if not hasattr(lcnn_widgets, name)]
heavy = sorted(m for m in sys.modules
               if m.split('.')[0] in ('matplotlib', 'ipywidgets', 'IPython', 'pyplot'))
print(json.dumps({"missing": missing, "heavy": heavy, "all": list(lcnn_widgets.__all__)}))
"""


@pytest.fixture(scope="module")
def probe() -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_loads_neither_matplotlib_nor_ipywidgets(probe):
    assert probe["heavy"] == []


def test_every_name_in_all_exists(probe):
    assert probe["missing"] == []
    assert len(probe["all"]) == len(set(probe["all"]))  # no duplicates


def test_core_api_is_exported(probe):
    core = {
        "LCN",
        "conv",
        "dilate",
        "multiply",
        "to_binary_form",
        "from_binary_form",
        "binary_form_product",
        "polynomial_variables",
    }
    assert core <= set(probe["all"])


def test_version_is_a_string():
    import lcnn_widgets

    assert isinstance(lcnn_widgets.__version__, str)
