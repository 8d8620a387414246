"""Suite-wide fixtures: demo gloss models built once per test session, the IPTC schemas
(found through SYNDICATE_STANDARDS_DIR, default ../shared/standards; skipped with a reason
where absent, never copied into the project), and private redis-servers: one for the suite
(one per xdist worker), flushed before each test that asks for the ``redis`` client."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.protocols import Validator
from lxml import etree
from redis import Redis

from syndicate.models.demo import DEMO_PAIRS, install_demo_models
from syndicate.models.multidemo import FAMILIES, build_family
from syndicate.models.packages import install_package
from syndicate.store.client import connect

from redis_servers import RedisServer, start_redis_server

REPO = Path(__file__).resolve().parents[1]
STANDARDS = Path(os.environ.get("SYNDICATE_STANDARDS_DIR", REPO.parent / "shared" / "standards"))


@pytest.fixture(scope="session")
def demo_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny gloss models for all eight demo pairs, installed once per session.

    Treat the directory as read-only; subprocess tests pass it on as SYNDICATE_MODELS_DIR.
    """
    models_dir = tmp_path_factory.mktemp("demo") / "models"
    install_demo_models(models_dir, preset="tiny", pairs=DEMO_PAIRS)
    return models_dir


@pytest.fixture(scope="session")
def multilingual_archives(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """The tiny multilingual gloss packages (models/multidemo.py), built once per session:
    family (``nllb``, ``madlad``) -> its four .argosmodel files, en -> ar, tr, ckb, kmr."""
    out = tmp_path_factory.mktemp("multilingual")
    return {name: build_family(family, out) for name, family in FAMILIES.items()}


def _installed(root: Path, archives: list[Path]) -> Path:
    models = root / "models"
    for archive in archives:
        install_package(models, archive)
    return models


@pytest.fixture(scope="session")
def nllb_models_dir(
    multilingual_archives: dict[str, list[Path]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The NLLB-shaped family installed (read-only, like demo_models_dir)."""
    return _installed(tmp_path_factory.mktemp("nllb"), multilingual_archives["nllb"])


@pytest.fixture(scope="session")
def madlad_models_dir(
    multilingual_archives: dict[str, list[Path]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The MADLAD-shaped family installed (read-only)."""
    return _installed(tmp_path_factory.mktemp("madlad"), multilingual_archives["madlad"])


# jsonschema checks "date-time" and "uri" only with optional packages not installed here.
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


def _format_checker() -> FormatChecker:
    checker = FormatChecker()
    checker.checks("date-time")(
        lambda value: not isinstance(value, str) or bool(_RFC3339.fullmatch(value))
    )
    checker.checks("uri")(lambda value: not isinstance(value, str) or bool(_URI.fullmatch(value)))
    return checker


NEWSML_DIR = STANDARDS / "newsml-g2"
NINJS_SCHEMA = STANDARDS / "ninjs" / "ninjs-schema_3.1.json"


@pytest.fixture(scope="session")
def newsml_schema() -> etree.XMLSchema:
    """The official NewsML-G2 2.35 XSD, loaded offline through the shared validate.py."""
    script = NEWSML_DIR / "validate.py"
    if not script.exists():
        pytest.skip(f"NewsML-G2 standards not found at {NEWSML_DIR} (set SYNDICATE_STANDARDS_DIR)")
    spec = importlib.util.spec_from_file_location("iptc_validate", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    schema: etree.XMLSchema = module.load_schema()
    return schema


@pytest.fixture(scope="session")
def newsml_xmlschema() -> Any:
    """The same XSD loaded by ``xmlschema`` with its default settings, a second validator
    partners run (it checks the XHTML namespace against XHTML 1.0 Strict; issue 10)."""
    xmlschema = pytest.importorskip("xmlschema")
    xsd = NEWSML_DIR / "NewsML-G2_2.35-spec-All-Power.xsd"
    if not xsd.exists():
        pytest.skip(f"NewsML-G2 XSD not found at {xsd} (set SYNDICATE_STANDARDS_DIR)")
    return xmlschema.XMLSchema(str(xsd))


@pytest.fixture(scope="session")
def ninjs_validator() -> Draft202012Validator:
    """The official ninjs 3.1 JSON Schema with a format checker (date-time and uri too)."""
    if not NINJS_SCHEMA.exists():
        pytest.skip(f"ninjs schema not found at {NINJS_SCHEMA} (set SYNDICATE_STANDARDS_DIR)")
    schema: dict[str, Any] = json.loads(NINJS_SCHEMA.read_text("utf-8"))
    return Draft202012Validator(schema, format_checker=_format_checker())


NINJS_VERSIONS = ("1.6", "2.2", "3.1")


@pytest.fixture(scope="session")
def ninjs_validators() -> dict[str, Validator]:
    """The official ninjs 1.6 (draft 7), 2.2 and 3.1 (2020-12) schemas by version, each
    with the draft its ``$schema`` names and the format checker."""
    found: dict[str, Validator] = {}
    for version in NINJS_VERSIONS:
        path = STANDARDS / "ninjs" / f"ninjs-schema_{version}.json"
        if not path.exists():
            pytest.skip(f"ninjs schema not found at {path} (set SYNDICATE_STANDARDS_DIR)")
        schema: dict[str, Any] = json.loads(path.read_text("utf-8"))
        found[version] = validators.validator_for(schema)(schema, format_checker=_format_checker())
    return found


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = start_redis_server(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis(redis_server: RedisServer) -> Iterator[Redis]:
    """A store client on the suite's server, with an empty database."""
    client = connect(redis_server.url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def throwaway_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A second server a test may stop (outages); stopped at teardown if still running."""
    server = start_redis_server(tmp_path)
    yield server
    if server.process.poll() is None:
        server.stop()
