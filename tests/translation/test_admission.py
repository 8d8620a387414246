"""Admission: bodies the pipeline would cut, choke on or time out on are refused at ingest."""

from __future__ import annotations

from dataclasses import replace

import pytest

from syndicate.errors import ArticleInvalid
from syndicate.news.article import Article, Media, MediaType, parse_article
from syndicate.news.limits import (
    MAX_BLOCKS,
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_SEGMENTS,
    MAX_TEXT_CHARS,
)
from syndicate.translation.admission import admit, read_article_json

ARTICLE = parse_article(
    {
        "id": "admission-1",
        "version": 1,
        "language": "en",
        "published_at": "2026-05-01T10:00:00Z",
        "headline": "Floods hit Erbil",
        "body_html": "<p>Heavy rain.</p>",
    }
)


def _errors(article: Article) -> dict[str, str]:
    with pytest.raises(ArticleInvalid) as caught:
        admit(article)
    return {e.field: e.message for e in caught.value.errors}


def _body(html: str) -> Article:
    return replace(ARTICLE, body_html=html)


def test_an_article_at_every_limit_is_admitted() -> None:
    pairs = MAX_SEGMENTS // 2 - 1
    assert pairs < MAX_BLOCKS
    body = "".join(f"<p>One {i}. Two {i}.</p>" for i in range(pairs))
    body += "<p>Last one.</p>" * (MAX_SEGMENTS - 2 * pairs - 1)  # the headline is one more
    assert admit(_body(body)) is not None


def test_more_blocks_than_the_limit_are_refused_naming_the_limit() -> None:
    errors = _errors(_body("<p>x</p>" * (MAX_BLOCKS + 1)))
    assert errors["body_html"].endswith(f"the limit is {MAX_BLOCKS}")


def test_more_elements_than_the_limit_are_refused_even_without_text() -> None:
    errors = _errors(_body("<p>x" + "<b></b>" * MAX_ELEMENTS + "</p>"))
    assert errors == {"body_html": f"has {MAX_ELEMENTS + 1} elements; the limit is {MAX_ELEMENTS}"}


def test_segments_are_counted_over_every_translatable_field() -> None:
    half = MAX_SEGMENTS // 2
    captions = (Media(MediaType.IMAGE, caption="One. Two."),) * 2
    article = replace(
        ARTICLE,
        body_html="<p>" + " ".join(f"S{i} here." for i in range(half + 1)) + "</p>",
        summary=" ".join(f"T{i} there." for i in range(half)),
        media=captions,
    )
    errors = _errors(article)
    total = 1 + 2 * half + 1 + 4  # headline, body and summary, captions
    assert set(errors) == {"body_html"}
    assert f"of the article's {total} segments" in errors["body_html"]
    assert errors["body_html"].endswith(f"the limit is {MAX_SEGMENTS} per article")


def test_characters_to_translate_are_capped_even_in_few_segments() -> None:
    long_sentence = "word " * (MAX_TEXT_CHARS // 10)
    article = replace(ARTICLE, body_html=f"<p>{long_sentence}</p><p>{long_sentence}.</p>")
    (message,) = _errors(article).values()
    assert message.endswith(f"the limit is {MAX_TEXT_CHARS} per article")
    assert admit(replace(ARTICLE, body_html=f"<p>{long_sentence}</p>")) is not None


def test_a_body_nested_past_the_limit_is_refused_on_body_html() -> None:
    errors = _errors(_body("<div>" * 300 + "x" + "</div>" * 300 + "<p>later</p>"))
    assert errors["body_html"].endswith(f"the limit is {MAX_DEPTH}")


def test_read_article_json_reports_field_rules_before_body_limits() -> None:
    with pytest.raises(ArticleInvalid) as caught:
        read_article_json(b'{"id": "x"}')
    assert {e.field for e in caught.value.errors} >= {"version", "headline"}
