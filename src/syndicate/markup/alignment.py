"""Aligned translations: the contract between the engine (which produces them from
CTranslate2 attention) and markup (which projects inline spans onto them).

Two projection methods share the machinery here (claim order, nesting, siblings, whole
words, the proportional fallback, protected text) and differ in how they pick a span's
range: ``projection.project_spans``, the production method, reads whole attention rows
(``markup/evidence.py``) and the text the model wrote; the baseline
``hull.project_spans_hull`` takes the hull of the argmax links.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from syndicate.markup import evidence


@dataclass(frozen=True, slots=True)
class AlignedTranslation:
    """One translated segment with a word alignment.

    ``source_tokens`` are [start, end) character offsets into ``source`` of each source
    token the model saw (EOS excluded). ``target_tokens`` are the surface strings of each
    target token, leading space included, so ``"".join(target_tokens)`` is the translation.
    ``alignment[t]`` is the index of the source token that target token ``t`` attends to
    most, or -1 where the model gave no usable attention. ``attention[t]``, when the engine
    reports it, is target token ``t``'s whole attention row over the source tokens (the EOS
    column left out, so a row may sum to less than 1); empty when only links are known (stub
    translators, ``copy_translation``, old memory entries): the projection then reads one-hot
    rows from ``alignment``. ``complete`` is False when decoding stopped at the length limit
    instead of at end of sentence (a runaway).
    """

    source: str
    source_tokens: tuple[tuple[int, int], ...]
    target_tokens: tuple[str, ...]
    alignment: tuple[int, ...]
    complete: bool = True
    attention: tuple[tuple[float, ...], ...] = ()

    @property
    def text(self) -> str:
        return "".join(self.target_tokens)


class SegmentTranslator(Protocol):
    """Translates a batch of plain-text segments in one call (brief section 4)."""

    def __call__(self, texts: Sequence[str]) -> list[AlignedTranslation]: ...


# Projection (brief section 4, "inline markup keeps its place"): the pure functions below
# carry inline spans from source characters to target tokens through the alignment. Markup
# builds the spans and renders the placements; nothing here knows about HTML.


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """A span to project: ``[start, end)`` characters of the source (``start == end`` marks
    a point such as ``<br/>``) and the index of its enclosing span, -1 at the top.

    A ``protected`` span (verbatim element, glossary term) replaces its target tokens, so
    it claims them before its unprotected siblings: text is never both replaced and kept.
    ``rendering`` is the text the model is expected to have written for the span: a term's
    fixed rendering, or an element's own text translated alone (the check of
    translation/stage.py); a protected span without one looks for its source text. Where
    the model wrote that text, a protected span goes exactly there and an element's run is
    anchored there (``projection.py``).
    """

    start: int
    end: int
    parent: int = -1
    protected: bool = False
    rendering: str = ""

    @property
    def is_point(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a span lands: target tokens ``[start, end)``; a point sits before ``start``.
    ``fallback``: the proportional rule placed it. ``confidence`` (0..1, 0 for a fallback;
    not part of equality) is how clearly the alignment put the span there."""

    start: int
    end: int
    fallback: bool = False
    confidence: float = field(default=1.0, compare=False)


LOW_CONFIDENCE = 0.5
"""Below it a span flags its segment ``low_confidence_markup`` (segments.py): on synthetic
noise, most misplaced spans fall below it and few exact ones do."""


@dataclass(frozen=True, slots=True)
class Context:
    """What a projection method reads: ``words`` are the source tokens trimmed of
    whitespace, ``links`` one source token per target token (-1 for none) and ``weights``,
    for the robust method, each target token's posterior over the source tokens."""

    source: str
    words: tuple[tuple[int, int], ...]
    tokens: tuple[str, ...]
    links: tuple[int, ...]
    weights: np.ndarray | None = None
    # Where protected spans' text was written: (source start, end, target start, end).
    reserved: tuple[tuple[int, int, int, int], ...] = ()


Locate = Callable[[Context, SourceSpan, Placement], tuple[int, int, float] | None]
"""A method's choice of target range ``[start, end)`` for one span, given its parent's
placement, and its confidence (None: no evidence at all); earlier siblings and widening are
applied afterwards, the same way for every method."""


