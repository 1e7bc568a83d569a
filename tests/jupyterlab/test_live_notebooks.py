"""Every chapter, run in a live JupyterLab and looked at in Chromium (opt-in: see conftest.py).

One session-scoped fixture per chapter (``chapter``) does all the browser work once — open the
notebook, Run All, collect what the page shows, take the screenshots, move every widget's main
control five times — and the tests below only judge what it recorded, so a failing check never
hides the others and the timings are measured whatever fails:

(a) ``test_run_all_without_errors``     no error output, every code cell ran, no kernel dialog;
(b) ``test_myst_markup_rendered``       every markdown cell rendered, no raw MyST markup in it;
(c) ``test_one_live_widget_per_cell``   one ``.lcnn-explorer`` per ``explore_*(...)`` cell, each
                                        with exactly one picture, no ``.lcnn-static-twin``;
(d) ``test_controls_fit``               slider tracks >= 150 px wide, no control text cut off;
(e) ``test_main_control_changes_picture`` moving ``.lcnn-main-control`` redraws the picture.

What counts as an error in (a): an ``error`` output (an exception in a cell), or text on stderr
that carries a Python traceback. Other stderr text (warnings) is recorded and reported, not
failed. In (b), jupyterlab-myst's "Unknown Directive"/"Unknown Role" notices count as unrendered
markup too. What jupyterlab-myst renders but cannot resolve inside one notebook (citations,
references to other chapters, ``{doc}`` links, the ``{bibliography}`` directive that renders
nothing) is recorded under ``myst`` in ``_build/jupyterlab/results.json`` and summarised at the
end of the run, not failed.
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

import pytest

# (Not imported from conftest.py: several folders of tests/ have a module called "conftest".)
REPO = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((REPO / "book").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOTS = REPO / "_build" / "jupyterlab" / "screenshots"

VIEWPORT = {"width": 1280, "height": 1000}
OPEN_TIMEOUT_S = 120  # JupyterLab loaded, notebook open, kernel idle
RUN_ALL_TIMEOUT_S = 300  # Run All finished (per chapter)
WIDGET_TIMEOUT_S = 60  # every widget rendered with its picture, after Run All
MOVE_TIMEOUT_S = 30  # one control move until the picture changed
MOVES = 5
#: what the driver types into a text main control, in turn (filter sizes valid with any strides)
TEXT_ENTRIES = ("3,2", "4,2", "2,2", "3,3", "2,3")
MIN_SLIDER_TRACK_PX = 150

#: A widget cell: its source calls one of the package's ``explore_*`` functions.
WIDGET_CALL = re.compile(r"\bexplore_\w+\s*\(")
#: Raw MyST that must not survive rendering: roles, directive fences, directive options.
RAW_MYST = {
    "role": re.compile(r"\{[A-Za-z][\w:-]*\}`"),
    "directive": re.compile(r"(?::{3,}|`{3,})\{[A-Za-z][\w:-]*\}"),
    "directive option": re.compile(r"(?m)^\s*:(?:class|label|name|nonumber|filter|keyprefix):"),
}
#: What jupyterlab-myst shows instead of a directive or role it does not know.
MYST_UNKNOWN = re.compile(r"Unknown (Directive|Role)")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\w*(Error|Exception)\b.*:", re.M)

# ------------------------------------------------------------------------------ in-page scripts

_NOTEBOOK = "const w = window.jupyterapp && jupyterapp.shell.currentWidget;"

READY_JS = (
    "(path) => {\n  "
    + _NOTEBOOK
    + """
  return !!(w && w.context && w.context.path === path && w.context.isReady && w.content
            && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel
            && w.sessionContext.session.kernel.status === 'idle');
}"""
)

RUN_ALL_JS = """async (ms) => {
  const run = jupyterapp.commands.execute('notebook:run-all-cells');
  const timeout = new Promise(resolve => setTimeout(() => resolve('timeout'), ms));
  return String(await Promise.race([run, timeout]));
}"""

IDLE_JS = (
    "() => {\n  "
    + _NOTEBOOK
    + """
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k || k.status !== 'idle') return false;
  return ![...w.content.node.querySelectorAll('.jp-InputArea-prompt')]
            .some(p => p.textContent.trim().startsWith('[*]'));
}"""
)

KERNEL_STATUS_JS = (
    "() => {\n  "
    + _NOTEBOOK
    + """
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  const dom = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return {kernel: k ? k.status : null, indicator: dom ? dom.getAttribute('data-status') : null};
}"""
)

WIDGETS_DRAWN_JS = """(expected) => {
  const ex = [...document.querySelectorAll('.jp-Notebook .lcnn-explorer')];
  return ex.length >= expected
         && ex.every(e => [...e.querySelectorAll('img')]
                          .some(i => i.complete && i.naturalWidth > 0));
}"""

CELLS_JS = (
    "() => {\n  "
    + _NOTEBOOK
    + """
  const clean = s => (s || '').replace(/\\x1b\\[[0-9;]*m/g, '');
  const text = t => Array.isArray(t) ? t.join('') : (t || '');
  return w.content.widgets.map((cell, index) => {
    const m = cell.model;
    const out = {index, type: m.type, source: m.sharedModel.getSource(),
                 explorers: cell.node.querySelectorAll('.lcnn-explorer').length,
                 static_twins: cell.node.querySelectorAll('.lcnn-static-twin').length};
    if (m.type === 'code') {
      out.execution_count = m.executionCount;
      out.outputs = m.outputs.toJSON().map(o => ({
        output_type: o.output_type, name: o.name, ename: o.ename, evalue: o.evalue,
        text: clean(text(o.text)).slice(0, 4000),
        traceback: o.traceback ? clean(o.traceback.join('\\n')).slice(-4000) : undefined,
        mimetypes: o.data ? Object.keys(o.data) : undefined}));
    } else if (m.type === 'markdown') {
      out.rendered = cell.node.classList.contains('jp-mod-rendered');
      const area = cell.node.querySelector('.jp-InputArea');
      const views = area ? [...area.children].filter(
          c => !c.classList.contains('jp-InputArea-editor')
               && !c.classList.contains('jp-InputArea-prompt')
               && !c.classList.contains('jp-Toolbar')) : [];
      out.rendered_text = views.map(v => {
        const copy = v.cloneNode(true);
        copy.querySelectorAll('.katex-mathml, annotation, script, style, .cm-editor, .jp-Toolbar')
            .forEach(e => e.remove());
        return copy.textContent;
      }).join('\\n');
      out.renderer = views.map(v => v.className).join(' | ');
      out.not_found = views.flatMap(v => [...v.querySelectorAll('[title$="Not Found"]')])
                           .map(e => `${e.getAttribute('title')}: ${e.textContent.trim()}`);
    }
    return out;
  });
}"""
)

MYST_SURVEY_JS = """() => {
  const nb = document.querySelector('.jp-Notebook');
  const all = s => [...nb.querySelectorAll(s)];
  const texts = (s, n = 100) => all(s).map(e => e.textContent.replace(/\\s+/g, ' ').trim())
                                      .slice(0, n);
  const md = all('.jp-MarkdownCell');
  const links = all('.jp-MarkdownCell a[href]').map(a => ({href: a.getAttribute('href'),
                                                           text: a.textContent.trim()}));
  const refsHeading = all('.jp-MarkdownCell h2').find(h => /References/.test(h.textContent));
  let bibliography = null;
  if (refsHeading) {
    const view = refsHeading.parentElement;
    bibliography = {after_heading_text: [...view.children].filter(c => c !== refsHeading)
                      .map(c => c.textContent.trim()).join(' ').slice(0, 300),
                    after_heading_html: [...view.children].filter(c => c !== refsHeading)
                      .map(c => c.outerHTML).join('').slice(0, 300)};
  }
  return {
    markdown_cells: md.length,
    renderers: [...new Set(md.map(c => [...(c.querySelector('.jp-InputArea') || c).children]
                  .filter(x => !x.classList.contains('jp-InputArea-editor')
                               && !x.classList.contains('jp-InputArea-prompt')
                               && !x.classList.contains('jp-Toolbar'))
                  .map(x => x.className).join(' ')))],
    theorem_like_boxes: all('aside.myst-proof').length,
    theorem_like_titles: texts('aside.myst-proof .myst-proof-title', 12),
    exercise_boxes: all('aside.myst-exercise').length,
    exercise_titles: texts('aside.myst-exercise .myst-exercise-title', 6),
    solution_dropdowns: all('details.myst-exercise').length,
    solution_dropdowns_open: all('details.myst-exercise[open]').length,
    solution_titles: texts('details.myst-exercise > summary', 6),
    solution_blocks_not_dropdown: all('aside.myst-exercise').filter(
        a => /^Solution/.test(a.textContent.trim())).length,
    admonitions: all('aside.admonition, .myst-admonition, aside[class*="admonition"]').length,
    katex: all('.katex').length,
    katex_errors: texts('.katex-error', 10),
    equation_blocks: all('.katex-display').length,
    internal_links: links.filter(l => l.href.startsWith('#')).length,
    internal_link_texts: [...new Set(links.filter(l => l.href.startsWith('#'))
                                          .map(l => l.text))].slice(0, 40),
    external_links: links.filter(l => !l.href.startsWith('#') && !l.href.includes('/files/'))
                         .slice(0, 20),
    doc_links: links.filter(l => l.href.includes('/files/'))
                    .map(l => ({href: l.href.replace(/[?&]_xsrf=[^&]*/, ''), url: l.href,
                                text: l.text})),
    not_found: all('[title$="Not Found"]').map(e => ({title: e.getAttribute('title'),
                                                     text: e.textContent.trim()})),
    warnings_or_errors: all('.jp-MarkdownCell [title*="rror"], .jp-MarkdownCell [title*="arning"]')
                          .map(e => ({title: e.getAttribute('title'),
                                      text: e.textContent.trim().slice(0, 120)})).slice(0, 20),
    cite_groups: all('.cite-group').length,
    bibliography,
  };
}"""

WIDGETS_JS = """() => {
  const nb = document.querySelector('.jp-Notebook');
  const canvas = document.createElement('canvas').getContext('2d');
  const box = e => {
    const r = e.getBoundingClientRect();
    return {w: Math.round(r.width), h: Math.round(r.height)};
  };
  const explorers = [...nb.querySelectorAll('.lcnn-explorer')].map((ex, i) => {
    const imgs = [...ex.querySelectorAll('img')];
    const sliders = [...ex.querySelectorAll('.widget-slider')].map(s => {
      const track = s.querySelector('.noUi-target');
      const vertical = s.classList.contains('widget-vslider');
      const size = track ? box(track) : null;
      return {label: (s.querySelector('.widget-label') || {}).textContent || '',
              vertical, track: size ? (vertical ? size.h : size.w) : null,
              container: s.querySelector('.slider-container')
                         ? box(s.querySelector('.slider-container')).w : null};
    });
    const truncated = [];
    const candidates = ex.querySelectorAll(
        'button, label, .widget-label, .widget-label-basic, .widget-readout, .widget-button,'
        + ' .widget-toggle-button, .widget-checkbox, input[type=text], .widget-text');
    for (const el of candidates) {
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
        truncated.push({text: (el.textContent || el.value || '').trim(), class: el.className,
                        scrollWidth: el.scrollWidth, clientWidth: el.clientWidth});
    }
    for (const sel of ex.querySelectorAll('select')) {
      const opt = sel.options[sel.selectedIndex];
      if (!opt || sel.clientWidth === 0 || sel.multiple || sel.size > 1) continue;
      const cs = getComputedStyle(sel);
      canvas.font = cs.font;
      const need = canvas.measureText(opt.text).width;
      const avail = sel.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (need > avail + 1)
        truncated.push({text: opt.text, class: 'select', scrollWidth: Math.ceil(need),
                        clientWidth: Math.floor(avail)});
    }
    const main = ex.querySelectorAll('.lcnn-main-control');
    return {
      index: i, box: box(ex), images: imgs.length,
      image_sizes: imgs.map(im => ({natural: [im.naturalWidth, im.naturalHeight], shown: box(im),
                                    cls: im.className})),
      image_class_ok: imgs.length > 0 && imgs[0].classList.contains('lcnn-explorer-image'),
      main_controls: main.length,
      sliders, truncated,
      controls: [...ex.querySelectorAll('.widget-slider, .widget-toggle-buttons, .widget-dropdown,'
                                        + ' .widget-text, .widget-checkbox')].map(c => ({
        kind: c.className.split(' ').find(
            k => /^widget-(hslider|vslider|toggle-buttons|dropdown|text|checkbox)$/.test(k)),
        label: ((c.querySelector('.widget-label') || {}).textContent || '').trim(),
        main: c.classList.contains('lcnn-main-control')})),
      text: ex.innerText.slice(0, 400),
    };
  });
  return {explorers, static_twins: nb.querySelectorAll('.lcnn-static-twin').length,
          widget_errors: [...nb.querySelectorAll('.jupyter-widgets-error-widget')]
                           .map(e => e.textContent.slice(0, 300))};
}"""

#: Mark the control to move (the .lcnn-main-control, else the first control) and describe it.
PICK_CONTROL_JS = """(i) => {
  const ex = document.querySelectorAll('.jp-Notebook .lcnn-explorer')[i];
  let el = ex.querySelector('.lcnn-main-control');
  const fallback = !el;
  if (!el) el = ex.querySelector('.widget-slider, .widget-toggle-buttons, .widget-dropdown');
  if (!el) return null;
  document.querySelectorAll('[data-lcnn-move]').forEach(e => e.removeAttribute('data-lcnn-move'));
  el.setAttribute('data-lcnn-move', String(i));
  ex.setAttribute('data-lcnn-explorer', String(i));
  const kind = el.querySelector('.noUi-handle') ? 'slider'
             : el.querySelector('.widget-toggle-button') ? 'toggle'
             : el.querySelector('select') ? 'dropdown'
             : el.querySelector('input[type="text"]') ? 'text' : 'unknown';
  const label = ((el.querySelector('.widget-label') || {}).textContent || '').trim();
  return {kind, fallback, label, classes: el.className};
}"""

#: Start a measurement: the first user event (key, pointer, input) to the next picture change.
ARM_JS = """(i) => {
  const ex = document.querySelectorAll('.jp-Notebook .lcnn-explorer')[i];
  const img = ex.querySelector('img.lcnn-explorer-image') || ex.querySelector('img');
  const rec = {t0: null, t1: null, src0: img.src, changes: 0};
  const types = ['keydown', 'pointerdown', 'mousedown', 'input', 'change'];
  const onEvent = () => { if (rec.t0 === null) rec.t0 = performance.now(); };
  types.forEach(t => document.addEventListener(t, onEvent, true));
  const done = () => { types.forEach(t => document.removeEventListener(t, onEvent, true)); };
  const observer = new MutationObserver(() => {
    if (img.src !== rec.src0) {
      rec.changes += 1;
      if (rec.t1 === null) { rec.t1 = performance.now(); observer.disconnect(); done(); }
    }
  });
  observer.observe(img, {attributes: true, attributeFilter: ['src']});
  rec.stop = () => { observer.disconnect(); done(); };
  window.__lcnnMove = rec;
}"""

CONTROL_STATE_JS = """(i) => {
  const el = document.querySelector(`[data-lcnn-move="${i}"]`);
  const ex = document.querySelectorAll('.jp-Notebook .lcnn-explorer')[i];
  const handle = el.querySelector('.noUi-handle');
  const readout = el.querySelector('.widget-readout');
  const toggles = [...el.querySelectorAll('.widget-toggle-button')];
  const active = toggles.findIndex(b => b.classList.contains('mod-active'));
  const sel = el.querySelector('select');
  const text = el.querySelector('input[type="text"]');
  // The Explorer's children: [title], controls, message line, picture.
  const n = ex.children.length;
  const message = n >= 2 ? ex.children[n - 2].innerText.trim() : '';
  return {
    now: handle ? parseFloat(handle.getAttribute('aria-valuenow')) : null,
    min: handle ? parseFloat(handle.getAttribute('aria-valuemin')) : null,
    max: handle ? parseFloat(handle.getAttribute('aria-valuemax')) : null,
    readout: readout ? (readout.textContent || readout.value || '').trim() : null,
    toggles: toggles.length, active,
    options: sel ? sel.options.length : null, selected: sel ? sel.selectedIndex : null,
    text: text ? text.value : null,
    value_text: text ? text.value
              : sel ? (sel.options[sel.selectedIndex] || {}).text
              : active >= 0 ? toggles[active].textContent.trim()
              : readout ? (readout.textContent || readout.value || '').trim() : null,
    message: message.slice(0, 300),
  };
}"""


# ------------------------------------------------------------------------------------ helpers


class Chapter:
    """One chapter's live run: the Playwright page (while the fixture lives) and its record."""

    def __init__(self, notebook: Path, page, lab):
        self.notebook = notebook
        self.name = notebook.stem
        self.path = notebook.relative_to(REPO).as_posix()
        self.page = page
        self.lab = lab
        self.record: dict = {
            "notebook": self.path,
            "dialogs": [],
            "page_errors": [],
            "console_errors": [],
            "problems": [],
            "moves": [],
        }

    # -- waiting, with JupyterLab's dialogs handled on the way
    def wait(self, js: str, arg, timeout_s: float, what: str) -> bool:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        deadline = time.monotonic() + timeout_s
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.record["problems"].append(
                    f"timed out after {timeout_s:.0f} s waiting for {what}"
                )
                return False
            try:
                self.page.wait_for_function(js, arg=arg, timeout=min(left, 2.0) * 1000, polling=100)
                return True
            except PlaywrightTimeout:
                self.handle_dialogs()

    def handle_dialogs(self) -> None:
        """Answer JupyterLab's modal dialogs (kernel choice, kernel died, ...) and note them."""
        dialogs = self.page.locator(".jp-Dialog")
        for k in range(dialogs.count()):
            dialog = dialogs.nth(k)
            try:
                if not dialog.is_visible():
                    continue
                title = dialog.locator(".jp-Dialog-header").inner_text(timeout=1000).strip()
                body = dialog.locator(".jp-Dialog-body").inner_text(timeout=1000).strip()[:300]
                self.record["dialogs"].append({"title": title, "body": body})
                accept = dialog.locator(".jp-Dialog-footer .jp-mod-accept")
                reject = dialog.locator(".jp-Dialog-footer .jp-mod-reject")
                if (
                    re.search(r"select kernel|kernel restart|restarting|died|kernel", title, re.I)
                    and accept.count()
                ):
                    accept.first.click(timeout=2000)  # keep the preferred kernel / acknowledge
                elif reject.count():
                    reject.first.click(timeout=2000)  # never "save", "overwrite", "discard"
                elif accept.count():
                    accept.first.click(timeout=2000)
                else:
                    self.page.keyboard.press("Escape")
            except Exception as err:  # a dialog that went away meanwhile
                self.record["problems"].append(f"could not answer a dialog: {err}")

    def kernel_status(self) -> dict:
        return self.page.evaluate(KERNEL_STATUS_JS)

    # -- the steps
    def open(self) -> None:
        t = time.monotonic()
        self.page.goto(
            self.lab.lab_url(self.notebook),
            wait_until="domcontentloaded",
            timeout=OPEN_TIMEOUT_S * 1000,
        )
        if not self.wait(READY_JS, self.path, OPEN_TIMEOUT_S, "the notebook and an idle kernel"):
            raise RuntimeError(
                f"{self.name}: JupyterLab did not open it with an idle kernel "
                f"({self.record['problems'][-1]}); "
                f"dialogs: {self.record['dialogs']}"
            )
        self.record["open_s"] = round(time.monotonic() - t, 1)

    def run_all(self) -> None:
        t = time.monotonic()
        self.record["run_all_result"] = self.page.evaluate(RUN_ALL_JS, RUN_ALL_TIMEOUT_S * 1000)
        left = max(10.0, RUN_ALL_TIMEOUT_S - (time.monotonic() - t))
        finished = self.wait(IDLE_JS, None, left, "Run All to finish (no [*] prompt, kernel idle)")
        if finished:  # idle twice, a second apart: no cell queued behind a short idle moment
            time.sleep(1.0)
            finished = self.wait(IDLE_JS, None, 30, "the kernel to stay idle after Run All")
        self.record["run_all_finished"] = finished
        self.record["run_all_s"] = round(time.monotonic() - t, 1)

    def collect(self) -> None:
        t = time.monotonic()
        expected = sum(
            1
            for c in self.page.evaluate(CELLS_JS)
            if c["type"] == "code" and WIDGET_CALL.search(c["source"])
        )
        self.record["expected_widgets"] = expected
        self.record["widgets_drawn"] = self.wait(
            WIDGETS_DRAWN_JS,
            expected,
            WIDGET_TIMEOUT_S if expected else 1,
            "every widget to draw its picture",
        )
        self.record["widgets_drawn_s"] = round(time.monotonic() - t, 1)
        self.record["cells"] = self.page.evaluate(CELLS_JS)
        self.record["stderr_warnings"] = _stderr_warnings(self.record["cells"])
        self.record["widgets"] = self.page.evaluate(WIDGETS_JS)
        self.record["myst"] = myst = self.page.evaluate(MYST_SURVEY_JS)
        # Where do {doc} links lead in JupyterLab? Ask the server (with the page's cookies).
        for url in sorted({d["url"] for d in myst["doc_links"]})[:3]:
            try:
                status = self.page.request.get(url, max_redirects=0, timeout=10_000).status
            except Exception as err:
                status = f"{type(err).__name__}"
            where = url.split("/files/", 1)[-1].split("?", 1)[0]
            myst.setdefault("doc_link_status", {})[where] = status
        for link in myst["doc_links"]:
            del link["url"]  # it carries the session's XSRF token: not for results.json
        self.record["kernel_after_run"] = self.kernel_status()

    def screenshots(self) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shots = {}
        first = self.page.locator(".jp-Notebook .lcnn-explorer").first
        if self.page.locator(".jp-Notebook .lcnn-explorer").count():
            first.scroll_into_view_if_needed(timeout=10_000)
            path = SCREENSHOTS / f"{self.name}.png"
            first.screenshot(path=str(path), timeout=30_000)
            shots["first_widget"] = str(path.relative_to(REPO))
        path = SCREENSHOTS / f"{self.name}-viewport.png"
        self.page.screenshot(path=str(path), timeout=30_000)
        shots["viewport"] = str(path.relative_to(REPO))
        self.record["screenshots"] = shots

    def move_controls(self) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        n = self.page.locator(".jp-Notebook .lcnn-explorer").count()
        self.record["controls_moved"] = []
        for i in range(n):
            info = self.page.evaluate(PICK_CONTROL_JS, i)
            self.record["controls_moved"].append({"explorer": i, **(info or {"kind": None})})
            if not info or info["kind"] == "unknown":
                continue
            control = self.page.locator(f'[data-lcnn-move="{i}"]')
            control.scroll_into_view_if_needed(timeout=10_000)
            label = info["label"] or info["kind"]
            direction = 1
            for move in range(MOVES):
                before = self.page.evaluate(CONTROL_STATE_JS, i)
                entry = {
                    "explorer": i,
                    "move": move,
                    "control": f"{label} ({info['kind']})",
                    "fallback": info["fallback"],
                    "before": before["value_text"],
                    "ms": None,
                }
                try:
                    if info["kind"] == "slider":
                        handle = control.locator(".noUi-handle").first
                        if before["now"] is not None and before["max"] is not None:
                            if direction > 0 and before["now"] >= before["max"]:
                                direction = -1
                            elif direction < 0 and before["now"] <= before["min"]:
                                direction = 1
                        handle.focus(timeout=5000)
                        self.page.evaluate(ARM_JS, i)
                        self.page.keyboard.press("ArrowRight" if direction > 0 else "ArrowLeft")
                    elif info["kind"] == "toggle":
                        buttons = control.locator(".widget-toggle-button")
                        target = (max(before["active"], 0) + 1) % before["toggles"]
                        buttons.nth(target).scroll_into_view_if_needed(timeout=5000)
                        self.page.evaluate(ARM_JS, i)
                        buttons.nth(target).click(timeout=5000)
                    elif info["kind"] == "text":
                        # A text field (sizes of the appendix's widget): type the next of a few
                        # valid entries and press Enter, as a reader does.
                        values = TEXT_ENTRIES
                        nxt = (
                            values[(values.index(before["text"]) + 1) % len(values)]
                            if (before["text"] in values)
                            else values[0]
                        )
                        box = control.locator('input[type="text"]')
                        box.fill(nxt, timeout=5000)
                        self.page.evaluate(ARM_JS, i)
                        box.press("Enter", timeout=5000)
                    else:
                        target = (before["selected"] + 1) % before["options"]
                        self.page.evaluate(ARM_JS, i)
                        control.locator("select").select_option(index=target, timeout=5000)
                    changed = self.wait(
                        "() => window.__lcnnMove && window.__lcnnMove.t1 !== null",
                        None,
                        MOVE_TIMEOUT_S,
                        f"the picture of widget {i} to change (move {move + 1})",
                    )
                    rec = self.page.evaluate("() => ({t0: __lcnnMove.t0, t1: __lcnnMove.t1})")
                    self.page.evaluate("() => window.__lcnnMove.stop()")
                    if changed and rec["t0"] is not None:
                        entry["ms"] = round(rec["t1"] - rec["t0"], 1)
                    elif changed:
                        entry["note"] = "picture changed but no user event was seen"
                except PlaywrightTimeout as err:
                    entry["note"] = f"could not operate the control: {str(err).splitlines()[0]}"
                # Let the kernel finish the move (and any follow-up redraw) before the next one.
                self.wait(IDLE_JS, None, MOVE_TIMEOUT_S, "the kernel to be idle after a move")
                time.sleep(0.2)
                after = self.page.evaluate(CONTROL_STATE_JS, i)
                entry["after"] = after["value_text"]
                entry["message"] = after["message"]
                self.record["moves"].append(entry)
        # Errors a move may have printed (an exception in a widget callback, say).
        self.record["cells_after_moves"] = [
            {"index": c["index"], "outputs": c.get("outputs", [])}
            for c in self.page.evaluate(CELLS_JS)
            if c["type"] == "code"
        ]


