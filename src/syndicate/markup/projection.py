"""The production projection (brief section 4, issue 11): each span goes where the model
wrote its expected text (``written.py``), else on the contiguous run of target tokens that
best holds its posterior alignment mass (``evidence.py``), with the nesting, sibling and
fallback rules every method shares (``alignment.project_with``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from syndicate.markup import evidence, written
from syndicate.markup.alignment import (
    AlignedTranslation,
    Context,
    Placement,
    SourceSpan,
    context,
    inside,
    others_protected,
    project_with,
)

_ANCHOR = 2.0  # the score of a token holding the span's written text: attention's is <= 0.5
_SURE = 0.9  # beyond a whole anchor, attention must be this sure of a token (fidelity.py)


def project_spans(
    translation: AlignedTranslation, spans: Sequence[SourceSpan]
) -> tuple[Placement, ...]:
    """Place every span on the target tokens, well nested, one placement per span.

    A protected span goes where the model wrote its text; every other span takes the
    contiguous run of target tokens that best holds its alignment mass (``_robust``),
    anchored where its translation alone was written when the span check gave one: stray
    tokens are left out instead of stretching the span across the sentence, as the hull of
    ``hull.project_spans_hull`` would. The rest is as for every method (``project_with``).
    """
    if not spans:
        return ()
    ctx = context(translation)
    found = evidence.weigh(
        [ctx.source[s:e] for s, e in ctx.words], ctx.tokens, evidence.rows(translation)
    )
    if found is not None:
        ctx = Context(ctx.source, ctx.words, ctx.tokens, found.links, found.weights)
    whole = Placement(0, len(ctx.tokens))
    wrote = [(s, _written(ctx, s, whole)) for s in spans if s.protected]
    reserved = tuple((s.start, s.end, w[0], w[1]) for s, w in wrote if w is not None)
    ctx = Context(ctx.source, ctx.words, ctx.tokens, ctx.links, ctx.weights, reserved)
    return project_with(ctx, spans, _robust)


def _robust(ctx: Context, span: SourceSpan, bounds: Placement) -> tuple[int, int, float] | None:
    """The run inside the parent maximising the span's mass minus the rest
    (``evidence.best_run``), never over a protected span's text outside it. An element
    whose translation alone was written (``_anchors``) takes the best run holding one of
    those places. The confidence is the share of the span's mass the run holds times the
    share of its own tokens' mass that is the span's."""
    spot = _written(ctx, span, bounds) if span.protected else None
    if spot is not None:
        return spot
    if ctx.weights is None:
        share = np.isin(np.array(ctx.links, dtype=int), inside(ctx, span)).astype(float)
        known = np.array([k >= 0 for k in ctx.links], dtype=bool)
        scores = np.where(share > 0, 0.5, np.where(known, -0.5, 0.0))
    else:
        share = ctx.weights[:, inside(ctx, span)].sum(axis=1)
        scores, known = share - 0.5, np.ones(len(share), dtype=bool)
    for lo, hi in others_protected(ctx, span):
        scores[lo:hi] = -1.0  # never taken
    anchors = _anchors(ctx, span, bounds) if span.rendering else []
    tried = [_run(scores, share, known, bounds, a) for a in anchors]
    return max(tried or [_run(scores, share, known, bounds, None)], key=lambda t: t[0])[1]


_Run = tuple[float, tuple[int, int, float] | None]


def _run(
    scores: np.ndarray,
    share: np.ndarray,
    known: np.ndarray,
    bounds: Placement,
    anchor: tuple[int, int, bool] | None,
) -> _Run:
    """The best run (with the anchor's tokens taken for the span's, and beyond a whole
    anchor only tokens attention is sure of), its value: its score plus the anchor's own
    attention mass, so of two places that hold the same words attention decides."""
    bonus = 0.0
    if anchor is not None:
        lo, hi, whole = anchor
        bonus = float(share[lo:hi].sum())
        scores = np.minimum(scores, share - _SURE) if whole else scores.copy()
        share, known = share.copy(), known.copy()
        share[lo:hi], scores[lo:hi], known[lo:hi] = 1.0, _ANCHOR, True
    run = evidence.best_run(scores[bounds.start : bounds.end], share[bounds.start : bounds.end])
    if run is None:
        return -np.inf, None
    lo, hi = run[0] + bounds.start, run[1] + bounds.start
    held = float(share[lo:hi][known[lo:hi]].sum())
    total = float(share[known].sum())
    own = max(1, int(known[lo:hi].sum()))
    confidence = min(1.0, held / max(total, 1e-9) * held / own)
    return float(scores[lo:hi].sum()) + bonus, (lo, hi, confidence)


def _anchors(ctx: Context, span: SourceSpan, bounds: Placement) -> list[tuple[int, int, bool]]:
    """Where an element's translation alone (``SourceSpan.rendering``) was written, whole
    or, failing that, in part (``written.parts``; ``False``), off other spans' protected
    text. A fragment translated alone may lack a word it has in context, so a place
    anchors the span's run rather than fixing it."""
    want = written.expected(ctx.source[span.start : span.end], span.rendering, False)
    places = _unblocked(ctx, span, written.occurrences(ctx.tokens, want, bounds.start, bounds.end))
    if places:
        return [(lo, hi, True) for lo, hi in places]
    parts = written.parts(span.rendering, ctx.tokens, bounds.start, bounds.end)
    return [(lo, hi, False) for lo, hi in _unblocked(ctx, span, parts)]


def _written(ctx: Context, span: SourceSpan, bounds: Placement) -> tuple[int, int, float] | None:
    """Where the model wrote a protected span's text (``written.py``) inside the parent,
    off other spans' protected text; of several places, the one its alignment points to
    most, its confidence that place's share of their mass."""
    want = written.expected(ctx.source[span.start : span.end], span.rendering, True)
    places = written.inside_tokens(ctx.tokens, want, bounds.start, bounds.end)
    words = inside(ctx, span)
    found = [(_mass(ctx, words, lo, hi), lo, hi) for lo, hi in _unblocked(ctx, span, places)]
    if not found:
        return None
    held, lo, hi = max(found, key=lambda f: (f[0], -f[1]))
    total = sum(f[0] for f in found)
    return lo, hi, held / total if total > 0 else 1.0 / len(found)


def _unblocked(
    ctx: Context, span: SourceSpan, places: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    blocked = others_protected(ctx, span)
    return [(lo, hi) for lo, hi in places if not any(a < hi and lo < b for a, b in blocked)]


def _mass(ctx: Context, words: list[int], lo: int, hi: int) -> float:
    if ctx.weights is None:
        return float(sum(k in words for k in ctx.links[lo:hi]))
    return float(ctx.weights[lo:hi, words].sum())
