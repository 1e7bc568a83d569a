"""Print the PDF handouts from the offline site: one PDF per chapter and one for the whole book.

Usage (from the project root, inside the project's virtual environment, after
``jupyter-book build .`` and ``python tests/browser/build_offline.py``)::

    python tests/browser/print_pdfs.py

Output, each in two variants (``instructor/`` with the solutions, ``student/`` without)::

    _build/pdf/instructor/01_polynomials.pdf ... (one per chapter of _toc.yml)
    _build/pdf/instructor/intro.pdf              (the root page of _toc.yml)
    _build/pdf/instructor/book.pdf               (the root page and every chapter, in TOC order)
    _build/pdf/student/...                       (the same, every solution removed)

How: Debian's Chromium driven by Playwright (``tests/browser/chromium.py``; not Jupyter Book's
``pdfhtml`` builder, which downloads a browser of its own) opens each page of the offline site
once, waits for MathJax, the web fonts and the images, prints it in A4 (``page.pdf``, print
media, so ``book/_static/print.css`` applies), then removes every sphinx-exercise solution box
from the page, checks that none is left, and prints it again for the student variant. The book
is the chapters merged with ``pypdf``, with one bookmark per chapter. Pages are numbered
through the book (CSS page-margin boxes), so a chapter's PDF carries its pages' numbers in the
book, like an offprint.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "book" / "_ext"))
from build_offline import HTML
from chromium import launched_chromium
from student_edition import INSTRUCTOR_PAGES

ROOT = Path(__file__).resolve().parents[2]
#: Where the PDFs go (``$LCNN_PDF_DIR`` points the script and tests/browser/test_pdfs.py elsewhere,
#: as ``$LCNN_OFFLINE_HTML`` does for the site they are printed from).
OUT = Path(os.environ.get("LCNN_PDF_DIR", ROOT / "_build" / "pdf")).resolve()
VARIANTS = ("instructor", "student")
BOOK = "book"
#: Generous bound for MathJax, fonts and images on a slow, shared machine.
RENDER_TIMEOUT_MS = 60_000
#: What the student variant removes: sphinx-exercise's solution boxes (``{solution}``), with
#: their titles ("Solution to Exercise n"), whatever the toggle state.
SOLUTION_SELECTOR = ".solution"
MARGINS = {"top": "18mm", "bottom": "16mm", "left": "16mm", "right": "16mm"}
#: The printed column in CSS pixels (A4 is 210 mm wide; 96 px per inch): pages are laid out at
#: this width with print media before printing, so that measurements match the paper.
COLUMN_PX = round((210 - 16 - 16) / 25.4 * 96)


@dataclass(frozen=True)
class Entry:
    """One page of the table of contents."""

    docname: str  # e.g. "book/01_polynomials"
    is_root: bool

    @property
    def html(self) -> Path:
        return HTML / f"{self.docname}.html"

    @property
    def stem(self) -> str:
        return Path(self.docname).name


def toc_entries(toc: Path = ROOT / "_toc.yml") -> list[Entry]:
    """The root page and every chapter of ``_toc.yml`` (parts flattened), in reading order."""
    import yaml

    data = yaml.safe_load(toc.read_text(encoding="utf8"))
    entries = [Entry(str(data["root"]), True)]

    def walk(items):
        for item in items or []:
            if "file" in item:
                entries.append(Entry(str(item["file"]), False))
            walk(item.get("sections"))

    for part in data.get("parts") or [{"chapters": data.get("chapters")}]:
        walk(part.get("chapters"))
    return entries


def chapter_entries(toc: Path = ROOT / "_toc.yml") -> list[Entry]:
    """The chapters of ``_toc.yml`` (not the root page): one PDF each."""
    return [e for e in toc_entries(toc) if not e.is_root]


def variant_entries(variant: str, entries: list[Entry] | None = None) -> list[Entry]:
    """The pages printed in ``variant``.

    The student edition leaves out the instructors' pages (``INSTRUCTOR_PAGES`` of
    ``book/_ext/student_edition.py``), as the student site does.
    """
    entries = toc_entries() if entries is None else entries
    return [e for e in entries if variant != "student" or e.docname not in INSTRUCTOR_PAGES]


def pdf_path(variant: str, stem: str, out: Path = OUT) -> Path:
    """Where the PDF of ``stem`` (a chapter's file name, or ``"book"``) in ``variant`` goes."""
    return out / variant / f"{stem}.pdf"


_READY = """() => {
  const math = !document.querySelector('.math') ||
    (window.MathJax && MathJax.startup && MathJax.startup.promise);
  return !!math;
}"""

_SETTLE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await Promise.all([...document.images].map(i => i.decode().catch(() => null)));
  await document.fonts.ready;
  // Any raw TeX left over (an unprocessed math span) means MathJax did not finish.
  return [...document.querySelectorAll('span.math, div.math')]
    .filter(el => !el.querySelector('mjx-container')).length;
}"""

_TITLE = """() => {
  const h1 = document.querySelector('article.bd-article h1');
  if (!h1) return document.title;
  const copy = h1.cloneNode(true);
  copy.querySelectorAll('.headerlink').forEach(a => a.remove());
  return copy.textContent.replace(/\\s+/g, ' ').trim();
}"""

#: Display equations wider than the printed column are scaled down to fit (on screen they scroll;
#: paper cannot). Run with the print layout in place: print media, viewport of the column width.
_FIT_WIDE_MATH = """() => {
  let scaled = 0;
  document.querySelectorAll('mjx-container[display="true"]').forEach(el => {
    const math = el.querySelector('mjx-math');
    if (!math) return;
    // MathJax gives the container a min-width, so measure against the equation's block, less
    // the equation number that Sphinx floats beside it.
    const block = el.parentElement;
    const eqno = block.querySelector(':scope > .eqno');
    const need = math.getBoundingClientRect().width;
    const room = block.clientWidth - (eqno ? eqno.getBoundingClientRect().width + 12 : 0);
    if (need > room + 0.5 && room > 0) {
      const size = parseFloat(getComputedStyle(el).fontSize);
      el.style.fontSize = (size * room / need * 0.98).toFixed(2) + 'px';
      el.style.minWidth = '0';
      scaled += 1;
    }
  });
  return scaled;
}"""

#: Code and text outputs a little wider than the column get a smaller font (down to 70 %) so that
#: their lines stay whole; what is still too wide wraps (print.css: pre-wrap).
_FIT_WIDE_PRE = """() => {
  let scaled = 0;
  document.querySelectorAll('article pre').forEach(pre => {
    pre.style.setProperty('white-space', 'pre', 'important');
    const need = pre.scrollWidth, room = pre.clientWidth;
    if (need > room + 0.5 && room > 0) {
      const size = parseFloat(getComputedStyle(pre).fontSize);
      pre.style.fontSize = (size * Math.max(0.7, room / need * 0.98)).toFixed(2) + 'px';
      scaled += 1;
    }
    pre.style.removeProperty('white-space');
  });
  return scaled;
}"""

#: Long identifiers in table cells (test ids, file paths) get break opportunities after "/", "_",
#: "." and "::" (zero-width spaces), so that a table fits the column without squeezing its text.
_BREAKABLE_TABLE_CODE = r"""() => {
  let changed = 0;
  document.querySelectorAll('article table code').forEach(code => {
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.replace(/(::|[\/_.])(?=\S)/g, '$1\u200b');
      if (text !== node.nodeValue) { node.nodeValue = text; changed += 1; }
    }
  });
  return changed;
}"""

_REMOVE_SOLUTIONS = f"""() => {{
  document.querySelectorAll({SOLUTION_SELECTOR!r}).forEach(el => el.remove());
  return document.querySelectorAll({SOLUTION_SELECTOR!r}).length;
}}"""


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _page_css(book_title: str, chapter_title: str, first_page: int) -> str:
    """Running header and footer as CSS page-margin boxes, numbered from ``first_page``.

    The book is the chapters one after another, so each chapter starts at the page that follows
    the previous one (``counter-set`` on its first page): chapter PDFs carry the book's page
    numbers, like offprints, and the merged book is numbered straight through.
    """
    box = "font: 8px sans-serif; color: #555;"
    return (
        "@page {"
        f" @top-left {{ content: {_css_string(book_title)}; {box} }}"
        f" @top-right {{ content: {_css_string(chapter_title)}; {box} }}"
        f" @bottom-left {{ content: {_css_string(chapter_title)}; {box} }}"
        f' @bottom-right {{ content: "page " counter(page); {box} }} }}'
        f" @page :first {{ counter-set: page {first_page}; }}"
    )


_SET_PAGE_CSS = """css => {
  let style = document.getElementById('lcnn-print-pages');
  if (!style) {
    style = document.createElement('style');
    style.id = 'lcnn-print-pages';
    document.head.appendChild(style);
  }
  style.textContent = css;
}"""


def _book_title() -> str:
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))
    return str(config.get("title", ""))


def _print(page, target: Path, book_title: str, chapter_title: str, first_page: int) -> int:
    """Print the loaded page to ``target``, numbered from ``first_page``; return its page count."""
    from pypdf import PdfReader

    page.evaluate(_SET_PAGE_CSS, _page_css(book_title, chapter_title, first_page))
    target.parent.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(target), format="A4", margin=MARGINS, print_background=True, outline=False)
    return len(PdfReader(str(target)).pages)


def print_all(out: Path = OUT, *, only: list[str] | None = None) -> dict[str, dict[str, Path]]:
    """Print every TOC page in both variants and merge the books; return ``{variant: {stem: pdf}}``.

    ``only`` restricts the chapters (by file stem) and skips the books (for development).
    """
    entries = toc_entries()
    if only:
        entries = [e for e in entries if e.stem in only]
    missing = [str(e.html) for e in entries if not e.html.is_file()]
    if missing:
        raise SystemExit(
            f"no offline build page {missing[0]} "
            "(run: jupyter-book build . && python tests/browser/build_offline.py)"
        )
    book_title = _book_title()
    printed: dict[str, dict[str, Path]] = {v: {} for v in VARIANTS}
    titles: dict[str, str] = {}
    next_page = {v: 1 for v in VARIANTS}

    def fail(reason: str) -> None:
        raise SystemExit(reason)

    with launched_chromium(fail, ["--no-sandbox", "--disable-gpu"]) as browser:
        context = browser.new_context(viewport={"width": COLUMN_PX, "height": 1400})
        # Nothing leaves the machine (the offline site needs nothing from the network).
        context.route("http*://**", lambda route: route.abort())
        page = context.new_page()
        page.emulate_media(media="print")
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        for entry in entries:
            t0 = time.perf_counter()
            page.goto(entry.html.as_uri(), wait_until="load")
            page.wait_for_function(_READY, timeout=RENDER_TIMEOUT_MS)
            untypeset = page.evaluate(_SETTLE)
            if untypeset:
                raise SystemExit(f"{entry.docname}: {untypeset} math elements not typeset")
            title = page.evaluate(_TITLE)
            page.evaluate(_BREAKABLE_TABLE_CODE)
            scaled = page.evaluate(_FIT_WIDE_MATH)
            shrunk = page.evaluate(_FIT_WIDE_PRE)
            titles[entry.stem] = title
            stem = entry.stem
            next_page["instructor"] += _print(
                page, pdf_path("instructor", stem, out), book_title, title, next_page["instructor"]
            )
            printed["instructor"][stem] = pdf_path("instructor", stem, out)
            if entry.docname in INSTRUCTOR_PAGES:  # not in the student edition
                pdf_path("student", stem, out).unlink(missing_ok=True)
            else:
                left = page.evaluate(_REMOVE_SOLUTIONS)
                if left:
                    raise SystemExit(f"{entry.docname}: {left} solution boxes left after removal")
                next_page["student"] += _print(
                    page, pdf_path("student", stem, out), book_title, title, next_page["student"]
                )
                printed["student"][stem] = pdf_path("student", stem, out)
            print(
                f"  {entry.docname}: {title!r} ({time.perf_counter() - t0:.1f} s;"
                f" wide blocks scaled to fit: {scaled} equations, {shrunk} code/text)",
                flush=True,
            )
        context.close()
    if errors:
        # Reported, not fatal: the browser tests (test_pages.py) are where page errors count.
        counts = {e: errors.count(e) for e in dict.fromkeys(errors)}
        print(
            "page errors while printing (the browser tests judge them):\n  "
            + "\n  ".join(f"{n} x {e}" for e, n in counts.items()),
            file=sys.stderr,
        )
    if not only:
        for variant in VARIANTS:
            parts = [
                (titles[e.stem], printed[variant][e.stem])
                for e in variant_entries(variant, entries)
            ]
            printed[variant][BOOK] = merge(parts, pdf_path(variant, BOOK, out), book_title)
    return printed


def merge(parts: list[tuple[str, Path]], target: Path, title: str) -> Path:
    """Concatenate ``parts`` (bookmark title, PDF) into ``target`` with one bookmark each."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for name, path in parts:
        start = len(writer.pages)
        writer.append(str(path), import_outline=False)
        writer.add_outline_item(title=name, page_number=start)
    writer.add_metadata({"/Title": title})
    # The chapters embed the same fonts: store each identical object once.
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    with target.open("wb") as handle:
        writer.write(handle)
    return target


