"""Every chapter reads like a book chapter (issue 11): an overview first, numbered captions on
every figure and a reference to each, quiet outputs, and the lengths the editors set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from book_cells import CHAPTERS, cells, markdown, words

#: chapters with an explicit length limit (words of markdown, solutions included)
LIMITS = {"07_higher_dim": 2950, "08_fully_connected": 2800, "09_relu": 2800, "10_table1": 2950}


def test_every_chapter_of_the_toc_is_checked():
    toc = (Path(__file__).resolve().parents[1] / "_toc.yml").read_text()
    listed = sorted(re.findall(r"file: book/([0-9][0-9]_\w+)", toc))
    assert listed == CHAPTERS and len(CHAPTERS) == 11  # chapters 1-10 and the appendix


@pytest.mark.parametrize("name", CHAPTERS)
def test_overview_comes_first(name):
    first = "".join(cells(name)[0]["source"])
    assert ":::{admonition} Overview\n:class: tip\n**After this chapter you can**" in first
    assert "**Prerequisites:**" in first and "**In the paper:**" in first


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_figure_has_a_numbered_caption_referenced_in_the_text(name):
    text = markdown(name)
    assert "*Figure.*" not in text  # captions live in the figure metadata, not in prose cells
    for cell in cells(name):
        if cell["cell_type"] != "code":
            continue
        has_png = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        figure = cell["metadata"].get("mystnb", {}).get("figure")
        assert has_png == (figure is not None), f"{name}: cell {cell['id']}"
        if figure:
            assert figure["name"].startswith(f"fig-{name[:2]}-") and figure["caption"]
            assert f"{{numref}}`{figure['name']}`" in text, f"{figure['name']} is not referenced"


@pytest.mark.parametrize("name", CHAPTERS)
def test_outputs_are_quiet(name):
    for cell in cells(name):
        streams = [o for o in cell.get("outputs", []) if o["output_type"] == "stream"]
        assert len(streams) <= 1, f"{name}: cell {cell['id']} prints in several blocks"


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_cubic_is_never_called_by_the_degree_four_name(name):
    wrong = "quar" + "tic"  # F of Ex. 15 has degree 3 (spelled apart so grep finds no use)
    assert wrong not in "".join("".join(c["source"]) for c in cells(name)).lower()


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_chapter_length(name):
    assert words(name) < LIMITS[name]
