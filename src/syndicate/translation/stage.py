"""The translate stage: one article in, the same article in another language out.

Every translatable field (headline, summary, dateline, body, media captions, credit
locations) is segmented, all segments go to the model in ONE batched call (a second, small
one only for the span check, ``_reassembled``), and each field is reassembled by
alignment. Names, tags, URLs and numbers stay byte-identical; role labels come from the
credits table, never from the model (brief section 4). Pure: the translator is passed in.
"""

from __future__ import annotations

import dataclasses
import itertools

from syndicate.markup.alignment import SegmentTranslator
from syndicate.markup.segments import (
    Protection,
    SegmentedBody,
    reassemble,
    segment_html,
    segment_text,
)
from syndicate.news.article import Article, Media, ModelInfo, SegmentFlag, Translation
from syndicate.news.credits import Credit, format_credit_line
from syndicate.translation.glossary import Glossary

_Fields = dict[str, SegmentedBody]


def segment_fields(article: Article, protection: Protection) -> _Fields:
    """Segment every translatable field, keyed by its JSON path."""
    plain = {
        "headline": article.headline,
        "summary": article.summary,
        "dateline": article.dateline,
        **{f"media[{i}].caption": m.caption for i, m in enumerate(article.media)},
        **{f"credits[{i}].location": c.location for i, c in enumerate(article.credits)},
    }
    fields = {k: segment_text(v, protection) for k, v in plain.items() if v}
    if article.body_html:
        fields["body_html"] = segment_html(article.body_html, protection)
    return fields


def _reassembled(
    fields: _Fields, translator: SegmentTranslator, lang: str
) -> tuple[dict[str, str], list[SegmentFlag]]:
    """Every field translated in one call and reassembled from its slice of the batch;
    then, only where attention left an element span unclear (real models' attention is
    noisy), those spans' texts in one more call, and only the fields holding them
    reassembled again: where the model wrote what it writes for a span alone anchors the
    span (issue 11). Flags are renumbered to the article's segment order."""
    texts = [text for body in fields.values() for text in body.segments]
    results = translator(texts) if texts else []
    starts = list(itertools.accumulate((len(b.segments) for b in fields.values()), initial=0))
    batch = {key: results[a:b] for key, a, b in zip(fields, starts, starts[1:], strict=False)}
    done = {key: reassemble(body, batch[key], lang) for key, body in fields.items()}
    unclear = list(dict.fromkeys(text for d in done.values() for text in d.unclear))
    if unclear:
        alone = {t: tr.text.strip() for t, tr in zip(unclear, translator(unclear), strict=True)}
        for key in [key for key, d in done.items() if d.unclear]:
            done[key] = reassemble(fields[key], batch[key], lang, alone)
    flags = [
        dataclasses.replace(f, segment=f.segment + start)
        for start, d in zip(starts, done.values(), strict=False)
        for f in d.flags
    ]
    return {key: d.html for key, d in done.items()}, flags


def _translated_credits(article: Article, out: dict[str, str]) -> tuple[Credit, ...]:
    return tuple(
        dataclasses.replace(c, location=out.get(f"credits[{i}].location", c.location))
        for i, c in enumerate(article.credits)
    )


def _translated_media(article: Article, out: dict[str, str]) -> tuple[Media, ...]:
    return tuple(
        dataclasses.replace(m, caption=out.get(f"media[{i}].caption", m.caption))
        for i, m in enumerate(article.media)
    )


def translate_article(
    article: Article,
    target: str,
    translator: SegmentTranslator,
    models: tuple[ModelInfo, ...],
    glossary: Glossary,
) -> Article:
    """The article in ``target``: every segment in one call to ``translator`` (and the
    span check's fragments in a second, where attention left a tag unclear)."""
    protection = glossary.protection(target, extra_keep=[c.name for c in article.credits])
    out, flags = _reassembled(segment_fields(article, protection), translator, target)
    credits = _translated_credits(article, out)
    return dataclasses.replace(
        article,
        language=target,
        headline=out.get("headline", article.headline),
        summary=out.get("summary", article.summary),
        dateline=out.get("dateline", article.dateline),
        body_html=out.get("body_html", article.body_html),
        credits=credits,
        credit_line=format_credit_line(credits, target) if credits else None,
        media=_translated_media(article, out),
        targets=None,
        translation=Translation(
            source_language=article.language,
            source_version=article.version,
            models=models,
            flags=tuple(flags),
        ),
    )
