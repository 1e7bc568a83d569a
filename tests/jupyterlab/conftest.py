"""Live-notebook tests: the chapters run in a real JupyterLab, looked at in Chromium.

What they check, for every chapter ``book/NN_*.ipynb`` (see ``test_live_notebooks.py``): after
*Run All* no cell shows an error, the MyST markup of the markdown cells is rendered (no raw
``:::{`` or ``{prf:ref}``), every widget cell shows one live widget with exactly one picture and no
static twin, the sliders are wide enough and no control text is cut off, and moving the main
control of every widget changes its picture (the time that takes is printed at the end and written
to ``_build/jupyterlab/timings.json``, never asserted). Screenshots of every chapter's first
widget and of the viewport around it land in ``_build/jupyterlab/screenshots/``.

Opt-in, because it is slow (a few minutes: every chapter is executed by a kernel):

* ``LCNN_JUPYTERLAB_TESTS=1 pytest tests/jupyterlab`` runs the suite; a missing prerequisite
  (JupyterLab, Playwright from PyPI, a Chromium binary — Debian's ``/usr/bin/chromium`` or
  ``$LCNN_CHROMIUM``; never ``playwright install``) *skips* it with the reason;
* ``LCNN_JUPYTERLAB_TESTS=required`` (what ``.ci/run`` sets) runs it and turns a missing
  prerequisite into a failure; so does ``LCNN_BROWSER_TESTS=required`` (the convention of
  ``tests/browser/conftest.py``) once the suite is enabled;
* unset (the README's plain test command), every test here is skipped.

How: the session starts its own JupyterLab (``python -m jupyter lab`` on a free port of
127.0.0.1, a random token, the repository as root folder) in its own process group, with fresh
Jupyter config/data/runtime/settings/workspace folders in a temporary directory, so nothing in
``~/.jupyter`` or ``~/.local/share/jupyter`` matters; the ``python3`` kernel is the one of the
Python that runs pytest (its ``share/jupyter/kernels``). The server is *read-only* for the suite:
autosave is off and a pre-save hook refuses every save, so running the chapters never rewrites
their outputs, and the checkpoints JupyterLab takes when it opens a notebook go to the temporary
directory, not to ``book/.ipynb_checkpoints``. News, update checks and the PyPI extension manager
are off (no network). The kernels see no ``LCNN_STATIC_PREVIEWS`` (live widgets, not the static
previews of the book build). Between chapters the chapter's session is deleted through the REST
API; at the end all kernels are shut down the same way and the server's process group gets
SIGTERM, then SIGKILL if it has not stopped after 15 s. Its log is
``_build/jupyterlab/server.log``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from chromium import launched_chromium  # shared with tests/browser

REPO = Path(__file__).resolve().parents[2]
BOOK = REPO / "book"
OUT = REPO / "_build" / "jupyterlab"
SCREENSHOTS = OUT / "screenshots"
CHAPTERS = sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))

#: Chromium flags: no sandbox (root in containers), no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 120
SERVER_STOP_TIMEOUT_S = 15

#: JupyterLab user settings of the test server (written to its own settings folder).
LAB_SETTINGS = {
    # No "would you like to get news?" toast, no request to jupyter.org.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Never write the executed notebooks back to book/ (the server refuses saves as well).
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # Every cell attached to the DOM, so the checks see all of them (no virtual scrolling).
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

#: Server config: refuse every save (a colleague's notebook is never overwritten by a test run)
#: and keep the checkpoints JupyterLab makes when it opens a notebook out of the repository.
SERVER_CONFIG = """\
from tornado.web import HTTPError


def _read_only(model, path, contents_manager, **kwargs):
    raise HTTPError(403, "the lcnn-book test server is read-only (tests/jupyterlab/conftest.py)")


