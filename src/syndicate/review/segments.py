"""The segments an editor reviews: each with its source and translation as pieces, its
tags, the protected text it must keep, its flags and how surely its tags were placed.

Built once, when a translation is held (``review_segments``, from the translate stage's
``Draft``), and kept with the held translation; ``final_fields`` writes the fields back
with the editors' changes, through the same ``rebuild`` the model's output went through,
so an unchanged segment comes out as the model wrote it. A segment is known by its
``key`` (its source with markup): an edit carries over to a later version whose segment
has the same key, and an approved segment teaches the memory under it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from syndicate.markup.pieces import Mark, MarkKind, Piece
from syndicate.markup.reassembly import source_pieces
from syndicate.markup.segments import SegmentedBody, element_names, rebuild
from syndicate.markup.units import SpanKind, Unit
from syndicate.review.placeholders import (
    EditRefused,
    Tag,
    TagKind,
    count_term,
    plain,
    read,
    write,
)
from syndicate.translation.stage import Draft, Known


class Origin(StrEnum):
    MACHINE = "machine"  # the model (or its memory) wrote it
    HUMAN = "human"  # an editor's approved translation of the same source, from the memory


@dataclass(frozen=True, slots=True)
class Segment:
    """Segment ``n`` of the article (the numbering of ``translation.flags``): the
    ``index``-th of field ``field``, in unit ``unit`` of it."""

    n: int
    field: str
    index: int
    unit: int
    tags: tuple[Tag, ...]
    protected: tuple[str, ...]
    source: tuple[Piece, ...]
    machine: tuple[Piece, ...]
    flags: tuple[str, ...] = ()
    confidence: tuple[tuple[int, float], ...] = ()  # (tag n, placement confidence)
    origin: Origin = Origin.MACHINE
    new: bool = False  # machine-new in a version after one an editor worked on

    @property
    def has_words(self) -> bool:
        """Whether the source has text outside its tags (a translation of it must too)."""
        return bool(plain(self.source).strip())

    @property
    def key(self) -> str:
        """The source with its markup: equal keys translate alike."""
        return source_key(self.source, self.tags)


def source_key(source: Sequence[Piece], tags: Sequence[Tag]) -> str:
    shape = ",".join(f"{t.kind}:{t.name}:{t.parent}" for t in tags)
    return hashlib.sha256(f"{write(source, tags)}\x00{shape}".encode()).hexdigest()


def _tags(unit: Unit, source: Sequence[Piece], names: Sequence[str]) -> tuple[Tag, ...]:
    """The segment's tags numbered in source order, with their parents' numbers."""
    spans = [p.span for p in source if isinstance(p, Mark) and p.kind is not MarkKind.CLOSE]
    number = {span: n for n, span in enumerate(spans, start=1)}
    tags = []
    for span_index in spans:
        span = unit.spans[span_index]
        kind = {SpanKind.ELEMENT: TagKind.PAIR, SpanKind.VERBATIM: TagKind.PROTECTED}.get(
            span.kind, TagKind.POINT
        )
        text = unit.text[span.start : span.end] if kind is TagKind.PROTECTED else ""
        name = names[span_index] if span_index < len(names) else ""
        parent = number.get(span.parent, 0)
        tags.append(Tag(number[span_index], span_index, kind, parent, text, name))
    return tuple(tags)


def _protected(unit: Unit, k: int, machine: Sequence[Piece]) -> tuple[str, ...]:
    """The terms (names, glossary terms, numbers) of segment ``k`` as many times as the
    translation holds them: an edit must keep them."""
    start, end = unit.segments[k]
    terms = Counter(
        s.text for s in unit.spans if s.kind is SpanKind.TERM and start <= s.start < end
    )
    words = plain(machine)
    kept = {term: min(count, count_term(words, term)) for term, count in terms.items()}
    return tuple(term for term, count in sorted(kept.items()) for _ in range(count))


@dataclass(frozen=True, slots=True)
class _Source:
    """A segment of a field as the source has it: where it is, its pieces and its tags."""

    index: int
    unit: int
    k: int  # within the unit
    pieces: tuple[Piece, ...]
    tags: tuple[Tag, ...]


def _sources(body: SegmentedBody) -> list[_Source]:
    names = element_names(body)
    places = [(u, k) for u, unit in enumerate(body.units) for k in range(len(unit.segments))]
    out = []
    for index, (u, k) in enumerate(places):
        pieces = source_pieces(body.units[u], k)
        out.append(_Source(index, u, k, pieces, _tags(body.units[u], pieces, names[u])))
    return out


def review_segments(draft: Draft) -> tuple[Segment, ...]:
    """Every segment of a translated article, numbered as its flags are."""
    flags: dict[int, list[str]] = {}
    for flag in draft.article.translation.flags if draft.article.translation else ():
        flags.setdefault(flag.segment, []).append(flag.reason)
    out: list[Segment] = []
    for key, body in draft.fields.items():
        done, known = draft.done[key], draft.known.get(key, frozenset())
        for src in _sources(body):
            machine = done.pieces[src.index]
            number = {t.span: t.n for t in src.tags}
            conf = tuple(sorted((number[s], c) for s, c in done.confidence[src.index].items()))
            n = len(out)
            out.append(
                Segment(
                    n=n,
                    field=key,
                    index=src.index,
                    unit=src.unit,
                    tags=src.tags,
                    protected=_protected(body.units[src.unit], src.k, machine),
                    source=src.pieces,
                    machine=machine,
                    flags=tuple(dict.fromkeys(flags.get(n, []))),
                    confidence=conf,
                    origin=Origin.HUMAN if src.index in known else Origin.MACHINE,
                )
            )
    return tuple(out)


def remembered(lookup: Callable[[Sequence[str]], Mapping[str, str]]) -> Known:
    """The translate stage's ``known``: segments whose source key ``lookup`` finds an
    approved translation for (placeholder text), read back onto their own tags. An entry
    that no longer reads (a changed rule) is left to the model."""

    def known(fields: Mapping[str, SegmentedBody]) -> dict[str, dict[int, Sequence[Piece]]]:
        sources = {key: _sources(body) for key, body in fields.items()}
        wanted = [source_key(s.pieces, s.tags) for found in sources.values() for s in found]
        texts = lookup(wanted) if wanted else {}
        out: dict[str, dict[int, Sequence[Piece]]] = {}
        for key, found in sources.items():
            for src in found:
                text = texts.get(source_key(src.pieces, src.tags))
                pieces = _readable(text, src.tags) if text is not None else None
                if pieces is not None:
                    out.setdefault(key, {})[src.index] = pieces
        return out

    return known


def _readable(text: str, tags: Sequence[Tag]) -> tuple[Piece, ...] | None:
    try:
        return read(text, tags, (), empty_ok=True)
    except EditRefused:
        return None


def final_fields(
    fields: Mapping[str, SegmentedBody],
    segments: Sequence[Segment],
    edits: Mapping[int, Sequence[Piece]],
    lang: str,
) -> dict[str, str]:
    """The fields holding an edited segment, written again with the edits (segment n ->
    pieces); other fields are as the model left them."""
    touched = {segments[n].field for n in edits}
    out = {}
    for key in touched:
        mine = [s for s in segments if s.field == key]
        pieces = [edits.get(s.n, s.machine) for s in mine]
        out[key] = rebuild(fields[key], pieces, lang)
    return out


def renumbered(
    pieces: Sequence[Piece], old: Sequence[Tag], new: Sequence[Tag]
) -> tuple[Piece, ...]:
    """Pieces written for one segment's tags, for another segment with the same key (the
    same tags, perhaps other span indices in its unit)."""
    span_of = {t.n: t.span for t in new}
    n_of = {t.span: t.n for t in old}
    return tuple(p if isinstance(p, str) else Mark(p.kind, span_of[n_of[p.span]]) for p in pieces)


def carried(
    old: Sequence[Segment], edited: Iterable[int], new: Sequence[Segment]
) -> dict[int, int]:
    """Which edited ``old`` segment each ``new`` segment holds again (same key): new n ->
    old n. A new version keeps an editor's work where its source did not change."""
    by_key = {old[n].key: n for n in edited if n < len(old)}
    return {s.n: by_key[s.key] for s in new if s.key in by_key}
