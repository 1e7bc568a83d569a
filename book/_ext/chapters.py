"""Maintain the chapters' shared pieces: the set-up cell and the stored outputs.

Usage (from the project root)::

    python book/_ext/chapters.py sync-setup            # write SETUP_CELL into every chapter
    python book/_ext/chapters.py store-outputs [NAME]   # execute chapters, store their outputs

**The set-up cell.** The first code cell of every chapter makes sure the kernel can import
``lcnn_widgets``, wherever the notebook runs (a checkout with the README's install: nothing to do;
a fresh venv or Binder inside a checkout: install from it; Colab with no checkout: install from
the book's repository). It is plain Python (no ``%pip`` magic), so the tests can execute it with a
fake ``pip`` and a fake import system (``tests/test_setup_cell.py``). It installs *non-editable*:
a regular install is importable in the running kernel after ``importlib.invalidate_caches()``,
while an editable one would only be seen after a restart. If the package still cannot be imported
(for example pip fell back to a user site that did not exist when the kernel started), the cell
says plainly that the kernel must be restarted. The repository address is the single setting
``repository: url:`` of ``_config.yml``; ``sync-setup`` writes it into the cell. The cell is tagged
``remove-cell``: hidden on the website, visible in Jupyter.

**Stored outputs.** ``store-outputs`` executes chapters in ``book/`` with nbclient (as Jupyter
would, without the build's static previews), then keeps, for each widget cell, only the short
``text/plain`` line (what a reader sees before running the cell, in every frontend and on GitHub)
and drops the saved widget state: a live widget comes only from running the cell.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SETUP_TAGS = ["remove-cell"]

#: The set-up cell; ``{repository}`` is replaced by ``repository.url`` of ``_config.yml`` as a
#: string literal. The cell is written as ``ruff format`` leaves it (the chapters are checked too).
SETUP_CELL = """\
# Set-up: make sure this kernel can import the companion package lcnn_widgets.
# Nothing happens when it is installed (as after the README's install command); otherwise it is
# installed from the checkout this notebook is in, or else from the book's repository.
import importlib.util
import pathlib
import subprocess
import sys

REPOSITORY = {repository}  # repository.url of the book's _config.yml

if importlib.util.find_spec("lcnn_widgets") is None:
    here = pathlib.Path.cwd().resolve()
    checkouts = [p for p in (here, *here.parents) if (p / "lcnn_widgets" / "__init__.py").is_file()]
    source = str(checkouts[0]) if checkouts else (f"git+{{REPOSITORY}}" if REPOSITORY else None)
    command = f"{{sys.executable}} -m pip install {{source or 'git+<repository url of the book>'}}"
    if source is None:
        print(
            "lcnn_widgets is not installed, and this notebook is not inside a checkout of the "
            f"book. Install it with\\n    {{command}}\\nthen restart the kernel."
        )
    elif subprocess.run([sys.executable, "-m", "pip", "install", "-q", source]).returncode != 0:
        print(f"Installing lcnn_widgets failed. Run by hand:\\n    {{command}}")
    else:
        importlib.invalidate_caches()
        if importlib.util.find_spec("lcnn_widgets") is None:
            print(
                "lcnn_widgets is installed, but this kernel cannot see it yet: restart the "
                "kernel (Kernel > Restart Kernel), then run the notebook again."
            )
        else:
            print(f"Installed lcnn_widgets from {{source}}.")"""


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """The ``repository: url:`` setting of ``_config.yml`` ('' when unset)."""
    import yaml

    data = yaml.safe_load(config.read_text(encoding="utf8")) or {}
    return str((data.get("repository") or {}).get("url") or "").strip()


def setup_cell_source(repository: str | None = None) -> str:
    """The set-up cell's source for ``repository`` (default: the one in ``_config.yml``)."""
    url = repository_url() if repository is None else repository
    return SETUP_CELL.format(repository=python_string(url))


