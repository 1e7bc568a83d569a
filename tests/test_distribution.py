"""The wheel is a real distribution: every module of ``lcnn_widgets/`` and honest metadata.

The wheel is built once for this module (a few seconds) from a copy of the sources in a
temporary folder, so the checkout gets no ``build/`` or ``*.egg-info``; it is built offline
(``--no-build-isolation --no-index --no-deps``) with the setuptools of the running environment.
That the installed wheel runs every chapter is checked by ``tests/installed/run_chapters.py``
in CI (``.ci/run``).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "lcnn_widgets"
REQUIRED = ("numpy", "scipy", "sympy", "matplotlib", "ipywidgets")


def _missing_build_tools() -> list[str]:
    """What ``pip wheel --no-build-isolation`` needs and this environment lacks."""
    missing = [name for name in ("pip", "setuptools") if importlib.util.find_spec(name) is None]
    if "setuptools" not in missing:
        version = importlib.metadata.version("setuptools").split(".")
        # setuptools before 70.1 builds wheels with the separate 'wheel' package
        if (
            tuple(int(v) for v in version[:2] if v.isdigit()) < (70, 1)
            and importlib.util.find_spec("wheel") is None
        ):
            missing.append("wheel")
    return missing


def _copy_sources(dest: Path) -> Path:
    """The top-level files (pyproject.toml, README.md, LICENSE, ...) and the package."""
    dest.mkdir()
    for path in ROOT.iterdir():
        if path.is_file():
            shutil.copy2(path, dest / path.name)
    shutil.copytree(
        ROOT / PACKAGE, dest / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(the copied sources, the wheel built from them)."""
    missing = _missing_build_tools()
    if missing:
        pytest.skip(
            f"cannot build the wheel offline: {', '.join(missing)} not installed in {sys.prefix}"
        )
    tmp = tmp_path_factory.mktemp("distribution")
    src = _copy_sources(tmp / "src")
    out = tmp / "wheel"
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        str(src),
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "--no-cache-dir",
        "-w",
        str(out),
    ]
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    wheels = sorted(out.glob("*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        pytest.fail(
            f"building the wheel failed ({' '.join(cmd)}, exit {proc.returncode}):\n"
            f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return src, wheels[0]


def _metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(zf.read(name).decode("utf-8"))


def test_wheel_ships_every_module(built):
    src, wheel = built
    modules = {p.relative_to(src).as_posix() for p in (src / PACKAGE).rglob("*.py")}
    assert {
        f"{PACKAGE}/__init__.py",
        f"{PACKAGE}/plotting/__init__.py",
        f"{PACKAGE}/widgets/__init__.py",
    } <= modules
    with zipfile.ZipFile(wheel) as zf:
        shipped = set(zf.namelist())
    missing = sorted(modules - shipped)
    assert not missing, (
        f"{len(missing)} of {len(modules)} modules of {PACKAGE}/ are missing "
        f"from {wheel.name}:\n  " + "\n  ".join(missing)
    )
    # and nothing besides the package and its metadata (no tests/, benchmarks/, ...)
    stray = sorted(n for n in shipped if n.split("/")[0] != PACKAGE and ".dist-info/" not in n)
    assert not stray, f"{wheel.name} ships files outside {PACKAGE}/: {stray}"


def test_wheel_metadata(built):
    _, wheel = built
    meta = _metadata(wheel)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["Version"] == project["version"]
    assert meta["Requires-Python"], "the wheel declares no Requires-Python"
    assert meta["Requires-Python"] == project["requires-python"]

    requirements = [Requirement(r) for r in meta.get_all("Requires-Dist") or []]
    pinned = [str(r) for r in requirements if any(s.operator in ("==", "===") for s in r.specifier)]
    assert not pinned, f"pinned (==) requirements in {wheel.name}: {pinned}"
    required = {canonicalize_name(r.name): r for r in requirements if r.marker is None}
    problems = []
    for name in REQUIRED:
        req = required.get(name)
        if req is None:
            problems.append(
                f"{name}: not a required dependency "
                f"(Requires-Dist: {[str(r) for r in requirements]})"
            )
        elif not any(s.operator == ">=" for s in req.specifier):
            problems.append(f"{name}: no lower bound (>=): {req}")
    assert not problems, "\n".join(problems)


def test_one_version_everywhere():
    """The package, pyproject.toml, CITATION.cff and the newest changelog entry: one version."""
    import re

    import lcnn_widgets

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    cff = re.search(r"^version: (\S+)$", (ROOT / "CITATION.cff").read_text(), re.M)
    newest = re.search(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert cff and newest
    assert lcnn_widgets.__version__ == project["version"] == cff.group(1) == newest.group(1)