c.ContentsManager.pre_save_hook = _read_only
c.FileCheckpoints.checkpoint_dir = {checkpoints!r}  # absolute: one folder outside the repository
"""


# --------------------------------------------------------------------------- opt-in, prerequisites


def _mode() -> str:
    return os.environ.get("LCNN_JUPYTERLAB_TESTS", "").strip().lower()


def enabled() -> bool:
    return _mode() in {"1", "true", "yes", "required"}


def required() -> bool:
    return enabled() and (
        _mode() == "required" or os.environ.get("LCNN_BROWSER_TESTS", "").lower() == "required"
    )


def missing(reason: str):
    if required():
        pytest.fail(f"{reason} (LCNN_JUPYTERLAB_TESTS/LCNN_BROWSER_TESTS=required)", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    if enabled():
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(
        reason="the live JupyterLab tests are opt-in (slow): "
        "LCNN_JUPYTERLAB_TESTS=1 pytest tests/jupyterlab"
    )
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


# --------------------------------------------------------------------------------- the server


class LabServer:
    """A JupyterLab started by this session; ``url``, ``token`` and a tiny REST client."""

    def __init__(self, home: Path):
        self.home = home
        self.port = _free_port()
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = OUT / "server.log"

    # -- REST
    def api(self, method: str, path: str, timeout: float = 10):
        req = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def lab_url(self, notebook: Path) -> str:
        rel = notebook.relative_to(REPO).as_posix()
        # ?reset: start from an empty workspace (no tab of the previous chapter is restored).
        return f"{self.url}/lab/tree/{rel}?reset&token={self.token}"

    def shutdown_sessions(self, path: str | None = None) -> list[str]:
        """DELETE the sessions (and so their kernels) of ``path``, or all of them."""
        closed = []
        for session in self.api("GET", "/api/sessions"):
            if path is None or session.get("path") == path:
                self.api("DELETE", f"/api/sessions/{session['id']}", timeout=30)
                closed.append(session.get("path", "?"))
        return closed

    # -- lifecycle
    def start(self) -> None:
        for sub in ("config", "data", "runtime", "ipython", "workspaces", "checkpoints"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        settings = self.home / "settings"
        for rel, values in LAB_SETTINGS.items():
            target = settings / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values, indent=1))
        (self.home / "config" / "jupyter_server_config.py").write_text(
            SERVER_CONFIG.format(checkpoints=str(self.home / "checkpoints"))
        )

        env = dict(os.environ)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.home / "config"),
            JUPYTER_DATA_DIR=str(self.home / "data"),
            JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
            IPYTHONDIR=str(self.home / "ipython"),
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        # The chapters must show live widgets, not the static previews of the book build.
        env.pop("LCNN_STATIC_PREVIEWS", None)
        env.pop("JUPYTER_PATH", None)
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.open_browser=False",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={REPO}",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            "--LabApp.expose_app_in_browser=True",
        ]
        OUT.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")  # closed in stop()
        self._log.write("$ " + " ".join(cmd).replace(self.token, "<token>") + "\n")
        self._log.flush()
        self.proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                self.api("GET", "/api/status", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.5)
        raise RuntimeError(
            f"JupyterLab did not answer /api/status in {SERVER_START_TIMEOUT_S} s:"
            f"\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.shutdown_sessions()
                for kernel in self.api("GET", "/api/kernels"):
                    self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)
            except Exception:  # best effort: SIGTERM shuts kernels down too
                pass
            pgid = self.proc.pid  # start_new_session: the server leads its own process group
            _signal_group(pgid, signal.SIGTERM)
            try:
                self.proc.wait(SERVER_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                _signal_group(pgid, signal.SIGKILL)
                self.proc.wait(10)
            _signal_group(pgid, signal.SIGKILL)  # stragglers of the group, if any
        self._log.close()
        self.proc = None

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text().splitlines()[-n:])
        except OSError:
            return ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# ------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """The running JupyterLab (skip, or fail when required, without JupyterLab)."""
    if not enabled():
        pytest.skip("LCNN_JUPYTERLAB_TESTS is not set")
    try:
        import ipykernel  # noqa: F401
        import jupyterlab  # noqa: F401
    except ImportError as err:
        missing(
            f"JupyterLab or ipykernel is not installed ({err}; pip install -r requirements.txt)"
        )
    server = LabServer(tmp_path_factory.mktemp("jupyterlab-home"))
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the session, launched by Playwright from the system binary."""
    if not enabled():
        pytest.skip("LCNN_JUPYTERLAB_TESTS is not set")
    with launched_chromium(missing, CHROMIUM_ARGS) as browser:
        yield browser


# ------------------------------------------------------------------------- the end-of-run report

#: chapter name -> what its run recorded (filled by the `chapter` fixture of the test module).
RECORDS_KEY = pytest.StashKey[dict]()


def pytest_configure(config):
    config.stash[RECORDS_KEY] = {}


@pytest.fixture(scope="session")
def records(request) -> dict:
    """Chapter name -> everything its run recorded (printed and written at the end)."""
    return request.config.stash[RECORDS_KEY]


#: (chapter, check) -> "passed" / "failed" / "skipped" / "error", for the table at the end.
_OUTCOMES: dict[tuple[str, str], str] = {}
_CHECKS = {
    "test_run_all_without_errors": "a errors",
    "test_myst_markup_rendered": "b myst",
    "test_one_live_widget_per_cell": "c widgets",
    "test_controls_fit": "d fit",
    "test_main_control_changes_picture": "e moves",
}


