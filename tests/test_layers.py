"""The folder tree is the architecture: each package imports only the packages below it.

Every import form is resolved (``import x.y``, ``from syndicate import x``, ``from . import
x``, ``from ..store import keys``) to the module it names, then checked against the
package's allow-list. Every package is placed, core or shell (``CORE``, ``SHELL``): a new
one is refused until it is, and docs/architecture.md's table must list it too. Core
packages also import no I/O library, read no ``os.environ`` and no clock: they are pure
functions over dataclasses, so ``now`` is passed in. Module import cycles are refused
everywhere. The checker proves itself on small bad trees written to a temporary directory.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest

SRC: Final = Path(__file__).resolve().parents[1] / "src"
ARCHITECTURE: Final = SRC.parent / "docs" / "architecture.md"

# Every package (or top-level module) under syndicate, placed: pure core, or shell.
CORE: Final = (
    "errors",
    "news",
    "markup",
    "translation",
    "feeds",
    "ingest",
    "review",
    "signing",
    "push",
)
SHELL: Final = ("clock", "config", "logs", "models", "store", "worker", "desk", "api", "cli")
_SHELL_BASE: Final = (*CORE, "clock", "config", "logs", "models", "store")
# Who may import whom, by the first name under ``syndicate`` ("" is the package itself,
# which holds only __version__). Everything may import ``errors``.
ALLOWED: Final[Mapping[str, frozenset[str]]] = {
    "": frozenset(),
    "errors": frozenset(),
    "logs": frozenset(),
    "clock": frozenset(),
    "news": frozenset({"", "errors", "news"}),
    "markup": frozenset({"", "errors", "news", "markup"}),
    "translation": frozenset({"", "errors", "news", "markup", "translation"}),
    "feeds": frozenset({"", "errors", "news", "markup", "feeds"}),
    # Foreign formats in: read with the feeds' safe XML parser, checked by translation's admit.
    "ingest": frozenset({"", "errors", "news", "markup", "translation", "feeds", "ingest"}),
    # The review desk's rules: placeholders, edit checks, segments kept while held (issue 18).
    "review": frozenset({"", "errors", "news", "markup", "translation", "review"}),
    # HMAC signing of bodies: the API checks the newsroom's, the worker signs pushes.
    "signing": frozenset(),
    # Push delivery rules: what an answer means, which addresses, the signed body.
    "push": frozenset({"", "errors", "news", "markup", "feeds", "signing", "push"}),
    "config": frozenset({"", "errors", "news", "translation", "config"}),
    "models": frozenset({"", *CORE, "config", "logs", "models"}),
    "store": frozenset({"", *CORE, "store"}),
    "worker": frozenset({"", *_SHELL_BASE, "worker"}),
    # The review desk's pages and access (issue 18): below the API, which includes its routes.
    "desk": frozenset({"", *_SHELL_BASE, "worker", "desk"}),
    "api": frozenset({"", *_SHELL_BASE, "worker", "desk", "api"}),
    "cli": frozenset({"", *_SHELL_BASE, "worker", "desk", "api", "cli"}),
}
CORE_PACKAGES: Final = frozenset(CORE)
PLACED: Final = frozenset({"", *CORE, *SHELL})  # "" is the package itself (__version__)
# Libraries that do I/O or keep time: a core module importing one is no longer pure.
IMPURE: Final = frozenset(
    {
        "redis",
        "celery",
        "kombu",
        "ctranslate2",
        "sentencepiece",
        "argostranslate",
        "starlette",
        "uvicorn",
        "httpx",
        "requests",
        "urllib",
        "socket",
        "subprocess",
        "os",
        "time",
        "asyncio",
        "prometheus_client",
        "tqdm",
        "shutil",
        "tempfile",
    }
)
CLOCK_CALLS: Final = frozenset({"now", "utcnow", "today", "time", "monotonic", "perf_counter"})
# Only the store talks to Redis (style guide 6): every other package goes through it.
STORE_ONLY: Final = frozenset({"redis"})


@dataclass(frozen=True, slots=True)
class Violation:
    module: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.message}"


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules(root: Path) -> dict[str, Path]:
    return {_module_name(root, p): p for p in sorted((root / "syndicate").rglob("*.py"))}


def _resolve_from(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` reads from (relative levels resolved)."""
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imported_modules(
    module: str, is_package: bool, tree: ast.Module, known: set[str]
) -> Iterator[tuple[int, str]]:
    """Every module an import statement names, submodules of ``from pkg import mod`` too."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            source = _resolve_from(module, is_package, node)
            yield node.lineno, source
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    yield node.lineno, f"{source}.{alias.name}"


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _impurities(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """os.environ reads and clock calls, however the name was imported."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "environ":
            yield node.lineno, "reads os.environ"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in CLOCK_CALLS:
                yield node.lineno, f"reads the clock ({node.func.attr}()); pass `now` in"
        elif isinstance(node, ast.ImportFrom) and node.module in {"os", "time"}:
            yield node.lineno, f"imports from {node.module}"


