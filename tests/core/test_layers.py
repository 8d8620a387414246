"""The core stays pure: no Redis, Celery, CTranslate2, Argos or shell module inside it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "syndicate"
CORE = [
    "article",
    "credits",
    "languages",
    "glossary",
    "sentences",
    "markup",
    "alignment",
    "plan",
    "translate",
    "errors",
    "credentials",
    "payload",
    "sanitiser",
    "units",
    "rendering",
]
FORBIDDEN = {
    "redis",
    "celery",
    "kombu",
    "ctranslate2",
    "sentencepiece",
    "argostranslate",
    "starlette",
    "uvicorn",
    "requests",
    "urllib",
    "socket",
    "subprocess",
}
SHELL = {
    "gloss",
    "config",
    "store",
    "engine",
    "packages",
    "demo_models",
    "celery_app",
    "tasks",
    "api",
    "cli",
    "cli_models",
    "cli_feeds",
    "logs",
}


def _core_files() -> list[Path]:
    files = [SRC / f"{name}.py" for name in CORE]
    return [f for f in files if f.exists()] + sorted((SRC / "feeds").glob("*.py"))


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: p.stem)
def test_core_module_imports_no_io_or_shell(path: Path) -> None:
    for name in _imported(path):
        top = name.split(".")[0]
        assert top not in FORBIDDEN, f"{path.name} imports {name}"
        parts = name.split(".")
        if top == "syndicate" and len(parts) > 1:
            assert parts[1] not in SHELL, f"{path.name} imports shell module {name}"


def test_the_core_list_names_real_modules() -> None:
    assert len(_core_files()) >= 8
