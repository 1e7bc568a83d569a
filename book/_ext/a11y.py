"""Build-time accessibility fixes for the site's HTML (issue 15).

axe-core (``tests/browser/test_accessibility.py``) found these problems in markup that the
book's tools write, not the book's own sources. Each is fixed where the markup is produced, while
Sphinx writes the pages; the built files are never edited afterwards.

Bibliography (docutils' HTML5 writer)
    The entries of a citation list carry ``role="doc-biblioentry"``, a role DPUB-ARIA 1.1
    deprecates, inside ``<div role="list">``. A list may hold only list items, and the entries'
    ``doc-backlink`` links then count as forbidden children of the list (axe:
    ``aria-required-children``, critical; ``aria-deprecated-role``). The entries are written as
    ``role="listitem"`` instead.

Hidden code cells (myst-nb)
    Their ``<summary>`` is named "Toggle hidden content" by ``aria-label``, while it shows "Show
    code cell source": a speech-input user who says the visible words finds no control (axe:
    ``label-content-name-mismatch``, serious). The ``aria-label`` is dropped, so the name is the
    visible text.

Theme buttons (pydata-sphinx-theme's templates)
    The search button is named "Search" but shows "Search Ctrl+K"; the colour-mode button is named
    "Color mode" while its icon carries a title ("Light", "Dark", ...) that counts as visible text
    (same rule). The search button loses its ``aria-label`` (its name is then its text); the
    icons lose their ``title`` (the button keeps its name and its "Color mode" tooltip). The
    templates are patched as Jinja loads them, so the theme's other markup stays as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Builders whose pages get the HTML fixes.
HTML_BUILDERS = ("html", "dirhtml", "singlehtml")


# == bibliography ==================================================================================


def visit_citation(self: Any, node: nodes.citation) -> None:
    """docutils' ``visit_citation`` with ``role="listitem"`` for the entry.

    As in docutils, the first of a run of sibling citations opens the ``role="list"`` wrapper
    (``depart_citation`` closes it after the last one).
    """
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self: Any, node: nodes.citation) -> None:
    """The translator's own ``depart_citation`` (it closes the entry and, at the end, the list)."""
    type(self).depart_citation(self, node)


# == myst-nb's hidden code cells ===================================================================


def _hide_cell_visitors() -> tuple[type, Callable, Callable] | None:
    try:
        from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
    except ImportError:  # myst-nb not installed or reorganised: nothing to fix
        return None
    return HideCodeCellNode, visit_HideCellInput, depart_HideCellInput


_SUMMARY_LABEL = '<summary aria-label="Toggle hidden content">'


def _make_visit_hide_cell(original: Callable) -> Callable:
    def visit_hide_cell(self: Any, node: nodes.Element) -> None:
        """myst-nb's visitor, with a ``<summary>`` named by its visible text."""
        start = len(self.body)
        original(self, node)
        for i in range(start, len(self.body)):
            if _SUMMARY_LABEL in self.body[i]:
                self.body[i] = self.body[i].replace(_SUMMARY_LABEL, "<summary>")

    return visit_hide_cell


# == theme templates ===============================================================================

_ICON_TITLE = re.compile(r'(<i class="theme-switch[^"]*"[^>]*?)\s+title="[^"]*"')
_SEARCH_LABEL = re.compile(
    r'(<button class="btn search-button-field[^"]*"[^>]*?)\s+aria-label="[^"]*"'
)


def _fix_search_button(source: str) -> str:
    return _SEARCH_LABEL.sub(r"\1", source)


def _fix_theme_switcher(source: str) -> str:
    return _ICON_TITLE.sub(r"\1", source)


#: Template file name -> (fix, pattern that must be gone afterwards).
TEMPLATE_FIXES: dict[str, tuple[Callable[[str], str], re.Pattern[str]]] = {
    "search-button-field.html": (_fix_search_button, _SEARCH_LABEL),
    "theme-switcher.html": (_fix_theme_switcher, _ICON_TITLE),
}


def patch_templates(app: Any) -> None:
    """Make the builder's Jinja loader apply :data:`TEMPLATE_FIXES` to the theme's templates."""
    bridge = getattr(app.builder, "templates", None)
    if bridge is None or not hasattr(bridge, "get_source"):
        return
    original = bridge.get_source
    applied: set[str] = set()

    def get_source(environment: Any, template: str) -> tuple[str, Any, Any]:
        source, filename, uptodate = original(environment, template)
        name = template.lstrip("!").rsplit("/", 1)[-1]
        if name in TEMPLATE_FIXES:
            fix, _ = TEMPLATE_FIXES[name]
            fixed = fix(source)
            if fixed == source and name not in applied:
                logger.warning(
                    f"a11y: the theme's {name} no longer has the markup this "
                    "extension fixes; check it with tests/browser/test_accessibility.py",
                    type="a11y",
                    subtype="template",
                )
            applied.add(name)
            source = fixed
        return source, filename, uptodate

    bridge.get_source = get_source


# == wiring ========================================================================================


def _builder_inited(app: Any) -> None:
    if app.builder.name not in HTML_BUILDERS:
        return
    # Registered here, after every extension's setup(): these replace the handlers that
    # docutils and myst-nb installed, whatever order the extensions were loaded in.
    handlers = {app.builder.name: (visit_citation, depart_citation)}
    app.registry.add_translation_handlers(nodes.citation, **handlers)
    hide = _hide_cell_visitors()
    if hide is not None:
        node, visit, depart = hide
        app.registry.add_translation_handlers(
            node, **{app.builder.name: (_make_visit_hide_cell(visit), depart)}
        )
    patch_templates(app)


def setup(app: Any) -> dict[str, Any]:
    """Register the accessibility hooks with Sphinx."""
    app.connect("builder-inited", _builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
