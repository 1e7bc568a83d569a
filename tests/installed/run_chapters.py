"""Execute every chapter of the book against an *installed* ``lcnn_widgets`` wheel.

For CI (``.ci/run``, block "installed wheel"): run this file with the python of a separate,
fresh virtual environment into which the wheel was installed non-editable, together with
nothing but a kernel (``ipykernel nbclient nbformat``)::

    python -m venv /tmp/wheel-venv
    /tmp/wheel-venv/bin/pip install dist/lcnn_widgets-*.whl ipykernel nbclient nbformat
    cd "$(mktemp -d)" &&
        /tmp/wheel-venv/bin/python -I /path/to/checkout/tests/installed/run_chapters.py

It first checks that ``lcnn_widgets`` comes from that environment's site-packages (in this
process and in the kernel), not from the checkout, then copies every ``book/*.ipynb`` into a
fresh temporary folder outside the checkout and executes each chapter there with nbclient
(kernel ``python3``, 600 s per cell). It prints the time each chapter took and a summary table,
and exits 1 listing every chapter with an error output (the executed notebooks are then kept
for inspection). The first cell of every chapter installs the package only if it is missing,
so with the wheel installed nothing gets installed.

Not a test module (pytest does not collect it): importing it does nothing.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
DIST_NAME = "lcnn-widgets"

# Run in the kernel: where lcnn_widgets (with its plots and widgets) comes from, and every
# module or sys.path entry that lies outside this environment, its standard library and the
# kernel's working folder (such as the checkout or another venv's site-packages).
_PROBE = """\
import json, os, sys, sysconfig
from pathlib import Path
import lcnn_widgets, lcnn_widgets.plotting, lcnn_widgets.widgets
prefix = Path(sys.prefix).resolve()
homes = [prefix, Path(os.getcwd()).resolve()] + [
    Path(sysconfig.get_paths()[k]).resolve() for k in ("stdlib", "platstdlib")]
def foreign(path):
    path = Path(path).resolve()
    if "site-packages" in path.parts or "dist-packages" in path.parts:
        return not path.is_relative_to(prefix)
    return not any(path.is_relative_to(h) for h in homes)
modules = sorted(f"{name}: {m.__file__}" for name, m in list(sys.modules.items())
                 if getattr(m, "__file__", None) and foreign(m.__file__))
paths = [p for p in sys.path if p and Path(p).exists() and foreign(p)]
print(json.dumps({"prefix": sys.prefix, "file": lcnn_widgets.__file__,
                  "foreign_modules": modules, "foreign_paths": paths}))
"""


def _site_packages() -> list[Path]:
    paths = sysconfig.get_paths()
    return sorted({Path(paths[key]).resolve() for key in ("purelib", "platlib")})


def check_installed() -> Path:
    """Exit unless ``lcnn_widgets`` is a non-editable install in this venv's site-packages."""
    import lcnn_widgets

    pkg = Path(lcnn_widgets.__file__).resolve()
    print(f"python:                {sys.executable} ({sys.version.split()[0]})")
    print(f"lcnn_widgets.__file__: {lcnn_widgets.__file__}")
    problems = []
    if sys.prefix == sys.base_prefix:
        problems.append(f"not running inside a virtual environment (sys.prefix={sys.prefix})")
    if not any(pkg.is_relative_to(site) for site in _site_packages()):
        problems.append(
            f"lcnn_widgets is not imported from this environment's site-packages "
            f"{[str(p) for p in _site_packages()]}"
        )
    if pkg.is_relative_to(CHECKOUT / "lcnn_widgets"):  # (the venv itself may live in _build/)
        problems.append(f"lcnn_widgets is imported from the checkout's source {CHECKOUT}")
    try:
        dist = importlib.metadata.distribution(DIST_NAME)
    except importlib.metadata.PackageNotFoundError:
        problems.append(f"no installed distribution named {DIST_NAME}")
    else:
        print(f"installed version:     {dist.version}")
        direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
        if direct_url.get("dir_info", {}).get("editable"):
            problems.append(f"{DIST_NAME} is an editable install ({direct_url.get('url')})")
    if problems:
        sys.exit(
            "run_chapters.py: the package under test is not the installed wheel:\n  "
            + "\n  ".join(problems)
        )
    return pkg


def isolate_kernel_environment() -> None:
    """Give the kernels the environment of a student who activated this venv.

    Kernels inherit this process's environment, and ``-I`` does not reach them: PYTHONPATH
    or the user site would put other code on their sys.path. VIRTUAL_ENV and PATH (in CI they
    name the checkout's ``.venv``) are pointed at this venv, as its activation would.
    """
    for name in ("PYTHONPATH", "PYTHONHOME"):
        if os.environ.pop(name, None) is not None:
            print(f"kernel environment:    {name} unset")
    os.environ["PYTHONNOUSERSITE"] = "1"
    os.environ["VIRTUAL_ENV"] = sys.prefix
    bindir = str(Path(sys.executable).parent)
    os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])


