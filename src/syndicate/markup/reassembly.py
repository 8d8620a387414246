"""Rendering: a unit's translated segments written as pieces (text, and marks where its
elements open, close or sit: ``markup/pieces.py``), where ``projection.project_spans``
placed them (brief section 4); ``splice_run`` puts a built unit back into the tree.

Target tokens are written in order; an inline element is rebuilt around the tokens placed
in it (the leading space of its first token stays outside: ``the <a>city</a>``), a
verbatim element or a term replaces its tokens, a point goes between two tokens on the side
of the space it had in the source. Whitespace between segments is the source's.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lxml import etree

from syndicate.markup.alignment import (
    LOW_CONFIDENCE,
    AlignedTranslation,
    Placement,
    SourceSpan,
)
from syndicate.markup.pieces import Mark, MarkKind, Piece, joined
from syndicate.markup.projection import project_spans
from syndicate.markup.units import Run, Span, SpanKind, Unit

CHECK = 0.95
"""Placed with a confidence below it (a fallback's is 0), an element span is unclear: its
text, translated alone, says where the model wrote it (``Rendered.unclear``,
translation/stage.py). On clean attention hardly a span is below it (0.7% on the gloss
models, the step-0 rows), so the check costs nothing there; at 45% noise it checks 38% of
spans, whose fragments are short (benchmarks/fidelity.py: 0.9 checked 27% and placed
0.995 exact at 45% noise, 0.985 at 64%; 0.95 places 0.995 and 0.988, 0.99 0.996 and 0.991
but checks 75%). 0 turns the check off."""


@dataclass(frozen=True, slots=True)
class Rendered:
    """A unit's translated segments as pieces (``markup/pieces.py``), one tuple per
    segment; ``notes``: the segments (indices within the unit) whose spans needed the
    fallback (``placement``) or were placed with less than ``LOW_CONFIDENCE``
    (``low_confidence_markup``); ``confidence``: per segment, each element span's
    placement confidence by span index; ``unclear``: the source texts of element spans
    placed below ``CHECK`` with no translation of their own to go by."""

    pieces: list[tuple[Piece, ...]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    confidence: list[dict[int, float]] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)


def render_unit(
    unit: Unit,
    results: Sequence[AlignedTranslation],
    alone: Mapping[str, str],
    fixed: Mapping[int, Sequence[Piece]] | None = None,
) -> Rendered:
    """The unit's segments rendered as pieces; ``alone`` maps an element span's source
    text to its translation on its own (see ``CHECK``); ``fixed`` gives segments (by index
    within the unit) whose pieces are known already (a human translation): they are
    taken as they are, not projected."""
    owners = _owners(unit)
    done = Rendered()
    for k, (segment, tr) in enumerate(zip(unit.segments, results, strict=False)):
        if fixed and k in fixed:
            done.pieces.append(joined(fixed[k]))
            done.confidence.append({})
            continue
        ids = [i for i, owner in enumerate(owners) if owner == k]
        local = [_local(unit, i, ids, segment[0], alone) for i in ids]
        placements = project_spans(tr, local)
        text, spans = unit.text[segment[0] : segment[1]], [unit.spans[i] for i in ids]
        objects = [_object(unit, i) for i in ids]
        out = _Out()
        tree = _Tree(text, spans, local, placements, objects, _Words(tr.target_tokens))
        tree.fill(out, -1, 0, len(tr.target_tokens))
        done.pieces.append(joined(out.pieces))
        done.confidence.append(
            {i: p.confidence for i, p in zip(ids, placements, strict=True) if _placed(unit, i)}
        )
        done.notes.extend((k, reason) for reason in _reasons(placements))
        done.unclear.extend(
            unit.text[unit.spans[i].start : unit.spans[i].end]
            for i, span, spot in zip(ids, local, placements, strict=True)
            if _unclear(unit.spans[i], span, spot)
        )
    return done


def unit_pieces(unit: Unit, segments: Sequence[Sequence[Piece]]) -> list[Piece]:
    """The whole unit as pieces: each segment's, with the source's text between them (its
    whitespace) and the points that sit there."""
    owners = _owners(unit)
    out, cursor = _Out(), 0
    for (start, end), pieces in zip(unit.segments, segments, strict=True):
        _render_gap(out, unit, cursor, start, owners)
        out.pieces.extend(pieces)
        cursor = end
    _render_gap(out, unit, cursor, len(unit.text), owners)
    return out.pieces


def source_pieces(unit: Unit, k: int) -> tuple[Piece, ...]:
    """Segment ``k`` of the unit as written in the source, as pieces: what an editor sees
    beside the translation (review/). A verbatim element is one mark, like a point."""
    start, end = unit.segments[k]
    owned = {i for i, owner in enumerate(_owners(unit)) if owner == k}
    out: list[Piece] = []

    def fill(parent: int, cursor: int, stop: int) -> None:
        for i in sorted(owned, key=lambda i: (unit.spans[i].start, i)):
            span = unit.spans[i]
            if span.parent != parent or span.kind is SpanKind.TERM:
                continue
            out.append(unit.text[cursor : span.start])
            kind = MarkKind.OPEN if span.kind is SpanKind.ELEMENT else MarkKind.POINT
            out.append(Mark(kind, i))
            if kind is MarkKind.OPEN:
                fill(i, span.start, span.end)
                out.append(Mark(MarkKind.CLOSE, i))
            cursor = span.start if span.kind is SpanKind.POINT else span.end
        out.append(unit.text[cursor:stop])

    fill(-1, start, end)
    return joined(out)


# A span as rendering sees it: its term text, or its index in the unit (an element).
_Object = str | int


def _object(unit: Unit, index: int) -> _Object:
    span = unit.spans[index]
    return span.text if span.kind is SpanKind.TERM else index


def _placed(unit: Unit, index: int) -> bool:
    """Whether a span's placement is the projection's guess (an element with words)."""
    return unit.spans[index].kind is SpanKind.ELEMENT


def _owners(unit: Unit) -> list[int]:
    """The segment each span belongs to; -1 for a point between segments."""
    owners = []
    for span in unit.spans:
        hits = [k for k, (a, b) in enumerate(unit.segments) if a <= span.start <= b]
        owners.append(hits[0] if hits else -1)
    return owners


def _local(
    unit: Unit, index: int, ids: Sequence[int], start: int, alone: Mapping[str, str]
) -> SourceSpan:
    """A span as its segment's projection sees it: offsets into the segment, the parent
    among the segment's spans, and the text the model should have written for it."""
    span = unit.spans[index]
    parent = ids.index(span.parent) if span.parent in ids else -1
    protected = span.kind in (SpanKind.VERBATIM, SpanKind.TERM)
    rendering = span.text if span.kind is SpanKind.TERM else ""
    if span.kind is SpanKind.ELEMENT:
        fixed = _only_protected(unit, index)
        protected = fixed is not None
        rendering = fixed if fixed is not None else alone.get(unit.text[span.start : span.end], "")
    return SourceSpan(span.start - start, span.end - start, parent, protected, rendering)


def _only_protected(unit: Unit, index: int) -> str | None:
    """What an element holding nothing but protected text (``<strong>450</strong>``,
    ``<a>Rudaw</a>``) must come out as: its place is where that was written, like a
    protected span's, not where attention puts it. None for any other element."""
    span, text = unit.spans[index], unit.text
    inside = sorted(
        (s for s in unit.spans if s.parent == index and s.start < s.end), key=lambda s: s.start
    )
    pieces, cursor = [], span.start
    for kid in inside:
        if kid.kind not in (SpanKind.VERBATIM, SpanKind.TERM) or text[cursor : kid.start].strip():
            return None
        pieces += [text[cursor : kid.start], kid.text or text[kid.start : kid.end]]
        cursor = kid.end
    if not inside or text[cursor : span.end].strip():
        return None
    return "".join(pieces)


def _reasons(placements: Sequence[Placement]) -> list[str]:
    reasons = ["placement"] if any(p.fallback for p in placements) else []
    if any(not p.fallback and p.confidence < LOW_CONFIDENCE for p in placements):
        reasons.append("low_confidence_markup")
    return reasons


def _unclear(span: Span, local: SourceSpan, spot: Placement) -> bool:
    return (
        span.kind is SpanKind.ELEMENT
        and not local.is_point
        and not local.rendering
        and spot.confidence < CHECK  # a fallback's is 0
    )


def _render_gap(out: _Out, unit: Unit, start: int, end: int, owners: Sequence[int]) -> None:
    """Source text between segments (whitespace) with the points that sit there."""
    cursor = start
    for i, span in enumerate(unit.spans):
        if owners[i] == -1 and start <= span.start <= end:
            out.text(unit.text[cursor : span.start])
            out.element(i)
            cursor = span.start
    out.text(unit.text[cursor:end])


class _Words:
    """The target tokens as text, each token's leading whitespace handed out once."""

    def __init__(self, tokens: Sequence[str]) -> None:
        text = "".join(tokens)
        stripped = text.strip()
        lead = len(text) - len(text.lstrip())
        # Clip every token to the stripped text so segment edges carry no whitespace.
        bounds = list(itertools.accumulate((len(t) for t in tokens), initial=0))
        self.size = len(tokens)
        self.leads: list[str] = []
        self.bodies: list[str] = []
        for a, b in itertools.pairwise(bounds):
            piece = stripped[max(0, a - lead) : max(0, b - lead)]
            body = piece.lstrip()
            self.leads.append(piece[: len(piece) - len(body)])
            self.bodies.append(body)

    def lead(self, index: int) -> str:
        if index >= len(self.leads):
            return ""
        lead, self.leads[index] = self.leads[index], ""
        return lead

    def take(self, start: int, end: int) -> str:
        return "".join(self.lead(i) + self.bodies[i] for i in range(start, end))


class _Out:
    """Records a segment's text and marks, in writing order."""

    def __init__(self) -> None:
        self.pieces: list[Piece] = []

    def text(self, text: str) -> None:
        self.pieces.append(text)

    def element(self, obj: _Object) -> None:
        """A term's text, or a point or verbatim element placed whole."""
        self.pieces.append(obj if isinstance(obj, str) else Mark(MarkKind.POINT, obj))


@dataclass(frozen=True, slots=True)
class _Tree:
    """One segment's spans with their placements, rendered parent by parent; ``text`` is
    the segment's source text."""

    text: str
    spans: Sequence[Span]
    local: Sequence[SourceSpan]
    placements: Sequence[Placement]
    objects: Sequence[_Object]
    words: _Words

    def fill(self, out: _Out, parent: int, start: int, end: int) -> None:
        cursor = start
        for kid in self._children(parent):
            spot = self.placements[kid]
            out.text(self.words.take(cursor, spot.start))
            cursor = max(cursor, spot.start)
            if self.local[kid].is_point:
                self._point(out, kid, spot)
            else:
                self._span(out, kid, spot)
                cursor = max(cursor, spot.end)
        out.text(self.words.take(cursor, end))

    def _point(self, out: _Out, kid: int, spot: Placement) -> None:
        """A point keeps the side of the space it had in the source: ``word <img/>next``
        stays after the space, ``word.<br/> Next`` before it."""
        at = self.local[kid].start
        if at > 0 and self.text[at - 1].isspace():
            out.text(self.words.lead(spot.start))
        out.element(self.objects[kid])

    def _span(self, out: _Out, kid: int, spot: Placement) -> None:
        obj, empty = self.objects[kid], spot.start == spot.end
        if self.spans[kid].kind is SpanKind.ELEMENT and not isinstance(obj, str):
            if not empty:  # an empty element leaves the space to the word it precedes
                out.text(self.words.lead(spot.start))
            out.pieces.append(Mark(MarkKind.OPEN, obj))
            self.fill(out, kid, spot.start, spot.end)
            out.pieces.append(Mark(MarkKind.CLOSE, obj))
            return
        own = self.text[self.local[kid].start : self.local[kid].end]
        texts = (obj, own) if isinstance(obj, str) else (own,)  # a term's rendering first
        written = self.words.take(spot.start, spot.end) if not empty else ""
        before, after = _around(written, texts) if written else (self.words.lead(spot.start), "")
        out.text(before)
        out.element(obj)  # verbatim element or term text replaces the words
        out.text(after)
        if empty and spot.start < self.words.size:
            out.text(" ")  # inserted by the fallback: keep it apart from the next word

    def _children(self, parent: int) -> list[int]:
        """Children in target order; what is empty at a position comes before what starts
        there, so it never lands inside it."""
        kids = [i for i, s in enumerate(self.local) if s.parent == parent]
        return sorted(kids, key=lambda i: (self.placements[i].start, self.placements[i].end, i))


def _around(written: str, texts: Sequence[str]) -> tuple[str, str]:
    """What a protected span leaves of the words it replaces: the text before and after
    the first of ``texts`` the model wrote inside them (a piece ``=7`` holding the number
    ``7`` keeps its ``=``), else only the leading space."""
    for text in texts:
        at = written.find(text) if text else -1
        if at >= 0:
            return written[:at], written[at + len(text) :]
    return written[: len(written) - len(written.lstrip())], ""


def splice_run(run: Run, holder: etree._Element) -> None:
    """Put the holder's content where the run was: its text, then its elements."""
    container = run.container
    if run.anchor is None:
        container.text = holder.text
        index = 0
    else:
        run.anchor.tail = holder.text
        index = container.index(run.anchor) + 1
    for offset, child in enumerate(list(holder)):
        container.insert(index + offset, child)
