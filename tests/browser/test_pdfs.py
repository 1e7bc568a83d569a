"""Tests of the PDF handouts printed by ``tests/browser/print_pdfs.py``.

They read the PDFs in ``_build/pdf/`` and the offline site's HTML they were printed from. Without
the PDFs they are skipped; ``.ci/run`` sets ``LCNN_PDF_TESTS=required``, and then a missing PDF
(or a missing ``pypdf``) is a failure.

What is checked, per variant (``instructor``, ``student``) and TOC page:

- the page count lies between what the page's text needs at the most (6000 characters of running
  text on an A4 page) and what its blocks can occupy at the least; the book has exactly the pages
  of its parts; the student variant never has more pages than the instructor one, and leaves
  out the instructors' pages (as the student site does);
- the pages are numbered through the book, and each part's PDF starts at its page in the book;
- the page title (the ``h1`` of the HTML page) is in the body text, not only in the running
  headers and footers;
- no raw TeX (``\\frac``, ``$$``, ``\\begin``, ``\\mathbb``, ...) survived: MathJax typeset all;
- every solution's text is in the instructor PDF and in no student PDF;
- no navigation or live-control text (sidebar, buttons, "previous"/"next", slider hints).
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from print_pdfs import (
    BOOK,
    INSTRUCTOR_PAGES,
    VARIANTS,
    chapter_entries,
    pdf_path,
    toc_entries,
    variant_entries,
)

ENTRIES = toc_entries()
CHAPTERS = chapter_entries()
#: (variant, page) pairs that are printed: the student edition has no instructors' pages
PRINTED = [(v, e) for v in VARIANTS for e in variant_entries(v, ENTRIES)]
STUDENT_CHAPTERS = variant_entries("student", CHAPTERS)
#: (variant, PDF stem) pairs: every printed page, and the book
STEMS = [(v, e.stem) for v, e in PRINTED] + [(v, BOOK) for v in VARIANTS]
#: More characters of running text than fit on one A4 page at the print size (10.5 pt body
#: text, 16 mm margins: about 90 characters by 55 lines, so under 5000).
MAX_CHARS_PER_PAGE = 6000
RAW_TEX = (
    r"\frac",
    "$$",
    r"\begin",
    r"\end{",
    r"\mathbb",
    r"\mathrm",
    r"\left",
    r"\right",
    r"\sum",
    r"\(",
    r"\[",
)
#: Text of the site's chrome that must not reach paper.
NAVIGATION = (
    "Skip to main content",
    "Back to top",
    "Ctrl+K",
    "Show code cell source",
    "Hide code cell source",
    "Download source file",
    "Print to PDF",
    "drag the slider",
    "Static preview, precomputed",
    "Copyright",
    "On this page",
)
#: Lines that are navigation when they stand alone (the previous/next links, the page TOC).
NAVIGATION_LINES = ("previous", "next", "Contents")


def _required() -> bool:
    return os.environ.get("LCNN_PDF_TESTS", "").lower() == "required"


def _missing(reason: str):
    if _required():
        pytest.fail(f"{reason} (LCNN_PDF_TESTS=required)", pytrace=False)
    pytest.skip(reason)


def _normal(text: str) -> str:
    """NFKC (ligatures, thin spaces) with every run of white space made one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


@functools.cache
def _pdf(variant: str, stem: str) -> tuple[int, str]:
    """(page count, extracted text) of one PDF; skips or fails when it is missing."""
    path = pdf_path(variant, stem)
    if not path.is_file():
        _missing(f"no {path} (run: python tests/browser/print_pdfs.py)")
    try:
        from pypdf import PdfReader
    except ImportError:
        _missing("pypdf is not installed (pip install -r requirements.txt)")
    reader = PdfReader(str(path))
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    else:
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), text


@functools.cache
def _html(stem: str):
    """The parsed article of the offline page the PDF was printed from."""
    from bs4 import BeautifulSoup

    entry = next(e for e in ENTRIES if e.stem == stem)
    if not entry.html.is_file():
        _missing(f"no offline build page {entry.html}")
    soup = BeautifulSoup(entry.html.read_text(encoding="utf8"), "html.parser")
    return soup.select_one("article.bd-article")


