"""Fetch axe-core, the accessibility engine the browser tests run, from the npm registry.

Usage (from the project root)::

    python tests/browser/vendor_axe.py

The accessibility test (``test_accessibility.py``) calls :func:`vendor` itself, so no separate
step is needed. Like ``build_offline.py`` does for MathJax, it runs ``npm pack`` for one pinned
version and keeps only what it needs, here ``axe.min.js`` and the licence, in a gitignored cache
folder under ``_build/vendor/``. The site never serves this file: the test injects it into each
page it checks. A second call finds the file there and does not ask the registry again.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The pinned axe-core release (major version 4, as issue 15 asks).
AXE_VERSION = "4.14.1"
#: Cache folder, one per version, so a new pin never reuses an old script.
CACHE = ROOT / "_build" / "vendor" / f"axe-core-{AXE_VERSION}"
AXE_JS = CACHE / "axe.min.js"


class VendorError(RuntimeError):
    """axe-core could not be fetched (no npm, or the registry refused)."""


def vendor(*, force: bool = False) -> Path:
    """Return the path of ``axe.min.js``, downloading axe-core first if it is not cached.

    Parameters
    ----------
    force : bool
        Download again even when the cached file exists.

    Returns
    -------
    Path
        ``_build/vendor/axe-core-<version>/axe.min.js``.

    Raises
    ------
    VendorError
        If ``npm`` is not on the PATH, ``npm pack`` fails, or the package has no ``axe.min.js``.
    """
    if AXE_JS.is_file() and not force:
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is needed to fetch axe-core (apt-get install npm)")
    spec = f"axe-core@{AXE_VERSION}"
    with tempfile.TemporaryDirectory() as tmp:
        try:
            out = subprocess.run(
                [npm, "pack", "--silent", spec], cwd=tmp, check=True, capture_output=True, text=True
            )
        except subprocess.CalledProcessError as err:
            raise VendorError(f"npm pack {spec} failed: {err.stderr.strip()[-500:]}") from err
        names = [line.strip() for line in out.stdout.splitlines() if line.strip()]
        if not names:
            raise VendorError(f"npm pack {spec} printed no tarball name")
        with tarfile.open(Path(tmp) / names[-1]) as tar:
            tar.extractall(Path(tmp) / "unpacked", filter="data")
        package = Path(tmp) / "unpacked" / "package"
        if not (package / "axe.min.js").is_file():
            raise VendorError(f"{spec} has no axe.min.js")
        # Write into a sibling folder, then swap it in: a half-written cache is never used.
        staging = CACHE.with_name(CACHE.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        shutil.copy2(package / "axe.min.js", staging / "axe.min.js")
        for licence in ("LICENSE", "LICENSE-3RD-PARTY.txt"):
            if (package / licence).is_file():
                shutil.copy2(package / licence, staging / licence)
        shutil.rmtree(CACHE, ignore_errors=True)
        staging.rename(CACHE)
    return AXE_JS


def main() -> int:
    try:
        path = vendor(force="--force" in sys.argv[1:])
    except VendorError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"== axe-core {AXE_VERSION}: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
