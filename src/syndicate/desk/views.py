"""The review desk's values as JSON: what ``GET /v1/review`` and ``GET /v1/review/{id}/{lang}``
answer, and what the desk's pages are rendered from (one shape for both)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from syndicate.news.languages import text_direction
from syndicate.review.held import Held
from syndicate.review.placeholders import write
from syndicate.review.segments import Segment
from syndicate.review.words import confidence_words, flag_words, is_low
from syndicate.store.review import Queued

Json = dict[str, Any]


def queued_json(q: Queued) -> Json:
    return {
        "id": q.article_id,
        "version": q.version,
        "lang": q.lang,
        "headline": q.headline,
        "flags": dict(q.flags),
        "flagged": sum(q.flags.values()),
        "segments": q.segments,
        "held_since": q.held_since.isoformat(),
    }


def _tags(segment: Segment) -> list[Json]:
    return [
        {"n": t.n, "kind": str(t.kind), "name": t.name, "text": t.text, "inside": t.parent}
        for t in segment.tags
    ]


def segment_json(held: Held, segment: Segment) -> Json:
    edit = held.edits.get(segment.n)
    confidences = [
        {"tag": n, "confidence": round(c, 3), "low": is_low(c)} for n, c in segment.confidence
    ]
    reasons = [{"reason": r, "words": flag_words(r)} for r in segment.flags]
    reasons += [
        {"reason": "low_confidence_span", "words": confidence_words(n, c)}
        for n, c in segment.confidence
        if is_low(c)
    ]
    return {
        "n": segment.n,
        "field": segment.field,
        "source": write(segment.source, segment.tags),
        "translation": write(held.translation_of(segment.n), segment.tags),
        "machine": write(segment.machine, segment.tags),
        "flags": list(segment.flags),
        "reasons": reasons,
        "confidences": confidences,
        "tags": _tags(segment),
        "protected": list(segment.protected),
        "edited": edit is not None,
        "edited_by": edit.editor if edit else None,
        "edited_at": edit.at.isoformat() if edit else None,
        "edited_in_version": edit.version if edit else None,
        "origin": str(segment.origin),
        "new": segment.new,
    }


def held_json(held: Held, history: Sequence[Mapping[str, Any]]) -> Json:
    return {
        "id": held.article.id,
        "version": held.version,
        "lang": held.lang,
        "dir": text_direction(held.lang),
        "state": str(held.state),
        "reason": held.reason,
        "held_since": held.held_since.isoformat(),
        "headline": held.article.headline,
        "source_language": held.article.translation.source_language
        if held.article.translation
        else None,
        "segments": [segment_json(held, s) for s in held.segments],
        "history": list(history),
    }
