"""Write (or check) the exercise table of ``book/instructors.md`` from ``lcnn_widgets.course``.

Usage (from the project root)::

    python book/_ext/exercise_table.py          # rewrite the table between the markers
    python book/_ext/exercise_table.py --check  # exit 1 if the page and course.py disagree

The table sits between the lines ``<!-- exercise-table: begin -->`` and
``<!-- exercise-table: end -->``; everything else on the page is written by hand.
``tests/test_course.py`` runs the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "book" / "instructors.md"
BEGIN, END = "<!-- exercise-table: begin -->", "<!-- exercise-table: end -->"


def rendered(text: str) -> str:
    """``text`` (the page) with the table between the markers regenerated."""
    sys.path.insert(0, str(ROOT))
    from lcnn_widgets.course import exercise_table

    if text.count(BEGIN) != 1 or text.count(END) != 1 or text.index(BEGIN) > text.index(END):
        raise ValueError(f"{PAGE.name} must contain the markers {BEGIN} and {END} once, in order")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    return f"{head}{BEGIN}\n{exercise_table()}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare, do not write")
    args = parser.parse_args(argv)
    text = PAGE.read_text(encoding="utf-8")
    new = rendered(text)
    if args.check:
        if new != text:
            print(
                f"{PAGE.relative_to(ROOT)} is out of date: run python book/_ext/exercise_table.py"
            )
            return 1
        print(f"{PAGE.relative_to(ROOT)}: exercise table matches lcnn_widgets.course")
        return 0
    PAGE.write_text(new, encoding="utf-8")
    print(f"wrote the exercise table of {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