def check_kernel(workdir: Path, kernel: str) -> None:
    """Exit unless the kernel runs this environment's python and imports the same package."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_PROBE)])
    with open(workdir / "probe.kernel.log", "w", encoding="utf-8") as log:
        try:
            NotebookClient(
                nb, timeout=120, kernel_name=kernel, resources={"metadata": {"path": str(workdir)}}
            ).execute(stderr=log)
        except Exception as exc:  # no such kernel, it died, or the imports failed in it
            sys.exit(
                f"run_chapters.py: kernel {kernel!r} could not import lcnn_widgets "
                f"(kernel log: {log.name}):\n{exc}"
            )
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    seen = json.loads(text.strip().splitlines()[-1])
    import lcnn_widgets

    print(f"kernel {kernel!r}: prefix {seen['prefix']}, lcnn_widgets from {seen['file']}")
    problems = []
    if (
        Path(seen["prefix"]).resolve() != Path(sys.prefix).resolve()
        or Path(seen["file"]).resolve() != Path(lcnn_widgets.__file__).resolve()
    ):
        problems.append(
            f"it does not run this environment ({sys.prefix}) with its "
            f"lcnn_widgets ({lcnn_widgets.__file__})"
        )
    problems += [f"sys.path entry outside the environment: {p}" for p in seen["foreign_paths"]]
    modules = seen["foreign_modules"]
    problems += [f"module from outside the environment: {m}" for m in modules[:10]]
    if len(modules) > 10:
        problems.append(f"... and {len(modules) - 10} more modules from outside the environment")
    if problems:
        sys.exit(
            f"run_chapters.py: kernel {kernel!r} is not a clean install:\n  "
            + "\n  ".join(problems)
        )


def error_outputs(nb) -> list[str]:
    """``"cell N: Name: value"`` for every error output of a cell not tagged raises-exception."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or "raises-exception" in cell.metadata.get("tags", []):
            continue
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                value = str(out.get("evalue", "")).strip().splitlines()
                found.append(f"cell {index}: {out.get('ename')}: {value[0] if value else ''}")
    return found


def run_chapter(
    path: Path, workdir: Path, kernel: str, timeout: int
) -> tuple[float, int, list[str]]:
    """Execute one copied chapter in place; return (seconds, code cells, errors)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel,
        allow_errors=True,
        resources={"metadata": {"path": str(workdir)}},
    )
    start = time.perf_counter()
    # The kernel's own stderr (start-up warnings, a crash) goes to a log beside the notebook.
    with open(path.with_suffix(".kernel.log"), "w", encoding="utf-8") as log:
        try:
            client.execute(stderr=log)
            errors = error_outputs(nb)
        except Exception as exc:  # a cell timeout, a dead kernel, ...: the chapter failed
            errors = [
                *error_outputs(nb),
                f"{type(exc).__name__}: {str(exc).strip()[:500]}",
                f"kernel log: {log.name}",
            ]
    seconds = time.perf_counter() - start
    nbformat.write(nb, path)
    return seconds, sum(c.cell_type == "code" for c in nb.cells), errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--book",
        type=Path,
        default=CHECKOUT / "book",
        help="folder with the chapters (default: the checkout's book/)",
    )
    parser.add_argument("--kernel", default="python3")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder with the executed notebooks"
    )
    parser.add_argument(
        "chapters", nargs="*", help="chapter names to run (e.g. 01_polynomials); default: all"
    )
    args = parser.parse_args(argv)

    check_installed()
    isolate_kernel_environment()
    sources = sorted(args.book.resolve().glob("*.ipynb"))
    if args.chapters:
        sources = [p for p in sources if p.stem in args.chapters or p.name in args.chapters]
    if not sources:
        sys.exit(f"run_chapters.py: no chapters found in {args.book}")

    # A book/ folder inside a fresh temporary folder: the chapters' first cell looks for
    # ../pyproject.toml (a checkout) only when lcnn_widgets is missing; here there is none.
    root = Path(tempfile.mkdtemp(prefix="lcnn-installed-"))
    workdir = root / "book"
    workdir.mkdir()
    if workdir.resolve().is_relative_to(CHECKOUT):
        sys.exit(f"run_chapters.py: the temporary folder {workdir} lies inside the checkout")
    for src in sources:
        shutil.copy2(src, workdir / src.name)
    print(f"chapters:              {len(sources)} from {args.book}, run in {workdir}")
    check_kernel(workdir, args.kernel)

    rows = []
    total_start = time.perf_counter()
    for src in sources:
        seconds, cells, errors = run_chapter(workdir / src.name, workdir, args.kernel, args.timeout)
        rows.append((src.stem, seconds, cells, errors))
        print(f"{src.stem}: {'ok' if not errors else 'FAILED'} in {seconds:.1f} s", flush=True)
        for err in errors:
            print(f"    {err}", flush=True)
    total = time.perf_counter() - total_start

    failed = [row for row in rows if row[3]]
    width = max(len(row[0]) for row in rows)
    print()
    print(f"{'chapter':<{width}}  {'status':<6}  {'cells':>5}  {'errors':>6}  {'seconds':>8}")
    for name, seconds, cells, errors in rows:
        status = "FAILED" if errors else "ok"
        print(f"{name:<{width}}  {status:<6}  {cells:>5}  {len(errors):>6}  {seconds:>8.1f}")
    print(
        f"{'total':<{width}}  {'':<6}  {sum(r[2] for r in rows):>5}  "
        f"{sum(len(r[3]) for r in rows):>6}  {total:>8.1f}"
    )
    print()
    if failed:
        print(
            f"{len(failed)} of {len(rows)} chapters have an error output with the installed "
            f"wheel: {', '.join(row[0] for row in failed)}"
        )
        print(f"executed notebooks kept in {workdir}")
        return 1
    print(f"all {len(rows)} chapters ran without an error output with the installed wheel")
    if args.keep:
        print(f"executed notebooks kept in {workdir}")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
