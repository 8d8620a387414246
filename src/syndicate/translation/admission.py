"""Admission: the rules only the pipeline's own reading of an article can check.

``parse_article`` checks each field on its own; what the body holds is only known once the
sanitiser has parsed it and the segmenter has cut it, exactly as the translate stage will.
Ingest (the API, ``enqueue``, ``backfill``, ``run``, ``translate``) admits every article
before anything is stored, so an article that the pipeline would cut, choke on or time out
on is a 422 naming the field and the limit (``news.limits`` says why each has its value),
never a render failure found later.
"""

from __future__ import annotations

from syndicate.errors import ArticleInvalid, FieldError
from syndicate.markup.sanitiser import parse_fragment
from syndicate.markup.segments import Protection, SegmentedBody
from syndicate.news.article import Article, parse_article_json
from syndicate.news.limits import MAX_BLOCKS, MAX_ELEMENTS, MAX_SEGMENTS, MAX_TEXT_CHARS
from syndicate.translation.stage import segment_fields


def admit(article: Article) -> Article:
    """``article``, once the pipeline can take all of it; else ``ArticleInvalid``.

    Segments are counted without the glossary: protected terms only ever join sentences,
    so the count the translate stage sees is at most this one.
    """
    fields = segment_fields(article, Protection())  # raises for an unreadable body
    errors = _body_problems(fields.get("body_html"))
    errors += _segment_problems(fields)
    if errors:
        raise ArticleInvalid(errors)
    return article


def read_article_json(raw: bytes | str) -> Article:
    """``parse_article_json``, then ``admit``: what every ingest path reads a payload with."""
    return admit(parse_article_json(raw))


def _body_problems(body: SegmentedBody | None) -> list[FieldError]:
    if body is None or body.source is None:
        return []
    elements = sum(1 for _ in parse_fragment(body.source).iter()) - 1  # not the wrapper
    errors = []
    if elements > MAX_ELEMENTS:
        message = f"has {elements} elements; the limit is {MAX_ELEMENTS}"
        errors.append(FieldError("body_html", message))
    if len(body.units) > MAX_BLOCKS:
        message = (
            f"has {len(body.units)} blocks (paragraphs, headings, list items, cells, "
            f"captions, image texts); the limit is {MAX_BLOCKS}"
        )
        errors.append(FieldError("body_html", message))
    return errors


def _segment_problems(fields: dict[str, SegmentedBody]) -> list[FieldError]:
    """The article's segments and their characters against the limits, reported on the
    field that has the most of them (the one to shorten)."""
    errors = []
    counts = {name: len(body.segments) for name, body in fields.items()}
    sizes = {name: sum(map(len, body.segments)) for name, body in fields.items()}
    for measure, unit, limit in (
        (counts, "segments", MAX_SEGMENTS),
        (sizes, "characters", MAX_TEXT_CHARS),
    ):
        total = sum(measure.values())
        if total > limit:
            largest = max(measure, key=measure.__getitem__)
            message = (
                f"holds {measure[largest]} of the article's {total} {unit} to translate; "
                f"the limit is {limit} per article"
            )
            errors.append(FieldError(largest, message))
    return errors
