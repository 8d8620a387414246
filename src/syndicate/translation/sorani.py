# ruff: noqa: RUF002  (Arabic-script letters are meant)
"""Sorani (``ckb``) text as Kurdish newsrooms write it (issue 17).

Models and keyboards write Sorani with Arabic letters that look alike but are not Kurdish:
Arabic kaf ``ك`` for ``ک``, Arabic yeh ``ي`` and alef maksura ``ى`` for ``ی``, teh marbuta
``ة`` or heh + zero-width non-joiner ``ه‌`` for ``ە``, and kashida (``ـ``) to stretch words.
AsoSoft's normaliser (the ``asosoft`` package, MIT; Mahmudi, Veisi, MohammadAmini and
Hosseini 2019, "Automated Kurdish Text Normalization"), whose conventions KLPT shares,
rewrites them. Only its rule passes run, not its deep Unicode table (that would turn dashes
and no-break spaces into ASCII), nor its word-initial ``ر`` -> ``ڕ``; two rules are added
for what its rules leave: ``ة`` -> ``ە`` (as its own font converters do) and no kashida at
all (its rules keep one between letters that do not join).

``normalising`` wraps a translator: a ``ckb`` source is normalised before the model sees
it (the source token offsets are mapped back to the text as written), ``ckb`` output after
it; ``ar`` text never is. It sees only the segments' text, and reassembly puts names,
credits, URLs and protected terms back byte-identical as always.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
from collections.abc import Sequence

import asosoft  # type: ignore[import-untyped]  # no type hints in the package

from syndicate.markup.alignment import AlignedTranslation, SegmentTranslator
from syndicate.news.languages import primary

SORANI = "ckb"
ARABIC_ONLY = frozenset("\u0643\u064a\u0649\u0629\u0640")  # ك ي ى ة and kashida
_TOUCHED = ARABIC_ONLY | frozenset("\u0647\u06be\u200c\u200d\ufeff")  # heh forms, joiners
_EXTRA = {"\u0629": "\u06d5"}  # teh marbuta -> ae


def normalise(text: str) -> str:
    """``text`` with Sorani's own letters (module docstring)."""
    if not _TOUCHED.intersection(text):
        return text
    out = asosoft.Normalize(
        text,
        isOnlyKurdish=True,
        changeInitialR=False,
        deepUnicodeCorrectios=False,
        additionalUnicodeCorrections=False,
        usersReplaceList=_EXTRA,
    )
    return str(out).replace("\u0640", "")


def offsets(one: str, other: str) -> list[int]:
    """For each offset 0..len(one) of ``one``, the offset of ``other`` it stands for: equal
    runs map one to one, a rewritten run spreads over what it replaced."""
    mapping = [0] * (len(one) + 1)
    matcher = difflib.SequenceMatcher(None, one, other, autojunk=False)
    for _, a1, a2, b1, b2 in matcher.get_opcodes():
        for j in range(a1, a2 + 1):
            mapping[j] = b1 + (j - a1) * (b2 - b1) // max(1, a2 - a1)
    return mapping


def _source(text: str) -> tuple[str, list[int]]:
    new = normalise(text)
    return new, offsets(new, text)


def _output(tr: AlignedTranslation) -> AlignedTranslation:
    """The translation's tokens normalised together (a word may span tokens), each token
    the part of the new text its old bounds map to."""
    old = "".join(tr.target_tokens)
    new = normalise(old)
    if new == old:
        return tr
    cuts = list(itertools.accumulate((len(t) for t in tr.target_tokens), initial=0))
    where = offsets(old, new)
    tokens = tuple(new[where[a] : where[b]] for a, b in itertools.pairwise(cuts))
    return dataclasses.replace(tr, target_tokens=tokens)


def normalising(translator: SegmentTranslator, source: str, target: str) -> SegmentTranslator:
    """``translator`` with Sorani normalised on the way in (a ckb source) and out (a ckb
    target); unchanged for any other pair."""
    into, out = primary(source) == SORANI, primary(target) == SORANI
    if not (into or out):
        return translator

    def run(texts: Sequence[str]) -> list[AlignedTranslation]:
        sent = [_source(t) if into else (t, []) for t in texts]
        results = translator([new for new, _ in sent])
        done = []
        for text, (new, where), tr in zip(texts, sent, results, strict=True):
            if into and tr.source == new:
                spans = tuple((where[a], where[b]) for a, b in tr.source_tokens)
                tr = dataclasses.replace(tr, source=text, source_tokens=spans)
            done.append(_output(tr) if out else tr)
        return done

    return run