def _title(stem: str) -> str:
    h1 = _html(stem).find("h1")
    for link in h1.select(".headerlink"):
        link.decompose()
    return _normal(h1.get_text(" "))


def _plain_runs(element) -> list[str]:
    """The element's text split at math and code (which print differently from their source)."""
    pieces: list[str] = []
    for node in element.descendants:
        if isinstance(node, str):
            parent_classes = set()
            for parent in node.parents:
                parent_classes.update(parent.get("class") or [])
                if parent is element:
                    break
            if parent_classes & {
                "math",
                "highlight",
                "literal",
                "pre",
                "caption-number",
                "reference",
            }:
                pieces.append("\0")
            else:
                pieces.append(str(node))
        elif node.name in {"p", "li", "div", "br"}:
            pieces.append("\0")
    runs = (_normal(run) for run in "".join(pieces).split("\0"))
    return [run for run in runs if run]


def _solution_probes(stem: str) -> list[list[str]]:
    """For each solution box of the page: its stretches of plain prose of 25 characters or more.

    pdftotext can move a superscript or a fraction's numerator into the middle of a line, so not
    every stretch is found verbatim even where the solution is printed; the tests ask that one of
    each box's stretches is found in the instructor PDF and none in the student PDF.
    """
    probes = []
    for box in _html(stem).select(".solution"):
        content = box.select_one("#solution-content, section") or box
        probes.append([r for r in _plain_runs(content) if len(r) >= 25])
    return probes


def _page_ids(entries):
    return [e.stem for e in entries]


@pytest.mark.parametrize(("variant", "entry"), PRINTED, ids=[f"{v}-{e.stem}" for v, e in PRINTED])
def test_page_count_fits_the_content(entry, variant):
    pages, _ = _pdf(variant, entry.stem)
    article = _html(entry.stem)
    chars = len(_normal(article.get_text(" ")))
    # Each block that is kept whole (figure, box, cell, display equation, heading) can push at
    # most one page break, and every page holds at least some text.
    blocks = len(article.select("figure, img, table, .admonition, .cell, div.math, h1, h2, h3"))
    least = math.ceil(chars / MAX_CHARS_PER_PAGE)
    most = math.ceil(chars / 500) + blocks + 1
    assert least <= pages <= most, (entry.stem, variant, chars, blocks, pages)


@pytest.mark.parametrize("variant", VARIANTS)
def test_book_has_the_pages_of_its_parts(variant):
    pages, text = _pdf(variant, BOOK)
    parts = sum(_pdf(variant, e.stem)[0] for e in variant_entries(variant, ENTRIES))
    assert pages == parts
    for entry in variant_entries(variant, ENTRIES):
        assert _title(entry.stem) in _normal(text)


def test_student_edition_leaves_out_the_instructors_pages():
    """As the student site does: no PDF of its own, not in the student book, in the other."""
    left_out = [e for e in ENTRIES if e.docname in INSTRUCTOR_PAGES]
    assert left_out, f"none of {INSTRUCTOR_PAGES} is in the table of contents"
    student, instructor = _normal(_pdf("student", BOOK)[1]), _normal(_pdf("instructor", BOOK)[1])
    for entry in left_out:
        assert not pdf_path("student", entry.stem).exists()
        assert _title(entry.stem) not in student
        assert _title(entry.stem) in instructor


@pytest.mark.parametrize("variant", VARIANTS)
def test_pages_are_numbered_through_the_book(variant):
    """Page i of the book says "page i"; each part's PDF starts where the previous one ended."""
    _, text = _pdf(variant, BOOK)
    numbers = [re.findall(r"^page (\d+)$", page, flags=re.M) for page in text.split("\f")[:-1]]
    assert numbers == [[str(i)] for i in range(1, len(numbers) + 1)]
    first = 1
    for entry in variant_entries(variant, ENTRIES):
        pages, part = _pdf(variant, entry.stem)
        assert re.findall(r"^page (\d+)$", part.split("\f")[0], flags=re.M) == [str(first)]
        first += pages


