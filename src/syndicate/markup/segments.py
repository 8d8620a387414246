"""Markup: article bodies and plain-text fields cut into segments for the model, and the
translations put back together with every element in its place, by alignment.

Brief section 4. The model only ever sees plain sentences. Each inline element (and each
protected span: code, time, ``translate="no"``, glossary terms) is a character span of its
unit; after translation, ``projection.project_spans`` carries it onto the target tokens
aligned to its source tokens, and the element is rebuilt around them (a protected span's
words are replaced by its verbatim text or fixed rendering). No placeholders reach the
model, so there are none for it to mangle.

Fallback placement: where the alignment gives a span no target tokens at all (every link
-1, or none into the span), the span takes the same relative position and length among
its parent's target tokens as it has among its parent's source characters (at least one
token), cut to what its earlier siblings left free; if nothing is free it sits, empty, at
the nearest free boundary. A span whose aligned tokens all went to an earlier sibling (two
spans in one target word) sits, empty, right after them. A point without usable links is
placed proportionally the same way. Each such segment is flagged ``placement``.

Low confidence: a segment with a span the alignment placed, but with a confidence below
``alignment.LOW_CONFIDENCE`` (its attention was split between this range and others), is
flagged ``low_confidence_markup``, so an editor can check where its tags landed.

The translator must echo each segment as ``AlignedTranslation.source`` (its token offsets
point into it); a translation of any other text is still used, placed by the fallback.

Output checks (per segment, flags only): an empty translation of a non-empty source is
flagged ``empty`` and the source text is used instead, so nothing is lost; a translation
identical to a source that has letters is ``untranslated``; ``complete == False`` is
``runaway``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree

from syndicate.errors import TranslationRejected
from syndicate.markup.alignment import AlignedTranslation, copy_translation
from syndicate.markup.pieces import Piece, build_holder
from syndicate.markup.reassembly import render_unit, splice_run, unit_pieces
from syndicate.markup.sanitiser import parse_fragment, sanitised_fragment, serialise_fragment
from syndicate.markup.units import (
    Terms,
    Unit,
    compile_terms,
    find_images,
    find_runs,
    read_run,
    read_text,
    run_elements,
)
from syndicate.news.article import SegmentFlag


@dataclass(frozen=True, slots=True)
class Protection:
    """What must come out verbatim or with a fixed rendering (brief section 4, glossary).

    ``keep``: terms kept byte-identical (glossary keep list, credited names); ``render``:
    term -> its fixed rendering in the target language (wins over ``keep``); ``numbers``:
    keep every number byte-identical too (brief section 4).
    """

    keep: frozenset[str] = frozenset()
    render: Mapping[str, str] = field(default_factory=dict)
    numbers: bool = True


@dataclass(frozen=True, slots=True)
class SegmentedBody:
    """A field cut for translation: ``segments`` go to the model, in order.

    ``source`` is the sanitised body as an XML ``<div>`` (None for a plain-text field);
    ``units`` say where each segment's text came from and where its markup was.
    """

    segments: tuple[str, ...]
    units: tuple[Unit, ...]
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Reassembled:
    """The translated field (XHTML fragment, or plain text), the flags its segments got,
    and the source texts of its unclear element spans (``reassembly.CHECK``), to translate
    alone and pass back as ``alone`` for a surer placement. ``pieces``: each segment's
    translation as pieces (``rebuild`` makes ``html`` from them); ``confidence``: per
    segment, each element span's placement confidence by its index in the unit."""

    html: str
    flags: tuple[SegmentFlag, ...] = ()
    unclear: tuple[str, ...] = ()
    pieces: tuple[tuple[Piece, ...], ...] = ()
    confidence: tuple[Mapping[int, float], ...] = ()


def segment_html(html: str, protection: Protection) -> SegmentedBody:
    """Sanitise a body and cut it into segments: one per sentence of each unit, merged
    where inline markup crosses a sentence boundary, then each img alt and title.

    Raises ``ArticleInvalid`` (``body_html``) for a DOCTYPE or entity declaration.
    """
    source = sanitised_fragment(html)
    root = parse_fragment(source)
    terms = _terms(protection)
    units = [read_run(run, terms) for run in find_runs(root)]
    units += [read_text(img.get(name) or "", terms, name) for img, name in find_images(root)]
    return _segmented(units, source)


def segment_text(text: str, protection: Protection) -> SegmentedBody:
    """Cut a plain-text field (headline, summary, caption...) the same way as a body unit."""
    return _segmented([read_text(text, _terms(protection))], None)


def to_xhtml_fragment(html: str, lang: str) -> str:
    """The sanitised body, untranslated, in the output format (the source-language feed)."""
    return serialise_fragment(parse_fragment(sanitised_fragment(html)), lang)


