"""One numbering for the reader: paper results under the paper's names, book results apart.

sphinx-proof numbers every box itself (Theorem 1, Theorem 2, ... per page), and Sphinx numbers
labelled equations (1), (2), ... per page, so a box that states the paper's Theorem 4 read
"Theorem 1 (Theorem 4 (paper): ...)". This extension renames boxes and equations at build time,
keyed on their labels, so that the notebooks need no numbers at all:

* A box whose label is the ``statement`` of a result in ``lcnn_widgets/results.py`` carries the
  paper's name only: "Theorem 4 (one fiber point up to signs, ...)". Every ``{prf:ref}`` to it
  reads "Theorem 4".
* Every other box is the book's own and is named "Book <kind> <chapter>.<n>", e.g.
  "Book definition 3.1", where n counts the book's boxes of that chapter in order (one counter
  for all kinds, as in the paper). The word "Book" and the dotted number cannot be mistaken for
  the paper's plain numbers, and the chapter number says where to look.
* A displayed equation whose label is the ``statement`` of one of the paper's equations shows
  the paper's number, "(9)"; the book's own equations show "(<chapter>.<n>)", e.g. "(4.2)".
  ``{eq}`` references follow, because both read Sphinx's figure numbers, which are rewritten here.

Titles may still start with an old prefix such as "Theorem 4 (paper): " or "Equation (8)
(paper): "; it is removed here. A prefix that disagrees with ``results.py`` (it names an unknown
result, it omits the result the box states, or it claims a box result for a box that
``results.py`` does not list) is a build warning, hence an error under ``-W``.

The pure functions at the top are unit-tested in ``tests/test_numbering.py`` without a build.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx_proof import nodes as proof_nodes

#: Directive kinds of sphinx-proof whose boxes get names (``prf:proof`` boxes get none).
BOX_KINDS = (
    "axiom",
    "theorem",
    "lemma",
    "algorithm",
    "definition",
    "remark",
    "conjecture",
    "corollary",
    "criterion",
    "example",
    "property",
    "observation",
    "proposition",
    "assumption",
    "notation",
)

#: Kinds of the paper's results that are stated in boxes (as opposed to equations, sections).
_BOX_RESULT_KINDS = (
    "Theorem",
    "Proposition",
    "Lemma",
    "Corollary",
    "Observation",
    "Example",
    "Remark",
)

# "<names> (paper[, qualifier])<: or ,> <rest>", e.g. "Theorem 4 (paper): one fiber point".
_PREFIX = re.compile(
    r"^(?P<names>[A-Z][^()]*?(?:\(\d+\)[^()]*?)?) \(paper(?:, (?P<qual>[^)]*))?\)"
    r"(?P<sep>:\s*|,\s*|$)"
)
_NAME = re.compile(r"^(?P<kind>[A-Z][a-z]+) (?P<num>\(\d+\)|\d+)$")
_CHAPTER = re.compile(r"(?:^|/)(?P<num>\d+)_[^/]*$")


def load_results(path: Path | None = None) -> ModuleType:
    """Load ``lcnn_widgets/results.py`` on its own (not the package: no numpy, no widgets)."""
    path = path or Path(__file__).resolve().parents[2] / "lcnn_widgets" / "results.py"
    name = "_paper_numbers_results"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover
        raise ImportError(f"cannot load the result registry from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def statements(results: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Paper names of the labelled boxes and the paper numbers of the labelled equations.

    Parameters
    ----------
    results : sequence of Result
        The registry (``lcnn_widgets.results.RESULTS``).

    Returns
    -------
    boxes : dict of str to str
        sphinx-proof label -> paper name, e.g. ``{"thm-fib-unique": "Theorem 4"}``.
    equations : dict of str to str
        equation label -> paper equation number, e.g. ``{"eq-metric-tangent": "9"}``.

    Raises
    ------
    ValueError
        If two results claim the same label as their statement.
    """
    boxes: dict[str, str] = {}
    equations: dict[str, str] = {}
    for r in results:
        if r.statement is None:
            continue
        target = equations if r.label.startswith("eq.") else boxes
        if r.statement in boxes or r.statement in equations:
            raise ValueError(
                f"two results state the same label {r.statement!r}; "
                "each box or equation can carry one paper name"
            )
        target[r.statement] = r.number if target is equations else r.name
    return boxes, equations


