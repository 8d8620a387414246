"""Store fixtures: the sample article every store test saves and publishes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syndicate.news.article import Article, parse_article

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "erbil-floods.json"


@pytest.fixture(scope="module")
def source() -> Article:
    return parse_article(json.loads(SAMPLE.read_text("utf-8")))
