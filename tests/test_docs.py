"""Docs and docstrings name modules that exist (issue 16: docstrings still sent readers to
an ``api.py`` and a ``cli.py`` long after they became packages). A path such as
``store/feeds.py`` must end a file of the project, a bare ``hooks.py`` must be the name
of one; so a module that moves or goes takes its mentions with it."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
_MENTION: Final = re.compile(r"(?<![\w./-])([\w./-]*\w\.py)\b")
_TREES: Final = ("src", "tests", "benchmarks")


def _project_files() -> list[str]:
    found = [*ROOT.glob("*.py"), *(p for tree in _TREES for p in (ROOT / tree).rglob("*.py"))]
    return [p.relative_to(ROOT).as_posix() for p in found]


def _docstrings(path: Path) -> Iterator[str]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, kinds) and (doc := ast.get_docstring(node)):
            yield doc


def _texts() -> Iterator[tuple[str, str]]:
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        yield doc.relative_to(ROOT).as_posix(), doc.read_text("utf-8")
    for module in sorted((ROOT / "src" / "syndicate").rglob("*.py")):
        for text in _docstrings(module):
            yield module.relative_to(ROOT).as_posix(), text


def missing(mention: str, files: list[str]) -> bool:
    """True when no project file is what ``mention`` names."""
    if "/" in mention:
        return not any(f == mention or f.endswith(f"/{mention}") for f in files)
    return not any(Path(f).name == mention for f in files)


def test_every_module_named_in_the_docs_exists() -> None:
    files = _project_files()
    found = [
        f"{where}: {m.group(1)}"
        for where, text in _texts()
        for m in _MENTION.finditer(text)
        if missing(m.group(1), files)
    ]
    assert not found, "\n".join(found)


def test_the_check_tells_a_module_from_a_package() -> None:
    files = _project_files()
    assert not missing("store/feeds.py", files) and not missing("hooks.py", files)
    assert missing("api.py", files) and missing("worker/api.py", files)
    assert [m.group(1) for m in _MENTION.finditer("see worker/hooks.py, then app.py.")] == [
        "worker/hooks.py",
        "app.py",
    ]