def normalize_name(text: str) -> str | None:
    """The paper name written in a title prefix, normalized; ``None`` if it is not a name.

    ``"Theorem 4"`` and ``"Equation (8)"`` are returned as they are; ``"Equation 8"`` becomes
    ``"Equation (8)"``, ``"Proposition (2)"`` becomes ``"Proposition 2"``.
    """
    m = _NAME.match(text.strip())
    if m is None:
        return None
    num = m["num"].strip("()")
    return f"Equation ({num})" if m["kind"] == "Equation" else f"{m['kind']} {num}"


def split_title(title: str) -> tuple[list[str], str | None, str, str]:
    """Split a box title into the paper names of its prefix, a qualifier, a separator, the rest.

    Parameters
    ----------
    title : str
        The directive's title argument, e.g. ``"Theorem 4 (paper): one fiber point"``.

    Returns
    -------
    names : list of str
        The names in the prefix (``[]`` if there is no ``(paper)`` prefix), as written.
    qualifier : str or None
        The text after ``paper,`` inside the parentheses, e.g. ``"as stated there"``.
    separator : str
        ``":"``, ``","`` or ``""`` (the punctuation after the prefix).
    rest : str
        The title without the prefix.

    Examples
    --------
    >>> split_title("Proposition 2 and Proposition 12 (paper): rescaling")
    (['Proposition 2', 'Proposition 12'], None, ':', 'rescaling')
    >>> split_title("Fibers from root orbits (1D)")
    ([], None, '', 'Fibers from root orbits (1D)')
    """
    m = _PREFIX.match(title)
    if m is None:
        return [], None, "", title
    names = [n.strip() for n in re.split(r",\s*|\s+and\s+", m["names"]) if n.strip()]
    return names, m["qual"], m["sep"].strip(), title[m.end() :]


def new_title(title: str, paper_name: str | None) -> tuple[str, list[str]]:
    """The title a box shows, and the disagreements of its prefix with ``results.py``.

    Parameters
    ----------
    title : str
        The directive's title argument.
    paper_name : str or None
        The paper name of the box from ``results.py`` (``None`` for the book's own boxes).

    Returns
    -------
    title : str
        The title without the ``(paper)`` prefix. A qualifier is kept ("as stated in the
        paper: ..."); a prefix naming a section of the paper (not a numbered result) is kept
        as words ("the paper's Section 5, ...").
    problems : list of str
        Empty if the prefix agrees with ``results.py``.

    Examples
    --------
    >>> new_title("Theorem 4 (paper): one fiber point", "Theorem 4")
    ('one fiber point', [])
    >>> new_title("Theorem 4 (paper): one fiber point", None)[1]
    ["the title claims the paper's Theorem 4, but results.py lists no box for it here"]
    """
    names, qualifier, sep, rest = split_title(title)
    if not names:
        return title, []
    problems: list[str] = []
    normalized = [normalize_name(n) for n in names]
    for raw, norm in zip(names, normalized, strict=True):
        if norm is None:
            problems.append(
                f"the title prefix {raw!r} is not a paper name like 'Theorem 4' or 'Equation (8)'"
            )
    if paper_name is not None and paper_name not in normalized:
        problems.append(
            f"results.py says this box is the paper's {paper_name}, but the title "
            f"prefix names {', '.join(names)}"
        )
    if paper_name is None:
        for norm in normalized:
            if norm is not None and norm.split()[0] in _BOX_RESULT_KINDS:
                problems.append(
                    f"the title claims the paper's {norm}, but results.py lists no box for it here"
                )
    sections = [n for n in normalized if n is not None and n.startswith(("Section", "Table"))]
    if sections and paper_name is None:
        lead = "the paper's " + " and ".join(sections)
        rest = f"{lead}{sep} {rest}" if rest else lead
    elif qualifier:
        qualifier = qualifier.replace("there", "in the paper")
        rest = f"{qualifier}: {rest}" if rest else qualifier
    return rest, problems


def chapter_number(docname: str) -> int | None:
    """The chapter number of a document, ``"book/03_fibers"`` -> 3; ``None`` if unnumbered."""
    m = _CHAPTER.search(docname)
    return int(m["num"]) if m else None