def reassemble(
    body: SegmentedBody,
    translations: Sequence[AlignedTranslation],
    lang: str,
    alone: Mapping[str, str] | None = None,
    fixed: Mapping[int, Sequence[Piece]] | None = None,
) -> Reassembled:
    """Put the translations of ``body.segments`` back in place (brief section 4).

    A body comes back as an XHTML fragment, ``<div lang dir>``, with the sanitised source's
    block structure and every source element exactly once with the same attributes; a
    plain-text field comes back as plain text. ``alone``: element spans' source texts
    translated on their own (see ``Reassembled.unclear``). ``fixed``: segments (by index)
    whose pieces are known already (a human translation), used as they are and never
    flagged; their entries in ``translations`` are not read.
    """
    if len(translations) != len(body.segments):
        raise TranslationRejected(
            f"{len(body.segments)} segments but {len(translations)} translations"
        )
    fixed = fixed or {}
    results, flags = _checked(body.segments, translations, fixed)
    pieces: list[tuple[Piece, ...]] = []
    confidence: list[Mapping[int, float]] = []
    unclear: dict[str, None] = {}
    offset = 0
    for unit in body.units:
        mine = {k - offset: p for k, p in fixed.items() if 0 <= k - offset < len(unit.segments)}
        done = render_unit(unit, results[offset:], alone or {}, mine)
        pieces += done.pieces
        confidence += done.confidence
        flags += [SegmentFlag(offset + k, why, body.segments[offset + k]) for k, why in done.notes]
        unclear.update(dict.fromkeys(done.unclear))
        offset += len(unit.segments)
    html = rebuild(body, pieces, lang)
    return Reassembled(html, _ordered(flags), tuple(unclear), tuple(pieces), tuple(confidence))


def rebuild(body: SegmentedBody, pieces: Sequence[Sequence[Piece]], lang: str) -> str:
    """The field written from its segments' pieces (``Reassembled.pieces``, or a review's
    edit of them): the XHTML fragment of a body, the text of a plain field."""
    if len(pieces) != len(body.segments):
        raise TranslationRejected(f"{len(body.segments)} segments but {len(pieces)} given")
    streams, offset = [], 0
    for unit in body.units:
        streams.append(unit_pieces(unit, pieces[offset : offset + len(unit.segments)]))
        offset += len(unit.segments)
    if body.source is None:
        (stream,) = streams
        return build_holder(stream, []).text or ""
    root = parse_fragment(body.source)
    runs, images = find_runs(root), find_images(root)
    if len(runs) + len(images) != len(body.units):
        raise TranslationRejected("the segmented body does not match its source markup")
    for run, stream, unit in zip(runs, streams, body.units, strict=False):
        splice_run(run, build_holder(stream, _elements(unit, run_elements(run))))
    for (img, name), stream in zip(images, streams[len(runs) :], strict=True):
        img.set(name, build_holder(stream, []).text or "")
    return serialise_fragment(root, lang)


def element_names(body: SegmentedBody) -> tuple[tuple[str, ...], ...]:
    """Per unit, the tag name of each element span, in span order (an editor sees
    ``<a>``, not a number alone); none for a plain field or an image's text."""
    if body.source is None:
        return tuple(() for _ in body.units)
    runs = find_runs(parse_fragment(body.source))
    names = [tuple(str(el.tag) for el in run_elements(run)) for run in runs]
    return (*names, *(() for _ in body.units[len(runs) :]))


def _elements(unit: Unit, found: Sequence[etree._Element]) -> list[etree._Element | None]:
    """Each span's element, by span index (None for a term: terms come after elements)."""
    return [*found, *(None for _ in unit.spans[len(found) :])]


def _terms(protection: Protection) -> Terms:
    fixed = {**{term: term for term in protection.keep}, **protection.render}
    return compile_terms(fixed, protection.numbers)


def _segmented(units: list[Unit], source: str | None) -> SegmentedBody:
    texts = tuple(unit.text[a:b] for unit in units for a, b in unit.segments)
    return SegmentedBody(texts, tuple(units), source)


def _checked(
    segments: Sequence[str],
    translations: Sequence[AlignedTranslation],
    fixed: Mapping[int, Sequence[Piece]],
) -> tuple[list[AlignedTranslation], list[SegmentFlag]]:
    """The output checks: flag, and stand the source in for an empty translation."""
    results: list[AlignedTranslation] = []
    flags: list[SegmentFlag] = []
    for index, (text, tr) in enumerate(zip(segments, translations, strict=True)):
        if index in fixed:
            results.append(tr)
            continue
        for reason in _check(text, tr):
            flags.append(SegmentFlag(index, reason, text))
        if not tr.text.strip():
            tr = copy_translation(text)
        elif tr.source != text:  # offsets into another text: the links mean nothing here
            tr = dataclasses.replace(tr, alignment=(-1,) * len(tr.target_tokens), attention=())
        results.append(tr)
    return results, flags


def _check(text: str, tr: AlignedTranslation) -> list[str]:
    reasons = []
    if not tr.text.strip():
        reasons.append("empty")
    elif tr.text.strip() == text.strip() and any(c.isalpha() for c in text):
        reasons.append("untranslated")
    if not tr.complete:
        reasons.append("runaway")
    return reasons


def _ordered(flags: list[SegmentFlag]) -> tuple[SegmentFlag, ...]:
    return tuple(sorted(flags, key=lambda f: f.segment))