@pytest.mark.parametrize(
    "entry", variant_entries("student", ENTRIES), ids=_page_ids(variant_entries("student", ENTRIES))
)
def test_student_edition_is_not_longer(entry):
    student, student_text = _pdf("student", entry.stem)
    instructor, instructor_text = _pdf("instructor", entry.stem)
    assert student <= instructor
    if _html(entry.stem).select(".solution"):
        assert len(student_text) < len(instructor_text)
    else:  # the same pages, up to their numbers in the book

        def unnumbered(text):
            return _normal(re.sub(r"^page \d+$", "", text, flags=re.M))

        assert unnumbered(student_text) == unnumbered(instructor_text)


@pytest.mark.parametrize(("variant", "entry"), PRINTED, ids=[f"{v}-{e.stem}" for v, e in PRINTED])
def test_title_is_in_the_body(entry, variant):
    pages, text = _pdf(variant, entry.stem)
    title = _title(entry.stem)
    assert title
    # The running header and footer carry the title twice per page; the page's h1 adds one more.
    assert _normal(text).count(title) >= 2 * pages + 1, (title, pages)


@pytest.mark.parametrize(("variant", "stem"), STEMS, ids=[f"{v}-{s}" for v, s in STEMS])
def test_no_raw_tex(stem, variant):
    _, text = _pdf(variant, stem)
    found = [tex for tex in RAW_TEX if tex in text]
    assert not found, f"raw TeX in {variant}/{stem}.pdf: {found}"


@pytest.mark.parametrize("entry", STUDENT_CHAPTERS, ids=_page_ids(STUDENT_CHAPTERS))
def test_solutions_only_in_the_instructor_edition(entry):
    probes = _solution_probes(entry.stem)
    instructor = _normal(_pdf("instructor", entry.stem)[1])
    student = _normal(_pdf("student", entry.stem)[1])
    # The probes are found where the solutions are printed, so their absence means something.
    assert [runs for runs in probes if not any(r in instructor for r in runs)] == []
    assert [r for runs in probes for r in runs if r in student] == []
    assert "Solution to" not in student
    assert ("Solution to" in instructor) == bool(probes)


@pytest.mark.parametrize("variant", VARIANTS)
def test_student_book_has_no_solutions(variant):
    text = _normal(_pdf(variant, BOOK)[1])
    probes = [runs for e in CHAPTERS for runs in _solution_probes(e.stem)]
    assert probes, "no solutions found in the HTML: the probe is broken"
    if variant == "student":
        assert [r for runs in probes for r in runs if r in text] == []
        assert "Solution to" not in text
    else:
        assert [runs for runs in probes if not any(r in text for r in runs)] == []


@pytest.mark.parametrize(("variant", "stem"), STEMS, ids=[f"{v}-{s}" for v, s in STEMS])
def test_no_navigation_text(stem, variant):
    _, text = _pdf(variant, stem)
    found = [s for s in NAVIGATION if s in _normal(text)]
    lines = {line.strip() for line in text.splitlines()}
    found += [s for s in NAVIGATION_LINES if s in lines]
    assert not found, f"navigation text in {variant}/{stem}.pdf: {found}"


def test_print_stylesheet_only_acts_in_print():
    """Every rule of book/_static/print.css is inside ``@media print``: the screen is unchanged."""
    css = (Path(__file__).resolve().parents[2] / "book" / "_static" / "print.css").read_text()
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r'"(?:[^"\\]|\\.)*"', '""', css)  # braces inside strings do not count
    css = css.strip()
    assert re.match(r"@media print\s*\{", css), css[:40]
    depth, end = 0, None
    for index, char in enumerate(css):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and char == "}":
            end = index
            break
    # The first block closes at the very end: nothing stands outside @media print.
    assert end == len(css) - 1, css[end : end + 60] if end is not None else "unbalanced braces"