def book_name(kind: str, chapter: int | None, n: int) -> str:
    """The name of the book's own n-th box in a chapter, e.g. ``"Book definition 3.1"``."""
    if chapter is None:
        return f"Book {kind} {n}"
    return f"Book {kind} {chapter}.{n}"


def equation_numbers(
    order: list[str], paper: dict[str, str], chapter: int | None
) -> dict[str, tuple[int, ...]]:
    """Numbers of a page's displayed equations: the paper's, or (chapter, n) for the book's.

    Parameters
    ----------
    order : list of str
        The node ids of the page's numbered equations in page order
        (``"equation-<label>"``).
    paper : dict of str to str
        equation label -> paper number (from :func:`statements`).
    chapter : int or None
        The page's chapter number; the book's equations of an unnumbered page get (n,).

    Returns
    -------
    dict of str to tuple of int
        node id -> number tuple, as Sphinx keeps figure numbers ("." joins the parts).
    """
    out: dict[str, tuple[int, ...]] = {}
    n = 0
    for node_id in order:
        label = node_id.removeprefix("equation-")
        if label in paper:
            out[node_id] = (int(paper[label]),)
        else:
            n += 1
            out[node_id] = (chapter, n) if chapter is not None else (n,)
    return out


# --------------------------------------------------------------------------------------------
# Sphinx glue
# --------------------------------------------------------------------------------------------

logger = logging.getLogger(__name__)
_ENUMERABLE = (*proof_nodes.NODE_TYPES.values(), proof_nodes.unenumerable_node)


class named_box(proof_nodes.unenumerable_node):
    """A proof box whose caption (its name) is set at read time; Sphinx does not number it."""


def _visit_html(self: Any, node: Any) -> None:
    self.body.append(self.starttag(node, "div", CLASS="admonition"))


def _depart_html(self: Any, node: Any) -> None:
    self.body.append("</div>\n")


def _visit_latex(self: Any, node: Any) -> None:
    self.body.append("\n\\begin{sphinxadmonition}{note}{}")


def _depart_latex(self: Any, node: Any) -> None:
    self.body.append("\\end{sphinxadmonition}\n")


def _pass(self: Any, node: Any) -> None:
    pass


def _retitle(heading: Any, raw: str, title: str, name: str, before: str, after: str) -> None:
    """Put the name in front of a box title and replace the old prefix by the new lead."""
    rest = split_title(raw)[3]
    first = heading.children[0] if heading.children else None
    if raw != title:
        removed = len(raw) - len(rest)
        lead = title[: len(title) - len(rest)] if title.endswith(rest) else None
        if (
            lead is not None
            and isinstance(first, nodes.Text)
            and first.astext().startswith(before + raw[:removed])
        ):
            text = first.astext()
            heading.replace(first, nodes.Text(before + lead + text[len(before) + removed :]))
        else:  # pragma: no cover - the prefix is always plain text at the start
            heading.children = []
            heading += nodes.Text(before + title + after)
    if not title:
        heading.children = []
    heading.insert(0, nodes.inline("", name + " ", classes=["caption-number"]))


def _names(env: Any) -> dict[str, dict[str, str]]:
    if not hasattr(env, "paper_numbers_names"):
        env.paper_numbers_names = {}
    return env.paper_numbers_names


def rename_boxes(app: Any, doctree: Any) -> None:
    """doctree-read: turn every numbered proof box into a named, unnumbered one."""
    env = app.env
    box_names = app.paper_numbers_boxes
    before, _, after = app.config.proof_title_format.partition("%t")
    docname = env.docname
    chapter = chapter_number(docname)
    names = _names(env)
    count = 0
    for old in list(doctree.findall(lambda n: isinstance(n, _ENUMERABLE))):
        if isinstance(old, named_box):
            continue
        label, kind = old.get("label", ""), old.get("realtype", "")
        paper = box_names.get(label)
        if paper is None:
            count += 1
            name = book_name(kind, chapter, count)
            if chapter is None:
                logger.warning(
                    f"paper_numbers: box {label!r} is on a page without a chapter "
                    "number; it is named without one",
                    location=old,
                )
        else:
            name = paper
            if paper.split()[0].lower() != kind:
                logger.warning(
                    f"paper_numbers: box {label!r} is a prf:{kind}, but results.py "
                    f"says it is the paper's {paper}",
                    location=old,
                )
        raw = old.get("title", "")
        if raw and raw.startswith(before) and raw.endswith(after):
            raw = raw[len(before) : len(raw) - len(after)]
        title, problems = new_title(raw, paper)
        for problem in problems:
            logger.warning(f"paper_numbers: box {label!r}: {problem}", location=old)
        new = named_box("", *old.children, **old.attributes)
        new["paper_numbers_name"] = name
        new["classes"].append("paper-numbered")  # marks a site built with this extension
        if new.children and isinstance(new.children[0], nodes.title):
            _retitle(new.children[0], raw, title, name, before, after)
        old.replace_self(new)
        names[label] = {"docname": docname, "name": name}
        if label in getattr(env, "proof_list", {}):
            env.proof_list[label]["nonumber"] = True


