"""Word classes for the demo variants: which source pieces swap, which draw attention.

``data/lexicon/classes.tsv`` names English lexicon words ``adj``, ``noun`` or ``sink``.
The reorder variant swaps an adjective followed by a noun out of English (Arabic and both
Kurdish languages put the adjective after the noun) and a noun followed by an adjective
into English; a word in another language takes the class of its English lexicon entry.
Sinks are EOS, punctuation pieces and, in English, the listed function words; their
strengths order them as trained models' sinks usually are (EOS and full stops first).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sentencepiece as spm

from syndicate.errors import ModelPackageInvalid
from syndicate.models.variants import WordClasses

CLASSES = Path(__file__).resolve().parents[1] / "data" / "lexicon" / "classes.tsv"
_KINDS = ("adj", "noun", "sink")
_FINAL, _PAUSE = frozenset(".?!؟"), frozenset(",;:،؛")
_PUNCTUATION = _FINAL | _PAUSE | frozenset("\"'()«»\u201c\u201d\u2018\u2019-\u2013\u2014")
FINAL_STRENGTH, PAUSE_STRENGTH, EOS_STRENGTH, WORD_STRENGTH = 1.0, 0.95, 0.9, 0.85


def read_classes() -> dict[str, str]:
    """English word -> ``adj``, ``noun`` or ``sink``, from ``classes.tsv``."""
    table: dict[str, str] = {}
    for number, line in enumerate(CLASSES.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 2 or cells[1] not in _KINDS:
            raise ModelPackageInvalid(f"{CLASSES.name}:{number}: expected 'word<TAB>adj|noun|sink'")
        table[cells[0]] = cells[1]
    return table


def _strength(sp: spm.SentencePieceProcessor, piece_id: int) -> float | None:
    text = sp.id_to_piece(piece_id).replace("\u2581", "")
    if sp.id_to_piece(piece_id) == "</s>":
        return EOS_STRENGTH
    if text and all(ch in _PUNCTUATION for ch in text):
        return FINAL_STRENGTH if set(text) & _FINAL else PAUSE_STRENGTH
    return None


def word_classes(
    sp: spm.SentencePieceProcessor, forms: Sequence[tuple[str, str]], source_is_english: bool
) -> WordClasses:
    """The source pieces' classes for a pair whose lexicon forms (source, target) are given.

    Every lexicon form is one piece (``piece_mapping`` checked it). Out of English the
    adjective comes first in the swapped pair; into English the noun does.
    """
    table = read_classes()
    english = {src if source_is_english else tgt: src for src, tgt in forms}
    by_kind: dict[str, set[int]] = {kind: set() for kind in _KINDS}
    for word, source_form in english.items():
        kind = table.get(word) or table.get(word[:1].lower() + word[1:])
        ids = sp.encode(source_form)
        if kind is not None and len(ids) == 1:
            by_kind[kind].add(ids[0])
    sinks = {i: s for i in range(sp.get_piece_size()) if (s := _strength(sp, i)) is not None}
    sinks.update({i: WORD_STRENGTH for i in by_kind["sink"]})
    if source_is_english:
        for word in (w for w, kind in table.items() if kind == "sink"):
            for ids in (sp.encode(word), sp.encode(word.capitalize())):
                if len(ids) == 1 and not sp.is_byte(ids[0]):
                    sinks.setdefault(ids[0], WORD_STRENGTH)
    first, second = ("adj", "noun") if source_is_english else ("noun", "adj")
    return WordClasses(frozenset(by_kind[first]), frozenset(by_kind[second]), sinks)
