"""Where a model wrote a text it was expected to write: a protected span's verbatim text, a
term's fixed rendering, or an element's own text translated alone (the span check of
translation/stage.py). Text, not attention: this is the strongest lexical anchor a span
has, and it does not care how noisy the attention was.

Comparison ignores whitespace and case (a model may write ``rudaw`` for ``Rudaw``); matches
cover whole target tokens, so a span never cuts one (protected text may sit inside a token
beside punctuation, ``inside_tokens``: reassembly keeps the rest of the token).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def expected(own: str, rendering: str, protected: bool) -> str:
    """The text to look for, as compared: ``rendering`` if any, else ``own`` (the span's
    source text). A phrase translated alone may gain or lose a full stop, so an element's
    rendering loses its punctuation at an end where ``own`` has none; a protected text
    keeps its own, since it replaces exactly the tokens matched."""
    want = _squeezed(rendering or own)
    if protected or not rendering or not own:
        return want
    return _trimmed(want, head=not _punctuation(own[0]), tail=not _punctuation(own[-1]))


def occurrences(tokens: Sequence[str], want: str, start: int, end: int) -> list[tuple[int, int]]:
    """Every run ``[lo, hi)`` of ``tokens[start:end]`` whose text is ``want`` (as
    ``expected`` gives it)."""
    return _occurrences([_squeezed(token) for token in tokens], want, start, end)


def inside_tokens(tokens: Sequence[str], want: str, start: int, end: int) -> list[tuple[int, int]]:
    """Like ``occurrences``, but a run may also begin or end inside a token where the rest
    of that token there is not part of a word: a piece ``=7`` holds the number ``7``, and
    a real model's vocabulary is full of such pieces. For protected text, which replaces
    only itself (reassembly keeps the ``=``)."""
    folded: list[str] = []
    where: list[tuple[int, int]] = []
    for k in range(start, end):
        for offset, char in enumerate(tokens[k]):
            if not char.isspace():
                for part in char.casefold():
                    folded.append(part)
                    where.append((k, offset))
    text, found = "".join(folded), list[tuple[int, int]]()
    at = text.find(want) if want else -1
    while at >= 0:
        (first, head), (last, tail) = where[at], where[at + len(want) - 1]
        if _apart(tokens[first], head - 1) and _apart(tokens[last], tail + 1):
            found.append((first, last + 1))
        at = text.find(want, at + 1)
    return list(dict.fromkeys(found))


def _apart(token: str, index: int) -> bool:
    """Whether a match may end next to ``token[index]``: outside the token, a space, or a
    character that is not part of a word."""
    if not 0 <= index < len(token):
        return True
    char = token[index]
    return char.isspace() or not (char.isalnum() or char == "_")


def _occurrences(pieces: Sequence[str], want: str, start: int, end: int) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    if not want:
        return found
    for lo in range(start, end):
        text = ""
        for hi in range(lo + 1, end + 1):
            text += pieces[hi - 1]
            if not want.startswith(text):
                break
            if text == want:
                found.append((lo, hi))
                break
    return found


def parts(rendering: str, tokens: Sequence[str], start: int, end: int) -> list[tuple[int, int]]:
    """Where the longest run of whole words of ``rendering`` that the model wrote as whole
    tokens was written, for a rendering not found whole: a fragment translated alone often
    differs in context (an article, a conjunction, an ending), but its other words still
    mark where it went. A run of fewer than four letters matches by chance: never used."""
    words = [_trimmed(_squeezed(word)) for word in rendering.split()]
    words = [word for word in words if word]
    pieces = [_squeezed(token) for token in tokens]
    for size in range(len(words), 0, -1):
        found: list[tuple[int, int]] = []
        for first in range(len(words) - size + 1):
            want = "".join(words[first : first + size])
            if sum(c.isalnum() for c in want) >= 4:
                found += _occurrences(pieces, want, start, end)
        if found:
            return found
    return []


def _trimmed(word: str, head: bool = True, tail: bool = True) -> str:
    """``word`` without the punctuation at its start (``head``) and its end (``tail``)."""
    while tail and word and _punctuation(word[-1]):
        word = word[:-1]
    while head and word and _punctuation(word[0]):
        word = word[1:]
    return word


def _squeezed(text: str) -> str:
    return "".join(text.split()).casefold()


def _punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] == "P"
