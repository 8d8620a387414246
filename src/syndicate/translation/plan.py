"""Translation planning: which segments of an article actually go to the model.

An article repeats itself (a name in the headline and the body, an empty caption) and an
update mostly repeats its previous version, so before the one batched call we drop empty
segments, send each distinct text once, and skip texts the translation memory already
holds for this model (brief section 4). Pure: the memory is passed in and out as mappings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from syndicate.errors import TranslationRejected
from syndicate.markup.alignment import AlignedTranslation, SegmentTranslator


@dataclass(frozen=True, slots=True)
class Plan:
    """Every segment of the article in order, and the distinct ones the model must see."""

    texts: tuple[str, ...]
    to_translate: tuple[str, ...]


def _empty(text: str) -> AlignedTranslation:
    return AlignedTranslation(source=text, source_tokens=(), target_tokens=(), alignment=())


def plan_translation(texts: Sequence[str], memory: Mapping[str, AlignedTranslation]) -> Plan:
    """Distinct non-blank texts not yet in ``memory``, in first-seen order."""
    pending = dict.fromkeys(t for t in texts if t.strip() and t not in memory)
    return Plan(texts=tuple(texts), to_translate=tuple(pending))


def complete_plan(
    plan: Plan,
    memory: Mapping[str, AlignedTranslation],
    fresh: Sequence[AlignedTranslation],
) -> list[AlignedTranslation]:
    """One translation per planned text, from the fresh batch, the memory, or blank."""
    if len(fresh) != len(plan.to_translate):
        raise TranslationRejected(
            f"the model returned {len(fresh)} segments for {len(plan.to_translate)} sent"
        )
    known = {**memory, **dict(zip(plan.to_translate, fresh, strict=True))}
    return [known[t] if t in known else _empty(t) for t in plan.texts]


def translate_with_memory(
    texts: Sequence[str],
    translator: SegmentTranslator,
    memory: Mapping[str, AlignedTranslation],
) -> tuple[list[AlignedTranslation], dict[str, AlignedTranslation]]:
    """Translate ``texts`` with one call for what the memory lacks.

    Returns the translations in order and the new entries the caller may add to its memory.
    """
    plan = plan_translation(texts, memory)
    fresh = translator(plan.to_translate) if plan.to_translate else []
    return complete_plan(plan, memory, fresh), dict(zip(plan.to_translate, fresh, strict=True))
