"""The student edition (``python book/_ext/student_edition.py``) contains no solution.

The solution texts come from the chapter sources: every ``{solution}`` block is cut into
fragments of plain prose (runs of words between formulas, code and punctuation) and into its
code lines, keeping only those that appear nowhere else in the book's sources. None of them may
appear in the text of any page of the student build. As a control, fragments cut the same way
from the *exercise* texts must appear, which shows that the cutting matches the rendered text.

The build-dependent tests are skipped when the student build is missing, and fail instead when
``LCNN_STUDENT_TESTS=required`` (``.ci/run`` sets it after building the edition).
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from book_cells import BOOK, CHAPTERS, cells, markdown

ROOT = BOOK.parent
_spec = importlib.util.spec_from_file_location(
    "student_edition", BOOK / "_ext" / "student_edition.py"
)
student_edition = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student_edition)
HTML = student_edition.HTML

_SOLUTION = re.compile(r"^::::\{solution\} (ex-[\w-]+)\n(.*?)^::::$", re.M | re.S)
_EXERCISE = re.compile(r"^:::\{exercise\}[^\n]*\n:label: (ex-[\w-]+)\n(.*?)^:::$", re.M | re.S)
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```$", re.M | re.S)
#: Everything that is not plain prose: display and inline math, inline code, roles, links.
_NOT_PROSE = re.compile(
    r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\{[a-z:]+\}|\[[^\]]*\]\([^)]*\)|"
    r"\*+|:class:[^\n]*",
    re.S,
)
_WORD = re.compile(r"^[A-Za-z][A-Za-z,]*$")
MIN_WORDS = 6


def _norm(text: str) -> str:
    return " ".join(text.split())


def _required() -> bool:
    return os.environ.get("LCNN_STUDENT_TESTS", "").lower() == "required"


def prose_fragments(text: str, min_words: int = MIN_WORDS) -> list[str]:
    """Runs of at least ``min_words`` plain words, cut at formulas, code, roles, punctuation."""
    text = _FENCE.sub("\0", text)
    text = _NOT_PROSE.sub("\0", text)
    out = []
    for chunk in re.split(r"[\0.;:?!()\"'\u2019\u2014\n]|\s-\s|\d", text.replace("\n", " ")):
        words = chunk.split()
        # a run of plain words only (no symbols that the renderer could change)
        run: list[str] = []
        for word in [*words, ""]:
            if word and _WORD.match(word):
                run.append(word)
                continue
            if len(run) >= min_words:
                out.append(" ".join(run).rstrip(","))
            run = []
    return out


def code_lines(text: str) -> list[str]:
    """The non-trivial lines of the code blocks in ``text`` (comments dropped)."""
    lines = []
    for block in _FENCE.findall(text):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if len(line) >= 20:
                lines.append(line)
    return lines


def _sources_without(label: str) -> str:
    """All book sources (markdown, code, the .md pages) with the solution ``label`` cut out."""
    parts = []
    for name in CHAPTERS:
        parts.extend("".join(c["source"]) for c in cells(name))
    parts.extend(p.read_text(encoding="utf-8") for p in BOOK.glob("*.md"))
    text = "\n".join(parts)
    return _norm(
        re.sub(rf"^::::\{{solution\}} {re.escape(label)}\n.*?^::::$", "", text, flags=re.M | re.S)
    )


def solution_texts() -> dict[str, tuple[list[str], list[str]]]:
    """For every solution: (prose fragments, code lines) found nowhere else in the sources."""
    out = {}
    for name in CHAPTERS:
        for label, body in _SOLUTION.findall(markdown(name)):
            elsewhere = _sources_without(label)
            prose = [f for f in prose_fragments(body) if f not in elsewhere]
            if not prose:  # a solution that is mostly formulas: shorter runs
                prose = [f for f in prose_fragments(body, 4) if f not in elsewhere]
            code = [_norm(c) for c in code_lines(body) if _norm(c) not in elsewhere]
            out[label] = (prose, code)
    return out


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text(encoding="utf-8"))
    # Sphinx's smart quotes: compare with plain ASCII quotes
    text = html.unescape("".join(parser.parts)).replace("\u2019", "'").replace("\u2018", "'")
    return _norm(text)


def student_pages() -> list[Path]:
    if not HTML.is_dir():
        return []
    support = {"_static", "_sources", "_images", "jupyter_execute"}
    return sorted(
        p for p in HTML.rglob("*.html") if not support.intersection(p.relative_to(HTML).parts)
    )


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    found = student_pages()
    if not found:
        reason = f"no student build in {HTML} (run: python book/_ext/student_edition.py)"
        if _required():
            pytest.fail(f"{reason} (LCNN_STUDENT_TESTS=required)", pytrace=False)
        pytest.skip(reason)
    return {p.relative_to(HTML).as_posix(): page_text(p) for p in found}


# ------------------------------------------------------------ without the build


def test_every_solution_yields_text_to_look_for():
    texts = solution_texts()
    assert len(texts) == 42  # 41 in the chapters, 1 in the appendix
    for label, (prose, code) in texts.items():
        assert prose or code, f"{label}: no distinctive text found in the solution"
    assert sum(len(p) + len(c) for p, c in texts.values()) > 150


def test_the_student_configuration_hides_solutions_sources_and_the_instructors_page():
    config, toc = student_edition.student_config()
    extra = config["sphinx"]["config"]
    assert extra["hide_solutions"] is True and extra["html_copy_source"] is False
    assert config["repository"]["url"] == ""
    assert config["execute"]["cache"].endswith("_build/.jupyter_cache")
    files = [ch["file"] for part in toc["parts"] for ch in part["chapters"]]
    assert "book/instructors" not in files
    assert [f for f in files if f.startswith("book/0") or f.startswith("book/1")] == [
        f"book/{name}" for name in CHAPTERS
    ]
    assert "book/result_map" in files


# --------------------------------------------------------------- with the build


def test_no_solution_text_in_any_page(pages):
    leaks = []
    for label, (prose, code) in solution_texts().items():
        for fragment in prose + code:
            leaks += [
                f"{page}: {label}: {fragment!r}" for page, text in pages.items() if fragment in text
            ]
    assert not leaks, "solution text in the student edition:\n" + "\n".join(leaks[:20])


def test_the_exercises_are_all_there(pages):
    # the control: text cut like the solutions' is found, for the exercises
    found = missing = 0
    for name in CHAPTERS:
        text = pages[f"book/{name}.html"]
        for label, body in _EXERCISE.findall(markdown(name)):
            for fragment in prose_fragments(body):
                if fragment in text:
                    found += 1
                else:
                    missing += 1
            assert f'check("{label}"' in text or "Self-check" not in body
    assert found >= 60 and missing <= found // 10, (found, missing)


def test_no_solution_markup_sources_or_instructors_page(pages):
    assert not (HTML / "_sources").exists()
    assert not (HTML / "book" / "instructors.html").exists()
    for page in student_pages():
        raw = page.read_text(encoding="utf-8")
        assert 'class="solution' not in raw and "Solution to" not in raw, page
        assert "_sources/" not in raw, page
    ex_boxes = sum(
        p.read_text(encoding="utf-8").count('class="exercise admonition"') for p in student_pages()
    )
    assert ex_boxes == 42


def test_the_solution_texts_are_found_in_the_full_website():
    """The other control: on the website (solutions shown) the same fragments are found."""
    website = ROOT / "_build" / "html"
    if not (website / "book" / "03_fibers.html").is_file():
        pytest.skip("no website build in _build/html")
    # (the website may predate a new chapter: compare the pages it has)
    names = [n for n in CHAPTERS if (website / "book" / f"{n}.html").is_file()]
    texts = {name: page_text(website / "book" / f"{name}.html") for name in names}
    found = total = 0
    for name in names:
        for _label, body in _SOLUTION.findall(markdown(name)):
            for fragment in prose_fragments(body):
                total += 1
                found += fragment in texts[name]
    assert total > 100 and found >= 0.9 * total, (found, total)
