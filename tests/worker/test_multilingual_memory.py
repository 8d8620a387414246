"""The translation memory with one model serving four languages (issue 17): keyed by the
model's content and the target language, an Arabic segment is never handed to Turkish."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from redis import Redis

from syndicate.feeds.edition import FeedSite, make_provider
from syndicate.models.engine import Engine
from syndicate.news.article import parse_article
from syndicate.store import articles
from syndicate.translation.glossary import parse_glossary
from syndicate.worker import intake, translating

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BASE = "https://feeds.example.org"
SITE = FeedSite(make_provider("Example News", "example.org", "", BASE), BASE, 5, 50)


def _one_code(models: Path, into: Path) -> Path:
    """The packages again (hard links), every one with the same code and version: a key of
    ``code@version`` would be one memory for the four languages."""
    shutil.copytree(models, into, copy_function=os.link)
    for meta_path in into.glob("*/metadata.json"):
        meta = json.loads(meta_path.read_text("utf-8")) | {"code": "nllb-200"}
        meta_path.unlink()  # a hard link: write a file of its own
        meta_path.write_text(json.dumps(meta), "utf-8")
    return into


def test_each_language_has_its_own_memory_of_one_shared_model(
    redis: Redis, nllb_models_dir: Path, tmp_path: Path
) -> None:
    engine = Engine(_one_code(nllb_models_dir, tmp_path / "models"))
    source = parse_article(json.loads(SAMPLE.read_text("utf-8")))
    intake.accept(redis, source, [], NOW)
    sent = {}
    for lang in ("ar", "tr"):
        done = translating.translate_language(
            redis, engine, parse_glossary({}), (source.id, 1, lang), NOW, site=SITE
        )
        sent[lang] = done.segments
    assert sent["tr"] == sent["ar"] > 0  # Turkish got nothing from the Arabic memory
    item = articles.get_item(redis, source.id, "tr")
    assert item is not None and item.article.translation is not None
    assert not any("\u0600" <= ch <= "\u06ff" for ch in item.article.headline)
    [model] = item.article.translation.models
    assert (model.code, model.license) == ("nllb-200", "CC-BY-NC-4.0")
    update = replace(source, version=2, headline="Floods hit Erbil for a fourth day")
    intake.accept(redis, update, [], NOW)
    again = translating.translate_language(
        redis, engine, parse_glossary({}), (source.id, 2, "tr"), NOW, site=SITE
    )
    assert again.segments == 1  # its own memory still spares the model
