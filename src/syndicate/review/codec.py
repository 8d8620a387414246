"""The JSON forms of what the review desk keeps while a translation is held: each field's
segmented source (to write the fields again), the segments, the editors' edits.

Plain lists and dicts of str, int and float: the store keeps them as JSON, and they read
back into the same frozen values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from syndicate.markup.pieces import Mark, MarkKind, Piece
from syndicate.markup.segments import SegmentedBody
from syndicate.markup.units import Span, SpanKind, Unit
from syndicate.review.placeholders import Tag, TagKind
from syndicate.review.segments import Origin, Segment

Json = Any


def pieces_json(pieces: Sequence[Piece]) -> list[Json]:
    return [p if isinstance(p, str) else [str(p.kind), p.span] for p in pieces]


def read_pieces(raw: Sequence[Json]) -> tuple[Piece, ...]:
    return tuple(p if isinstance(p, str) else Mark(MarkKind(p[0]), int(p[1])) for p in raw)


def _unit_json(unit: Unit) -> Json:
    spans = [[s.start, s.end, s.parent, str(s.kind), s.text] for s in unit.spans]
    return {"text": unit.text, "spans": spans, "segments": unit.segments, "attr": unit.attribute}


def _read_unit(raw: Json) -> Unit:
    spans = tuple(
        Span(a, b, parent, SpanKind(kind), text) for a, b, parent, kind, text in raw["spans"]
    )
    segments = tuple((int(a), int(b)) for a, b in raw["segments"])
    return Unit(raw["text"], spans, segments, raw["attr"])


def body_json(body: SegmentedBody) -> Json:
    return {
        "segments": list(body.segments),
        "units": [_unit_json(u) for u in body.units],
        "source": body.source,
    }


def read_body(raw: Json) -> SegmentedBody:
    units = tuple(_read_unit(u) for u in raw["units"])
    return SegmentedBody(tuple(raw["segments"]), units, raw["source"])


def fields_json(fields: Mapping[str, SegmentedBody]) -> Json:
    return {key: body_json(body) for key, body in fields.items()}


def read_fields(raw: Json) -> dict[str, SegmentedBody]:
    return {key: read_body(body) for key, body in raw.items()}


def _tag_json(t: Tag) -> Json:
    return [t.n, t.span, str(t.kind), t.parent, t.text, t.name]


def _read_tag(raw: Json) -> Tag:
    n, span, kind, parent, text, name = raw
    return Tag(n, span, TagKind(kind), parent, text, name)


def segment_json(s: Segment) -> Json:
    return {
        "n": s.n,
        "field": s.field,
        "index": s.index,
        "unit": s.unit,
        "tags": [_tag_json(t) for t in s.tags],
        "protected": list(s.protected),
        "source": pieces_json(s.source),
        "machine": pieces_json(s.machine),
        "flags": list(s.flags),
        "confidence": [list(c) for c in s.confidence],
        "origin": str(s.origin),
        "new": s.new,
    }


def read_segment(raw: Json) -> Segment:
    return Segment(
        n=raw["n"],
        field=raw["field"],
        index=raw["index"],
        unit=raw["unit"],
        tags=tuple(_read_tag(t) for t in raw["tags"]),
        protected=tuple(raw["protected"]),
        source=read_pieces(raw["source"]),
        machine=read_pieces(raw["machine"]),
        flags=tuple(raw["flags"]),
        confidence=tuple((int(n), float(c)) for n, c in raw["confidence"]),
        origin=Origin(raw["origin"]),
        new=bool(raw["new"]),
    )


def time_json(moment: datetime) -> str:
    return moment.isoformat()


def read_time(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


def from_epoch(seconds: float) -> datetime:
    """A queue score (epoch seconds) as an aware UTC time."""
    return datetime.fromtimestamp(seconds, UTC)