def _error_outputs(cells: list[dict]) -> list[str]:
    found = []
    for cell in cells:
        for out in cell.get("outputs") or []:
            if out["output_type"] == "error":
                found.append(
                    f"cell {cell['index']}: {out['ename']}: {out['evalue']}\n"
                    f"{(out.get('traceback') or '')[-1500:]}"
                )
            elif (
                out["output_type"] == "stream"
                and out.get("name") == "stderr"
                and TRACEBACK.search(out.get("text") or "")
            ):
                found.append(f"cell {cell['index']} (stderr): {out['text'][-1500:]}")
    return found


def _stderr_warnings(cells: list[dict]) -> list[str]:
    return [
        f"cell {c['index']}: {o['text'].strip()[:300]}"
        for c in cells
        for o in c.get("outputs") or []
        if o["output_type"] == "stream"
        and o.get("name") == "stderr"
        and not TRACEBACK.search(o.get("text") or "")
    ]


# ------------------------------------------------------------------------------------ fixture


@pytest.fixture(scope="session", params=CHAPTERS, ids=[p.stem for p in CHAPTERS])
def chapter(request, chromium, lab, records) -> Chapter:
    """The chapter opened in JupyterLab, run, looked at and played with — once for all tests."""
    notebook: Path = request.param
    context = chromium.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    run = Chapter(notebook, page, lab)
    records[run.name] = run.record
    page.on("pageerror", lambda err: run.record["page_errors"].append(str(err)[:300]))
    page.on(
        "console",
        lambda msg: (
            run.record["console_errors"].append(msg.text[:300]) if msg.type == "error" else None
        ),
    )
    started = time.monotonic()
    try:
        run.open()
        run.run_all()
        run.collect()
        run.screenshots()
        run.move_controls()
    except Exception as err:  # the tests report what is missing; keep the rest of the session
        run.record["problems"].append(f"{type(err).__name__}: {err}")
        try:
            run.screenshots()
        except Exception:
            pass
    finally:
        run.record["chapter_s"] = round(time.monotonic() - started, 1)
        # Console errors repeat (jupyterlab-myst logs one per render): keep each once.
        run.record["console_errors"] = sorted(set(run.record["console_errors"]))
    yield run
    context.close()  # the tab goes away without a "save?" question (autosave is off)
    try:
        run.record["sessions_closed"] = lab.shutdown_sessions(run.path)
    except Exception as err:
        run.record["problems"].append(f"could not shut down the kernel: {err}")