def copy_translation(text: str) -> AlignedTranslation:
    """``text`` as its own translation, one token per character, aligned diagonally.

    The stand-in for an empty model output: projecting onto it gives the source markup back.
    """
    tokens = tuple(re.findall(r"\s*\S", text))
    if tokens and len("".join(tokens)) < len(text):
        tokens = (*tokens[:-1], tokens[-1] + text[len("".join(tokens)) :])
    starts = [m.start() for m in re.finditer(r"\S", text)]
    return AlignedTranslation(
        source=text,
        source_tokens=tuple((s, s + 1) for s in starts),
        target_tokens=tokens,
        alignment=tuple(range(len(tokens))),
    )


def project_with(
    ctx: Context, spans: Sequence[SourceSpan], locate: Locate
) -> tuple[Placement, ...]:
    """Parents before children, each sibling inside its parent and outside the siblings
    that claimed tokens before it (protected ones first, then in source order); a sibling
    left with nothing stays empty right after where it wanted to be; a span ``locate``
    cannot place at all takes the proportional fallback (see ``_fallback``)."""
    placed: dict[int, Placement] = {-1: Placement(0, len(ctx.tokens))}
    for parent, kids in _families(spans):
        bounds = placed[parent]
        outer = spans[parent] if parent >= 0 else SourceSpan(0, len(ctx.source))
        taken: list[Placement] = []
        for kid in kids:
            spot = _place(ctx, locate, spans[kid], outer, bounds, taken)
            placed[kid] = spot
            taken.append(spot)
    return tuple(placed[i] for i in range(len(spans)))


def context(tr: AlignedTranslation) -> Context:
    """The translation as projection reads it: usable links only (others -1)."""
    size = len(tr.source_tokens)
    links = tuple(i if 0 <= i < size else -1 for i in tr.alignment)
    if len(links) != len(tr.target_tokens):
        links = (-1,) * len(tr.target_tokens)
    return Context(
        tr.source,
        tuple(_trim(tr.source, s, e) for s, e in tr.source_tokens),
        tr.target_tokens,
        links,
    )


def inside(ctx: Context, span: SourceSpan) -> list[int]:
    """The source tokens a span overlaps."""
    return [i for i, (s, e) in enumerate(ctx.words) if s < e and s < span.end and span.start < e]


def others_protected(ctx: Context, span: SourceSpan) -> list[tuple[int, int]]:
    """The target ranges where protected spans other than ``span``'s own ancestors and
    descendants had their text written: ``span`` takes none of their tokens."""
    return [
        (lo, hi)
        for start, end, lo, hi in ctx.reserved
        if not (span.start <= start and end <= span.end)
        and not (start <= span.start and span.end <= end)
    ]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _families(spans: Sequence[SourceSpan]) -> list[tuple[int, list[int]]]:
    """Parents before their children; siblings protected first, then in source order, a
    point before a range: the order in which siblings claim target tokens."""
    kids: dict[int, list[int]] = {}
    for i, span in enumerate(spans):
        kids.setdefault(span.parent, []).append(i)
    order, queue = [], [-1]
    while queue:
        parent = queue.pop(0)
        if parent in kids:
            family = sorted(kids[parent], key=lambda i: _claim_order(spans[i], i))
            order.append((parent, family))
            queue.extend(family)
    return order


def _claim_order(span: SourceSpan, index: int) -> tuple[bool, int, bool, int]:
    return (not span.protected, span.start, not span.is_point, index)


def _place(
    ctx: Context,
    locate: Locate,
    span: SourceSpan,
    outer: SourceSpan,
    bounds: Placement,
    taken: list[Placement],
) -> Placement:
    guess = _fallback(span, outer, bounds)
    # Where another span's protected text was written is as good as taken: a fallback or a
    # widened range must not take its words either.
    taken = taken + [Placement(lo, hi) for lo, hi in others_protected(ctx, span)]
    if span.is_point:
        spot = _point(ctx, span.start)
        start = _free_boundary(guess[0] if spot is None else spot, bounds, taken)
        return Placement(start, start, spot is None, 0.0 if spot is None else 1.0)
    found = locate(ctx, span, bounds)
    if found is not None:
        lo, hi, confidence = found
        fitted = _fit(_widen(ctx, span, (lo, hi), bounds), bounds, taken)
        if fitted is not None:
            return Placement(*fitted, confidence=confidence)
        # Its words went to an earlier sibling (one target word for two spans): it stays
        # empty right after them rather than take words aligned elsewhere.
        start = _free_boundary(hi, bounds, taken)
        return Placement(start, start, True, 0.0)
    fitted = _fit(_widen(ctx, span, guess, bounds), bounds, taken)
    if fitted is not None:
        return Placement(*fitted, fallback=True, confidence=0.0)
    start = _free_boundary(guess[0], bounds, taken)
    return Placement(start, start, True, 0.0)


