"""The hull projection: each span covers the smallest run of target tokens holding every
token whose argmax link falls in it.

The method before issue 11, kept unchanged as the baseline ``benchmarks/fidelity.py``
measures ``projection.project_spans`` against: exact on clean attention, but one stray link
drags a span across the sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

from syndicate.markup.alignment import (
    AlignedTranslation,
    Context,
    Placement,
    SourceSpan,
    context,
    inside,
    project_with,
)


def project_spans_hull(
    translation: AlignedTranslation, spans: Sequence[SourceSpan]
) -> tuple[Placement, ...]:
    """Place every span on the hull of its argmax links (see ``alignment.project_with``
    for nesting, siblings and the fallback)."""
    return project_with(context(translation), spans, _hull)


def _hull(ctx: Context, span: SourceSpan, bounds: Placement) -> tuple[int, int, float] | None:
    """The smallest run of target tokens holding every token aligned into the span; the
    parent's bounds apply afterwards, as they always did."""
    words = set(inside(ctx, span))
    hits = [t for t, i in enumerate(ctx.links) if i in words]
    return (min(hits), max(hits) + 1, 1.0) if hits else None
