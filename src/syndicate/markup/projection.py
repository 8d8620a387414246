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


def project_spans(
    translation: AlignedTranslation, spans: Sequence[SourceSpan]
) -> tuple[Placement, ...]:
    """Place every span on the target tokens, well nested, one placement per span.

    Each span takes the contiguous run of target tokens that best holds its alignment mass
    (``_robust``): stray tokens are left out instead of stretching the span across the
    sentence, as the hull of ``hull.project_spans_hull`` would. The rest is as for every
    method (``project_with``).
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
    (``evidence.best_run``), never over a protected span's text outside it; its confidence
    is the share of the span's mass it holds times the share of its own tokens' mass that
    is the span's."""
    spot = _written(ctx, span, bounds) if span.protected or span.rendering else None
    if spot is not None:
        return spot
    if ctx.weights is None:
        scores = np.array([0.0 if k < 0 else -0.5 for k in ctx.links])
        known = np.array([k >= 0 for k in ctx.links], dtype=bool)
        share = np.isin(np.array(ctx.links, dtype=int), inside(ctx, span)).astype(float)
        scores[share > 0] = 0.5
    else:
        share = ctx.weights[:, inside(ctx, span)].sum(axis=1)
        scores, known = share - 0.5, np.ones(len(share), dtype=bool)
    for lo, hi in others_protected(ctx, span):
        scores[lo:hi] = -1.0  # never taken
    run = evidence.best_run(scores[bounds.start : bounds.end], share[bounds.start : bounds.end])
    if run is None:
        return None
    lo, hi = run[0] + bounds.start, run[1] + bounds.start
    held = float(share[lo:hi][known[lo:hi]].sum())
    total = float(share[known].sum())
    own = max(1, int(known[lo:hi].sum()))
    return lo, hi, min(1.0, held / max(total, 1e-9) * held / own)


def _written(ctx: Context, span: SourceSpan, bounds: Placement) -> tuple[int, int, float] | None:
    """Where the model wrote the span's expected text (``written.py``) inside the parent,
    off other spans' protected text; of several places, the one its alignment points to
    most, its confidence that place's share of their mass."""
    want = written.expected(ctx.source[span.start : span.end], span.rendering, span.protected)
    blocked = others_protected(ctx, span)
    words = inside(ctx, span)
    found = [
        (_mass(ctx, words, lo, hi), lo, hi)
        for lo, hi in written.occurrences(ctx.tokens, want, bounds.start, bounds.end)
        if not any(a < hi and lo < b for a, b in blocked)
    ]
    if not found:
        return None
    held, lo, hi = max(found, key=lambda f: (f[0], -f[1]))
    total = sum(f[0] for f in found)
    return lo, hi, held / total if total > 0 else 1.0 / len(found)


def _mass(ctx: Context, words: list[int], lo: int, hi: int) -> float:
    if ctx.weights is None:
        return float(sum(k in words for k in ctx.links[lo:hi]))
    return float(ctx.weights[lo:hi, words].sum())