def check_tree(root: Path) -> list[Violation]:
    """Every layer, purity and cycle violation in the ``syndicate`` package under ``root``."""
    modules = _modules(root)
    known = set(modules)
    graph: dict[str, set[str]] = {}
    found: list[Violation] = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text("utf-8"))
        layer = _layer(module)
        allowed = ALLOWED.get(layer)
        if layer not in PLACED:
            found.append(Violation(module, 1, f"package {layer!r} is neither CORE nor SHELL"))
        if allowed is None:
            found.append(Violation(module, 1, f"package {layer!r} has no allow-list"))
            continue
        graph[module] = set()
        for line, name in imported_modules(module, path.name == "__init__.py", tree, known):
            top = name.split(".")[0]
            if top == "syndicate":
                if name in known and name != module:
                    graph[module].add(name)
                if _layer(name) not in allowed:
                    found.append(Violation(module, line, f"{layer} may not import {name}"))
            elif layer in CORE_PACKAGES and top in IMPURE:
                found.append(Violation(module, line, f"core module imports {name}"))
            elif layer != "store" and top in STORE_ONLY:
                found.append(Violation(module, line, f"{name} outside the store package"))
        if layer in CORE_PACKAGES:
            found += [Violation(module, line, why) for line, why in _impurities(tree)]
    return found + _cycles(graph)


def _cycles(graph: Mapping[str, set[str]]) -> list[Violation]:
    """One violation per module import cycle (depth-first search, each cycle once)."""
    found: list[Violation] = []
    done: set[str] = set()

    def visit(module: str, stack: list[str]) -> None:
        if module in stack:
            cycle = [*stack[stack.index(module) :], module]
            found.append(Violation(module, 1, "import cycle: " + " -> ".join(cycle)))
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, [*stack, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return found


def test_the_tree_keeps_its_layers() -> None:
    found = check_tree(SRC)
    assert not found, "\n".join(map(str, found))


def test_every_package_is_placed_once_with_an_allow_list() -> None:
    layers = {_layer(m) for m in _modules(SRC)}
    assert not set(CORE) & set(SHELL)
    assert layers == set(PLACED) == set(ALLOWED)


def test_the_architecture_lists_every_package() -> None:
    text = ARCHITECTURE.read_text("utf-8")
    table = text[text.index("| package | may import |") : text.index("`tests/test_layers.py`")]
    listed = re.findall(r"^\| `(\w+)` \|", table, re.M)
    assert sorted(listed) == sorted([*CORE, *SHELL])


def _write(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in {"syndicate/__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), "utf-8")
    return root


_PACKAGES: Final = {
    f"syndicate/{p}/__init__.py": "" for p in ("news", "markup", "store", "worker", "feeds")
}
BAD_TREES: Final = {
    "from syndicate import store": {"syndicate/news/bad.py": "from syndicate import store\n"},
    "from syndicate import worker submodule": {
        "syndicate/worker/tasks.py": "",
        "syndicate/feeds/bad.py": "from syndicate.worker import tasks\n",
    },
    "import syndicate.x": {"syndicate/markup/bad.py": "import syndicate.store.keys\n"},
    "relative import": {
        "syndicate/store/keys.py": "",
        "syndicate/news/bad.py": "from ..store import keys\n",
    },
    "relative package import": {"syndicate/news/bad.py": "from .. import worker\n"},
    "third-party I/O": {"syndicate/feeds/bad.py": "import httpx\n"},
    "redis inside a function": {"syndicate/news/bad.py": "def f():\n    import redis\n"},
    "os.environ": {"syndicate/markup/bad.py": "import os\nX = os.environ.get('A')\n"},
    "from os import environ": {"syndicate/markup/bad.py": "from os import environ\n"},
    "the clock": {"syndicate/news/bad.py": "from datetime import datetime\nNOW = datetime.now()\n"},
    "store imports the worker": {"syndicate/store/bad.py": "from syndicate.worker import app\n"},
    "redis outside the store": {"syndicate/worker/bad.py": "import redis\n"},
    "from redis outside the store": {
        "syndicate/api/__init__.py": "",
        "syndicate/api/bad.py": "from redis.exceptions import RedisError\n",
    },
    "unknown package": {"syndicate/extras/__init__.py": ""},
    "import cycle": {
        "syndicate/news/a.py": "from syndicate.news import b\n",
        "syndicate/news/b.py": "from syndicate.news.a import X\n",
    },
}


@pytest.mark.parametrize("files", BAD_TREES.values(), ids=BAD_TREES.keys())
def test_the_checker_reports_each_bad_example(tmp_path: Path, files: Mapping[str, str]) -> None:
    found = check_tree(_write(tmp_path, {**_PACKAGES, **files}))
    assert found, "the checker missed it"


def test_the_checker_accepts_a_good_tree(tmp_path: Path) -> None:
    good = {
        "syndicate/news/article.py": "from syndicate.errors import X\n",
        "syndicate/errors.py": "X = 1\n",
        "syndicate/markup/units.py": "from syndicate.news import article\nfrom . import b\n",
        "syndicate/markup/b.py": "from datetime import datetime\n",
        "syndicate/worker/tasks.py": "import os\nimport kombu\nfrom ..store import keys\n",
        "syndicate/store/keys.py": "from syndicate.news.article import X\n",
        "syndicate/store/client.py": "import redis\nfrom redis.exceptions import RedisError\n",
    }
    assert check_tree(_write(tmp_path, {**_PACKAGES, **good})) == []