def _point(ctx: Context, pos: int) -> int | None:
    """Before the target of the next aligned source token, else after the previous one's."""
    after = [i for i, (s, e) in enumerate(ctx.words) if s < e and e > pos]
    before = [i for i, (s, e) in enumerate(ctx.words) if s < e and e <= pos]
    for i in after:
        hits = [t for t, j in enumerate(ctx.links) if j == i]
        if hits:
            return min(hits)
    for i in reversed(before):
        hits = [t for t, j in enumerate(ctx.links) if j == i]
        if hits:
            return max(hits) + 1
    return None


def _widen(
    ctx: Context, span: SourceSpan, hull: tuple[int, int], bounds: Placement
) -> tuple[int, int]:
    """Grow a range to whole target words where the span holds whole source words, so
    neither a subword alignment nor the proportional rule cuts a word
    (``<a>Pesh</a>merga``)."""
    start, end = hull
    text = ctx.source
    if span.start == 0 or not text[span.start - 1].isalnum():
        while start > bounds.start and evidence.joined(ctx.tokens[start - 1], ctx.tokens[start]):
            start -= 1
    if span.end >= len(text) or not text[span.end].isalnum():
        while end < bounds.end and evidence.joined(ctx.tokens[end - 1], ctx.tokens[end]):
            end += 1
    return start, end


def _fallback(span: SourceSpan, outer: SourceSpan, bounds: Placement) -> tuple[int, int]:
    """The proportional rule: the span takes the same relative position and length of its
    parent's target tokens as it has of its parent's source characters, at least one token
    when it has text and the parent has any."""
    width = max(1, outer.end - outer.start)
    size = bounds.end - bounds.start
    start = bounds.start + math.floor((span.start - outer.start) / width * size + 0.5)
    end = bounds.start + math.floor((span.end - outer.start) / width * size + 0.5)
    start = min(max(start, bounds.start), bounds.end)
    end = min(max(end, start), bounds.end)
    if span.is_point:
        return start, start
    if end == start and size:
        start, end = (start, start + 1) if start < bounds.end else (start - 1, start)
    return start, end


def _free(bounds: Placement, taken: Sequence[Placement]) -> list[tuple[int, int]]:
    """The parent's tokens not held by earlier siblings, cut at their points."""
    free = [(bounds.start, bounds.end)]
    for t in taken:
        cut: list[tuple[int, int]] = []
        for lo, hi in free:
            if t.start == t.end and lo < t.start < hi:
                cut += [(lo, t.start), (t.start, hi)]
            elif t.start < t.end and t.start < hi and lo < t.end:
                cut += [p for p in ((lo, t.start), (t.end, hi)) if p[0] < p[1]]
            else:
                cut.append((lo, hi))
        free = cut
    return free


def _fit(
    want: tuple[int, int], bounds: Placement, taken: Sequence[Placement]
) -> tuple[int, int] | None:
    """The longest non-empty part of ``want`` left free (the first one on a tie)."""
    best: tuple[int, int] | None = None
    for lo, hi in _free(bounds, taken):
        part = (max(lo, want[0]), min(hi, want[1]))
        if part[0] < part[1] and (best is None or part[1] - part[0] > best[1] - best[0]):
            best = part
    return best


def _free_boundary(pos: int, bounds: Placement, taken: Sequence[Placement]) -> int:
    """``pos`` inside the parent and outside every earlier sibling (to its nearer edge)."""
    pos = min(max(pos, bounds.start), bounds.end)
    for t in taken:
        if t.start < pos < t.end:
            pos = t.start if pos - t.start < t.end - pos else t.end
    return pos
