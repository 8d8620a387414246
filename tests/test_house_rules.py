"""House rules no linter enforces here.

- Ruff's formatter decides the layout of every line, so no comment switches it off (``fmt``
  ``skip`` or ``off``; issue 16 found one in api/durability.py). Comments are read with
  ``tokenize``, so a string that spells one is not taken for it.
- Small modules (under 400 lines) and short functions (under 40 lines, from ``def`` to the
  last line; a decorator's parameter table is data, not the function's length), in the
  code, its tests and its benchmarks alike: a reader takes in a function at one glance."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
_FORMATTER_OFF: Final = re.compile(r"#\s*fmt:\s*(?:skip|off)\b")
MODULE_LINES: Final = 400
FUNCTION_LINES: Final = 40


def _python_files() -> list[Path]:
    return [p for tree in ("src", "tests", "benchmarks") for p in (ROOT / tree).rglob("*.py")]


def formatter_switches(source: str) -> list[int]:
    """Lines of ``source`` whose comment turns the formatter off."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        t.start[0] for t in tokens if t.type == tokenize.COMMENT and _FORMATTER_OFF.match(t.string)
    ]


def test_no_line_escapes_the_formatter() -> None:
    files = _python_files()
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


def long_functions(source: str) -> list[tuple[str, int]]:
    """Each function (nested ones too) of ``source`` as long as the limit or longer, with
    its length in lines."""
    return [
        (node.name, length)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (length := (node.end_lineno or node.lineno) - node.lineno + 1) >= FUNCTION_LINES
    ]


def test_modules_are_small_and_functions_short() -> None:
    files = _python_files()
    too_long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in files
        if (lines := len(path.read_text("utf-8").splitlines())) >= MODULE_LINES
    ]
    too_long += [
        f"{path.relative_to(ROOT)}: {name} is {length} lines"
        for path in files
        for name, length in long_functions(path.read_text("utf-8"))
    ]
    assert files and not too_long, too_long


def _function(name: str, body_lines: int, keyword: str = "def") -> str:
    return f"{keyword} {name}():\n" + "".join(f"    x{i} = {i}\n" for i in range(body_lines))


def test_the_length_counts_from_def_to_the_last_line_nested_ones_too() -> None:
    decorated = "@decorator(\n    1,\n    2,\n)\n" + _function("short", FUNCTION_LINES - 2)
    assert long_functions(decorated) == []
    assert long_functions(_function("long", FUNCTION_LINES - 1)) == [("long", FUNCTION_LINES)]
    inner = _function("inner", FUNCTION_LINES - 1, "async def")
    nested = "def outer():\n" + "".join(f"    {line}\n" for line in inner.splitlines())
    assert long_functions(nested) == [("outer", FUNCTION_LINES + 1), ("inner", FUNCTION_LINES)]
