"""Build a self-contained copy of the book that reads with no network.

Usage (from the project root, inside the project's virtual environment)::

    python tests/browser/build_offline.py

The online site loads MathJax, require.js and the Jupyter widget manager from CDNs. This script

1. vendors them from the npm registry with ``npm pack`` (``@jupyter-widgets/html-manager``,
   ``requirejs`` and ``mathjax`` at the pinned versions below) into ``book/_vendor/``
   (gitignored; skipped when the pinned versions are already there), plus our small
   ``widgets_shim.js``;
2. merges ``tests/browser/offline.yml`` over ``_config.yml`` (the chapters are executed through
   the online build's cache ``_build/.jupyter_cache``, so after ``jupyter-book build .`` nothing
   runs again; MathJax and the widget scripts are served from the site's ``_static/``);
3. runs ``jupyter-book build`` strictly (``-W -n --keep-going``) into ``_build/offline/``.

Open ``_build/offline/_build/html/index.html`` in a browser. The browser tests in
``tests/browser/`` check these pages.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "book" / "_vendor"
OVERLAY = Path(__file__).resolve().with_name("offline.yml")
#: Our glue between the vendored widget manager, require.js and MathJax 3 (see the file).
SHIM = Path(__file__).resolve().with_name("widgets_shim.js")
OUTPUT = ROOT / "_build" / "offline"
#: The built HTML of the offline site (``$LCNN_OFFLINE_HTML`` points the browser tests elsewhere).
HTML = Path(os.environ.get("LCNN_OFFLINE_HTML", OUTPUT / "_build" / "html")).resolve()

PACKAGES = {
    "@jupyter-widgets/html-manager": "1.0.15",
    "requirejs": "2.3.8",
    "mathjax": "3.2.2",
}
_STAMP = VENDOR / "versions.json"


def offline_pages() -> list[Path]:
    """Every HTML page of the offline build (not the theme's or Sphinx's support files)."""
    if not HTML.is_dir():
        return []
    support = {"_static", "_sources", "_images", "jupyter_execute"}
    return sorted(
        p for p in HTML.rglob("*.html") if not support.intersection(p.relative_to(HTML).parts)
    )


def _merge(base: dict, overlay: dict) -> dict:
    """Recursive dict merge: the overlay wins; nested dicts are merged, not replaced."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def vendor(*, force: bool = False) -> Path:
    """Download the pinned npm packages and lay out ``book/_vendor/``; return that folder."""
    if not force and _STAMP.is_file() and json.loads(_STAMP.read_text()) == PACKAGES:
        print(f"== vendored assets up to date in {VENDOR.relative_to(ROOT)}")
        shutil.copy2(SHIM, VENDOR / "widgets" / SHIM.name)
        return VENDOR
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to vendor MathJax, require.js and the widget manager")
    with tempfile.TemporaryDirectory() as tmp:
        specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
        out = subprocess.run(
            [npm, "pack", "--silent", *specs], cwd=tmp, check=True, capture_output=True, text=True
        )
        tarballs = [Path(tmp) / line.strip() for line in out.stdout.splitlines() if line.strip()]
        unpacked = {}
        for tarball, name in zip(tarballs, PACKAGES, strict=True):
            target = Path(tmp) / name.replace("/", "_")
            with tarfile.open(tarball) as tar:
                tar.extractall(target, filter="data")
            unpacked[name] = target / "package"
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        widgets = VENDOR / "widgets"
        widgets.mkdir(parents=True)
        shutil.copy2(unpacked["requirejs"] / "require.js", widgets / "require.js")
        dist = unpacked["@jupyter-widgets/html-manager"] / "dist"
        # embed-amd.js finds its icon fonts next to itself.
        for path in dist.iterdir():
            if path.name == "embed-amd.js" or path.suffix in {
                ".woff",
                ".woff2",
                ".ttf",
                ".eot",
                ".svg",
            }:
                shutil.copy2(path, widgets / path.name)
        shutil.copytree(unpacked["mathjax"] / "es5", VENDOR / "mathjax")
        shutil.copy2(unpacked["mathjax"] / "LICENSE", VENDOR / "mathjax" / "LICENSE")
    shutil.copy2(SHIM, widgets / SHIM.name)
    _STAMP.write_text(json.dumps(PACKAGES, indent=2))
    print(f"== vendored {', '.join(specs)} into {VENDOR.relative_to(ROOT)}")
    return VENDOR


def write_config() -> Path:
    """Write ``_config.yml`` merged with the offline overlay; return its path."""
    import yaml

    base = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))
    overlay = yaml.safe_load(OVERLAY.read_text(encoding="utf8"))
    merged = _merge(base, overlay)
    # Jupyter Book resolves local extension folders relative to the config file: the merged file
    # lives elsewhere, so make them absolute.
    local = merged.get("sphinx", {}).get("local_extensions") or {}
    for name, folder in local.items():
        local[name] = str((ROOT / folder).resolve())
    # Share the online build's execution cache (the notebooks are the same).
    merged.setdefault("execute", {})["cache"] = str(ROOT / "_build" / ".jupyter_cache")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / "_config.yml"
    path.write_text(
        "# Generated by tests/browser/build_offline.py: _config.yml + tests/browser/offline.yml\n"
        + yaml.safe_dump(merged, sort_keys=False),
        encoding="utf8",
    )
    return path


def build(*, strict: bool = True) -> Path:
    """Run the offline ``jupyter-book build``; return the folder of the built HTML."""
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from chapters import jupyter_book_build

    return jupyter_book_build(write_config(), OUTPUT, strict=strict)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force-vendor", action="store_true", help="re-download the npm packages")
    parser.add_argument("--no-strict", action="store_true", help="do not turn warnings into errors")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    vendor(force=args.force_vendor)
    html = build(strict=not args.no_strict)
    print(f"== offline site in {html.relative_to(ROOT)} ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
