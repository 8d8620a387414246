"""The rule-based sentence splitter that cuts translation units into model-sized segments.

Brief section 4: no model download, so sentences are found by rules that hold across the
newsroom's languages. A sentence ends at a run of terminators (full stop, ``!``, ``?``, the
ellipsis, the Arabic question mark and full stop, full-width forms), optionally followed by
closing quotes or brackets, then whitespace, and only when the next sentence does not open
in lower case. Casing is the language-neutral signal: uncased scripts (Arabic, Sorani)
always break, and a lower-case continuation keeps ``“...finished.” she said`` and
``e.g. the`` in one sentence. A full stop after a known abbreviation or a single-letter
initial does not end a sentence, so ``Dr. Ahmed``, ``J. R. Smith`` and ``12.5`` stay whole;
the few abbreviations that often close a sentence (``a.m.``, ``U.S.``) break only before a
capital or a common sentence opener.
"""

from __future__ import annotations

import re

# Terminators: . ! ? ellipsis, double marks, Arabic question mark and full stop (U+061F,
# U+06D4), ideographic full stop and full-width marks. Escaped: several look like ASCII.
_TERMINATORS = ".!?\u2026\u203c\u2047\u061f\u06d4\u3002\uff01\uff1f"
_CLOSERS = "\"'\u201d\u2019\u00bb\u203a)\\]}\u300d\u300f\u3011"
_OPENERS = "\"'\u201c\u2018\u00ab\u2039([{\u00bf\u00a1\u300c\u300e\u3010"
_DASHES = "\u2014\u2013- "
# Terminator run, closing punctuation, then the whitespace that separates sentences.
_BOUNDARY = re.compile(f"([{_TERMINATORS}]+)([{_CLOSERS}]*)(\\s+)")
_WORD_BEFORE = re.compile(r"(\S+)$")


def word_set(text: str) -> frozenset[str]:
    """The space-separated words of ``text``: how the word tables here and in units.py
    are written, one readable line per table."""
    return frozenset(text.split())


# A full stop after these never ends a sentence: titles and phrases that introduce more.
_NEVER_BREAK = word_set(
    "Mr Mrs Ms Mx Dr Prof Sen Rep Gov Gen Lt Col Maj Capt Cpt Sgt Cmdr Adm Brig Rev Fr Hon "
    "Pres Supt Insp Det St Mt Ft No Nos Nr Vol Fig Figs Art Sec Ch pp vs e.g i.e cf al "
    "approx ca Messrs Mme Mlle Jr Sr Bros Corp Inc Ltd Co Dept Univ Ave Rd Blvd"
)
# These end sentences often enough that a capital after them is read as a new sentence.
_BREAK_BEFORE_CAPITAL = word_set("a.m p.m etc Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec")
# Acronyms with inner dots (U.S., U.N.) break only before a word that usually opens one.
_ACRONYM = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
_SENTENCE_OPENERS = word_set(
    "The A An He She It They We I You This That These Those There But And In On At As "
    "After Before When While If Since Meanwhile However Yet So His Her Its Their Our"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Contiguous ``[start, end)`` ranges that cover ``text``, one per sentence.

    Each range keeps the whitespace that follows its sentence, so joining the slices gives
    back ``text`` exactly; an empty text has no sentences.
    """
    if not text:
        return []
    ranges: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if _is_boundary(text, match):
            ranges.append((start, match.end()))
            start = match.end()
    if start < len(text):
        ranges.append((start, len(text)))
    return ranges


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    """Whether the terminator run in ``match`` really closes a sentence."""
    following = _next_word(text, match.end())
    if not following or _starts_lower(following):
        return False
    run, closers = match.group(1), match.group(2)
    if run != "." or closers:
        return True
    word = _word_before(text, match.start())
    return _period_ends_sentence(word, following)


def _period_ends_sentence(word: str, following: str) -> bool:
    """A single full stop after ``word``: abbreviations and initials usually continue."""
    if not word or word[-1].isdigit():
        return True
    if word in _NEVER_BREAK or word.lower() in _NEVER_BREAK:
        return False
    if len(word) == 1 and word.isalpha():
        return False  # an initial: "J. R. Smith"
    if word in _BREAK_BEFORE_CAPITAL:
        return following[:1].isupper()
    if _ACRONYM.match(word):
        return following in _SENTENCE_OPENERS
    return True


def _word_before(text: str, end: int) -> str:
    """The word right before a terminator, without opening quotes or brackets."""
    found = _WORD_BEFORE.search(text, 0, end)
    return found.group(1).lstrip(_OPENERS) if found else ""


def _next_word(text: str, start: int) -> str:
    """The word that would open the next sentence, opening punctuation skipped."""
    rest = text[start:].lstrip(_OPENERS + _DASHES)
    return rest.split(maxsplit=1)[0].rstrip(".,;:!?") if rest.strip() else ""


def _starts_lower(word: str) -> bool:
    return word[:1].islower()
