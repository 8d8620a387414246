"""Synthetic aligned translations with a known true alignment, for projection tests.

A source sentence of words is cut into phrases; the target writes the phrases in some order
(a permutation: word order really changes), each word translated (a new word, sometimes two
pieces) or copied verbatim (a name, a number). Spans cover a phrase or a run of words inside
one, so the truth is always one contiguous target range. The reported attention starts from
one-hot rows on the true alignment and gets the noise of vanilla Transformer attention
(issue 11): a little smear on every row, and at a given rate tokens whose row goes mostly
to a neighbour, to a sink (a comma or "the" that draws mass from many rows) or to EOS.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from syndicate.markup.alignment import AlignedTranslation, Placement, SourceSpan

_FUNCTION = ("the", "of", "and", "in", ",")


@dataclass(frozen=True, slots=True)
class Case:
    """A translation, its spans, and where each span truly lands."""

    clean: AlignedTranslation
    spans: tuple[SourceSpan, ...]
    truth: tuple[tuple[int, int], ...]


def _word(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return rng.choice(_FUNCTION)
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(2))


def make_case(rng: random.Random, *, reorder: bool) -> Case:
    """One sentence of 6-20 words, phrases of 1-4 words, 1-3 spans (one may be nested)."""
    words = [_word(rng) for _ in range(rng.randint(6, 20))]
    cuts = sorted(rng.sample(range(1, len(words)), min(len(words) - 1, len(words) // 3)))
    phrases = [list(range(a, b)) for a, b in zip([0, *cuts], [*cuts, len(words)], strict=True)]
    order = list(range(len(phrases)))
    if reorder:
        rng.shuffle(order)
    source, offsets = "", []
    for w in words:
        source += (" " if source else "") + w
        offsets.append((len(source) - len(w), len(source)))
    tokens: list[str] = []
    links: list[int] = []
    for p in order:
        for i in phrases[p]:
            copy = words[i] in _FUNCTION or rng.random() < 0.3
            target = words[i] if copy else words[i][::-1].upper()
            pieces = [target] if copy or rng.random() < 0.7 else [target[:2], target[2:]]
            for k, piece in enumerate(pieces):
                tokens.append(("" if k or not tokens else " ") + piece)
                links.append(i)
    clean = AlignedTranslation(source, tuple(offsets), tuple(tokens), tuple(links))
    spans, truth = _spans(rng, phrases, offsets, links)
    return Case(clean, spans, truth)


def _spans(
    rng: random.Random, phrases: list[list[int]], offsets: list[tuple[int, int]], links: list[int]
) -> tuple[tuple[SourceSpan, ...], tuple[tuple[int, int], ...]]:
    spans: list[SourceSpan] = []
    truth: list[tuple[int, int]] = []
    for p in rng.sample(range(len(phrases)), min(len(phrases), rng.randint(1, 3))):
        phrase = phrases[p]
        a = rng.randrange(len(phrase))
        b = rng.randrange(a, len(phrase))
        for lo, hi, parent in [(a, b, -1)] + ([(a, a, 0)] if b > a and rng.random() < 0.3 else []):
            chosen = set(phrase[lo : hi + 1])
            hits = [t for t, i in enumerate(links) if i in chosen]
            spans.append(
                SourceSpan(
                    offsets[phrase[lo]][0],
                    offsets[phrase[hi]][1],
                    len(spans) - 1 if parent == 0 else -1,
                )
            )
            truth.append((min(hits), max(hits) + 1))
    return tuple(spans), tuple(truth)


def noisy(rng: random.Random, tr: AlignedTranslation, rate: float) -> AlignedTranslation:
    """``tr`` with noisy attention rows: smear on every row, and at ``rate`` a token whose
    row goes mostly to a neighbour (half of them), a sink (a third) or EOS (the rest); the
    alignment is the rows' argmax, as the engine reports it."""
    n = len(tr.source_tokens)
    sinks = [j for j, (s, e) in enumerate(tr.source_tokens) if tr.source[s:e] in _FUNCTION]
    sink = rng.choice(sinks) if sinks else rng.randrange(n)
    rows = []
    for j in tr.alignment:
        row = [0.0] * n
        row[j] = 1.0
        for k in (j - 1, j + 1):
            if 0 <= k < n:
                moved = rng.uniform(0.0, 0.12)
                row[j] -= moved
                row[k] += moved
        draw = rng.random()
        if draw < rate:
            wrong = rng.uniform(0.5, 0.75)
            kind = draw / rate
            if kind < 0.5:
                k = min(n - 1, max(0, j + rng.choice((-1, 1))))
            elif kind < 0.83:
                k = sink
            else:
                k = -1  # EOS: the mass leaves the row
            row = [w * (1 - wrong) for w in row]
            if k >= 0:
                row[k] += wrong
        rows.append(tuple(row))
    argmax = tuple(max(range(n), key=row.__getitem__) if sum(row) > 0.3 else -1 for row in rows)
    return replace(tr, alignment=argmax, attention=tuple(rows))


def assert_well_nested(spans: Sequence[SourceSpan], placed: Sequence[Placement], size: int) -> None:
    """Issue 2's invariants of a projection: one placement per span, each inside its
    parent, points empty, siblings never overlapping nor holding each other's points."""
    assert len(placed) == len(spans)
    for i, (span, spot) in enumerate(zip(spans, placed, strict=True)):
        outer = placed[span.parent] if span.parent >= 0 else Placement(0, size)
        assert outer.start <= spot.start <= spot.end <= outer.end
        assert 0.0 <= spot.confidence <= 1.0
        if span.is_point:
            assert spot.start == spot.end
        for j in range(i):
            other = placed[j]
            if spans[j].parent == span.parent:
                assert not (
                    other.start < spot.end
                    and spot.start < other.end
                    and other.start < other.end
                    and spot.start < spot.end
                )
                assert not other.start < spot.start < other.end
                assert not spot.start < other.start < spot.end
