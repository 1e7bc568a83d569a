"""The set-up cell every chapter starts with (book/_ext/chapters.py): in sync, and its logic.

The cell is executed here for real, in a namespace of its own, with the two things it talks to
replaced by fakes: the import system (``importlib.util.find_spec``) and pip
(``subprocess.run``). Each case is one place a reader meets the book.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
import chapters  # noqa: E402

REPO = "https://github.com/example/lcnn-book"


def test_every_chapter_starts_with_the_current_setup_cell():
    expected = chapters.setup_cell_source()
    for path in chapters.chapters():
        nb = json.loads(path.read_text(encoding="utf8"))
        cell = chapters.first_code_cell(nb)
        assert "".join(cell["source"]) == expected, (
            f"{path.name}: set-up cell out of date (python book/_ext/chapters.py sync-setup)"
        )
        assert cell["metadata"].get("tags") == ["remove-cell"], (
            f"{path.name}: the set-up cell must be hidden on the website (tag remove-cell)"
        )
        assert not cell.get("outputs"), f"{path.name}: the set-up cell stores no output"


def test_repository_setting_is_written_into_the_cell():
    assert f'REPOSITORY = "{REPO}"' in chapters.setup_cell_source(REPO)
    assert 'REPOSITORY = ""' in chapters.setup_cell_source("")


@pytest.mark.parametrize("text", ["", REPO, "it's", 'say "hi"', "both ' and \"", "back\\slash"])
def test_repository_literal_evaluates_to_the_setting(text):
    literal = chapters.python_string(text)
    assert ast.literal_eval(literal) == text
    assert literal.startswith('"') or '"' in text  # double quotes unless the text has some


@pytest.mark.parametrize("repository", ["", REPO])
def test_setup_cell_is_as_ruff_leaves_it(repository, tmp_path):
    """The chapters are linted and formatted with ruff: a cell ruff would rewrite would be
    rewritten in every chapter, and then no longer match this template."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    source = chapters.setup_cell_source(repository) + "\n"  # a file ends with a newline
    name = str(ROOT / "book" / "setup_cell.py")  # the per-file settings of book/**
    for cmd in (["format", "--check"], ["check", "--quiet"]):
        out = subprocess.run(
            [ruff, *cmd, "--stdin-filename", name, "-"],
            input=source,
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        assert out.returncode == 0, f"ruff {' '.join(cmd)}:\n{out.stdout}{out.stderr}"


class Fakes:
    """find_spec answers from ``installed``; pip "installs" unless told to fail or to hide."""

    def __init__(self, monkeypatch, *, installed, pip_ok=True, visible_after_install=True):
        self.installed = installed
        self.pip_calls: list[list[str]] = []
        real_find_spec = importlib.util.find_spec

        def find_spec(name, *args):
            if name == "lcnn_widgets":
                return object() if self.installed else None
            return real_find_spec(name, *args)

        def run(cmd, *args, **kwargs):
            self.pip_calls.append(list(cmd))
            if pip_ok and visible_after_install:
                self.installed = True
            return subprocess.CompletedProcess(cmd, 0 if pip_ok else 1)

        monkeypatch.setattr(importlib.util, "find_spec", find_spec)
        monkeypatch.setattr(subprocess, "run", run)


def run_cell(monkeypatch, tmp_path, capsys, *, cwd, repository="", **fakes):
    fake = Fakes(monkeypatch, **fakes)
    monkeypatch.chdir(cwd)
    exec(compile(chapters.setup_cell_source(repository), "setup-cell", "exec"), {})
    return fake, capsys.readouterr().out


@pytest.fixture
def checkout(tmp_path):
    """A folder that looks like a checkout: lcnn_widgets/__init__.py next to book/."""
    (tmp_path / "lcnn_widgets").mkdir()
    (tmp_path / "lcnn_widgets" / "__init__.py").write_text("")
    (tmp_path / "book").mkdir()
    return tmp_path


def test_installed_package_means_nothing_happens(monkeypatch, tmp_path, capsys, checkout):
    fake, out = run_cell(monkeypatch, tmp_path, capsys, cwd=checkout / "book", installed=True)
    assert fake.pip_calls == [] and out == ""


def test_inside_a_checkout_installs_from_it_non_editable(monkeypatch, tmp_path, capsys, checkout):
    fake, out = run_cell(
        monkeypatch, tmp_path, capsys, cwd=checkout / "book", installed=False, repository=REPO
    )
    assert fake.pip_calls == [
        [sys.executable, "-m", "pip", "install", "-q", str(checkout.resolve())]
    ]
    assert "-e" not in fake.pip_calls[0]  # editable installs need a kernel restart
    assert f"Installed lcnn_widgets from {checkout.resolve()}" in out


def test_without_checkout_installs_from_the_repository(monkeypatch, tmp_path, capsys):
    fake, out = run_cell(
        monkeypatch, tmp_path, capsys, cwd=tmp_path, installed=False, repository=REPO
    )
    assert fake.pip_calls == [[sys.executable, "-m", "pip", "install", "-q", f"git+{REPO}"]]
    assert "Installed lcnn_widgets" in out


def test_without_checkout_or_repository_prints_the_command(monkeypatch, tmp_path, capsys):
    fake, out = run_cell(monkeypatch, tmp_path, capsys, cwd=tmp_path, installed=False)
    assert fake.pip_calls == []
    assert "pip install git+<repository url of the book>" in out
    assert "restart the kernel" in out


def test_failed_pip_prints_the_command_to_run(monkeypatch, tmp_path, capsys):
    fake, out = run_cell(
        monkeypatch, tmp_path, capsys, cwd=tmp_path, installed=False, repository=REPO, pip_ok=False
    )
    assert len(fake.pip_calls) == 1
    assert "failed" in out and f"pip install git+{REPO}" in out


def test_install_not_visible_says_restart(monkeypatch, tmp_path, capsys, checkout):
    fake, out = run_cell(
        monkeypatch,
        tmp_path,
        capsys,
        cwd=checkout / "book",
        installed=False,
        visible_after_install=False,
    )
    assert len(fake.pip_calls) == 1
    assert "restart the kernel" in out


def test_regular_install_is_importable_in_the_same_process(tmp_path):
    """What the cell relies on: a package that appears in a sys.path folder after start-up is
    found once the import caches are invalidated (a real pip install writes such a folder)."""
    site = tmp_path / "site"
    site.mkdir()
    code = (
        "import importlib, importlib.util, pathlib, sys\n"
        f"site = pathlib.Path({str(site)!r}); sys.path.insert(0, str(site))\n"
        "assert importlib.util.find_spec('late_pkg') is None\n"
        "(site / 'late_pkg').mkdir(); (site / 'late_pkg' / '__init__.py').write_text('X = 1')\n"
        "importlib.invalidate_caches()\n"
        "import late_pkg; print(late_pkg.X)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"
