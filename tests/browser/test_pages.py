"""Every page of the offline build, opened in a real Chromium with no network.

Build first: ``python tests/browser/build_offline.py``. Without the build, Playwright or Chromium
these tests skip (fail under ``LCNN_BROWSER_TESTS=required``, as in ``.ci/run``); see conftest.py.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest
from build_offline import ROOT

#: Page errors every Jupyter Book 1 page raises (sphinx-thebe declares its config twice).
ALLOWED_PAGE_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared",)
#: Schemes a self-contained page may load from (blob: holds the widgets' images).
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
#: Where screenshots of the key pages go, for people to look at.
SCREENSHOTS = ROOT / "_build" / "screenshots"

WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'


def test_no_page_errors(page):
    unexpected = [e for e in page.page_errors if not e.startswith(ALLOWED_PAGE_ERRORS)]
    assert not unexpected, f"{page.name}: JavaScript errors {unexpected}"


def test_page_finishes_rendering(page):
    assert not page.timeouts, f"{page.name}: {page.timeouts}"


def test_no_request_to_another_host(page):
    remote = [url for url in page.requests if not url.startswith(LOCAL_SCHEMES)]
    assert not remote, f"{page.name} asked the network for {remote}"


def test_every_local_file_exists(page):
    missing = [f for f in page.failed if f.startswith("file:")]  # remote ones: the test above
    assert not missing, f"{page.name}: failed requests {missing}"


def test_math_is_typeset(page):
    counts = page.page.evaluate(
        """() => ({
            source: document.querySelectorAll('.math').length,
            typeset: document.querySelectorAll('.math mjx-container').length,
            errors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent),
            raw: [...document.querySelectorAll('.math')]
                   .filter(e => !e.querySelector('mjx-container'))
                   .map(e => e.textContent.slice(0, 60)),
        })"""
    )
    if counts["source"] == 0:
        pytest.skip(f"{page.name} has no math")
    assert not counts["raw"], f"{page.name}: math left as TeX source: {counts['raw'][:5]}"
    assert counts["typeset"] >= counts["source"]
    assert not counts["errors"], f"{page.name}: MathJax errors {counts['errors'][:5]}"


def test_every_image_is_shown(page):
    broken = page.page.evaluate(
        """() => [...document.images]
                 .filter(i => !i.complete || i.naturalWidth === 0)
                 .map(i => (i.getAttribute('src') || '').slice(0, 80))"""
    )
    n_images = page.page.evaluate("() => document.images.length")
    if n_images == 0:
        pytest.skip(f"{page.name} has no images")
    assert not broken, f"{page.name}: {len(broken)} of {n_images} images not shown: {broken}"


def _widget_cells(page_name: str) -> int:
    """How many code cells of the page's notebook display an explore_* widget."""
    notebook = ROOT / Path(page_name).with_suffix(".ipynb")
    if not notebook.is_file():
        return 0
    cells = json.loads(notebook.read_text(encoding="utf8"))["cells"]
    return sum(
        1
        for c in cells
        if c["cell_type"] == "code" and re.search(r"\bexplore_\w+\(", "".join(c["source"]))
    )


def test_every_widget_is_one_static_preview(page):
    """The website runs no kernel: each widget cell shows its static preview, no dead controls."""
    expected = _widget_cells(page.name)
    previews = page.page.locator(".lcnn-static-twin").count()
    views = page.page.locator(WIDGET_VIEW).count()
    if expected == 0 and previews == 0:
        pytest.skip(f"{page.name} has no widgets")
    assert previews == expected, (
        f"{page.name}: {expected} widget cell(s) but {previews} static preview(s)"
    )
    assert views == 0, f"{page.name}: {views} live widget view(s) with no kernel behind them"


def test_static_twins_change_frame_when_scrubbed(page):
    twins = page.page.locator(".lcnn-static-twin")
    n = twins.count()
    if n == 0:
        pytest.skip(f"{page.name} has no static twins")
    for i in range(n):
        twin = twins.nth(i)
        slider = twin.locator("input.lcnn-static-twin-slider")
        frame = twin.locator("img.lcnn-static-twin-frame")
        data = json.loads(twin.locator(".lcnn-static-twin-data").text_content())
        n_frames = int(twin.get_attribute("data-frames"))
        assert n_frames >= 2, f"{page.name}: twin {i} has {n_frames} frame(s)"
        assert len(data["frames"]) == len(data["labels"]) == n_frames
        assert int(slider.get_attribute("max")) == n_frames - 1
        shown = []
        # Scrub the whole range backwards, as a reader's drag does: new value, `input` event.
        for k in reversed(range(n_frames)):
            slider.evaluate(
                "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input')); }", k
            )
            src = frame.get_attribute("src")
            assert src == "data:image/png;base64," + data["frames"][k], (
                f"{page.name}: twin {i} shows the wrong picture at position {k}"
            )
            assert frame.get_attribute("data-frame") == str(k)
            assert twin.locator(".lcnn-static-twin-value").text_content() == data["labels"][k]
            if "readouts" in data:  # the widget's readout line follows the frame
                readout = twin.locator(".lcnn-static-twin-readout").inner_html()
                expected = twin.evaluate(
                    "(el, h) => { const d = document.createElement('div');"
                    " d.innerHTML = h; return d.innerHTML; }",
                    data["readouts"][k],
                )  # the browser's serialization
                assert readout == expected, f"{page.name}: twin {i} readout at {k}"
            assert frame.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
            shown.append(src)
        assert len(set(shown)) > 1, f"{page.name}: twin {i} never changes its picture"


def _png_size(path):
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


KEY_PAGES = {
    "intro": "book/intro.html",
    "03_fibers": "book/03_fibers.html",
    "04_metric": "book/04_metric.html",
}


@pytest.mark.parametrize("name", KEY_PAGES)
def test_screenshot_of_key_page(name, offline_html, browser):
    path = offline_html / KEY_PAGES[name]
    assert path.is_file(), f"{path} is missing from the offline build"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    try:
        pw_page = context.new_page()
        pw_page.goto(path.as_uri(), wait_until="load")
        pw_page.evaluate(
            "() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => 1) : 0"
        )
        out = SCREENSHOTS / f"{name}.png"
        pw_page.screenshot(path=str(out))
        assert _png_size(out) == (1280, 1600)
        twin = pw_page.locator(".lcnn-static-twin")
        if twin.count():
            twin.first.wait_for(state="visible")
            twin.first.screenshot(path=str(SCREENSHOTS / f"{name}_static_preview.png"))
    finally:
        context.close()
