"""Aligned translations: the contract between the engine (which produces them from
CTranslate2 attention) and markup (which projects inline spans onto them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class AlignedTranslation:
    """One translated segment with a word alignment.

    ``source_tokens`` are [start, end) character offsets into ``source`` of each source
    token the model saw (EOS excluded). ``target_tokens`` are the surface strings of each
    target token, leading space included, so ``"".join(target_tokens)`` is the translation.
    ``alignment[t]`` is the index of the source token that target token ``t`` attends to
    most, or -1 where the model gave no usable attention. ``complete`` is False when decoding
    stopped at the length limit instead of at end of sentence (a runaway).
    """

    source: str
    source_tokens: tuple[tuple[int, int], ...]
    target_tokens: tuple[str, ...]
    alignment: tuple[int, ...]
    complete: bool = True

    @property
    def text(self) -> str:
        return "".join(self.target_tokens)


class SegmentTranslator(Protocol):
    """Translates a batch of plain-text segments in one call (brief section 4)."""

    def __call__(self, texts: Sequence[str]) -> list[AlignedTranslation]: ...
