"""What the output checks' flags and the tag confidences mean, in words an editor reads on
the desk (issue 18): the reason a segment is highlighted, not a code."""

from __future__ import annotations

from typing import Final

from syndicate.markup.alignment import LOW_CONFIDENCE

FLAG_WORDS: Final = {
    "empty": "The model returned nothing for this sentence; the source text stands in.",
    "untranslated": "The model returned the source text unchanged.",
    "runaway": "The model stopped at its length limit: the sentence may run on or be cut.",
    "placement": (
        "A tag could not be aligned and was placed by its position in the source:"
        " check where it landed."
    ),
    "low_confidence_markup": (
        "A tag was placed where the model's attention was unclear: check where it landed."
    ),
}


def flag_words(reason: str) -> str:
    return FLAG_WORDS.get(reason, f"Flagged by an output check ({reason}).")


def is_low(confidence: float) -> bool:
    """Below the confidence that flags a segment ``low_confidence_markup``."""
    return confidence < LOW_CONFIDENCE


def confidence_words(tag: int, confidence: float) -> str:
    return f"Tag <{tag}> was placed with {confidence:.0%} confidence: check it."
