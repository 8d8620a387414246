"""A translation held for review: the model's article, the segments it was made of, the
editors' edits, and what approving it publishes.

Pure: the store keeps a ``Held`` (store/review.py), the worker and the desk act on it.
Approving writes the edited fields back through the same rebuild the model's output went
through, names the editor and the time in the provenance (feeds say it was reviewed) and
drops the output checks' flags: the editor has read every segment they pointed at.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from syndicate.markup.pieces import Piece
from syndicate.markup.segments import SegmentedBody
from syndicate.news.article import Article, Review
from syndicate.review.placeholders import write
from syndicate.review.segments import (
    Origin,
    Segment,
    carried,
    final_fields,
    renumbered,
    review_segments,
)
from syndicate.translation.stage import Draft, with_fields


class HeldState(StrEnum):
    HELD = "held"  # waiting for an editor
    REJECTED = "rejected"  # refused; kept for a retranslation to carry the edits over


@dataclass(frozen=True, slots=True)
class Edit:
    """An editor's translation of one segment; ``version``: the article version it was
    made on (earlier than the held one when carried over)."""

    pieces: tuple[Piece, ...]
    editor: str
    at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class Held:
    article: Article  # the machine translation, as the model and the memory made it
    fields: Mapping[str, SegmentedBody]
    segments: tuple[Segment, ...]
    held_since: datetime
    edits: Mapping[int, Edit] = field(default_factory=dict)
    state: HeldState = HeldState.HELD
    reason: str | None = None

    @property
    def version(self) -> int:
        return self.article.version

    @property
    def lang(self) -> str:
        return self.article.language

    def translation_of(self, n: int) -> tuple[Piece, ...]:
        """Segment ``n`` as it stands: the edit, else the machine's."""
        edit = self.edits.get(n)
        return edit.pieces if edit else self.segments[n].machine


def hold_draft(draft: Draft, now: datetime, previous: Held | None) -> tuple[Held, dict[int, Edit]]:
    """A draft to hold, with the edits of ``previous`` (an earlier version, or this one
    again after a retranslation) carried over where a segment's source did not change.
    Where an editor worked on the article before (a record, or segments from the human
    memory), the segments the model wrote anew are marked ``new``. Returns the held value
    and the carried edits."""
    segments = review_segments(draft)
    edits: dict[int, Edit] = {}
    before = {s.key for s in previous.segments} if previous is not None else set()
    if previous is not None or any(s.origin is Origin.HUMAN for s in segments):
        segments = tuple(
            dataclasses.replace(s, new=s.origin is Origin.MACHINE and s.key not in before)
            for s in segments
        )
    if previous is not None:
        for n, m in carried(previous.segments, previous.edits, segments).items():
            old = previous.edits[m]
            pieces = renumbered(old.pieces, previous.segments[m].tags, segments[n].tags)
            edits[n] = Edit(pieces, old.editor, old.at, old.version)
    return Held(draft.article, draft.fields, segments, now, edits), edits


def approved_article(held: Held, editor: str, now: datetime) -> Article:
    """What partners get: the held article with every edit written in, reviewed by
    ``editor`` at ``now``."""
    raw = {n: e.pieces for n, e in held.edits.items()}
    out = final_fields(held.fields, held.segments, raw, held.lang)
    translation = held.article.translation
    assert translation is not None  # a held article is a translation
    reviewed = dataclasses.replace(translation, flags=(), review=Review(editor, now))
    return with_fields(held.article, held.lang, out, reviewed)


def memory_entries(held: Held) -> dict[str, str]:
    """Each segment as approved, by source key, in placeholder text: the human
    translations the memory prefers over the model for the same source segment."""
    return {s.key: write(held.translation_of(s.n), s.tags) for s in held.segments}


def flag_counts(segments: Sequence[Segment]) -> dict[str, int]:
    """Flagged segments by reason (the queue shows them)."""
    return dict(Counter(reason for s in segments for reason in s.flags))