def _require_run(run: Chapter, *keys: str) -> None:
    missing = [k for k in keys if k not in run.record]
    if missing:
        pytest.fail(
            f"{run.name}: the live run did not get that far: {run.record['problems']}",
            pytrace=False,
        )


# --------------------------------------------------------------------------------------- tests


def test_run_all_without_errors(chapter):
    """(a) Run All finishes, every code cell runs, no exception and no traceback on stderr."""
    _require_run(chapter, "cells")
    rec = chapter.record
    problems = []
    if not rec.get("run_all_finished"):
        problems.append(f"Run All did not finish: {rec['problems']}")
    not_run = [
        c["index"]
        for c in rec["cells"]
        if c["type"] == "code" and c["source"].strip() and c.get("execution_count") is None
    ]
    if not_run:
        problems.append(f"code cells that did not run: {not_run}")
    problems += _error_outputs(rec["cells"])
    problems += [
        f"after moving the controls: {e}"
        for e in _error_outputs(rec.get("cells_after_moves", []))
        if e not in _error_outputs(rec["cells"])
    ]
    problems += [f"dialog: {d['title']}: {d['body']}" for d in rec["dialogs"]]
    problems += [f"page error: {e}" for e in rec["page_errors"]]
    assert not problems, f"{chapter.name}:\n" + "\n".join(problems)