def pytest_runtest_logreport(report):
    name, _, param = report.nodeid.rpartition("::")[2].partition("[")
    if name not in _CHECKS or not param:
        return
    key = (param.rstrip("]"), _CHECKS[name])
    if report.when == "call" or report.outcome != "passed":
        outcome = (
            report.outcome
            if report.when == "call"
            else ("error" if report.failed else report.outcome)
        )
        _OUTCOMES.setdefault(key, outcome)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    RECORDS = config.stash.get(RECORDS_KEY, {})
    if not RECORDS:
        return
    tr = terminalreporter
    tr.section("JupyterLab: checks per chapter")
    checks = list(_CHECKS.values())
    tr.write_line(f"{'chapter':<24} " + " ".join(f"{c:>10}" for c in checks))
    for name in sorted(RECORDS):
        tr.write_line(
            f"{name:<24} " + " ".join(f"{_OUTCOMES.get((name, c), '-'):>10}" for c in checks)
        )
    tr.section("JupyterLab: control-to-picture time (ms; benchmark, not asserted)")
    tr.write_line(
        f"{'chapter':<24} {'control':<34} {'first':>8} {'median':>8} {'moves':>6}"
        f" {'run all (s)':>12}"
    )
    summary = {}
    for name, rec in sorted(RECORDS.items()):
        times = [m["ms"] for m in rec.get("moves", []) if m.get("ms") is not None]
        first = times[0] if times else None
        median = statistics.median(times) if times else None
        controls = ", ".join(sorted({m["control"] for m in rec.get("moves", [])})) or "-"
        summary[name] = {
            "first_ms": first,
            "median_ms": median,
            "moves_ms": times,
            "controls": controls,
            "run_all_s": rec.get("run_all_s"),
            "failed_moves": [m for m in rec.get("moves", []) if m.get("ms") is None],
        }
        fmt = lambda v: "-" if v is None else f"{v:.0f}"  # noqa: E731
        tr.write_line(
            f"{name:<24} {controls[:34]:<34} {fmt(first):>8} {fmt(median):>8}"
            f" {len(times):>6} {fmt(rec.get('run_all_s')):>12}"
        )
    warned = {
        name: len(rec.get("stderr_warnings", []))
        for name, rec in sorted(RECORDS.items())
        if rec.get("stderr_warnings")
    }
    if warned:
        tr.write_line(f"stderr without a traceback (warnings; reported, not failed): {warned}")
    _myst_summary(tr, RECORDS)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "timings.json").write_text(json.dumps(summary, indent=1))
    (OUT / "results.json").write_text(json.dumps(RECORDS, indent=1, default=str))
    tr.write_line(
        f"written: {OUT / 'timings.json'}, {OUT / 'results.json'}, screenshots in {SCREENSHOTS}"
    )


def _myst_summary(tr, records: dict) -> None:
    """What jupyterlab-myst made of each chapter's markdown (reported, not asserted)."""
    rows = [(name, rec["myst"]) for name, rec in sorted(records.items()) if rec.get("myst")]
    if not rows:
        return
    tr.section("JupyterLab: MyST as jupyterlab-myst renders it (reported, not asserted)")
    tr.write_line(
        f"{'chapter':<24} {'thm-like':>8} {'exerc.':>6} {'solutions (open)':>16} "
        f"{'xref ok':>7} {'cite n/f':>8} {'xref n/f':>8} {'doc links':>9} {'bib':>6}"
    )
    for name, m in rows:
        not_found = m.get("not_found", [])
        cites = [n["text"] for n in not_found if n["title"].startswith("Citation")]
        xrefs = [n["text"] for n in not_found if n["title"].startswith("Cross")]
        statuses = sorted({str(s) for s in m.get("doc_link_status", {}).values()})
        bib = m.get("bibliography") or {}
        bib_state = "-" if not bib else ("empty" if not bib.get("after_heading_text") else "shown")
        tr.write_line(
            f"{name:<24} {m['theorem_like_boxes']:>8} {m['exercise_boxes']:>6} "
            f"{m['solution_dropdowns']:>9} ({m['solution_dropdowns_open']}){'':>3} "
            f"{m['internal_links']:>7} {len(cites):>8} {len(xrefs):>8} "
            f"{len(m.get('doc_links', [])):>4} {'/'.join(statuses) or '':>4} {bib_state:>6}"
        )
        if xrefs:
            tr.write_line(f"{'':<24}   unresolved references: {', '.join(sorted(set(xrefs)))}")
    tr.write_line(
        "thm-like: prf directives drawn as boxes; solutions: collapsed dropdowns; "
        "xref ok: links resolved inside the notebook; n/f: shown as 'Not Found'; "
        "doc links: count and HTTP status; bib: what {bibliography} renders"
    )
