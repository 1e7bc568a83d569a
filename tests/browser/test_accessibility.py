"""axe-core on every page of the offline site: no critical or serious WCAG 2 A/AA violation.

Each page is the one ``conftest.py`` opened for all browser tests (MathJax typeset, widgets
rendered, images decoded); this test waits for the web fonts, injects axe-core (fetched from npm
by ``vendor_axe.py`` into ``_build/vendor/``, never served by the site) and runs the WCAG 2.0
and 2.1 level A and AA rules. A critical or serious violation fails the page, with the rule, how
many elements break it and a few of their selectors. Moderate and minor findings are printed (see
them with ``pytest -rP``) and do not fail. Every page's counts go to ``_build/a11y/<page>.json``;
``tests/browser/A11Y.md`` explains the gate and records the counts before and after the fixes.

Skips, or fails under ``LCNN_BROWSER_TESTS=required``, like the other browser tests (conftest.py);
so does a missing axe-core when npm cannot fetch it.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from build_offline import ROOT
from vendor_axe import AXE_VERSION, VendorError, vendor

#: The WCAG rule sets axe runs (level A and AA of WCAG 2.0 and 2.1).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
#: Impacts that fail the test; the others are printed only.
FAILING = ("critical", "serious")
IMPACTS = ("critical", "serious", "moderate", "minor")
#: How many element selectors a message lists per rule.
SHOWN_TARGETS = 3
#: Where each page's counts are written (per rule and impact), for A11Y.md's tables.
REPORTS = ROOT / "_build" / "a11y"

_RUN_AXE = """async (tags) => {
    await document.fonts.ready;
    // Two animation frames: layout and paint after the last font or image change.
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    // CSS transitions (the theme fades colours when the colour mode changes) run to the end, so
    // contrast is measured on the final colours. Infinite animations (spinners) are not awaited.
    await Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getTiming().iterations !== Infinity)
        .map(a => a.finished.catch(() => null)));
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: tags},
        resultTypes: ['violations'],
        // No preload: axe would re-fetch every stylesheet (for css-orientation-lock), which
        // Chromium refuses on file: pages, and those failed requests would land in the page's
        // record that test_pages.py checks. The other preload, media for no-autoplay-audio,
        // has nothing to load: the site has no audio or video.
        preload: false,
    });
    return result.violations.map(v => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map(n => n.target.join(' ')),
    }));
}"""


@pytest.fixture(scope="session")
def axe_script():
    """Path of ``axe.min.js`` (downloaded once from npm into ``_build/vendor/``)."""
    # This session's reports only: a page that is gone leaves no stale file behind.
    shutil.rmtree(REPORTS, ignore_errors=True)
    try:
        return vendor()
    except VendorError as err:
        reason = f"axe-core {AXE_VERSION} is not available: {err}"
        # The convention of conftest.py: skip, but fail when CI requires the browser tests.
        if os.environ.get("LCNN_BROWSER_TESTS", "").lower() == "required":
            pytest.fail(f"{reason} (LCNN_BROWSER_TESTS=required)", pytrace=False)
        pytest.skip(reason)


def run_axe(pw_page, axe_path) -> list[dict]:
    """Inject axe into a loaded Playwright page and return its WCAG A/AA violations.

    Each violation is ``{"id", "impact", "help", "targets"}``, ``targets`` holding one CSS
    selector per element that breaks the rule.
    """
    if not pw_page.evaluate("() => typeof window.axe !== 'undefined'"):
        pw_page.add_script_tag(path=str(axe_path))
    return pw_page.evaluate(_RUN_AXE, list(WCAG_TAGS))


def summarise(violations: list[dict]) -> dict:
    """Counts of failing elements per impact, and per ``rule (impact)``."""
    by_impact = Counter()
    by_rule = {}
    for v in violations:
        by_impact[v["impact"]] += len(v["targets"])
        by_rule[f"{v['id']} ({v['impact']})"] = len(v["targets"])
    return {"impact": {i: by_impact.get(i, 0) for i in IMPACTS}, "rules": by_rule}


def _describe(violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        shown = ", ".join(v["targets"][:SHOWN_TARGETS])
        more = len(v["targets"]) - SHOWN_TARGETS
        lines.append(
            f"  {v['impact']} {v['id']} x{len(v['targets'])}: {v['help']}; {shown}"
            + (f" (+{more} more)" if more > 0 else "")
        )
    return lines


#: Switch the theme's colour mode the way its own toggle does (``data-mode``/``data-theme`` on
#: <html>), remembering the old values; and put them back.
_SET_SCHEME = """(scheme) => {
    const html = document.documentElement;
    html.dataset.lcnnA11ySaved = JSON.stringify([html.dataset.mode, html.dataset.theme]);
    html.dataset.mode = scheme;
    html.dataset.theme = scheme;
}"""
_RESTORE_SCHEME = """() => {
    const html = document.documentElement;
    const [mode, theme] = JSON.parse(html.dataset.lcnnA11ySaved);
    for (const [key, value] of [['mode', mode], ['theme', theme]]) {
        if (value === undefined) delete html.dataset[key]; else html.dataset[key] = value;
    }
    delete html.dataset.lcnnA11ySaved;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_wcag_a_aa(page, axe_script, scheme):
    """No critical or serious WCAG A/AA violation, in the theme's light and dark colour modes."""
    page.page.evaluate(_SET_SCHEME, scheme)
    try:
        violations = run_axe(page.page, axe_script)
    finally:
        # The page is shared with the other browser tests: leave it as it was loaded.
        page.page.evaluate(_RESTORE_SCHEME)
    REPORTS.mkdir(parents=True, exist_ok=True)
    summary = {
        "page": page.name,
        "scheme": scheme,
        "axe": AXE_VERSION,
        "tags": list(WCAG_TAGS),
        **summarise(violations),
    }
    report = REPORTS / f"{page.name.replace('/', '__')}.{scheme}.json"
    report.write_text(json.dumps(summary, indent=1))

    where = f"{page.name} ({scheme} mode)"
    failing = [v for v in violations if v["impact"] in FAILING]
    other = [v for v in violations if v["impact"] not in FAILING]
    if other:
        print(f"{where}: moderate/minor axe findings (not failing):")
        print("\n".join(_describe(other)))
    assert not failing, (
        f"{where}: axe {AXE_VERSION} finds critical/serious WCAG A/AA "
        "violations:\n" + "\n".join(_describe(failing))
    )


def test_theme_templates_lose_the_mismatched_names():
    """The a11y extension's template fixes still match the installed theme (no browser needed).

    If a theme upgrade changes these templates, this fails before the build only warns.
    """
    import importlib.util
    import sys

    pydata = pytest.importorskip("pydata_sphinx_theme")
    components = Path(pydata.__file__).parent / "theme" / "pydata_sphinx_theme" / "components"
    spec = importlib.util.spec_from_file_location("lcnn_a11y", ROOT / "book" / "_ext" / "a11y.py")
    a11y = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("lcnn_a11y", a11y)
    spec.loader.exec_module(a11y)
    for name, (fix, pattern) in a11y.TEMPLATE_FIXES.items():
        source = (components / name).read_text(encoding="utf8")
        assert pattern.search(source), f"{name} no longer has the markup the fix removes"
        fixed = fix(source)
        assert not pattern.search(fixed)
        # Only attributes go: every element of the template is still there.
        assert fixed.count("<") == source.count("<")
    search = a11y.TEMPLATE_FIXES["search-button-field.html"][0](
        (components / "search-button-field.html").read_text(encoding="utf8")
    )
    assert "aria-label" not in search and "search-button__default-text" in search
    switcher = a11y.TEMPLATE_FIXES["theme-switcher.html"][0](
        (components / "theme-switcher.html").read_text(encoding="utf8")
    )
    assert "aria-label=\"{{ _('Color mode') }}\"" in switcher
    assert " title=" not in switcher