def test_myst_markup_rendered(chapter):
    """(b) Every markdown cell is rendered by jupyterlab-myst and shows no raw MyST markup."""
    _require_run(chapter, "cells")
    problems = []
    for cell in chapter.record["cells"]:
        if cell["type"] != "markdown" or not cell["source"].strip():
            continue
        if not cell.get("rendered"):
            problems.append(f"cell {cell['index']}: not rendered")
            continue
        text = cell.get("rendered_text") or ""
        if not text.strip():
            problems.append(f"cell {cell['index']}: rendered empty")
        for kind, pattern in RAW_MYST.items():
            for m in pattern.finditer(text):
                context = text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
                problems.append(
                    f"cell {cell['index']}: raw MyST {kind} {m.group(0)!r}: ...{context}..."
                )
        for m in MYST_UNKNOWN.finditer(text):
            context = text[max(0, m.start() - 60) : m.end()].replace("\n", " ")
            problems.append(f"cell {cell['index']}: jupyterlab-myst: ...{context}")
    assert not problems, f"{chapter.name}:\n" + "\n".join(problems)


def test_one_live_widget_per_cell(chapter):
    """(c) One live widget per ``explore_*(...)`` cell, one picture in it, no static twin."""
    _require_run(chapter, "widgets")
    rec = chapter.record
    widgets = rec["widgets"]
    problems = []
    explorers = widgets["explorers"]
    if len(explorers) != rec["expected_widgets"]:
        problems.append(
            f"{len(explorers)} .lcnn-explorer rendered, expected "
            f"{rec['expected_widgets']} (cells calling explore_*)"
        )
    for cell in rec["cells"]:
        if cell["type"] == "code" and WIDGET_CALL.search(cell["source"]) and cell["explorers"] != 1:
            problems.append(
                f"cell {cell['index']} calls explore_* but shows {cell['explorers']} widgets"
            )
    for ex in explorers:
        if ex["images"] != 1:
            problems.append(f"widget {ex['index']}: {ex['images']} images, expected exactly one")
        elif ex["image_sizes"][0]["natural"][0] == 0:
            problems.append(f"widget {ex['index']}: its picture is empty")
    if widgets["static_twins"]:
        twin_cells = [c["index"] for c in rec["cells"] if c.get("static_twins")]
        problems.append(
            f"{widgets['static_twins']} .lcnn-static-twin in the live notebook (cells {twin_cells})"
        )
    if widgets["widget_errors"]:
        problems.append(f"widget errors: {widgets['widget_errors']}")
    if not rec.get("widgets_drawn"):
        problems.append("not every widget drew its picture in time")
    assert not problems, f"{chapter.name}:\n" + "\n".join(problems)


