"""Pivot translation (ar -> en -> tr): two translations composed into one, the links and
the attention rows carried through the pivot's tokens (brief section 4).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

from syndicate.markup import evidence
from syndicate.markup.alignment import AlignedTranslation


def compose(first: AlignedTranslation, second: AlignedTranslation) -> AlignedTranslation:
    """Pivot: final token -> pivot source token -> pivot target token -> original token;
    attention rows compose the same way, as the product of the two matrices through the
    pivot's tokens."""
    ends, position = [], 0
    for token in first.target_tokens:
        position += len(token)
        ends.append(position)
    pivot_text = first.text

    def owner(k: int) -> int:
        """The first model's target token holding pivot source token ``k``."""
        begin, end = second.source_tokens[k]
        while begin < end and pivot_text[begin].isspace():
            begin += 1
        j = bisect.bisect_right(ends, begin)
        return j if j < len(ends) else -1

    owners = [owner(k) for k in range(len(second.source_tokens))]
    return AlignedTranslation(
        source=first.source,
        source_tokens=first.source_tokens,
        target_tokens=second.target_tokens,
        alignment=tuple(
            first.alignment[owners[k]] if 0 <= k < len(owners) and owners[k] >= 0 else -1
            for k in second.alignment
        ),
        complete=first.complete and second.complete,
        attention=_composed_rows(first, second, owners),
    )


def _composed_rows(
    first: AlignedTranslation, second: AlignedTranslation, owners: Sequence[int]
) -> tuple[tuple[float, ...], ...]:
    if not (first.attention or second.attention) or not owners:
        return ()
    through = np.zeros((len(owners), len(first.target_tokens)))
    for k, j in enumerate(owners):
        if j >= 0:
            through[k, j] = 1.0
    product = evidence.dense(second) @ through @ evidence.dense(first)
    return tuple(tuple(row) for row in product.tolist())