def _purge(app: Any, env: Any, docname: str) -> None:
    names = _names(env)
    for label in [k for k, v in names.items() if v["docname"] == docname]:
        del names[label]


def _merge(app: Any, env: Any, docnames: Any, other: Any) -> None:
    _names(env).update(
        {
            k: v
            for k, v in getattr(other, "paper_numbers_names", {}).items()
            if v["docname"] in docnames
        }
    )


def renumber_equations(app: Any, env: Any) -> list[str]:
    """env-get-updated (after Sphinx numbered the equations): paper or chapter numbers."""
    if not hasattr(env, "paper_numbers_eqs"):
        env.paper_numbers_eqs = {}
    done = env.paper_numbers_eqs
    for docname, figures in env.toc_fignumbers.items():
        current = figures.get("displaymath")
        if not current or done.get(docname) == current:
            continue
        order = sorted(current, key=lambda i: current[i])
        figures["displaymath"] = equation_numbers(
            order, app.paper_numbers_equations, chapter_number(docname)
        )
        done[docname] = dict(figures["displaymath"])
    return []


def _check(app: Any, env: Any) -> None:
    if not app.config.paper_numbers_check_missing:
        return
    names = _names(env)
    for label, paper in app.paper_numbers_boxes.items():
        if label not in names:
            logger.warning(
                f"paper_numbers: results.py names box {label!r} the paper's "
                f"{paper}, but no box has that label"
            )
    equations = env.get_domain("math").equations
    for label, number in app.paper_numbers_equations.items():
        if label not in equations:
            logger.warning(
                f"paper_numbers: results.py names equation {label!r} the paper's "
                f"({number}), but no equation has that label"
            )


class NameReferences(SphinxPostTransform):
    """Give ``{prf:ref}`` links the box's name (runs before sphinx-proof resolves them)."""

    default_priority = 5  # Sphinx's ReferencesResolver runs at 10

    def run(self, **kwargs: Any) -> None:
        names = _names(self.env)
        for ref in list(self.document.findall(pending_xref)):
            if ref.get("refdomain") != "prf" or not ref.children:
                continue
            target = ref.get("reftarget", "")
            if target not in names:
                continue
            content = ref.children[0]
            text, name = content.astext(), names[target]["name"]
            if text == target:
                content.children = []
                content += nodes.Text(name)
            elif text != name and re.search(r"\d", text):
                logger.warning(
                    f"paper_numbers: a link to {target!r} reads {text!r}; write "
                    f"{{prf:ref}}`{target}`, which reads {name!r}",
                    location=ref,
                )


def setup(app: Any) -> dict[str, Any]:
    """Register the renaming hooks (after sphinx-proof, whose nodes they replace)."""
    app.setup_extension("sphinx_proof")
    # Warn if a box or equation named in results.py is missing (off for partial test projects).
    app.add_config_value("paper_numbers_check_missing", True, "env")
    app.paper_numbers_boxes, app.paper_numbers_equations = statements(load_results().RESULTS)
    app.add_node(
        named_box,
        html=(_visit_html, _depart_html),
        latex=(_visit_latex, _depart_latex),
        text=(_pass, _pass),
    )
    app.connect("doctree-read", rename_boxes)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-updated", renumber_equations)
    app.connect("env-check-consistency", _check)
    app.add_post_transform(NameReferences)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
