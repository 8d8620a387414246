"""What ``parse_article`` refuses, field by field: one minimal valid article, and the
errors a change to it brings, for the tests of each rule (limits, bidi, dates, ...)."""

from __future__ import annotations

from typing import Any

import pytest

from syndicate.errors import ArticleInvalid
from syndicate.news.article import parse_article

MINIMAL: dict[str, Any] = {
    "id": "rule-1",
    "version": 1,
    "language": "en",
    "published_at": "2026-05-01T10:00:00Z",
    "headline": "Floods hit Erbil",
    "body_html": "<p>Heavy rain.</p>",
}


def refusals(**changes: Any) -> dict[str, str]:
    """Field -> message of every rule the minimal article breaks once ``changes`` apply."""
    with pytest.raises(ArticleInvalid) as caught:
        parse_article({**MINIMAL, **changes})
    return {e.field: e.message for e in caught.value.errors}