def python_string(text: str) -> str:
    """``text`` as a Python string literal in double quotes where it can be (as ruff writes it)."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1] + '"'
    return literal


def chapters() -> list[Path]:
    """The chapter notebooks, in order."""
    return sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))


def first_code_cell(nb: dict) -> dict:
    return next(c for c in nb["cells"] if c["cell_type"] == "code")


def _write(path: Path, nb: dict) -> None:
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf8")


def sync_setup(paths: list[Path] | None = None) -> list[Path]:
    """Write the set-up cell into every chapter; return the notebooks that changed."""
    source = setup_cell_source()
    changed = []
    for path in paths or chapters():
        nb = json.loads(path.read_text(encoding="utf8"))
        cell = first_code_cell(nb)
        new_source = source.splitlines(keepends=True)
        if cell["source"] != new_source or cell["metadata"].get("tags") != SETUP_TAGS:
            cell["source"] = new_source
            cell["metadata"]["tags"] = list(SETUP_TAGS)
            cell["outputs"] = []
            cell["execution_count"] = None
            _write(path, nb)
            changed.append(path)
    return changed


def quiet_widget_outputs(nb: dict) -> int:
    """Keep only ``text/plain`` of widget outputs and drop saved widget state; count them."""
    n = 0
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                out["data"] = {"text/plain": data.get("text/plain", "")}
                n += 1
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)  # timestamps: noise in every diff
    return n


def store_outputs(paths: list[Path] | None = None, *, timeout: int = 600) -> None:
    """Execute chapters in ``book/`` and store their outputs (see the module docstring)."""
    import nbformat
    from nbclient import NotebookClient

    env_flag = os.environ.pop("LCNN_STATIC_PREVIEWS", None)
    try:
        for path in paths or chapters():
            start = time.perf_counter()
            nb = nbformat.read(path, as_version=4)
            NotebookClient(
                nb,
                timeout=timeout,
                kernel_name="python3",
                record_timing=False,
                resources={"metadata": {"path": str(BOOK)}},
            ).execute()
            raw = json.loads(nbformat.writes(nb))
            n = quiet_widget_outputs(raw)
            _write(path, raw)
            print(
                f"{path.name}: executed in {time.perf_counter() - start:.0f} s, "
                f"{n} widget output(s) reduced to their text line"
            )
    finally:
        if env_flag is not None:
            os.environ["LCNN_STATIC_PREVIEWS"] = env_flag


def jupyter_book_build(
    config: Path, output: Path, *, toc: Path | None = None, strict: bool = True
) -> Path:
    """Run ``jupyter-book build --all`` of the book with another config (and toc) into ``output``.

    The offline site and the student edition are both built this way. ``strict`` adds
    ``-W -n --keep-going`` (warnings are errors). Returns the built HTML folder.
    """
    import shutil
    import subprocess

    sibling = Path(sys.executable).with_name("jupyter-book")
    exe = str(sibling) if sibling.exists() else (shutil.which("jupyter-book") or "jupyter-book")
    cmd = [exe, "build", "--all", "--config", str(config)]
    if toc is not None:
        cmd += ["--toc", str(toc)]
    cmd += ["--path-output", str(output), str(ROOT)]
    if strict:
        cmd[2:2] = ["-W", "-n", "--keep-going"]
    subprocess.run(cmd, cwd=ROOT, check=True)
    return output / "_build" / "html"


def _resolve(names: list[str]) -> list[Path] | None:
    if not names:
        return None
    out = []
    for name in names:
        matches = [p for p in chapters() if p.stem.startswith(name) or p.name == name]
        if not matches:
            raise SystemExit(
                f"no chapter matches {name!r}: chapters are {[p.stem for p in chapters()]}"
            )
        out.extend(matches)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("sync-setup", help="write the set-up cell into every chapter")
    store = sub.add_parser("store-outputs", help="execute chapters and store their outputs")
    store.add_argument("names", nargs="*", help="chapter prefixes, e.g. 01 04 (default: all)")
    args = parser.parse_args(argv)
    if args.command == "sync-setup":
        changed = sync_setup()
        print(f"set-up cell written into {len(changed)} chapter(s)")
    else:
        store_outputs(_resolve(args.names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