#: Sample pages rendered as PNG next to the PDFs (to look at them): (name, variant, text that the
#: page must contain; the first such page of the book is taken).
SAMPLES = (
    ("sample-instructor-solution", "instructor", "Solution to"),
    ("sample-student-static-preview", "student", "Static preview at"),
)


def render_samples(out: Path = OUT, dpi: int = 80) -> list[Path]:
    """Render the SAMPLES pages of the books as PNG with poppler (none if it is missing)."""
    import shutil
    import subprocess

    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        print("  (no poppler-utils: sample pages not rendered)")
        return []
    made = []
    for name, variant, needle in SAMPLES:
        book = pdf_path(variant, BOOK, out)
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(book), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        pages = [i + 1 for i, page in enumerate(text.split("\f")) if needle in page]
        if not pages:
            raise SystemExit(f"no page of {book} contains {needle!r}")
        target = out / f"{name}-p{pages[0]}"
        for old in out.glob(f"{name}-p*.png"):
            old.unlink()
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(pages[0]),
                "-l",
                str(pages[0]),
                "-singlefile",
                str(book),
                str(target),
            ],
            check=True,
        )
        made.append(target.with_suffix(".png"))
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        nargs="*",
        help="print only these pages (file stems, e.g. 03_fibers), numbered from 1;"
        " no book (for working on print.css)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    printed = print_all(args.out, only=args.only)
    from pypdf import PdfReader

    for pdfs in printed.values():
        for path in pdfs.values():
            pages = len(PdfReader(str(path)).pages)
            print(
                f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                f"{pages} pages, {path.stat().st_size / 1e6:.2f} MB"
            )
    if not args.only:
        for png in render_samples(args.out):
            print(f"  sample page: {png}")
    print(f"== PDFs in {args.out} ({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