def test_controls_fit(chapter):
    """(d) Slider tracks at least 150 px wide; no button, label or readout text cut off."""
    _require_run(chapter, "widgets")
    problems = []
    for ex in chapter.record["widgets"]["explorers"]:
        for s in ex["sliders"]:
            if s["track"] is None or s["track"] < MIN_SLIDER_TRACK_PX:
                problems.append(
                    f"widget {ex['index']}: slider {s['label']!r} track "
                    f"{s['track']} px < {MIN_SLIDER_TRACK_PX} px"
                )
        for t in ex["truncated"]:
            problems.append(
                f"widget {ex['index']}: text cut off: {t['text']!r} "
                f"({t['class']}: needs {t['scrollWidth']} px, has {t['clientWidth']})"
            )
    assert not problems, f"{chapter.name}:\n" + "\n".join(problems)


def test_main_control_changes_picture(chapter):
    """(e) Moving each widget's ``.lcnn-main-control`` redraws its picture (timed, not asserted)."""
    _require_run(chapter, "widgets", "controls_moved")
    rec = chapter.record
    problems = []
    for info in rec["controls_moved"]:
        i = info["explorer"]
        if info.get("kind") in (None, "unknown"):
            problems.append(f"widget {i}: no control to move")
            continue
        moves = [m for m in rec["moves"] if m["explorer"] == i]
        bad = [m for m in moves if m["ms"] is None]
        if info.get("fallback"):
            problems.append(
                f"widget {i}: no .lcnn-main-control (moved the first control, "
                f"{info['label'] or info['kind']!r}, instead: picture changed in "
                f"{len(moves) - len(bad)}/{len(moves)} moves)"
            )
        for m in bad:
            problems.append(
                f"widget {i}, move {m['move'] + 1} ({m['before']} -> {m['after']}): "
                f"picture did not change ({m.get('note', 'timed out')}; "
                f"message line: {m.get('message')!r})"
            )
    times = [m["ms"] for m in rec["moves"] if m["ms"] is not None]
    if times:
        print(
            f"{chapter.name}: control-to-picture first {times[0]:.0f} ms, "
            f"median {statistics.median(times):.0f} ms over {len(times)} moves"
        )
    assert not problems, f"{chapter.name}:\n" + "\n".join(problems)
