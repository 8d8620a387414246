"""House rules no linter enforces here: ruff's formatter decides the layout of every line,
so no comment switches it off (``fmt`` ``skip`` or ``off``; issue 16 found one in
api/durability.py). Comments are read with ``tokenize``, so a string that spells one is
not taken for it."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
_FORMATTER_OFF: Final = re.compile(r"#\s*fmt:\s*(?:skip|off)\b")


def formatter_switches(source: str) -> list[int]:
    """Lines of ``source`` whose comment turns the formatter off."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        t.start[0] for t in tokens if t.type == tokenize.COMMENT and _FORMATTER_OFF.match(t.string)
    ]


def test_no_line_escapes_the_formatter() -> None:
    files = [p for tree in ("src", "tests", "benchmarks") for p in (ROOT / tree).rglob("*.py")]
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in files
        for line in formatter_switches(path.read_text("utf-8"))
    ]
    assert files and not found, found


def test_the_scan_reads_comments_not_strings() -> None:
    mark = "# fmt" + ": skip"
    assert formatter_switches(f"x = [1,  2]  {mark}\n") == [1]
    assert formatter_switches(f"y = '{mark}'\n") == []
