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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from syndicate.markup.alignment import SegmentTranslator, copy_translation
from syndicate.markup.pieces import Piece
from syndicate.markup.segments import (
    Protection,
    Reassembled,
    SegmentedBody,
    reassemble,
    segment_html,
    segment_text,
)
from syndicate.news.article import Article, Media, ModelInfo, SegmentFlag, Translation
from syndicate.news.credits import Credit, format_credit_line
from syndicate.translation.glossary import Glossary
from syndicate.translation.sorani import normalising

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


Known = Callable[[Mapping[str, SegmentedBody]], Mapping[str, Mapping[int, Sequence[Piece]]]]
"""Given an article's segmented fields, the segments whose translation is known already
(an editor's, from the review desk's memory): field -> segment index -> pieces."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A translated article with what it was made of: each field's segments and their
    reassembly (the review desk keeps them while an editor checks the translation), and
    which segments came from ``known`` (field -> segment indices), not from the model."""

    article: Article
    fields: Mapping[str, SegmentedBody]
    done: Mapping[str, Reassembled]
    known: Mapping[str, frozenset[int]]


def _reassembled(
    fields: _Fields,
    translator: SegmentTranslator,
    lang: str,
    known: Mapping[str, Mapping[int, Sequence[Piece]]],
) -> tuple[dict[str, Reassembled], list[SegmentFlag]]:
    """Every field translated in one call (known segments left out) and reassembled from
    its slice of the batch; then, only where attention left an element span unclear (real
    models' attention is noisy), those spans' texts in one more call, and only the fields
    holding them reassembled again: where the model wrote what it writes for a span alone
    anchors the span (issue 11). Flags are renumbered to the article's segment order."""
    wanted = [
        text
        for key, body in fields.items()
        for k, text in enumerate(body.segments)
        if k not in known.get(key, {})
    ]
    answers = iter(translator(wanted) if wanted else [])
    batch = {
        key: [
            copy_translation(text) if k in known.get(key, {}) else next(answers)
            for k, text in enumerate(body.segments)
        ]
        for key, body in fields.items()
    }
    done = {key: reassemble(b, batch[key], lang, fixed=known.get(key)) for key, b in fields.items()}
    unclear = list(dict.fromkeys(text for d in done.values() for text in d.unclear))
    if unclear:
        alone = {t: tr.text.strip() for t, tr in zip(unclear, translator(unclear), strict=True)}
        for key in [key for key, d in done.items() if d.unclear]:
            done[key] = reassemble(fields[key], batch[key], lang, alone, known.get(key))
    starts = itertools.accumulate((len(b.segments) for b in fields.values()), initial=0)
    flags = [
        dataclasses.replace(f, segment=f.segment + start)
        for start, d in zip(starts, done.values(), strict=False)
        for f in d.flags
    ]
    return done, flags


def _translated_credits(article: Article, out: Mapping[str, str]) -> tuple[Credit, ...]:
    return tuple(
        dataclasses.replace(c, location=out.get(f"credits[{i}].location", c.location))
        for i, c in enumerate(article.credits)
    )


def _translated_media(article: Article, out: Mapping[str, str]) -> tuple[Media, ...]:
    return tuple(
        dataclasses.replace(m, caption=out.get(f"media[{i}].caption", m.caption))
        for i, m in enumerate(article.media)
    )


def with_fields(
    article: Article, target: str, out: Mapping[str, str], translation: Translation
) -> Article:
    """``article`` in ``target`` with the translated fields ``out`` (keyed as
    ``segment_fields`` keys them; a field left out keeps its value) and its provenance."""
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
        translation=translation,
    )


def draft_translation(
    article: Article,
    target: str,
    translator: SegmentTranslator,
    models: tuple[ModelInfo, ...],
    glossary: Glossary,
    known: Known | None = None,
) -> Draft:
    """The article in ``target``: every segment ``known`` does not give in one call to
    ``translator`` (and the span check's fragments in a second, where attention left a tag
    unclear), with the segments and reassembly it was made of; Sorani text normalised on
    the way in and out (translation/sorani.py)."""
    protection = glossary.protection(target, extra_keep=[c.name for c in article.credits])
    fields = segment_fields(article, protection)
    given = known(fields) if known is not None else {}
    machine = normalising(translator, article.language, target)
    done, flags = _reassembled(fields, machine, target, given)
    provenance = Translation(
        source_language=article.language,
        source_version=article.version,
        models=models,
        flags=tuple(flags),
    )
    out = {key: d.html for key, d in done.items()}
    used = {key: frozenset(p) for key, p in given.items() if p}
    return Draft(with_fields(article, target, out, provenance), fields, done, used)


def translate_article(
    article: Article,
    target: str,
    translator: SegmentTranslator,
    models: tuple[ModelInfo, ...],
    glossary: Glossary,
) -> Article:
    """The article in ``target``: every segment in one call to ``translator`` (and the
    span check's fragments in a second, where attention left a tag unclear)."""
    return draft_translation(article, target, translator, models, glossary).article
